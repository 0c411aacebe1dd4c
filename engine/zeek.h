/* zeek.h - Zeek-compatible connection verdicts: conn_state and history.
 *
 * A self-contained model of how Zeek's TCP analysis arrives at the
 * `conn_state` and `history` columns of conn.log, so that tcpfsm's
 * summaries can be joined with Zeek's logs (SPEC.md section 5).  It follows
 * Zeek at commit a13de64f (see ../shared/captures/zeek/ZEEK-DEFINITIONS.md);
 * zeek.c names, rule by rule, the Zeek function each rule comes from.
 *
 * Two layers:
 *  - tcpfsm_zeek_conn: one Zeek connection (caller-allocated; its
 *    reassembly ranges live on the heap once data is out of order or not
 *    yet acked: tcpfsm_zeek_conn_release() frees them).
 *    Knows its endpoints' Zeek states, the history string, the packet
 *    counts and the timers Zeek would have pending for it.
 *  - tcpfsm_zeek_table: a session table like Zeek's for `--zeek` mode:
 *    finds the connection of each segment by 5-tuple, starts new ones
 *    where Zeek does (SYN reuse, after timer removal), runs the timers and
 *    hands out one record per Zeek connection when Zeek would log it.
 *
 * Depends on tcpfsm.h (the segment struct) and, for the table only, GLib.
 */
#ifndef TCPFSM_ZEEK_H
#define TCPFSM_ZEEK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpfsm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- options ---- */
typedef struct tcpfsm_zeek_opts {
    /* Zeek run with -b (bare mode): likely_server_ports holds no TCP port.
     * Otherwise it holds the TCP ports the default analyzers register
     * (list and source in zeek.c). */
    bool bare;
    /* Zeek run with -C (or the sender in ignore_checksums_nets): a bad
     * checksum (segment checksum == 0) is not recorded nor dropped. */
    bool ignore_checksums;
    /* Run Zeek's connection timers (removal by attempt, inactivity, close
     * timers).  false = no timer ever fires before the end of input, as
     * in baselines made with more timers than max_timer_expires. */
    bool timers;
    double attempt_delay;       /* tcp_attempt_delay, 5 s */
    double inactivity_timeout;  /* tcp_inactivity_timeout, 5 min */
    double close_delay;         /* tcp_close_delay, 5 s */
    double reset_delay;         /* tcp_reset_delay, 5 s (needs reset_handler) */
    double partial_close_delay; /* tcp_partial_close_delay, 3 s (needs
                                   partial_close_handler) */
    /* Further Zeek constants the timers use (init-bare.zeek): */
    double handshake_inactivity_timeout; /* udp_inactivity_timeout, 1 min:
                                   a TCP connection starts with it and gets
                                   tcp_inactivity_timeout once an endpoint
                                   leaves the handshake states */
    double syn_timeout;         /* tcp_SYN_timeout, 5 s: first ExpireTimer */
    double session_timer;       /* tcp_session_timer, 6 s: ExpireTimer period */
    double connection_linger;   /* tcp_connection_linger, 5 s */
    /* Zeek arms ResetTimer / PartialCloseTimer only when a loaded script
     * handles connection_reset / connection_partial_close; no script of
     * the default set does, so both are false by default. */
    bool reset_handler;
    bool partial_close_handler;
} tcpfsm_zeek_opts;

/* Zeek's defaults (full mode, checksums checked, timers on). */
void tcpfsm_zeek_opts_init(tcpfsm_zeek_opts *o);

/* Is `port` (TCP) in likely_server_ports for these options? */
bool tcpfsm_zeek_likely_server_port(const tcpfsm_zeek_opts *o, uint16_t port);

/* ---- Zeek's per-endpoint states (TCP_Endpoint.h EndpointState) ---- */
typedef enum tcpfsm_zeek_ep_state {
    TCPFSM_ZEEK_INACTIVE = 0,
    TCPFSM_ZEEK_SYN_SENT = 1,
    TCPFSM_ZEEK_SYN_ACK_SENT = 2,
    TCPFSM_ZEEK_PARTIAL = 3,
    TCPFSM_ZEEK_ESTABLISHED = 4,
    TCPFSM_ZEEK_CLOSED = 5,
    TCPFSM_ZEEK_RESET = 6
} tcpfsm_zeek_ep_state;

/* "INACTIVE", "SYN_SENT", ... */
const char *tcpfsm_zeek_ep_state_name(tcpfsm_zeek_ep_state s);

/* ---- one Zeek connection ---- */
#define TCPFSM_ZEEK_HISTORY_MAX 128 /* letters kept (Zeek has no limit) */
#define TCPFSM_ZEEK_MAX_BLOCKS 32   /* reassembly ranges kept per side */
#define TCPFSM_ZEEK_MAX_TIMERS 8

/* Internal: members are private; use the functions below. */
typedef struct tcpfsm_zeek_block {
    uint64_t seq, upper; /* relative sequence range [seq, upper) */
} tcpfsm_zeek_block;

