/* names.c - token tables of SPEC.md and small formatting helpers. */
#include "tcpfsm.h"
#include "tcpfsm_fields.h"
#include "tcpfsm_lang.h"
#include "messages.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[TCPFSM_STATE_MAX] = {
    [TCPFSM_UNKNOWN] = "UNKNOWN",
    [TCPFSM_CLOSED] = "CLOSED",
    [TCPFSM_LISTEN] = "LISTEN",
    [TCPFSM_SYN_SENT] = "SYN_SENT",
    [TCPFSM_SYN_RECEIVED] = "SYN_RECEIVED",
    [TCPFSM_ESTABLISHED] = "ESTABLISHED",
    [TCPFSM_FIN_WAIT_1] = "FIN_WAIT_1",
    [TCPFSM_FIN_WAIT_2] = "FIN_WAIT_2",
    [TCPFSM_CLOSE_WAIT] = "CLOSE_WAIT",
    [TCPFSM_CLOSING] = "CLOSING",
    [TCPFSM_LAST_ACK] = "LAST_ACK",
    [TCPFSM_TIME_WAIT] = "TIME_WAIT",
};

static const char *const event_names[TCPFSM_EV_MAX] = {
    [TCPFSM_EV_NONE] = "",
    [TCPFSM_EV_SYN] = "syn",
    [TCPFSM_EV_SYN_ACK] = "syn-ack",
    [TCPFSM_EV_HS_ACK] = "hs-ack",
    [TCPFSM_EV_DATA] = "data",
    [TCPFSM_EV_ACK] = "ack",
    [TCPFSM_EV_FIN1] = "fin1",
    [TCPFSM_EV_FIN1_ACK] = "fin1-ack",
    [TCPFSM_EV_FIN2] = "fin2",
    [TCPFSM_EV_FIN2_ACK] = "fin2-ack",
    [TCPFSM_EV_RST] = "rst",
    [TCPFSM_EV_OTHER] = "other",
};

static const char *const phase_names[TCPFSM_PH_MAX] = {
    [TCPFSM_PH_NONE] = "",
    [TCPFSM_PH_HANDSHAKE] = "handshake",
    [TCPFSM_PH_ESTABLISHED] = "established",
    [TCPFSM_PH_TEARDOWN] = "teardown",
    [TCPFSM_PH_CLOSED] = "closed",
    [TCPFSM_PH_RESET] = "reset",
    [TCPFSM_PH_UNKNOWN] = "unknown",
};

static const char *const close_names[TCPFSM_CL_MAX] = {
    [TCPFSM_CL_NONE] = "",
    [TCPFSM_CL_FIN4] = "fin4",
    [TCPFSM_CL_FIN3] = "fin3",
    [TCPFSM_CL_SIMULTANEOUS] = "simultaneous",
    [TCPFSM_CL_RESET] = "reset",
    [TCPFSM_CL_REFUSED] = "refused",
    [TCPFSM_CL_HALF_CLOSED] = "half-closed",
    [TCPFSM_CL_OPEN] = "open",
};

static const char *const handshake_names[TCPFSM_HS_MAX] = {
    [TCPFSM_HS_NONE] = "none",
    [TCPFSM_HS_COMPLETE] = "complete",
    [TCPFSM_HS_SIMULTANEOUS] = "simultaneous",
    [TCPFSM_HS_REFUSED] = "refused",
    [TCPFSM_HS_SYN_ONLY] = "syn-only",
    [TCPFSM_HS_PARTIAL] = "partial",
};

static const char *const role_names[TCPFSM_ROLE_MAX] = {
    [TCPFSM_ROLE_NONE] = "",
    [TCPFSM_ROLE_CLIENT] = "client",
    [TCPFSM_ROLE_SERVER] = "server",
    [TCPFSM_ROLE_BOTH] = "both",
};

