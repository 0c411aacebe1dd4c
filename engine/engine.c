/* engine.c - the TCP state-machine rule engine.
 *
 * For each segment the engine decides which *transition inputs* the
 * segment carries for its sender (it sent a SYN, a FIN, an RST; its ack
 * shows it has received the peer's SYN or FIN) and for its receiver (its
 * SYN or FIN is acknowledged; it receives a SYN, a FIN, an acceptable
 * RST).  The state moves themselves are data: the two tables below,
 * commented with the RFC 9293 sections they come from.  The code only
 * decides which inputs a segment is, and which SPEC.md event labels it.
 */
#include "tcpfsm.h"
#include "messages.h"
#include "tcpfsm_lang.h"
#include "zeek.h"

#include <glib.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Transition tables                                                    */
/* ------------------------------------------------------------------ */

enum tx_input { TX_ACK_SYN, TX_ACK_FIN, TX_SYN, TX_FIN, TX_RST, TX_MAX };
enum rx_input { RX_ACK_SYN, RX_ACK_FIN, RX_SYN, RX_FIN, RX_RST, RX_MAX };
_Static_assert((int)TX_MAX == (int)RX_MAX, "both tables have five columns");

#define X_ 0 /* no move */
#define S_(s) TCPFSM_##s

/* Sender moves: what sending this segment (and what its ACK field shows
 * the sender had received) does to the sender. */
static const uint8_t send_table[TCPFSM_STATE_MAX][TX_MAX] = {
    /*                   ACK_SYN            ACK_FIN           SYN               FIN                RST */
    [S_(UNKNOWN)]      = {X_,              X_,               S_(SYN_SENT),     S_(FIN_WAIT_1),    S_(CLOSED)},
    [S_(CLOSED)]       = {X_,              X_,               S_(SYN_SENT),     X_,                S_(CLOSED)},
    /* 3.10.7.2: a SYN-ACK leaving a listener means a SYN arrived */
    [S_(LISTEN)]       = {X_,              X_,               S_(SYN_RECEIVED), X_,                S_(CLOSED)},
    /* 3.5 fig. 8: a SYN-SENT side that acknowledges the peer's SYN has
     * received it (simultaneous open) */
    [S_(SYN_SENT)]     = {S_(SYN_RECEIVED), X_,              X_,               S_(FIN_WAIT_1),    S_(CLOSED)},
    /* 3.10.4 CLOSE in SYN-RECEIVED: form a FIN, go FIN-WAIT-1 */
    [S_(SYN_RECEIVED)] = {X_,              X_,               X_,               S_(FIN_WAIT_1),    S_(CLOSED)},
    /* 3.10.4 CLOSE in ESTABLISHED -> FIN-WAIT-1; 3.6 receipt of FIN */
    [S_(ESTABLISHED)]  = {X_,              S_(CLOSE_WAIT),   X_,               S_(FIN_WAIT_1),    S_(CLOSED)},
    /* 3.6 fig. 13: FIN received in FIN-WAIT-1, own FIN not acked */
    [S_(FIN_WAIT_1)]   = {X_,              S_(CLOSING),      X_,               X_,                S_(CLOSED)},
    [S_(FIN_WAIT_2)]   = {X_,              S_(TIME_WAIT),    X_,               X_,                S_(CLOSED)},
    /* 3.10.4 CLOSE in CLOSE-WAIT -> LAST-ACK */
    [S_(CLOSE_WAIT)]   = {X_,              X_,               X_,               S_(LAST_ACK),      S_(CLOSED)},
    [S_(CLOSING)]      = {X_,              X_,               X_,               X_,                S_(CLOSED)},
    [S_(LAST_ACK)]     = {X_,              X_,               X_,               X_,                S_(CLOSED)},
    [S_(TIME_WAIT)]    = {X_,              X_,               X_,               X_,                S_(CLOSED)},
};

/* Receiver moves (3.10.7 SEGMENT ARRIVES), applied in column order: the
 * acknowledgement first, then SYN, FIN, RST. */
static const uint8_t recv_table[TCPFSM_STATE_MAX][RX_MAX] = {
    /*                   ACK_SYN           ACK_FIN          SYN               FIN              RST */
    [S_(UNKNOWN)]      = {X_,              X_,              X_,               S_(CLOSE_WAIT),  S_(CLOSED)},
    [S_(CLOSED)]       = {X_,              X_,              X_,               X_,              X_},
    /* 3.10.7.2 LISTEN: SYN -> SYN-RECEIVED; an RST is ignored */
    [S_(LISTEN)]       = {X_,              X_,              S_(SYN_RECEIVED), X_,              X_},
    /* 3.10.7.3 SYN-SENT: SYN+ACK acking our SYN -> ESTABLISHED; SYN
     * alone -> SYN-RECEIVED; acceptable RST -> CLOSED */
    [S_(SYN_SENT)]     = {S_(ESTABLISHED), X_,              S_(SYN_RECEIVED), X_,              S_(CLOSED)},
    /* 3.10.7.4 SYN-RECEIVED: acceptable ACK -> ESTABLISHED; RST on a
     * passive open returns to LISTEN (handled in code), else CLOSED */
    [S_(SYN_RECEIVED)] = {S_(ESTABLISHED), X_,              X_,               S_(CLOSE_WAIT),  S_(CLOSED)},
    [S_(ESTABLISHED)]  = {X_,              X_,              X_,               S_(CLOSE_WAIT),  S_(CLOSED)},
    /* 3.10.7.4 fifth check, FIN-WAIT-1: our FIN acked -> FIN-WAIT-2;
     * eighth check: FIN -> CLOSING (or TIME-WAIT if our FIN is acked,
     * reached through FIN-WAIT-2 by the column order) */
    [S_(FIN_WAIT_1)]   = {X_,              S_(FIN_WAIT_2),  X_,               S_(CLOSING),     S_(CLOSED)},
    [S_(FIN_WAIT_2)]   = {X_,              X_,              X_,               S_(TIME_WAIT),   S_(CLOSED)},
    [S_(CLOSE_WAIT)]   = {X_,              X_,              X_,               X_,              S_(CLOSED)},
    /* CLOSING: our FIN acked -> TIME-WAIT */
    [S_(CLOSING)]      = {X_,              S_(TIME_WAIT),   X_,               X_,              S_(CLOSED)},
    /* LAST-ACK: our FIN acked -> CLOSED */
    [S_(LAST_ACK)]     = {X_,              S_(CLOSED),      X_,               X_,              S_(CLOSED)},
    /* TIME-WAIT: an RST closes it (RFC 1337 protection off, as Linux) */
    [S_(TIME_WAIT)]    = {X_,              X_,              X_,               X_,              S_(CLOSED)},
};
#undef X_
#undef S_

/* Applies the inputs in column order, each from the state the previous
 * one reached. */
static bool bad_flags(uint16_t f);

static tcpfsm_state apply(const uint8_t table[][TX_MAX], tcpfsm_state st,
                          unsigned inputs)
{
    for (int i = 0; i < TX_MAX; i++)
        if ((inputs & (1u << i)) && table[st][i])
            st = (tcpfsm_state)table[st][i];
    return st;
}

/* ------------------------------------------------------------------ */
/* Connection records                                                   */
/* ------------------------------------------------------------------ */

typedef struct endpoint {
    tcpfsm_addr addr;
    uint16_t port;
    tcpfsm_state state;

    bool base_known; /* relative-sequence base, as Wireshark computes it */
    uint32_t base;

    bool isn_known;      /* a SYN (or the peer's SYN-ACK) showed the ISN */
    bool isn_from_synack; /* ISN inferred from the peer's SYN-ACK ack */
    uint32_t isn;
    bool syn_sent;       /* a SYN from this side was captured */
    bool synack_sent;
    uint64_t syn_frame;
    double syn_time;
    uint8_t syn_step_num, syn_step_of;
    tcpfsm_event syn_event;

    bool snd_valid;
    uint32_t snd_max; /* highest seq + len (+1 for SYN/FIN) sent */

    bool fin_sent;
    uint32_t fin_seq; /* sequence number of the FIN itself */
    uint64_t fin_frame;
    tcpfsm_event fin_event;
    uint8_t fin_step_num, fin_step_of;

    bool acked_peer_syn;
    bool acked_peer_fin;
    bool hs_checked; /* first ACK after the SYN-ACK already judged */

    bool ack_valid;
    uint32_t last_ack; /* highest ack sent: the receiver's RCV.NXT */
    bool win_valid;
    uint32_t window;

    uint64_t packets, bytes;
} endpoint;

