/* conn.c - the engine's connection table: which connection a segment
 * belongs to (by tcp.stream or the adapter's split key, else by 4-tuple,
 * with port reuse), the per-connection summary (SPEC.md section 5), and
 * when a connection is released (finished and lingered, evicted by the
 * max_open cap, or at the end).  No TCP rule here except the roles of
 * SPEC.md section 2, decided when a connection is made.
 */
#include "engine_int.h"

#include <errno.h>
#include <string.h>

void tcpfsm_config_init(tcpfsm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->linger_seconds = 60.0;
    cfg->max_lingering = 10000;
    cfg->max_open = TCPFSM_DEFAULT_MAX_OPEN;
}

bool tcpfsm_i_addr_eq(const tcpfsm_addr *x, const tcpfsm_addr *y)
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
    if (cfg && (!(cfg->linger_seconds >= 0) ||
                (unsigned)cfg->lang >= TCPFSM_LANG_MAX)) {
        errno = EINVAL;
        return NULL;
    }
    tcpfsm_engine *e = g_try_new0(tcpfsm_engine, 1);
    if (!e) {
        errno = ENOMEM;
        return NULL;
    }
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

bool tcpfsm_i_endpoint_done(tcpfsm_state s)
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
void tcpfsm_i_lru_touch(tcpfsm_engine *e, conn *c)
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
void tcpfsm_i_enforce_max_open(tcpfsm_engine *e, conn *keep)
{
    size_t cap = e->cfg.max_open;
    if (cap == 0)
        return; /* no limit */
    while (e->n_open > cap && e->lru_head && e->lru_head != keep)
        evict(e, e->lru_head);
}

void tcpfsm_i_expire(tcpfsm_engine *e, bool has_now, double now)
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

void tcpfsm_i_mark_finished(tcpfsm_engine *e, conn *c,
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
                     (tcpfsm_i_bad_flags(seg->flags) ||
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
    int side = tcpfsm_i_addr_eq(&seg->src, &c->ep[0].addr) &&
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

conn *tcpfsm_i_find_conn(tcpfsm_engine *e, const tcpfsm_segment *seg,
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
