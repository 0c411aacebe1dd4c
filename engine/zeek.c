/* zeek.c - Zeek-compatible connection verdicts (see zeek.h).
 *
 * This is an independent re-implementation, written from reading Zeek's
 * source at commit a13de64fbbdb01f90961c04719b308fbbb6d199e (BSD licence);
 * no Zeek code is copied.  Each rule names the Zeek function it models:
 *
 *   TCPSessionAdapter.cc  (src/packet_analysis/protocol/tcp/)
 *       Process, init_endpoint, get_relative_seq, update_history,
 *       update_window, init_peer, update_ack_seq, update_last_seq,
 *       Update{Inactive,SYN_Sent,Established,Closed}State,
 *       ConnectionClosed, IsReuse, the timers (AttemptTimer, ExpireTimer,
 *       PartialCloseTimer, ResetTimer, ConnDeleteTimer), SetPartialStatus
 *   TCP_Endpoint.cc       (src/analyzer/protocol/tcp/)
 *       CheckHistory (the "^h" rewrite), SetState, Size, NoDataAcked
 *   TCP_Reassembler.cc, Reassem.cc
 *       DataSent, AckReceived, Undelivered, Gap, DataPending, CheckEOF,
 *       DataBlockList::Trim
 *   TCP.cc                (src/packet_analysis/protocol/tcp/)
 *       WantConnection (port heuristic), ValidateChecksum
 *   IPBasedAnalyzer.cc    NewConn, IsLikelyServerPort
 *   Conn.cc / Session.{h,cc}
 *       FlipRoles, CheckHistory, ScaledHistoryEntry, InactivityTimer
 *   scripts/base/protocols/conn/main.zeek   conn_state()
 *   scripts/base/init-bare.zeek             the timer constants
 *
 * What is not modelled: payload contents (overlaps, the HTTP/PIA
 * analyzers, 'X'), the storm weirds, max_timer_expires (all due timers
 * run, or none with opts.timers = false).  The reassembly model keeps
 * byte ranges only, at most TCPFSM_ZEEK_MAX_BLOCKS per side (on overflow
 * the two closest ranges are merged, hiding one hole).
 */
#include "zeek.h"
#include "flowtab.h"
#include "heap.h"
#include "list.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include <glib.h>

/* ---------------------------------------------------------------------
 * likely_server_ports
 *
 * Zeek fills likely_server_ports from Analyzer::register_for_ports()
 * (scripts/base/frameworks/analyzer/main.zeek adds the server_ports
 * argument), called by each protocol script that base/init-default.zeek
 * loads.  The TCP ports, by script (scripts/base/protocols/<p>/main.zeek,
 * the `ports` constants at commit a13de64f):
 *   dce-rpc 135; dnp3 20000; dns 53; finger 79; ftp 21 2811;
 *   http 80 81 631 1080 3128 8000 8080 8888; imap 143; irc 6666-6669;
 *   krb 88; ldap 389 3268; modbus 502; mqtt 1883; mysql 1434 3306;
 *   postgresql 5432; rdp 3389; redis 6379; smb 139 445; smtp 25 587;
 *   socks 1080; ssh 22; ssl 443 465 563 585 614 636 989 990 992 993 995
 *   5223; syslog 514; xmpp 5222 5269.
 * (pop3, rfb, ntlm, websocket, tunnels register none; dhcp, ntp, radius,
 * sip, snmp, quic and the packet-protocols tunnels register UDP ports
 * only, which IsLikelyServerPort() never matches for TCP.)
 *
 * Bare mode (-b) loads init-bare.zeek only, whose packet-protocols
 * register UDP ports alone: no TCP port is a likely server port.
 * --------------------------------------------------------------------- */
static const uint16_t likely_server_ports_full[] = {
    21,   22,   25,   53,   79,   80,   81,   88,   135,  139,  143,
    389,  443,  445,  465,  502,  514,  563,  585,  587,  614,  631,
    636,  989,  990,  992,  993,  995,  1080, 1434, 1883, 2811, 3128,
    3268, 3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668,
    6669, 8000, 8080, 8888, 20000,
};

static int cmp_u16(const void *a, const void *b)
{
    uint16_t x = *(const uint16_t *)a, y = *(const uint16_t *)b;
    return (x > y) - (x < y);
}

bool tcpfsm_zeek_likely_server_port(const tcpfsm_zeek_opts *o, uint16_t port)
{
    if (o->bare)
        return false;
    return bsearch(&port, likely_server_ports_full,
                   G_N_ELEMENTS(likely_server_ports_full),
                   sizeof likely_server_ports_full[0], cmp_u16) != NULL;
}

void tcpfsm_zeek_opts_init(tcpfsm_zeek_opts *o)
{
    memset(o, 0, sizeof *o);
    o->bare = false;
    o->ignore_checksums = false;
    o->timers = true;
    /* scripts/base/init-bare.zeek */
    o->attempt_delay = 5.0;
    o->inactivity_timeout = 300.0;
    o->close_delay = 5.0;
    o->reset_delay = 5.0;
    o->partial_close_delay = 3.0;
    o->handshake_inactivity_timeout = 60.0;
    o->syn_timeout = 5.0;
    o->session_timer = 6.0;
    o->connection_linger = 5.0;
    o->reset_handler = false;
    o->partial_close_handler = false;
}

const char *tcpfsm_zeek_ep_state_name(tcpfsm_zeek_ep_state s)
{
    static const char *const names[] = {"INACTIVE", "SYN_SENT",
                                        "SYN_ACK_SENT", "PARTIAL",
                                        "ESTABLISHED", "CLOSED", "RESET"};
    return (unsigned)s < G_N_ELEMENTS(names) ? names[s] : "?";
}

/* ---------------------------------------------------------------------
 * small helpers
 * --------------------------------------------------------------------- */
enum {
    /* TCP_Endpoint::HistoryMasks; the responder's are shifted by 16 */
    HIST_SYN = 0x1,
    HIST_FIN = 0x2,
    HIST_RST = 0x4,
    HIST_FIN_RST = 0x8,
    HIST_DATA = 0x10,
    HIST_ACK = 0x20,
    HIST_MULTI_FLAG = 0x40,
};

enum { FPS_ORIG = 1, FPS_RESP = 2 }; /* first_packet_seen bits */

enum timer_kind {
    TM_NONE = 0,
    TM_EXPIRE,        /* TCPSessionAdapter::ExpireTimer */
    TM_ATTEMPT,       /* AttemptTimer */
    TM_PARTIAL_CLOSE, /* PartialCloseTimer */
    TM_RESET,         /* ResetTimer */
    TM_CONN_DELETE,   /* ConnDeleteTimer / DeleteTimer */
};

#define TOO_LARGE_SEQ_DELTA 1048576 /* TCPSessionAdapter.cc */
#define MAX_INITIAL_WINDOW 16384    /* tcp_max_initial_window */
#define MAX_ABOVE_HOLE 16384        /* tcp_max_above_hole_without_any_acks */
#define EXCESSIVE_DATA (10u * 1024u * 1024u) /* tcp_excessive_data_... */

typedef tcpfsm_zeek_endpoint ep_t;

/* A timestamp as Zeek holds it: libpcap gives seconds and microseconds
 * and Zeek computes sec + usec / 1e6 (Packet's time).  Rounding the
 * caller's double to that value makes the timer comparisons (e.g.
 * last_time + 300 <= t) come out as in Zeek however the caller parsed
 * frame.time_epoch. */
static double zeek_time(double t)
{
    if (!isfinite(t) || t < 0 || t > 9.0e15)
        return t;
    double sec = (double)(int64_t)t; /* floor, t >= 0 (no libm needed) */
    return sec + (double)(int64_t)((t - sec) * 1e6 + 0.5) / 1e6;
}

static int32_t seq_delta(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b);
}

static size_t addr_len(const tcpfsm_addr *a)
{
    return a->family == 6 ? 16 : a->family == 4 ? 4 : 0;
}

static bool addr_eq(const tcpfsm_addr *a, const tcpfsm_addr *b)
{
    if (a->family != 4 && a->family != 6) /* 0: no bytes to compare */
        return a->family == b->family;
    return tcpfsm_addr_same(a, b);
}

static bool ep_is(const ep_t *e, const tcpfsm_addr *a, uint16_t port)
{
    return e->port == port && addr_eq(&e->addr, a);
}

