/* flowtab.h - one connection-table toolkit: the canonical 4-tuple key
 * and its hash, and one open-addressing table (the engine's connection
 * table, the Zeek session table and pcapsrc's conversation table use
 * them; list.h and heap.h hold the list and the heap).
 *
 * The key is the same in both directions: the (address, port) end that
 * sorts first - by address family, then address bytes, then port - is
 * `a`.  Unused bytes are zero, so keys compare and hash as bytes.
 *
 * The table refers to records the caller owns, or owns them itself
 * (tcpfsm_flowtab_init_owner); each record embeds its key at key_off: a
 * tcpfsm_flowkey, a uint64_t or 16 bytes (key_size), so the same table
 * serves 4-tuples, compact IPv4 4-tuples and numbers (ids, stream keys).  Linear probing in a
 * power-of-two array of 8-byte {hash, record number} slots; a removed
 * record leaves a tombstone that later inserts reuse, and the array is
 * rebuilt when records and tombstones fill three quarters of it. */
#ifndef TCPFSM_FLOWTAB_H
#define TCPFSM_FLOWTAB_H

#include "tcpfsm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* 40 bytes: compared and hashed as five 64-bit words */
typedef struct tcpfsm_flowkey {
    uint8_t fam_a, fam_b; /* 4 or 6 */
    uint16_t pa, pb;
    uint8_t pad[2];       /* zero: the key is hashed as five words */
    uint8_t a[16], b[16];
} tcpfsm_flowkey;

/* Fills *k for a segment from src:sport to dst:dport; returns 0 when the
 * sender (src) is the key's `a` end, 1 when it is `b`. */
int tcpfsm_flowkey_make(tcpfsm_flowkey *k, const tcpfsm_addr *src,
                        uint16_t sport, const tcpfsm_addr *dst,
                        uint16_t dport);

/* Two addresses equal (family and its bytes), without a memcmp call:
 * one 32-bit compare for IPv4, two 64-bit ones for IPv6. */
static inline bool tcpfsm_addr_same(const tcpfsm_addr *x, const tcpfsm_addr *y)
{
    if (x->family != y->family)
        return false;
    if (x->family == 4) {
        uint32_t a, b;
        memcpy(&a, x->bytes, 4);
        memcpy(&b, y->bytes, 4);
        return a == b;
    }
    uint64_t a[2], b[2];
    memcpy(a, x->bytes, 16);
    memcpy(b, y->bytes, 16);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

/* A 32-bit hash of size bytes (word at a time; any key of the table). */
static inline uint32_t tcpfsm_hash_bytes(const void *p, size_t size)
{
    const uint8_t *b = (const uint8_t *)p;
    uint64_t h = 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    for (; i < size; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    h ^= h >> 32;
    return (uint32_t)h;
}

static inline uint32_t tcpfsm_flowkey_hash(const tcpfsm_flowkey *k)
{
    return tcpfsm_hash_bytes(k, sizeof *k);
}

static inline uint32_t tcpfsm_u64_hash(uint64_t v)
{
    v *= 0x9e3779b97f4a7c15ull;
    return (uint32_t)(v >> 32);
}

/* 8 bytes a slot: the hash and a reference to the record (0 empty, 1
 * removed, else 2 + the record's number: its place in the owner table's
 * chunks, or in the directory of record pointers of a table that does
 * not own its records) */
typedef struct tcpfsm_flowslot {
    uint32_t hash;
    uint32_t ref;
} tcpfsm_flowslot;

#define TCPFSM_FLOWTAB_EMPTY 0u
#define TCPFSM_FLOWTAB_TOMB 1u
#define TCPFSM_FLOWTAB_CHUNK_BITS 10 /* 1024 records a chunk */

typedef struct tcpfsm_flowtab {
    tcpfsm_flowslot *slots;
    size_t mask;       /* slots - 1; 0 with no array yet */
    size_t live, tombs;
    size_t key_off, key_size;
    /* records the table owns (tcpfsm_flowtab_init_owner): allocated in
     * chunks (no allocator header per record, addresses never move),
     * deleted ones reused first; rec_size 0: the caller owns them and
     * dir holds their addresses */
    size_t rec_size;
    unsigned char **chunks;
    uint32_t nchunks, chunk_used;
    void **dir;
    uint32_t ndir, dir_cap;
    uint32_t free_num; /* 1 + the first reusable number, 0 none */
} tcpfsm_flowtab;

void tcpfsm_flowtab_init(tcpfsm_flowtab *t, size_t key_off, size_t key_size);
/* A table that also owns its records, of rec_size bytes each (made by
 * tcpfsm_flowtab_add_new, released by tcpfsm_flowtab_delete). */
void tcpfsm_flowtab_init_owner(tcpfsm_flowtab *t, size_t key_off,
                               size_t key_size, size_t rec_size);
/* The slots; with an owner table, every record too. */
void tcpfsm_flowtab_free(tcpfsm_flowtab *t);

/* the record a slot's ref (>= 2) names */
static inline void *tcpfsm_flowtab_rec_(const tcpfsm_flowtab *t, uint32_t ref)
{
    uint32_t n = ref - 2;
    if (!t->rec_size)
        return t->dir[n];
    return t->chunks[n >> TCPFSM_FLOWTAB_CHUNK_BITS] +
           (size_t)(n & ((1u << TCPFSM_FLOWTAB_CHUNK_BITS) - 1)) * t->rec_size;
}

/* The slot of the record whose key equals *key, or NULL.  eq compares a
 * record's key with *key; the typed finds below give it inline. */
static inline tcpfsm_flowslot *
tcpfsm_flowtab_slot_(const tcpfsm_flowtab *t, const void *key, uint32_t hash,
                     bool (*eq)(const void *reckey, const void *key))
{
    if (!t->slots)
        return NULL;
    for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
        tcpfsm_flowslot *s = &t->slots[i];
        if (s->ref == TCPFSM_FLOWTAB_EMPTY)
            return NULL;
        if (s->hash == hash && s->ref != TCPFSM_FLOWTAB_TOMB &&
            eq((const char *)tcpfsm_flowtab_rec_(t, s->ref) + t->key_off, key))
            return s;
    }
}

/* word-by-word equality (a call to memcmp was 5% of a run) */
static inline bool tcpfsm_flowkey_eq_(const void *x, const void *y)
{
    uint64_t a[5], b[5];
    memcpy(a, x, sizeof a);
    memcpy(b, y, sizeof b);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) |
            (a[4] ^ b[4])) == 0;
}