static const char *const anomaly_names[TCPFSM_AB_COUNT] = {
#define TCPFSM_X_ANAME(id, name) [TCPFSM_AB_##id] = name,
    TCPFSM_ANOMALIES(TCPFSM_X_ANAME)
#undef TCPFSM_X_ANAME
};

#define NAME_OF(table, max, v) ((unsigned)(v) < (max) ? (table)[(v)] : "?")

const char *tcpfsm_state_name(tcpfsm_state s)
{
    return NAME_OF(state_names, TCPFSM_STATE_MAX, s);
}
const char *tcpfsm_event_name(tcpfsm_event e)
{
    return NAME_OF(event_names, TCPFSM_EV_MAX, e);
}
const char *tcpfsm_phase_name(tcpfsm_phase p)
{
    return NAME_OF(phase_names, TCPFSM_PH_MAX, p);
}
const char *tcpfsm_close_name(tcpfsm_close c)
{
    return NAME_OF(close_names, TCPFSM_CL_MAX, c);
}
const char *tcpfsm_handshake_name(tcpfsm_handshake h)
{
    return NAME_OF(handshake_names, TCPFSM_HS_MAX, h);
}
const char *tcpfsm_role_name(tcpfsm_role r)
{
    return NAME_OF(role_names, TCPFSM_ROLE_MAX, r);
}
const char *tcpfsm_anomaly_name(unsigned bit)
{
    return NAME_OF(anomaly_names, TCPFSM_AB_COUNT, bit);
}

const char *tcpfsm_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
#define TCPFSM_X_STRERR(id, code, reason) \
    case code:                              \
        return reason;
        TCPFSM_ERRNO_MAP(TCPFSM_X_STRERR)
#undef TCPFSM_X_STRERR
    default:
        return "unknown error";
    }
}

char *tcpfsm_anomalies_str(uint32_t set, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (unsigned b = 0; b < TCPFSM_AB_COUNT; b++) {
        if (!(set & (1u << b)))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "",
                         anomaly_names[b]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if ((set & TCPFSM_AN_ONE_SIDED) && used + 10 + (used ? 1 : 0) < size) {
        memcpy(buf + used, used ? ",one-sided" : "one-sided", used ? 11 : 10);
        used += used ? 10 : 9;
    }
    if ((set & TCPFSM_AN_EVICTED) && used + 8 + (used ? 1 : 0) < size) {
        memcpy(buf + used, used ? ",evicted" : "evicted", used ? 9 : 8);
    }
    return buf;
}

char *tcpfsm_step_nums(unsigned num, unsigned last, unsigned of, char *buf,
                       size_t size)
{
    size_t n = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
    n += (size_t)snprintf(buf, size, "%u", num);
    /* a segment that is several steps at once: "2+3" */
    for (unsigned k = num + 1; k <= last && n < size; k++)
        n += (size_t)snprintf(buf + n, size - n, "+%u", k);
    if (n < size)
        snprintf(buf + n, size - n, "/%u", of);
    return buf;
}

char *tcpfsm_step_str(const tcpfsm_label *l, char *buf, size_t size)
{
    if (l->step_of)
        tcpfsm_step_nums(l->step_num, l->step_last, l->step_of, buf, size);
    else if (size)
        buf[0] = '\0';
    return buf;
}

char *tcpfsm_addr_str(const tcpfsm_addr *a, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (a->family == 4)
        inet_ntop(AF_INET, a->bytes, buf, (socklen_t)size);
    else if (a->family == 6)
        inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)size);
    return buf;
}

char *tcpfsm_endpoint_str(const tcpfsm_addr *a, uint16_t port, char *buf,
                          size_t size)
{
    char ab[64];
    tcpfsm_addr_str(a, ab, sizeof ab);
    if (a->family == 6)
        snprintf(buf, size, "[%s]:%u", ab, port);
    else
        snprintf(buf, size, "%s:%u", ab, port);
    return buf;
}

/* Dotted-quad IPv4 exactly as inet_pton(AF_INET) takes it (four decimal
 * numbers up to 255, no leading zeros, nothing else); false for anything
 * else, which inet_pton then judges. */
