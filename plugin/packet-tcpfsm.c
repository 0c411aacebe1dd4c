/* packet-tcpfsm.c - "TCP State Machine" (tcpfsm), a Wireshark 4.0
 * post-dissector.
 *
 * A thin adapter: it reads the TCP fields the engine needs
 * (engine/tcpfsm_fields.h), fills one tcpfsm_segment with the engine's
 * tcpfsm_segment_fill(), as the tcpfsm tool does from a `tshark -T fields`
 * export (tool/tsv.c), calls
 * the engine, and shows the engine's answer as fields, a tree, expert
 * infos, an optional Info column note and statistics.  No TCP rule lives
 * here: a rule written in an adapter is a bug (DESIGN.md).
 *
 * Dissection passes: the engine runs only on the first dissection of a
 * frame (!PINFO_FD_VISITED), in capture order; its label is stored (a
 * packed record and the compact sentence, by frame number) and
 * re-emitted on later passes
 * (tshark -2, the GUI's random-order re-dissection), so every pass shows
 * the same labels.  The engine and the per-connection records live per
 * capture file: created by the init routine, freed by the cleanup
 * routine (a full re-dissection runs both and re-feeds the frames from
 * the first, giving the same labels again).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WS_BUILD_DLL
#include <wireshark.h>
#include <epan/expert.h>
#include <epan/packet.h>
#include <epan/prefs.h>
#include <epan/proto.h>
#include <epan/proto_data.h>
#include <epan/tap.h>
#include <epan/prefs-int.h>
#include <epan/dissectors/packet-tcp.h>

#include "tcpfsm.h"
#include "tcpfsm_lang.h"
#include "tcpfsm_fields.h"
#include "tcpfsm_input.h"
#include "tcpfsm-plugin.h"
#include "ws-compat.h"

#ifndef TCPFSM_PLUGIN_VERSION
#define TCPFSM_PLUGIN_VERSION TCPFSM_VERSION
#endif

WS_DLL_PUBLIC_DEF const gchar plugin_version[] = TCPFSM_PLUGIN_VERSION;
WS_DLL_PUBLIC_DEF const int plugin_want_major = WIRESHARK_VERSION_MAJOR;
WS_DLL_PUBLIC_DEF const int plugin_want_minor = WIRESHARK_VERSION_MINOR;
WS_DLL_PUBLIC void plugin_register(void);
#if TCPFSM_WS_HAS_DESCRIBE
WS_DLL_PUBLIC uint32_t plugin_describe(void);
/* 4.4+: the type `tshark -G plugins` and About > Plugins show */
uint32_t plugin_describe(void)
{
    return TCPFSM_WS_DESCRIPTION;
}
#endif

/* ------------------------------------------------------------------ */
/* Registration data                                                    */
/* ------------------------------------------------------------------ */

static int proto_tcpfsm = -1;
static dissector_handle_t tcpfsm_handle;
static int tcpfsm_tap = -1;
/* Looked up when a capture is opened (the expert module registers them
 * after the plugins' handoffs). */
static int expert_tap = -1;
/* the segment from the TCP tap: see tap_header() */
static int tcp_tap_id = -1;
static bool tap_mode;        /* the segment comes from the TCP tap */
static bool checksum_on;     /* TCP's check_checksum preference */
static bool prefs_looked;    /* checksum_on read for this capture */
static int tap_listener_token; /* our listener's tapdata */
static int proto_expert_id = -1;

/* per-segment fields: tcpfsm.<name>, one per TCPFSM_LABEL_FIELDS entry */
static int hf_label[TCPFSM_LF_COUNT];
/* connection fields: tcpfsm.conn.<name>, one per TCPFSM_SUMMARY_FIELDS */
static int hf_conn[TCPFSM_SF_COUNT];
static int hf_ref_frame = -1;

static gint ett_tcpfsm = -1;
static gint ett_tcpfsm_client = -1;
static gint ett_tcpfsm_server = -1;
static gint ett_tcpfsm_conn = -1;
static gint ett_tcpfsm_label = -1;

/* A label longer than LABEL_SHOWN bytes is shown as its clauses, one an
 * item of at most LABEL_CLAUSE_MAX bytes (Wireshark cuts an item's text
 * at 240 bytes, ITEM_LABEL_LENGTH, and marks it "[truncated]"); the field
 * keeps the whole sentence. */
#define LABEL_SHOWN 160
#define LABEL_CLAUSE_MAX 200

static expert_field ei_tcpfsm_step = EI_INIT;
static expert_field ei_tcpfsm_retransmitted_step = EI_INIT;
static expert_field ei_tcpfsm_midstream = EI_INIT;
static expert_field ei_tcpfsm_reordered = EI_INIT;
static expert_field ei_tcpfsm_simultaneous = EI_INIT;
static expert_field ei_tcpfsm_port_reuse = EI_INIT;
static expert_field ei_tcpfsm_syn_data = EI_INIT;
static expert_field ei_tcpfsm_ack_mismatch = EI_INIT;
static expert_field ei_tcpfsm_rst_out_of_window = EI_INIT;
static expert_field ei_tcpfsm_data_after_fin = EI_INIT;
static expert_field ei_tcpfsm_bad_flags = EI_INIT;
static expert_field ei_tcpfsm_unexpected = EI_INIT;

static tcpfsm_pref_bool pref_info_column = FALSE;
/* the language of the human label (tcpfsm.label); tokens never change */
static gint pref_lang = TCPFSM_LANG_EN;
static tcpfsm_pref_bool pref_zeek_split = FALSE; /* the engine's zeek_split */
static const enum_val_t lang_vals[] = {
    {"en", "English", TCPFSM_LANG_EN},
    {"zh", "Chinese (中文)", TCPFSM_LANG_ZH},
    {NULL, NULL, 0},
};

/* input fields: the engine's one list (engine/tcpfsm_fields.h) */
static const char *const input_field_names[TCPFSM_F_COUNT] = {
#define TCPFSM_X_INNAME(id, name, req) [TCPFSM_F_##id] = name,
    TCPFSM_INPUT_FIELDS(TCPFSM_X_INNAME)
#undef TCPFSM_X_INNAME
};
static int hf_in[TCPFSM_F_COUNT];

/* Descriptions of the per-segment fields (SPEC.md 4; their titles, in each
 * language, are the engine's: tcpfsm_label_field_title).  A field the
 * engine adds later still gets registered (as text) from the X-macro. */
static const char *const label_blurb[TCPFSM_LF_COUNT] = {
    [TCPFSM_LF_EVENT] = "What this segment is: syn, syn-ack, hs-ack, data, ack, fin1, "
                         "fin1-ack, fin2, fin2-ack, rst, other",
    [TCPFSM_LF_PHASE] = "handshake, established, teardown, closed, reset, unknown",
    [TCPFSM_LF_STEP] = "Position in its sequence: 1/3..3/3 (handshake, merged close), "
                        "1/4..4/4 (four-way close); absent for data",
    [TCPFSM_LF_CLOSE] = "How the connection closes, as far as known at this segment: "
                         "fin4, fin3, simultaneous, reset, refused",
    [TCPFSM_LF_ROLE] = "client or server",
    [TCPFSM_LF_CLIENT_STATE] = "RFC 9293 state of the client after this segment, whichever "
                               "side sent it (a packet list column that stays on one side)",
    [TCPFSM_LF_SERVER_STATE] = "RFC 9293 state of the server after this segment, whichever "
                               "side sent it",
    [TCPFSM_LF_SRC_PREV] = "RFC 9293 state of the sender before it sent this segment",
    [TCPFSM_LF_SRC_STATE] = "RFC 9293 state of the sender after sending this segment",
    [TCPFSM_LF_DST_PREV] = "RFC 9293 state of the receiver before it received this segment",
    [TCPFSM_LF_DST_STATE] = "RFC 9293 state of the receiver after receiving this segment",
    [TCPFSM_LF_SEQ_REL] = "Sequence number relative to the sender's ISN",
    [TCPFSM_LF_ACK_REL] = "Acknowledgment number relative to the receiver's ISN",
    [TCPFSM_LF_ACK_OK] = "The acknowledgment this step needs is exactly right "
                          "(absent where no check applies)",
    [TCPFSM_LF_ANOMALY] = "One item per anomaly token (retransmission, ack-mismatch, midstream, ...)",
    [TCPFSM_LF_LABEL] = "The engine's sentence for this segment",
};

/* The connection fields' types and descriptions (titles: the engine's,
 * tcpfsm_summary_field_title). */
typedef struct conn_field_spec {
    enum ftenum type; /* 0 (FT_NONE): text, FT_STRING */
    const char *blurb;
} conn_field_spec;

static const conn_field_spec conn_spec[TCPFSM_SF_COUNT] = {
    [TCPFSM_SF_STREAM] = {FT_UINT32, "Wireshark's tcp.stream of the connection"},
    [TCPFSM_SF_CLIENT] = {FT_STRING, "addr:port ([v6]:port) of the endpoint that sent the first SYN"},
    [TCPFSM_SF_SERVER] = {FT_STRING, "addr:port ([v6]:port) of the other endpoint"},
    [TCPFSM_SF_FIRST_FRAME] = {FT_FRAMENUM, NULL},
    [TCPFSM_SF_LAST_FRAME] = {FT_FRAMENUM, NULL},
    [TCPFSM_SF_DURATION] = {FT_DOUBLE, "Seconds from the first to the last segment (microseconds)"},
    [TCPFSM_SF_HANDSHAKE] = {FT_STRING, "complete, simultaneous, refused, syn-only, partial, none"},
    [TCPFSM_SF_CLOSE] = {FT_STRING, "fin4, fin3, simultaneous, reset, refused, half-closed, open"},
    [TCPFSM_SF_ACTIVE_CLOSER] = {FT_STRING, "client, server, both; absent when nobody sent a FIN"},
    [TCPFSM_SF_CLIENT_STATE] = {FT_STRING, "The client's last inferred state"},
    [TCPFSM_SF_SERVER_STATE] = {FT_STRING, "The server's last inferred state"},
    [TCPFSM_SF_SYN_RTT] = {FT_DOUBLE, "Seconds from the SYN to the SYN-ACK (microseconds)"},
    [TCPFSM_SF_IRTT] = {FT_DOUBLE, "Seconds from the SYN to the handshake ACK (microseconds)"},
    [TCPFSM_SF_CLIENT_PACKETS] = {FT_UINT64, "Segments sent by the client"},
    [TCPFSM_SF_SERVER_PACKETS] = {FT_UINT64, "Segments sent by the server"},
    [TCPFSM_SF_CLIENT_BYTES] = {FT_UINT64, "TCP payload bytes sent by the client"},
    [TCPFSM_SF_SERVER_BYTES] = {FT_UINT64, "TCP payload bytes sent by the server"},
    [TCPFSM_SF_CONN_STATE] = {FT_STRING, "Zeek's conn_state (S0, S1, SF, REJ, RSTO, ...), "
                              "computed the way Zeek computes it"},
    [TCPFSM_SF_HISTORY] = {FT_STRING, "Zeek's history letters, computed the way Zeek computes them"},
    [TCPFSM_SF_ORIG_H] = {FT_STRING, "id.orig_h after Zeek's flips"},
    [TCPFSM_SF_ORIG_P] = {FT_UINT32, "id.orig_p after Zeek's flips"},
    [TCPFSM_SF_RESP_H] = {FT_STRING, "id.resp_h after Zeek's flips"},
    [TCPFSM_SF_RESP_P] = {FT_UINT32, "id.resp_p after Zeek's flips"},
    [TCPFSM_SF_ORIG_PKTS] = {FT_UINT64, "orig_pkts"},
    [TCPFSM_SF_RESP_PKTS] = {FT_UINT64, "resp_pkts"},
    [TCPFSM_SF_ANOMALIES] = {FT_STRING, "Anomalies seen on the connection, one item per token"},
};

/* ------------------------------------------------------------------ */
/* Per-capture state (between the init and cleanup routines)           */
/* ------------------------------------------------------------------ */

/* The packed record must hold every value of the engine's enums. */
G_STATIC_ASSERT(TCPFSM_EV_MAX <= 16);
G_STATIC_ASSERT(TCPFSM_PH_MAX <= 8);
G_STATIC_ASSERT(TCPFSM_CL_MAX <= 8);
G_STATIC_ASSERT(TCPFSM_ROLE_MAX <= 4);
G_STATIC_ASSERT(TCPFSM_STATE_MAX <= 16);
G_STATIC_ASSERT(TCPFSM_AB_COUNT <= 16);
G_STATIC_ASSERT(TCPFSM_T_COUNT <= 8);
G_STATIC_ASSERT(TCPFSM_CHECK_COUNT <= 4);
G_STATIC_ASSERT(TCPFSM_FW_COUNT <= 16);
G_STATIC_ASSERT(sizeof(tcpfsm_frame_rec) == 24);

