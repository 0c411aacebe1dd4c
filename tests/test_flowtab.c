/* test_flowtab.c - the connection-table toolkit (engine/flowtab.h,
 * list.h, heap.h): the canonical key, the open-addressing table with
 * tombstones checked against a plain array, the list and the heap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "flowtab.h"
#include "heap.h"
#include "list.h"

static tcpfsm_addr v4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    tcpfsm_addr x;
    memset(&x, 0, sizeof x);
    x.family = 4;
    x.bytes[0] = a, x.bytes[1] = b, x.bytes[2] = c, x.bytes[3] = d;
    return x;
}

static void key_is_canonical(void **state)
{
    (void)state;
    tcpfsm_addr lo = v4(10, 0, 0, 1), hi = v4(10, 0, 0, 2);
    tcpfsm_flowkey k1, k2;
    assert_int_equal(tcpfsm_flowkey_make(&k1, &lo, 5000, &hi, 80), 0);
    assert_int_equal(tcpfsm_flowkey_make(&k2, &hi, 80, &lo, 5000), 1);
    assert_memory_equal(&k1, &k2, sizeof k1);
    assert_int_equal(tcpfsm_flowkey_hash(&k1), tcpfsm_flowkey_hash(&k2));
    assert_int_equal(k1.pa, 5000);
    assert_int_equal(k1.pb, 80);
    assert_int_equal(k1.a[3], 1);
    /* same address: the lower port is a; equal ports: the sender */
    assert_int_equal(tcpfsm_flowkey_make(&k1, &lo, 9, &lo, 8), 1);
    assert_int_equal(k1.pa, 8);
    assert_int_equal(tcpfsm_flowkey_make(&k1, &lo, 8, &lo, 8), 0);
    /* IPv4 sorts before IPv6; garbage past an IPv4 address is not key */
    tcpfsm_addr six;
    memset(&six, 0, sizeof six);
    six.family = 6;
    six.bytes[15] = 1;
    assert_int_equal(tcpfsm_flowkey_make(&k1, &six, 1, &hi, 2), 1);
    assert_int_equal(k1.fam_a, 4);
    assert_int_equal(k1.fam_b, 6);
    tcpfsm_addr dirty = lo;
    dirty.bytes[9] = 0xff;
    tcpfsm_flowkey_make(&k1, &lo, 1, &hi, 2);
    tcpfsm_flowkey_make(&k2, &dirty, 1, &hi, 2);
    assert_memory_equal(&k1, &k2, sizeof k1);
    /* a different port is a different key */
    tcpfsm_flowkey_make(&k2, &lo, 1, &hi, 3);
    assert_memory_not_equal(&k1, &k2, sizeof k1);
}

typedef struct rec {
    uint64_t id;
    int alive;
} rec;

/* many inserts and removals (tombstones, rebuilds) against an array */
static void table_matches_reference(void **state)
{
    (void)state;
    enum { N = 20000 };
    rec *r = calloc(N, sizeof *r);
    assert_non_null(r);
    tcpfsm_flowtab t;
    tcpfsm_flowtab_init(&t, offsetof(rec, id), sizeof(uint64_t));
    uint32_t seed = 12345;
    size_t live = 0;
    for (int step = 0; step < 200000; step++) {
        seed = seed * 1103515245u + 12345u;
        uint64_t i = (seed >> 8) % N;
        r[i].id = i * 7919;
        uint32_t h = tcpfsm_u64_hash(r[i].id);
        rec *found = tcpfsm_flowtab_find_u64(&t, r[i].id);
        assert_ptr_equal(found, r[i].alive ? &r[i] : NULL);
        if (r[i].alive) {
            assert_true(tcpfsm_flowtab_remove(&t, &r[i], h));
            assert_false(tcpfsm_flowtab_remove(&t, &r[i], h));
            r[i].alive = 0;
            live--;
        } else {
            assert_true(tcpfsm_flowtab_insert(&t, &r[i], h));
            r[i].alive = 1;
            live++;
        }
        assert_int_equal(tcpfsm_flowtab_count(&t), live);
    }
    size_t seen = 0;
    void *p;
    for (size_t i = 0; (p = tcpfsm_flowtab_next(&t, &i));) {
        assert_true(((rec *)p)->alive);
        seen++;
    }
    assert_int_equal(seen, live);
    /* tombstones never fill the array: at most 3/4 of it is used */
    assert_true((t.live + t.tombs) * 4 <= (t.mask + 1) * 3);
    /* replace returns the record it displaced */
    rec twin = {0, 0};
    for (uint64_t i = 0; i < N; i++)
        if (r[i].alive) {
            twin.id = r[i].id;
            uint32_t h = tcpfsm_u64_hash(twin.id);
            void *old = NULL;
            assert_true(tcpfsm_flowtab_replace(&t, &twin, h, &old));
            assert_ptr_equal(old, &r[i]);
            assert_ptr_equal(tcpfsm_flowtab_find_u64(&t, twin.id), &twin);
            break;
        }
    tcpfsm_flowtab_free(&t);
    free(r);
}

