/* pcap_reasm.c - IPv4 and IPv6 reassembly as Wireshark's reassemble.c
 * (fragment_add_check) does it with default preferences: fragments keyed
 * by addresses and id, the first copy of overlapping bytes wins, at most
 * PCAPSRC_MAX_FRAGS datagrams / PCAPSRC_MAX_FRAG_BYTES bytes in progress,
 * the oldest dropped first.
 */
#include "pcapsrc_int.h"

/* ------------------------------------------------------------------ */
/* reassembly                                                          */

/* forgets the datagram h: its fragments, its place in the table */
static void frag_destroy(frag_table *ft, frag_head *h)
{
    tcpfsm_list_unlink(&ft->age, &h->age);
    ft->count--;
    ft->bytes -= h->bytes;
    frag_item *it = h->items;
    while (it) {
        frag_item *n = it->next;
        free(it);
        it = n;
    }
    tcpfsm_flowtab_delete(&ft->by_key, h, tcpfsm_flowkey_hash(&h->key));
}

void pcs_frag_free_all(frag_table *ft)
{
    while (ft->age.head)
        frag_destroy(ft, TCPFSM_CONTAINER_OF(ft->age.head, frag_head, age));
    tcpfsm_flowtab_free(&ft->by_key);
    memset(ft, 0, sizeof *ft);
    tcpfsm_flowtab_init_owner(&ft->by_key, offsetof(frag_head, key),
                              sizeof(tcpfsm_flowkey), sizeof(frag_head));
}

uint8_t *pcs_frag_add(frag_table *ft, uint8_t table, const tcpfsm_addr *src,
                      const tcpfsm_addr *dst, uint32_t id, uint32_t off,
                      const uint8_t *data, uint32_t len, bool more,
                      uint32_t *outlen)
{
    uint8_t alen = table == 6 ? 16 : 4;
    tcpfsm_flowkey k;
    memset(&k, 0, sizeof k);
    k.fam_a = k.fam_b = table;
    memcpy(k.a, src->bytes, alen);
    memcpy(k.b, dst->bytes, alen);
    k.pa = (uint16_t)(id >> 16);
    k.pb = (uint16_t)id;
    uint32_t hash = tcpfsm_flowkey_hash(&k);
    frag_head *h = tcpfsm_flowtab_find(&ft->by_key, &k, hash);
    if (!h) {
        while (ft->age.head && (ft->count >= PCAPSRC_MAX_FRAGS ||
                                ft->bytes + len > PCAPSRC_MAX_FRAG_BYTES)) {
            frag_head *o = TCPFSM_CONTAINER_OF(ft->age.head, frag_head, age);
            frag_destroy(ft, o);
        }
        h = tcpfsm_flowtab_add_new(&ft->by_key, &k, hash);
        if (!h)
            return NULL;
        tcpfsm_list_append(&ft->age, &h->age);
        ft->count++;
    }
    if (!more && !h->datalen_set) {
        h->datalen = off + len;
        h->datalen_set = true;
    }
    frag_item *it = malloc(sizeof *it + len);
    if (!it)
        return NULL;
    it->off = off;
    it->len = len;
    memcpy(it->data, data, len);
    frag_item **pp = &h->items;
    while (*pp && !(off < (*pp)->off))
        pp = &(*pp)->next;
    it->next = *pp;
    *pp = it;
    h->bytes += len;
    ft->bytes += len;
    if (!h->datalen_set)
        return NULL;
    uint32_t max = 0;
    for (frag_item *i = h->items; i; i = i->next)
        if (i->off <= max && i->off + i->len > max)
            max = i->off + i->len;
    if (max < h->datalen)
        return NULL;
    uint8_t *buf = malloc(h->datalen ? h->datalen : 1);
    if (!buf)
        return NULL;
    uint32_t dfpos = 0;
    for (frag_item *i = h->items; i; i = i->next) {
        if (!i->len || i->off >= h->datalen)
            continue;
        uint32_t fraglen = i->len;
        if (i->off + fraglen > h->datalen)
            fraglen = h->datalen - i->off;
        uint32_t overlap = dfpos - i->off;
        if (i->off + fraglen > dfpos) {
            memcpy(buf + dfpos, i->data + overlap, fraglen - overlap);
            dfpos = i->off + fraglen;
        }
    }
    *outlen = h->datalen;
    frag_destroy(ft, h);
    return buf;
}
