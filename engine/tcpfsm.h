/* tcpfsm.h - the TCP state-machine rule engine (public API).
 *
 * The engine turns a stream of TCP segment facts (one tcpfsm_segment per
 * captured segment, in capture order) into one tcpfsm_label per segment and
 * one tcpfsm_summary per connection.  It knows nothing of Wireshark or of
 * the TSV format: the plugin and the tool each fill tcpfsm_segment from
 * their own source and call tcpfsm_engine_feed().
 *
 * Contract: ../shared/SPEC.md (states, events, field names, summary keys).
 */
#ifndef TCPFSM_H
#define TCPFSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TCPFSM_VERSION "0.1.0"

/* TCPFSM_API marks the public API: the one set of symbols libtcpfsm.so
 * exports (the library is built with -fvisibility=hidden; everything else
 * is internal to it). */
#if defined(__GNUC__) || defined(__clang__)
#define TCPFSM_API __attribute__((visibility("default")))
#else
#define TCPFSM_API
#endif

/* Library users: the struct layouts below (tcpfsm_segment, tcpfsm_label,
 * tcpfsm_summary, tcpfsm_config) are NOT part of the shared library's
 * stable interface - they grow as the engine learns facts.  A program that
 * links libtcpfsm.so should allocate them with the *_new() functions and
 * reach their contents only through the accessors ("Library interface"
 * below), so that a newer library with larger structs still runs it.
 * The tool and the Wireshark plugin, built with the engine, use the
 * structs directly.
 *
 * Threads: an engine and everything it returns belong to one thread at a
 * time.  Several engines may run in parallel threads (no global mutable
 * state); the name and field-list functions are read-only and may be
 * called from any thread. */

/* ---- states (RFC 9293 names; UNKNOWN first, as Linux tcp_states.h) ---- */
typedef enum tcpfsm_state {
    TCPFSM_UNKNOWN = 0,
    TCPFSM_CLOSED,
    TCPFSM_LISTEN,
    TCPFSM_SYN_SENT,
    TCPFSM_SYN_RECEIVED,
    TCPFSM_ESTABLISHED,
    TCPFSM_FIN_WAIT_1,
    TCPFSM_FIN_WAIT_2,
    TCPFSM_CLOSE_WAIT,
    TCPFSM_CLOSING,
    TCPFSM_LAST_ACK,
    TCPFSM_TIME_WAIT,
    TCPFSM_STATE_MAX
} tcpfsm_state;

/* ---- per-segment event (SPEC.md section 4, `event`) ---- */
typedef enum tcpfsm_event {
    TCPFSM_EV_NONE = 0, /* not a TCP segment / not labelled */
    TCPFSM_EV_SYN,
    TCPFSM_EV_SYN_ACK,
    TCPFSM_EV_HS_ACK,
    TCPFSM_EV_DATA,
    TCPFSM_EV_ACK,
    TCPFSM_EV_FIN1,
    TCPFSM_EV_FIN1_ACK,
    TCPFSM_EV_FIN2,
    TCPFSM_EV_FIN2_ACK,
    TCPFSM_EV_RST,
    TCPFSM_EV_OTHER,
    TCPFSM_EV_MAX
} tcpfsm_event;

typedef enum tcpfsm_phase {
    TCPFSM_PH_NONE = 0,
    TCPFSM_PH_HANDSHAKE,
    TCPFSM_PH_ESTABLISHED,
    TCPFSM_PH_TEARDOWN,
    TCPFSM_PH_CLOSED,
    TCPFSM_PH_RESET,
    TCPFSM_PH_UNKNOWN,
    TCPFSM_PH_MAX
} tcpfsm_phase;