static bool fast_ipv4(const char *p, uint8_t *b)
{
    for (int i = 0; i < 4; i++) {
        if (*p < '0' || *p > '9')
            return false;
        unsigned v = (unsigned)(*p++ - '0');
        if (*p >= '0' && *p <= '9') {
            if (v == 0)
                return false; /* a leading zero */
            v = v * 10 + (unsigned)(*p++ - '0');
            if (*p >= '0' && *p <= '9')
                v = v * 10 + (unsigned)(*p++ - '0');
        }
        if (v > 255)
            return false;
        b[i] = (uint8_t)v;
        if (i < 3 && *p++ != '.')
            return false;
    }
    return *p == '\0';
}

bool tcpfsm_addr_parse(const char *text, tcpfsm_addr *out)
{
    memset(out, 0, sizeof *out);
    if (fast_ipv4(text, out->bytes)) {
        out->family = 4;
        return true;
    }
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, text, out->bytes) == 1) {
        out->family = 4;
        return true;
    }
    if (inet_pton(AF_INET6, text, out->bytes) == 1) {
        out->family = 6;
        return true;
    }
    memset(out, 0, sizeof *out);
    return false;
}

void tcpfsm_segment_init(tcpfsm_segment *seg)
{
    memset(seg, 0, sizeof *seg);
    seg->stream = -1;
    seg->checksum = -1;
    seg->payload_caplen = -1;
}

/* ---- output fields ---- */

static const char *const label_field_names[TCPFSM_LF_COUNT] = {
#define TCPFSM_X_LFN(id, name, kind) [TCPFSM_LF_##id] = name,
    TCPFSM_LABEL_FIELDS(TCPFSM_X_LFN)
#undef TCPFSM_X_LFN
};
static const char label_field_kinds[TCPFSM_LF_COUNT] = {
#define TCPFSM_X_LFK(id, name, kind) [TCPFSM_LF_##id] = kind,
    TCPFSM_LABEL_FIELDS(TCPFSM_X_LFK)
#undef TCPFSM_X_LFK
};
static const char *const summary_field_names[TCPFSM_SF_COUNT] = {
#define TCPFSM_X_SFN(id, name, kind) [TCPFSM_SF_##id] = name,
    TCPFSM_SUMMARY_FIELDS(TCPFSM_X_SFN)
#undef TCPFSM_X_SFN
};
static const char summary_field_kinds[TCPFSM_SF_COUNT] = {
#define TCPFSM_X_SFK(id, name, kind) [TCPFSM_SF_##id] = kind,
    TCPFSM_SUMMARY_FIELDS(TCPFSM_X_SFK)
#undef TCPFSM_X_SFK
};

const char *tcpfsm_label_field_name(int f)
{
    return NAME_OF(label_field_names, TCPFSM_LF_COUNT, f);
}
char tcpfsm_label_field_kind(int f)
{
    return (unsigned)f < TCPFSM_LF_COUNT ? label_field_kinds[f] : 'S';
}
const char *tcpfsm_summary_field_name(int f)
{
    return NAME_OF(summary_field_names, TCPFSM_SF_COUNT, f);
}
char tcpfsm_summary_field_kind(int f)
{
    return (unsigned)f < TCPFSM_SF_COUNT ? summary_field_kinds[f] : 'S';
}

static const char *copy_str(char *buf, size_t size, const char *v)
{
    snprintf(buf, size, "%s", v);
    return buf;
}

/* Each endpoint's state after the segment, whichever side sent it. */
tcpfsm_state tcpfsm_label_client_state(const tcpfsm_label *l)
{
    return l->role == TCPFSM_ROLE_CLIENT ? l->src_state : l->dst_state;
}

tcpfsm_state tcpfsm_label_server_state(const tcpfsm_label *l)
{
    return l->role == TCPFSM_ROLE_CLIENT ? l->dst_state : l->src_state;
}