typedef struct tuple_key {
    tcpfsm_addr a, b;
    uint16_t pa, pb;
} tuple_key;

typedef struct conn conn;
struct conn {
    uint64_t id;
    int64_t stream;
    int64_t key; /* by_stream key: the adapter's split key or tcp.stream */
    tuple_key tkey;
    endpoint ep[2]; /* [0] client, [1] server */

    bool midstream;
    bool synack_first; /* capture began with the SYN-ACK */
    bool sim_open;
    bool hs_done;   /* the handshake completed (3/3 or 4/4) */
    bool synack_ok; /* a SYN-ACK acknowledging the SYN was seen */
    bool refused;
    bool reset;     /* an acceptable RST ended it */
    bool rst_after_fins;
    bool client_more; /* the client sent more than SYNs and RSTs */
    int first_fin_side; /* -1 none */
    tcpfsm_close close;
    int sim_acks;   /* FIN-ACKs seen in a simultaneous close */
    uint64_t synack_frame;
    double synack_time, hsack_time;
    bool has_synack_time, has_hsack_time;

    uint64_t first_frame, last_frame;
    double first_time, last_time;
    bool has_time;
    uint32_t anomalies;
    tcpfsm_zeek_conn zeek; /* Zeek's own view of the same connection */

    bool finished;
    double finished_time;
    bool has_finished_time;

    conn *all_prev, *all_next;       /* creation order */
    conn *linger_prev, *linger_next; /* finished, oldest first */
    bool in_linger;
    conn *lru_prev, *lru_next; /* open (not finished), least recently
                                  active first */
    bool in_lru;
    bool evicted; /* released early by the max_open cap */
};

struct tcpfsm_engine {
    tcpfsm_config cfg;
    tcpfsm_zeek_opts zopts;
    GHashTable *by_stream; /* stream key (SKEY) -> conn */
    GHashTable *by_tuple;  /* tuple_key -> newest conn on that tuple */
    GHashTable *by_id;     /* conn id -> conn */
    conn *all_head, *all_tail;
    conn *linger_head, *linger_tail;
    conn *lru_head, *lru_tail;
    size_t n_conns, n_linger, n_open;
    uint64_t next_id;
    uint64_t evictions;
};

void tcpfsm_config_init(tcpfsm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->linger_seconds = 60.0;
    cfg->max_lingering = 10000;
    cfg->max_open = TCPFSM_DEFAULT_MAX_OPEN;
}

static bool addr_eq(const tcpfsm_addr *x, const tcpfsm_addr *y)
{
    return x->family == y->family &&
           memcmp(x->bytes, y->bytes, x->family == 4 ? 4 : 16) == 0;
}

static int addr_cmp(const tcpfsm_addr *x, const tcpfsm_addr *y)
{
    if (x->family != y->family)
        return x->family < y->family ? -1 : 1;
    return memcmp(x->bytes, y->bytes, 16);
}

/* The key's bytes 8 at a time (memcpy: no alignment assumed), each word
 * multiplied in; the byte-wise FNV it replaces was 2% of a run. */
/* by_stream keys: on 64-bit hosts the int64 itself, as a pointer (GLib
 * then compares keys without a call: the lookup was 7% of a run); else a
 * pointer to the conn's int64. */
#if GLIB_SIZEOF_VOID_P >= 8
#define SKEY(p) ((gpointer)(intptr_t)*(p))
#define SKEY_TABLE() g_hash_table_new(skey_hash, NULL)
static guint skey_hash(gconstpointer p)
{
    uint64_t v = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;
    return (guint)(v >> 32);
}
#else
#define SKEY(p) ((gpointer)(p))
#define SKEY_TABLE() g_hash_table_new(g_int64_hash, g_int64_equal)
#endif