/* close type: per segment (`close`) and per connection (summary `close`) */
typedef enum tcpfsm_close {
    TCPFSM_CL_NONE = 0, /* not known (yet) / not applicable: empty */
    TCPFSM_CL_FIN4,
    TCPFSM_CL_FIN3,
    TCPFSM_CL_SIMULTANEOUS,
    TCPFSM_CL_RESET,
    TCPFSM_CL_REFUSED,
    TCPFSM_CL_HALF_CLOSED, /* summary only */
    TCPFSM_CL_OPEN,        /* summary only */
    TCPFSM_CL_MAX
} tcpfsm_close;

typedef enum tcpfsm_handshake {
    TCPFSM_HS_NONE = 0,
    TCPFSM_HS_COMPLETE,
    TCPFSM_HS_SIMULTANEOUS,
    TCPFSM_HS_REFUSED,
    TCPFSM_HS_SYN_ONLY,
    TCPFSM_HS_PARTIAL,
    TCPFSM_HS_MAX
} tcpfsm_handshake;

typedef enum tcpfsm_role {
    TCPFSM_ROLE_NONE = 0,
    TCPFSM_ROLE_CLIENT,
    TCPFSM_ROLE_SERVER,
    TCPFSM_ROLE_BOTH, /* active_closer of a simultaneous close */
    TCPFSM_ROLE_MAX
} tcpfsm_role;

/* anomalies: a bit set; names in SPEC.md order */
#define TCPFSM_ANOMALIES(X)                                \
    X(RETRANSMISSION, "retransmission")                    \
    X(ACK_MISMATCH, "ack-mismatch")                        \
    X(MIDSTREAM, "midstream")                              \
    X(REORDERED, "reordered")                              \
    X(SIMULTANEOUS_OPEN, "simultaneous-open")              \
    X(SIMULTANEOUS_CLOSE, "simultaneous-close")            \
    X(PORT_REUSE, "port-reuse")                            \
    X(SYN_DATA, "syn-data")                                \
    X(DATA_AFTER_FIN, "data-after-fin")                    \
    X(RST_OUT_OF_WINDOW, "rst-out-of-window")              \
    X(UNEXPECTED, "unexpected")                            \
    X(BAD_FLAGS, "bad-flags")                              \
    X(INFERRED, "inferred")

enum tcpfsm_anomaly_bit {
#define TCPFSM_X_ABIT(id, name) TCPFSM_AB_##id,
    TCPFSM_ANOMALIES(TCPFSM_X_ABIT)
#undef TCPFSM_X_ABIT
    TCPFSM_AB_COUNT
};
#define TCPFSM_AN(id) (1u << TCPFSM_AB_##id)

/* Summary-only anomaly token `evicted` (not a per-segment token, so not in
 * TCPFSM_ANOMALIES): the engine released the connection before it ended
 * because more than tcpfsm_config.max_open connections were open (a SYN
 * flood); its summary says what was known until then.  Listed after the
 * SPEC tokens by tcpfsm_anomalies_str(). */
#define TCPFSM_AN_EVICTED (1u << 31)

/* Summary-only anomaly token `one-sided` (SPEC 6): only one direction of
 * the connection was captured, and the other direction's moves were
 * inferred from its ACKs.  Listed after the SPEC tokens, before
 * `evicted`. */
#define TCPFSM_AN_ONE_SIDED (1u << 30)

/* TCP flag bits as in tcp.flags */
#define TCPFSM_FIN 0x001
#define TCPFSM_SYN 0x002
#define TCPFSM_RST 0x004
#define TCPFSM_PSH 0x008
#define TCPFSM_ACK 0x010
#define TCPFSM_URG 0x020

/* ---- input ---- */
typedef struct tcpfsm_addr {
    uint8_t family; /* 0 = none, 4 = IPv4 (bytes[0..3]), 6 = IPv6 */
    uint8_t bytes[16];
} tcpfsm_addr;

/* One TCP segment as seen at the capture point.  Each member names the
 * tshark field it comes from (engine/tcpfsm_fields.h). */
