/* test_numfmt.c - tool/numfmt.h writes the same digits as printf("%llu"):
 * every power of ten and its neighbours, 0 and UINT64_MAX, the 32-bit
 * boundary, and two million pseudo-random values of every bit length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_boundaries),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
