/* flowtab.c - see flowtab.h */
#include "flowtab.h"

#include <stdlib.h>

char tcpfsm_flowtab_tomb_;

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
    /* whole pointers: a free record holds the next free one */
    t->rec_size = (rec_size + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
}

void tcpfsm_flowtab_free(tcpfsm_flowtab *t)
{
    for (size_t i = 0; i < t->nchunks; i++)
        free(t->chunks[i]);
    free(t->chunks);
    free(t->slots);
    tcpfsm_flowtab_init_owner(t, t->key_off, t->key_size, t->rec_size);
}

#define CHUNK_RECORDS 1024

static void *rec_alloc(tcpfsm_flowtab *t)
{
    void *rec = t->free_recs;
    if (rec) {
        memcpy(&t->free_recs, rec, sizeof(void *));
    } else {
        if (!t->nchunks || t->chunk_used == CHUNK_RECORDS) {
            unsigned char **nc = realloc(t->chunks, (t->nchunks + 1) * sizeof *nc);
            if (!nc)
                return NULL;
            t->chunks = nc;
            if (!(nc[t->nchunks] = malloc(CHUNK_RECORDS * t->rec_size)))
                return NULL;
            t->nchunks++;
            t->chunk_used = 0;
        }
        rec = t->chunks[t->nchunks - 1] + t->chunk_used++ * t->rec_size;
    }
    memset(rec, 0, t->rec_size);
    return rec;
}

/* a new array of n slots (a power of two) holding the live records */
static bool rebuild(tcpfsm_flowtab *t, size_t n)
{
    tcpfsm_flowslot *ns = calloc(n, sizeof *ns);
    if (!ns)
        return false;
    for (size_t i = 0; t->slots && i <= t->mask; i++) {
        tcpfsm_flowslot s = t->slots[i];
        if (!s.rec || s.rec == TCPFSM_FLOWTAB_TOMB)
            continue;
        size_t j = s.hash & (n - 1);
        while (ns[j].rec)
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

bool tcpfsm_flowtab_insert(tcpfsm_flowtab *t, void *rec, uint32_t hash)
{
    if (!reserve(t))
        return false;
    size_t i = hash & t->mask;
    while (t->slots[i].rec && t->slots[i].rec != TCPFSM_FLOWTAB_TOMB)
        i = (i + 1) & t->mask;
    if (t->slots[i].rec == TCPFSM_FLOWTAB_TOMB)
        t->tombs--;
    t->slots[i].hash = hash;
    t->slots[i].rec = rec;
    t->live++;
    return true;
}

void *tcpfsm_flowtab_add_new(tcpfsm_flowtab *t, const void *key,
                             uint32_t hash)
{
    char *rec = rec_alloc(t);
    if (!rec)
        return NULL;
    memcpy(rec + t->key_off, key, t->key_size);
    if (!tcpfsm_flowtab_insert(t, rec, hash)) {
        memcpy(rec, &t->free_recs, sizeof(void *));
        t->free_recs = rec;
        return NULL;
    }
    return rec;
}

void tcpfsm_flowtab_delete(tcpfsm_flowtab *t, void *rec, uint32_t hash)
{
    tcpfsm_flowtab_remove(t, rec, hash);
    memcpy(rec, &t->free_recs, sizeof(void *));
    t->free_recs = rec;
}

static tcpfsm_flowslot *slot_of(const tcpfsm_flowtab *t, const void *key,
                                uint32_t hash)
{
    return tcpfsm_flowtab_slot_(t, key, hash,
                                t->key_size == sizeof(uint64_t)
                                    ? tcpfsm_u64_eq_
                                    : tcpfsm_flowkey_eq_);
}

bool tcpfsm_flowtab_remove(tcpfsm_flowtab *t, const void *rec, uint32_t hash)
{
    tcpfsm_flowslot *s = slot_of(t, (const char *)rec + t->key_off, hash);
    if (!s || s->rec != rec)
        return false;
    s->rec = TCPFSM_FLOWTAB_TOMB;
    t->live--;
    t->tombs++;
    /* a tombstone before an empty slot ends no probe: empty it */
    size_t i = (size_t)(s - t->slots);
    while (t->slots[(i + 1) & t->mask].rec == NULL &&
           t->slots[i].rec == TCPFSM_FLOWTAB_TOMB) {
        t->slots[i].rec = NULL;
        t->tombs--;
        i = (i - 1) & t->mask;
    }
    return true;
}

bool tcpfsm_flowtab_replace(tcpfsm_flowtab *t, void *rec, uint32_t hash,
                            void **old)
{
    tcpfsm_flowslot *s = slot_of(t, (const char *)rec + t->key_off, hash);
    if (old)
        *old = s ? s->rec : NULL;
    if (s) {
        s->rec = rec;
        return true;
    }
    return tcpfsm_flowtab_insert(t, rec, hash);
}

void *tcpfsm_flowtab_next(const tcpfsm_flowtab *t, size_t *i)
{
    for (; t->slots && *i <= t->mask; (*i)++) {
        void *r = t->slots[*i].rec;
        if (r && r != TCPFSM_FLOWTAB_TOMB) {
            (*i)++;
            return r;
        }
    }
    return NULL;
}