typedef struct tcpfsm_segment {
    uint64_t frame;      /* frame.number */
    double time;         /* frame.time_epoch; has_time says if known */
    int64_t stream;      /* tcp.stream, -1 when unknown */
    tcpfsm_addr src;     /* ip.src or ipv6.src (innermost) */
    tcpfsm_addr dst;     /* ip.dst or ipv6.dst */
    uint16_t sport;      /* tcp.srcport */
    uint16_t dport;      /* tcp.dstport */
    uint16_t flags;      /* tcp.flags */
    uint32_t seq;        /* tcp.seq_raw */
    uint32_t ack;        /* tcp.ack_raw */
    uint32_t len;        /* tcp.len */
    uint32_t window;     /* tcp.window_size (scaled) or tcp.window_size_value */
    int8_t checksum;     /* tcp.checksum.status: 0 bad, 1 good,
                            2 unverified, -1 absent */
    int64_t payload_caplen; /* payload bytes captured: tcp.len - (frame.len
                               - frame.cap_len), -1 = all of it */
    bool has_time;
    bool has_window;
} tcpfsm_segment;

/* A segment with every member at its "unknown" value (stream -1,
 * checksum -1); adapters start from this and fill what they have. */
TCPFSM_API void tcpfsm_segment_init(tcpfsm_segment *seg);

/* The adapters fill it from the tshark fields' values with
 * tcpfsm_segment_fill() (tcpfsm_input.h), which checks them. */

/* ---- per-segment output (SPEC.md section 4) ---- */
#define TCPFSM_LABEL_MAX 640 /* [lang] 400 before: Chinese needs more bytes */

/* The title a step is shown under (tcpfsm_step_title() writes it in a
 * language: "Handshake 2/3", "Simultaneous close 3/4", "Refused"). */
typedef enum tcpfsm_title {
    TCPFSM_T_NONE = 0,  /* no step: data, ACK, an ignored RST ... */
    TCPFSM_T_HANDSHAKE, /* "Handshake n/m"          第一次握手 */
    TCPFSM_T_SIM_OPEN,  /* "Simultaneous open n/4"  同时打开 n/4 */
    TCPFSM_T_TEARDOWN,  /* "Teardown n/m"           第一次挥手 */
    TCPFSM_T_SIM_CLOSE, /* "Simultaneous close n/4" 同时关闭 n/4 */
    TCPFSM_T_REFUSED,   /* "Refused"                连接被拒绝 */
    TCPFSM_T_RESET,     /* "Reset"                  连接重置 */
    TCPFSM_T_COUNT
} tcpfsm_title;

/* The acknowledgement a step checks (`ack_ok`): none, the peer's ISN + 1
 * (SYN-ACK, handshake ACK, refusing RST), or the peer's FIN seq + 1. */
typedef enum tcpfsm_check {
    TCPFSM_CHECK_NONE = 0,
    TCPFSM_CHECK_ISN,
    TCPFSM_CHECK_FIN,
    TCPFSM_CHECK_TFO, /* TCP Fast Open: ISN + 1 + the SYN's data (SPEC 6) */
    TCPFSM_CHECK_COUNT
} tcpfsm_check;

/* The word of a segment's arrow in a sequence diagram (the Flow Graph):
 * tcpfsm_flow_word_text() spells it. */
typedef enum tcpfsm_flow_word {
    TCPFSM_FW_NONE = 0,
    TCPFSM_FW_SYN,     /* "SYN" */
    TCPFSM_FW_SYN_ACK, /* "SYN-ACK" */
    TCPFSM_FW_ACK,     /* "ACK" */
    TCPFSM_FW_DATA,    /* "Data" */
    TCPFSM_FW_FIN,     /* "FIN" */
    TCPFSM_FW_FIN_ACK, /* "FIN-ACK": a FIN that also acknowledges the
                          peer's FIN (merged close, step 2/3) */
    TCPFSM_FW_RST,     /* "RST" */
    TCPFSM_FW_OTHER,   /* "Other" */
    TCPFSM_FW_COUNT
} tcpfsm_flow_word;