const char *tcpfsm_label_field_str(const tcpfsm_label *l, int f, char *buf,
                                   size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    if (l->event == TCPFSM_EV_NONE)
        return buf; /* not labelled */
    switch (f) {
    case TCPFSM_LF_EVENT: return copy_str(buf, size, tcpfsm_event_name(l->event));
    case TCPFSM_LF_PHASE: return copy_str(buf, size, tcpfsm_phase_name(l->phase));
    case TCPFSM_LF_STEP: return tcpfsm_step_str(l, buf, size);
    case TCPFSM_LF_CLOSE: return copy_str(buf, size, tcpfsm_close_name(l->close));
    case TCPFSM_LF_ROLE: return copy_str(buf, size, tcpfsm_role_name(l->role));
    case TCPFSM_LF_CLIENT_STATE:
        return copy_str(buf, size, tcpfsm_state_name(tcpfsm_label_client_state(l)));
    case TCPFSM_LF_SERVER_STATE:
        return copy_str(buf, size, tcpfsm_state_name(tcpfsm_label_server_state(l)));
    case TCPFSM_LF_SRC_PREV: return copy_str(buf, size, tcpfsm_state_name(l->src_prev));
    case TCPFSM_LF_SRC_STATE: return copy_str(buf, size, tcpfsm_state_name(l->src_state));
    case TCPFSM_LF_DST_PREV: return copy_str(buf, size, tcpfsm_state_name(l->dst_prev));
    case TCPFSM_LF_DST_STATE: return copy_str(buf, size, tcpfsm_state_name(l->dst_state));
    case TCPFSM_LF_SEQ_REL: snprintf(buf, size, "%u", l->seq_rel); return buf;
    case TCPFSM_LF_ACK_REL:
        if (l->has_ack_rel)
            snprintf(buf, size, "%u", l->ack_rel);
        return buf;
    case TCPFSM_LF_ACK_OK:
        if (l->ack_ok >= 0)
            snprintf(buf, size, "%d", l->ack_ok);
        return buf;
    case TCPFSM_LF_ANOMALY: return tcpfsm_anomalies_str(l->anomalies, buf, size);
    case TCPFSM_LF_LABEL: return copy_str(buf, size, l->label);
    default: return buf;
    }
}

