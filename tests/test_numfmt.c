/* test_numfmt.c - tool/numfmt.h writes the same digits as printf("%llu"):
 * every power of ten and its neighbours, 0 and UINT64_MAX, the 32-bit
 * boundary, and two million pseudo-random values of every bit length;
 * the same text as printf("%.6f") (test_fix6); and IPv4 addresses as
 * inet_ntop writes them (test_ipv4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "numfmt.h"

static void check(uint64_t v)
{
    char got[NUMFMT_MAX + 1], want[32];
    char *e = numfmt_u64(got, v);
    *e = '\0';
    snprintf(want, sizeof want, "%llu", (unsigned long long)v);
    assert_string_equal(got, want);
    assert_int_equal(numfmt_digits(v), strlen(want));
}

static void test_boundaries(void **state)
{
    (void)state;
    check(0);
    check(UINT64_MAX);
    check(UINT32_MAX);
    check((uint64_t)UINT32_MAX + 1);
    for (uint64_t p = 1;; p *= 10) {
        check(p - 1);
        check(p);
        check(p + 1);
        if (p == 10000000000000000000ull)
            break;
    }
}

static void test_random(void **state)
{
    (void)state;
    uint64_t x = 88172645463325252ull; /* xorshift64 */
    for (long i = 0; i < 2000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check(x >> (x & 63)); /* every bit length */
    }
}

static void check6(double v)
{
    char got[NUMFMT_FIX6_MAX + 1], want[64];
    char *e = numfmt_fix6(got, v);
    assert_non_null(e);
    *e = '\0';
    snprintf(want, sizeof want, "%.6f", v);
    assert_string_equal(got, want);
}

/* "%.6f" for durations and round-trip times: exact halves (ties to
 * even), tiny and subnormal values, the range's ends, random values of
 * every magnitude; out of range refused */
static void test_fix6(void **state)
{
    (void)state;
    check6(0.0);
    check6(5e-324);
    check6(2.2250738585072014e-308);
    check6(1e-7);
    check6(4.999999e-7);
    check6(8589934591.999999);
    for (int k = 1; k <= 40; k++) /* n / 2^k: many exact ties at 1e-6 */
        for (uint64_t n = 0; n < 3000; n++)
            check6((double)n / (double)(1ull << k));
    uint64_t x = 0x2545F4914F6CDD1Dull;
    for (long i = 0; i < 1000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        double u = (double)(x >> 11) / 9007199254740992.0; /* [0, 1) */
        int mag = (int)(x & 63) - 30;                     /* 2^-30..2^33 */
        double v = u * ((mag >= 0) ? (double)(1ull << (mag > 32 ? 32 : mag))
                                   : 1.0 / (double)(1ull << -mag));
        check6(v);
    }
    char buf[NUMFMT_FIX6_MAX];
    assert_null(numfmt_fix6(buf, -1e-9));
    assert_null(numfmt_fix6(buf, 8589934592.0));
    assert_null(numfmt_fix6(buf, 0.0 / 0.0));
}

/* a.b.c.d against inet_ntop: every value of each byte, in every place */
static void test_ipv4(void **state)
{
    (void)state;
    for (int place = 0; place < 4; place++)
        for (unsigned v = 0; v < 256; v++) {
            uint8_t b[4] = {10, 0, 200, 7};
            b[place] = (uint8_t)v;
            char got[NUMFMT_IPV4_MAX + 1], want[INET_ADDRSTRLEN];
            *numfmt_ipv4(got, b) = '\0';
            assert_non_null(inet_ntop(AF_INET, b, want, sizeof want));
            assert_string_equal(got, want);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_fix6),
        cmocka_unit_test(test_ipv4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