typedef struct tcpfsm_label {
    tcpfsm_event event;
    tcpfsm_phase phase;
    uint8_t step_num, step_of; /* step "num/of"; 0/0 = empty */
    uint8_t step_last;         /* > step_num: the segment is steps num..last
                                  at once (the merged close's "2+3/4") */
    tcpfsm_close close;        /* NONE = empty */
    tcpfsm_role role;          /* sender's role */
    tcpfsm_state src_prev, src_state, dst_prev, dst_state;
    uint32_t seq_rel, ack_rel;
    bool has_ack_rel;      /* ACK flag set: ack_rel is meaningful */
    int8_t ack_ok;         /* -1 = no check applies, 0 = wrong, 1 = right */
    uint32_t anomalies;    /* TCPFSM_AN(...) bits */
    uint64_t conn_id;      /* engine's connection number, from 1 */
    uint64_t ref_frame;    /* the segment this step answers (SYN of a
                              SYN-ACK, FIN of a FIN-ACK...), 0 = none */
    /* What adapters show, decided by the segment's row of the situation
     * table (engine/rules.c); `situation` names that row
     * (tcpfsm_situation_name()). */
    uint8_t situation;     /* the row: TCPFSM_SIT_* of engine/rules.h */
    uint8_t title;         /* tcpfsm_title */
    uint8_t check;         /* tcpfsm_check; NONE when ack_ok is -1 */
    uint8_t flow;          /* tcpfsm_flow_word */
    uint32_t check_seen;   /* the ack the check read, as the sentence shows
                              it (raw for ISN, relative for FIN) */
    uint32_t check_expected; /* the ack it needed: ISN + 1, FIN seq + 1;
                                TFO: ISN + 1 (check_seen - check_expected
                                is the SYN data acknowledged) */
    char label[TCPFSM_LABEL_MAX];
} tcpfsm_label;

/* ---- per-connection summary (SPEC.md section 5) ---- */
#define TCPFSM_HISTORY_MAX 128
typedef struct tcpfsm_summary {
    uint64_t conn_id;
    int64_t stream; /* -1 = unknown */
    tcpfsm_addr client_addr, server_addr;
    uint16_t client_port, server_port;
    uint64_t first_frame, last_frame;
    double first_time, last_time; /* valid when has_time */
    bool has_time;
    tcpfsm_handshake handshake;
    tcpfsm_close close;
    tcpfsm_role active_closer; /* NONE = null */
    tcpfsm_state client_state, server_state;
    double syn_rtt, irtt; /* seconds; < 0 = not known */
    uint64_t client_packets, server_packets; /* segments sent by each */
    uint64_t client_bytes, server_bytes;     /* TCP payload bytes sent */
    uint32_t anomalies;
    /* Zeek's vocabulary (engine/zeek.h): orig/resp after Zeek's flips */
    char conn_state[8];
    char history[TCPFSM_HISTORY_MAX + 1];
    tcpfsm_addr orig_h, resp_h;
    uint16_t orig_p, resp_p;
    uint64_t orig_pkts, resp_pkts;
} tcpfsm_summary;

/* ---- output field lists (SPEC.md sections 4 and 5) ----
 * X(ID, "name", KIND) with KIND one of 'S' string, 'N' number, 'B'
 * boolean, 'L' list (comma-separated in text).  The tool's columns and
 * JSON keys, and the plugin's field names (tcpfsm.<name>,
 * tcpfsm.conn.<name>), come from these lists. */
#define TCPFSM_LABEL_FIELDS(X)          \
    X(EVENT, "event", 'S')              \
    X(PHASE, "phase", 'S')              \
    X(STEP, "step", 'S')                \
    X(CLOSE, "close", 'S')              \
    X(ROLE, "role", 'S')                \
    X(CLIENT_STATE, "client_state", 'S') \
    X(SERVER_STATE, "server_state", 'S') \
    X(SRC_PREV, "src_prev", 'S')        \
    X(SRC_STATE, "src_state", 'S')      \
    X(DST_PREV, "dst_prev", 'S')        \
    X(DST_STATE, "dst_state", 'S')      \
    X(SEQ_REL, "seq_rel", 'N')          \
    X(ACK_REL, "ack_rel", 'N')          \
    X(ACK_OK, "ack_ok", 'B')            \
    X(ANOMALY, "anomaly", 'L')          \
    X(LABEL, "label", 'S')

