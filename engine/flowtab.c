/* flowtab.c - see flowtab.h */
#include "flowtab.h"

#include <stdlib.h>


int tcpfsm_flowkey_make(tcpfsm_flowkey *k, const tcpfsm_addr *src,
                        uint16_t sport, const tcpfsm_addr *dst,
                        uint16_t dport)
{
    memset(k, 0, sizeof *k);
    int c = (src->family > dst->family) - (src->family < dst->family);
    if (c == 0 && src->family == 4) {
        /* big-endian words compare as memcmp does */
        uint32_t x = (uint32_t)src->bytes[0] << 24 | (uint32_t)src->bytes[1] << 16 |
                     (uint32_t)src->bytes[2] << 8 | src->bytes[3];
        uint32_t y = (uint32_t)dst->bytes[0] << 24 | (uint32_t)dst->bytes[1] << 16 |
                     (uint32_t)dst->bytes[2] << 8 | dst->bytes[3];
        c = (x > y) - (x < y);
    } else if (c == 0) {
        c = memcmp(src->bytes, dst->bytes, 16);
    }
    if (c == 0)
        c = sport > dport;
    const tcpfsm_addr *lo = c <= 0 ? src : dst, *hi = c <= 0 ? dst : src;
    k->fam_a = lo->family;
    k->fam_b = hi->family;
    memcpy(k->a, lo->bytes, lo->family == 4 ? 4 : 16);
    memcpy(k->b, hi->bytes, hi->family == 4 ? 4 : 16);
    k->pa = c <= 0 ? sport : dport;
    k->pb = c <= 0 ? dport : sport;
    return c <= 0 ? 0 : 1;
}

void tcpfsm_flowtab_init(tcpfsm_flowtab *t, size_t key_off, size_t key_size)
{
    memset(t, 0, sizeof *t);
    t->key_off = key_off;
    t->key_size = key_size;
}

void tcpfsm_flowtab_init_owner(tcpfsm_flowtab *t, size_t key_off,
                               size_t key_size, size_t rec_size)
{
    tcpfsm_flowtab_init(t, key_off, key_size);
    /* a free record holds the next free number */
    t->rec_size = rec_size < sizeof(uint32_t) ? sizeof(uint32_t) : rec_size;
}

void tcpfsm_flowtab_free(tcpfsm_flowtab *t)
{
    for (uint32_t i = 0; i < t->nchunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->dir);
    free(t->slots);
    size_t rec_size = t->rec_size;
    tcpfsm_flowtab_init(t, t->key_off, t->key_size);
    t->rec_size = rec_size;
}

/* ---- record numbers ---- */

#define CHUNK_RECORDS (1u << TCPFSM_FLOWTAB_CHUNK_BITS)

/* a free number's successor: in the free record (owner) or in dir */
static uint32_t next_free(const tcpfsm_flowtab *t, uint32_t n)
{
    uint32_t next;
    if (t->rec_size)
        memcpy(&next, tcpfsm_flowtab_rec_(t, n + 2), sizeof next);
    else
        next = (uint32_t)(uintptr_t)t->dir[n];
    return next;
}

static void put_free(tcpfsm_flowtab *t, uint32_t n)
{
    if (t->rec_size)
        memcpy(tcpfsm_flowtab_rec_(t, n + 2), &t->free_num, sizeof t->free_num);
    else
        t->dir[n] = (void *)(uintptr_t)t->free_num;
    t->free_num = n + 1;
}

/* a number for a new record: a reused one, else the next; UINT32_MAX
 * when out of memory */
static uint32_t take_number(tcpfsm_flowtab *t)
{
    if (t->free_num) {
        uint32_t n = t->free_num - 1;
        t->free_num = next_free(t, n);
        return n;
    }
    if (t->rec_size) {
        if (!t->nchunks || t->chunk_used == CHUNK_RECORDS) {
            if (t->nchunks >= (UINT32_MAX - 2) / CHUNK_RECORDS)
                return UINT32_MAX;
            unsigned char **nc = realloc(t->chunks, (t->nchunks + 1) * sizeof *nc);
            if (!nc)
                return UINT32_MAX;
            t->chunks = nc;
            if (!(nc[t->nchunks] = malloc(CHUNK_RECORDS * t->rec_size)))
                return UINT32_MAX;
            t->nchunks++;
            t->chunk_used = 0;
        }
        return (t->nchunks - 1) * CHUNK_RECORDS + t->chunk_used++;
    }
    if (t->ndir == t->dir_cap) {
        uint32_t nc = t->dir_cap ? t->dir_cap * 2 : 64;
        void **nd = nc > t->dir_cap ? realloc(t->dir, (size_t)nc * sizeof *nd) : NULL;
        if (!nd)
            return UINT32_MAX;
        t->dir = nd;
        t->dir_cap = nc;
    }
    return t->ndir++;
}

/* ---- slots ---- */