/* One labelled frame: its packed record and its sentence, stored
 * compactly in the arena (see "Sentences" below). */
typedef struct stored_frame {
    tcpfsm_frame_rec r;
    const unsigned char *text;
} stored_frame;

/* Frames are stored in chunks of FRAME_CHUNK records, indexed by frame
 * number: no per-frame heap object, hash entry or proto_data node, and no
 * reallocation of what is already stored. */
#define FRAME_CHUNK_BITS 16
#define FRAME_CHUNK (1u << FRAME_CHUNK_BITS)
/* The stored sentences and histories, back to back in blocks of
 * LABEL_BLOCK bytes. */
#define LABEL_BLOCK (1u << 20)

/* A sentence's skeleton: the sentence with its numbers cut out, kept once
 * per capture; its literals are the text between the numbers. */
typedef struct skeleton {
    guint n_slots;        /* numbers; n_slots + 1 literals */
    const char **lit;     /* literal i */
    guint32 *lit_len;
} skeleton;

/* The skeleton last seen with a given hash of the label's facts: tried
 * first (and checked byte for byte) before the sentence is cut up. */
#define SKEL_CACHE 1024u

/* A released connection: its final summary, less the history buffer
 * (TCPFSM_HISTORY_MAX + 1 bytes, most of them unused), whose text is kept
 * in the label arena: the bytes before it and the bytes after it. */
#define SUM_HEAD offsetof(tcpfsm_summary, history)
#define SUM_TAIL_AT (SUM_HEAD + sizeof(((tcpfsm_summary *)0)->history))
typedef struct stored_conn {
    const char *history;
    unsigned char head[SUM_HEAD];
    unsigned char tail[sizeof(tcpfsm_summary) - SUM_TAIL_AT];
} stored_conn;

static struct {
    tcpfsm_engine *engine;
    stored_frame **frames;  /* chunk i: frames i*FRAME_CHUNK .. +FRAME_CHUNK-1 */
    guint n_chunks;
    GPtrArray *label_blocks;
    char *label_next;       /* free space in the last block */
    size_t label_left;
    GPtrArray *conns;       /* conn_id -> stored_conn * (released) or NULL */
    GArray *released;       /* conn_ids in the order the engine released them */
    uint64_t max_conn_id;
    guint32 last_fed;       /* last frame number given to the engine */
    uint64_t fed;           /* segments given to the engine */
    tcpfsm_conn_rec scratch; /* what tcpfsm_plugin_conn() returns */
    GHashTable *skel_ids;   /* skeleton text (slots as \x01) -> id + 1 */
    GPtrArray *skels;       /* id -> skeleton * */
    guint32 skel_cache[SKEL_CACHE]; /* id + 1, 0 = none */
} cap;

static const stored_frame *frame_get(guint32 num)
{
    guint32 chunk = num >> FRAME_CHUNK_BITS;
    if (chunk >= cap.n_chunks || !cap.frames[chunk])
        return NULL;
    const stored_frame *f = &cap.frames[chunk][num & (FRAME_CHUNK - 1)];
    return f->r.present ? f : NULL;
}

static stored_frame *frame_slot(guint32 num)
{
    guint32 chunk = num >> FRAME_CHUNK_BITS;
    if (chunk >= cap.n_chunks) {
        guint n = MAX(chunk + 1, cap.n_chunks * 2);
        cap.frames = g_renew(stored_frame *, cap.frames, n);
        memset(cap.frames + cap.n_chunks, 0, (n - cap.n_chunks) * sizeof *cap.frames);
        cap.n_chunks = n;
    }
    if (!cap.frames[chunk])
        cap.frames[chunk] = g_new0(stored_frame, FRAME_CHUNK);
    return &cap.frames[chunk][num & (FRAME_CHUNK - 1)];
}

/* At least n free bytes at the end of the arena; arena_commit(used)
 * keeps the first `used` of them. */
static unsigned char *arena_reserve(size_t n)
{
    if (n > cap.label_left) {
        size_t size = MAX((size_t)LABEL_BLOCK, n);
        cap.label_next = (char *)g_malloc(size);
        cap.label_left = size;
        g_ptr_array_add(cap.label_blocks, cap.label_next);
    }
    return (unsigned char *)cap.label_next;
}

static void arena_commit(size_t used)
{
    cap.label_next += used;
    cap.label_left -= used;
}

static const char *arena_strdup(const char *text)
{
    size_t n = strlen(text) + 1;
    unsigned char *out = arena_reserve(n);
    memcpy(out, text, n);
    arena_commit(n);
    return (const char *)out;
}

/* ---- Sentences ----
 *
 * A sentence is stored as its skeleton's number and its numbers: every
 * maximal run of ASCII digits that reads back the same when printed
 * ("0", or no leading zero, at most 19 digits) is a number, the text
 * around them is the skeleton, kept once per capture.  A capture's
 * sentences have few skeletons, so a sentence of ~100 bytes takes ~10.
 * After it, the check's two numbers when the frame has a check (its
 * text, tcpfsm_check_detail(), is made when shown).  Entries are varints:
 *   skeleton id + 1, then its numbers, [check_seen, check_expected]
 *   or 0, then the sentence as it is (NUL-terminated): a sentence
 *   holding the slot mark \x01.
 * Nothing here knows what the words mean: decoding gives back the
 * engine's bytes. */

#define SLOT_MARK '\x01'
#define NUM_MAX_DIGITS 19