enum tcpfsm_label_field {
#define TCPFSM_X_LF(id, name, kind) TCPFSM_LF_##id,
    TCPFSM_LABEL_FIELDS(TCPFSM_X_LF)
#undef TCPFSM_X_LF
    TCPFSM_LF_COUNT
};

#define TCPFSM_SUMMARY_FIELDS(X)                 \
    X(STREAM, "stream", 'N')                     \
    X(CLIENT, "client", 'S')                     \
    X(SERVER, "server", 'S')                     \
    X(FIRST_FRAME, "first_frame", 'N')           \
    X(LAST_FRAME, "last_frame", 'N')             \
    X(DURATION, "duration", 'N')                 \
    X(HANDSHAKE, "handshake", 'S')               \
    X(CLOSE, "close", 'S')                       \
    X(ACTIVE_CLOSER, "active_closer", 'S')       \
    X(CLIENT_STATE, "client_state", 'S')         \
    X(SERVER_STATE, "server_state", 'S')         \
    X(SYN_RTT, "syn_rtt", 'N')                   \
    X(IRTT, "irtt", 'N')                         \
    X(CLIENT_PACKETS, "client_packets", 'N')     \
    X(SERVER_PACKETS, "server_packets", 'N')     \
    X(CLIENT_BYTES, "client_bytes", 'N')         \
    X(SERVER_BYTES, "server_bytes", 'N')         \
    X(CONN_STATE, "conn_state", 'S')             \
    X(HISTORY, "history", 'S')                   \
    X(ORIG_H, "orig_h", 'S')                     \
    X(ORIG_P, "orig_p", 'N')                     \
    X(RESP_H, "resp_h", 'S')                     \
    X(RESP_P, "resp_p", 'N')                     \
    X(ORIG_PKTS, "orig_pkts", 'N')               \
    X(RESP_PKTS, "resp_pkts", 'N')               \
    X(ANOMALIES, "anomalies", 'L')

enum tcpfsm_summary_field {
#define TCPFSM_X_SF(id, name, kind) TCPFSM_SF_##id,
    TCPFSM_SUMMARY_FIELDS(TCPFSM_X_SF)
#undef TCPFSM_X_SF
    TCPFSM_SF_COUNT
};

/* Name and kind of a field; the value as text ("" = null/absent). */
TCPFSM_API const char *tcpfsm_label_field_name(int f);
TCPFSM_API char tcpfsm_label_field_kind(int f);
/* client_state / server_state: each endpoint's state after the segment,
 * whichever side sent it (the sender's src_state, the receiver's
 * dst_state). */
TCPFSM_API tcpfsm_state tcpfsm_label_client_state(const tcpfsm_label *l);
TCPFSM_API tcpfsm_state tcpfsm_label_server_state(const tcpfsm_label *l);
TCPFSM_API const char *tcpfsm_label_field_str(const tcpfsm_label *l, int f, char *buf,
                                   size_t size);
TCPFSM_API const char *tcpfsm_summary_field_name(int f);
TCPFSM_API char tcpfsm_summary_field_kind(int f);
TCPFSM_API const char *tcpfsm_summary_field_str(const tcpfsm_summary *s, int f,
                                     char *buf, size_t size);

/* ---- engine ---- */
typedef struct tcpfsm_engine tcpfsm_engine;

/* Called once per connection when the engine releases it: after it has
 * finished (both endpoints CLOSED/TIME_WAIT) and lingered, when a port
 * reuse replaces it, or at tcpfsm_engine_finish(). */
