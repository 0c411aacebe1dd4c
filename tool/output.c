/* output.c - writers: TSV, CSV (RFC 4180) and JSON Lines.
 *
 * Each row is built in one memory buffer and handed to stdio with a single
 * fwrite: tokens are copied from tables of precomputed lengths and numbers
 * written by a small integer formatter.  (The first version wrote cell by
 * cell with fputs/fputc and formatted through snprintf: that was half the
 * time of `tcpfsm annotate`.)  The bytes are the same. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fwrite_unlocked */
#endif
#include "output.h"
#include "numfmt.h"

#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

int out_format_parse(const char *name)
{
    if (!strcmp(name, "tsv"))
        return OUT_TSV;
    if (!strcmp(name, "csv"))
        return OUT_CSV;
    if (!strcmp(name, "jsonl") || !strcmp(name, "json"))
        return OUT_JSONL;
    return -1;
}

/* ---- the row buffer ---- */

typedef struct obuf {
    char *b;
    size_t n, cap;
} obuf;

static obuf row; /* reused for every row: rows are written one at a time */

static void ob_grow(obuf *o, size_t need)
{
    size_t cap = o->cap ? o->cap : 4096;
    while (cap < o->n + need)
        cap *= 2;
    char *b = realloc(o->b, cap);
    if (!b)
        abort();
    o->b = b;
    o->cap = cap;
}

static inline void ob_put(obuf *o, const char *s, size_t n)
{
    if (o->n + n > o->cap)
        ob_grow(o, n);
    memcpy(o->b + o->n, s, n);
    o->n += n;
}

static inline void ob_c(obuf *o, char c)
{
    if (o->n + 1 > o->cap)
        ob_grow(o, 1);
    o->b[o->n++] = c;
}

static inline void ob_s(obuf *o, const char *s)
{
    ob_put(o, s, strlen(s));
}

static inline void ob_u64(obuf *o, unsigned long long v)
{
    if (o->n + NUMFMT_MAX > o->cap)
        ob_grow(o, NUMFMT_MAX);
    o->n = (size_t)(numfmt_u64(o->b + o->n, v) - o->b);
}

/* The first stream that gets a header, when it is not a terminal and has
 * nothing pending yet, writes through a 256 KiB stdio buffer instead of
 * the default 4 KiB: a twentieth of the write calls. */
static void big_buffer(FILE *fp)
{
    static char *buf;
    if (buf || __fpending(fp) != 0 || fileno(fp) < 0 || isatty(fileno(fp)) ||
        __flbf(fp))
        return;
    buf = malloc(256 * 1024);
    if (buf && setvbuf(fp, buf, _IOFBF, 256 * 1024) != 0) {
        free(buf);
        buf = (char *)1; /* tried: never again */
    }
}

static void ob_flush(obuf *o, FILE *fp)
{
    if (o->n)
        fwrite_unlocked(o->b, 1, o->n, fp);
    o->n = 0;
}

/* ---- cells ---- */

static void csv_cell(obuf *o, const char *v)
{
    if (!strpbrk(v, ",\"\r\n")) {
        ob_s(o, v);
        return;
    }
    ob_c(o, '"');
    for (; *v; v++) {
        if (*v == '"')
            ob_c(o, '"');
        ob_c(o, *v);
    }
    ob_c(o, '"');
}

static void json_str(obuf *o, const char *v)
{
    static const char hex[] = "0123456789abcdef";
    ob_c(o, '"');
    const unsigned char *p = (const unsigned char *)v;
    for (;;) {
        /* the run that needs no escape, in one copy */
        const unsigned char *q = p;
        while (*q >= 0x20 && *q != '"' && *q != '\\')
            q++;
        ob_put(o, (const char *)p, (size_t)(q - p));
        if (!*q)
            break;
        switch (*q) {
        case '"': ob_put(o, "\\\"", 2); break;
        case '\\': ob_put(o, "\\\\", 2); break;
        case '\n': ob_put(o, "\\n", 2); break;
        case '\r': ob_put(o, "\\r", 2); break;
        case '\t': ob_put(o, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[*q >> 4], hex[*q & 15]};
            ob_put(o, u, 6);
        }
        }
        p = q + 1;
    }
    ob_c(o, '"');
}