/* a new array of n slots (a power of two) holding the live records */
static bool rebuild(tcpfsm_flowtab *t, size_t n)
{
    tcpfsm_flowslot *ns = calloc(n, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; t->slots && i <= t->mask; i++) {
        tcpfsm_flowslot s = t->slots[i];
        if (s.ref < 2)
            continue;
        size_t j = s.hash & (n - 1);
        while (ns[j].ref)
            j = (j + 1) & (n - 1);
        ns[j] = s;
    }
    free(t->slots);
    t->slots = ns;
    t->mask = n - 1;
    t->tombs = 0;
    return true;
}

/* room for one more record: at most 3/4 of the slots used */
static bool reserve(tcpfsm_flowtab *t)
{
    size_t n = t->slots ? t->mask + 1 : 0;
    if ((t->live + t->tombs + 1) * 4 <= n * 3)
        return true;
    size_t want = 64;
    while ((t->live + 1) * 2 > want) /* at most half full after */
        want *= 2;
    return rebuild(t, want > n ? want : n);
}

/* puts record number num in a free slot for hash (room reserved) */
static void place(tcpfsm_flowtab *t, uint32_t num, uint32_t hash)
{
    size_t i = hash & t->mask;
    while (t->slots[i].ref >= 2)
        i = (i + 1) & t->mask;
    if (t->slots[i].ref == TCPFSM_FLOWTAB_TOMB)
        t->tombs--;
    t->slots[i].hash = hash;
    t->slots[i].ref = num + 2;
    t->live++;
}

bool tcpfsm_flowtab_insert(tcpfsm_flowtab *t, void *rec, uint32_t hash)
{
    if (t->rec_size || !reserve(t)) /* an owner table: add_new */
        return false;
    uint32_t n = take_number(t);
    if (n == UINT32_MAX)
        return false;
    t->dir[n] = rec;
    place(t, n, hash);
    return true;
}

void *tcpfsm_flowtab_add_new(tcpfsm_flowtab *t, const void *key,
                             uint32_t hash)
{
    if (!reserve(t))
        return NULL;
    uint32_t n = take_number(t);
    if (n == UINT32_MAX)
        return NULL;
    char *rec = tcpfsm_flowtab_rec_(t, n + 2);
    memset(rec, 0, t->rec_size);
    memcpy(rec + t->key_off, key, t->key_size);
    place(t, n, hash);
    return rec;
}

static tcpfsm_flowslot *slot_of(const tcpfsm_flowtab *t, const void *key,
                                uint32_t hash)
{
    return tcpfsm_flowtab_slot_(t, key, hash,
                                t->key_size == sizeof(uint64_t) ? tcpfsm_u64_eq_
                                : t->key_size == 16             ? tcpfsm_key16_eq_
                                                                : tcpfsm_flowkey_eq_);
}

/* the slot holding rec itself (not only a record with its key) */
static tcpfsm_flowslot *slot_of_rec(const tcpfsm_flowtab *t, const void *rec,
                                    uint32_t hash)
{
    tcpfsm_flowslot *s = slot_of(t, (const char *)rec + t->key_off, hash);
    return s && tcpfsm_flowtab_rec_(t, s->ref) == rec ? s : NULL;
}

static void clear_slot(tcpfsm_flowtab *t, tcpfsm_flowslot *s)
{
    put_free(t, s->ref - 2);
    s->ref = TCPFSM_FLOWTAB_TOMB;
    t->live--;
    t->tombs++;
    /* a tombstone before an empty slot ends no probe: empty it */
    size_t i = (size_t)(s - t->slots);
    while (t->slots[(i + 1) & t->mask].ref == TCPFSM_FLOWTAB_EMPTY &&
           t->slots[i].ref == TCPFSM_FLOWTAB_TOMB) {
        t->slots[i].ref = TCPFSM_FLOWTAB_EMPTY;
        t->tombs--;
        i = (i - 1) & t->mask;
    }
}

bool tcpfsm_flowtab_remove(tcpfsm_flowtab *t, const void *rec, uint32_t hash)
{
    tcpfsm_flowslot *s = slot_of_rec(t, rec, hash);
    if (!s)
        return false;
    clear_slot(t, s);
    return true;
}

void tcpfsm_flowtab_delete(tcpfsm_flowtab *t, void *rec, uint32_t hash)
{
    tcpfsm_flowtab_remove(t, rec, hash);
}

bool tcpfsm_flowtab_replace(tcpfsm_flowtab *t, void *rec, uint32_t hash,
                            void **old)
{
    tcpfsm_flowslot *s = slot_of(t, (const char *)rec + t->key_off, hash);
    if (old)
        *old = s ? tcpfsm_flowtab_rec_(t, s->ref) : NULL;
    if (s) {
        t->dir[s->ref - 2] = rec; /* not an owner table */
        return true;
    }
    return tcpfsm_flowtab_insert(t, rec, hash);
}

void *tcpfsm_flowtab_next(const tcpfsm_flowtab *t, size_t *i)
{
    for (; t->slots && *i <= t->mask; (*i)++) {
        uint32_t ref = t->slots[*i].ref;
        if (ref >= 2) {
            (*i)++;
            return tcpfsm_flowtab_rec_(t, ref);
        }
    }
    return NULL;
}