typedef void (*tcpfsm_summary_fn)(const tcpfsm_summary *s, void *user);

/* [lang] the language of the human `label` sentence (tcpfsm_lang.h);
 * tokens and field names are the same in every language */
typedef enum tcpfsm_lang {
    TCPFSM_LANG_EN = 0, /* English (the default) */
    TCPFSM_LANG_ZH,     /* Simplified Chinese */
    TCPFSM_LANG_MAX
} tcpfsm_lang;

/* Default max_open.  An open connection costs about 1.4 KB in the engine
 * (its 1,272-byte record, which embeds the Zeek model's 752 bytes, plus
 * allocator and three table slots): a SYN flood held at 500,000
 * peaked at 681 MB of RSS, so 250,000 bounds it near 350 MB (and `summary
 * --zeek`'s session table, capped alike, adds about 0.9 KB each). */
#define TCPFSM_DEFAULT_MAX_OPEN 250000

typedef struct tcpfsm_config {
    tcpfsm_summary_fn on_summary; /* may be NULL */
    void *user;
    /* A finished connection stays known this long (capture seconds) so
     * that late retransmissions are still labelled as part of it. */
    double linger_seconds;      /* default 60 (2 MSL of Linux) */
    /* At most this many finished connections linger; the oldest is
     * released first.  Bounds memory on captures of many short
     * connections. */
    size_t max_lingering;       /* default 10000 */
    /* At most this many connections open (not finished) at once; 0 = no
     * limit.  When a new connection would exceed it, the open connection
     * idle the longest (least recently fed a segment) is evicted: its
     * summary goes to on_summary with the anomaly `evicted`, and
     * tcpfsm_engine_evictions() counts it.  Bounds memory under a SYN
     * flood of distinct half-open connections. */
    size_t max_open;            /* default TCPFSM_DEFAULT_MAX_OPEN */
    /* Zeek's originator heuristic: bare mode has (nearly) no likely
     * server ports (zeek -b); default false = Zeek's default scripts */
    /* Work a caller does not need, skipped: no_label_text leaves
     * tcpfsm_label.label empty (`tcpfsm summary` never prints it);
     * no_zeek does not run Zeek's model, so the summaries' conn_state,
     * history, orig_* and resp_* columns mean nothing (`tcpfsm annotate`
     * prints no summary).  Both default false. */
    bool no_label_text;
    bool no_zeek;
    bool zeek_bare;
    bool zeek_ignore_checksums; /* zeek -C */
    tcpfsm_lang lang;           /* [lang] label language, default English */
    /* Zeek-style connections (`tcpfsm summary --zeek`): a connection
     * begins and ends where Zeek's session table begins and ends one (by
     * 5-tuple; a reusing SYN, Zeek's timers and its max_open cap end it;
     * the zeek_bare and zeek_ignore_checksums heuristics apply), not at
     * tcp.stream or the 4-tuple's port reuse; nothing lingers
     * (linger_seconds and max_lingering are ignored).  Summaries then
     * match conn.log row for row.  zeek_no_timers: Zeek's timers never
     * fire (`--no-zeek-timers`), as in baselines made with more timers
     * than max_timer_expires.  Both default false. */
    bool zeek_split;
    bool zeek_no_timers;
} tcpfsm_config;

TCPFSM_API void tcpfsm_config_init(tcpfsm_config *cfg);
/* A new engine (cfg NULL = defaults).  NULL on failure, with errno
 * ENOMEM (no memory) or EINVAL (a config value out of range: a negative
 * or NaN linger_seconds, an unknown lang). */
TCPFSM_API tcpfsm_engine *tcpfsm_engine_new(const tcpfsm_config *cfg);
TCPFSM_API void tcpfsm_engine_free(tcpfsm_engine *e); /* no summaries emitted */