static ep_t *orig_ep(tcpfsm_zeek_conn *z) { return &z->ep[z->orig]; }
static ep_t *resp_ep(tcpfsm_zeek_conn *z) { return &z->ep[z->orig ^ 1]; }
static const ep_t *corig(const tcpfsm_zeek_conn *z) { return &z->ep[z->orig]; }
static const ep_t *cresp(const tcpfsm_zeek_conn *z)
{
    return &z->ep[z->orig ^ 1];
}
static ep_t *peer_of(tcpfsm_zeek_conn *z, const ep_t *e)
{
    return e == &z->ep[0] ? &z->ep[1] : &z->ep[0];
}
static const ep_t *cpeer_of(const tcpfsm_zeek_conn *z, const ep_t *e)
{
    return e == &z->ep[0] ? &z->ep[1] : &z->ep[0];
}

/* Index of the endpoint that sent seg: the originator when its address
 * and port match (IPBasedAnalyzer::AnalyzePacket's is_orig test). */
static int sender_index(const tcpfsm_zeek_conn *z, const tcpfsm_segment *seg)
{
    if (ep_is(&z->ep[z->orig], &seg->src, seg->sport))
        return z->orig;
    return z->orig ^ 1;
}

static bool is_handshake(int s)
{
    return s == TCPFSM_ZEEK_INACTIVE || s == TCPFSM_ZEEK_SYN_SENT ||
           s == TCPFSM_ZEEK_SYN_ACK_SENT;
}

/* TCP_Endpoint::ToFullSeqSpace / ToRelativeSeqSpace */
static uint64_t full_seq(uint32_t seq, uint32_t wraps)
{
    return ((uint64_t)wraps << 32) + seq;
}

static uint64_t to_relative(const ep_t *e, uint32_t seq, uint32_t wraps)
{
    return full_seq(seq, wraps) - (uint64_t)e->start_seq;
}

/* TCP_Endpoint::NoDataAcked: none of this endpoint's data acknowledged
 * (one octet allowed, for the SYN). */
static bool no_data_acked(const ep_t *e)
{
    uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
    uint64_t start = (uint64_t)e->start_seq;
    return ack == start || ack == start + 1;
}

/* TCP_Endpoint::Size */
static uint64_t ep_size(const tcpfsm_zeek_conn *z, const ep_t *e)
{
    if (e->prev_state == TCPFSM_ZEEK_SYN_SENT &&
        e->state == TCPFSM_ZEEK_RESET &&
        cpeer_of(z, e)->state == TCPFSM_ZEEK_INACTIVE && !no_data_acked(e))
        return 0;
    uint64_t last = full_seq(e->last_seq, e->seq_wraps);
    uint64_t ack = full_seq(e->ack_seq, e->ack_wraps);
    uint64_t size = (last > ack ? last : ack) - (uint64_t)e->start_seq;
    if (size != 0)
        --size; /* the SYN octet (or its stand-in for partial conns) */
    if (e->fin_cnt > 0 && size != 0)
        --size; /* the FIN octet */
    return size;
}

/* ---------------------------------------------------------------------
 * history (Session::CheckHistory / AddHistory / ScaledHistoryEntry)
 * --------------------------------------------------------------------- */
static void hist_add(tcpfsm_zeek_conn *z, char c)
{
    if (z->hist_len < TCPFSM_ZEEK_HISTORY_MAX) {
        z->history[z->hist_len++] = c;
        z->history[z->hist_len] = '\0';
    }
}

static void hist_replace(tcpfsm_zeek_conn *z, const char *h)
{
    size_t n = strlen(h);
    memcpy(z->history, h, n + 1);
    z->hist_len = (uint16_t)n;
}

/* Session::CheckHistory: true when the code was seen before; otherwise
 * records it and returns false.  hist_seen is a per-connection mask in
 * which the responder's bits sit 16 higher; Zeek does not swap them when
 * the roles flip, and neither do we. */
static bool conn_check_history(tcpfsm_zeek_conn *z, uint32_t mask, char code)
{
    if ((z->hist_seen & mask) == 0) {
        z->hist_seen |= mask;
        hist_add(z, code);
        return false;
    }
    return true;
}

/* Session::ScaledHistoryEntry with base 10: the letter is added at the
 * 1st, 10th, 100th... occurrence (C G T W). */
static void scaled_entry(tcpfsm_zeek_conn *z, const ep_t *e, char code,
                         uint32_t *cnt, uint32_t *thresh)
{
    if (++*cnt == *thresh) {
        hist_add(z, e->is_orig ? code : (char)tolower((unsigned char)code));
        uint32_t next = *thresh * 10u;
        if (next <= *thresh)
            *cnt = 0; /* wrapped: keep the threshold */
        else
            *thresh = next;
    }
}

static void set_inactivity_timeout(tcpfsm_zeek_conn *z, double timeout);

/* Conn.cc Connection::FlipRoles + TCPSessionAdapter::FlipRoles: swap the
 * roles (and with them the packet counts, which we keep per endpoint),
 * swap the first-packet-seen bits, clear is_partial, append '^'. */
static void flip_roles(tcpfsm_zeek_conn *z)
{
    z->orig ^= 1;
    z->ep[0].is_orig = !z->ep[0].is_orig;
    z->ep[1].is_orig = !z->ep[1].is_orig;
    uint8_t f = z->first_packet_seen;
    z->first_packet_seen = (uint8_t)(((f & FPS_ORIG) ? FPS_RESP : 0) |
                                     ((f & FPS_RESP) ? FPS_ORIG : 0));
    z->is_partial = false;
    hist_add(z, '^');
}

/* TCP_Endpoint::CheckHistory.  A connection whose history is exactly "H"
 * (it began with a SYN-ACK) is flipped as soon as an A or D is about to
 * be recorded, from either side, and the history becomes "^h"; then the
 * letter is checked with the (new) role of the sender. */
static bool ep_check_history(tcpfsm_zeek_conn *z, ep_t *e, uint32_t mask,
                             char code)
{
    if ((code == 'A' || code == 'D') && strcmp(z->history, "H") == 0) {
        flip_roles(z);
        hist_replace(z, "^h");
        z->first_packet_seen |= FPS_ORIG; /* SetFirstPacketSeen(true) */
    }
    if (!e->is_orig) {
        mask <<= 16;
        code = (char)tolower((unsigned char)code);
    }
    return conn_check_history(z, mask, code);
}

static void ep_add_history(tcpfsm_zeek_conn *z, const ep_t *e, char code)
{
    hist_add(z, e->is_orig ? code : (char)tolower((unsigned char)code));
}

/* TCPSessionAdapter.cc update_history */
static void update_history(tcpfsm_zeek_conn *z, ep_t *e, uint16_t flags,
                           uint64_t rel_seq, uint32_t len)
{
    bool syn = flags & TCPFSM_SYN, fin = flags & TCPFSM_FIN,
         rst = flags & TCPFSM_RST, ack = flags & TCPFSM_ACK;
    int bits = syn + fin + rst;

    if (bits > 1) {
        if (fin && rst)
            ep_check_history(z, e, HIST_FIN_RST, 'I');
        else
            ep_check_history(z, e, HIST_MULTI_FLAG, 'Q');
    } else if (bits == 1) {
        /* S/H, F and R: always the first time; later only when the
         * relative seq differs from the last one of that kind (for F the
         * seq after the payload). */
        if (syn) {
            char code = ack ? 'H' : 'S';
            if (ep_check_history(z, e, HIST_SYN, code) &&
                rel_seq != e->hist_last_syn)
                ep_add_history(z, e, code);
            e->hist_last_syn = rel_seq;
        }
        if (fin) {
            if (ep_check_history(z, e, HIST_FIN, 'F') &&
                rel_seq + len != e->hist_last_fin)
                ep_add_history(z, e, 'F');
            e->hist_last_fin = rel_seq + len;
        }
        if (rst) {
            if (ep_check_history(z, e, HIST_RST, 'R') &&
                rel_seq != e->hist_last_rst)
                ep_add_history(z, e, 'R');
            e->hist_last_rst = rel_seq;
        }
    } else {
        if (len)
            ep_check_history(z, e, HIST_DATA, 'D');
        else if (ack)
            ep_check_history(z, e, HIST_ACK, 'A');
    }
}

/* ---------------------------------------------------------------------
 * timers
 * --------------------------------------------------------------------- */
static void add_timer(tcpfsm_zeek_conn *z, enum timer_kind kind, double at)
{
    if (z->ntimers < TCPFSM_ZEEK_MAX_TIMERS) {
        z->timers[z->ntimers].at = at;
        z->timers[z->ntimers].kind = (uint8_t)kind;
        z->ntimers++;
    }
}

/* Analyzer::CancelTimers: the analyzer's timers only; the session's
 * inactivity timer stays. */
static void cancel_timers(tcpfsm_zeek_conn *z)
{
    z->ntimers = 0;
}

/* Session::SetInactivityTimeout: replaces the inactivity timer by one at
 * last_time + timeout. */
