/* engine_int.h - what the engine's files share (engine-private).
 *
 *   rules.c  the transition tables and the classification of a segment
 *            into its step (event, step, close, check, moves, message)
 *   conn.c   the connection table: finding a segment's connection, the
 *            per-connection summary, lingering, eviction
 *   text.c   the label sentence: formatting, the moves, the notes
 *   engine.c tcpfsm_engine_feed(): one segment through all of them
 */
#ifndef TCPFSM_ENGINE_INT_H
#define TCPFSM_ENGINE_INT_H

#include "tcpfsm.h"
#include "zeek.h"
#include "flowtab.h"
#include "list.h"

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- connection records ---- */

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
    uint8_t syn_step_num, syn_step_of, syn_step_last;
    uint8_t syn_title; /* tcpfsm_title of that step */
    tcpfsm_event syn_event;

    bool snd_valid;
    uint32_t snd_max; /* highest seq + len (+1 for SYN/FIN) sent */

    bool fin_sent;
    uint32_t fin_seq; /* sequence number of the FIN itself */
    uint64_t fin_frame;
    tcpfsm_event fin_event;
    uint8_t fin_step_num, fin_step_of, fin_step_last;
    uint8_t fin_title, fin_flow; /* tcpfsm_title, tcpfsm_flow_word */

    bool acked_peer_syn;
    bool acked_peer_fin;
    bool hs_checked; /* first ACK after the SYN-ACK already judged */
    bool isn_inferred; /* SPEC 6: ISN = the peer's ack - 1 of a SYN-ACK
                          not in the capture */
    uint32_t synack_ack; /* ack of the first SYN-ACK from this side */
    uint32_t syn_len;  /* payload of the opening SYN (TCP Fast Open) */
    uint64_t last_ack_frame; /* frame of last_ack */

    bool ack_valid;
    uint32_t last_ack; /* highest ack sent: the receiver's RCV.NXT */
    bool win_valid;
    uint32_t window;

    uint64_t packets, bytes;
} endpoint;

typedef struct conn conn;
struct conn {
    uint64_t id;
    int64_t stream;
    int64_t key; /* by_stream key: the adapter's split key or tcp.stream */
    tcpfsm_flowkey tkey;
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
    double syn_last_time; /* the last client SYN before the SYN-ACK */
    bool hs_inferred;     /* the handshake completed by evidence (SPEC 6) */
    int8_t rst_by;        /* first accepted RST: 0 none, 1 client, 2 server */

    uint64_t first_frame, last_frame;
    double first_time, last_time;
    bool has_time;
    uint32_t anomalies;
    tcpfsm_zeek_conn zeek; /* Zeek's own view of the same connection */

    bool finished;
    double finished_time;
    bool has_finished_time;

    tcpfsm_link all;    /* creation order */
    tcpfsm_link linger; /* finished, oldest first */
    tcpfsm_link lru;    /* open (not finished), least recently active
                           first */
    bool evicted; /* released early by the max_open cap */
};

struct tcpfsm_engine {
    tcpfsm_config cfg;
    tcpfsm_zeek_opts zopts;
    tcpfsm_zeek_table *zsplit; /* cfg.zeek_split: Zeek's session table,
                                  whose connection uids are conn.key */
    tcpfsm_flowtab by_stream; /* conn.key -> conn */
    tcpfsm_flowtab by_tuple;  /* 4-tuple -> newest conn on that tuple */
    tcpfsm_flowtab by_id;     /* conn id -> conn */
    tcpfsm_list all, linger, lru;
    size_t n_conns, n_linger, n_open;
    uint64_t next_id;
    uint64_t evictions;
};

/* ---- conn.c ---- */
bool tcpfsm_i_addr_eq(const tcpfsm_addr *x, const tcpfsm_addr *y);
bool tcpfsm_i_endpoint_done(tcpfsm_state s);
/* The connection of a segment, made when new; *reused: it replaced a
 * connection on the same 4-tuple (port reuse). */
conn *tcpfsm_i_find_conn(tcpfsm_engine *e, const tcpfsm_segment *seg,
                         bool *reused);
void tcpfsm_i_lru_touch(tcpfsm_engine *e, conn *c);
void tcpfsm_i_enforce_max_open(tcpfsm_engine *e, conn *keep);
void tcpfsm_i_expire(tcpfsm_engine *e, bool has_now, double now);
void tcpfsm_i_mark_finished(tcpfsm_engine *e, conn *c,
                            const tcpfsm_segment *seg);

/* ---- text.c ---- */
typedef struct text {
    char *buf;
    size_t size, used;
} text;
void tcpfsm_i_tappend(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tcpfsm_i_tput(text *t, const char *s);

/* ---- rules.c ---- */
/* One segment being labelled. */
/* Why an RST is not acceptable (the sentence says it). */
enum tcpfsm_why { TCPFSM_WHY_NONE, TCPFSM_WHY_NOACK, TCPFSM_WHY_ACK,
                  TCPFSM_WHY_WINDOW };

struct tcpfsm_rule;

typedef struct ctx {
    tcpfsm_engine *e;
    conn *c;
    const tcpfsm_segment *seg;
    tcpfsm_label *out;
    int S, R; /* sender and receiver sides */
    endpoint *s, *r;
    unsigned sit;                  /* the situation (rules.h) */
    const struct tcpfsm_rule *row; /* its row */
    unsigned tx, rx;      /* transition inputs (rules.h TCPFSM_IN) */
    bool ok;              /* the row's acknowledgement check passed */
    bool acks_syn, acks_fin; /* the ACK field covers the peer's SYN / FIN */
    bool ack_flag;
    bool rst_accepted;
    bool synced;          /* SPEC 6: the sender proved synchronized */
    bool synced_peer;     /* ... and so the receiver left SYN_SENT */
    bool fin_late;        /* SPEC 6: a FIN the receiver already acked */
    bool inferred_note;   /* SPEC 6: the sender's own sync was inferred */
    bool reordered_note;  /* SPEC 6: the receiver acknowledged it already */
    int why_kind;         /* enum tcpfsm_why */
    uint32_t why_wnd;     /* the receiver's window (TCPFSM_WHY_WINDOW) */
    text t;               /* the step sentence (before the moves) */
    char title[64];       /* the step title of the sentence */
} ctx;

/* SYN+FIN, SYN+RST, or no flag at all */
bool tcpfsm_i_bad_flags(uint16_t f);
/* Classifies the segment: fills x->out's event, step, close, check,
 * anomalies and the step sentence, and x->tx/x->rx (the moves' inputs). */
void tcpfsm_i_classify(ctx *x);
/* The moves: sender and receiver states after the segment. */
void tcpfsm_i_apply_moves(ctx *x);
const char *tcpfsm_i_role_word(const ctx *x, int side);
uint32_t tcpfsm_i_rel_seq(const endpoint *ep, uint32_t v);

/* ---- text.c: the sentence ---- */
/* The step's sentence, from its row's message (after classification). */
void tcpfsm_i_step_sentence(ctx *x);
void tcpfsm_i_append_moves(ctx *x);
void tcpfsm_i_append_notes(ctx *x);

#endif