/* Label one segment.  Always fills *out (a strange segment is labelled,
 * never rejected).  Returns 0, or a negative TCPFSM_E* code for a segment
 * the engine cannot use (no address), with out->event = NONE. */
TCPFSM_API int tcpfsm_engine_feed(tcpfsm_engine *e, const tcpfsm_segment *seg,
                       tcpfsm_label *out);

/* End of input: emits the summary of every connection still known, in
 * the order the connections began, and releases them. */
TCPFSM_API void tcpfsm_engine_finish(tcpfsm_engine *e);

/* Snapshot of a connection still held by the engine (false if released). */
TCPFSM_API bool tcpfsm_engine_conn_summary(const tcpfsm_engine *e, uint64_t conn_id,
                                tcpfsm_summary *out);

/* Connections currently held (open + lingering). */
TCPFSM_API size_t tcpfsm_engine_conn_count(const tcpfsm_engine *e);
/* Connections currently open (held and not finished): at most max_open. */
TCPFSM_API size_t tcpfsm_engine_open_count(const tcpfsm_engine *e);
/* Connections evicted so far by the max_open cap. */
TCPFSM_API uint64_t tcpfsm_engine_evictions(const tcpfsm_engine *e);

/* ---- library interface: stable across struct changes ----
 * (the version of the library that runs, not the one compiled against) */
TCPFSM_API const char *tcpfsm_version(void);

/* Heap copies of the structs, sized by the library that runs.  _new()
 * returns NULL with errno = ENOMEM on failure; _free(NULL) is a no-op.
 * A new segment is as tcpfsm_segment_init() leaves it. */
TCPFSM_API tcpfsm_config *tcpfsm_config_new(void);
TCPFSM_API void tcpfsm_config_free(tcpfsm_config *cfg);
TCPFSM_API void tcpfsm_config_set_summary_fn(tcpfsm_config *cfg,
                                             tcpfsm_summary_fn fn,
                                             void *user);
TCPFSM_API void tcpfsm_config_set_lang(tcpfsm_config *cfg, tcpfsm_lang lang);
/* tcpfsm_config.zeek_split (Zeek-style connections), zeek_bare */
TCPFSM_API void tcpfsm_config_set_zeek_split(tcpfsm_config *cfg, bool on,
                                             bool bare);
TCPFSM_API tcpfsm_segment *tcpfsm_segment_new(void);
TCPFSM_API void tcpfsm_segment_free(tcpfsm_segment *seg);
TCPFSM_API tcpfsm_label *tcpfsm_label_new(void);
TCPFSM_API void tcpfsm_label_free(tcpfsm_label *l);

/* Segment setters.  set_endpoints parses the addresses (dotted IPv4 or
 * IPv6 text, as tcpfsm_addr_parse) and returns false when either is
 * neither or they are of different families. */
TCPFSM_API void tcpfsm_segment_set_frame(tcpfsm_segment *seg, uint64_t frame);
TCPFSM_API void tcpfsm_segment_set_time(tcpfsm_segment *seg, double epoch);
TCPFSM_API void tcpfsm_segment_set_stream(tcpfsm_segment *seg, int64_t stream);
TCPFSM_API bool tcpfsm_segment_set_endpoints(tcpfsm_segment *seg,
                                             const char *src, uint16_t sport,
                                             const char *dst, uint16_t dport);
TCPFSM_API void tcpfsm_segment_set_tcp(tcpfsm_segment *seg, uint16_t flags,
                                       uint32_t seq, uint32_t ack,
                                       uint32_t len);
TCPFSM_API void tcpfsm_segment_set_window(tcpfsm_segment *seg,
                                          uint32_t window);

/* Result fields by name: the index of "event", "step", "label", ...
 * (the names of SPEC.md sections 4 and 5), -1 when this library has no
 * such field; the count of fields this library has.  Read the value with
 * tcpfsm_label_field_str() / tcpfsm_summary_field_str(). */