static inline unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static inline const unsigned char *get_varint(const unsigned char *p, uint64_t *v)
{
    uint64_t x = 0;
    unsigned shift = 0;
    while (*p & 0x80) {
        x |= (uint64_t)(*p++ & 0x7f) << shift;
        shift += 7;
    }
    *v = x | ((uint64_t)*p++ << shift);
    return p;
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The digit run at p (p[0] is a digit): its length in *len; true when it
 * is a number that prints back as the same bytes, in *v. */
static inline bool read_number(const char *p, size_t *len, uint64_t *v)
{
    size_t n = 0;
    uint64_t x = 0;
    while (is_digit(p[n])) {
        if (n < NUM_MAX_DIGITS)
            x = x * 10 + (uint64_t)(p[n] - '0');
        n++;
    }
    *len = n;
    *v = x;
    return n <= NUM_MAX_DIGITS && (p[0] != '0' || n == 1);
}

/* The numbers of `text` if its skeleton is k (true), in nums. */
static bool skel_match(const skeleton *k, const char *text, uint64_t *nums)
{
    const char *p = text, *end = text + strlen(text);
    for (guint i = 0;; i++) {
        guint32 n = k->lit_len[i];
        if ((size_t)(end - p) < n || memcmp(p, k->lit[i], n) != 0)
            return false;
        p += n;
        if (i == k->n_slots)
            return *p == '\0';
        size_t len;
        if (!is_digit(*p) || !read_number(p, &len, &nums[i]))
            return false;
        p += len;
    }
}

/* Cut text into its skeleton (interned; its id) and numbers. */
static guint32 skel_intern(const char *text, uint64_t *nums, guint max_nums, guint *n_nums)
{
    size_t tl = strlen(text);
    GString *key = g_string_sized_new(tl + 1);
    guint n = 0;
    for (const char *p = text; *p;) {
        size_t len;
        uint64_t v;
        if (is_digit(*p) && read_number(p, &len, &v) && n < max_nums) {
            nums[n++] = v;
            g_string_append_c(key, SLOT_MARK);
            p += len;
        } else if (is_digit(*p)) {
            g_string_append_len(key, p, (gssize)len); /* not a number: text */
            p += len;
        } else {
            g_string_append_c(key, *p++);
        }
    }
    *n_nums = n;
    gpointer found = g_hash_table_lookup(cap.skel_ids, key->str);
    if (found) {
        g_string_free(key, TRUE);
        return GPOINTER_TO_UINT(found) - 1;
    }
    skeleton *k = g_new0(skeleton, 1);
    k->n_slots = n;
    k->lit = g_new(const char *, n + 1);
    k->lit_len = g_new(guint32, n + 1);
    const char *ks = key->str;
    for (guint i = 0; i <= n; i++) {
        const char *e = strchr(ks, SLOT_MARK);
        if (!e)
            e = ks + strlen(ks);
        k->lit[i] = ks;
        k->lit_len[i] = (guint32)(e - ks);
        ks = *e ? e + 1 : e;
    }
    guint32 id = cap.skels->len;
    g_ptr_array_add(cap.skels, k);
    /* the table owns the key text, which the literals point into */
    g_hash_table_insert(cap.skel_ids, g_string_free(key, FALSE), GUINT_TO_POINTER(id + 1));
    return id;
}

static void skel_free(gpointer p)
{
    skeleton *k = p;
    g_free(k->lit);
    g_free(k->lit_len);
    g_free(k);
}

/* Store the engine's sentence (and the check's numbers when the frame
 * has a check); `hint` is a hash of the label's facts. */
static const unsigned char *text_store(const tcpfsm_label *lab, guint32 hint)
{
    const char *text = lab->label;
    uint64_t nums[TCPFSM_LABEL_MAX / 2];
    guint n_nums = 0;
    guint32 id = G_MAXUINT32;
    guint32 *slot = &cap.skel_cache[hint & (SKEL_CACHE - 1)];
    if (*slot) {
        const skeleton *k = g_ptr_array_index(cap.skels, *slot - 1);
        if (skel_match(k, text, nums)) {
            id = *slot - 1;
            n_nums = k->n_slots;
        }
    }
    if (id == G_MAXUINT32) {
        if (strchr(text, SLOT_MARK)) {
            /* kept as it is */
            size_t tl = strlen(text) + 1;
            unsigned char *out = arena_reserve(1 + tl + 20);
            unsigned char *p = out;
            *p++ = 0;
            memcpy(p, text, tl);
            p += tl;
            if (lab->check != TCPFSM_CHECK_NONE) {
                p = put_varint(p, lab->check_seen);
                p = put_varint(p, lab->check_expected);
            }
            arena_commit((size_t)(p - out));
            return out;
        }
        id = skel_intern(text, nums, G_N_ELEMENTS(nums), &n_nums);
        *slot = id + 1;
    }
    unsigned char *out = arena_reserve(10 + (size_t)n_nums * 10 + 20);
    unsigned char *p = put_varint(out, (uint64_t)id + 1);
    for (guint i = 0; i < n_nums; i++)
        p = put_varint(p, nums[i]);
    if (lab->check != TCPFSM_CHECK_NONE) {
        p = put_varint(p, lab->check_seen);
        p = put_varint(p, lab->check_expected);
    }
    arena_commit((size_t)(p - out));
    return out;
}

static char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* The stored sentence into buf (TCPFSM_LABEL_MAX bytes), and the check's
 * numbers into l when the record has a check. */
static void text_load(const unsigned char *e, const tcpfsm_frame_rec *r, char *buf,
                      tcpfsm_label *l)
{
    uint64_t v;
    const unsigned char *p = get_varint(e, &v);
    if (v == 0) {
        size_t tl = strlen((const char *)p) + 1;
        g_strlcpy(buf, (const char *)p, TCPFSM_LABEL_MAX);
        p += tl;
    } else {
        const skeleton *k = g_ptr_array_index(cap.skels, (guint)(v - 1));
        char *o = buf;
        for (guint i = 0;; i++) {
            memcpy(o, k->lit[i], k->lit_len[i]);
            o += k->lit_len[i];
            if (i == k->n_slots)
                break;
            p = get_varint(p, &v);
            o = put_uint(o, v);
        }
        *o = '\0';
    }
    if (r->check != TCPFSM_CHECK_NONE && l) {
        p = get_varint(p, &v);
        l->check_seen = (uint32_t)v;
        get_varint(p, &v);
        l->check_expected = (uint32_t)v;
    }
}

static const stored_conn *released_conn(uint64_t id)
{
    if (!cap.conns || id >= cap.conns->len)
        return NULL;
    return (const stored_conn *)g_ptr_array_index(cap.conns, id);
}

const tcpfsm_conn_rec *tcpfsm_plugin_conn(uint64_t conn_id)
{
    tcpfsm_conn_rec *c = &cap.scratch;
    if (!cap.conns)
        return NULL;
    const stored_conn *st = released_conn(conn_id);
    if (st) {
        if (c->conn_id != conn_id || !c->released) {
            c->conn_id = conn_id;
            memcpy(&c->sum, st->head, sizeof st->head);
            memcpy((unsigned char *)&c->sum + SUM_TAIL_AT, st->tail, sizeof st->tail);
            g_strlcpy(c->sum.history, st->history, sizeof c->sum.history);
            c->released = true;
            c->snapshot_at = 0;
        }
        return c;
    }
    /* still held by the engine: its snapshot, taken at most once per
     * segment read */
    if (c->conn_id == conn_id && !c->released && c->snapshot_at == cap.fed)
        return c;
    if (!cap.engine || !tcpfsm_engine_conn_summary(cap.engine, conn_id, &c->sum)) {
        c->conn_id = 0;
        return NULL;
    }
    c->conn_id = conn_id;
    c->released = false;
    c->snapshot_at = cap.fed;
    return c;
}

void tcpfsm_plugin_foreach_conn(tcpfsm_conn_visit_fn fn, void *user)
{
    if (!cap.conns)
        return;
    guint n = cap.released->len;
    for (guint i = 0; i < n; i++) {
        uint64_t id = g_array_index(cap.released, uint64_t, i);
        const tcpfsm_conn_rec *c = tcpfsm_plugin_conn(id);
        if (c && !fn(c, user))
            return;
    }
    /* the engine numbers connections from 1 in the order they begin */
    for (uint64_t id = 1; id <= cap.max_conn_id; id++) {
        if (released_conn(id))
            continue;
        const tcpfsm_conn_rec *c = tcpfsm_plugin_conn(id);
        if (c && !fn(c, user))
            return;
    }
}

/* The engine releases a connection: keep its final summary. */
static void on_summary(const tcpfsm_summary *s, void *user _U_)
{
    if (!cap.conns || released_conn(s->conn_id) || s->conn_id > G_MAXUINT32)
        return;
    stored_conn *st = wmem_new(wmem_file_scope(), stored_conn);
    memcpy(st->head, s, sizeof st->head);
    memcpy(st->tail, (const unsigned char *)s + SUM_TAIL_AT, sizeof st->tail);
    st->history = arena_strdup(s->history);
    if (s->conn_id >= cap.conns->len)
        g_ptr_array_set_size(cap.conns, (guint)s->conn_id + 1);
    g_ptr_array_index(cap.conns, s->conn_id) = st;
    g_array_append_val(cap.released, s->conn_id);
    if (s->conn_id > cap.max_conn_id)
        cap.max_conn_id = s->conn_id;
    if (cap.scratch.conn_id == s->conn_id)
        cap.scratch.conn_id = 0; /* the snapshot is out of date */
}

/* TCP's check_checksum preference (tcp.checksum.status is then computed
 * as TCP computes it: checksum_status()). */
static bool tcp_checks_checksums(void)
{
    module_t *m = prefs_find_module("tcp");
    pref_t *p = m ? prefs_find_preference(m, "check_checksum") : NULL;
    return p && prefs_get_bool_value(p, pref_current);
}

/* The fields to prime for the post-dissector: none in tap mode, else
 * every input field. */
static void set_wanted(void)
{
    GArray *wanted = g_array_new(FALSE, FALSE, (guint)sizeof(int));
    for (int f = 0; f < TCPFSM_F_COUNT && !tap_mode; f++)
        if (hf_in[f] >= 0)
            g_array_append_val(wanted, hf_in[f]);
    set_postdissector_wanted_hfids(tcpfsm_handle, wanted);
}

static void tcpfsm_init(void)
{
    prefs_looked = false; /* TCP's, at the capture's first frame */

    tcpfsm_config cfg;
    /* The tool's defaults: linger and max_lingering decide whether a late
     * segment still belongs to a finished connection, so they must be the
     * same in both adapters for the labels to agree.  Nothing is lost:
     * every released connection's summary comes through on_summary. */
    tcpfsm_config_init(&cfg);
    cfg.on_summary = on_summary;
    cfg.user = NULL;
    cfg.lang = (tcpfsm_lang)pref_lang;
    cfg.zeek_split = pref_zeek_split;
    cap.engine = tcpfsm_engine_new(&cfg);
    expert_tap = find_tap_id("expert");
    proto_expert_id = proto_get_id_by_filter_name("_ws.expert");
    cap.frames = NULL;
    cap.n_chunks = 0;
    cap.label_blocks = g_ptr_array_new_with_free_func(g_free);
    cap.label_next = NULL;
    cap.label_left = 0;
    cap.conns = g_ptr_array_new();
    cap.released = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    cap.max_conn_id = 0;
    cap.last_fed = 0;
    cap.fed = 0;
    memset(&cap.scratch, 0, sizeof cap.scratch);
    cap.skel_ids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    cap.skels = g_ptr_array_new_with_free_func(skel_free);
    memset(cap.skel_cache, 0, sizeof cap.skel_cache);
}

static void tcpfsm_cleanup(void)
{
    tcpfsm_engine_free(cap.engine); /* emits nothing */
    cap.engine = NULL;
    for (guint i = 0; i < cap.n_chunks; i++)
        g_free(cap.frames[i]);
    g_free(cap.frames);
    cap.frames = NULL;
    cap.n_chunks = 0;
    if (cap.label_blocks)
        g_ptr_array_free(cap.label_blocks, TRUE);
    cap.label_blocks = NULL;
    cap.label_next = NULL;
    cap.label_left = 0;
    if (cap.conns)
        g_ptr_array_free(cap.conns, TRUE); /* the records are wmem_file_scope */
    cap.conns = NULL;
    if (cap.released)
        g_array_free(cap.released, TRUE);
    cap.released = NULL;
    cap.max_conn_id = 0;
    cap.last_fed = 0;
    cap.fed = 0;
    memset(&cap.scratch, 0, sizeof cap.scratch);
    if (cap.skels)
        g_ptr_array_free(cap.skels, TRUE);
    cap.skels = NULL;
    if (cap.skel_ids)
        g_hash_table_destroy(cap.skel_ids);
    cap.skel_ids = NULL;
    memset(cap.skel_cache, 0, sizeof cap.skel_cache);
}

/* ------------------------------------------------------------------ */
/* Reading the fields: tcpfsm_segment_fill(), as tool/tsv.c             */
/* ------------------------------------------------------------------ */

/* The innermost (last) occurrence, as `-E occurrence=l`. */
static field_info *last_fi(proto_tree *tree, int f)
{
    if (hf_in[f] < 0)
        return NULL;
    GPtrArray *a = proto_get_finfo_ptr_array(tree, hf_in[f]);
    if (!a || a->len == 0)
        return NULL;
    return (field_info *)g_ptr_array_index(a, a->len - 1);
}

/* The occurrence tcpfsm_segment_fill() asks for (tcpfsm_value.occurrence:
 * TCPFSM_OCC_LAST, TCPFSM_OCC_FIRST, or n before the last), as tool/tsv.c
 * narrows an `-E occurrence=a` cell; NULL when there is none. */
static field_info *occ_fi(proto_tree *tree, int f, int occ)
{
    if (hf_in[f] < 0)
        return NULL;
    GPtrArray *a = proto_get_finfo_ptr_array(tree, hf_in[f]);
    if (!a || a->len == 0)
        return NULL;
    if (occ == TCPFSM_OCC_FIRST)
        return (field_info *)g_ptr_array_index(a, 0);
    guint back = occ > 0 ? (guint)occ : 0;
    if (back >= a->len)
        return NULL;
    return (field_info *)g_ptr_array_index(a, a->len - 1 - back);
}

static bool fi_uint(proto_tree *tree, int f, int occ, guint32 *out)
{
    field_info *fi = occ_fi(tree, f, occ);
    if (!fi)
        return false;
    *out = fvalue_get_uinteger(TCPFSM_FI_VALUE(fi));
    return true;
}

static bool fi_addr(field_info *fi, tcpfsm_addr *out)
{
    memset(out, 0, sizeof *out);
    switch (fi->hfinfo->type) {
    case FT_IPv4: {
        guint32 a = tcpfsm_fi_ipv4(fi); /* host order */
        out->family = 4;
        out->bytes[0] = (uint8_t)(a >> 24);
        out->bytes[1] = (uint8_t)(a >> 16);
        out->bytes[2] = (uint8_t)(a >> 8);
        out->bytes[3] = (uint8_t)a;
        return true;
    }
    case FT_IPv6:
        out->family = 6;
        return tcpfsm_fi_ipv6(fi, out->bytes);
    default:
        return false;
    }
}

/* ---- The segment from the TCP dissector's tap (no tree needed) ----
 *
 * A tree costs tshark more than the whole engine: from 4.4, a tshark that
 * prints summary lines builds none unless someone wants fields, and a
 * post-dissector that reads fields (set_postdissector_wanted_hfids) makes
 * it build one for every dissector of every packet (+144% on 4.4, +159% on
 * 4.6; on 4.0 the wanted fields were primed even with tcpfsm disabled).
 * So the segment is read from what the TCP dissector hands its tap: its
 * struct tcpheader (epan/dissectors/packet-tcp.h), queued for every TCP
 * header before the TCP payload is dissected, fetched here with
 * fetch_tapped_data() (the way dissectors read each other's taps within a
 * packet) through a listener that wants nothing (TL_IS_DISSECTOR_HELPER:
 * it makes tshark queue the taps, not build a tree).  The values are the
 * ones the tree's fields are made of: th_rawseq/th_rawack (tcp.seq_raw,
 * tcp.ack_raw), th_flags (tcp.flags), th_seglen when th_have_seglen
 * (tcp.len), th_win after scaling (tcp.window_size), th_stream
 * (tcp.stream), ip_src/ip_dst (the addresses of the IP header that
 * carried it: pinfo->src/dst when TCP ran); the frame's are pinfo's;
 * frame.protocols is pinfo->layers, as the frame dissector writes it.
 * tcp.checksum.status is "unverified" unless TCP's check_checksum
 * preference is on: then it is computed as TCP computes it, from the
 * frame's bytes (checksum_status()).
 *
 * Taps are queued only in a dissection that runs them: every first pass
 * that tshark and Wireshark make (single pass, the GUI's reading of a
 * file or a live capture), and the second pass of `tshark -2`.  A first
 * pass without taps (`tshark -2`'s, a GUI read filter's trial
 * dissection) reads the header from the frame's bytes
 * (salvage_header()), so `tshark -2` labels in its first pass as before
 * (its connection fields are final in the second, `-2 -R 'tcpfsm...'`
 * works); a frame no first pass could label waits for the next
 * dissection with taps, in capture order (cap.last_fed).
 *
 * Should the listener fail to register, the fields are read from the tree
 * as before (tap_mode false, every input field wanted); the variables
 * are at the top of this file. */

/* The TCP header that is occurrence occ (TCPFSM_OCC_*) of this frame's,
 * in dissection order (the tree's order); NULL when there is none or no
 * taps are queued in this dissection. */
static const tcp_info_t *tap_header(int occ)
{
    const tcp_info_t *th = fetch_tapped_data(tcp_tap_id, 0);
    if (!th || occ == TCPFSM_OCC_FIRST)
        return th;
    int n = 1;
    while (fetch_tapped_data(tcp_tap_id, n))
        n++;
    int want = n - 1 - (occ > 0 ? occ : 0); /* its index */
    if (want < 0)
        return NULL;
    return want == 0 ? th : fetch_tapped_data(tcp_tap_id, want);
}

/* pinfo->layers as frame.protocols ("eth:ethertype:ip:tcp"): without the
 * leading "frame", and without the post-dissectors (ours and any after
 * it: frame.protocols is written before they run).  The texts of the last
 * LAYERS_MEMO lists of layers seen are kept (a capture's frames share a
 * few: "...:tcp", "...:tcp:http", "...:tcp:tls"), else the text is made
 * in *owned (g_free). */
#define LAYERS_MAX 48
#define LAYERS_MEMO 8
static struct layers_memo {
    unsigned n;
    bool valid;
    int ids[LAYERS_MAX];
    char text[512];
} layers_memo[LAYERS_MEMO];
static unsigned layers_memo_next; /* the slot replaced next */

static const char *layers_text(packet_info *pinfo, char **owned)
{
    if (!pinfo->layers)
        return NULL;
    wmem_list_frame_t *fr = wmem_list_head(pinfo->layers);
    if (!fr)
        return NULL;
    int ids[LAYERS_MAX];
    unsigned n = 0;
    bool fits = true;
    for (fr = wmem_list_frame_next(fr); fr; fr = wmem_list_frame_next(fr)) {
        int id = (int)GPOINTER_TO_UINT(wmem_list_frame_data(fr));
        if (id == proto_tcpfsm)
            break;
        if (n == LAYERS_MAX) {
            fits = false;
            break;
        }
        ids[n++] = id;
    }
    if (fits)
        for (unsigned k = 0; k < LAYERS_MEMO; k++) {
            const struct layers_memo *m = &layers_memo[k];
            if (m->valid && m->n == n && memcmp(ids, m->ids, n * sizeof ids[0]) == 0)
                return m->text;
        }
    GString *s = g_string_new(NULL);
    fr = wmem_list_frame_next(wmem_list_head(pinfo->layers));
    for (; fr; fr = wmem_list_frame_next(fr)) {
        int id = (int)GPOINTER_TO_UINT(wmem_list_frame_data(fr));
        if (id == proto_tcpfsm)
            break;
        if (s->len)
            g_string_append_c(s, ':');
        g_string_append(s, proto_get_protocol_filter_name(id));
    }
    if (fits && s->len < sizeof layers_memo[0].text) {
        struct layers_memo *m = &layers_memo[layers_memo_next];
        layers_memo_next = (layers_memo_next + 1) % LAYERS_MEMO;
        memcpy(m->text, s->str, s->len + 1);
        memcpy(m->ids, ids, n * sizeof ids[0]);
        m->n = n;
        m->valid = true;
        g_string_free(s, TRUE);
        return m->text;
    }
    *owned = g_string_free(s, FALSE);
    return *owned;
}

/* A TCP header that TCP gave up on before queueing its tap: it threw an
 * exception on a header cut short ("Short segment", [Malformed Packet])
 * after it had added its ports, numbers and flags to the tree, which the
 * tool reads from `tshark -T fields` and labels.  Read here from the
 * frame's bytes: the IP header that carried it is found by its addresses
 * (pinfo->src/dst, the last IP header's), the TCP header after it by its
 * ports (pinfo->srcport/destport: TCP sets them first); tcp.len and the
 * window's scale as TCP computes them; the stream from TCP's conversation
 * (left out when there is none: the engine then keys on the 4-tuple).
 * false when the header cannot be found. */
#define IP_TAPS 2
static int ip_tap_ids[IP_TAPS] = {-1, -1}; /* "ip", "ipv6" */
static int proto_tcp_id = -1;

/* big-endian numbers in the frame's bytes (wsutil/pint.h renames its
 * own in 4.6) */
static inline guint be16(const guint8 *p)
{
    return ((guint)p[0] << 8) | p[1];
}

static inline guint32 be32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) | ((guint32)p[2] << 8) | p[3];
}