/* A JSON value of the given kind from its text form ("" = null). */
static void json_value(obuf *o, char kind, const char *v)
{
    if (!*v) {
        ob_s(o, kind == 'L' ? "[]" : "null");
        return;
    }
    switch (kind) {
    case 'N':
        ob_s(o, v);
        break;
    case 'B':
        ob_s(o, strcmp(v, "0") ? "true" : "false");
        break;
    case 'L': {
        ob_c(o, '[');
        const char *p = v;
        for (int first = 1;; first = 0) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            char tok[64];
            snprintf(tok, sizeof tok, "%.*s", (int)n, p);
            if (!first)
                ob_c(o, ',');
            json_str(o, tok);
            if (!comma)
                break;
            p = comma + 1;
        }
        ob_c(o, ']');
        break;
    }
    default:
        json_str(o, v);
    }
}

static void sep(obuf *o, out_format f, int i)
{
    if (i)
        ob_c(o, f == OUT_TSV ? '\t' : ',');
}

static void cell(obuf *o, out_format f, const char *v)
{
    if (f == OUT_CSV)
        csv_cell(o, v);
    else
        ob_s(o, v);
}

void out_annot_header(FILE *fp, out_format f, const tsv_reader *r)
{
    big_buffer(fp);
    if (f == OUT_JSONL)
        return;
    obuf *o = &row;
    int i = 0;
    for (int c = 0; c < r->ncols; c++, i++) {
        sep(o, f, i);
        cell(o, f, r->colnames[c]);
    }
    for (int lf = 0; lf < TCPFSM_LF_COUNT; lf++, i++) {
        sep(o, f, i);
        cell(o, f, tcpfsm_label_field_name(lf));
    }
    ob_c(o, '\n');
    ob_flush(o, fp);
}

/* input columns the tool parsed as numbers are numbers in JSON */
static char input_kind(const tsv_reader *r, int col, const char *v)
{
    static const int numeric[] = {
        TCPFSM_F_FRAME_NUMBER, TCPFSM_F_STREAM, TCPFSM_F_SRCPORT,
        TCPFSM_F_DSTPORT, TCPFSM_F_SEQ_RAW, TCPFSM_F_ACK_RAW, TCPFSM_F_LEN,
        TCPFSM_F_WINDOW_VALUE, TCPFSM_F_WINDOW_SIZE, TCPFSM_F_CHECKSUM_STATUS,
    };
    for (size_t i = 0; i < sizeof numeric / sizeof numeric[0]; i++) {
        if (r->col_of[numeric[i]] != col)
            continue;
        if (strspn(v, "0123456789") == strlen(v))
            return 'N';
    }
    return 'S';
}

/* ---- the label columns, straight from the label ---- */

/* A token and its length, looked up once per name. */
typedef struct tok {
    const char *s;
    size_t n;
} tok;

#define TOKS(name, max, fn)                                                 \
    static const tok *name(void)                                            \
    {                                                                       \
        static tok t[max];                                                  \
        static int done;                                                    \
        if (!done) {                                                        \
            for (int i = 0; i < (max); i++) {                               \
                t[i].s = fn(i);                                             \
                t[i].n = strlen(t[i].s);                                    \
            }                                                               \
            done = 1;                                                       \
        }                                                                   \
        return t;                                                           \
    }
TOKS(event_toks, TCPFSM_EV_MAX, tcpfsm_event_name)
TOKS(phase_toks, TCPFSM_PH_MAX, tcpfsm_phase_name)
TOKS(close_toks, TCPFSM_CL_MAX, tcpfsm_close_name)
TOKS(role_toks, TCPFSM_ROLE_MAX, tcpfsm_role_name)
TOKS(state_toks, TCPFSM_STATE_MAX, tcpfsm_state_name)
#undef TOKS

static inline void ob_tok(obuf *o, const tok *t, unsigned v, unsigned max,
                          const char *fallback)
{
    if (v < max)
        ob_put(o, t[v].s, t[v].n);
    else
        ob_s(o, fallback);
}

/* The anomaly list ("a,b"), as tcpfsm_anomalies_str() writes it. */
static void ob_anomalies(obuf *o, uint32_t set)
{
    if (!set)
        return;
    char buf[512];
    ob_s(o, tcpfsm_anomalies_str(set, buf, sizeof buf));
}

/* TSV: every label column of a labelled segment (l->event != NONE), in
 * the order of TCPFSM_LABEL_FIELDS: a field added there must be added
 * here too (the count below fails to compile until it is). */