const char *tcpfsm_summary_field_str(const tcpfsm_summary *s, int f,
                                     char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    switch (f) {
    case TCPFSM_SF_STREAM:
        if (s->stream >= 0)
            snprintf(buf, size, "%lld", (long long)s->stream);
        return buf;
    case TCPFSM_SF_CLIENT:
        return tcpfsm_endpoint_str(&s->client_addr, s->client_port, buf, size);
    case TCPFSM_SF_SERVER:
        return tcpfsm_endpoint_str(&s->server_addr, s->server_port, buf, size);
    case TCPFSM_SF_FIRST_FRAME:
        snprintf(buf, size, "%llu", (unsigned long long)s->first_frame);
        return buf;
    case TCPFSM_SF_LAST_FRAME:
        snprintf(buf, size, "%llu", (unsigned long long)s->last_frame);
        return buf;
    case TCPFSM_SF_DURATION:
        if (s->has_time)
            snprintf(buf, size, "%.6f", s->last_time - s->first_time);
        return buf;
    case TCPFSM_SF_HANDSHAKE: return copy_str(buf, size, tcpfsm_handshake_name(s->handshake));
    case TCPFSM_SF_CLOSE: return copy_str(buf, size, tcpfsm_close_name(s->close));
    case TCPFSM_SF_ACTIVE_CLOSER: return copy_str(buf, size, tcpfsm_role_name(s->active_closer));
    case TCPFSM_SF_CLIENT_STATE: return copy_str(buf, size, tcpfsm_state_name(s->client_state));
    case TCPFSM_SF_SERVER_STATE: return copy_str(buf, size, tcpfsm_state_name(s->server_state));
    case TCPFSM_SF_SYN_RTT:
        if (s->syn_rtt >= 0)
            snprintf(buf, size, "%.6f", s->syn_rtt);
        return buf;
    case TCPFSM_SF_IRTT:
        if (s->irtt >= 0)
            snprintf(buf, size, "%.6f", s->irtt);
        return buf;
    case TCPFSM_SF_CLIENT_PACKETS:
        snprintf(buf, size, "%llu", (unsigned long long)s->client_packets);
        return buf;
    case TCPFSM_SF_SERVER_PACKETS:
        snprintf(buf, size, "%llu", (unsigned long long)s->server_packets);
        return buf;
    case TCPFSM_SF_CLIENT_BYTES:
        snprintf(buf, size, "%llu", (unsigned long long)s->client_bytes);
        return buf;
    case TCPFSM_SF_SERVER_BYTES:
        snprintf(buf, size, "%llu", (unsigned long long)s->server_bytes);
        return buf;
    case TCPFSM_SF_ANOMALIES: return tcpfsm_anomalies_str(s->anomalies, buf, size);
    case TCPFSM_SF_CONN_STATE: return copy_str(buf, size, s->conn_state);
    case TCPFSM_SF_HISTORY: return copy_str(buf, size, s->history);
    case TCPFSM_SF_ORIG_H: return tcpfsm_addr_str(&s->orig_h, buf, size);
    case TCPFSM_SF_RESP_H: return tcpfsm_addr_str(&s->resp_h, buf, size);
    case TCPFSM_SF_ORIG_P:
        snprintf(buf, size, "%u", s->orig_p);
        return buf;
    case TCPFSM_SF_RESP_P:
        snprintf(buf, size, "%u", s->resp_p);
        return buf;
    case TCPFSM_SF_ORIG_PKTS:
        snprintf(buf, size, "%llu", (unsigned long long)s->orig_pkts);
        return buf;
    case TCPFSM_SF_RESP_PKTS:
        snprintf(buf, size, "%llu", (unsigned long long)s->resp_pkts);
        return buf;
    default: return buf;
    }
}

/* ---- RFC 9293 Figure 5 ---- */

/* The figure's edges, copied from it (section 3.3.2), then the two moves
 * of the RFC's text (3.10.7.4) that tcpfsm diagram names when taken. */