static void set_inactivity_timeout(tcpfsm_zeek_conn *z, double timeout)
{
    if (timeout == z->inactivity_timeout)
        return;
    z->inactivity_at = timeout > 0 ? z->last_time + timeout : INFINITY;
    z->inactivity_timeout = timeout;
}

/* TCP_Endpoint::SetState: leaving the handshake states (both endpoints
 * were in them) switches to tcp_inactivity_timeout. */
static void set_state(tcpfsm_zeek_conn *z, ep_t *e, int new_state)
{
    if (new_state == e->state)
        return;
    if (!is_handshake(new_state) && is_handshake(e->state) &&
        is_handshake(peer_of(z, e)->state))
        set_inactivity_timeout(z, z->opts.inactivity_timeout);
    e->prev_state = e->state;
    e->state = (uint8_t)new_state;
}

static void conn_remove(tcpfsm_zeek_conn *z, const char *why)
{
    if (!z->removed) {
        z->removed = true;
        z->removed_by = why;
    }
}

/* ---------------------------------------------------------------------
 * content gaps (TCP_Reassembler / Reassembler, byte ranges only)
 * --------------------------------------------------------------------- */
static bool is_clean(const ep_t *a)
{
    return a->state == TCPFSM_ZEEK_ESTABLISHED ||
           (a->state == TCPFSM_ZEEK_CLOSED &&
            a->prev_state == TCPFSM_ZEEK_ESTABLISHED);
}

/* TCP_Reassembler::Gap: counted in the history (G/g, scaled) only while
 * both endpoints are established or cleanly closing. */
static void reassem_gap(tcpfsm_zeek_conn *z, ep_t *e)
{
    if (is_clean(e) && is_clean(peer_of(z, e)))
        scaled_entry(z, e, 'G', &e->gap_cnt, &e->gap_thresh);
}

static void remove_block(ep_t *e, unsigned i)
{
    memmove(&e->blocks[i], &e->blocks[i + 1],
            (e->nblocks - i - 1) * sizeof e->blocks[0]);
    e->nblocks--;
}

static void reassem_trim(tcpfsm_zeek_conn *z, ep_t *e, uint64_t seq);

/* Reassembler "delivery": advance last_reassem_seq through the range that
 * holds it; then TCP_Reassembler::BlockInserted's trim when nothing has
 * been acked yet and the endpoint sent more than an initial window. */
static void reassem_deliver(tcpfsm_zeek_conn *z, ep_t *e)
{
    bool delivered = false;
    for (unsigned i = 0; i < e->nblocks; i++) {
        const tcpfsm_zeek_block *b = &e->blocks[i];
        if (b->seq <= e->last_reassem_seq && e->last_reassem_seq < b->upper) {
            e->last_reassem_seq = b->upper;
            delivered = true;
            break;
        }
    }
    if (delivered && no_data_acked(e) && ep_size(z, e) > MAX_INITIAL_WINDOW)
        reassem_trim(z, e, e->last_reassem_seq);
}

/* Inserts [seq, upper) keeping the ranges sorted, disjoint and not
 * adjacent. */
static void insert_range(ep_t *e, uint64_t seq, uint64_t upper)
{
    unsigned i = 0;
    while (i < e->nblocks && e->blocks[i].upper < seq)
        i++;
    /* merge with every range that touches [seq, upper) */
    unsigned j = i;
    while (j < e->nblocks && e->blocks[j].seq <= upper) {
        if (e->blocks[j].seq < seq)
            seq = e->blocks[j].seq;
        if (e->blocks[j].upper > upper)
            upper = e->blocks[j].upper;
        j++;
    }
    if (j > i) {
        e->blocks[i].seq = seq;
        e->blocks[i].upper = upper;
        for (unsigned k = i + 1; k < j; k++)
            remove_block(e, i + 1);
        return;
    }
    if (e->nblocks == e->blocks_cap && e->blocks_cap < TCPFSM_ZEEK_MAX_BLOCKS) {
        unsigned cap = e->blocks_cap ? e->blocks_cap * 2u : 4u;
        if (cap > TCPFSM_ZEEK_MAX_BLOCKS)
            cap = TCPFSM_ZEEK_MAX_BLOCKS;
        e->blocks = g_renew(tcpfsm_zeek_block, e->blocks, cap);
        e->blocks_cap = (uint8_t)cap;
    }
    if (e->nblocks == TCPFSM_ZEEK_MAX_BLOCKS) {
        /* full: merge the two ranges with the smallest hole between */
        unsigned best = 0;
        uint64_t best_hole = UINT64_MAX;
        for (unsigned k = 0; k + 1 < e->nblocks; k++) {
            uint64_t hole = e->blocks[k + 1].seq - e->blocks[k].upper;
            if (hole < best_hole) {
                best_hole = hole;
                best = k;
            }
        }
        e->blocks[best].upper = e->blocks[best + 1].upper;
        remove_block(e, best + 1);
        if (i > best)
            i--;
    }
    memmove(&e->blocks[i + 1], &e->blocks[i],
            (e->nblocks - i) * sizeof e->blocks[0]);
    e->blocks[i].seq = seq;
    e->blocks[i].upper = upper;
    e->nblocks++;
}

static uint64_t blocks_size(const ep_t *e)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < e->nblocks; i++)
        n += e->blocks[i].upper - e->blocks[i].seq;
    return n;
}

/* TCP_Reassembler::Undelivered: the peer acknowledged up to up_to but
 * we hold nothing there: each hole is a content gap. */
static void reassem_undelivered(tcpfsm_zeek_conn *z, ep_t *e, uint64_t up_to)
{
    if (up_to <= 2 && z->is_partial)
        /* partial connection: its faked ISN makes the first ack look
         * like one missing octet; Zeek ignores it (and leaves
         * last_reassem_seq where it was) */
        return;
    if (!e->skip_deliveries) {
        unsigned i = 0;
        while (i < e->nblocks) {
            const tcpfsm_zeek_block *b = &e->blocks[i];
            if (b->seq < e->last_reassem_seq) {
                i++;
                continue;
            }
            if (b->seq >= up_to)
                break;
            reassem_gap(z, e);
            e->last_reassem_seq = b->seq;
            reassem_deliver(z, e);
            i = 0;
        }
        if (up_to > e->last_reassem_seq)
            reassem_gap(z, e);
    }
    if (up_to > e->last_reassem_seq)
        e->last_reassem_seq = up_to;
}

/* Reassembler::TrimToSeq / DataBlockList::Trim */
static void reassem_trim(tcpfsm_zeek_conn *z, ep_t *e, uint64_t seq)
{
    if (seq > e->last_reassem_seq)
        reassem_undelivered(z, e, seq);
    while (e->nblocks > 0 && e->blocks[0].upper <= seq)
        remove_block(e, 0);
    if (e->nblocks > 0 && e->blocks[0].seq == e->last_reassem_seq)
        reassem_deliver(z, e);
    if (seq > e->trim_seq)
        e->trim_seq = seq;
}

/* TCP_Reassembler::DataPending: data sent by e not yet delivered, or the
 * peer still holds data e has not acknowledged. */
static bool data_pending(const tcpfsm_zeek_conn *z, const ep_t *e)
{
    if (e->skip_deliveries)
        return false;
    uint64_t delivered = (uint64_t)e->start_seq + e->last_reassem_seq;
    uint64_t last = full_seq(e->last_seq, e->seq_wraps);
    if (last < delivered)
        return false;
    if (delivered != last - 1 && delivered != last)
        return true;
    if (e->state != TCPFSM_ZEEK_RESET && cpeer_of(z, e)->nblocks > 0)
        return true;
    return false;
}

static void connection_closed(tcpfsm_zeek_conn *z, ep_t *e, ep_t *p,
                              bool gen_event);

/* TCP_Reassembler::CheckEOF -> TCPSessionAdapter::EndpointEOF: once a
 * closing endpoint has all its data delivered, a deferred close runs. */
static void check_eof(tcpfsm_zeek_conn *z, ep_t *e)
{
    if (!e->did_eof &&
        (e->fin_cnt > 0 || e->state == TCPFSM_ZEEK_CLOSED ||
         e->state == TCPFSM_ZEEK_RESET) &&
        !data_pending(z, e)) {
        e->did_eof = true;
        if (z->close_deferred) {
            connection_closed(z, e, peer_of(z, e), z->deferred_gen_event);
            z->close_deferred = false;
        }
    }
}