_Static_assert(TCPFSM_LF_COUNT == 16, "tsv_label() writes each TCPFSM_LABEL_FIELDS column");
static void tsv_label(obuf *o, const tcpfsm_label *l)
{
    ob_tok(o, event_toks(), l->event, TCPFSM_EV_MAX, "?");
    ob_c(o, '\t');
    ob_tok(o, phase_toks(), l->phase, TCPFSM_PH_MAX, "?");
    ob_c(o, '\t');
    if (l->step_of) {
        ob_u64(o, l->step_num);
        /* a segment that is several steps at once: "2+3/4" */
        for (unsigned k = l->step_num + 1u; k <= l->step_last; k++) {
            ob_c(o, '+');
            ob_u64(o, k);
        }
        ob_c(o, '/');
        ob_u64(o, l->step_of);
    }
    ob_c(o, '\t');
    ob_tok(o, close_toks(), l->close, TCPFSM_CL_MAX, "?");
    ob_c(o, '\t');
    ob_tok(o, role_toks(), l->role, TCPFSM_ROLE_MAX, "?");
    const tok *st = state_toks();
    ob_c(o, '\t');
    ob_tok(o, st, tcpfsm_label_client_state(l), TCPFSM_STATE_MAX, "?");
    ob_c(o, '\t');
    ob_tok(o, st, tcpfsm_label_server_state(l), TCPFSM_STATE_MAX, "?");
    ob_c(o, '\t');
    ob_tok(o, st, l->src_prev, TCPFSM_STATE_MAX, "?");
    ob_c(o, '\t');
    ob_tok(o, st, l->src_state, TCPFSM_STATE_MAX, "?");
    ob_c(o, '\t');
    ob_tok(o, st, l->dst_prev, TCPFSM_STATE_MAX, "?");
    ob_c(o, '\t');
    ob_tok(o, st, l->dst_state, TCPFSM_STATE_MAX, "?");
    ob_c(o, '\t');
    ob_u64(o, l->seq_rel);
    ob_c(o, '\t');
    if (l->has_ack_rel)
        ob_u64(o, l->ack_rel);
    ob_c(o, '\t');
    if (l->ack_ok >= 0) {
        if (l->ack_ok == 0 || l->ack_ok == 1)
            ob_c(o, (char)('0' + l->ack_ok));
        else
            ob_u64(o, (unsigned long long)l->ack_ok);
    }
    ob_c(o, '\t');
    ob_anomalies(o, l->anomalies);
    ob_c(o, '\t');
    ob_s(o, l->label);
}

void out_annot_row(FILE *fp, out_format f, const tsv_reader *r,
                   const tcpfsm_label *l)
{
    static const tcpfsm_label none = {.event = TCPFSM_EV_NONE};
    char buf[TCPFSM_LABEL_MAX + 64];
    obuf *o = &row;
    if (!l)
        l = &none;
    if (f == OUT_JSONL) {
        ob_c(o, '{');
        int i = 0;
        for (int c = 0; c < r->ncols && c < r->ncells; c++, i++) {
            if (i)
                ob_c(o, ',');
            json_str(o, r->colnames[c]);
            ob_c(o, ':');
            json_value(o, input_kind(r, c, r->cells[c]), r->cells[c]);
        }
        for (int lf = 0; lf < TCPFSM_LF_COUNT; lf++, i++) {
            if (i)
                ob_c(o, ',');
            json_str(o, tcpfsm_label_field_name(lf));
            ob_c(o, ':');
            const char *v = tcpfsm_label_field_str(l, lf, buf, sizeof buf);
            char kind = tcpfsm_label_field_kind(lf);
            if (l->event == TCPFSM_EV_NONE && kind == 'L')
                ob_s(o, "null");
            else
                json_value(o, kind, v);
        }
        ob_put(o, "}\n", 2);
        ob_flush(o, fp);
        return;
    }
    int i = 0;
    if (f == OUT_TSV) {
        const char *last = r->ncells ? r->cells[r->ncells - 1] : NULL;
        if (r->ncells == r->ncols && r->ncells > 0 && r->line &&
            !r->rewritten && r->cells[0] == r->line &&
            last + strlen(last) == r->line + r->len) {
            /* the row as read (split put a NUL for each tab): one copy,
             * then the tabs back */
            size_t at = o->n;
            ob_put(o, r->line, r->len);
            for (int c = 1; c < r->ncells; c++)
                o->b[at + (size_t)(r->cells[c] - r->line) - 1] = '\t';
            i = r->ncols;
        } else {
            for (int c = 0; c < r->ncols; c++, i++) {
                if (i)
                    ob_c(o, '\t');
                if (c < r->ncells)
                    ob_s(o, r->cells[c]);
            }
        }
        if (l->event == TCPFSM_EV_NONE) {
            /* unlabelled: every label column empty */
            for (int lf = 0; lf < TCPFSM_LF_COUNT; lf++, i++)
                if (i)
                    ob_c(o, '\t');
        } else {
            if (i)
                ob_c(o, '\t');
            tsv_label(o, l);
        }
        ob_c(o, '\n');
        ob_flush(o, fp);
        return;
    }
    for (int c = 0; c < r->ncols; c++, i++) {
        sep(o, f, i);
        cell(o, f, c < r->ncells ? r->cells[c] : "");
    }
    for (int lf = 0; lf < TCPFSM_LF_COUNT; lf++, i++) {
        sep(o, f, i);
        cell(o, f, tcpfsm_label_field_str(l, lf, buf, sizeof buf));
    }
    ob_c(o, '\n');
    ob_flush(o, fp);
}