static int hf_tcp_srcport_id = -1, hf_tcp_dstport_id = -1, proto_ip_id = -1,
           proto_ipv6_id = -1;

/* The layer number (pinfo->layers' position, "frame" 1) of the first TCP
 * header, 0 when none; *tunnel: IP headers follow it (IP in its
 * payload: then pinfo->src/dst and the ports are the inner packet's). */
static unsigned first_tcp_layer(packet_info *pinfo, bool *tunnel)
{
    unsigned n = 0, tcp = 0;
    *tunnel = false;
    if (!pinfo->layers)
        return 0;
    for (wmem_list_frame_t *fr = wmem_list_head(pinfo->layers); fr;
         fr = wmem_list_frame_next(fr)) {
        int id = (int)GPOINTER_TO_UINT(wmem_list_frame_data(fr));
        n++;
        if (id == proto_tcp_id && !tcp)
            tcp = n;
        else if (tcp && (id == proto_ip_id || id == proto_ipv6_id))
            *tunnel = true;
    }
    return tcp;
}

/* Where the TCP header with these ports begins, right after an IPv4
 * header (any length) or a bare IPv6 header that hands it TCP: the first
 * such place in the frame; *ip its IP header, *family 4 or 6. */
static bool find_after_ip(const guint8 *b, guint len, guint sport, guint dport,
                          guint *tcp, guint *ip, int *family)
{
    for (guint p = 20; p + 16 <= len; p++) {
        if (be16(b + p) != sport || be16(b + p + 2) != dport)
            continue;
        for (guint ihl = 5; ihl <= 15 && ihl * 4 <= p; ihl++) {
            const guint8 *h = b + p - ihl * 4;
            if (h[0] == (0x40 | ihl) && h[9] == 6) {
                *tcp = p, *ip = p - ihl * 4, *family = 4;
                return true;
            }
        }
        if (p >= 40 && (b[p - 40] >> 4) == 6 && b[p - 34] == 6) {
            *tcp = p, *ip = p - 40, *family = 6;
            return true;
        }
    }
    return false;
}

/* Where a segment is in the frame's bytes: its IP header, its TCP
 * header, the bytes IP says it has, and whether IP carried a fragment
 * (TCP then knows no length and checks no checksum). */
typedef struct seg_loc {
    guint ip, tcp, reported;
    bool fragment;
} seg_loc;

/* The segment from src to dst between these ports: the first IP header
 * with these addresses that hands TCP a header with these ports (after
 * any IPv6 extension headers).  Searched from the frame's start: the IP
 * header is a few bytes in, where a search from the end would read the
 * whole payload first (an outer IP header with the same addresses
 * carries IP or GRE, not TCP, so it is passed over). */
static bool locate_segment(const guint8 *b, guint len, const address *src,
                           const address *dst, guint sport, guint dport, seg_loc *l)
{
    int family = src->type == AT_IPv4 ? 4 : src->type == AT_IPv6 ? 6 : 0;
    int alen = family == 4 ? 4 : 16;
    if (!family || src->len != alen || dst->type != src->type || dst->len != alen)
        return false;
    guint8 pair[32];
    memcpy(pair, src->data, (size_t)alen);
    memcpy(pair + alen, dst->data, (size_t)alen);
    const guint at = family == 4 ? 12 : 8; /* the addresses' offset */
    const guint hdr = family == 4 ? 20 : 40;
    for (guint q = at; q + hdr <= len + at; q++) {
        if (memcmp(b + q, pair, (size_t)(2 * alen)) != 0)
            continue;
        guint ip = q - at, tcp = 0, reported = 0;
        bool fragment = false;
        if (family == 4) {
            if ((b[ip] >> 4) != 4 || b[ip + 9] != 6 || (b[ip] & 15) < 5)
                continue;
            guint ihl = (guint)(b[ip] & 15) * 4, tot = be16(b + ip + 2);
            tcp = ip + ihl;
            reported = tot > ihl ? tot - ihl : 0;
            fragment = (be16(b + ip + 6) & 0x3fff) != 0; /* MF, offset */
        } else {
            if ((b[ip] >> 4) != 6)
                continue;
            guint plen = be16(b + ip + 4);
            /* the extension headers (hop-by-hop 0, routing 43,
             * fragment 44, destination options 60), then TCP (6) */
            guint nh = b[ip + 6];
            tcp = ip + 40;
            while ((nh == 0 || nh == 43 || nh == 44 || nh == 60) && tcp + 8 <= len) {
                fragment = fragment || nh == 44;
                guint next = b[tcp], size = nh == 44 ? 8 : ((guint)b[tcp + 1] + 1) * 8;
                nh = next;
                tcp += size;
            }
            if (nh != 6)
                continue;
            reported = ip + 40 + plen > tcp ? ip + 40 + plen - tcp : 0;
        }
        if (tcp + 16 > len || be16(b + tcp) != sport || be16(b + tcp + 2) != dport)
            continue;
        l->ip = ip, l->tcp = tcp, l->reported = reported, l->fragment = fragment;
        return true;
    }
    return false;
}

/* tcp.checksum.status as TCP sets it when its check_checksum preference
 * is on (PROTO_CHECKSUM_E_*): unverified unless IP carried the whole
 * segment and all of it was captured; else good when the one's
 * complement sum over the pseudo-header and the segment checks, bad
 * otherwise, and bad for a 0xffff checksum that sums to zero (TCP's "see
 * RFC 1624" case). */
static guint checksum_status(const guint8 *b, guint len, const seg_loc *l,
                             const address *src, const address *dst)
{
    if (l->fragment || l->tcp + l->reported > len || l->reported < 18)
        return PROTO_CHECKSUM_E_UNVERIFIED;
    guint32 sum = 0;
    const guint8 *a[2] = {src->data, dst->data};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < src->len; i += 2)
            sum += be16(a[k] + i);
    sum += 6 + (l->reported & 0xffff) + (l->reported >> 16); /* proto, length */
    const guint8 *p = b + l->tcp;
    guint n = l->reported;
    for (guint i = 0; i + 1 < n; i += 2)
        sum += be16(p + i);
    if (n & 1)
        sum += (guint)p[n - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    guint computed = ~sum & 0xffff;
    if (computed == 0 && be16(p + 16) == 0xffff)
        return PROTO_CHECKSUM_E_BAD;
    return computed == 0 ? PROTO_CHECKSUM_E_GOOD : PROTO_CHECKSUM_E_BAD;
}

/* The TCP header at b + tcp into *th (its addresses already set);
 * reported: the bytes IP says the segment has. */
static void fill_salvaged(const guint8 *b, const seg_loc *l, packet_info *pinfo,
                          tcp_info_t *th)
{
    const guint tcp = l->tcp, reported = l->reported;
    const bool fragment = l->fragment;
    address src = th->ip_src, dst = th->ip_dst;
    memset(th, 0, sizeof *th);
    th->ip_src = src;
    th->ip_dst = dst;
    th->th_sport = be16(b + tcp);
    th->th_dport = be16(b + tcp + 2);
    th->th_rawseq = be32(b + tcp + 4);
    th->th_rawack = be32(b + tcp + 8);
    th->th_flags = be16(b + tcp + 12) & TH_MASK;
    th->th_win = be16(b + tcp + 14);
    th->th_hlen = (guint8)((b[tcp + 12] >> 4) * 4);
    th->th_stream = G_MAXUINT32; /* none */
    conversation_t *conv =
        proto_tcp_id >= 0 ? find_conversation(pinfo->num, &th->ip_src, &th->ip_dst,
                                              CONVERSATION_TCP, th->th_sport,
                                              th->th_dport, 0)
                          : NULL;
    struct tcp_analysis *tcpd =
        conv ? conversation_get_proto_data(conv, proto_tcp_id) : NULL;
    if (tcpd)
        th->th_stream = tcpd->stream;
    if (!fragment && reported >= th->th_hlen) {
        th->th_have_seglen = true;
        th->th_seglen = reported - th->th_hlen;
        if (!(th->th_flags & TH_SYN) && tcpd && tcpd->fwd && tcpd->fwd->win_scale >= 0)
            th->th_win <<= tcpd->fwd->win_scale;
    }
}

static bool salvage_header(tvbuff_t *tvb, packet_info *pinfo, tcp_info_t *th)
{
    /* taps are queued in this dissection (IP queues its own before it
     * hands over its payload): TCP threw; or none are, in a first pass
     * (`tshark -2`'s, which runs no taps, a GUI read filter's trial
     * dissection): the header is read from the bytes then too, so that
     * the labels are made in the first pass (the connection fields of
     * `tshark -2` are final, `-2 -R 'tcpfsm...'` filters on them) */
    bool tapping = false;
    for (int i = 0; i < IP_TAPS; i++)
        tapping = tapping || (ip_tap_ids[i] >= 0 && fetch_tapped_data(ip_tap_ids[i], 0));
    if (!tapping && PINFO_FD_VISITED(pinfo))
        return false;
    if (!tvb || pinfo->flags.in_error_pkt)
        return false;
    bool tunnel;
    unsigned layer = first_tcp_layer(pinfo, &tunnel);
    if (!layer)
        return false;
    if (tunnel) {
        /* the first TCP header's ports, which TCP keeps per layer (for
         * Decode As); its IP header is the one before it in the bytes */
        guint sport = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, hf_tcp_srcport_id, layer));
        guint dport = GPOINTER_TO_UINT(p_get_proto_data(pinfo->pool, pinfo, hf_tcp_dstport_id, layer));
        guint len = tvb_captured_length(tvb), tcp, ip;
        int fam;
        const guint8 *b = tvb_get_ptr(tvb, 0, (gint)len);
        if (hf_tcp_srcport_id < 0 || !find_after_ip(b, len, sport, dport, &tcp, &ip, &fam))
            return false;
        seg_loc l = {ip, tcp, 0, fam == 4 && (be16(b + ip + 6) & 0x3fff) != 0};
        guint reported = fam == 4 ? be16(b + ip + 2) : be16(b + ip + 4) + 40u;
        l.reported = reported > tcp - ip ? reported - (tcp - ip) : 0;
        set_address(&th->ip_src, fam == 4 ? AT_IPv4 : AT_IPv6, fam == 4 ? 4 : 16,
                    b + ip + (fam == 4 ? 12 : 8));
        set_address(&th->ip_dst, fam == 4 ? AT_IPv4 : AT_IPv6, fam == 4 ? 4 : 16,
                    b + ip + (fam == 4 ? 16 : 24));
        fill_salvaged(b, &l, pinfo, th);
        return true;
    }
    if (pinfo->ptype != PT_TCP)
        return false;
    seg_loc l;
    guint len = tvb_captured_length(tvb);
    const guint8 *b = tvb_get_ptr(tvb, 0, (gint)len);
    if (!locate_segment(b, len, &pinfo->src, &pinfo->dst, pinfo->srcport,
                        pinfo->destport, &l))
        return false;
    copy_address_shallow(&th->ip_src, &pinfo->src);
    copy_address_shallow(&th->ip_dst, &pinfo->dst);
    fill_salvaged(b, &l, pinfo, th);
    return true;
}

