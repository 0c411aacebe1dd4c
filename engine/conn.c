/* conn.c - the engine's connection table: which connection a segment
 * belongs to (by tcp.stream, or Zeek's session table in zeek_split mode,
 * else by 4-tuple, with port reuse), the per-connection summary (SPEC.md
 * section 5), and
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
    return tcpfsm_addr_same(x, y);
}

#define CONN(link, member) TCPFSM_CONTAINER_OF(link, conn, member)

static uint32_t stream_hash(const conn *c)
{
    return tcpfsm_u64_hash((uint64_t)c->key);
}

static void on_zeek_record(const tcpfsm_zeek_record *z, void *user);

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
    tcpfsm_flowtab_init(&e->by_stream, offsetof(conn, key), sizeof(int64_t));
    tcpfsm_flowtab_init(&e->by_tuple, offsetof(conn, tkey),
                        sizeof(tcpfsm_flowkey));
    tcpfsm_flowtab_init(&e->by_id, offsetof(conn, id), sizeof(uint64_t));
    e->next_id = 1;
    if (e->cfg.zeek_split) {
        /* Zeek decides when a connection ends: nothing lingers or is
         * released early by the engine itself */
        e->cfg.max_lingering = SIZE_MAX;
        e->cfg.linger_seconds = 1e300;
        tcpfsm_zeek_opts zo;
        tcpfsm_zeek_opts_init(&zo);
        zo.bare = e->cfg.zeek_bare;
        zo.ignore_checksums = e->cfg.zeek_ignore_checksums;
        zo.timers = !e->cfg.zeek_no_timers;
        e->zsplit = tcpfsm_zeek_table_new(&zo, on_zeek_record, e);
        tcpfsm_zeek_table_set_max_open(e->zsplit, e->cfg.max_open);
    }
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
                                   : ((c->synack_first && !cl->syn_sent) ||
                                              c->hs_inferred
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

    if (s->close == TCPFSM_CL_RESET && c->rst_by)
        /* SPEC 2: the sender of the first accepted RST aborted it */
        s->active_closer = c->rst_by == 1 ? TCPFSM_ROLE_CLIENT
                                          : TCPFSM_ROLE_SERVER;
    else if (c->first_fin_side < 0)
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
        s->syn_rtt = c->synack_time - c->syn_last_time;
    if (cl->syn_sent && c->has_hsack_time && c->synack_frame > cl->syn_frame)
        s->irtt = c->hsack_time - c->syn_last_time;
    s->client_packets = cl->packets;
    s->server_packets = sv->packets;
    s->client_bytes = cl->bytes;
    s->server_bytes = sv->bytes;
    s->anomalies = c->anomalies;
    if ((c->anomalies & TCPFSM_AN(INFERRED)) &&
        (cl->packets == 0 || sv->packets == 0))
        s->anomalies |= TCPFSM_AN_ONE_SIDED;
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
    if (!tcpfsm_list_linked(&e->linger, &c->linger))
        return;
    tcpfsm_list_unlink(&e->linger, &c->linger);
    e->n_linger--;
}

static void lru_unlink(tcpfsm_engine *e, conn *c)
{
    if (!tcpfsm_list_linked(&e->lru, &c->lru))
        return;
    tcpfsm_list_unlink(&e->lru, &c->lru);
    e->n_open--;
}

/* c was just active: it becomes the most recently active open one */
void tcpfsm_i_lru_touch(tcpfsm_engine *e, conn *c)
{
    if (e->lru.tail != &c->lru && tcpfsm_list_linked(&e->lru, &c->lru))
        tcpfsm_list_to_tail(&e->lru, &c->lru);
}

static void release(tcpfsm_engine *e, conn *c, bool emit)
{
    if (emit && e->cfg.on_summary) {
        tcpfsm_summary s;
        fill_summary(c, &s);
        e->cfg.on_summary(&s, e->cfg.user);
    }
    /* the key tables lose c only where it is the one they point to */
    if (c->key >= 0)
        tcpfsm_flowtab_remove(&e->by_stream, c, stream_hash(c));
    tcpfsm_flowtab_remove(&e->by_tuple, c, tcpfsm_flowkey_hash(&c->tkey));
    tcpfsm_flowtab_remove(&e->by_id, c, tcpfsm_u64_hash(c->id));
    linger_unlink(e, c);
    lru_unlink(e, c);
    tcpfsm_list_unlink(&e->all, &c->all);
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
    while (e->n_open > cap && e->lru.head && e->lru.head != &keep->lru)
        evict(e, CONN(e->lru.head, lru));
}