void out_summary_header(FILE *fp, out_format f)
{
    big_buffer(fp);
    if (f == OUT_JSONL)
        return;
    obuf *o = &row;
    for (int sf = 0; sf < TCPFSM_SF_COUNT; sf++) {
        sep(o, f, sf);
        cell(o, f, tcpfsm_summary_field_name(sf));
    }
    ob_c(o, '\n');
    ob_flush(o, fp);
}

/* "%.6f" of v exactly as printf writes it (tool/numfmt.h), for
 * 0 <= v < 2^33; false for anything else. */
static bool ob_fix6(obuf *o, double v)
{
    if (o->n + NUMFMT_FIX6_MAX > o->cap)
        ob_grow(o, NUMFMT_FIX6_MAX);
    char *e = numfmt_fix6(o->b + o->n, v);
    if (!e)
        return false;
    o->n = (size_t)(e - o->b);
    return true;
}

/* "a.b.c.d:port", or what tcpfsm_endpoint_str writes for the others */
static void ob_endpoint(obuf *o, const tcpfsm_addr *a, uint16_t port,
                        bool with_port)
{
    if (a->family == 4) {
        if (o->n + NUMFMT_IPV4_MAX > o->cap)
            ob_grow(o, NUMFMT_IPV4_MAX);
        o->n = (size_t)(numfmt_ipv4(o->b + o->n, a->bytes) - o->b);
        if (with_port) {
            ob_c(o, ':');
            ob_u64(o, port);
        }
        return;
    }
    char buf[128];
    if (with_port)
        ob_s(o, tcpfsm_endpoint_str(a, port, buf, sizeof buf));
    else
        ob_s(o, tcpfsm_addr_str(a, buf, sizeof buf));
}

/* One summary field as text, as tcpfsm_summary_field_str() writes it. */
static void summary_field(obuf *o, const tcpfsm_summary *s, int sf)
{
    char buf[256];
    switch (sf) {
    case TCPFSM_SF_STREAM:
        if (s->stream >= 0)
            ob_u64(o, (unsigned long long)s->stream);
        return;
    case TCPFSM_SF_CLIENT:
        ob_endpoint(o, &s->client_addr, s->client_port, true);
        return;
    case TCPFSM_SF_SERVER:
        ob_endpoint(o, &s->server_addr, s->server_port, true);
        return;
    case TCPFSM_SF_ORIG_H:
        ob_endpoint(o, &s->orig_h, 0, false);
        return;
    case TCPFSM_SF_RESP_H:
        ob_endpoint(o, &s->resp_h, 0, false);
        return;
    case TCPFSM_SF_FIRST_FRAME: ob_u64(o, s->first_frame); return;
    case TCPFSM_SF_LAST_FRAME: ob_u64(o, s->last_frame); return;
    case TCPFSM_SF_CLIENT_PACKETS: ob_u64(o, s->client_packets); return;
    case TCPFSM_SF_SERVER_PACKETS: ob_u64(o, s->server_packets); return;
    case TCPFSM_SF_CLIENT_BYTES: ob_u64(o, s->client_bytes); return;
    case TCPFSM_SF_SERVER_BYTES: ob_u64(o, s->server_bytes); return;
    case TCPFSM_SF_ORIG_P: ob_u64(o, s->orig_p); return;
    case TCPFSM_SF_RESP_P: ob_u64(o, s->resp_p); return;
    case TCPFSM_SF_ORIG_PKTS: ob_u64(o, s->orig_pkts); return;
    case TCPFSM_SF_RESP_PKTS: ob_u64(o, s->resp_pkts); return;
    case TCPFSM_SF_HANDSHAKE: ob_s(o, tcpfsm_handshake_name(s->handshake)); return;
    case TCPFSM_SF_CLOSE: ob_s(o, tcpfsm_close_name(s->close)); return;
    case TCPFSM_SF_ACTIVE_CLOSER: ob_s(o, tcpfsm_role_name(s->active_closer)); return;
    case TCPFSM_SF_CLIENT_STATE: ob_s(o, tcpfsm_state_name(s->client_state)); return;
    case TCPFSM_SF_SERVER_STATE: ob_s(o, tcpfsm_state_name(s->server_state)); return;
    case TCPFSM_SF_CONN_STATE: ob_s(o, s->conn_state); return;
    case TCPFSM_SF_HISTORY: ob_s(o, s->history); return;
    case TCPFSM_SF_DURATION:
        if (s->has_time && ob_fix6(o, s->last_time - s->first_time))
            return;
        break;
    case TCPFSM_SF_SYN_RTT:
        if (s->syn_rtt < 0 || ob_fix6(o, s->syn_rtt))
            return;
        break;
    case TCPFSM_SF_IRTT:
        if (s->irtt < 0 || ob_fix6(o, s->irtt))
            return;
        break;
    case TCPFSM_SF_ANOMALIES:
        ob_anomalies(o, s->anomalies);
        return;
    default:
        break;
    }
    ob_s(o, tcpfsm_summary_field_str(s, sf, buf, sizeof buf));
}

