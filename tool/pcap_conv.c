/* pcap_conv.c - Wireshark's TCP conversations for the direct reader:
 * tcp.stream numbering (a new 4-tuple, or a SYN with another sequence
 * number on a known one, takes the next number) and the window scale
 * each direction learned (pcap_decode.c dis_tcp).
 *
 * Wireshark never forgets a 4-tuple, so neither does this table (up to
 * PCAPSRC_MAX_CONVS): every record is the 16-byte state a later packet
 * of the 4-tuple needs (conv).  IPv4 4-tuples are keyed by 12 bytes, in
 * 32-byte records (a million sequential connections: 32 MB of records
 * and 16 MB of slots); the rest by the 40-byte tcpfsm_flowkey (56).  Both
 * are open-addressing tables of the engine's toolkit (flowtab.h).
 *
 * Beyond PCAPSRC_MAX_CONVS a conversation is forgotten to make room,
 * chosen by a clock (second chance): records are visited in number
 * order, one used since the last visit (CONV_REF, set on each packet) is
 * spared once.  That approximates least-recently-used without the
 * per-packet list moves an exact order costs (two more cache misses a
 * packet).
 */
#include "pcapsrc_int.h"

void pcs_conv_init(conv_table *t)
{
    memset(t, 0, sizeof *t);
    t->max = PCAPSRC_MAX_CONVS;
    tcpfsm_flowtab_init_owner(&t->v4, offsetof(conv4, key), sizeof(conv_key4),
                              sizeof(conv4));
    tcpfsm_flowtab_init_owner(&t->v6, offsetof(conv6, key), sizeof(tcpfsm_flowkey),
                              sizeof(conv6));
}

void pcs_conv_free(conv_table *t)
{
    tcpfsm_flowtab_free(&t->v4); /* and the conversations */
    tcpfsm_flowtab_free(&t->v6);
    memset(t, 0, sizeof *t);
}

/* forgets one conversation of ft (which holds at least one): the clock */
static void evict_one(conv_table *t, tcpfsm_flowtab *ft, uint32_t *hand,
                      size_t conv_off)
{
    uint32_t n = tcpfsm_flowtab_numbers(ft);
    for (;;) {
        if (*hand >= n)
            *hand = 0;
        unsigned char *rec = tcpfsm_flowtab_record(ft, (*hand)++);
        conv *c = (conv *)(rec + conv_off);
        if (!(c->flags & CONV_LIVE))
            continue;
        if (c->flags & CONV_REF) {
            c->flags &= (uint8_t)~CONV_REF;
            continue;
        }
        c->flags = 0;
        t->count--;
        tcpfsm_flowtab_delete(ft, rec, tcpfsm_hash_bytes(rec + ft->key_off,
                                                         ft->key_size));
        return;
    }
}

/* room for one more conversation in ft: beyond the cap one goes, from
 * ft if it holds any, else from the other table */
static void make_room(conv_table *t, tcpfsm_flowtab *ft)
{
    if (t->count < t->max)
        return;
    bool v4 = ft == &t->v4;
    if (!tcpfsm_flowtab_count(ft))
        v4 = !v4;
    if (!tcpfsm_flowtab_count(v4 ? &t->v4 : &t->v6))
        return;
    if (v4)
        evict_one(t, &t->v4, &t->hand4, offsetof(conv4, c));
    else
        evict_one(t, &t->v6, &t->hand6, offsetof(conv6, c));
}

static void conv_start(conv_table *t, conv *c)
{
    c->win_scale[0] = c->win_scale[1] = WS_UNKNOWN;
    c->stream = t->next_stream++;
    c->flags = CONV_LIVE | CONV_REF;
    t->count++;
}

void pcs_conv_restart(conv_table *t, conv *c)
{
    c->base_seq[0] = c->base_seq[1] = 0;
    c->win_scale[0] = c->win_scale[1] = WS_UNKNOWN;
    c->stream = t->next_stream++;
    c->flags &= CONV_LIVE | CONV_REF;
}

conv *pcs_conv_get(conv_table *t, const tcpfsm_addr *src, uint16_t sport,
                   const tcpfsm_addr *dst, uint16_t dport, int *dir)
{
    if (src->family == 4 && dst->family == 4) {
        /* the order of tcpfsm_flowkey_make: address bytes, then port */
        uint32_t x = (uint32_t)src->bytes[0] << 24 | (uint32_t)src->bytes[1] << 16 |
                     (uint32_t)src->bytes[2] << 8 | src->bytes[3];
        uint32_t y = (uint32_t)dst->bytes[0] << 24 | (uint32_t)dst->bytes[1] << 16 |
                     (uint32_t)dst->bytes[2] << 8 | dst->bytes[3];
        bool swap = x > y || (x == y && sport > dport);
        conv_key4 k;
        memcpy(k.a, swap ? dst->bytes : src->bytes, 4);
        memcpy(k.b, swap ? src->bytes : dst->bytes, 4);
        k.pa = swap ? dport : sport;
        k.pb = swap ? sport : dport;
        k.zero = 0;
        *dir = swap ? 0 : 1;
        uint32_t h = tcpfsm_hash_bytes(&k, sizeof k);
        conv4 *r = tcpfsm_flowtab_find16(&t->v4, &k, h);
        if (r) {
            r->c.flags |= CONV_REF;
            return &r->c;
        }
        make_room(t, &t->v4);
        if (!(r = tcpfsm_flowtab_add_new(&t->v4, &k, h)))
            return NULL;
        conv_start(t, &r->c);
        return &r->c;
    }
    tcpfsm_flowkey k;
    *dir = 1 - tcpfsm_flowkey_make(&k, src, sport, dst, dport);
    uint32_t h = tcpfsm_flowkey_hash(&k);
    conv6 *r = tcpfsm_flowtab_find(&t->v6, &k, h);
    if (r) {
        r->c.flags |= CONV_REF;
        return &r->c;
    }
    make_room(t, &t->v6);
    if (!(r = tcpfsm_flowtab_add_new(&t->v6, &k, h)))
        return NULL;
    conv_start(t, &r->c);
    return &r->c;
}