/* TCP_Reassembler::DataSent + Reassembler::NewBlock */
static void reassem_data_sent(tcpfsm_zeek_conn *z, ep_t *e, uint64_t seq,
                              uint32_t len)
{
    uint64_t ack = to_relative(e, e->ack_seq, e->ack_wraps);
    uint64_t upper = seq + len;

    if (e->skip_deliveries)
        return;
    if (seq < ack) {
        if (upper <= ack)
            return; /* delivered and acked already */
        seq = ack;
    }
    if (upper <= e->trim_seq)
        return; /* old data */
    if (seq < e->trim_seq)
        seq = e->trim_seq;
    insert_range(e, seq, upper);
    reassem_deliver(z, e);

    uint64_t undelivered =
        e->nblocks ? e->blocks[e->nblocks - 1].upper - e->last_reassem_seq
                   : 0;
    if ((no_data_acked(e) && e->nblocks &&
         e->blocks[e->nblocks - 1].upper > e->last_reassem_seq &&
         undelivered > MAX_ABOVE_HOLE) ||
        blocks_size(e) > EXCESSIVE_DATA) {
        /* above_hole_data_without_any_acks /
         * excessive_data_without_further_acks: Zeek stops reassembling */
        e->nblocks = 0;
        e->skip_deliveries = true;
    }
}

/* TCP_Reassembler::AckReceived (seq: the relative ack of e's data) */
static void reassem_ack_received(tcpfsm_zeek_conn *z, ep_t *e, uint64_t seq)
{
    if (e->fin_cnt > 0 && seq >= e->fin_seq)
        seq = e->fin_seq - 1;
    if (seq <= e->trim_seq)
        return;
    reassem_trim(z, e, seq);
    check_eof(z, e);
}

/* ---------------------------------------------------------------------
 * TCPSessionAdapter: closing
 * --------------------------------------------------------------------- */
static void connection_closed(tcpfsm_zeek_conn *z, ep_t *e, ep_t *p,
                              bool gen_event)
{
    if (data_pending(z, e)) {
        /* wait until the data is delivered (check_eof) */
        z->close_deferred = true;
        if (!z->deferred_gen_event)
            z->deferred_gen_event = gen_event;
        return;
    }
    z->close_deferred = false;
    if (e->did_close)
        return;
    e->did_close = true;

    bool complete = e->state == TCPFSM_ZEEK_RESET || p->did_close ||
                    p->state == TCPFSM_ZEEK_INACTIVE;
    if (complete) {
        if (e->prev_state != TCPFSM_ZEEK_INACTIVE ||
            p->state != TCPFSM_ZEEK_INACTIVE) {
            if (z->deferred_gen_event) {
                gen_event = true;
                z->deferred_gen_event = false;
            }
            if (gen_event)
                z->is_active = false; /* ConnectionFinished */
        }
        cancel_timers(z);
        add_timer(z, TM_CONN_DELETE, z->last_time + z->opts.close_delay);
    } else if (e->prev_state == TCPFSM_ZEEK_INACTIVE) {
        if (z->opts.partial_close_handler)
            add_timer(z, TM_PARTIAL_CLOSE,
                      z->last_time + z->opts.partial_close_delay);
    } else {
        add_timer(z, TM_EXPIRE, z->last_time + z->opts.session_timer);
    }
}

/* ---------------------------------------------------------------------
 * TCPSessionAdapter: the endpoint state machine
 * --------------------------------------------------------------------- */
static void update_inactive_state(tcpfsm_zeek_conn *z, double t, ep_t *e,
                                  ep_t *p, uint32_t base_seq, uint32_t len,
                                  bool is_orig, uint16_t flags, bool *do_close,
                                  bool *gen_event)
{
    bool syn = flags & TCPFSM_SYN, ack = flags & TCPFSM_ACK;

    if (syn) {
        if (is_orig) {
            /* SYN -> SYN_SENT; a SYN-ACK from the originator is a weird
             * and gives SYN_ACK_SENT */
            set_state(z, e, ack ? TCPFSM_ZEEK_SYN_ACK_SENT
                                : TCPFSM_ZEEK_SYN_SENT);
            if (z->opts.attempt_delay > 0)
                add_timer(z, TM_ATTEMPT, t + z->opts.attempt_delay);
        } else {
            if (!ack && p->state == TCPFSM_ZEEK_SYN_ACK_SENT &&
                base_seq == (uint32_t)e->start_seq) {
                /* SYN/SYN-ACK reversal: the SYN-ACK came first; flip
                 * and establish */
                z->is_partial = false;
                flip_roles(z);
                set_state(z, p, TCPFSM_ZEEK_ESTABLISHED);
                z->first_packet_seen |= FPS_ORIG;
            }
            if (p->state == TCPFSM_ZEEK_SYN_SENT)
                set_state(z, p, TCPFSM_ZEEK_ESTABLISHED);
            set_state(z, e, TCPFSM_ZEEK_ESTABLISHED);
        }
    }

    if (flags & TCPFSM_FIN) {
        set_state(z, e, TCPFSM_ZEEK_CLOSED);
        *do_close = *gen_event = true;
    }

    if (flags & TCPFSM_RST) {
        set_state(z, e, TCPFSM_ZEEK_RESET);
        bool is_reject = is_orig ? p->state == TCPFSM_ZEEK_ESTABLISHED
                                 : (p->state == TCPFSM_ZEEK_SYN_SENT ||
                                    p->state == TCPFSM_ZEEK_SYN_ACK_SENT);
        *do_close = true;
        *gen_event = !is_reject;
    }

    if (e->state == TCPFSM_ZEEK_INACTIVE) { /* no control flag moved it */
        if (!is_orig && len == 0 &&
            orig_ep(z)->state == TCPFSM_ZEEK_SYN_SENT) {
            /* a pure ACK of the SYN before the SYN-ACK: not partial */
        } else if (ack && p->state == TCPFSM_ZEEK_ESTABLISHED) {
            /* ACK after a SYN-ACK whose SYN we missed */
            set_state(z, e, TCPFSM_ZEEK_ESTABLISHED);
            z->is_partial = false;
            z->first_packet_seen |= is_orig ? FPS_ORIG : FPS_RESP;
        } else {
            set_state(z, e, TCPFSM_ZEEK_PARTIAL);
        }
    }
}

static void update_syn_sent_state(tcpfsm_zeek_conn *z, ep_t *e, uint16_t flags,
                                  bool *do_close, bool *gen_event)
{
    if (flags & TCPFSM_FIN) {
        set_state(z, e, TCPFSM_ZEEK_CLOSED);
        *do_close = *gen_event = true;
    }
    if (flags & TCPFSM_RST) {
        set_state(z, e, TCPFSM_ZEEK_RESET);
        z->is_active = false; /* ConnectionReset */
        *do_close = true;
    }
}

static void update_established_state(tcpfsm_zeek_conn *z, ep_t *e, ep_t *p,
                                     uint16_t flags, bool *do_close,
                                     bool *gen_event)
{
    if ((flags & TCPFSM_SYN) && e->state == TCPFSM_ZEEK_PARTIAL &&
        p->state == TCPFSM_ZEEK_INACTIVE && !(flags & TCPFSM_ACK))
        set_state(z, e, TCPFSM_ZEEK_SYN_SENT); /* SYN_after_partial */

    if ((flags & TCPFSM_FIN) && !(flags & TCPFSM_RST)) {
        set_state(z, e, TCPFSM_ZEEK_CLOSED);
        if (p->state == TCPFSM_ZEEK_RESET &&
            p->prev_state == TCPFSM_ZEEK_CLOSED)
            /* the peer sent FIN then RST: normal termination after all */
            set_state(z, p, TCPFSM_ZEEK_CLOSED);
        *do_close = *gen_event = true;
    }

    if (flags & TCPFSM_RST) {
        set_state(z, e, TCPFSM_ZEEK_RESET);
        *do_close = true;
        if (p->state != TCPFSM_ZEEK_RESET ||
            p->prev_state != TCPFSM_ZEEK_ESTABLISHED)
            z->is_active = false; /* ConnectionReset */
    }
}

static void update_closed_state(tcpfsm_zeek_conn *z, double t, ep_t *e,
                                uint16_t flags, bool *do_close)
{
    /* an RST after both FINs changes nothing */
    if ((flags & TCPFSM_RST) &&
        peer_of(z, e)->state != TCPFSM_ZEEK_CLOSED) {
        set_state(z, e, TCPFSM_ZEEK_RESET);
        if (!e->did_close)
            *do_close = true;
        if (z->opts.reset_handler)
            add_timer(z, TM_RESET, t + z->opts.reset_delay);
    }
}

static void update_state_machine(tcpfsm_zeek_conn *z, double t, ep_t *e,
                                 ep_t *p, uint32_t base_seq, uint32_t len,
                                 bool is_orig, uint16_t flags, bool *do_close,
                                 bool *gen_event)
{
    *do_close = *gen_event = false;
    switch (e->state) {
    case TCPFSM_ZEEK_INACTIVE:
        update_inactive_state(z, t, e, p, base_seq, len, is_orig, flags,
                              do_close, gen_event);
        break;
    case TCPFSM_ZEEK_SYN_SENT:
    case TCPFSM_ZEEK_SYN_ACK_SENT:
        update_syn_sent_state(z, e, flags, do_close, gen_event);
        break;
    case TCPFSM_ZEEK_ESTABLISHED:
    case TCPFSM_ZEEK_PARTIAL:
        update_established_state(z, e, p, flags, do_close, gen_event);
        break;
    case TCPFSM_ZEEK_CLOSED:
        update_closed_state(z, t, e, flags, do_close);
        break;
    default: /* RESET: terminal */
        break;
    }
}