static const tcpfsm_rfc_edge rfc_edges[] = {
    {TCPFSM_CLOSED, TCPFSM_LISTEN, TCPFSM_W_EDGE_PASSIVE_OPEN, true},
    {TCPFSM_CLOSED, TCPFSM_SYN_SENT, TCPFSM_W_EDGE_ACTIVE_OPEN, true},
    {TCPFSM_LISTEN, TCPFSM_CLOSED, TCPFSM_W_EDGE_CLOSE_DELETE, true},
    {TCPFSM_LISTEN, TCPFSM_SYN_RECEIVED, TCPFSM_W_EDGE_RCV_SYN, true},
    {TCPFSM_LISTEN, TCPFSM_SYN_SENT, TCPFSM_W_EDGE_SEND_SYN, true},
    {TCPFSM_SYN_SENT, TCPFSM_CLOSED, TCPFSM_W_EDGE_CLOSE_DELETE, true},
    {TCPFSM_SYN_SENT, TCPFSM_SYN_RECEIVED, TCPFSM_W_EDGE_RCV_SYN, true},
    {TCPFSM_SYN_SENT, TCPFSM_ESTABLISHED, TCPFSM_W_EDGE_RCV_SYN_ACK, true},
    {TCPFSM_SYN_RECEIVED, TCPFSM_ESTABLISHED, TCPFSM_W_EDGE_RCV_ACK_OF_SYN, true},
    {TCPFSM_SYN_RECEIVED, TCPFSM_FIN_WAIT_1, TCPFSM_W_EDGE_CLOSE_FIN, true},
    {TCPFSM_ESTABLISHED, TCPFSM_FIN_WAIT_1, TCPFSM_W_EDGE_CLOSE_FIN, true},
    {TCPFSM_ESTABLISHED, TCPFSM_CLOSE_WAIT, TCPFSM_W_EDGE_RCV_FIN, true},
    {TCPFSM_FIN_WAIT_1, TCPFSM_FIN_WAIT_2, TCPFSM_W_EDGE_RCV_ACK_OF_FIN, true},
    {TCPFSM_FIN_WAIT_1, TCPFSM_CLOSING, TCPFSM_W_EDGE_RCV_FIN, true},
    {TCPFSM_FIN_WAIT_2, TCPFSM_TIME_WAIT, TCPFSM_W_EDGE_RCV_FIN, true},
    {TCPFSM_CLOSING, TCPFSM_TIME_WAIT, TCPFSM_W_EDGE_RCV_ACK_OF_FIN, true},
    {TCPFSM_CLOSE_WAIT, TCPFSM_LAST_ACK, TCPFSM_W_EDGE_CLOSE_FIN, true},
    {TCPFSM_LAST_ACK, TCPFSM_CLOSED, TCPFSM_W_EDGE_RCV_ACK_OF_FIN, true},
    {TCPFSM_TIME_WAIT, TCPFSM_CLOSED, TCPFSM_W_EDGE_TIMEOUT, true},
    /* the text: a FIN that also acknowledges ours, and the passive
     * open's RST (SYN-RECEIVED -> LISTEN) */
    {TCPFSM_FIN_WAIT_1, TCPFSM_TIME_WAIT, TCPFSM_W_EDGE_RCV_FIN_ACK_OF_FIN, false},
    {TCPFSM_SYN_RECEIVED, TCPFSM_LISTEN, TCPFSM_W_EDGE_RCV_RST, false},
};
#define N_RFC_EDGES (sizeof rfc_edges / sizeof rfc_edges[0])
#define N_RFC_FIGURE ((size_t)19)

const tcpfsm_rfc_edge *tcpfsm_rfc_edges(size_t *count, size_t *n_figure)
{
    if (count)
        *count = N_RFC_EDGES;
    if (n_figure)
        *n_figure = N_RFC_FIGURE;
    return rfc_edges;
}

const tcpfsm_rfc_edge *tcpfsm_rfc_edge_find(tcpfsm_state prev, tcpfsm_state next)
{
    for (size_t i = 0; i < N_RFC_EDGES; i++)
        if (rfc_edges[i].from == prev && rfc_edges[i].to == next)
            return &rfc_edges[i];
    return NULL;
}

bool tcpfsm_rfc_is_edge(tcpfsm_state prev, tcpfsm_state next)
{
    const tcpfsm_rfc_edge *e = tcpfsm_rfc_edge_find(prev, next);
    return e && e->in_figure;
}

/* ---- flag names ---- */

static const struct {
    uint16_t bit;
    const char *name;
} flag_names[] = {
    {TCPFSM_FIN, "FIN"}, {TCPFSM_SYN, "SYN"}, {TCPFSM_RST, "RST"},
    {TCPFSM_PSH, "PSH"}, {TCPFSM_ACK, "ACK"}, {TCPFSM_URG, "URG"},
    {0x040, "ECE"},      {0x080, "CWR"},      {0x100, "AE"},
};

size_t tcpfsm_flags_text(uint16_t flags, int style, char *buf, size_t size)
{
    /* the order of each style, as indexes into flag_names */
    static const unsigned char wireshark[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    static const unsigned char sentence[] = {1, 0, 2, 3, 4, 5};
    const unsigned char *order = style == TCPFSM_FLAGS_SENTENCE ? sentence : wireshark;
    size_t n_order = style == TCPFSM_FLAGS_SENTENCE ? sizeof sentence : sizeof wireshark;
    const char *sep = style == TCPFSM_FLAGS_SENTENCE ? "+" : "-";
    size_t used = 0;
    if (size == 0)
        return 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n_order; i++) {
        if (!(flags & flag_names[order[i]].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? sep : "",
                         flag_names[order[i]].name);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    return used;
}