TCPFSM_API int tcpfsm_label_field_find(const char *name);
TCPFSM_API int tcpfsm_label_field_count(void);
TCPFSM_API int tcpfsm_summary_field_find(const char *name);
TCPFSM_API int tcpfsm_summary_field_count(void);

/* ---- errors: negative codes, one map (as http-parser's HTTP_ERRNO_MAP) ----
 * X(ID, code, "reason") gives TCPFSM_E_<ID> = code; tcpfsm_strerror(code)
 * is the reason.  NOADDR is tcpfsm_engine_feed's; the others are a field
 * value tcpfsm_segment_fill() rejects (tcpfsm_input.h), the reason said
 * after the field's name ("tcp.flags: not a hex number: \"0xzz\""). */
#define TCPFSM_ERRNO_MAP(X)                                                   \
    X(NOADDR, -1, "segment has no IPv4 or IPv6 source and destination address") \
    X(EMPTY, -2, "empty")                                                     \
    X(NEGATIVE, -3, "negative number")                                        \
    X(NOT_DECIMAL, -4, "not a decimal number")                                \
    X(NOT_HEX, -5, "not a hex number")                                        \
    X(RANGE, -6, "number out of range")                                       \
    X(NOT_TIME, -7, "not a time in seconds")                                  \
    X(NOT_ADDR, -8, "not an address")                                         \
    X(FAMILY, -9, "wrong address family")                                     \
    X(NO_IP, -10, "no IPv4 or IPv6 address on a TCP row")                     \
    X(KIND, -11, "a value of the wrong kind for this field")

enum tcpfsm_errno {
#define TCPFSM_X_ERRNO(id, code, reason) TCPFSM_E_##id = code,
    TCPFSM_ERRNO_MAP(TCPFSM_X_ERRNO)
#undef TCPFSM_X_ERRNO
};
/* "success" for 0, "unknown error" for a code not in the map */
TCPFSM_API const char *tcpfsm_strerror(int err);

/* ---- names (tokens of SPEC.md) ---- */
TCPFSM_API const char *tcpfsm_state_name(tcpfsm_state s);
TCPFSM_API const char *tcpfsm_event_name(tcpfsm_event e);
TCPFSM_API const char *tcpfsm_phase_name(tcpfsm_phase p);
TCPFSM_API const char *tcpfsm_close_name(tcpfsm_close c);       /* NONE -> "" */
TCPFSM_API const char *tcpfsm_handshake_name(tcpfsm_handshake h);
TCPFSM_API const char *tcpfsm_role_name(tcpfsm_role r);         /* NONE -> "" */
TCPFSM_API const char *tcpfsm_anomaly_name(unsigned bit);       /* bit index */
/* Writes "a,b,c" (comma-separated anomaly tokens) into buf; returns buf. */
TCPFSM_API char *tcpfsm_anomalies_str(uint32_t set, char *buf, size_t size);
/* The name of a row of the situation table (tcpfsm_label.situation):
 * "syn-first", "fin-merged", ... (engine/rules.h; "" out of range). */
TCPFSM_API const char *tcpfsm_situation_name(unsigned situation);
/* "1/3" or "" */
TCPFSM_API char *tcpfsm_step_str(const tcpfsm_label *l, char *buf, size_t size);
/* "addr:port" or "[v6]:port" */
TCPFSM_API char *tcpfsm_endpoint_str(const tcpfsm_addr *a, uint16_t port, char *buf,
                          size_t size);
TCPFSM_API char *tcpfsm_addr_str(const tcpfsm_addr *a, char *buf, size_t size);
/* Parses dotted IPv4 or IPv6 text; false when it is neither. */
TCPFSM_API bool tcpfsm_addr_parse(const char *text, tcpfsm_addr *out);

/* Wrap-safe sequence comparison (RFC 9293 section 3.4): a < b mod 2^32 */
static inline bool tcpfsm_seq_lt(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}
static inline bool tcpfsm_seq_le(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) <= 0;
}

#ifdef __cplusplus
}
#endif
#endif
