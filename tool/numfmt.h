/* numfmt.h - decimal numbers written without printf, for the row
 * writers (output.c) and the direct reader's input columns (input.c).
 * The same digits as printf("%llu"); checked against it in
 * tests/test_numfmt.c.
 */
#ifndef TCPFSM_NUMFMT_H
#define TCPFSM_NUMFMT_H

#include <stdint.h>

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

#endif