void out_summary_row(FILE *fp, out_format f, const tcpfsm_summary *s)
{
    char buf[256];
    obuf *o = &row;
    if (f == OUT_TSV) {
        for (int sf = 0; sf < TCPFSM_SF_COUNT; sf++) {
            if (sf)
                ob_c(o, '\t');
            summary_field(o, s, sf);
        }
        ob_c(o, '\n');
        ob_flush(o, fp);
        return;
    }
    if (f == OUT_JSONL)
        ob_c(o, '{');
    for (int sf = 0; sf < TCPFSM_SF_COUNT; sf++) {
        const char *v = tcpfsm_summary_field_str(s, sf, buf, sizeof buf);
        if (f == OUT_JSONL) {
            if (sf)
                ob_c(o, ',');
            json_str(o, tcpfsm_summary_field_name(sf));
            ob_c(o, ':');
            json_value(o, tcpfsm_summary_field_kind(sf), v);
        } else {
            sep(o, f, sf);
            cell(o, f, v);
        }
    }
    ob_s(o, f == OUT_JSONL ? "}\n" : "\n");
    ob_flush(o, fp);
}

void out_text_cell(FILE *fp, out_format f, const char *v)
{
    obuf *o = &row;
    if (f == OUT_JSONL)
        json_str(o, v);
    else
        cell(o, f, v);
    ob_flush(o, fp);
}

/* ---- summary --pretty ---- */

/* display columns of UTF-8 text: East Asian wide characters count 2 */
static int display_width(const char *s, size_t n)
{
    int w = 0;
    const char *end = s + n;
    while (s < end) {
        gunichar c = g_utf8_get_char_validated(s, end - s);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            s++;
            w++;
            continue;
        }
        w += g_unichar_iswide(c) ? 2 : g_unichar_iszerowidth(c) ? 0 : 1;
        s = g_utf8_next_char(s);
    }
    return w;
}

void out_pretty_table(FILE *fp, const char *tsv, size_t len)
{
    GArray *widths = g_array_new(FALSE, TRUE, sizeof(int));
    for (int pass = 0; pass < 2; pass++) {
        const char *p = tsv, *end = tsv + len;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            const char *eol = nl ? nl : end;
            int col = 0;
            const char *c = p;
            for (;;) {
                const char *tab = memchr(c, '\t', (size_t)(eol - c));
                const char *ce = tab ? tab : eol;
                size_t n = (size_t)(ce - c);
                const char *text = n ? c : "-";
                size_t tn = n ? n : 1;
                int w = display_width(text, tn);
                if (pass == 0) {
                    if ((guint)col >= widths->len)
                        g_array_set_size(widths, col + 1);
                    if (w > g_array_index(widths, int, col))
                        g_array_index(widths, int, col) = w;
                } else {
                    fwrite(text, 1, tn, fp);
                    if (tab)
                        for (int k = w; k < g_array_index(widths, int, col) + 2; k++)
                            fputc(' ', fp);
                }
                col++;
                if (!tab)
                    break;
                c = tab + 1;
            }
            if (pass == 1)
                fputc('\n', fp);
            p = eol + 1;
        }
    }
    g_array_free(widths, TRUE);
}