/* ---------------------------------------------------------------------
 * TCPSessionAdapter: sequence bookkeeping
 * --------------------------------------------------------------------- */

/* init_endpoint: (re)initialise the sequence numbers of the sender. */
static void init_endpoint(ep_t *e, uint16_t flags, uint32_t first_seg_seq,
                          uint32_t last_seq)
{
    bool syn = flags & TCPFSM_SYN;
    switch (e->state) {
    case TCPFSM_ZEEK_INACTIVE:
        if (syn) {
            e->ack_seq = first_seg_seq;
            e->start_seq = first_seg_seq;
        } else {
            /* partial: number as though a SYN had been seen */
            e->ack_seq = first_seg_seq - 1;
            e->start_seq = (uint32_t)(first_seg_seq - 1);
            last_seq = first_seg_seq;
        }
        e->last_seq = last_seq;
        break;
    case TCPFSM_ZEEK_SYN_SENT:
    case TCPFSM_ZEEK_SYN_ACK_SENT:
        if (syn && first_seg_seq != (uint32_t)e->start_seq) {
            e->start_seq = first_seg_seq;
            e->ack_seq = first_seg_seq;
            e->last_seq = last_seq;
        }
        break;
    case TCPFSM_ZEEK_ESTABLISHED:
    case TCPFSM_ZEEK_PARTIAL:
        if (syn) {
            e->start_seq = first_seg_seq;
            e->ack_seq = first_seg_seq;
            e->last_seq = last_seq;
        }
        break;
    case TCPFSM_ZEEK_RESET:
        if (syn && e->prev_state == TCPFSM_ZEEK_INACTIVE) {
            e->start_seq = first_seg_seq;
            e->ack_seq = first_seg_seq;
            e->last_seq = last_seq;
        }
        break;
    default:
        break;
    }
}

/* get_relative_seq: seq relative to the endpoint's start, in a 64-bit
 * space that counts wraps; a seq before the start "underflows" (Zeek
 * then returns the negative 32-bit delta as a huge unsigned number). */
static uint64_t relative_seq(const ep_t *e, uint32_t cur, uint32_t last,
                             uint32_t wraps, bool *underflow)
{
    int32_t delta = seq_delta(cur, last);
    if (delta < 0) {
        if (wraps && cur > last)
            --wraps;
    } else if (delta > 0) {
        if (cur < last)
            ++wraps;
    }
    if (wraps == 0) {
        delta = seq_delta(cur, (uint32_t)e->start_seq);
        if (underflow && delta < 0)
            *underflow = true;
        return (uint64_t)(int64_t)delta;
    }
    return to_relative(e, cur, wraps);
}

static void update_last(ep_t *e, uint32_t seq)
{
    if (seq < e->last_seq)
        ++e->seq_wraps;
    e->last_seq = seq;
}

/* update_last_seq: advances the sender's highest seq; a segment with
 * payload that does not advance it is a retransmission (T/t, scaled). */
static int32_t update_last_seq(tcpfsm_zeek_conn *z, ep_t *e, uint32_t last_seq,
                               uint16_t flags, uint32_t len)
{
    int32_t delta = seq_delta(last_seq, e->last_seq);
    if ((flags & (TCPFSM_SYN | TCPFSM_RST)) &&
        (delta > TOO_LARGE_SEQ_DELTA || delta < -TOO_LARGE_SEQ_DELTA)) {
        /* do not trust far-off SYN/RST seqs */
    } else if ((flags & TCPFSM_FIN) &&
               e->last_seq == (uint32_t)e->start_seq + 1) {
        update_last(e, last_seq); /* SYN and FIN only: > 2 GB connections */
    } else if (e->state == TCPFSM_ZEEK_RESET) {
        /* nothing after our own RST */
    } else if (delta > 0) {
        update_last(e, last_seq);
    } else if (len > 0) {
        scaled_entry(z, e, 'T', &e->rxmt_cnt, &e->rxmt_thresh);
    }
    return delta;
}

/* update_ack_seq: the highest ack the peer has seen for e's data */
static void update_ack_seq(ep_t *e, uint32_t ack)
{
    int32_t delta = seq_delta(ack, e->ack_seq);
    if (ack == 0 && delta > TOO_LARGE_SEQ_DELTA) {
        /* more likely a broken ack than a wrap landing on 0 */
    } else if (delta > 0) {
        if (ack < e->ack_seq)
            ++e->ack_wraps;
        e->ack_seq = ack;
    }
}

/* SetPartialStatus: is_partial (no handshake from this side's first
 * packet); it only matters to the content-gap model. */
static void set_partial_status(tcpfsm_zeek_conn *z, uint16_t flags,
                               bool is_orig)
{
    bool syn = flags & TCPFSM_SYN, ack = flags & TCPFSM_ACK;
    if (is_orig) {
        if (!(z->first_packet_seen & FPS_ORIG))
            z->is_partial = !syn || ack;
    } else if (!(z->first_packet_seen & FPS_RESP) && !z->is_partial) {
        z->is_partial = !syn;
    }
}

/* ---------------------------------------------------------------------
 * public: one connection
 * --------------------------------------------------------------------- */
static void ep_init(ep_t *e, const tcpfsm_addr *a, uint16_t port,
                    bool is_orig)
{
    memset(e, 0, sizeof *e);
    e->addr = *a;
    e->port = port;
    e->is_orig = is_orig;
    e->state = e->prev_state = TCPFSM_ZEEK_INACTIVE;
    e->chk_thresh = e->gap_thresh = e->rxmt_thresh = e->win0_thresh = 1;
    e->last_reassem_seq = e->trim_seq = 1; /* Reassembler(1, ...) */
}

static bool is_ipv4_broadcast(const tcpfsm_addr *a)
{
    return a->family == 4 && a->bytes[0] == 0xff && a->bytes[1] == 0xff &&
           a->bytes[2] == 0xff && a->bytes[3] == 0xff;
}

void tcpfsm_zeek_conn_init(tcpfsm_zeek_conn *z, const tcpfsm_segment *first,
                           const tcpfsm_zeek_opts *opts)
{
    memset(z, 0, sizeof *z);
    if (opts)
        z->opts = *opts;
    else
        tcpfsm_zeek_opts_init(&z->opts);
    ep_init(&z->ep[0], &first->src, first->sport, true);
    ep_init(&z->ep[1], &first->dst, first->dport, false);
    z->orig = 0;
    z->is_active = true;
    z->history[0] = '\0';
    z->start_time = z->last_time =
        first->has_time ? zeek_time(first->time) : 0.0;
    z->first_frame = z->last_frame = first->frame;
    z->stream = first->stream;

    /* TCPAnalyzer::MakeSessionAdapter: udp_inactivity_timeout at first;
     * TCPSessionAdapter constructor: ExpireTimer after tcp_SYN_timeout */
    z->inactivity_timeout = -1;
    set_inactivity_timeout(z, z->opts.handshake_inactivity_timeout);
    add_timer(z, TM_EXPIRE, z->start_time + z->opts.syn_timeout);

    /* TCPAnalyzer::WantConnection: a connection that does not begin with
     * a pure SYN is flipped when its source port looks like a server's
     * and its destination port does not; when both do, only if it is
     * not a SYN-ACK and the source port is the lower.  Never toward a
     * broadcast address (IPBasedAnalyzer::NewConn). */
    uint16_t f = first->flags;
    bool flip = false;
    if (!(f & TCPFSM_SYN) || (f & TCPFSM_ACK)) {
        if (tcpfsm_zeek_likely_server_port(&z->opts, first->sport)) {
            if (tcpfsm_zeek_likely_server_port(&z->opts, first->dport))
                flip = !(f & TCPFSM_SYN) && first->sport < first->dport;
            else
                flip = true;
        }
    }
    if (flip && !is_ipv4_broadcast(&first->dst))
        flip_roles(z);
}

void tcpfsm_zeek_conn_release(tcpfsm_zeek_conn *z)
{
    for (int i = 0; i < 2; i++) {
        g_free(z->ep[i].blocks);
        z->ep[i].blocks = NULL;
        z->ep[i].nblocks = z->ep[i].blocks_cap = 0;
    }
}

