/* pcap_conv.c - Wireshark's TCP conversations for the direct reader:
 * tcp.stream numbering (a new 4-tuple, or a SYN with another sequence
 * number on a known one, takes the next number) and the window scale
 * each direction learned (pcap_decode.c dis_tcp).  A canonical 4-tuple
 * (engine/flowtab.h) in one open-addressing table; at most
 * PCAPSRC_MAX_CONVS, the least recently used one forgotten beyond that.
 */
#include "pcapsrc_int.h"

/* ------------------------------------------------------------------ */
/* conversation table                                                  */

void pcs_conv_init(conv_table *t)
{
    memset(t, 0, sizeof *t);
    t->max = PCAPSRC_MAX_CONVS;
    tcpfsm_flowtab_init_owner(&t->by_key, offsetof(conv, key),
                              sizeof(tcpfsm_flowkey), sizeof(conv));
}

void pcs_conv_free(conv_table *t)
{
    tcpfsm_flowtab_free(&t->by_key); /* and the conversations */
    memset(t, 0, sizeof *t);
}

static void conv_remove(conv_table *t, conv *c)
{
    tcpfsm_list_unlink(&t->lru, &c->lru);
    t->count--;
    tcpfsm_flowtab_delete(&t->by_key, c, tcpfsm_flowkey_hash(&c->key));
}

conv *pcs_conv_get(conv_table *t, const tcpfsm_addr *src, uint16_t sport,
                   const tcpfsm_addr *dst, uint16_t dport, int *dir)
{
    tcpfsm_flowkey k;
    *dir = 1 - tcpfsm_flowkey_make(&k, src, sport, dst, dport);
    uint32_t h = tcpfsm_flowkey_hash(&k);
    conv *c = tcpfsm_flowtab_find(&t->by_key, &k, h);
    if (c) {
        tcpfsm_list_to_tail(&t->lru, &c->lru);
        return c;
    }
    /* new conversation; beyond the cap the least recently used goes */
    if (t->count >= t->max && t->lru.head)
        conv_remove(t, TCPFSM_CONTAINER_OF(t->lru.head, conv, lru));
    c = tcpfsm_flowtab_add_new(&t->by_key, &k, h);
    if (!c)
        return NULL;
    c->f[0].win_scale = c->f[1].win_scale = WS_UNKNOWN;
    c->stream = t->next_stream++;
    tcpfsm_list_append(&t->lru, &c->lru);
    t->count++;
    return c;
}