static bool addr_from(const address *a, int family, tcpfsm_addr *out)
{
    memset(out, 0, sizeof *out);
    if (family == 4 && a->type == AT_IPv4 && a->len == 4) {
        out->family = 4;
        memcpy(out->bytes, a->data, 4);
        return true;
    }
    if (family == 6 && a->type == AT_IPv6 && a->len == 16) {
        out->family = 6;
        memcpy(out->bytes, a->data, 16);
        return true;
    }
    return false;
}

/* The getter tcpfsm_segment_fill() asks (engine/tcpfsm_input.h): the
 * occurrence of each field in the tree it asks for (the last, as `-E
 * occurrence=l`, unless the TCP payload carries IP packets).  The
 * checks are the engine's, the tool's: a frame whose row the tool would
 * reject is not labelled. */
typedef struct fill_ctx {
    proto_tree *tree;
    packet_info *pinfo;
    char *protos; /* frame.protocols built from pinfo->layers (g_free) */
    const tcp_info_t *th; /* tap mode: the segment's TCP header */
    tvbuff_t *tvb;        /* the frame's bytes (salvage_header) */
    tcp_info_t salvaged;
} fill_ctx;

/* tap mode: the fields from the TCP tap and pinfo (see above).  The TCP
 * occurrence is chosen at the first tcp.* field asked (tcp.srcport,
 * always first); the addresses are that header's. */
static tcpfsm_value_kind fill_get_tap(void *ctx, int f, tcpfsm_value *v)
{
    fill_ctx *g = ctx;
    packet_info *pinfo = g->pinfo;
    const tcp_info_t *th = g->th;
    switch (f) {
    case TCPFSM_F_FRAME_NUMBER:
        v->u = pinfo->num;
        return TCPFSM_VAL_UINT;
    case TCPFSM_F_PROTOCOLS:
        v->text = layers_text(pinfo, &g->protos);
        return v->text ? TCPFSM_VAL_TEXT : TCPFSM_VAL_NONE;
    case TCPFSM_F_TIME_EPOCH:
        if (!(pinfo->presence_flags & PINFO_HAS_TS)) /* the frame dissector's test */
            return TCPFSM_VAL_NONE;
        v->time.secs = (int64_t)pinfo->abs_ts.secs;
        v->time.nsecs = pinfo->abs_ts.nsecs;
        return TCPFSM_VAL_TIME;
    case TCPFSM_F_FRAME_LEN:
        v->u = pinfo->fd->pkt_len;
        return TCPFSM_VAL_UINT;
    case TCPFSM_F_FRAME_CAP_LEN:
        v->u = pinfo->fd->cap_len;
        return TCPFSM_VAL_UINT;
    case TCPFSM_F_IP_SRC:
    case TCPFSM_F_IP_DST:
    case TCPFSM_F_IPV6_SRC:
    case TCPFSM_F_IPV6_DST: {
        if (!th)
            return TCPFSM_VAL_NONE;
        int family = (f == TCPFSM_F_IP_SRC || f == TCPFSM_F_IP_DST) ? 4 : 6;
        const address *a = (f == TCPFSM_F_IP_SRC || f == TCPFSM_F_IPV6_SRC)
                               ? &th->ip_src : &th->ip_dst;
        return addr_from(a, family, &v->addr) ? TCPFSM_VAL_ADDR : TCPFSM_VAL_NONE;
    }
    case TCPFSM_F_CHECKSUM_STATUS:
        if (!th)
            return TCPFSM_VAL_NONE;
        v->u = PROTO_CHECKSUM_E_UNVERIFIED;
        if (checksum_on && g->tvb) {
            seg_loc l;
            guint len = tvb_captured_length(g->tvb);
            const guint8 *b = tvb_get_ptr(g->tvb, 0, (gint)len);
            if (locate_segment(b, len, &th->ip_src, &th->ip_dst, th->th_sport,
                               th->th_dport, &l))
                v->u = checksum_status(b, len, &l, &th->ip_src, &th->ip_dst);
        }
        return TCPFSM_VAL_UINT;
    default:
        break;
    }
    /* tcp.* */
    if (!th) {
        th = g->th = tap_header(v->occurrence);
        if (!th && !fetch_tapped_data(tcp_tap_id, 0) &&
            salvage_header(g->tvb, pinfo, &g->salvaged))
            th = g->th = &g->salvaged;
        if (!th)
            return TCPFSM_VAL_NONE;
    }
    switch (f) {
    case TCPFSM_F_STREAM:
        if (th == &g->salvaged && th->th_stream == G_MAXUINT32)
            return TCPFSM_VAL_NONE;
        v->u = th->th_stream;
        break;
    case TCPFSM_F_SRCPORT: v->u = th->th_sport; break;
    case TCPFSM_F_DSTPORT: v->u = th->th_dport; break;
    case TCPFSM_F_FLAGS: v->u = th->th_flags & TH_MASK; break;
    case TCPFSM_F_SEQ_RAW: v->u = th->th_rawseq; break;
    case TCPFSM_F_ACK_RAW: v->u = th->th_rawack; break;
    case TCPFSM_F_WINDOW_SIZE: v->u = th->th_win; break;
    case TCPFSM_F_LEN:
        if (!th->th_have_seglen)
            return TCPFSM_VAL_NONE;
        v->u = th->th_seglen;
        break;
    default: /* tcp.window_size_value: tcp.window_size is always there */
        return TCPFSM_VAL_NONE;
    }
    return TCPFSM_VAL_UINT;
}

static tcpfsm_value_kind fill_get(void *ctx, int f, tcpfsm_value *v)
{
    fill_ctx *g = ctx;
    field_info *fi;
    guint32 u;
    switch (f) {
    case TCPFSM_F_FRAME_NUMBER:
        v->u = g->pinfo->num;
        return TCPFSM_VAL_UINT;
    case TCPFSM_F_PROTOCOLS:
        fi = last_fi(g->tree, f);
        if (fi && fvalue_get_string(TCPFSM_FI_VALUE(fi))) {
            v->text = fvalue_get_string(TCPFSM_FI_VALUE(fi)); /* the usual case */
            return TCPFSM_VAL_TEXT;
        }
        /* should it be missing: the same text from the same source,
         * pinfo->layers (the frame dissector's) */
        v->text = layers_text(g->pinfo, &g->protos);
        return v->text ? TCPFSM_VAL_TEXT : TCPFSM_VAL_NONE;
    case TCPFSM_F_TIME_EPOCH: {
        fi = occ_fi(g->tree, f, v->occurrence);
        if (!fi)
            return TCPFSM_VAL_NONE;
        const nstime_t *t = fvalue_get_time(TCPFSM_FI_VALUE(fi));
        v->time.secs = (int64_t)t->secs;
        v->time.nsecs = t->nsecs;
        return TCPFSM_VAL_TIME;
    }
    case TCPFSM_F_IP_SRC:
    case TCPFSM_F_IP_DST:
    case TCPFSM_F_IPV6_SRC:
    case TCPFSM_F_IPV6_DST:
        fi = occ_fi(g->tree, f, v->occurrence);
        if (!fi)
            return TCPFSM_VAL_NONE;
        fi_addr(fi, &v->addr); /* family 0 when not an address */
        return TCPFSM_VAL_ADDR;
    default:
        if (!fi_uint(g->tree, f, v->occurrence, &u))
            return TCPFSM_VAL_NONE;
        v->u = u;
        return TCPFSM_VAL_UINT;
    }
}

/* 1: a TCP segment, seg filled; 0: not a TCP segment; < 0: a segment the
 * tool would reject as a bad row (and so never give the engine). */
static int read_segment(tvbuff_t *tvb, proto_tree *tree, packet_info *pinfo,
                        tcpfsm_segment *seg)
{
    fill_ctx g = {tree, pinfo, NULL, NULL, tvb, {0}};
    int r = tcpfsm_segment_fill(seg, tap_mode ? fill_get_tap : fill_get, &g, NULL);
    g_free(g.protos);
    return r;
}

/* ------------------------------------------------------------------ */
/* Running the engine (first pass only)                                 */
/* ------------------------------------------------------------------ */

static const stored_frame *run_engine(tvbuff_t *tvb, proto_tree *tree,
                                      packet_info *pinfo)
{
    tcpfsm_segment seg;
    tcpfsm_label lab;

    if (!cap.engine || (!tree && !tap_mode))
        return NULL;
    if (!prefs_looked) { /* set by then, whatever the program's order */
        checksum_on = tcp_checks_checksums();
        prefs_looked = true;
    }
    /* Frames reach the engine once, in capture order. */
    if (pinfo->num <= cap.last_fed)
        return NULL;
    if (read_segment(tvb, tree, pinfo, &seg) <= 0)
        return NULL;
    cap.last_fed = pinfo->num;
    cap.fed++;
    if (tcpfsm_engine_feed(cap.engine, &seg, &lab) != 0)
        return NULL;
    if (lab.conn_id > G_MAXUINT32)
        return NULL; /* more connections than frames: cannot happen */

    stored_frame *f = frame_slot(pinfo->num);
    tcpfsm_frame_rec *r = &f->r;
    r->conn_id = (uint32_t)lab.conn_id;
    r->ref_frame = lab.ref_frame <= G_MAXUINT32 ? (uint32_t)lab.ref_frame : 0;
    r->seq_rel = lab.seq_rel;
    r->ack_rel = lab.ack_rel;
    r->has_ack_rel = lab.has_ack_rel;
    r->ack_ok = lab.ack_ok;
    r->anomalies = (uint16_t)lab.anomalies;
    r->event = (unsigned)lab.event;
    r->phase = (unsigned)lab.phase;
    r->step_num = lab.step_num;
    r->step_of = lab.step_of;
    r->step_more = lab.step_last > lab.step_num;
    r->close = (unsigned)lab.close;
    r->role = (unsigned)lab.role;
    r->src_prev = (unsigned)lab.src_prev;
    r->src_state = (unsigned)lab.src_state;
    r->dst_prev = (unsigned)lab.dst_prev;
    r->dst_state = (unsigned)lab.dst_state;
    r->present = 1;
    r->title = lab.title;
    r->check = lab.check;
    r->flow = lab.flow;
    /* which skeleton to try first: the one last seen with these facts */
    guint32 hint = (guint32)lab.situation * 0x9e3779b1u;
    hint ^= ((guint32)lab.role << 1) ^ ((guint32)lab.src_prev << 3) ^
            ((guint32)lab.src_state << 7) ^ ((guint32)lab.dst_prev << 11) ^
            ((guint32)lab.dst_state << 15) ^ ((guint32)lab.title << 19) ^
            ((guint32)lab.anomalies << 22) ^ ((guint32)lab.step_num << 5);
    hint ^= hint >> 16;
    f->text = text_store(&lab, hint);

    /* known from now on; its summary is read from the engine when shown */
    if (lab.conn_id > cap.max_conn_id)
        cap.max_conn_id = lab.conn_id;
    return f;
}

/* The label's facts, without its sentence (l->label stays empty). */
static void rec_facts(const tcpfsm_frame_rec *r, tcpfsm_label *l)
{
    memset(l, 0, sizeof *l);
    l->event = (tcpfsm_event)r->event;
    l->phase = (tcpfsm_phase)r->phase;
    l->step_num = r->step_num;
    l->step_of = r->step_of;
    l->step_last = (uint8_t)(r->step_num + r->step_more);
    l->close = (tcpfsm_close)r->close;
    l->role = (tcpfsm_role)r->role;
    l->src_prev = (tcpfsm_state)r->src_prev;
    l->src_state = (tcpfsm_state)r->src_state;
    l->dst_prev = (tcpfsm_state)r->dst_prev;
    l->dst_state = (tcpfsm_state)r->dst_state;
    l->seq_rel = r->seq_rel;
    l->ack_rel = r->ack_rel;
    l->has_ack_rel = r->has_ack_rel;
    l->ack_ok = (int8_t)r->ack_ok;
    l->anomalies = r->anomalies;
    l->conn_id = r->conn_id;
    l->ref_frame = r->ref_frame;
    l->title = (uint8_t)r->title;
    l->check = (uint8_t)r->check;
    l->flow = (uint8_t)r->flow;
}

void tcpfsm_plugin_rec_to_label(const tcpfsm_frame_rec *r, const char *label_text,
                                tcpfsm_label *l)
{
    rec_facts(r, l);
    g_strlcpy(l->label, label_text ? label_text : "", sizeof l->label);
}

/* ------------------------------------------------------------------ */
/* Presentation (words only: every fact comes from the engine)          */
/* ------------------------------------------------------------------ */