/* TCPSessionAdapter::Process (plus TCPAnalyzer::DeliverPacket's checksum
 * test and the ConnSize packet count). */
void tcpfsm_zeek_conn_update_ex(tcpfsm_zeek_conn *z, const tcpfsm_segment *seg,
                                int64_t payload_caplen)
{
    ep_t *e = &z->ep[sender_index(z, seg)];
    ep_t *p = peer_of(z, e);
    /* Process()'s is_orig: as the packet arrived.  A flip inside this
     * packet leaves it stale, as in Zeek. */
    bool is_orig = e->is_orig;
    double t = seg->has_time ? zeek_time(seg->time) : z->last_time;
    uint16_t flags = seg->flags;
    bool syn = flags & TCPFSM_SYN, fin = flags & TCPFSM_FIN,
         rst = flags & TCPFSM_RST, ack = flags & TCPFSM_ACK;
    uint32_t base_seq = seg->seq, ack_seq = seg->ack, len = seg->len;

    z->last_frame = seg->frame;

    /* TCPAnalyzer::ValidateChecksum: letter C/c, packet dropped */
    if (seg->checksum == 0 && !z->opts.ignore_checksums) {
        scaled_entry(z, e, 'C', &e->chk_cnt, &e->chk_thresh);
        return;
    }

    set_partial_status(z, flags, e->is_orig);

    /* get_segment_len: SYN and FIN take a sequence number; an RST's
     * payload is not part of the stream */
    uint32_t seg_len = len + (syn ? 1 : 0) + (fin ? 1 : 0);
    if (rst)
        seg_len -= len;
    uint32_t seq_one_past = base_seq + seg_len;

    init_endpoint(e, flags, base_seq, seq_one_past);

    bool underflow = false;
    uint64_t rel_seq =
        relative_seq(e, base_seq, e->last_seq, e->seq_wraps, &underflow);

    update_history(z, e, flags, rel_seq, len);

    /* update_window: a zero window, except on or after an RST of the
     * sender or after the peer's FIN (the window scale cannot make a
     * non-zero window zero) */
    if (seg->has_window && seg->window == 0 && !rst &&
        p->state != TCPFSM_ZEEK_CLOSED && e->state != TCPFSM_ZEEK_RESET)
        scaled_entry(z, e, 'W', &e->win0_cnt, &e->win0_thresh);

    if (!orig_ep(z)->did_close || !resp_ep(z)->did_close)
        z->last_time = t;

    if (fin) {
        ++e->fin_cnt;
        e->fin_seq = rel_seq + seg_len;
    }
    if (rst)
        ++e->rst_cnt;

    uint64_t rel_ack = 0;
    if (ack) {
        if (p->state == TCPFSM_ZEEK_INACTIVE) {
            /* init_peer: number the peer as if its SYN had been seen */
            rel_ack = 1;
            p->start_seq = (uint32_t)(ack_seq - 1);
            p->ack_seq = ack_seq - 1;
            p->last_seq = ack_seq - 1;
        } else {
            bool ack_underflow = false;
            rel_ack = relative_seq(p, ack_seq, p->ack_seq, p->ack_wraps,
                                   &ack_underflow);
            if (ack_underflow)
                rel_ack = 0;
            else if (!rst) /* acks on RSTs are not trusted */
                update_ack_seq(p, ack_seq);
        }
    }

    update_last_seq(z, e, seq_one_past, flags, len);

    bool do_close, gen_event;
    update_state_machine(z, t, e, p, base_seq, len, is_orig, flags,
                         &do_close, &gen_event);

    /* after the state machine, so that gaps revealed by the ack of an
     * RST (sender no longer "clean") are not counted */
    if (ack)
        reassem_ack_received(z, p, rel_ack);

    /* CheckPIA_FirstPacket, with the stale is_orig */
    if (is_orig)
        z->first_packet_seen |= FPS_ORIG;
    else
        z->first_packet_seen |= FPS_RESP;

    uint64_t rel_data_seq = syn ? rel_seq + 1 : rel_seq;
    bool complete = payload_caplen < 0 || (uint64_t)payload_caplen >= len;
    if (len > 0 && !rst && !underflow && complete)
        reassem_data_sent(z, e, rel_data_seq, len);

    check_eof(z, e);

    if (do_close)
        connection_closed(z, e, p, gen_event);

    e->pkts++; /* ConnSize_Analyzer::DeliverPacket */
}

void tcpfsm_zeek_conn_update(tcpfsm_zeek_conn *z, const tcpfsm_segment *seg)
{
    tcpfsm_zeek_conn_update_ex(z, seg, -1);
}

bool tcpfsm_zeek_conn_is_reuse(const tcpfsm_zeek_conn *z,
                               const tcpfsm_segment *seg)
{
    /* TCPSessionAdapter::IsReuse: only a SYN (a SYN-ACK only when the
     * originator was never seen) starts a new connection: always once
     * either side has closed, else when its seq is not the start seq of
     * the side it would open (the SYN/SYN-ACK reversal excepted). */
    const ep_t *o = corig(z), *r = cresp(z);
    const ep_t *conn_orig = o;
    if (!(seg->flags & TCPFSM_SYN))
        return false;
    if (seg->flags & TCPFSM_ACK) {
        if (o->state != TCPFSM_ZEEK_INACTIVE)
            return false;
        conn_orig = r;
    }
    if (!o->did_close && !r->did_close) {
        if (seg->seq == (uint32_t)conn_orig->start_seq)
            return false;
        if (!(seg->flags & TCPFSM_ACK) &&
            conn_orig->state == TCPFSM_ZEEK_SYN_ACK_SENT &&
            r->state == TCPFSM_ZEEK_INACTIVE &&
            seg->seq == (uint32_t)r->start_seq)
            return false;
    }
    return true;
}

/* main.zeek conn_state(): the history fully matches the pattern
 * \^?S[^HAFGIQ]*R.* (optional caret, S, no H A F G I Q before an R). */
static bool history_is_rstos0(const char *h)
{
    if (*h == '^')
        h++;
    if (*h++ != 'S')
        return false;
    for (; *h; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h))
            return false;
    }
    return false;
}

const char *tcpfsm_zeek_conn_state(const tcpfsm_zeek_conn *z)
{
    const ep_t *o = corig(z), *r = cresp(z);
    int os = o->state, rs = r->state;
    bool o_inactive = os == TCPFSM_ZEEK_INACTIVE || os == TCPFSM_ZEEK_PARTIAL;
    bool r_inactive = rs == TCPFSM_ZEEK_INACTIVE || rs == TCPFSM_ZEEK_PARTIAL;

    if (rs == TCPFSM_ZEEK_RESET) {
        if (os == TCPFSM_ZEEK_SYN_SENT || os == TCPFSM_ZEEK_SYN_ACK_SENT ||
            (os == TCPFSM_ZEEK_RESET && ep_size(z, o) == 0 &&
             ep_size(z, r) == 0))
            return "REJ";
        return o_inactive ? "RSTRH" : "RSTR";
    }
    if (os == TCPFSM_ZEEK_RESET) {
        if (r_inactive)
            return history_is_rstos0(z->history) ? "RSTOS0" : "OTH";
        return "RSTO";
    }
    if (rs == TCPFSM_ZEEK_CLOSED && os == TCPFSM_ZEEK_CLOSED)
        return "SF";
    if (os == TCPFSM_ZEEK_CLOSED)
        return r_inactive ? "SH" : "S2";
    if (rs == TCPFSM_ZEEK_CLOSED)
        return o_inactive ? "SHR" : "S3";
    if (os == TCPFSM_ZEEK_SYN_SENT && rs == TCPFSM_ZEEK_INACTIVE)
        return "S0";
    if (os == TCPFSM_ZEEK_ESTABLISHED && rs == TCPFSM_ZEEK_ESTABLISHED)
        return "S1";
    return "OTH";
}

const char *tcpfsm_zeek_conn_history(const tcpfsm_zeek_conn *z)
{
    return z->history;
}

void tcpfsm_zeek_conn_orig(const tcpfsm_zeek_conn *z, tcpfsm_addr *addr,
                           uint16_t *port)
{
    if (addr)
        *addr = corig(z)->addr;
    if (port)
        *port = corig(z)->port;
}

void tcpfsm_zeek_conn_resp(const tcpfsm_zeek_conn *z, tcpfsm_addr *addr,
                           uint16_t *port)
{
    if (addr)
        *addr = cresp(z)->addr;
    if (port)
        *port = cresp(z)->port;
}

bool tcpfsm_zeek_conn_is_orig(const tcpfsm_zeek_conn *z,
                              const tcpfsm_segment *seg)
{
    return sender_index(z, seg) == z->orig;
}

uint64_t tcpfsm_zeek_conn_orig_pkts(const tcpfsm_zeek_conn *z)
{
    return corig(z)->pkts;
}