static guint tuple_hash(gconstpointer p)
{
    const uint8_t *b = p;
    uint64_t h = 0x9e3779b97f4a7c15ull;
    size_t i = 0;
    for (; i + 8 <= sizeof(tuple_key); i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdull;
        h ^= h >> 29;
    }
    for (; i < sizeof(tuple_key); i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    h ^= h >> 32;
    return (guint)h;
}

static gboolean tuple_equal(gconstpointer x, gconstpointer y)
{
    return memcmp(x, y, sizeof(tuple_key)) == 0;
}

static void make_tuple(const tcpfsm_segment *s, tuple_key *k)
{
    memset(k, 0, sizeof *k);
    int c = addr_cmp(&s->src, &s->dst);
    if (c < 0 || (c == 0 && s->sport <= s->dport)) {
        k->a = s->src, k->pa = s->sport, k->b = s->dst, k->pb = s->dport;
    } else {
        k->a = s->dst, k->pa = s->dport, k->b = s->src, k->pb = s->sport;
    }
}

tcpfsm_engine *tcpfsm_engine_new(const tcpfsm_config *cfg)
{
    tcpfsm_engine *e = g_new0(tcpfsm_engine, 1);
    if (cfg)
        e->cfg = *cfg;
    else
        tcpfsm_config_init(&e->cfg);
    tcpfsm_zeek_opts_init(&e->zopts);
    e->zopts.bare = e->cfg.zeek_bare;
    e->zopts.ignore_checksums = e->cfg.zeek_ignore_checksums;
    e->zopts.timers = false; /* the engine splits connections itself */
    e->by_stream = SKEY_TABLE();
    e->by_tuple = g_hash_table_new(tuple_hash, tuple_equal);
    e->by_id = g_hash_table_new(g_int64_hash, g_int64_equal);
    e->next_id = 1;
    return e;
}

/* ------------------------------------------------------------------ */
/* Summaries and release                                                */
/* ------------------------------------------------------------------ */

static bool endpoint_done(tcpfsm_state s)
{
    return s == TCPFSM_CLOSED || s == TCPFSM_TIME_WAIT;
}

/* snprintf(dst, size, "%s", src) without printf */
static void copy_cut(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size)
        n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void fill_summary(const conn *c, tcpfsm_summary *s)
{
    memset(s, 0, sizeof *s);
    s->conn_id = c->id;
    s->stream = c->stream;
    s->client_addr = c->ep[0].addr;
    s->client_port = c->ep[0].port;
    s->server_addr = c->ep[1].addr;
    s->server_port = c->ep[1].port;
    s->first_frame = c->first_frame;
    s->last_frame = c->last_frame;
    s->has_time = c->has_time;
    s->first_time = c->first_time;
    s->last_time = c->last_time;

    const endpoint *cl = &c->ep[0], *sv = &c->ep[1];
    if (c->refused)
        s->handshake = TCPFSM_HS_REFUSED;
    else if (c->hs_done)
        s->handshake = c->sim_open ? TCPFSM_HS_SIMULTANEOUS
                                   : (c->synack_first && !cl->syn_sent
                                          ? TCPFSM_HS_PARTIAL
                                          : TCPFSM_HS_COMPLETE);
    else if (cl->syn_sent && !sv->syn_sent && sv->packets == 0 &&
             !c->client_more)
        s->handshake = TCPFSM_HS_SYN_ONLY;
    else if (cl->syn_sent || sv->syn_sent)
        s->handshake = TCPFSM_HS_PARTIAL;
    else
        s->handshake = TCPFSM_HS_NONE;

    bool fin0 = cl->fin_sent, fin1 = sv->fin_sent;
    if (c->refused)
        s->close = TCPFSM_CL_REFUSED;
    else if (c->reset && !c->rst_after_fins)
        s->close = TCPFSM_CL_RESET;
    else if (fin0 && fin1)
        s->close = c->close;
    else if (fin0 || fin1)
        s->close = TCPFSM_CL_HALF_CLOSED;
    else
        s->close = TCPFSM_CL_OPEN;

    if (c->first_fin_side < 0)
        s->active_closer = TCPFSM_ROLE_NONE;
    else if (c->close == TCPFSM_CL_SIMULTANEOUS)
        s->active_closer = TCPFSM_ROLE_BOTH;
    else
        s->active_closer = c->first_fin_side == 0 ? TCPFSM_ROLE_CLIENT
                                                  : TCPFSM_ROLE_SERVER;
    s->client_state = cl->state;
    s->server_state = sv->state;
    s->syn_rtt = s->irtt = -1.0;
    if (cl->syn_sent && c->has_synack_time && c->synack_frame > cl->syn_frame)
        s->syn_rtt = c->synack_time - cl->syn_time;
    if (cl->syn_sent && c->has_hsack_time && c->synack_frame > cl->syn_frame)
        s->irtt = c->hsack_time - cl->syn_time;
    s->client_packets = cl->packets;
    s->server_packets = sv->packets;
    s->client_bytes = cl->bytes;
    s->server_bytes = sv->bytes;
    s->anomalies = c->anomalies;
    if (c->evicted)
        s->anomalies |= TCPFSM_AN_EVICTED;
    copy_cut(s->conn_state, sizeof s->conn_state,
             tcpfsm_zeek_conn_state(&c->zeek));
    copy_cut(s->history, sizeof s->history,
             tcpfsm_zeek_conn_history(&c->zeek));
    tcpfsm_zeek_conn_orig(&c->zeek, &s->orig_h, &s->orig_p);
    tcpfsm_zeek_conn_resp(&c->zeek, &s->resp_h, &s->resp_p);
    s->orig_pkts = tcpfsm_zeek_conn_orig_pkts(&c->zeek);
    s->resp_pkts = tcpfsm_zeek_conn_resp_pkts(&c->zeek);
}

static void linger_unlink(tcpfsm_engine *e, conn *c)
{
    if (!c->in_linger)
        return;
    if (c->linger_prev)
        c->linger_prev->linger_next = c->linger_next;
    else
        e->linger_head = c->linger_next;
    if (c->linger_next)
        c->linger_next->linger_prev = c->linger_prev;
    else
        e->linger_tail = c->linger_prev;
    c->in_linger = false;
    e->n_linger--;
}

static void lru_unlink(tcpfsm_engine *e, conn *c)
{
    if (!c->in_lru)
        return;
    if (c->lru_prev)
        c->lru_prev->lru_next = c->lru_next;
    else
        e->lru_head = c->lru_next;
    if (c->lru_next)
        c->lru_next->lru_prev = c->lru_prev;
    else
        e->lru_tail = c->lru_prev;
    c->lru_prev = c->lru_next = NULL;
    c->in_lru = false;
    e->n_open--;
}

static void lru_append(tcpfsm_engine *e, conn *c)
{
    c->lru_prev = e->lru_tail;
    c->lru_next = NULL;
    if (e->lru_tail)
        e->lru_tail->lru_next = c;
    else
        e->lru_head = c;
    e->lru_tail = c;
    c->in_lru = true;
    e->n_open++;
}

/* c was just active: it becomes the most recently active open one */
static void lru_touch(tcpfsm_engine *e, conn *c)
{
    if (!c->in_lru || e->lru_tail == c)
        return;
    lru_unlink(e, c);
    lru_append(e, c);
}

static void release(tcpfsm_engine *e, conn *c, bool emit)
{
    if (emit && e->cfg.on_summary) {
        tcpfsm_summary s;
        fill_summary(c, &s);
        e->cfg.on_summary(&s, e->cfg.user);
    }
    if (c->key >= 0 && g_hash_table_lookup(e->by_stream, SKEY(&c->key)) == c)
        g_hash_table_remove(e->by_stream, SKEY(&c->key));
    if (g_hash_table_lookup(e->by_tuple, &c->tkey) == c)
        g_hash_table_remove(e->by_tuple, &c->tkey);
    g_hash_table_remove(e->by_id, &c->id);
    linger_unlink(e, c);
    lru_unlink(e, c);
    if (c->all_prev)
        c->all_prev->all_next = c->all_next;
    else
        e->all_head = c->all_next;
    if (c->all_next)
        c->all_next->all_prev = c->all_prev;
    else
        e->all_tail = c->all_prev;
    e->n_conns--;
    tcpfsm_zeek_conn_release(&c->zeek);
    g_free(c);
}

/* Releases the open connection idle the longest, as an eviction. */
static void evict(tcpfsm_engine *e, conn *c)
{
    c->evicted = true;
    e->evictions++;
    release(e, c, true);
}

/* More than max_open connections open: the least recently active ones
 * go (never `keep`, the one the current segment belongs to). */
static void enforce_max_open(tcpfsm_engine *e, conn *keep)
{
    size_t cap = e->cfg.max_open;
    if (cap == 0)
        return; /* no limit */
    while (e->n_open > cap && e->lru_head && e->lru_head != keep)
        evict(e, e->lru_head);
}

static void expire(tcpfsm_engine *e, bool has_now, double now)
{
    while (e->linger_head) {
        conn *h = e->linger_head;
        bool too_many = e->n_linger > e->cfg.max_lingering;
        bool too_old = has_now && h->has_finished_time &&
                       now - h->finished_time > e->cfg.linger_seconds;
        if (!too_many && !too_old)
            break;
        release(e, h, true);
    }
}

static void mark_finished(tcpfsm_engine *e, conn *c,
                          const tcpfsm_segment *seg)
{
    if (c->finished)
        return;
    c->finished = true;
    c->has_finished_time = seg->has_time;
    c->finished_time = seg->time;
    c->linger_prev = e->linger_tail;
    c->linger_next = NULL;
    if (e->linger_tail)
        e->linger_tail->linger_next = c;
    else
        e->linger_head = c;
    e->linger_tail = c;
    c->in_linger = true;
    e->n_linger++;
    lru_unlink(e, c); /* finished: no longer counts as open */
}

void tcpfsm_engine_finish(tcpfsm_engine *e)
{
    while (e->all_head)
        release(e, e->all_head, true);
}

void tcpfsm_engine_free(tcpfsm_engine *e)
{
    if (!e)
        return;
    while (e->all_head)
        release(e, e->all_head, false);
    g_hash_table_destroy(e->by_stream);
    g_hash_table_destroy(e->by_tuple);
    g_hash_table_destroy(e->by_id);
    g_free(e);
}

bool tcpfsm_engine_release_key(tcpfsm_engine *e, int64_t key)
{
    conn *c = g_hash_table_lookup(e->by_stream, SKEY(&key));
    if (!c)
        return false;
    release(e, c, true);
    return true;
}

bool tcpfsm_engine_evict_key(tcpfsm_engine *e, int64_t key)
{
    conn *c = g_hash_table_lookup(e->by_stream, SKEY(&key));
    if (!c)
        return false;
    evict(e, c);
    return true;
}

size_t tcpfsm_engine_conn_count(const tcpfsm_engine *e)
{
    return e->n_conns;
}

size_t tcpfsm_engine_open_count(const tcpfsm_engine *e)
{
    return e->n_open;
}

uint64_t tcpfsm_engine_evictions(const tcpfsm_engine *e)
{
    return e->evictions;
}

bool tcpfsm_engine_conn_summary(const tcpfsm_engine *e, uint64_t conn_id,
                                tcpfsm_summary *out)
{
    const conn *c = g_hash_table_lookup(e->by_id, &conn_id);
    if (!c)
        return false;
    fill_summary(c, out);
    return true;
}

/* ------------------------------------------------------------------ */
/* Finding the connection of a segment                                  */
/* ------------------------------------------------------------------ */

static conn *new_conn(tcpfsm_engine *e, const tcpfsm_segment *seg,
                      const tuple_key *k)
{
    conn *c = g_new0(conn, 1);
    c->id = e->next_id++;
    c->stream = seg->stream;
    c->key = seg->split_key >= 0 ? seg->split_key : seg->stream;
    c->tkey = *k;
    c->first_fin_side = -1;
    c->first_frame = seg->frame;
    c->has_time = seg->has_time;
    c->first_time = seg->time;

    /* SPEC 2: the client sent the first SYN without ACK; with no SYN, the
     * sender of the first SYN-ACK is the server; else the first sender is
     * the client (midstream). */
    bool syn = seg->flags & TCPFSM_SYN, ack = seg->flags & TCPFSM_ACK;
    bool rcv_is_client = syn && ack && !(seg->flags & (TCPFSM_RST | TCPFSM_FIN));
    endpoint *cl = &c->ep[0], *sv = &c->ep[1];
    if (rcv_is_client) {
        cl->addr = seg->dst, cl->port = seg->dport;
        sv->addr = seg->src, sv->port = seg->sport;
        c->synack_first = true;
        cl->state = TCPFSM_SYN_SENT;     /* presumed: its SYN was missed */
        sv->state = TCPFSM_SYN_RECEIVED;
    } else {
        cl->addr = seg->src, cl->port = seg->sport;
        sv->addr = seg->dst, sv->port = seg->dport;
        bool bare_syn = syn && !ack &&
                        !(seg->flags & (TCPFSM_RST | TCPFSM_FIN));
        /* a segment no synchronized connection sends (bad flags, or no
         * ACK and no RST): a probe, answered by a listener or a closed
         * port, not the middle of a connection */
        bool probe = !bare_syn &&
                     (bad_flags(seg->flags) ||
                      !(seg->flags & (TCPFSM_ACK | TCPFSM_RST)));
        if (bare_syn || probe) {
            cl->state = TCPFSM_CLOSED;
            sv->state = TCPFSM_LISTEN;
        } else {
            cl->state = sv->state = TCPFSM_UNKNOWN;
            c->midstream = true;
        }
    }

    tcpfsm_zeek_conn_init(&c->zeek, seg, &e->zopts);

    c->all_prev = e->all_tail;
    if (e->all_tail)
        e->all_tail->all_next = c;
    else
        e->all_head = c;
    e->all_tail = c;
    e->n_conns++;
    lru_append(e, c);
    if (c->key >= 0)
        g_hash_table_replace(e->by_stream, SKEY(&c->key), c);
    g_hash_table_insert(e->by_id, &c->id, c);
    /* replace, not insert: the key must point into the newest conn */
    g_hash_table_replace(e->by_tuple, &c->tkey, c);
    return c;
}

/* Tuple mode: does this SYN start a new connection on the old one's
 * 4-tuple?  SPEC 3 "port reuse": a new SYN with a new ISN on a 4-tuple
 * whose previous connection is in TIME_WAIT or CLOSED.  A new ISN after an
 * attempt nobody answered is a new attempt as well. */
static bool starts_new_conn(const conn *c, const tcpfsm_segment *seg)
{
    if ((seg->flags & (TCPFSM_SYN | TCPFSM_ACK | TCPFSM_RST | TCPFSM_FIN)) !=
        TCPFSM_SYN)
        return false;
    int side = addr_eq(&seg->src, &c->ep[0].addr) &&
                       seg->sport == c->ep[0].port
                   ? 0
                   : 1;
    const endpoint *s = &c->ep[side];
    if (s->syn_sent && s->isn == seg->seq)
        return false; /* a retransmission of that side's SYN */
    if (s->isn_from_synack && s->isn == seg->seq)
        return false; /* the late SYN of a reordered handshake */
    /* the client tries again with a new ISN after nobody answered (a SYN
     * from the other side is a crossing SYN: simultaneous open) */
    bool unanswered = side == 0 && c->ep[0].syn_sent &&
                      !c->ep[1].syn_sent && c->ep[1].packets == 0;
    return c->finished || unanswered;
}

static conn *find_conn(tcpfsm_engine *e, const tcpfsm_segment *seg,
                       bool *reused)
{
    tuple_key k;
    *reused = false;
    if (seg->split_key >= 0 || seg->stream >= 0) {
        int64_t key = seg->split_key >= 0 ? seg->split_key : seg->stream;
        conn *c = g_hash_table_lookup(e->by_stream, SKEY(&key));
        if (c)
            return c;
        /* Wireshark gave the 4-tuple a new stream: port reuse when the
         * newcomer opens with a SYN. */
        make_tuple(seg, &k);
        conn *prev = g_hash_table_lookup(e->by_tuple, &k);
        *reused = prev && (seg->flags & (TCPFSM_SYN | TCPFSM_ACK)) == TCPFSM_SYN;
        return new_conn(e, seg, &k);
    }
    make_tuple(seg, &k);
    conn *prev = g_hash_table_lookup(e->by_tuple, &k);
    if (prev && !starts_new_conn(prev, seg))
        return prev;
    if (prev) {
        *reused = true;
        release(e, prev, true);
    }
    return new_conn(e, seg, &k);
}

/* ------------------------------------------------------------------ */
/* Label text                                                           */
/* ------------------------------------------------------------------ */

typedef struct text {
    char *buf;
    size_t size, used;
} text;

/* Decimal digits of v, written backwards from end; returns the start. */
static char *utoa_rev(char *end, unsigned long long v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* A vsnprintf for the conversions the messages use (%s %u %d %lu %llu
 * %zu %%): the label is built for every segment, and the C library's
 * printf machinery was a fifth of the run time.  Same result as
 * vsnprintf(buf, size, fmt, ap): writes at most size - 1 bytes and a NUL,
 * returns the length the whole text would have.  Any other conversion
 * (none today) is handed to vsnprintf. */
static int fmt_text(char *buf, size_t size, const char *fmt, va_list ap)
{
    size_t o = 0;
    size_t lim = size ? size - 1 : 0;
#define PUT(src, n)                                                        \
    do {                                                                   \
        size_t n_ = (n);                                                   \
        if (o < lim)                                                       \
            memcpy(buf + o, (src), o + n_ <= lim ? n_ : lim - o);          \
        o += n_;                                                           \
    } while (0)
    const char *p = fmt;
    for (;;) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            PUT(p, strlen(p));
            break;
        }
        PUT(p, (size_t)(pct - p));
        const char *q = pct + 1;
        char num[24];
        char *ne = num + sizeof num;
        switch (*q) {
        case 's': {
            const char *v = va_arg(ap, const char *);
            PUT(v, strlen(v));
            p = q + 1;
            continue;
        }
        case 'u': {
            char *st = utoa_rev(ne, va_arg(ap, unsigned));
            PUT(st, (size_t)(ne - st));
            p = q + 1;
            continue;
        }
        case 'd': {
            int v = va_arg(ap, int);
            unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v
                                         : (unsigned long long)v;
            char *st = utoa_rev(ne, m);
            if (v < 0)
                *--st = '-';
            PUT(st, (size_t)(ne - st));
            p = q + 1;
            continue;
        }
        case '%':
            PUT("%", 1);
            p = q + 1;
            continue;
        case 'l':
            if (q[1] == 'u') {
                char *st = utoa_rev(ne, va_arg(ap, unsigned long));
                PUT(st, (size_t)(ne - st));
                p = q + 2;
                continue;
            }
            if (q[1] == 'l' && q[2] == 'u') {
                char *st = utoa_rev(ne, va_arg(ap, unsigned long long));
                PUT(st, (size_t)(ne - st));
                p = q + 3;
                continue;
            }
            break;
        case 'z':
            if (q[1] == 'u') {
                char *st = utoa_rev(ne, va_arg(ap, size_t));
                PUT(st, (size_t)(ne - st));
                p = q + 2;
                continue;
            }
            break;
        default:
            break;
        }
        /* not one of ours: let the C library do the rest */
        {
            int n = vsnprintf(o < lim ? buf + o : NULL,
                              o < lim ? size - o : 0, pct, ap);
            if (n < 0)
                return n;
            o += (size_t)n;
            if (size)
                buf[o < lim ? o : lim] = '\0';
            return (int)o;
        }
    }
#undef PUT
    if (size)
        buf[o < lim ? o : lim] = '\0';
    return (int)o;
}