/* A step: the engine gave the segment a title (handshake, teardown,
 * refused, reset). */
static bool is_step(const tcpfsm_label *l)
{
    return l->title != TCPFSM_T_NONE;
}

/* The tree is shown (tshark -V, the GUI's details pane): only then are
 * the texts of subtrees and items worth formatting.  Otherwise only the
 * fields someone asked for (-e, filters, columns) are added. */
static bool tree_visible(proto_tree *tree)
{
    return tree && PTREE_DATA(tree)->visible;
}

/* Whether our fields are referenced (a filter, a column, -e, or the tree
 * shown), read once per packet into one mask from their
 * header_field_info, as proto_field_is_referenced() reads it (the
 * filters and columns prime the fields again for every packet): bit
 * hf - hfi_base.  The header_field_info pointers are looked up once, in
 * the handoff. */
#define HFI_MAX 64
static header_field_info *hfi_ours[HFI_MAX];
static int hfi_base = -1, hfi_n = 0;
static uint64_t refs; /* this packet's mask, set by refs_load() */
static uint64_t conn_bits; /* the tcpfsm.conn.* fields' bits */

static void refs_load(proto_tree *tree)
{
    uint64_t m = 0;
    if (!tree || hfi_base < 0)
        m = 0;
    else if (PTREE_DATA(tree)->visible)
        m = ~(uint64_t)0;
    else
        for (int i = 0; i < hfi_n; i++)
            m |= (uint64_t)(hfi_ours[i] && hfi_ours[i]->ref_type != HF_REF_TYPE_NONE) << i;
    refs = m;
}

/* Our expert infos' fields (tcpfsm.expert.*), looked up in the handoff:
 * referenced, they need a real protocol item to hang from. */
static expert_field *const our_experts[] = {
    &ei_tcpfsm_step, &ei_tcpfsm_retransmitted_step, &ei_tcpfsm_midstream,
    &ei_tcpfsm_reordered, &ei_tcpfsm_simultaneous, &ei_tcpfsm_port_reuse,
    &ei_tcpfsm_syn_data, &ei_tcpfsm_ack_mismatch, &ei_tcpfsm_rst_out_of_window,
    &ei_tcpfsm_data_after_fin, &ei_tcpfsm_bad_flags, &ei_tcpfsm_unexpected,
};
static header_field_info *hfi_experts[G_N_ELEMENTS(our_experts)];

static bool our_experts_referenced(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(our_experts); i++)
        if (!hfi_experts[i] || hfi_experts[i]->ref_type != HF_REF_TYPE_NONE)
            return true; /* (unknown: as if referenced) */
    return false;
}

/* (emit() calls refs_load() first) */
static inline bool wanted(proto_tree *tree, int hf)
{
    if (!tree || hf < 0)
        return false;
    unsigned i = (unsigned)(hf - hfi_base);
    if (hfi_base >= 0 && i < (unsigned)hfi_n)
        return (refs >> i) & 1;
    return proto_field_is_referenced(tree, hf); /* protocols, expert fields */
}

/* The fields are registered with English titles; in another language an
 * item shows the engine's title for it instead: "事件：fin1". */
static void retitle(proto_item *pi, const char *title, const char *value)
{
    if (pi && pref_lang != TCPFSM_LANG_EN)
        proto_item_set_text(pi, "%s\xef\xbc\x9a%s", title, value); /* "：" */
}

static const char *lf_title(int f)
{
    return tcpfsm_label_field_title(f, (tcpfsm_lang)pref_lang);
}

static void retitle_num(proto_item *pi, int f, guint64 v)
{
    char num[24];
    if (pi && pref_lang != TCPFSM_LANG_EN) {
        g_snprintf(num, sizeof num, "%" G_GUINT64_FORMAT, v);
        retitle(pi, lf_title(f), num);
    }
}

static void add_move(proto_tree *tree, tvbuff_t *tvb, const tcpfsm_label *l,
                     tcpfsm_role who)
{
    bool sender = l->role == who;
    tcpfsm_state before = sender ? l->src_prev : l->dst_prev;
    tcpfsm_state after = sender ? l->src_state : l->dst_state;
    int hb = sender ? hf_label[TCPFSM_LF_SRC_PREV] : hf_label[TCPFSM_LF_DST_PREV];
    int ha = sender ? hf_label[TCPFSM_LF_SRC_STATE] : hf_label[TCPFSM_LF_DST_STATE];
    proto_tree *sub = tree; /* a hidden tree has no subtree items */
    if (tree_visible(tree)) {
        char move[256];
        tcpfsm_lang lang = (tcpfsm_lang)pref_lang;
        if (before == after)
            snprintf(move, sizeof move, tcpfsm_word(lang, TCPFSM_W_STAYS),
                     tcpfsm_state_text(after, lang));
        else
            snprintf(move, sizeof move, "%s \xe2\x86\x92 %s", tcpfsm_state_text(before, lang),
                     tcpfsm_state_text(after, lang));
        sub = proto_tree_add_subtree_format(
            tree, tvb, 0, 0, who == TCPFSM_ROLE_CLIENT ? ett_tcpfsm_client : ett_tcpfsm_server,
            NULL, tcpfsm_word(lang, TCPFSM_W_ENDPOINT_MOVE), tcpfsm_role_text(who, lang), move,
            tcpfsm_word(lang, sender ? TCPFSM_W_SENDER : TCPFSM_W_RECEIVER));
    }
    proto_item *pi;
    if (wanted(sub, hb)) {
        pi = proto_tree_add_string(sub, hb, tvb, 0, 0, tcpfsm_state_name(before));
        retitle(pi, lf_title(sender ? TCPFSM_LF_SRC_PREV : TCPFSM_LF_DST_PREV),
                tcpfsm_state_name(before));
        proto_item_set_generated(pi);
    }
    if (wanted(sub, ha)) {
        pi = proto_tree_add_string(sub, ha, tvb, 0, 0, tcpfsm_state_name(after));
        retitle(pi, lf_title(sender ? TCPFSM_LF_SRC_STATE : TCPFSM_LF_DST_STATE),
                tcpfsm_state_name(after));
        proto_item_set_generated(pi);
    }
    /* tcpfsm.client_state / tcpfsm.server_state: the engine's value */
    int fs = who == TCPFSM_ROLE_CLIENT ? TCPFSM_LF_CLIENT_STATE : TCPFSM_LF_SERVER_STATE;
    if (wanted(sub, hf_label[fs])) {
        char v[32];
        tcpfsm_label_field_str(l, fs, v, sizeof v);
        pi = proto_tree_add_string(sub, hf_label[fs], tvb, 0, 0, v);
        retitle(pi, lf_title(fs), v);
        proto_item_set_generated(pi);
    }
}

/* The type a per-segment field is registered with. */
static enum ftenum label_field_type(int f)
{
    switch (tcpfsm_label_field_kind(f)) {
    case 'N':
        return (f == TCPFSM_LF_SEQ_REL || f == TCPFSM_LF_ACK_REL) ? FT_UINT32 : FT_UINT64;
    case 'B':
        return FT_BOOLEAN;
    default:
        return FT_STRING;
    }
}

/* The type a connection field is registered with. */
static enum ftenum conn_field_type(int f)
{
    return conn_spec[f].type ? conn_spec[f].type : FT_STRING;
}

/* Adds one field from the engine's text of it ("" = absent), so the
 * values are the ones the tool prints; a list ('L') gives one item per
 * comma-separated token.  title: the field's title in the reader's
 * language. */
static void add_text_field(proto_tree *tree, tvbuff_t *tvb, int hf, enum ftenum type,
                           char kind, const char *v, const char *title)
{
    proto_item *pi = NULL;
    if (!*v)
        return;
    switch (type) {
    case FT_UINT32:
    case FT_FRAMENUM:
        pi = proto_tree_add_uint(tree, hf, tvb, 0, 0, (guint32)g_ascii_strtoull(v, NULL, 10));
        break;
    case FT_UINT64:
        pi = proto_tree_add_uint64(tree, hf, tvb, 0, 0, g_ascii_strtoull(v, NULL, 10));
        break;
    case FT_BOOLEAN:
        pi = proto_tree_add_boolean(tree, hf, tvb, 0, 0, strcmp(v, "0") != 0);
        break;
    case FT_DOUBLE: {
        const char *unit = tcpfsm_word((tcpfsm_lang)pref_lang, TCPFSM_W_SECONDS);
        pi = proto_tree_add_double_format_value(tree, hf, tvb, 0, 0, g_ascii_strtod(v, NULL),
                                                "%s %s", v, unit);
        if (pref_lang != TCPFSM_LANG_EN)
            proto_item_set_text(pi, "%s\xef\xbc\x9a%s %s", title, v, unit);
        proto_item_set_generated(pi);
        return;
    }
    default:
        if (kind == 'L') {
            gchar **tok = g_strsplit(v, ",", -1);
            for (gchar **t = tok; *t; t++) {
                pi = proto_tree_add_string(tree, hf, tvb, 0, 0, *t);
                retitle(pi, title, *t);
                proto_item_set_generated(pi);
            }
            g_strfreev(tok);
            return;
        }
        pi = proto_tree_add_string(tree, hf, tvb, 0, 0, v);
        break;
    }
    retitle(pi, title, v);
    proto_item_set_generated(pi);
}

static void add_conn(proto_tree *tree, tvbuff_t *tvb, packet_info *pinfo,
                     const tcpfsm_frame_rec *r)
{
    bool visible = tree_visible(tree);
    bool any = visible;
    if (conn_bits)
        any = any || (refs & conn_bits);
    else
        for (int f = 0; f < TCPFSM_SF_COUNT && !any; f++)
            any = wanted(tree, hf_conn[f]);
    if (!any)
        return; /* nobody looks at the connection: no summary to read */
    const tcpfsm_conn_rec *c = tcpfsm_plugin_conn(r->conn_id);
    if (!c)
        return;
    const tcpfsm_summary *s = &c->sum;
    proto_tree *sub = tree;
    char buf[256];
    if (visible) {
        tcpfsm_conn_heading(s, !PINFO_FD_VISITED(pinfo), (tcpfsm_lang)pref_lang, buf,
                            sizeof buf);
        sub = proto_tree_add_subtree(tree, tvb, 0, 0, ett_tcpfsm_conn, NULL, buf);
    }
    for (int f = 0; f < TCPFSM_SF_COUNT; f++) {
        if (visible || wanted(sub, hf_conn[f]))
            add_text_field(sub, tvb, hf_conn[f], conn_field_type(f),
                           tcpfsm_summary_field_kind(f),
                           tcpfsm_summary_field_str(s, f, buf, sizeof buf),
                           tcpfsm_summary_field_title(f, (tcpfsm_lang)pref_lang));
    }
}

/* The expert infos.  label and title NULL: nobody reads their texts
 * (no tree shown, no tap, no expert field referenced: the packet list's
 * severity and the Expert column only need the severity), so each gets
 * its registered summary instead of a formatted text. */
static void add_experts(packet_info *pinfo, proto_item *ti, const tcpfsm_label *l,
                        const char *label, const char *title)
{
    uint32_t a = l->anomalies;
    bool retrans = a & TCPFSM_AN(RETRANSMISSION);
    bool text = label != NULL;
    if (is_step(l)) {
        if (!text)
            expert_add_info(pinfo, ti, retrans ? &ei_tcpfsm_retransmitted_step : &ei_tcpfsm_step);
        else if (retrans)
            expert_add_info_format(pinfo, ti, &ei_tcpfsm_retransmitted_step,
                                   "%s retransmitted", title);
        else
            expert_add_info_format(pinfo, ti, &ei_tcpfsm_step, "%s", title);
    }
    if (a & TCPFSM_AN(MIDSTREAM))
        expert_add_info(pinfo, ti, &ei_tcpfsm_midstream);
    if (a & TCPFSM_AN(REORDERED))
        expert_add_info(pinfo, ti, &ei_tcpfsm_reordered);
    if (a & TCPFSM_AN(SIMULTANEOUS_OPEN)) {
        if (text)
            expert_add_info_format(pinfo, ti, &ei_tcpfsm_simultaneous,
                                   "Simultaneous open: the SYNs crossed");
        else
            expert_add_info(pinfo, ti, &ei_tcpfsm_simultaneous);
    }
    if (a & TCPFSM_AN(SIMULTANEOUS_CLOSE)) {
        if (text)
            expert_add_info_format(pinfo, ti, &ei_tcpfsm_simultaneous,
                                   "Simultaneous close: the FINs crossed");
        else
            expert_add_info(pinfo, ti, &ei_tcpfsm_simultaneous);
    }
    if (a & TCPFSM_AN(PORT_REUSE))
        expert_add_info(pinfo, ti, &ei_tcpfsm_port_reuse);
    if (a & TCPFSM_AN(SYN_DATA))
        expert_add_info(pinfo, ti, &ei_tcpfsm_syn_data);
    if (l->ack_ok == 0 || (a & TCPFSM_AN(ACK_MISMATCH))) {
        if (text)
            expert_add_info_format(pinfo, ti, &ei_tcpfsm_ack_mismatch,
                                   "Acknowledgment mismatch: %s", label);
        else
            expert_add_info(pinfo, ti, &ei_tcpfsm_ack_mismatch);
    }
    if (a & TCPFSM_AN(RST_OUT_OF_WINDOW))
        expert_add_info(pinfo, ti, &ei_tcpfsm_rst_out_of_window);
    if (a & TCPFSM_AN(DATA_AFTER_FIN))
        expert_add_info(pinfo, ti, &ei_tcpfsm_data_after_fin);
    if (a & TCPFSM_AN(BAD_FLAGS))
        expert_add_info(pinfo, ti, &ei_tcpfsm_bad_flags);
    if (a & TCPFSM_AN(UNEXPECTED)) {
        if (text)
            expert_add_info_format(pinfo, ti, &ei_tcpfsm_unexpected,
                                   "Segment not valid in the receiver's state: %s", label);
        else
            expert_add_info(pinfo, ti, &ei_tcpfsm_unexpected);
    }
}