uint64_t tcpfsm_zeek_conn_resp_pkts(const tcpfsm_zeek_conn *z)
{
    return cresp(z)->pkts;
}

tcpfsm_zeek_ep_state tcpfsm_zeek_conn_orig_state(const tcpfsm_zeek_conn *z)
{
    return (tcpfsm_zeek_ep_state)corig(z)->state;
}

tcpfsm_zeek_ep_state tcpfsm_zeek_conn_resp_state(const tcpfsm_zeek_conn *z)
{
    return (tcpfsm_zeek_ep_state)cresp(z)->state;
}

uint64_t tcpfsm_zeek_conn_orig_size(const tcpfsm_zeek_conn *z)
{
    return ep_size(z, corig(z));
}

uint64_t tcpfsm_zeek_conn_resp_size(const tcpfsm_zeek_conn *z)
{
    return ep_size(z, cresp(z));
}

double tcpfsm_zeek_conn_start_time(const tcpfsm_zeek_conn *z)
{
    return z->start_time;
}

double tcpfsm_zeek_conn_duration(const tcpfsm_zeek_conn *z)
{
    return z->last_time - z->start_time;
}

bool tcpfsm_zeek_conn_removed(const tcpfsm_zeek_conn *z)
{
    return z->removed;
}

const char *tcpfsm_zeek_conn_removed_by(const tcpfsm_zeek_conn *z)
{
    return z->removed_by ? z->removed_by : "";
}

/* Earliest pending timer: index into timers[], or -1 for the inactivity
 * timer, or -2 for none. */
static int next_timer_index(const tcpfsm_zeek_conn *z, double *at)
{
    int best = -2;
    double best_at = INFINITY;
    for (unsigned i = 0; i < z->ntimers; i++) {
        if (z->timers[i].at < best_at) {
            best_at = z->timers[i].at;
            best = (int)i;
        }
    }
    if (z->inactivity_at < best_at) {
        best_at = z->inactivity_at;
        best = -1;
    }
    *at = best_at;
    return best;
}

double tcpfsm_zeek_conn_next_timer(const tcpfsm_zeek_conn *z)
{
    double at;
    if (z->removed)
        return INFINITY;
    next_timer_index(z, &at);
    return at;
}

/* Timer bodies; t is the network time at dispatch. */
static void expire_timer(tcpfsm_zeek_conn *z, double t)
{
    /* TCPSessionAdapter::ExpireTimer */
    if (!z->is_active)
        return;
    const ep_t *o = orig_ep(z), *r = resp_ep(z);
    if (z->last_time + z->opts.connection_linger < t) {
        if (o->did_close || r->did_close) {
            /* both closed, or one RST, or half-closed */
            if ((o->did_close && r->did_close) ||
                o->state == TCPFSM_ZEEK_RESET ||
                r->state == TCPFSM_ZEEK_RESET ||
                o->state == TCPFSM_ZEEK_INACTIVE ||
                r->state == TCPFSM_ZEEK_INACTIVE) {
                z->is_active = false;
                conn_remove(z, "expire");
                return;
            }
        }
        if (r->state == TCPFSM_ZEEK_INACTIVE &&
            o->state == TCPFSM_ZEEK_INACTIVE) {
            conn_remove(z, "expire"); /* nothing ever happened */
            return;
        }
    }
    /* a time stamp so large (> 2^55 s) that t + 6 == t would re-arm the
     * timer at the time it is dispatched, forever: no re-arming then */
    if (t + z->opts.session_timer > t)
        add_timer(z, TM_EXPIRE, t + z->opts.session_timer);
}

static void attempt_timer(tcpfsm_zeek_conn *z)
{
    /* AttemptTimer: still only a SYN from the originator, nothing back */
    if (!z->is_active)
        return;
    const ep_t *o = orig_ep(z), *r = resp_ep(z);
    if ((o->state == TCPFSM_ZEEK_SYN_SENT ||
         o->state == TCPFSM_ZEEK_SYN_ACK_SENT) &&
        r->state == TCPFSM_ZEEK_INACTIVE) {
        z->is_active = false;
        conn_remove(z, "attempt");
    }
}

static void partial_close_timer(tcpfsm_zeek_conn *z)
{
    if (!z->is_active)
        return;
    const ep_t *o = orig_ep(z), *r = resp_ep(z);
    if (o->state != TCPFSM_ZEEK_INACTIVE && r->state != TCPFSM_ZEEK_INACTIVE &&
        (!o->did_close || !r->did_close)) {
        if (o->state == TCPFSM_ZEEK_RESET || r->state == TCPFSM_ZEEK_RESET)
            return;
        conn_remove(z, "partial-close");
    }
}

static void reset_timer(tcpfsm_zeek_conn *z)
{
    if (!z->is_active)
        return;
    z->is_active = false;
    conn_remove(z, "reset");
}

bool tcpfsm_zeek_conn_run_timer(tcpfsm_zeek_conn *z, double now)
{
    double at;
    if (z->removed)
        return false;
    int i = next_timer_index(z, &at);
    if (i == -2 || !(at <= now))
        return false;
    if (i == -1) {
        /* Session::InactivityTimer */
        if (z->last_time + z->inactivity_timeout <= now)
            conn_remove(z, "inactivity");
        else
            z->inactivity_at = z->last_time + z->inactivity_timeout;
        return z->removed;
    }
    enum timer_kind kind = (enum timer_kind)z->timers[i].kind;
    /* the timer leaves the list before it runs (it may add others) */
    z->timers[i] = z->timers[z->ntimers - 1];
    z->ntimers--;
    switch (kind) {
    case TM_EXPIRE:
        expire_timer(z, now);
        break;
    case TM_ATTEMPT:
        attempt_timer(z);
        break;
    case TM_PARTIAL_CLOSE:
        partial_close_timer(z);
        break;
    case TM_RESET:
        reset_timer(z);
        break;
    case TM_CONN_DELETE:
        conn_remove(z, "close");
        break;
    default:
        break;
    }
    return z->removed;
}

/* ---------------------------------------------------------------------
 * session table
 * --------------------------------------------------------------------- */
typedef struct zentry zentry;
struct zentry {
    tcpfsm_flowkey key;
    uint64_t uid;
    double queued_at; /* time of this entry's live heap item */
    tcpfsm_link lru;  /* least recently active first */
    tcpfsm_zeek_conn conn;
};

typedef struct heap_item {
    double at;
    uint64_t serial; /* FIFO among equal times */
    uint64_t uid;
} heap_item;

struct tcpfsm_zeek_table {
    tcpfsm_zeek_opts opts;
    tcpfsm_zeek_record_fn on_record;
    void *user;
    tcpfsm_flowtab by_key; /* 4-tuple -> zentry (the key lives in it) */
    tcpfsm_flowtab by_uid; /* uid -> zentry */
    tcpfsm_heap heap;      /* heap_item, min-heap on (at, serial) */
    uint64_t next_uid, next_serial;
    double network_time;
    const tcpfsm_zeek_conn *last;
    uint64_t last_uid;
    tcpfsm_list lru;
    size_t max_open;    /* 0 = no limit */
    uint64_t evictions;
};

#define ZENTRY(link) TCPFSM_CONTAINER_OF(link, zentry, lru)

static zentry *by_uid(const tcpfsm_zeek_table *t, uint64_t uid)
{
    return tcpfsm_flowtab_find_u64(&t->by_uid, uid);
}

/* 5-tuple key, the same in both orientations */
static bool make_key(const tcpfsm_segment *seg, tcpfsm_flowkey *k)
{
    if (addr_len(&seg->src) == 0 || seg->dst.family != seg->src.family)
        return false;
    tcpfsm_flowkey_make(k, &seg->src, seg->sport, &seg->dst, seg->dport);
    return true;
}

static bool heap_less(const void *a, const void *b)
{
    const heap_item *x = a, *y = b;
    return x->at < y->at || (x->at == y->at && x->serial < y->serial);
}

static void heap_push(tcpfsm_zeek_table *t, double at, uint64_t uid)
{
    heap_item it = {at, t->next_serial++, uid};
    if (!tcpfsm_heap_push(&t->heap, &it))
        g_error("out of memory"); /* as GLib's allocators did */
}

/* Queue the entry's earliest timer if it is earlier than the one queued. */
static void schedule(tcpfsm_zeek_table *t, zentry *en)
{
    if (!t->opts.timers)
        return;
    double at = tcpfsm_zeek_conn_next_timer(&en->conn);
    if (isfinite(at) && at < en->queued_at) {
        en->queued_at = at;
        heap_push(t, at, en->uid);
    }
}

static bool item_live(const void *item, void *user)
{
    const heap_item *h = item;
    zentry *en = by_uid(user, h->uid);
    return en && en->queued_at == h->at;
}

