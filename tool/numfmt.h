/* numfmt.h - decimal numbers written without printf, for the row
 * writers (output.c) and the direct reader's input columns (input.c).
 * The same digits as printf("%llu") and "%.6f"; checked against it in
 * tests/test_numfmt.c.
 */
#ifndef TCPFSM_NUMFMT_H
#define TCPFSM_NUMFMT_H

#include <stdint.h>
#include <string.h>

/* the number of decimal digits of v (1 for 0) */
static inline unsigned numfmt_digits(uint64_t v)
{
    static const uint64_t pow10[20] = {
        1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
        10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
        100000000000ull, 1000000000000ull, 10000000000000ull,
        100000000000000ull, 1000000000000000ull, 10000000000000000ull,
        100000000000000000ull, 1000000000000000000ull,
        10000000000000000000ull};
    /* bits -> a digit count at most one too small, then one compare */
    unsigned bits = 64 - (unsigned)__builtin_clzll(v | 1);
    unsigned n = (bits * 1233) >> 12; /* floor(bits * log10(2)) */
    return n + ((v | 1) >= pow10[n]); /* 0 has one digit */
}

/* writes v's digits at p (room for NUMFMT_MAX bytes), returns their end */
#define NUMFMT_MAX 20
static inline char *numfmt_u64(char *p, uint64_t v)
{
    static const char pairs[201] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    char *end = p + numfmt_digits(v), *q = end;
    while (v > UINT32_MAX) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--q = pairs[d + 1];
        *--q = pairs[d];
    }
    uint32_t u = (uint32_t)v; /* 32-bit division: cheaper */
    while (u >= 100) {
        unsigned d = (u % 100) * 2;
        u /= 100;
        *--q = pairs[d + 1];
        *--q = pairs[d];
    }
    if (u >= 10) {
        *--q = pairs[u * 2 + 1];
        *--q = pairs[u * 2];
    } else {
        *--q = (char)('0' + u);
    }
    return end;
}

/* a.b.c.d of four address bytes, as inet_ntop writes it (inet_ntop goes
 * through printf): written at p (room for NUMFMT_IPV4_MAX bytes), returns
 * the end */
#define NUMFMT_IPV4_MAX 15
static inline char *numfmt_ipv4(char *p, const uint8_t b[4])
{
    for (int i = 0; i < 4; i++) {
        unsigned v = b[i];
        if (i)
            *p++ = '.';
        if (v >= 100)
            *p++ = (char)('0' + v / 100);
        if (v >= 10)
            *p++ = (char)('0' + v / 10 % 10);
        *p++ = (char)('0' + v % 10);
    }
    return p;
}

/* "%.6f" of v exactly as printf writes it (the exact binary value
 * rounded half to even), for 0 <= v < 2^33: written at p (room for
 * NUMFMT_FIX6_MAX bytes), returns the end; NULL (nothing written) for
 * anything else. */
#define NUMFMT_FIX6_MAX 20
static inline char *numfmt_fix6(char *p, double v)
{
    if (!(v >= 0) || v >= 8589934592.0)
        return NULL;
    uint64_t q = 0;
    if (v > 0) {
        /* v = m / 2^sh exactly, from the double's bits (frexp and ldexp
         * without two library calls a number) */
        uint64_t bits;
        memcpy(&bits, &v, sizeof bits);
        int bexp = (int)((bits >> 52) & 0x7ff);
        uint64_t m = bits & ((1ull << 52) - 1);
        int e; /* v = (m / 2^53) * 2^e, m / 2^53 in [0.5, 1) when normal */
        if (bexp == 0) { /* subnormal */
            e = -1021;
        } else {
            m |= 1ull << 52;
            e = bexp - 1022;
        }
        int sh = 53 - e; /* >= 20, as v < 2^33 */
        unsigned __int128 x = (unsigned __int128)m * 1000000u;
        if (sh < 120) {
            unsigned __int128 one = 1;
            q = (uint64_t)(x >> sh);
            unsigned __int128 rem = x & ((one << sh) - 1);
            unsigned __int128 half = one << (sh - 1);
            if (rem > half || (rem == half && (q & 1)))
                q++;
        }
    }
    p = numfmt_u64(p, q / 1000000u);
    uint32_t f = (uint32_t)(q % 1000000u);
    p[0] = '.';
    for (int i = 6; i >= 1; i--) {
        p[i] = (char)('0' + f % 10);
        f /= 10;
    }
    return p + 7;
}

#endif