/* an owner table: records made, deleted and made again in place */
static void owner_table(void **state)
{
    (void)state;
    tcpfsm_flowtab t;
    tcpfsm_flowtab_init_owner(&t, offsetof(rec, id), sizeof(uint64_t),
                              sizeof(rec));
    rec *first[3000];
    for (uint64_t i = 0; i < 3000; i++) {
        first[i] = tcpfsm_flowtab_add_new(&t, &i, tcpfsm_u64_hash(i));
        assert_non_null(first[i]);
        assert_int_equal(first[i]->id, i);
        assert_int_equal(first[i]->alive, 0); /* zeroed */
        first[i]->alive = 1;
    }
    for (uint64_t i = 0; i < 3000; i++) /* addresses never moved */
        assert_ptr_equal(tcpfsm_flowtab_find_u64(&t, i), first[i]);
    tcpfsm_flowtab_delete(&t, first[10], tcpfsm_u64_hash(10));
    assert_null(tcpfsm_flowtab_find_u64(&t, 10));
    uint64_t k = 5000;
    rec *again = tcpfsm_flowtab_add_new(&t, &k, tcpfsm_u64_hash(k));
    assert_ptr_equal(again, first[10]); /* the deleted record's memory */
    assert_int_equal(again->alive, 0);
    assert_int_equal(tcpfsm_flowtab_count(&t), 3000);
    tcpfsm_flowtab_free(&t);
    assert_int_equal(tcpfsm_flowtab_count(&t), 0);
    assert_null(tcpfsm_flowtab_find_u64(&t, 1));
}

typedef struct item {
    int v;
    tcpfsm_link link;
} item;

static void list_order(void **state)
{
    (void)state;
    item it[4];
    tcpfsm_list l = {NULL, NULL};
    for (int i = 0; i < 4; i++) {
        it[i].v = i;
        it[i].link.prev = it[i].link.next = NULL;
        assert_false(tcpfsm_list_linked(&l, &it[i].link));
        tcpfsm_list_append(&l, &it[i].link);
        assert_true(tcpfsm_list_linked(&l, &it[i].link));
    }
    tcpfsm_list_to_tail(&l, &it[0].link); /* 1 2 3 0 */
    tcpfsm_list_unlink(&l, &it[2].link);  /* 1 3 0 */
    assert_false(tcpfsm_list_linked(&l, &it[2].link));
    int want[] = {1, 3, 0}, n = 0;
    for (tcpfsm_link *k = l.head; k; k = k->next)
        assert_int_equal(TCPFSM_CONTAINER_OF(k, item, link)->v, want[n++]);
    assert_int_equal(n, 3);
    assert_ptr_equal(l.tail, &it[0].link);
}

typedef struct timer {
    double at;
    uint64_t serial;
} timer;

static bool timer_less(const void *a, const void *b)
{
    const timer *x = a, *y = b;
    return x->at < y->at || (x->at == y->at && x->serial < y->serial);
}

static bool keep_even(const void *a, void *user)
{
    (void)user;
    return ((const timer *)a)->serial % 2 == 0;
}

static void heap_order(void **state)
{
    (void)state;
    tcpfsm_heap h;
    tcpfsm_heap_init(&h, sizeof(timer), timer_less);
    uint32_t seed = 7;
    for (uint64_t i = 0; i < 1000; i++) {
        seed = seed * 1103515245u + 12345u;
        timer t = {(double)((seed >> 8) % 50), i};
        assert_true(tcpfsm_heap_push(&h, &t));
    }
    tcpfsm_heap_filter(&h, keep_even, NULL);
    assert_int_equal(h.len, 500);
    timer prev = {-1, 0}, t;
    while (tcpfsm_heap_top(&h)) {
        tcpfsm_heap_pop(&h, &t);
        assert_true(t.serial % 2 == 0);
        assert_true(timer_less(&prev, &t)); /* (at, serial) ascending */
        prev = t;
    }
    tcpfsm_heap_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_is_canonical),
        cmocka_unit_test(table_matches_reference),
        cmocka_unit_test(owner_table),
        cmocka_unit_test(list_order),
        cmocka_unit_test(heap_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