/* Someone may look at expert infos: the tree or a filter or column asks
 * for them, a tap collects them (tshark -z expert, the GUI's Expert
 * Information), or the packet list's columns (and the GUI's severity
 * indicator) are computed.  tshark -T fields without any of these
 * needs none. */
static bool expert_texts_wanted(proto_tree *tree)
{
    if (tree_visible(tree))
        return true;
    if (expert_tap >= 0 && have_tap_listener(expert_tap))
        return true;
    return proto_expert_id >= 0 && wanted(tree, proto_expert_id);
}

static bool experts_wanted(proto_tree *tree, packet_info *pinfo)
{
    return pinfo->cinfo || expert_texts_wanted(tree);
}

static void emit(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                 const tcpfsm_frame_rec *r, const unsigned char *stored)
{
    bool visible = tree_visible(tree);
    /* any tcpfsm field (or expert field) referenced, or the tree shown */
    bool want_tree = wanted(tree, proto_tcpfsm);
    refs_load(want_tree ? tree : NULL);
    bool want_experts = want_tree || experts_wanted(tree, pinfo);
    bool want_info = pref_info_column && pinfo->cinfo &&
                     (r->title || r->event == TCPFSM_EV_RST ||
                      r->event == TCPFSM_EV_OTHER || r->anomalies);
    if (!want_tree && !want_experts && !want_info)
        return; /* e.g. tshark -T fields without tcpfsm fields */

    tcpfsm_label l;
    char title[96], buf[TCPFSM_LABEL_MAX + 16];
    bool handled[TCPFSM_LF_COUNT] = {0};
    proto_item *pi;

    rec_facts(r, &l);
    /* the protocol item's text is shown (tree) or filtered on ("tcpfsm
     * contains ...") */
    bool titled = false;
    if (want_tree) {
        header_field_info *ph = proto_registrar_get_nth(proto_tcpfsm);
        titled = visible || (ph && ph->ref_type == HF_REF_TYPE_DIRECT);
    }
    bool expert_texts = want_experts && expert_texts_wanted(tree);
    /* the sentence (and the check's numbers), made from what is stored
     * only when someone reads it */
    char label_buf[TCPFSM_LABEL_MAX];
    const char *label = "";
    bool need_label = stored && ((want_tree && wanted(tree, hf_label[TCPFSM_LF_LABEL])) ||
                                 (expert_texts && (l.ack_ok == 0 ||
                                                   (l.anomalies & (TCPFSM_AN(ACK_MISMATCH) |
                                                                   TCPFSM_AN(UNEXPECTED))))) ||
                                 (visible && l.ack_ok >= 0 && r->check));
    if (need_label) {
        text_load(stored, r, label_buf, &l);
        label = label_buf;
    }
    /* the check with its numbers (the tree's) */
    char check_detail[160] = "";
    if (visible && need_label && r->check)
        tcpfsm_check_detail(&l, (tcpfsm_lang)pref_lang, check_detail, sizeof check_detail);
    /* the title is for people: the tree, the Info column, the step's
     * expert info */
    title[0] = '\0';
    if (titled || want_info || (expert_texts && is_step(&l)))
        tcpfsm_step_heading(&l, (tcpfsm_lang)pref_lang, title, sizeof title);

    if (want_info) {
        char an[256];
        tcpfsm_anomalies_str(l.anomalies, an, sizeof an);
        col_append_fstr(pinfo->cinfo, COL_INFO, " [%s%s%s]", title, *an ? "; " : "", an);
    }

    proto_item *ti = NULL, *expert_ti = (proto_item *)-1;
    if (want_tree) {
        if (titled) {
            char heading[160];
            tcpfsm_tree_heading(title, l.role, (tcpfsm_lang)pref_lang, heading,
                                sizeof heading);
            ti = proto_tree_add_protocol_format(tree, proto_tcpfsm, tvb, 0, 0, "%s", heading);
        } else if (!visible && PTREE_DATA(tree)->fake_protocols && !expert_texts &&
                   !our_experts_referenced()) {
            /* what proto_tree_add_item() gives for a protocol only
             * referenced through its fields in a hidden tree: the tree
             * itself (a "faked" item), at a fraction of the cost */
            ti = tree;
            expert_ti = NULL; /* (experts on the root would be real items) */
        } else {
            ti = proto_tree_add_item(tree, proto_tcpfsm, tvb, 0, 0, ENC_NA);
        }
    }
    if (want_tree && ti) {
        proto_tree *st = proto_item_add_subtree(ti, ett_tcpfsm);

        /* the sentence first, then the structured facts */
        if (wanted(st, hf_label[TCPFSM_LF_LABEL])) {
            int hl = hf_label[TCPFSM_LF_LABEL];
            const char *lt = lf_title(TCPFSM_LF_LABEL);
            const char *colon = pref_lang != TCPFSM_LANG_EN ? "\xef\xbc\x9a" : ": ";
            if (visible && strlen(label) > LABEL_SHOWN) {
                /* Wireshark cuts an item's text at 240 bytes: the item
                 * shows the first clause, and below it the sentence
                 * clause by clause; the field's value is the whole
                 * sentence (filters, -T fields) */
                size_t skip, n = tcpfsm_label_clause(label, LABEL_CLAUSE_MAX, &skip);
                pi = proto_tree_add_string_format(st, hl, tvb, 0, 0, label,
                                                  "%s%s%.*s \xe2\x80\xa6", lt, colon,
                                                  (int)n, label); /* " …" */
                proto_tree *ct = proto_item_add_subtree(pi, ett_tcpfsm_label);
                for (const char *p = label; *p; p += n + skip) {
                    n = tcpfsm_label_clause(p, LABEL_CLAUSE_MAX, &skip);
                    proto_tree_add_subtree_format(ct, tvb, 0, 0, ett_tcpfsm_label, NULL,
                                                  "%.*s", (int)n, p);
                }
            } else {
                pi = proto_tree_add_string(st, hl, tvb, 0, 0, label);
                retitle(pi, lt, label);
            }
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_LABEL] = true;

        if (wanted(st, hf_label[TCPFSM_LF_EVENT])) {
            pi = proto_tree_add_string(st, hf_label[TCPFSM_LF_EVENT], tvb, 0, 0,
                                       tcpfsm_event_name(l.event));
            retitle(pi, lf_title(TCPFSM_LF_EVENT), tcpfsm_event_name(l.event));
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_EVENT] = true;

        if (wanted(st, hf_label[TCPFSM_LF_PHASE])) {
            pi = proto_tree_add_string(st, hf_label[TCPFSM_LF_PHASE], tvb, 0, 0,
                                       tcpfsm_phase_name(l.phase));
            retitle(pi, lf_title(TCPFSM_LF_PHASE), tcpfsm_phase_name(l.phase));
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_PHASE] = true;

        if (wanted(st, hf_label[TCPFSM_LF_STEP])) {
            tcpfsm_step_str(&l, buf, sizeof buf);
            if (*buf) {
                if (visible && pref_lang != TCPFSM_LANG_EN)
                    pi = proto_tree_add_string_format(
                        st, hf_label[TCPFSM_LF_STEP], tvb, 0, 0, buf,
                        "%s\xef\xbc\x9a%s\xef\xbc\x88%s\xef\xbc\x89", /* "：%s（%s）" */
                        lf_title(TCPFSM_LF_STEP), buf, title);
                else if (visible)
                    pi = proto_tree_add_string_format_value(
                        st, hf_label[TCPFSM_LF_STEP], tvb, 0, 0, buf, "%s (%s)", buf, title);
                else
                    pi = proto_tree_add_string(st, hf_label[TCPFSM_LF_STEP], tvb, 0, 0, buf);
                proto_item_set_generated(pi);
            }
        }
        handled[TCPFSM_LF_STEP] = true;

        if (l.close != TCPFSM_CL_NONE && wanted(st, hf_label[TCPFSM_LF_CLOSE])) {
            pi = proto_tree_add_string(st, hf_label[TCPFSM_LF_CLOSE], tvb, 0, 0,
                                       tcpfsm_close_name(l.close));
            retitle(pi, lf_title(TCPFSM_LF_CLOSE), tcpfsm_close_name(l.close));
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_CLOSE] = true;

        if (wanted(st, hf_label[TCPFSM_LF_ROLE])) {
            pi = proto_tree_add_string(st, hf_label[TCPFSM_LF_ROLE], tvb, 0, 0,
                                       tcpfsm_role_name(l.role));
            retitle(pi, lf_title(TCPFSM_LF_ROLE), tcpfsm_role_name(l.role));
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_ROLE] = true;

        if (l.ack_ok >= 0 && wanted(st, hf_label[TCPFSM_LF_ACK_OK])) {
            if (visible) {
                const char *chk = check_detail;
                tcpfsm_lang lang = (tcpfsm_lang)pref_lang;
                bool en = lang == TCPFSM_LANG_EN;
                const char *verdict =
                    tcpfsm_word(lang, l.ack_ok ? TCPFSM_W_CORRECT : TCPFSM_W_WRONG);
                pi = proto_tree_add_boolean_format_value(
                    st, hf_label[TCPFSM_LF_ACK_OK], tvb, 0, 0, l.ack_ok ? 1 : 0, "%s%s%s%s",
                    verdict, *chk ? (en ? " (" : "\xef\xbc\x88") : "", chk,
                    *chk ? (en ? ")" : "\xef\xbc\x89") : "");
                if (!en)
                    proto_item_set_text(pi, "%s\xef\xbc\x9a%s%s%s%s", lf_title(TCPFSM_LF_ACK_OK),
                                        verdict, *chk ? "\xef\xbc\x88" : "", chk,
                                        *chk ? "\xef\xbc\x89" : "");
            } else {
                pi = proto_tree_add_boolean(st, hf_label[TCPFSM_LF_ACK_OK], tvb, 0, 0,
                                            l.ack_ok ? 1 : 0);
            }
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_ACK_OK] = true;

        if (l.ref_frame && wanted(st, hf_ref_frame)) {
            pi = proto_tree_add_uint(st, hf_ref_frame, tvb, 0, 0, (guint32)l.ref_frame);
            if (pi && pref_lang != TCPFSM_LANG_EN)
                proto_item_set_text(pi, "%s\xef\xbc\x9a%u",
                                    tcpfsm_word((tcpfsm_lang)pref_lang, TCPFSM_W_REF_FRAME),
                                    (guint32)l.ref_frame);
            proto_item_set_generated(pi);
        }

        /* both endpoints' moves, client first */
        add_move(st, tvb, &l, TCPFSM_ROLE_CLIENT);
        add_move(st, tvb, &l, TCPFSM_ROLE_SERVER);
        handled[TCPFSM_LF_SRC_PREV] = handled[TCPFSM_LF_SRC_STATE] = true;
        handled[TCPFSM_LF_CLIENT_STATE] = handled[TCPFSM_LF_SERVER_STATE] = true;
        handled[TCPFSM_LF_DST_PREV] = handled[TCPFSM_LF_DST_STATE] = true;

        if (wanted(st, hf_label[TCPFSM_LF_SEQ_REL])) {
            pi = proto_tree_add_uint(st, hf_label[TCPFSM_LF_SEQ_REL], tvb, 0, 0, l.seq_rel);
            retitle_num(pi, TCPFSM_LF_SEQ_REL, l.seq_rel);
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_SEQ_REL] = true;
        if (l.has_ack_rel && wanted(st, hf_label[TCPFSM_LF_ACK_REL])) {
            pi = proto_tree_add_uint(st, hf_label[TCPFSM_LF_ACK_REL], tvb, 0, 0, l.ack_rel);
            retitle_num(pi, TCPFSM_LF_ACK_REL, l.ack_rel);
            proto_item_set_generated(pi);
        }
        handled[TCPFSM_LF_ACK_REL] = true;

        if (l.anomalies && wanted(st, hf_label[TCPFSM_LF_ANOMALY])) {
            for (unsigned b = 0; b < TCPFSM_AB_COUNT; b++) {
                if (!(l.anomalies & (1u << b)))
                    continue;
                pi = proto_tree_add_string(st, hf_label[TCPFSM_LF_ANOMALY], tvb, 0, 0,
                                           tcpfsm_anomaly_name(b));
                retitle(pi, lf_title(TCPFSM_LF_ANOMALY), tcpfsm_anomaly_name(b));
                proto_item_set_generated(pi);
            }
        }
        handled[TCPFSM_LF_ANOMALY] = true;

        /* a field the engine added after this adapter was written: from the
         * engine's text of it */
        for (int f = 0; f < TCPFSM_LF_COUNT; f++) {
            if (!handled[f] && wanted(st, hf_label[f]))
                add_text_field(st, tvb, hf_label[f], label_field_type(f),
                               tcpfsm_label_field_kind(f),
                               tcpfsm_label_field_str(&l, f, buf, sizeof buf), lf_title(f));
        }

        add_conn(st, tvb, pinfo, r);
    }
    if (want_experts)
        add_experts(pinfo, expert_ti == (proto_item *)-1 ? ti : expert_ti, &l,
                    expert_texts ? label : NULL, title);
}