typedef struct tcpfsm_zeek_endpoint {
    tcpfsm_addr addr;
    uint16_t port;
    uint8_t state, prev_state; /* tcpfsm_zeek_ep_state */
    bool is_orig;
    bool did_close;
    int64_t start_seq;
    uint32_t last_seq, ack_seq, seq_wraps, ack_wraps;
    uint32_t fin_cnt, rst_cnt;
    uint64_t fin_seq;
    uint64_t hist_last_syn, hist_last_fin, hist_last_rst;
    uint32_t chk_cnt, chk_thresh, gap_cnt, gap_thresh;
    uint32_t rxmt_cnt, rxmt_thresh, win0_cnt, win0_thresh;
    uint64_t pkts;
    /* content-gap model (TCP_Reassembler) */
    uint64_t last_reassem_seq, trim_seq;
    bool skip_deliveries, did_eof;
    uint8_t nblocks, blocks_cap;
    /* heap, NULL until the first range: most endpoints hold none or one,
     * and 32 inline ranges per side were 60% of a connection's memory */
    tcpfsm_zeek_block *blocks;
} tcpfsm_zeek_endpoint;

typedef struct tcpfsm_zeek_timer {
    double at;
    uint8_t kind;
} tcpfsm_zeek_timer;

typedef struct tcpfsm_zeek_conn {
    tcpfsm_zeek_opts opts;
    tcpfsm_zeek_endpoint ep[2]; /* ep[0]: sender of the first packet */
    uint8_t orig;               /* index of the current originator */
    uint8_t first_packet_seen;
    bool is_partial, is_active, close_deferred, deferred_gen_event;
    bool removed;
    uint32_t hist_seen;
    uint16_t hist_len;
    char history[TCPFSM_ZEEK_HISTORY_MAX + 1];
    double start_time, last_time;
    double inactivity_timeout, inactivity_at;
    uint8_t ntimers;
    tcpfsm_zeek_timer timers[TCPFSM_ZEEK_MAX_TIMERS];
    uint64_t first_frame, last_frame;
    int64_t stream;
    const char *removed_by;
} tcpfsm_zeek_conn;

/* Starts a connection from the first segment Zeek sees for its 5-tuple:
 * the sender is the originator unless the port heuristic flips it
 * (TCP.cc WantConnection).  Does not consume the segment: pass the same
 * segment to tcpfsm_zeek_conn_update() next.  opts is copied. */
void tcpfsm_zeek_conn_init(tcpfsm_zeek_conn *z, const tcpfsm_segment *first,
                           const tcpfsm_zeek_opts *opts);

/* Frees what the connection holds on the heap (the reassembly ranges);
 * call it once when done with a connection.  The struct itself is the
 * caller's. */
void tcpfsm_zeek_conn_release(tcpfsm_zeek_conn *z);

/* One segment of this connection (either direction), in capture order.
 * seg->checksum == 0 means a bad checksum: letter C/c and the segment is
 * otherwise ignored, unless opts->ignore_checksums. */
void tcpfsm_zeek_conn_update(tcpfsm_zeek_conn *z, const tcpfsm_segment *seg);

/* Same, saying how many payload bytes the capture holds (-1 = unknown,
 * taken as all of seg->len).  Zeek gives a segment's payload to its
 * reassembler only when the whole payload was captured, so on a capture
 * cut by a snap length the ACKs reveal content gaps (letter G).
 * (tcpfsm_segment has no member for this: frame.len - frame.cap_len.) */
void tcpfsm_zeek_conn_update_ex(tcpfsm_zeek_conn *z,
                                const tcpfsm_segment *seg,
                                int64_t payload_caplen);

/* Would Zeek take this segment as the start of a new connection on the
 * same 5-tuple (TCPSessionAdapter::IsReuse)?  Ask before update(). */
bool tcpfsm_zeek_conn_is_reuse(const tcpfsm_zeek_conn *z,
                               const tcpfsm_segment *seg);

/* conn_state as base/protocols/conn/main.zeek conn_state() computes it:
 * "S0" "S1" "SF" "REJ" "S2" "S3" "RSTO" "RSTR" "RSTOS0" "RSTRH" "SH" "SHR"
 * "OTH".  Static string. */
const char *tcpfsm_zeek_conn_state(const tcpfsm_zeek_conn *z);

/* The history string (valid until the next update). */
const char *tcpfsm_zeek_conn_history(const tcpfsm_zeek_conn *z);

/* Originator / responder after all flips. */
void tcpfsm_zeek_conn_orig(const tcpfsm_zeek_conn *z, tcpfsm_addr *addr,
                           uint16_t *port);
void tcpfsm_zeek_conn_resp(const tcpfsm_zeek_conn *z, tcpfsm_addr *addr,
                           uint16_t *port);
/* Was seg sent by the current originator? */
bool tcpfsm_zeek_conn_is_orig(const tcpfsm_zeek_conn *z,
                              const tcpfsm_segment *seg);

/* Packets as conn.log counts them (the ConnSize analyzer: segments
 * processed, bad-checksum ones not counted), by current role. */