void tcpfsm_i_expire(tcpfsm_engine *e, bool has_now, double now)
{
    while (e->linger.head) {
        conn *h = CONN(e->linger.head, linger);
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
    tcpfsm_list_append(&e->linger, &c->linger);
    e->n_linger++;
    lru_unlink(e, c); /* finished: no longer counts as open */
}

void tcpfsm_engine_finish(tcpfsm_engine *e)
{
    if (e->zsplit)
        tcpfsm_zeek_table_finish(e->zsplit); /* in Zeek's order */
    while (e->all.head)
        release(e, CONN(e->all.head, all), true);
}

void tcpfsm_engine_free(tcpfsm_engine *e)
{
    if (!e)
        return;
    while (e->all.head)
        release(e, CONN(e->all.head, all), false);
    tcpfsm_flowtab_free(&e->by_stream);
    tcpfsm_flowtab_free(&e->by_tuple);
    tcpfsm_flowtab_free(&e->by_id);
    if (e->zsplit)
        tcpfsm_zeek_table_free(e->zsplit);
    g_free(e);
}

/* zeek_split: Zeek's session table removed a connection (a timer, a
 * reusing SYN, its max_open cap, the end): ours ends with it */
static void on_zeek_record(const tcpfsm_zeek_record *z, void *user)
{
    tcpfsm_engine *e = user;
    conn *c = tcpfsm_flowtab_find_u64(&e->by_stream, z->uid);
    if (!c)
        return;
    if (z->removed_by && !strcmp(z->removed_by, "evicted"))
        evict(e, c);
    else
        release(e, c, true);
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
    const conn *c = tcpfsm_flowtab_find_u64(&e->by_id, conn_id);
    if (!c)
        return false;
    fill_summary(c, out);
    return true;
}

/* ------------------------------------------------------------------ */
/* Finding the connection of a segment                                  */
/* ------------------------------------------------------------------ */

static conn *new_conn(tcpfsm_engine *e, const tcpfsm_segment *seg,
                      int64_t key, const tcpfsm_flowkey *k)
{
    conn *c = g_new0(conn, 1);
    c->id = e->next_id++;
    c->stream = seg->stream;
    c->key = key;
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

    tcpfsm_list_append(&e->all, &c->all);
    e->n_conns++;
    tcpfsm_list_append(&e->lru, &c->lru);
    e->n_open++;
    /* replace: the stream and tuple keys point to the newest conn */
    if ((c->key >= 0 &&
         !tcpfsm_flowtab_replace(&e->by_stream, c, stream_hash(c), NULL)) ||
        !tcpfsm_flowtab_insert(&e->by_id, c, tcpfsm_u64_hash(c->id)) ||
        !tcpfsm_flowtab_replace(&e->by_tuple, c, tcpfsm_flowkey_hash(k), NULL))
        g_error("out of memory"); /* as GLib's tables and g_new0 do */
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
    tcpfsm_flowkey k;
    *reused = false;
    /* the key: Zeek's connection (zeek_split), else tcp.stream */
    int64_t key = seg->stream;
    if (e->zsplit)
        key = tcpfsm_zeek_table_feed(e->zsplit, seg) == 0
                  ? (int64_t)tcpfsm_zeek_table_last_uid(e->zsplit)
                  : -1;
    if (key >= 0) {
        conn *c = tcpfsm_flowtab_find_u64(&e->by_stream, (uint64_t)key);
        if (c)
            return c;
        /* Wireshark gave the 4-tuple a new stream: port reuse when the
         * newcomer opens with a SYN. */
        tcpfsm_flowkey_make(&k, &seg->src, seg->sport, &seg->dst, seg->dport);
        conn *prev = tcpfsm_flowtab_find(&e->by_tuple, &k,
                                         tcpfsm_flowkey_hash(&k));
        *reused = prev && (seg->flags & (TCPFSM_SYN | TCPFSM_ACK)) == TCPFSM_SYN;
        return new_conn(e, seg, key, &k);
    }
    tcpfsm_flowkey_make(&k, &seg->src, seg->sport, &seg->dst, seg->dport);
    conn *prev = tcpfsm_flowtab_find(&e->by_tuple, &k, tcpfsm_flowkey_hash(&k));
    if (prev && !starts_new_conn(prev, seg))
        return prev;
    if (prev) {
        *reused = true;
        release(e, prev, true);
    }
    return new_conn(e, seg, -1, &k);
}