/* Drops the timer items of connections already gone once they outnumber
 * the live ones (an eviction leaves its items behind; under a SYN flood
 * they would grow with the flood, not with the table). */
static void heap_compact(tcpfsm_zeek_table *t)
{
    size_t live = tcpfsm_flowtab_count(&t->by_uid);
    if (t->heap.len < 4096 || t->heap.len < 2 * live + 1024)
        return;
    tcpfsm_heap_filter(&t->heap, item_live, t);
}

static void emit_and_free(tcpfsm_zeek_table *t, zentry *en, const char *why)
{
    const tcpfsm_zeek_conn *z = &en->conn;
    tcpfsm_zeek_record r;
    memset(&r, 0, sizeof r);
    r.uid = en->uid;
    tcpfsm_zeek_conn_orig(z, &r.orig_h, &r.orig_p);
    tcpfsm_zeek_conn_resp(z, &r.resp_h, &r.resp_p);
    r.conn_state = tcpfsm_zeek_conn_state(z);
    r.history = z->history;
    r.orig_state = tcpfsm_zeek_conn_orig_state(z);
    r.resp_state = tcpfsm_zeek_conn_resp_state(z);
    r.orig_pkts = tcpfsm_zeek_conn_orig_pkts(z);
    r.resp_pkts = tcpfsm_zeek_conn_resp_pkts(z);
    r.orig_size = tcpfsm_zeek_conn_orig_size(z);
    r.resp_size = tcpfsm_zeek_conn_resp_size(z);
    r.first_frame = z->first_frame;
    r.last_frame = z->last_frame;
    r.stream = z->stream;
    r.ts = z->start_time;
    r.duration = tcpfsm_zeek_conn_duration(z);
    r.removed_by = z->removed ? z->removed_by : why;
    if (t->last == z)
        t->last = NULL;
    if (t->on_record)
        t->on_record(&r, t->user);
    tcpfsm_flowtab_remove(&t->by_key, en, tcpfsm_flowkey_hash(&en->key));
    tcpfsm_flowtab_remove(&t->by_uid, en, tcpfsm_u64_hash(en->uid));
    tcpfsm_list_unlink(&t->lru, &en->lru);
    tcpfsm_zeek_conn_release(&en->conn);
    g_free(en);
}

/* Dispatch every timer due at network time `now`, in time order across
 * connections (Zeek's timer manager, before each packet). */
static void run_timers(tcpfsm_zeek_table *t, double now)
{
    const heap_item *top;
    while ((top = tcpfsm_heap_top(&t->heap)) && top->at <= now) {
        heap_item it;
        tcpfsm_heap_pop(&t->heap, &it);
        zentry *en = by_uid(t, it.uid);
        if (!en || en->queued_at != it.at)
            continue; /* gone, or a stale item */
        en->queued_at = INFINITY;
        if (tcpfsm_zeek_conn_run_timer(&en->conn, now)) {
            emit_and_free(t, en, en->conn.removed_by);
            continue;
        }
        schedule(t, en);
    }
}

tcpfsm_zeek_table *tcpfsm_zeek_table_new(const tcpfsm_zeek_opts *opts,
                                         tcpfsm_zeek_record_fn on_record,
                                         void *user)
{
    tcpfsm_zeek_table *t = g_new0(tcpfsm_zeek_table, 1);
    if (opts)
        t->opts = *opts;
    else
        tcpfsm_zeek_opts_init(&t->opts);
    t->on_record = on_record;
    t->user = user;
    tcpfsm_flowtab_init(&t->by_key, offsetof(zentry, key),
                        sizeof(tcpfsm_flowkey));
    tcpfsm_flowtab_init(&t->by_uid, offsetof(zentry, uid), sizeof(uint64_t));
    tcpfsm_heap_init(&t->heap, sizeof(heap_item), heap_less);
    t->next_uid = 1;
    t->network_time = -INFINITY;
    t->max_open = TCPFSM_DEFAULT_MAX_OPEN;
    return t;
}

void tcpfsm_zeek_table_set_max_open(tcpfsm_zeek_table *t, size_t max_open)
{
    t->max_open = max_open;
}

uint64_t tcpfsm_zeek_table_evictions(const tcpfsm_zeek_table *t)
{
    return t->evictions;
}

static zentry *new_entry(tcpfsm_zeek_table *t, const tcpfsm_flowkey *k,
                         const tcpfsm_segment *seg)
{
    zentry *en = g_new0(zentry, 1);
    en->key = *k;
    en->uid = t->next_uid++;
    en->queued_at = INFINITY;
    tcpfsm_zeek_conn_init(&en->conn, seg, &t->opts);
    if (!tcpfsm_flowtab_insert(&t->by_key, en, tcpfsm_flowkey_hash(k)) ||
        !tcpfsm_flowtab_insert(&t->by_uid, en, tcpfsm_u64_hash(en->uid)))
        g_error("out of memory"); /* as GLib's tables did */
    tcpfsm_list_append(&t->lru, &en->lru);
    /* over the cap: the connection idle the longest is reported now, as
     * removed_by "evicted" (never the new one) */
    if (t->max_open) {
        while (tcpfsm_flowtab_count(&t->by_key) > t->max_open &&
               t->lru.head != &en->lru) {
            t->evictions++;
            emit_and_free(t, ZENTRY(t->lru.head), "evicted");
        }
        heap_compact(t);
    }
    return en;
}

int tcpfsm_zeek_table_feed_ex(tcpfsm_zeek_table *t, const tcpfsm_segment *seg,
                              int64_t payload_caplen)
{
    tcpfsm_flowkey k;
    if (!make_key(seg, &k))
        return TCPFSM_E_NOADDR;

    /* network time never goes back (run_state::dispatch_packet) */
    if (seg->has_time && zeek_time(seg->time) > t->network_time)
        t->network_time = zeek_time(seg->time);
    if (t->opts.timers && isfinite(t->network_time))
        run_timers(t, t->network_time);

    /* IPBasedAnalyzer::AnalyzePacket: find the connection; a reusing SYN
     * removes it and starts another.  Both before the checksum test. */
    zentry *en = tcpfsm_flowtab_find(&t->by_key, &k, tcpfsm_flowkey_hash(&k));
    if (en && tcpfsm_zeek_conn_is_reuse(&en->conn, seg)) {
        emit_and_free(t, en, "reuse");
        en = NULL;
    }
    if (!en)
        en = new_entry(t, &k, seg);

    tcpfsm_list_to_tail(&t->lru, &en->lru);
    tcpfsm_zeek_conn_update_ex(&en->conn, seg, payload_caplen);
    t->last = &en->conn;
    t->last_uid = en->uid;
    schedule(t, en);
    return 0;
}

int tcpfsm_zeek_table_feed(tcpfsm_zeek_table *t, const tcpfsm_segment *seg)
{
    return tcpfsm_zeek_table_feed_ex(t, seg, -1);
}

const tcpfsm_zeek_conn *tcpfsm_zeek_table_last_conn(const tcpfsm_zeek_table *t)
{
    return t->last;
}

uint64_t tcpfsm_zeek_table_last_uid(const tcpfsm_zeek_table *t)
{
    return t->last_uid;
}

size_t tcpfsm_zeek_table_count(const tcpfsm_zeek_table *t)
{
    return tcpfsm_flowtab_count(&t->by_key);
}

static gint cmp_entry_uid(gconstpointer a, gconstpointer b)
{
    const zentry *x = *(zentry *const *)a, *y = *(zentry *const *)b;
    return (x->uid > y->uid) - (x->uid < y->uid);
}

void tcpfsm_zeek_table_finish(tcpfsm_zeek_table *t)
{
    GPtrArray *all = g_ptr_array_new();
    void *val;
    for (size_t i = 0; (val = tcpfsm_flowtab_next(&t->by_key, &i));)
        g_ptr_array_add(all, val);
    g_ptr_array_sort(all, cmp_entry_uid);
    for (guint i = 0; i < all->len; i++)
        emit_and_free(t, g_ptr_array_index(all, i), "finish");
    g_ptr_array_free(all, TRUE);
    tcpfsm_heap_clear(&t->heap);
    t->last = NULL;
}

void tcpfsm_zeek_table_free(tcpfsm_zeek_table *t)
{
    if (!t)
        return;
    void *val;
    for (size_t i = 0; (val = tcpfsm_flowtab_next(&t->by_key, &i));) {
        tcpfsm_zeek_conn_release(&((zentry *)val)->conn);
        g_free(val);
    }
    tcpfsm_flowtab_free(&t->by_key);
    tcpfsm_flowtab_free(&t->by_uid);
    tcpfsm_heap_free(&t->heap);
    g_free(t);
}