uint64_t tcpfsm_zeek_conn_orig_pkts(const tcpfsm_zeek_conn *z);
uint64_t tcpfsm_zeek_conn_resp_pkts(const tcpfsm_zeek_conn *z);

/* Endpoint states and sizes (c$orig$state, c$orig$size) by role. */
tcpfsm_zeek_ep_state tcpfsm_zeek_conn_orig_state(const tcpfsm_zeek_conn *z);
tcpfsm_zeek_ep_state tcpfsm_zeek_conn_resp_state(const tcpfsm_zeek_conn *z);
uint64_t tcpfsm_zeek_conn_orig_size(const tcpfsm_zeek_conn *z);
uint64_t tcpfsm_zeek_conn_resp_size(const tcpfsm_zeek_conn *z);

/* Start (ts) and duration as conn.log has them: Zeek stops advancing the
 * last time once both endpoints have closed. */
double tcpfsm_zeek_conn_start_time(const tcpfsm_zeek_conn *z);
double tcpfsm_zeek_conn_duration(const tcpfsm_zeek_conn *z);

/* Timers.  next_timer: time of the earliest timer Zeek would have pending
 * for this connection (INFINITY if none).  run_timer: dispatch that timer
 * if it is due at network time `now` (Zeek dispatches timers before it
 * processes the packet that advances the clock past them); true when it
 * removed the connection (Zeek would log it now; removed_by says why). */
double tcpfsm_zeek_conn_next_timer(const tcpfsm_zeek_conn *z);
bool tcpfsm_zeek_conn_run_timer(tcpfsm_zeek_conn *z, double now);
bool tcpfsm_zeek_conn_removed(const tcpfsm_zeek_conn *z);
const char *tcpfsm_zeek_conn_removed_by(const tcpfsm_zeek_conn *z);

/* ---- session table (--zeek mode) ---- */
typedef struct tcpfsm_zeek_record {
    uint64_t uid; /* table's connection number, from 1, by creation */
    tcpfsm_addr orig_h, resp_h;
    uint16_t orig_p, resp_p;
    const char *conn_state; /* static string */
    const char *history;    /* valid during the callback */
    tcpfsm_zeek_ep_state orig_state, resp_state;
    uint64_t orig_pkts, resp_pkts;
    uint64_t orig_size, resp_size;
    uint64_t first_frame, last_frame;
    int64_t stream;   /* tcp.stream of the first segment, -1 = unknown */
    double ts;        /* time of the first segment */
    double duration;  /* conn.log shows it only when > 0 */
    const char *removed_by; /* "reuse" "attempt" "inactivity" "expire"
                               "close" "reset" "partial-close" "finish"
                               "evicted" (the max_open cap) */
} tcpfsm_zeek_record;

typedef struct tcpfsm_zeek_table tcpfsm_zeek_table;
typedef void (*tcpfsm_zeek_record_fn)(const tcpfsm_zeek_record *r,
                                      void *user);

/* Records come in Zeek's removal order (conn.log order): a connection is
 * reported when a timer removes it or a reusing SYN replaces it; at
 * tcpfsm_zeek_table_finish() the rest are reported in creation order
 * (Zeek drains them in hash-key order, which has no meaning).  A record's
 * memory is released as soon as the callback returns. */
tcpfsm_zeek_table *tcpfsm_zeek_table_new(const tcpfsm_zeek_opts *opts,
                                         tcpfsm_zeek_record_fn on_record,
                                         void *user);
/* Feed one segment (capture order).  Returns 0, or TCPFSM_E_NOADDR for a
 * segment without addresses (ignored). */
int tcpfsm_zeek_table_feed(tcpfsm_zeek_table *t, const tcpfsm_segment *seg);
int tcpfsm_zeek_table_feed_ex(tcpfsm_zeek_table *t, const tcpfsm_segment *seg,
                              int64_t payload_caplen);
/* The connection the last fed segment went to (NULL before any); valid
 * until the next feed/finish. */
const tcpfsm_zeek_conn *tcpfsm_zeek_table_last_conn(const tcpfsm_zeek_table *t);
/* uid of the connection the last fed segment went to (0 before any) */
uint64_t tcpfsm_zeek_table_last_uid(const tcpfsm_zeek_table *t);
/* Connections currently held. */
size_t tcpfsm_zeek_table_count(const tcpfsm_zeek_table *t);
/* At most max_open connections held (0 = no limit; default
 * TCPFSM_DEFAULT_MAX_OPEN).  A new connection over the cap makes the one
 * idle the longest (least recently fed a segment) be reported at once
 * with removed_by "evicted". */
void tcpfsm_zeek_table_set_max_open(tcpfsm_zeek_table *t, size_t max_open);
/* Connections reported as "evicted" so far. */
uint64_t tcpfsm_zeek_table_evictions(const tcpfsm_zeek_table *t);
/* End of input: reports every connection still held and releases it. */
void tcpfsm_zeek_table_finish(tcpfsm_zeek_table *t);
/* Releases the table; connections still held are dropped unreported. */
void tcpfsm_zeek_table_free(tcpfsm_zeek_table *t);

#ifdef __cplusplus
}
#endif
#endif