static void tappend(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tappend(text *t, const char *fmt, ...)
{
    if (t->used + 1 >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_text(t->buf + t->used, t->size - t->used, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->used += (size_t)n;
    if (t->used >= t->size) {
        /* cut short: never leave half a UTF-8 character at the end */
        size_t end = t->size - 1, lead = end;
        while (lead > 0 && ((unsigned char)t->buf[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0) {
            unsigned char c = (unsigned char)t->buf[lead - 1];
            size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (end - (lead - 1) < want)
                end = lead - 1;
        }
        t->buf[end] = '\0';
        t->used = end;
    }
}

/* The label's words come from the message table (messages.h) in the
 * configured language; the format of message ID: */
#define MSG(x, ID) tcpfsm_lang_msg((x)->e->cfg.lang, TCPFSM_M_##ID)

static void tput(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->used + n < t->size) { /* fits: no formatting to do */
        memcpy(t->buf + t->used, s, n + 1);
        t->used += n;
        return;
    }
    tappend(t, "%s", s);
}

/* ------------------------------------------------------------------ */
/* Classification                                                       */
/* ------------------------------------------------------------------ */

typedef struct ctx {
    tcpfsm_engine *e;
    conn *c;
    const tcpfsm_segment *seg;
    tcpfsm_label *out;
    int S, R; /* sender and receiver sides */
    endpoint *s, *r;
    unsigned tx, rx;      /* transition inputs */
    bool correct_prev;    /* sender's prior state is corrected */
    tcpfsm_state prev_fix;
    bool ack_flag;
    bool rst_accepted;
    text t;               /* the step sentence (before the moves) */
    char title[64];       /* the step title of the sentence */
} ctx;

static const char *role_word(const ctx *x, int side)
{
    return tcpfsm_role_text(side == 0 ? TCPFSM_ROLE_CLIENT : TCPFSM_ROLE_SERVER,
                            x->e->cfg.lang);
}

/* "Handshake 1/3", 第一次握手 ... (kind: TCPFSM_T_*) */
static const char *title(ctx *x, int kind, unsigned num, unsigned of)
{
    return tcpfsm_lang_title(x->e->cfg.lang, kind, num, of, x->title,
                             sizeof x->title);
}

static void set_step(tcpfsm_label *l, int num, int of)
{
    l->step_num = (uint8_t)num;
    l->step_of = (uint8_t)of;
}

static uint32_t rel_seq(const endpoint *ep, uint32_t v)
{
    return v - ep->base;
}

static bool bad_flags(uint16_t f)
{
    if ((f & (TCPFSM_SYN | TCPFSM_FIN)) == (TCPFSM_SYN | TCPFSM_FIN))
        return true;
    if ((f & (TCPFSM_SYN | TCPFSM_RST)) == (TCPFSM_SYN | TCPFSM_RST))
        return true;
    if ((f & 0x3f) == 0)
        return true; /* a null segment: none of FIN SYN RST PSH ACK URG */
    return false;
}

static const char *flag_combo(uint16_t f, char *buf, size_t size,
                              const char *none)
{
    static const struct { uint16_t bit; const char *name; } names[] = {
        {TCPFSM_SYN, "SYN"}, {TCPFSM_FIN, "FIN"}, {TCPFSM_RST, "RST"},
        {TCPFSM_PSH, "PSH"}, {TCPFSM_ACK, "ACK"}, {TCPFSM_URG, "URG"},
    };
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(f & names[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "+" : "",
                         names[i].name);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (!used)
        snprintf(buf, size, "%s", none);
    return buf;
}

static void on_syn(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    l->event = TCPFSM_EV_SYN;
    if (seg->len)
        l->anomalies |= TCPFSM_AN(SYN_DATA);

    if (s->syn_sent) {
        l->ref_frame = s->syn_frame;
        set_step(l, s->syn_step_num, s->syn_step_of);
        if (seg->seq == s->isn) {
            l->anomalies |= TCPFSM_AN(RETRANSMISSION);
            tappend(&x->t, MSG(x, SYN_RETX),
                    title(x, TCPFSM_T_HANDSHAKE, l->step_num, l->step_of),
                    seg->seq);
        } else {
            l->anomalies |= TCPFSM_AN(UNEXPECTED);
            tappend(&x->t, MSG(x, SYN_NEW_ISN), seg->seq, role_word(x, x->S),
                    s->isn);
        }
        return;
    }
    if (x->S == 0 && s->isn_from_synack && seg->seq == s->isn) {
        /* SPEC 3 reordered handshake: the SYN-ACK came first. */
        l->anomalies |= TCPFSM_AN(REORDERED);
        set_step(l, 1, 3);
        s->syn_sent = true;
        s->syn_frame = seg->frame;
        s->syn_time = seg->time;
        s->syn_event = TCPFSM_EV_SYN;
        s->syn_step_num = 1, s->syn_step_of = 3;
        tappend(&x->t, MSG(x, SYN_REORDERED),
                title(x, TCPFSM_T_HANDSHAKE, 1, 3), seg->seq);
        return;
    }
    if (x->S == 0 && !c->midstream && !c->synack_first) {
        /* the opening SYN */
        set_step(l, 1, 3);
        s->syn_sent = true;
        s->isn_known = true;
        s->isn = seg->seq;
        s->syn_frame = seg->frame;
        s->syn_time = seg->time;
        s->syn_event = TCPFSM_EV_SYN;
        s->syn_step_num = 1, s->syn_step_of = 3;
        x->tx |= 1u << TX_SYN;
        x->rx |= 1u << RX_SYN;
        tappend(&x->t, MSG(x, SYN), title(x, TCPFSM_T_HANDSHAKE, 1, 3),
                seg->seq);
        return;
    }
    if (x->S == 1 && r->syn_sent && !s->synack_sent &&
        s->state == TCPFSM_SYN_RECEIVED) {
        /* SPEC 3 simultaneous open: the SYNs crossed.  The server was not
         * listening after all: it sent its SYN from CLOSED. */
        c->sim_open = true;
        l->anomalies |= TCPFSM_AN(SIMULTANEOUS_OPEN);
        set_step(l, 2, 4);
        s->syn_sent = true;
        s->isn_known = true;
        s->isn = seg->seq;
        s->syn_frame = seg->frame;
        s->syn_time = seg->time;
        s->syn_event = TCPFSM_EV_SYN;
        s->syn_step_num = 2, s->syn_step_of = 4;
        x->correct_prev = true;
        x->prev_fix = TCPFSM_CLOSED;
        x->tx |= 1u << TX_SYN;
        x->rx |= 1u << RX_SYN;
        l->ref_frame = r->syn_frame;
        tappend(&x->t, MSG(x, SYN_SIM_OPEN),
                title(x, TCPFSM_T_SIM_OPEN, 2, 4), seg->seq);
        return;
    }
    l->anomalies |= TCPFSM_AN(UNEXPECTED);
    tappend(&x->t, MSG(x, SYN_MIDDLE), role_word(x, x->S), seg->seq);
}

static void on_syn_ack(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    l->event = TCPFSM_EV_SYN_ACK;
    if (seg->len)
        l->anomalies |= TCPFSM_AN(SYN_DATA);

    if (s->synack_sent) {
        set_step(l, s->syn_step_num, s->syn_step_of);
        l->ref_frame = s->syn_frame;
        if (seg->seq == s->isn) {
            l->anomalies |= TCPFSM_AN(RETRANSMISSION);
            tappend(&x->t, MSG(x, SYNACK_RETX),
                    title(x, TCPFSM_T_HANDSHAKE, l->step_num, l->step_of),
                    seg->seq);
        } else {
            l->anomalies |= TCPFSM_AN(UNEXPECTED);
            tappend(&x->t, MSG(x, SYNACK_NEW_ISN), seg->seq,
                    role_word(x, x->S), s->isn);
        }
        return;
    }

    if (c->sim_open && s->syn_sent && seg->seq == s->isn) {
        /* simultaneous open, steps 3/4 and 4/4: each side's SYN-ACK */
        int num = (c->ep[0].synack_sent || c->ep[1].synack_sent) ? 4 : 3;
        set_step(l, num, 4);
        s->synack_sent = true;
        s->syn_step_num = (uint8_t)num, s->syn_step_of = 4;
        l->ref_frame = r->syn_frame;
        bool ok = x->ack_flag && seg->ack == r->isn + 1;
        l->ack_ok = ok;
        tappend(&x->t, MSG(x, SYNACK_SIM_OPEN),
                title(x, TCPFSM_T_SIM_OPEN, (unsigned)num, 4),
                role_word(x, x->S), seg->ack, ok ? "=" : "≠",
                role_word(x, x->R), r->isn, ok ? "✓" : "✗");
        if (ok) {
            x->tx |= 1u << TX_ACK_SYN;
            x->rx |= 1u << RX_ACK_SYN;
            s->acked_peer_syn = true;
            if (c->ep[0].acked_peer_syn && c->ep[1].acked_peer_syn)
                c->hs_done = true;
        } else {
            l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
        }
        return;
    }

    if (x->S != 1 || s->syn_sent) {
        l->anomalies |= TCPFSM_AN(UNEXPECTED);
        tappend(&x->t, MSG(x, SYNACK_OPENER), role_word(x, x->S));
        return;
    }

    /* the server's SYN-ACK, handshake 2/3 */
    set_step(l, 2, 3);
    s->syn_sent = true;
    s->synack_sent = true;
    s->isn_known = true;
    s->isn = seg->seq;
    s->syn_frame = seg->frame;
    s->syn_time = seg->time;
    s->syn_event = TCPFSM_EV_SYN_ACK;
    s->syn_step_num = 2, s->syn_step_of = 3;
    c->synack_frame = seg->frame;
    c->synack_time = seg->time;
    c->has_synack_time = seg->has_time;
    x->tx |= 1u << TX_SYN;

    if (!r->syn_sent) {
        /* the capture begins with the SYN-ACK: the client's SYN was missed */
        r->isn_from_synack = true;
        r->isn = seg->ack - 1;
        x->tx |= 1u << TX_ACK_SYN;
        x->rx |= 1u << RX_ACK_SYN;
        s->acked_peer_syn = true;
        c->synack_ok = true;
        tappend(&x->t, MSG(x, SYNACK_NO_SYN),
                title(x, TCPFSM_T_HANDSHAKE, 2, 3), seg->seq, seg->ack - 1);
        return;
    }
    l->ref_frame = r->syn_frame;
    bool ok = seg->ack == r->isn + 1;
    l->ack_ok = ok;
    if (ok) {
        x->tx |= 1u << TX_ACK_SYN;
        x->rx |= 1u << RX_ACK_SYN | 1u << RX_SYN;
        s->acked_peer_syn = true;
        c->synack_ok = true;
        tappend(&x->t, MSG(x, SYNACK_OK), title(x, TCPFSM_T_HANDSHAKE, 2, 3),
                seg->ack, r->isn);
    } else {
        /* 3.10.7.3: an unacceptable ACK in SYN-SENT is answered with RST;
         * the client does not move. */
        l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
        tappend(&x->t, MSG(x, SYNACK_BAD), title(x, TCPFSM_T_HANDSHAKE, 2, 3),
                seg->ack, r->isn);
    }
}

/* Is an RST acceptable to its receiver?  3.10.7.3 (SYN-SENT: it must ACK
 * our SYN) and 3.10.7.4 (otherwise its seq must be in the window). */
static bool rst_acceptable(ctx *x, char *why, size_t size)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *r = x->r;
    why[0] = '\0';
    if (r->state == TCPFSM_SYN_SENT) {
        if (!x->ack_flag) {
            snprintf(why, size, "%s", MSG(x, RST_WHY_NOACK));
            return false;
        }
        if (r->syn_sent && seg->ack != r->isn + 1) {
            snprintf(why, size, MSG(x, RST_WHY_ACK), seg->ack,
                     role_word(x, x->R), r->isn);
            return false;
        }
        return true;
    }
    if (!r->ack_valid)
        return true; /* nothing known of the receiver's window */
    uint32_t wnd = r->win_valid ? r->window : 65535;
    if (wnd == 0)
        wnd = 1;
    uint32_t off = seg->seq - r->last_ack;
    if (off < wnd)
        return true;
    snprintf(why, size, MSG(x, RST_WHY_WINDOW),
             rel_seq(x->s, seg->seq), role_word(x, x->R),
             rel_seq(x->s, r->last_ack), rel_seq(x->s, r->last_ack + wnd));
    return false;
}

static void on_rst(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    char why[160];
    l->event = TCPFSM_EV_RST;
    if (!rst_acceptable(x, why, sizeof why)) {
        l->anomalies |= TCPFSM_AN(RST_OUT_OF_WINDOW);
        tappend(&x->t, MSG(x, RST_IGNORED), role_word(x, x->S), why);
        return;
    }
    x->rst_accepted = true;
    x->tx |= 1u << TX_RST;
    x->rx |= 1u << RX_RST;
    if (r->state == TCPFSM_SYN_SENT && x->S == 1 && !s->synack_sent) {
        c->refused = true;
        l->close = TCPFSM_CL_REFUSED;
        l->ref_frame = r->syn_frame;
        if (r->syn_sent) {
            l->ack_ok = 1;
            tappend(&x->t, MSG(x, REFUSED_OK), seg->ack, r->isn,
                    (unsigned)s->port);
        } else {
            tappend(&x->t, MSG(x, REFUSED), (unsigned)s->port);
        }
        return;
    }
    if (c->ep[0].fin_sent && c->ep[1].fin_sent && !c->reset)
        c->rst_after_fins = true;
    c->reset = true;
    l->close = TCPFSM_CL_RESET;
    tappend(&x->t, MSG(x, RESET), role_word(x, x->S), rel_seq(s, seg->seq));
    if (c->rst_after_fins)
        tput(&x->t, MSG(x, RESET_AFTER_FINS));
}

static void on_fin(ctx *x, bool acks_fin)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    uint32_t fin_seq = seg->seq + seg->len;

    if (s->fin_sent) {
        l->event = s->fin_event;
        set_step(l, s->fin_step_num, s->fin_step_of);
        l->ref_frame = s->fin_frame;
        if (fin_seq == s->fin_seq) {
            l->anomalies |= TCPFSM_AN(RETRANSMISSION);
            tappend(&x->t, MSG(x, FIN_RETX),
                    title(x, TCPFSM_T_TEARDOWN, l->step_num, l->step_of),
                    role_word(x, x->S), rel_seq(s, fin_seq));
        } else {
            l->anomalies |= TCPFSM_AN(UNEXPECTED);
            tappend(&x->t, MSG(x, FIN_AGAIN), role_word(x, x->S),
                    rel_seq(s, fin_seq), rel_seq(s, s->fin_seq));
        }
        return;
    }

    s->fin_sent = true;
    s->fin_seq = fin_seq;
    s->fin_frame = seg->frame;
    x->tx |= 1u << TX_FIN;
    x->rx |= 1u << RX_FIN;

    if (!r->fin_sent) {
        /* the first FIN: the sender is the active closer.  It is step 1 of
         * a close whose length nothing shows yet; 1/4 is the textbook
         * four-way close (labels are causal). */
        c->first_fin_side = x->S;
        l->event = TCPFSM_EV_FIN1;
        set_step(l, 1, 4);
        tappend(&x->t, MSG(x, FIN1), title(x, TCPFSM_T_TEARDOWN, 1, 4),
                role_word(x, x->S), rel_seq(s, fin_seq));
    } else if (acks_fin || s->acked_peer_fin) {
        l->event = TCPFSM_EV_FIN2;
        l->ref_frame = r->fin_frame;
        if (acks_fin) {
            /* SPEC 3 merged close: this FIN also acknowledges the first */
            c->close = TCPFSM_CL_FIN3;
            set_step(l, 2, 3);
            bool ok = seg->ack == r->fin_seq + 1;
            l->ack_ok = ok;
            if (!ok)
                l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
            tappend(&x->t, MSG(x, FIN2_MERGED),
                    title(x, TCPFSM_T_TEARDOWN, 2, 3), role_word(x, x->S),
                    role_word(x, x->R),
                    rel_seq(r, seg->ack), ok ? "=" : "≠",
                    rel_seq(r, r->fin_seq), ok ? "✓" : "✗");
        } else {
            c->close = TCPFSM_CL_FIN4;
            set_step(l, 3, 4);
            tappend(&x->t, MSG(x, FIN2), title(x, TCPFSM_T_TEARDOWN, 3, 4),
                    role_word(x, x->S), rel_seq(s, fin_seq));
        }
    } else {
        /* SPEC 3 simultaneous close: the FINs crossed.  This side sent its
         * FIN from ESTABLISHED, before the other FIN reached it. */
        c->close = TCPFSM_CL_SIMULTANEOUS;
        l->event = TCPFSM_EV_FIN2;
        l->anomalies |= TCPFSM_AN(SIMULTANEOUS_CLOSE);
        l->ref_frame = r->fin_frame;
        set_step(l, 2, 4);
        if (s->state == TCPFSM_CLOSE_WAIT) {
            x->correct_prev = true;
            x->prev_fix = TCPFSM_ESTABLISHED;
        }
        tappend(&x->t, MSG(x, FIN_SIM), title(x, TCPFSM_T_SIM_CLOSE, 2, 4),
                role_word(x, x->S), rel_seq(s, fin_seq), role_word(x, x->R),
                rel_seq(r, r->fin_seq));
    }
    s->fin_event = l->event;
    s->fin_step_num = l->step_num;
    s->fin_step_of = l->step_of;
}

static void on_fin_ack(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *r = x->r;
    conn *c = x->c;
    bool first = (c->first_fin_side == x->R);
    l->event = first ? TCPFSM_EV_FIN1_ACK : TCPFSM_EV_FIN2_ACK;
    l->ref_frame = r->fin_frame;
    if (c->close == TCPFSM_CL_SIMULTANEOUS) {
        set_step(l, 3 + c->sim_acks, 4);
        c->sim_acks++;
    } else if (first) {
        c->close = TCPFSM_CL_FIN4; /* acked alone: a four-way close */
        set_step(l, 2, 4);
    } else if (c->close == TCPFSM_CL_FIN3) {
        set_step(l, 3, 3);
    } else {
        set_step(l, 4, 4);
    }
    bool ok = seg->ack == r->fin_seq + 1;
    l->ack_ok = ok;
    if (!ok)
        l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
    int kind = c->close == TCPFSM_CL_SIMULTANEOUS ? TCPFSM_T_SIM_CLOSE
                                                  : TCPFSM_T_TEARDOWN;
    tappend(&x->t, MSG(x, FIN_ACK),
            title(x, kind, l->step_num, l->step_of), role_word(x, x->R),
            rel_seq(r, seg->ack), ok ? "=" : "≠", rel_seq(r, r->fin_seq),
            ok ? "✓" : "✗");
}

static void on_ack_segment(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    bool fin = seg->flags & TCPFSM_FIN;

    /* What the ACK field shows the sender has received. */
    bool acks_syn = !s->acked_peer_syn && (r->syn_sent || r->isn_from_synack) &&
                    tcpfsm_seq_lt(r->isn, seg->ack);
    bool acks_fin = r->fin_sent && !s->acked_peer_fin &&
                    tcpfsm_seq_lt(r->fin_seq, seg->ack);
    if (acks_syn) {
        x->tx |= 1u << TX_ACK_SYN;
        x->rx |= 1u << RX_ACK_SYN;
    }
    if (acks_fin) {
        x->tx |= 1u << TX_ACK_FIN;
        x->rx |= 1u << RX_ACK_FIN;
    }

    /* data beyond the sender's own FIN */
    if (seg->len && s->fin_sent && tcpfsm_seq_lt(s->fin_seq, seg->seq + seg->len) &&
        !(fin && seg->seq + seg->len == s->fin_seq))
        l->anomalies |= TCPFSM_AN(DATA_AFTER_FIN);

    if (fin && !(s->fin_sent && acks_fin)) {
        on_fin(x, acks_fin);
    } else if (acks_fin) {
        /* a repeated FIN that acknowledges the peer's FIN for the first
         * time is labelled by the step it newly performs */
        on_fin_ack(x);
        if (fin)
            l->anomalies |= seg->seq + seg->len == s->fin_seq
                                ? TCPFSM_AN(RETRANSMISSION)
                                : TCPFSM_AN(UNEXPECTED);
    } else if (x->S == 0 && !s->hs_checked && r->synack_sent && !c->sim_open &&
               r->state == TCPFSM_SYN_RECEIVED && !c->hs_done) {
        /* the client's first segment after the SYN-ACK: handshake 3/3 */
        s->hs_checked = true;
        l->ref_frame = r->syn_frame;
        bool ok = seg->ack == r->isn + 1;
        l->ack_ok = ok;
        if (acks_syn && ok) {
            l->event = TCPFSM_EV_HS_ACK;
            set_step(l, 3, 3);
            c->hs_done = true;
            c->hsack_time = seg->time;
            c->has_hsack_time = seg->has_time;
            tappend(&x->t, MSG(x, HSACK_OK), title(x, TCPFSM_T_HANDSHAKE, 3, 3),
                    seg->ack, r->isn);
            if (seg->len)
                tappend(&x->t, MSG(x, HSACK_DATA), seg->len);
        } else {
            l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
            l->event = seg->len ? TCPFSM_EV_DATA : TCPFSM_EV_ACK;
            tappend(&x->t, MSG(x, HSACK_BAD),
                    title(x, TCPFSM_T_HANDSHAKE, 3, 3), seg->ack, r->isn);
        }
    } else if (seg->len) {
        l->event = TCPFSM_EV_DATA;
        tappend(&x->t, MSG(x, DATA), role_word(x, x->S), seg->len,
                rel_seq(s, seg->seq));
    } else {
        l->event = TCPFSM_EV_ACK;
        tappend(&x->t, MSG(x, ACK), role_word(x, x->S), rel_seq(r, seg->ack));
    }

    if (acks_syn)
        s->acked_peer_syn = true;
    if (acks_fin)
        s->acked_peer_fin = true;
    /* The handshake also completes when the client's first ACK is the
     * one that carries its FIN or acks a FIN. */
    if (acks_syn && x->S == 0 && !c->sim_open && r->synack_sent)
        c->hs_done = true;
    if (acks_syn && !c->hs_done && c->sim_open && c->ep[0].acked_peer_syn &&
        c->ep[1].acked_peer_syn)
        c->hs_done = true;
}

static tcpfsm_phase phase_of(const conn *c, const tcpfsm_label *l,
                             bool rst_accepted)
{
    switch (l->event) {
    case TCPFSM_EV_SYN:
    case TCPFSM_EV_SYN_ACK:
    case TCPFSM_EV_HS_ACK:
        return TCPFSM_PH_HANDSHAKE;
    case TCPFSM_EV_FIN1:
    case TCPFSM_EV_FIN1_ACK:
    case TCPFSM_EV_FIN2:
    case TCPFSM_EV_FIN2_ACK:
        return TCPFSM_PH_TEARDOWN;
    case TCPFSM_EV_RST:
        if (rst_accepted)
            return TCPFSM_PH_RESET;
        break;
    default:
        break;
    }
    const endpoint *a = &c->ep[0], *b = &c->ep[1];
    if (c->reset || c->refused ||
        (endpoint_done(a->state) && endpoint_done(b->state)))
        return TCPFSM_PH_CLOSED;
    if (a->fin_sent || b->fin_sent)
        return TCPFSM_PH_TEARDOWN;
    if (a->state == TCPFSM_UNKNOWN || b->state == TCPFSM_UNKNOWN)
        return TCPFSM_PH_UNKNOWN;
    if (a->state == TCPFSM_ESTABLISHED && b->state == TCPFSM_ESTABLISHED)
        return TCPFSM_PH_ESTABLISHED;
    return TCPFSM_PH_HANDSHAKE;
}

static void append_moves(ctx *x)
{
    tcpfsm_label *l = x->out;
    const char *who[2] = {role_word(x, x->S), role_word(x, x->R)};
    tcpfsm_lang lang = x->e->cfg.lang;
    tcpfsm_state prev[2] = {l->src_prev, l->dst_prev};
    tcpfsm_state now[2] = {l->src_state, l->dst_state};
    int moved = 0;
    tput(&x->t, MSG(x, MOVES));
    /* the client first, as people read a ladder left to right */
    for (int k = 0; k < 2; k++) {
        int i = (x->S == 0) ? k : 1 - k;
        if (prev[i] == now[i])
            continue;
        if (moved)
            tput(&x->t, MSG(x, LIST_SEP));
        tappend(&x->t, MSG(x, MOVE), who[i], tcpfsm_state_text(prev[i], lang),
                tcpfsm_state_text(now[i], lang));
        moved++;
    }
    if (!moved)
        tput(&x->t, MSG(x, NO_CHANGE));
    for (int i = 0; i < 2; i++) {
        if (now[i] == TCPFSM_TIME_WAIT && prev[i] != TCPFSM_TIME_WAIT) {
            tappend(&x->t, MSG(x, TIME_WAIT), who[i]);
        }
    }
}

static void append_notes(ctx *x)
{
    uint32_t a = x->out->anomalies;
    const tcpfsm_segment *seg = x->seg;
    if (a & TCPFSM_AN(MIDSTREAM))
        tput(&x->t, MSG(x, NOTE_MIDSTREAM));
    if (a & TCPFSM_AN(PORT_REUSE))
        tput(&x->t, MSG(x, NOTE_PORT_REUSE));
    if (a & TCPFSM_AN(SYN_DATA))
        tappend(&x->t, MSG(x, NOTE_SYN_DATA), seg->len);
    if ((a & TCPFSM_AN(RETRANSMISSION)) && x->out->event == TCPFSM_EV_DATA)
        tput(&x->t, MSG(x, NOTE_RETX));
    if (a & TCPFSM_AN(DATA_AFTER_FIN))
        tappend(&x->t, MSG(x, NOTE_DATA_AFTER_FIN), role_word(x, x->S));
    if ((a & TCPFSM_AN(UNEXPECTED)) && x->r->state == TCPFSM_CLOSED &&
        x->out->event != TCPFSM_EV_OTHER)
        tappend(&x->t, MSG(x, NOTE_PEER_CLOSED), role_word(x, x->R));
}

static void track(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    endpoint *s = x->s;
    uint32_t end = seg->seq + seg->len +
                   ((seg->flags & TCPFSM_SYN) ? 1 : 0) +
                   ((seg->flags & TCPFSM_FIN) ? 1 : 0);
    if (!(seg->flags & TCPFSM_RST)) {
        if (!s->snd_valid || tcpfsm_seq_lt(s->snd_max, end)) {
            s->snd_max = end;
            s->snd_valid = true;
        }
        if (x->ack_flag &&
            (!s->ack_valid || tcpfsm_seq_lt(s->last_ack, seg->ack))) {
            s->last_ack = seg->ack;
            s->ack_valid = true;
        }
        if (seg->has_window) {
            s->window = seg->window;
            s->win_valid = true;
        }
    }
    s->packets++;
    s->bytes += seg->len;
    if (x->S == 0 && !(seg->flags & (TCPFSM_SYN | TCPFSM_RST)))
        x->c->client_more = true;
}

int tcpfsm_engine_feed(tcpfsm_engine *e, const tcpfsm_segment *seg,
                       tcpfsm_label *out)
{
    /* the label text is built from its first byte: clearing the other
     * 640 bytes of it for every segment was measurable */
    memset(out, 0, offsetof(tcpfsm_label, label));
    out->label[0] = '\0';
    out->ack_ok = -1;
    if (seg->src.family == 0 || seg->dst.family == 0 ||
        seg->src.family != seg->dst.family) {
        snprintf(out->label, sizeof out->label, "%s",
                 tcpfsm_strerror(TCPFSM_E_NOADDR));
        return TCPFSM_E_NOADDR;
    }
    expire(e, seg->has_time, seg->time);

    bool reused;
    conn *c = find_conn(e, seg, &reused);
    lru_touch(e, c);
    enforce_max_open(e, c);
    if (!e->cfg.no_zeek)
        tcpfsm_zeek_conn_update_ex(&c->zeek, seg, seg->payload_caplen);
    ctx x = {0};
    x.e = e;
    x.c = c;
    x.seg = seg;
    x.out = out;
    x.S = addr_eq(&seg->src, &c->ep[0].addr) && seg->sport == c->ep[0].port
              ? 0
              : 1;
    x.R = 1 - x.S;
    x.s = &c->ep[x.S];
    x.r = &c->ep[x.R];
    x.ack_flag = seg->flags & TCPFSM_ACK;
    x.t.buf = out->label;
    /* size 1: room for the NUL only, every append is a no-op */
    x.t.size = e->cfg.no_label_text ? 1 : sizeof out->label;

    endpoint *s = x.s, *r = x.r;
    out->conn_id = c->id;
    out->role = x.S == 0 ? TCPFSM_ROLE_CLIENT : TCPFSM_ROLE_SERVER;
    out->src_prev = s->state;
    out->dst_prev = r->state;
    if (reused)
        out->anomalies |= TCPFSM_AN(PORT_REUSE);
    if (c->midstream && c->first_frame == seg->frame && s->packets == 0 &&
        r->packets == 0)
        out->anomalies |= TCPFSM_AN(MIDSTREAM);

    /* relative sequence numbers, as Wireshark computes them: the ISN from
     * a SYN, else the first seq seen minus one; the peer's base from our
     * ack minus one when the peer has not been seen. */
    uint16_t f = seg->flags;
    if (f & TCPFSM_SYN) {
        if (!s->base_known || (!s->syn_sent && !s->isn_from_synack)) {
            s->base = seg->seq;
            s->base_known = true;
        }
    } else if (!s->base_known) {
        s->base = seg->seq - 1;
        s->base_known = true;
    }
    if (x.ack_flag && !r->base_known) {
        r->base = seg->ack - 1;
        r->base_known = true;
    }

    if (bad_flags(f)) {
        char combo[48];
        out->event = TCPFSM_EV_OTHER;
        out->anomalies |= TCPFSM_AN(BAD_FLAGS);
        tappend(&x.t, MSG(&x, BAD_FLAGS), flag_combo(f, combo, sizeof combo,
                                           MSG(&x, NO_FLAGS)));
    } else if (f & TCPFSM_RST) {
        if (f & TCPFSM_FIN)
            out->anomalies |= TCPFSM_AN(BAD_FLAGS);
        on_rst(&x);
    } else if ((f & TCPFSM_SYN) && !x.ack_flag) {
        on_syn(&x);
    } else if (f & TCPFSM_SYN) {
        on_syn_ack(&x);
    } else if (!x.ack_flag) {
        char combo[48];
        out->event = TCPFSM_EV_OTHER;
        out->anomalies |= TCPFSM_AN(UNEXPECTED);
        tappend(&x.t, MSG(&x, NO_ACK), flag_combo(f, combo, sizeof combo,
                                           MSG(&x, NO_FLAGS)));
    } else {
        on_ack_segment(&x);
    }

    /* data retransmission (a step's retransmission is flagged above) */
    if (seg->len && s->snd_valid && out->event == TCPFSM_EV_DATA &&
        tcpfsm_seq_le(seg->seq + seg->len, s->snd_max))
        out->anomalies |= TCPFSM_AN(RETRANSMISSION);
    /* new data or a new FIN for an endpoint that no longer has the
     * connection */
    if ((r->state == TCPFSM_CLOSED || s->state == TCPFSM_CLOSED) &&
        out->event != TCPFSM_EV_RST && out->event != TCPFSM_EV_SYN &&
        out->event != TCPFSM_EV_SYN_ACK &&
        !(out->anomalies & TCPFSM_AN(RETRANSMISSION)) &&
        (seg->len || (f & TCPFSM_FIN)) && (c->reset || c->refused ||
                                           r->fin_sent))
        out->anomalies |= TCPFSM_AN(UNEXPECTED);

    /* the moves */
    tcpfsm_state sprev = x.correct_prev ? x.prev_fix : s->state;
    tcpfsm_state snew = apply(send_table, sprev, x.tx);
    tcpfsm_state rnew = r->state;
    if ((x.rx & (1u << RX_RST)) && r->state == TCPFSM_SYN_RECEIVED &&
        x.R == 1 && !c->sim_open)
        rnew = TCPFSM_LISTEN; /* 3.10.7.4: a passive open returns to LISTEN */
    else
        rnew = apply(recv_table, r->state, x.rx);
    out->src_prev = sprev;
    out->src_state = snew;
    out->dst_state = rnew;
    s->state = snew;
    r->state = rnew;

    out->phase = phase_of(c, out, x.rst_accepted);
    if (out->phase == TCPFSM_PH_TEARDOWN || out->phase == TCPFSM_PH_CLOSED) {
        if (out->close == TCPFSM_CL_NONE)
            out->close = (c->refused ? TCPFSM_CL_REFUSED
                          : (c->reset && !c->rst_after_fins) ? TCPFSM_CL_RESET
                                                             : c->close);
    }
    out->seq_rel = rel_seq(s, seg->seq);
    if (x.ack_flag) {
        out->ack_rel = rel_seq(r, seg->ack);
        out->has_ack_rel = true;
    }

    append_moves(&x);
    append_notes(&x);
    track(&x);

    c->anomalies |= out->anomalies;
    c->last_frame = seg->frame;
    if (seg->has_time) {
        if (!c->has_time) {
            c->has_time = true;
            c->first_time = seg->time;
        }
        c->last_time = seg->time;
    }
    bool done = c->reset || c->refused ||
                (endpoint_done(c->ep[0].state) &&
                 endpoint_done(c->ep[1].state) &&
                 c->ep[0].packets + c->ep[1].packets > 0 &&
                 (c->ep[0].fin_sent || c->ep[1].fin_sent));
    if (done)
        mark_finished(e, c, seg);
    expire(e, false, 0);
    return 0;
}