static inline bool tcpfsm_u64_eq_(const void *x, const void *y)
{
    uint64_t a, b;
    memcpy(&a, x, 8);
    memcpy(&b, y, 8);
    return a == b;
}

/* a 16-byte key (an IPv4 4-tuple and padding) */
static inline bool tcpfsm_key16_eq_(const void *x, const void *y)
{
    uint64_t a[2], b[2];
    memcpy(a, x, sizeof a);
    memcpy(b, y, sizeof b);
    return ((a[0] ^ b[0]) | (a[1] ^ b[1])) == 0;
}

/* the record whose key equals *key, or NULL: a table of 4-tuples, a
 * table of 64-bit numbers */
static inline void *tcpfsm_flowtab_find(const tcpfsm_flowtab *t,
                                        const tcpfsm_flowkey *key,
                                        uint32_t hash)
{
    tcpfsm_flowslot *s = tcpfsm_flowtab_slot_(t, key, hash, tcpfsm_flowkey_eq_);
    return s ? tcpfsm_flowtab_rec_(t, s->ref) : NULL;
}

static inline void *tcpfsm_flowtab_find_u64(const tcpfsm_flowtab *t,
                                            uint64_t key)
{
    tcpfsm_flowslot *s = tcpfsm_flowtab_slot_(t, &key, tcpfsm_u64_hash(key),
                                              tcpfsm_u64_eq_);
    return s ? tcpfsm_flowtab_rec_(t, s->ref) : NULL;
}

/* the record whose 16-byte key (key_size 16) equals *key, or NULL */
static inline void *tcpfsm_flowtab_find16(const tcpfsm_flowtab *t,
                                          const void *key, uint32_t hash)
{
    tcpfsm_flowslot *s = tcpfsm_flowtab_slot_(t, key, hash, tcpfsm_key16_eq_);
    return s ? tcpfsm_flowtab_rec_(t, s->ref) : NULL;
}

/* Adds rec (its key must not be in the table) to a table that does not
 * own its records; false when out of memory. */
bool tcpfsm_flowtab_insert(tcpfsm_flowtab *t, void *rec, uint32_t hash);
/* Owner tables: a new zeroed record holding *key, added (the key must
 * not be in the table); NULL when out of memory.  _delete removes a
 * record and gives its memory back to the table. */
void *tcpfsm_flowtab_add_new(tcpfsm_flowtab *t, const void *key,
                             uint32_t hash);
void tcpfsm_flowtab_delete(tcpfsm_flowtab *t, void *rec, uint32_t hash);
/* Removes rec (looked up by its key and pointer); false if absent. */
bool tcpfsm_flowtab_remove(tcpfsm_flowtab *t, const void *rec, uint32_t hash);
/* Puts rec where the record with the same key is, or adds it; *old (may
 * be NULL) gets the record it replaced or NULL.  false when out of
 * memory (the table is unchanged). */
bool tcpfsm_flowtab_replace(tcpfsm_flowtab *t, void *rec, uint32_t hash,
                            void **old);

static inline size_t tcpfsm_flowtab_count(const tcpfsm_flowtab *t)
{
    return t->live;
}

/* Owner tables: how many record numbers were handed out, and the memory
 * of number n (< that count; a deleted record's memory is the table's:
 * its first 4 bytes hold a free-list link, the rest what was there) -
 * for a caller that walks the records by number (a clock). */
static inline uint32_t tcpfsm_flowtab_numbers(const tcpfsm_flowtab *t)
{
    return t->nchunks ? (t->nchunks - 1) * (1u << TCPFSM_FLOWTAB_CHUNK_BITS) +
                            t->chunk_used
                      : 0;
}
static inline void *tcpfsm_flowtab_record(const tcpfsm_flowtab *t, uint32_t n)
{
    return tcpfsm_flowtab_rec_(t, n + 2);
}

/* Every record, in no particular order: for (i = 0; (rec =
 * tcpfsm_flowtab_next(t, &i));) ... */
void *tcpfsm_flowtab_next(const tcpfsm_flowtab *t, size_t *i);

_Static_assert(sizeof(tcpfsm_flowkey) == 40, "five words");

#endif