static int dissect_tcpfsm(tvbuff_t *tvb, packet_info *pinfo, proto_tree *tree,
                          void *data _U_)
{
    const stored_frame *f = frame_get(pinfo->num);
    /* the first dissection with taps: a first pass, or the second pass of
     * `tshark -2` (its first has no taps); run_engine() feeds each frame
     * once, in order */
    if (!f && (!PINFO_FD_VISITED(pinfo) || tap_mode))
        f = run_engine(tvb, tree, pinfo);
    if (!f)
        return 0;
    emit(tvb, pinfo, tree, &f->r, f->text);
    tap_queue_packet(tcpfsm_tap, pinfo, (void *)&f->r);
    return tvb_captured_length(tvb);
}

/* ------------------------------------------------------------------ */
/* Registration                                                         */
/* ------------------------------------------------------------------ */

static void fill_hf(hf_register_info *h, int *id, const char *name, char *abbrev,
                    enum ftenum type, int display, const void *strings,
                    const char *blurb)
{
    memset(h, 0, sizeof *h);
    *id = -1;
    h->p_id = id;
    h->hfinfo.name = name;
    h->hfinfo.abbrev = abbrev;
    h->hfinfo.type = type;
    h->hfinfo.display = display;
    h->hfinfo.strings = strings;
    h->hfinfo.bitmask = 0;
    h->hfinfo.blurb = blurb;
    HFILL_INIT(*h);
}

/* The preferences changed (and once at start-up, after they are read). */
static void apply_prefs(void)
{
    tcpfsm_stats_set_lang((tcpfsm_lang)pref_lang);
}

static void proto_register_tcpfsm(void)
{
    /* Wireshark keeps pointers into these: static storage */
    static hf_register_info hf[TCPFSM_LF_COUNT + TCPFSM_SF_COUNT + 1];
    int n = 0;

    for (int f = 0; f < TCPFSM_F_COUNT; f++)
        hf_in[f] = -1; /* set in the handoff, once every protocol is known */

    for (int f = 0; f < TCPFSM_LF_COUNT; f++) {
        const char *name = tcpfsm_label_field_name(f);
        enum ftenum type = label_field_type(f);
        int display = (type == FT_UINT32 || type == FT_UINT64) ? BASE_DEC : BASE_NONE;
        fill_hf(&hf[n++], &hf_label[f], tcpfsm_label_field_title(f, TCPFSM_LANG_EN),
                g_strconcat("tcpfsm.", name, NULL), type, display, NULL, label_blurb[f]);
    }
    for (int f = 0; f < TCPFSM_SF_COUNT; f++) {
        const char *name = tcpfsm_summary_field_name(f);
        enum ftenum type = conn_field_type(f);
        int display = BASE_NONE;
        if (type == FT_UINT32 || type == FT_UINT64)
            display = BASE_DEC;
        fill_hf(&hf[n++], &hf_conn[f], tcpfsm_summary_field_title(f, TCPFSM_LANG_EN),
                g_strconcat("tcpfsm.conn.", name, NULL), type, display, NULL,
                conn_spec[f].blurb);
    }
    fill_hf(&hf[n++], &hf_ref_frame, tcpfsm_word(TCPFSM_LANG_EN, TCPFSM_W_REF_FRAME),
            g_strdup("tcpfsm.ref_frame"),
            FT_FRAMENUM, BASE_NONE, FRAMENUM_TYPE(FT_FRAMENUM_NONE),
            "The segment this step answers (the SYN of a SYN-ACK, the FIN of an ACK of "
            "FIN) or repeats (a retransmission)");

    static gint *ett[] = {
        &ett_tcpfsm,
        &ett_tcpfsm_client,
        &ett_tcpfsm_server,
        &ett_tcpfsm_conn,
        &ett_tcpfsm_label,
    };

    static ei_register_info ei[] = {
        {&ei_tcpfsm_step, {"tcpfsm.expert.step", PI_SEQUENCE, PI_CHAT,
                           "Handshake or teardown step", EXPFILL}},
        {&ei_tcpfsm_retransmitted_step, {"tcpfsm.expert.retransmitted_step", PI_SEQUENCE, PI_NOTE,
                                         "Retransmitted handshake or teardown step", EXPFILL}},
        {&ei_tcpfsm_midstream, {"tcpfsm.expert.midstream", PI_SEQUENCE, PI_NOTE,
                                "Capture starts mid-connection: states unknown", EXPFILL}},
        {&ei_tcpfsm_reordered, {"tcpfsm.expert.reordered", PI_SEQUENCE, PI_NOTE,
                                "Captured out of order (the SYN-ACK came before its SYN)", EXPFILL}},
        {&ei_tcpfsm_simultaneous, {"tcpfsm.expert.simultaneous", PI_SEQUENCE, PI_NOTE,
                                   "Simultaneous open or close", EXPFILL}},
        {&ei_tcpfsm_port_reuse, {"tcpfsm.expert.port_reuse", PI_SEQUENCE, PI_NOTE,
                                 "New connection on a reused 4-tuple", EXPFILL}},
        {&ei_tcpfsm_syn_data, {"tcpfsm.expert.syn_data", PI_SEQUENCE, PI_NOTE,
                               "SYN carries data", EXPFILL}},
        {&ei_tcpfsm_ack_mismatch, {"tcpfsm.expert.ack_mismatch", PI_SEQUENCE, PI_WARN,
                                   "The acknowledgment this step needs is wrong", EXPFILL}},
        {&ei_tcpfsm_rst_out_of_window, {"tcpfsm.expert.rst_out_of_window", PI_SEQUENCE, PI_WARN,
                                        "RST outside the receiver's window: ignored by it", EXPFILL}},
        {&ei_tcpfsm_data_after_fin, {"tcpfsm.expert.data_after_fin", PI_SEQUENCE, PI_WARN,
                                     "Data after the sender's own FIN", EXPFILL}},
        {&ei_tcpfsm_bad_flags, {"tcpfsm.expert.bad_flags", PI_PROTOCOL, PI_WARN,
                                "Invalid TCP flag combination (SYN+FIN, SYN+RST or no flags)", EXPFILL}},
        {&ei_tcpfsm_unexpected, {"tcpfsm.expert.unexpected", PI_SEQUENCE, PI_WARN,
                                 "Segment not valid in the receiver's state", EXPFILL}},
    };

    proto_tcpfsm = proto_register_protocol("TCP State Machine", "TCPFSM", "tcpfsm");
    proto_register_field_array(proto_tcpfsm, hf, n);
    proto_register_subtree_array(ett, array_length(ett));
    expert_module_t *em = expert_register_protocol(proto_tcpfsm);
    expert_register_field_array(em, ei, array_length(ei));

    module_t *m = prefs_register_protocol(proto_tcpfsm, apply_prefs);
    prefs_register_bool_preference(
        m, "info_column", "Show the step in the Info column",
        "Append the handshake/teardown step and any anomaly to the Info column, "
        "e.g. \"[Handshake 2/3: SYN-ACK]\"",
        &pref_info_column);
    prefs_register_enum_preference(
        m, "lang", "Label language",
        "The language of the sentence in tcpfsm.label (field names and tokens "
        "stay the same); changing it re-dissects the capture",
        &pref_lang, lang_vals, FALSE);
    prefs_register_bool_preference(
        m, "zeek_split", "Split connections as Zeek does",
        "Connections begin and end where Zeek's begin and end (SYN reuse, "
        "Zeek's timers), as `tcpfsm summary --zeek`, instead of at tcp.stream; "
        "the connection fields then line up with Zeek's conn.log",
        &pref_zeek_split);

    tcpfsm_handle = create_dissector_handle(dissect_tcpfsm, proto_tcpfsm);
    register_postdissector(tcpfsm_handle);
    register_init_routine(tcpfsm_init);
    register_cleanup_routine(tcpfsm_cleanup);
    tcpfsm_tap = register_tap(TCPFSM_TAP_NAME);
    tcpfsm_stats_register();
    tcpfsm_flow_register(proto_tcpfsm);
}

static void proto_reg_handoff_tcpfsm(void)
{
    /* The segment comes from the TCP tap (see tap_mode); should our
     * listener not register, every field the engine reads is primed, or
     * it would be absent when no visible tree is built. */
    for (int f = 0; f < TCPFSM_F_COUNT; f++)
        hf_in[f] = proto_registrar_get_id_byname(input_field_names[f]);
    tcp_tap_id = find_tap_id("tcp");
    ip_tap_ids[0] = find_tap_id("ip");
    ip_tap_ids[1] = find_tap_id("ipv6");
    proto_tcp_id = proto_get_id_by_filter_name("tcp");
    proto_ip_id = proto_get_id_by_filter_name("ip");
    proto_ipv6_id = proto_get_id_by_filter_name("ipv6");
    hf_tcp_srcport_id = proto_registrar_get_id_byname("tcp.srcport");
    hf_tcp_dstport_id = proto_registrar_get_id_byname("tcp.dstport");
    tap_mode = false;
    if (tcp_tap_id >= 0) {
        GString *err = register_tap_listener("tcp", &tap_listener_token, NULL,
                                             TL_IS_DISSECTOR_HELPER, NULL, NULL,
                                             NULL, NULL);
        if (err)
            g_string_free(err, TRUE);
        else
            tap_mode = true;
    }
    set_wanted();

    /* our fields (not the protocol: FT_PROTOCOL has its own rule) */
    int lo = G_MAXINT, hi = -1;
    for (int f = 0; f < TCPFSM_LF_COUNT; f++) {
        lo = MIN(lo, hf_label[f]);
        hi = MAX(hi, hf_label[f]);
    }
    for (int f = 0; f < TCPFSM_SF_COUNT; f++) {
        lo = MIN(lo, hf_conn[f]);
        hi = MAX(hi, hf_conn[f]);
    }
    lo = MIN(lo, hf_ref_frame);
    hi = MAX(hi, hf_ref_frame);
    for (size_t i = 0; i < G_N_ELEMENTS(our_experts); i++)
        hfi_experts[i] = our_experts[i]->hf >= 0
                             ? proto_registrar_get_nth((guint)our_experts[i]->hf)
                             : NULL;
    memset(hfi_ours, 0, sizeof hfi_ours);
    hfi_base = -1;
    hfi_n = 0;
    conn_bits = 0;
    if (lo >= 0 && hi - lo < HFI_MAX) {
        hfi_base = lo;
        hfi_n = hi - lo + 1;
        for (int f = 0; f < TCPFSM_LF_COUNT; f++)
            hfi_ours[hf_label[f] - lo] = proto_registrar_get_nth((guint)hf_label[f]);
        for (int f = 0; f < TCPFSM_SF_COUNT; f++) {
            hfi_ours[hf_conn[f] - lo] = proto_registrar_get_nth((guint)hf_conn[f]);
            conn_bits |= (uint64_t)1 << (hf_conn[f] - lo);
        }
        hfi_ours[hf_ref_frame - lo] = proto_registrar_get_nth((guint)hf_ref_frame);
    }
}

void plugin_register(void)
{
    static proto_plugin plug;
    plug.register_protoinfo = proto_register_tcpfsm;
    plug.register_handoff = proto_reg_handoff_tcpfsm;
    proto_register_plugin(&plug);
}
