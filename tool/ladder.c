/* ladder.c - `tcpfsm ladder`: a connection as a ladder diagram.
 *
 * The input is read exactly as `tcpfsm annotate` reads it (input.c), the
 * engine labels every segment, and the segments of the selected
 * connections are kept until the engine releases their connection (it
 * has finished and lingered, or the input ended); the connection is then
 * drawn and forgotten.  Memory holds only the selected connections that
 * are still open, and, unless --all, only their steps: a run of plain
 * data and ACK segments is kept as one folded line (counts, bytes,
 * frames), however long it is.
 *
 * Terminal: the client's lifeline on the left, the server's on the right,
 * one arrow per segment with its flags and relative Seq/Ack/Len; each
 * side's state after the segment beside its own lifeline, written only
 * where it changed; then the step title, the check (ack = ISN + 1 ✓) and
 * the anomalies.  ANSI colour when standard output is a terminal (and
 * NO_COLOR is not set).
 *
 * SVG (--svg FILE): the same rows, time running downward; with
 * --time-scale each gap between rows is drawn in proportion to the
 * capture time it spans, never less than the even row height, so labels
 * never overlap.  Several connections are stacked in one SVG.
 */
#include "ladder.h"

#include "flowtab.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib.h>

#include "input.h"
#include "live.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h"

static const char ladder_usage[] =
    "Usage: tcpfsm ladder [--stream N | --conn ADDR:PORT-ADDR:PORT] [--all]\n"
    "                     [--svg FILE [--time-scale]] [--width N] [--follow]\n"
    "                     [--lang en|zh] [INPUT | -i IFACE [-f FILTER]]\n"
    "\n"
    "Draw each TCP connection of INPUT (or the one selected) as a ladder\n"
    "diagram: client on the left, server on the right, one arrow per segment\n"
    "with its flags, relative Seq/Ack/Len, the handshake or teardown step and\n"
    "its check, and each side's state after the segment where it changed.\n"
    "\n"
    "Options:\n"
    "      --stream N     only the connection with tcp.stream N (without a\n"
    "                     tcp.stream column: the Nth connection, from 0)\n"
    "      --conn A:P-B:P only the connection(s) between these endpoints, in\n"
    "                     either direction ([v6addr]:port for IPv6)\n"
    "      --all          draw every segment (default: runs of plain data and\n"
    "                     ACK segments are folded into one line)\n"
    "      --svg FILE     write the diagram as SVG to FILE (- for standard\n"
    "                     output) instead of text\n"
    "      --time-scale   SVG: space the arrows by capture time\n"
    "      --width N      fit the text in N columns (default: the terminal's\n"
    "                     width; not on a terminal: $COLUMNS, else no limit)\n"
    "      --follow       draw each arrow as its segment arrives (a capture\n"
    "                     file still being written; Ctrl-C ends)\n"
    "  -i, --interface IFACE  capture live on IFACE (implies --follow)\n"
    "      --capture-filter EXPR  with -i: a capture filter (or -f EXPR)\n"
    "      --line-buffered  write each line at once\n"
    "      --lang LANG    en (default) or zh: the language of the words\n"
    "  -o, --output FILE  write the text diagram to FILE\n"
    "      --strict       stop at the first bad input row (exit 65)\n"
    "      --tshark PATH  the tshark to run on a capture file\n"
    "      --via-tshark   read a capture through tshark, not directly\n"
    "  -q, --quiet        no progress line on a terminal\n"
    "\n"
    "Exit status: 0 success, 1 no connection matched, 2 bad input rows\n"
    "skipped, 64 usage, 65 unusable input, 66 cannot open, 69 tshark, 74\n"
    "output error.\n";

/* ------------------------------------------------------------------ */
/* The ladder's own words (the labels' words are the engine's)          */
/* ------------------------------------------------------------------ */

/* Every word is the engine's (engine/lang.c: tcpfsm_word() and the
 * label words); the ladder only lays them out. */

/* ------------------------------------------------------------------ */
/* Options and state                                                    */
/* ------------------------------------------------------------------ */

typedef struct opts {
    bool has_stream;
    int64_t stream;
    bool has_conn;
    tcpfsm_addr conn_a, conn_b;
    uint16_t port_a, port_b;
    bool all;
    const char *svg;
    bool time_scale;
    tcpfsm_lang lang;
    const char *output;
    bool strict;
    const char *tshark;
    bool via_tshark;
    bool quiet;
    int width;            /* --width N; 0 no limit, -1 not given */
    bool follow;          /* --follow, or -i: each arrow as it comes */
    const char *iface;    /* -i IFACE */
    const char *filter;   /* -f / --capture-filter */
    bool line_buffered;
} opts;

enum { K_SEG, K_FOLD };

/* one drawn row: a segment, or a folded run of plain segments */
typedef struct item {
    uint8_t kind;
    uint8_t dir;        /* 0 client → server, 1 server → client */
    bool foldable;      /* plain data/ACK: may join a fold */
    bool cl_changed, sv_changed;
    uint16_t flags;
    tcpfsm_event event;
    int8_t ack_ok;
    uint32_t anomalies;
    uint32_t seq_rel, ack_rel, len;
    bool has_ack;
    tcpfsm_state cl, sv; /* each side's state after the segment */
    uint64_t frame, frame_last;
    double time, time_last;
    bool has_time;
    uint64_t n_seg, n_data, n_ack, bytes; /* K_FOLD */
    char title[48];
    char check[40]; /* the engine's words for its check, "" none */
} item;

typedef struct lconn {
    uint64_t conn_id;
    tcpfsm_state cl0, sv0;         /* before the first segment */
    tcpfsm_state cl_last, sv_last; /* the states last written */
    GArray *items;
    uint64_t n_segments;
    bool released;
    bool head_drawn;    /* --follow: its head is out */
    double t0;          /* --follow: the time of its first segment */
    bool has_t0;
    tcpfsm_summary sum;
} lconn;

typedef struct ladder {
    opts o;
    bool color;
    FILE *out;
    tcpfsm_flowtab conns; /* conn_id -> lconn (the table owns them) */
    GPtrArray *pending; /* released by the engine, to draw */
    FILE *svg_fp;       /* --svg FILE, opened before the input is read */
    GString *svg;       /* the SVG body */
    double svg_y;       /* its height so far */
    unsigned long drawn;
    int width;          /* display columns a text line may take; 0 any */
    bool plain_states;  /* narrow Chinese: RFC names without the gloss */
    uint64_t last_conn; /* --follow: the connection of the last row */
} ladder;

static const char *W(const ladder *L, int w);
static const char *state_text(const ladder *L, tcpfsm_state st)
{
    return L->plain_states ? tcpfsm_state_name(st) : tcpfsm_state_text(st, L->o.lang);
}

static const char *W(const ladder *L, int w)
{
    return tcpfsm_word(L->o.lang, w);
}

/* ------------------------------------------------------------------ */
/* Text helpers                                                         */
/* ------------------------------------------------------------------ */

/* Display columns of UTF-8 text: East Asian wide and fullwidth
 * characters take two, combining marks none, the rest one. */
static int dwidth(const char *s)
{
    int w = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        uint32_t c;
        int n;
        if (*p < 0x80)
            c = *p, n = 1;
        else if ((*p & 0xE0) == 0xC0)
            c = *p & 0x1F, n = 2;
        else if ((*p & 0xF0) == 0xE0)
            c = *p & 0x0F, n = 3;
        else
            c = *p & 0x07, n = 4;
        int i = 1;
        for (; i < n && (p[i] & 0xC0) == 0x80; i++)
            c = (c << 6) | (p[i] & 0x3F);
        p += i;
        if (c >= 0x300 && c <= 0x36F)
            continue;
        bool wide = (c >= 0x1100 && c <= 0x115F) ||
                    (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
                    (c >= 0xAC00 && c <= 0xD7A3) ||
                    (c >= 0xF900 && c <= 0xFAFF) ||
                    (c >= 0xFE30 && c <= 0xFE4F) ||
                    (c >= 0xFF00 && c <= 0xFF60) ||
                    (c >= 0xFFE0 && c <= 0xFFE6) ||
                    (c >= 0x20000 && c <= 0x3FFFD);
        w += wide ? 2 : 1;
    }
    return w;
}

static void repeat(GString *g, const char *s, int n)
{
    for (int i = 0; i < n; i++)
        g_string_append(g, s);
}

/* "20,480" */
static char *thousands(uint64_t v, char *buf, size_t size)
{
    char digits[32];
    snprintf(digits, sizeof digits, "%" PRIu64, v);
    size_t n = strlen(digits), o = 0;
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        if (i && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
    return buf;
}

/* "SYN-ACK", "FIN-PSH-ACK", in Wireshark's order */
static char *flags_text(const ladder *L, uint16_t f, char *buf, size_t size)
{
    if (!tcpfsm_flags_text(f, TCPFSM_FLAGS_WIRESHARK, buf, size))
        snprintf(buf, size, "%s", W(L, TCPFSM_W_NO_FLAGS));
    return buf;
}

/* "SYN-ACK Seq=0 Ack=1 Len=0" */
static char *arrow_text(const ladder *L, const item *it, char *buf,
                        size_t size)
{
    char fl[64];
    flags_text(L, it->flags, fl, sizeof fl);
    if (it->has_ack)
        snprintf(buf, size, "%s Seq=%" PRIu32 " Ack=%" PRIu32 " Len=%" PRIu32,
                 fl, it->seq_rel, it->ack_rel, it->len);
    else
        snprintf(buf, size, "%s Seq=%" PRIu32 " Len=%" PRIu32, fl,
                 it->seq_rel, it->len);
    return buf;
}

/* "ack = ISN + 1 ✓", "ack ≠ FIN seq + 1 ✗", "" where no check applies
 * (the engine's words, kept with the item) */
static const char *check_text(const item *it)
{
    return it->kind == K_SEG ? it->check : "";
}

/* "… 2 data segments (10 bytes), 2 ACKs …" */
static char *fold_text(const ladder *L, const item *it, char *buf,
                       size_t size)
{
    char n1[32], n2[32], part[128];
    GString *g = g_string_new(NULL);
    if (it->n_data) {
        snprintf(part, sizeof part,
                 W(L, it->n_data == 1 ? TCPFSM_W_DATA_ONE : TCPFSM_W_DATA_MANY),
                 thousands(it->n_data, n1, sizeof n1),
                 thousands(it->bytes, n2, sizeof n2));
        g_string_append(g, part);
    }
    if (it->n_ack) {
        if (g->len)
            g_string_append(g, W(L, TCPFSM_W_FOLD_SEP));
        snprintf(part, sizeof part, W(L, it->n_ack == 1 ? TCPFSM_W_ACK_ONE : TCPFSM_W_ACK_MANY),
                 thousands(it->n_ack, n1, sizeof n1));
        g_string_append(g, part);
    }
    snprintf(buf, size, W(L, TCPFSM_W_FOLD), g->str);
    g_string_free(g, TRUE);
    return buf;
}

static char *frame_text(const item *it, char *buf, size_t size)
{
    if (it->kind == K_FOLD && it->frame_last != it->frame)
        snprintf(buf, size, "%" PRIu64 "–%" PRIu64, it->frame, it->frame_last);
    else
        snprintf(buf, size, "%" PRIu64, it->frame);
    return buf;
}

static char *anomaly_text(uint32_t a, char *buf, size_t size)
{
    char list[256];
    buf[0] = '\0';
    if (a)
        snprintf(buf, size, "[%s]", tcpfsm_anomalies_str(a, list, sizeof list));
    return buf;
}

static char *conn_name(const ladder *L, const lconn *c, char *buf, size_t size)
{
    if (c->sum.stream >= 0)
        snprintf(buf, size, W(L, TCPFSM_W_STREAM), c->sum.stream);
    else
        snprintf(buf, size, W(L, TCPFSM_W_CONNECTION), (int64_t)c->conn_id - 1);
    return buf;
}

static void summary_lines(const ladder *L, const lconn *c, char *l1,
                          size_t s1, char *l2, size_t s2)
{
    const tcpfsm_summary *s = &c->sum;
    tcpfsm_lang lang = L->o.lang;
    const char *closer = s->active_closer == TCPFSM_ROLE_NONE
                             ? W(L, TCPFSM_W_NONE)
                             : tcpfsm_role_text(s->active_closer, lang);
    snprintf(l1, s1, W(L, TCPFSM_W_SUMMARY1), tcpfsm_handshake_name(s->handshake),
             tcpfsm_handshake_text(s->handshake, lang), tcpfsm_close_name(s->close),
             tcpfsm_close_text(s->close, lang), closer);
    snprintf(l2, s2, W(L, TCPFSM_W_SUMMARY2), tcpfsm_role_text(TCPFSM_ROLE_CLIENT, lang),
             tcpfsm_state_text(s->client_state, lang),
             tcpfsm_role_text(TCPFSM_ROLE_SERVER, lang),
             tcpfsm_state_text(s->server_state, lang));
}

/* ------------------------------------------------------------------ */
/* Terminal drawing                                                     */
/* ------------------------------------------------------------------ */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_CYAN "\033[36m"

enum { LEFT, RIGHT };

/* text padded to `width` columns, in colour `col` (NULL: none) */
static void cell(const ladder *L, GString *g, const char *text, int width,
                 int align, const char *col)
{
    int pad = width - dwidth(text);
    if (pad < 0)
        pad = 0;
    if (align == RIGHT)
        repeat(g, " ", pad);
    if (L->color && col && *text)
        g_string_append_printf(g, "%s%s" C_RESET, col, text);
    else
        g_string_append(g, text);
    if (align == LEFT)
        repeat(g, " ", pad);
}

/* display columns of a line that may hold colour escapes */
static int vwidth(const char *s)
{
    GString *plain = g_string_new(NULL);
    for (const char *p = s; *p; p++) {
        if (*p == '\033') {
            while (*p && *p != 'm')
                p++;
            if (!*p)
                break;
            continue;
        }
        g_string_append_c(plain, *p);
    }
    int w = dwidth(plain->str);
    g_string_free(plain, TRUE);
    return w;
}

/* the line cut to `width` display columns, its last one "…" */
static void cut_line(const ladder *L, GString *g, int width)
{
    GString *o = g_string_new(NULL);
    int w = 0;
    const char *p = g->str;
    while (*p) {
        if (*p == '\033') {
            const char *q = p;
            while (*q && *q != 'm')
                q++;
            if (*q)
                q++;
            g_string_append_len(o, p, q - p);
            p = q;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        char ch[8] = {0};
        memcpy(ch, p, (size_t)(next - p) < 7 ? (size_t)(next - p) : 7);
        int cw = dwidth(ch);
        if (w + cw > width - 1)
            break;
        g_string_append_len(o, p, next - p);
        w += cw;
        p = next;
    }
    g_string_append(o, "…");
    if (L->color)
        g_string_append(o, C_RESET);
    g_string_assign(g, o->str);
    g_string_free(o, TRUE);
}

static void emit_line(ladder *L, GString *g)
{
    /* no trailing blanks (golden files, copy and paste) */
    while (g->len && g->str[g->len - 1] == ' ')
        g_string_truncate(g, g->len - 1);
    if (L->width > 0 && vwidth(g->str) > L->width)
        cut_line(L, g, L->width);
    fputs(g->str, L->out);
    fputc('\n', L->out);
    g_string_truncate(g, 0);
}

/* a line of words longer than the width: broken at blanks */
static void emit_words(ladder *L, GString *g, const char *text, const char *col)
{
    if (L->width <= 0 || dwidth(text) <= L->width) {
        cell(L, g, text, 0, LEFT, col);
        emit_line(L, g);
        return;
    }
    char **words_ = g_strsplit(text, " ", -1);
    GString *line = g_string_new(NULL);
    for (int i = 0; words_[i]; i++) {
        if (line->len && dwidth(line->str) + 1 + dwidth(words_[i]) > L->width) {
            cell(L, g, line->str, 0, LEFT, col);
            emit_line(L, g);
            g_string_assign(line, "  ");
        } else if (line->len) {
            g_string_append_c(line, ' ');
        }
        g_string_append(line, words_[i]);
    }
    if (line->len) {
        cell(L, g, line->str, 0, LEFT, col);
        emit_line(L, g);
    }
    g_string_free(line, TRUE);
    g_strfreev(words_);
}

typedef struct cols {
    int frame, time, client, lane, server, title;
    bool has_time;
    bool wrap;     /* the title and check go on a line of their own */
    double t0;
} cols;

/* the longest step title, check and anomaly text of the connection */
static int tail_width(const ladder *L, const lconn *c, const cols *k)
{
    char buf2[512];
    int most = 0;
    (void)L;
    for (guint i = 0; c && i < c->items->len; i++) {
        const item *it = &g_array_index(c->items, item, i);
        if (it->kind == K_FOLD)
            continue;
        int w = k->title;
        if (*check_text(it))
            w += 2 + dwidth(check_text(it));
        if (*anomaly_text(it->anomalies, buf2, sizeof buf2))
            w += 2 + dwidth(buf2);
        if (w > most)
            most = w;
    }
    return most;
}

/* --width: drop the time column, narrow the lane, put the step title on
 * a line of its own, in that order, until the rows fit */
static void fit(const ladder *L, const lconn *c, cols *k, int lane_need)
{
    if (L->width <= 0)
        return;
    int tail = c ? tail_width(L, c, k) : k->title + 40;
#define MAIN_W() (k->frame + 2 + (k->has_time ? k->time + 2 : 0) + k->client + 2 + \
                  k->lane + 2 + k->server)
    if (MAIN_W() + 2 + tail <= L->width)
        return;
    if (k->lane > lane_need) {
        k->lane -= MAIN_W() + 2 + tail - L->width;
        if (k->lane < lane_need)
            k->lane = lane_need;
    }
    if (MAIN_W() + 2 + tail <= L->width)
        return;
    k->wrap = true;
    if (MAIN_W() > L->width && k->has_time)
        k->has_time = false;
    if (MAIN_W() > L->width) {
        k->lane -= MAIN_W() - L->width;
        if (k->lane < 12)
            k->lane = 12;
    }
#undef MAIN_W
}

static void measure_as(const ladder *L, const lconn *c, cols *k);

/* the full layout, or, in Chinese when it does not fit, the states
 * without their glosses */
static void measure(ladder *L, const lconn *c, cols *k)
{
    L->plain_states = false;
    measure_as(L, c, k);
    if (L->width > 0 && L->o.lang == TCPFSM_LANG_ZH &&
        (k->wrap || k->frame + 2 + (k->has_time ? k->time + 2 : 0) + k->client + 2 +
                            k->lane + 2 + k->server + 2 + tail_width(L, c, k) > L->width)) {
        L->plain_states = true;
        measure_as(L, c, k);
    }
}

static void measure_as(const ladder *L, const lconn *c, cols *k)
{
    tcpfsm_lang lang = L->o.lang;
    char buf[256];
    memset(k, 0, sizeof *k);
    k->frame = dwidth(W(L, TCPFSM_W_FRAME));
    k->time = dwidth(W(L, TCPFSM_W_TIME));
    k->client = dwidth(tcpfsm_role_text(TCPFSM_ROLE_CLIENT, lang));
    k->server = dwidth(tcpfsm_role_text(TCPFSM_ROLE_SERVER, lang));
    int w;
    if ((w = dwidth(state_text(L, c->cl0))) > k->client)
        k->client = w;
    if ((w = dwidth(state_text(L, c->sv0))) > k->server)
        k->server = w;
    int text = 0;
    for (guint i = 0; i < c->items->len; i++) {
        const item *it = &g_array_index(c->items, item, i);
        if (it->has_time && !k->has_time) {
            k->has_time = true;
            k->t0 = it->time;
        }
        if ((w = dwidth(frame_text(it, buf, sizeof buf))) > k->frame)
            k->frame = w;
        if (it->kind == K_FOLD) {
            if ((w = dwidth(fold_text(L, it, buf, sizeof buf)) + 2) > text)
                text = w;
            continue;
        }
        if ((w = dwidth(arrow_text(L, it, buf, sizeof buf)) + 6) > text)
            text = w;
        if (it->cl_changed && (w = dwidth(state_text(L, it->cl))) > k->client)
            k->client = w;
        if (it->sv_changed && (w = dwidth(state_text(L, it->sv))) > k->server)
            k->server = w;
        if ((w = dwidth(it->title)) > k->title)
            k->title = w;
    }
    k->lane = text > 44 ? text : 44;
    if (k->has_time) {
        for (guint i = 0; i < c->items->len; i++) {
            const item *it = &g_array_index(c->items, item, i);
            if (it->has_time) {
                snprintf(buf, sizeof buf, "%.6f", it->time - k->t0);
                if ((w = dwidth(buf)) > k->time)
                    k->time = w;
            }
        }
    }
    fit(L, c, k, text);
}

/* --follow: columns fixed before the rows are known */
static void measure_fixed(ladder *L, cols *k, double t0, bool has_time)
{
    L->plain_states = L->width > 0 && L->width < 150 && L->o.lang == TCPFSM_LANG_ZH;
    tcpfsm_lang lang = L->o.lang;
    memset(k, 0, sizeof *k);
    k->frame = 6;
    k->has_time = has_time;
    k->t0 = t0;
    k->time = 10;
    for (int s = 0; s < TCPFSM_STATE_MAX; s++) {
        int w = dwidth(state_text(L, (tcpfsm_state)s));
        if (w > k->client)
            k->client = k->server = w;
    }
    k->lane = 44;
    k->title = lang == TCPFSM_LANG_ZH ? 20 : 13;
    fit(L, NULL, k, 36);
}

/* frame and time columns */
static void lead(const ladder *L, GString *g, const cols *k, const char *frame,
                 const char *time)
{
    cell(L, g, frame, k->frame, RIGHT, NULL);
    g_string_append(g, "  ");
    if (k->has_time) {
        cell(L, g, time, k->time, RIGHT, NULL);
        g_string_append(g, "  ");
    }
}

/* text in the lane between the lifelines, cut to fit */
static void in_lane(const ladder *L, GString *g, const cols *k, const char *text,
                    const char *col, const char *bar)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", text);
    if (dwidth(buf) > k->lane - 2) {
        GString *t = g_string_new(buf);
        ladder tmp = *L;
        tmp.color = false;
        cut_line(&tmp, t, k->lane - 2);
        snprintf(buf, sizeof buf, "%s", t->str);
        g_string_free(t, TRUE);
    }
    int pad = k->lane - dwidth(buf);
    repeat(g, " ", k->client);
    g_string_append_printf(g, " %s", bar);
    repeat(g, " ", pad / 2);
    cell(L, g, buf, 0, LEFT, col);
    repeat(g, " ", pad - pad / 2);
    g_string_append(g, bar);
}

static void draw_head(ladder *L, const lconn *c, const cols *k)
{
    tcpfsm_lang lang = L->o.lang;
    GString *g = g_string_new(NULL);
    char name[64], ca[80], sa[80], buf[512];
    if (L->drawn)
        emit_line(L, g);
    conn_name(L, c, name, sizeof name);
    tcpfsm_endpoint_str(&c->sum.client_addr, c->sum.client_port, ca, sizeof ca);
    tcpfsm_endpoint_str(&c->sum.server_addr, c->sum.server_port, sa, sizeof sa);
    snprintf(buf, sizeof buf, W(L, TCPFSM_W_HEADER), name,
             tcpfsm_role_text(TCPFSM_ROLE_CLIENT, lang), ca,
             tcpfsm_role_text(TCPFSM_ROLE_SERVER, lang), sa);
    emit_words(L, g, buf, C_BOLD);

    /* column heads, then the states before the first segment */
    lead(L, g, k, W(L, TCPFSM_W_FRAME), W(L, TCPFSM_W_TIME));
    cell(L, g, tcpfsm_role_text(TCPFSM_ROLE_CLIENT, lang), k->client, RIGHT, C_BOLD);
    repeat(g, " ", k->lane + 4);
    cell(L, g, tcpfsm_role_text(TCPFSM_ROLE_SERVER, lang), 0, LEFT, C_BOLD);
    emit_line(L, g);
    lead(L, g, k, "", "");
    cell(L, g, state_text(L, c->cl0), k->client, RIGHT, C_CYAN);
    g_string_append(g, " │");
    repeat(g, " ", k->lane);
    g_string_append(g, "│ ");
    cell(L, g, state_text(L, c->sv0), 0, LEFT, C_CYAN);
    emit_line(L, g);
    g_string_free(g, TRUE);
}

static void draw_item(ladder *L, const cols *k, const item *it)
{
    GString *g = g_string_new(NULL);
    char buf[512], buf2[512];
    char fr[48], tm[48];
    frame_text(it, fr, sizeof fr);
    tm[0] = '\0';
    if (it->has_time)
        snprintf(tm, sizeof tm, "%.6f", it->time - k->t0);
    lead(L, g, k, fr, tm);
    if (it->kind == K_FOLD) {
        fold_text(L, it, buf, sizeof buf);
        in_lane(L, g, k, buf, C_DIM, "┆");
        emit_line(L, g);
        g_string_free(g, TRUE);
        return;
    }
    cell(L, g, it->cl_changed ? state_text(L, it->cl) : "",
         k->client, RIGHT, C_CYAN);
    g_string_append(g, " │");
    /* the arrow, its text in the middle */
    arrow_text(L, it, buf, sizeof buf);
    if (dwidth(buf) > k->lane - 5) {
        GString *t = g_string_new(buf);
        ladder tmp = *L;
        tmp.color = false;
        cut_line(&tmp, t, k->lane - 5);
        snprintf(buf, sizeof buf, "%s", t->str);
        g_string_free(t, TRUE);
    }
    int room = k->lane - dwidth(buf) - 3; /* two blanks and the head */
    int a = room / 2, b = room - a;
    GString *arrow = g_string_new(NULL);
    if (it->dir == 1)
        g_string_append(arrow, "◀");
    repeat(arrow, "─", it->dir == 0 ? a : b);
    g_string_append_printf(arrow, " %s ", buf);
    repeat(arrow, "─", it->dir == 0 ? b : a);
    if (it->dir == 0)
        g_string_append(arrow, "▶");
    cell(L, g, arrow->str, 0, LEFT, it->anomalies ? C_RED : NULL);
    g_string_free(arrow, TRUE);
    g_string_append(g, "│ ");
    cell(L, g, it->sv_changed ? state_text(L, it->sv) : "",
         k->server, LEFT, C_CYAN);
    snprintf(buf, sizeof buf, "%s", check_text(it));
    anomaly_text(it->anomalies, buf2, sizeof buf2);
    if (k->wrap) {
        /* the step, its check and the anomalies on the next line, in the
         * lane */
        emit_line(L, g);
        GString *t = g_string_new(it->title);
        if (*buf)
            g_string_append_printf(t, "%s%s", t->len ? "  " : "", buf);
        if (*buf2)
            g_string_append_printf(t, "%s%s", t->len ? "  " : "", buf2);
        if (t->len) {
            lead(L, g, k, "", "");
            in_lane(L, g, k, t->str, *buf2 ? C_RED : C_BOLD, "│");
            emit_line(L, g);
        }
        g_string_free(t, TRUE);
        g_string_free(g, TRUE);
        return;
    }
    g_string_append(g, "  ");
    cell(L, g, it->title, k->title, LEFT, C_BOLD);
    if (*buf) {
        g_string_append(g, "  ");
        cell(L, g, buf, 0, LEFT, it->ack_ok ? C_GREEN : C_RED);
    }
    if (*buf2) {
        g_string_append(g, "  ");
        cell(L, g, buf2, 0, LEFT, C_RED);
    }
    emit_line(L, g);
    g_string_free(g, TRUE);
}

static void draw_tail(ladder *L, const lconn *c)
{
    GString *g = g_string_new(NULL);
    char buf[512], buf2[512];
    summary_lines(L, c, buf, sizeof buf, buf2, sizeof buf2);
    emit_words(L, g, buf, NULL);
    if (c->sum.anomalies) {
        char list[256], an[300];
        snprintf(an, sizeof an, W(L, TCPFSM_W_ANOMALIES),
                 tcpfsm_anomalies_str(c->sum.anomalies, list, sizeof list));
        if (L->width > 0 && dwidth(buf2) + dwidth(an) > L->width) {
            emit_words(L, g, buf2, NULL);
            emit_words(L, g, an + (an[0] == ';' ? 2 : 0), C_RED);
        } else {
            cell(L, g, buf2, 0, LEFT, NULL);
            cell(L, g, an, 0, LEFT, C_RED);
            emit_line(L, g);
        }
    } else {
        emit_words(L, g, buf2, NULL);
    }
    g_string_free(g, TRUE);
}

static void draw_text(ladder *L, const lconn *c)
{
    cols k;
    measure(L, c, &k);
    draw_head(L, c, &k);
    for (guint i = 0; i < c->items->len; i++)
        draw_item(L, &k, &g_array_index(c->items, item, i));
    draw_tail(L, c);
}

/* ------------------------------------------------------------------ */
/* SVG drawing                                                          */
/* ------------------------------------------------------------------ */

#define SVG_W 1000.0
#define SVG_XC 340.0   /* client lifeline */
#define SVG_XS 760.0   /* server lifeline */
#define SVG_ROW 46.0   /* even row height, the minimum gap */
#define SVG_HEAD 126.0 /* header above the first row */

static void svg_text(GString *g, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': g_string_append(g, "&amp;"); break;
        case '<': g_string_append(g, "&lt;"); break;
        case '>': g_string_append(g, "&gt;"); break;
        case '"': g_string_append(g, "&quot;"); break;
        case '\'': g_string_append(g, "&apos;"); break;
        default:
            /* XML 1.0 allows no C0 controls but tab and newline */
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
                g_string_append_c(g, ' ');
            else
                g_string_append_c(g, *s);
        }
    }
}

/* <text ...>escaped</text> */
static void svg_put(GString *g, double x, double y, const char *attrs,
                    const char *s)
{
    g_string_append_printf(g, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    svg_text(g, s);
    g_string_append(g, "</text>\n");
}

/* The rows' y, from the top of the first row: even, or by capture time. */
static double *row_positions(const ladder *L, const lconn *c)
{
    guint n = c->items->len;
    double *y = g_new0(double, n ? n : 1);
    double duration = 0, first = 0;
    bool timed = L->o.time_scale;
    for (guint i = 0; i < n && timed; i++) {
        const item *it = &g_array_index(c->items, item, i);
        if (!it->has_time) {
            timed = false;
            break;
        }
        if (i == 0)
            first = it->time;
        double end = it->kind == K_FOLD ? it->time_last : it->time;
        if (end - first > duration)
            duration = end - first;
    }
    /* each gap in proportion to its time, never under one row: the
     * whole time axis spans one and a half times the even layout */
    double scale = timed && duration > 0 ? n * SVG_ROW * 1.5 / duration : 0;
    for (guint i = 1; i < n; i++) {
        const item *p = &g_array_index(c->items, item, i - 1);
        const item *it = &g_array_index(c->items, item, i);
        double gap = SVG_ROW;
        if (scale > 0) {
            double prev = p->kind == K_FOLD ? p->time_last : p->time;
            double dt = it->time - prev;
            if (dt * scale > gap)
                gap = dt * scale;
        }
        y[i] = y[i - 1] + gap;
    }
    return y;
}

static void draw_svg(ladder *L, const lconn *c)
{
    tcpfsm_lang lang = L->o.lang;
    GString *g = L->svg;
    double top = L->svg_y;
    char name[64], ca[80], sa[80], buf[512], buf2[512];
    guint n = c->items->len;
    double *ry = row_positions(L, c);
    double y0 = top + SVG_HEAD;
    double last = y0 + (n ? ry[n - 1] : 0);
    double t0 = 0;
    bool has_t0 = false;

    conn_name(L, c, name, sizeof name);
    tcpfsm_endpoint_str(&c->sum.client_addr, c->sum.client_port, ca, sizeof ca);
    tcpfsm_endpoint_str(&c->sum.server_addr, c->sum.server_port, sa, sizeof sa);
    g_string_append_printf(g, "<g class=\"connection\" data-conn=\"%" PRIu64
                           "\" data-stream=\"%" PRId64 "\" data-segments=\"%"
                           PRIu64 "\">\n", c->conn_id, c->sum.stream,
                           c->n_segments);
    if (L->drawn)
        g_string_append_printf(g, "<line x1=\"12\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\" class=\"sep\"/>\n", top + 8,
                               SVG_W - 12, top + 8);
    snprintf(buf, sizeof buf, W(L, TCPFSM_W_HEADER), name,
             tcpfsm_role_text(TCPFSM_ROLE_CLIENT, lang), ca,
             tcpfsm_role_text(TCPFSM_ROLE_SERVER, lang), sa);
    svg_put(g, 12, top + 30, "class=\"head\"", buf);
    svg_put(g, SVG_XC, top + 56, "class=\"role\" text-anchor=\"middle\"",
            tcpfsm_role_text(TCPFSM_ROLE_CLIENT, lang));
    svg_put(g, SVG_XS, top + 56, "class=\"role\" text-anchor=\"middle\"",
            tcpfsm_role_text(TCPFSM_ROLE_SERVER, lang));
    svg_put(g, SVG_XC, top + 70, "class=\"addr\" text-anchor=\"middle\"", ca);
    svg_put(g, SVG_XS, top + 70, "class=\"addr\" text-anchor=\"middle\"", sa);
    svg_put(g, 12, top + 70, "class=\"small\"", W(L, TCPFSM_W_FRAME));
    /* lifelines */
    for (int side = 0; side < 2; side++) {
        double x = side ? SVG_XS : SVG_XC;
        g_string_append_printf(g, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\" class=\"life\"/>\n", x, top + 78, x,
                               last + 24);
    }
    svg_put(g, SVG_XC - 8, top + 96, "class=\"state\" text-anchor=\"end\"",
            tcpfsm_state_text(c->cl0, lang));
    svg_put(g, SVG_XS + 8, top + 96, "class=\"state\"",
            tcpfsm_state_text(c->sv0, lang));

    for (guint i = 0; i < n; i++) {
        const item *it = &g_array_index(c->items, item, i);
        double y = y0 + ry[i];
        char fr[48];
        if (it->has_time && !has_t0) {
            has_t0 = true;
            t0 = it->time;
        }
        frame_text(it, fr, sizeof fr);
        if (it->kind == K_FOLD) {
            g_string_append_printf(g, "<g class=\"fold\" data-frame=\"%" PRIu64
                                   "\" data-frame-last=\"%" PRIu64
                                   "\" data-segments=\"%" PRIu64
                                   "\" data-y=\"%.1f\">\n",
                                   it->frame, it->frame_last, it->n_seg, y);
            svg_put(g, 12, y - 2, "class=\"frame\"", fr);
            if (it->has_time) {
                snprintf(buf, sizeof buf, "%.6f", it->time - t0);
                svg_put(g, 12, y + 12, "class=\"small\"", buf);
            }
            g_string_append_printf(g, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                                   "height=\"18\" class=\"foldbox\"/>\n",
                                   SVG_XC + 30, y - 9, SVG_XS - SVG_XC - 60);
            svg_put(g, (SVG_XC + SVG_XS) / 2, y + 4,
                    "class=\"foldtext\" text-anchor=\"middle\"",
                    fold_text(L, it, buf, sizeof buf));
            g_string_append(g, "</g>\n");
            continue;
        }
        bool bad = it->anomalies != 0;
        g_string_append_printf(g, "<g class=\"segment%s\" data-frame=\"%" PRIu64
                               "\" data-event=\"%s\" data-y=\"%.1f\">\n",
                               bad ? " anomaly" : "", it->frame,
                               tcpfsm_event_name(it->event), y);
        svg_put(g, 12, y - 2, "class=\"frame\"", fr);
        if (it->has_time) {
            snprintf(buf, sizeof buf, "%.6f", it->time - t0);
            svg_put(g, 12, y + 12, "class=\"small\"", buf);
        }
        /* the arrow: a line and its head */
        double xa = it->dir == 0 ? SVG_XC : SVG_XS;
        double xb = it->dir == 0 ? SVG_XS : SVG_XC;
        double head = it->dir == 0 ? -10 : 10;
        g_string_append_printf(g, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\" class=\"arrow\"/>\n", xa, y,
                               xb + head, y);
        g_string_append_printf(g, "<polygon points=\"%.1f,%.1f %.1f,%.1f "
                               "%.1f,%.1f\" class=\"tip\"/>\n", xb, y,
                               xb + head, y - 4.5, xb + head, y + 4.5);
        svg_put(g, (SVG_XC + SVG_XS) / 2, y - 6,
                "class=\"flags\" text-anchor=\"middle\"",
                arrow_text(L, it, buf, sizeof buf));
        /* below the arrow: the step, its check, the anomalies */
        g_string_append_printf(g, "<text x=\"%.1f\" y=\"%.1f\" "
                               "text-anchor=\"middle\" class=\"below\">",
                               (SVG_XC + SVG_XS) / 2, y + 15);
        bool any = false;
        if (*it->title) {
            g_string_append(g, "<tspan class=\"step\">");
            svg_text(g, it->title);
            g_string_append(g, "</tspan>");
            any = true;
        }
        if (*check_text(it)) {
            g_string_append_printf(g, "<tspan class=\"%s\"%s>",
                                   it->ack_ok ? "ok" : "bad",
                                   any ? " dx=\"12\"" : "");
            svg_text(g, check_text(it));
            g_string_append(g, "</tspan>");
            any = true;
        }
        anomaly_text(it->anomalies, buf2, sizeof buf2);
        if (*buf2) {
            g_string_append_printf(g, "<tspan class=\"bad\"%s>",
                                   any ? " dx=\"12\"" : "");
            svg_text(g, buf2);
            g_string_append(g, "</tspan>");
        }
        g_string_append(g, "</text>\n");
        if (it->cl_changed)
            svg_put(g, SVG_XC - 8, y + 4, "class=\"state\" text-anchor=\"end\"",
                    tcpfsm_state_text(it->cl, lang));
        if (it->sv_changed)
            svg_put(g, SVG_XS + 8, y + 4, "class=\"state\"",
                    tcpfsm_state_text(it->sv, lang));
        g_string_append(g, "</g>\n");
    }

    summary_lines(L, c, buf, sizeof buf, buf2, sizeof buf2);
    svg_put(g, 12, last + 50, "class=\"summary\"", buf);
    if (c->sum.anomalies) {
        char list[256], an[300];
        snprintf(an, sizeof an, W(L, TCPFSM_W_ANOMALIES),
                 tcpfsm_anomalies_str(c->sum.anomalies, list, sizeof list));
        g_string_append_printf(g, "<text x=\"12\" y=\"%.1f\" class=\"summary\">",
                               last + 68);
        svg_text(g, buf2);
        g_string_append(g, "<tspan class=\"bad\">");
        svg_text(g, an);
        g_string_append(g, "</tspan></text>\n");
    } else {
        svg_put(g, 12, last + 68, "class=\"summary\"", buf2);
    }
    g_string_append(g, "</g>\n");
    L->svg_y = last + 84;
    g_free(ry);
}

/* Writes the SVG (a valid one, with a line of text, when nothing was
 * drawn) and closes its file. */
static int write_svg(ladder *L)
{
    FILE *fp = L->svg_fp;
    bool own = fp != stdout;
    if (!L->drawn) {
        svg_put(L->svg, 12, 30, "class=\"head\"", "no connection");
        L->svg_y = 40;
    }
    double h = L->svg_y + 12;
    fprintf(fp,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"'DejaVu "
            "Sans', 'Noto Sans CJK SC', 'Noto Sans SC', 'PingFang SC', "
            "'Microsoft YaHei', Arial, sans-serif\" font-size=\"13\">\n"
            "<title>tcpfsm ladder</title>\n"
            "<style>\n"
            ".head{font-size:15px;font-weight:bold}\n"
            ".role{font-weight:bold;font-size:14px}\n"
            ".addr,.small{font-size:11px;fill:#555}\n"
            ".frame{font-size:12px;fill:#333}\n"
            ".life{stroke:#888;stroke-width:1.5}\n"
            ".sep{stroke:#ccc;stroke-width:1}\n"
            ".arrow{stroke:#222;stroke-width:1.4}\n"
            ".tip{fill:#222}\n"
            ".anomaly .arrow{stroke:#c62828}\n"
            ".anomaly polygon{fill:#c62828}\n"
            ".anomaly .flags{fill:#c62828}\n"
            ".flags{font-size:12px}\n"
            ".below{font-size:12px}\n"
            ".step{font-weight:bold;fill:#1a4f8b}\n"
            ".ok{fill:#2e7d32}\n"
            ".bad{fill:#c62828}\n"
            ".state{fill:#6a1b9a;font-size:12px}\n"
            ".foldbox{fill:#f3f3f3;stroke:#bbb;stroke-dasharray:3 3}\n"
            ".foldtext{font-style:italic;fill:#555;font-size:12px}\n"
            ".summary{font-size:12px}\n"
            "</style>\n"
            "<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
            SVG_W, h, SVG_W, h);
    fputs(L->svg->str, fp);
    fputs("</svg>\n", fp);
    int rc = TCPFSM_EXIT_OK;
    if (fflush(fp) != 0 || ferror(fp)) {
        fprintf(stderr, "tcpfsm: %s: write error: %s\n", L->o.svg,
                strerror(errno));
        rc = TCPFSM_EXIT_IOERR;
    }
    if (own && fclose(fp) != 0 && rc == TCPFSM_EXIT_OK) {
        fprintf(stderr, "tcpfsm: %s: write error: %s\n", L->o.svg,
                strerror(errno));
        rc = TCPFSM_EXIT_IOERR;
    }
    return rc;
}

/* ------------------------------------------------------------------ */
/* Buffering the selected connections                                   */
/* ------------------------------------------------------------------ */

static void lconn_free(ladder *L, lconn *c)
{
    g_array_free(c->items, TRUE);
    tcpfsm_flowtab_delete(&L->conns, c, tcpfsm_u64_hash(c->conn_id));
}

static bool same_end(const tcpfsm_addr *a, uint16_t pa, const tcpfsm_addr *b,
                     uint16_t pb)
{
    return pa == pb && a->family == b->family &&
           !memcmp(a->bytes, b->bytes, a->family == 4 ? 4 : 16);
}

static bool selected(const ladder *L, const tcpfsm_segment *seg,
                     const tcpfsm_label *lab)
{
    const opts *o = &L->o;
    if (o->has_stream) {
        int64_t s = seg->stream >= 0 ? seg->stream : (int64_t)lab->conn_id - 1;
        return s == o->stream;
    }
    if (o->has_conn) {
        bool fwd = same_end(&seg->src, seg->sport, &o->conn_a, o->port_a) &&
                   same_end(&seg->dst, seg->dport, &o->conn_b, o->port_b);
        bool rev = same_end(&seg->src, seg->sport, &o->conn_b, o->port_b) &&
                   same_end(&seg->dst, seg->dport, &o->conn_a, o->port_a);
        return fwd || rev;
    }
    return true;
}

static void merge_fold(item *f, const item *it)
{
    f->n_seg++;
    if (it->len)
        f->n_data++, f->bytes += it->len;
    else
        f->n_ack++;
    f->frame_last = it->frame;
    f->time_last = it->time;
}

static void fold_from(item *f, const item *first)
{
    *f = *first;
    f->kind = K_FOLD;
    f->n_seg = f->n_data = f->n_ack = f->bytes = 0;
    f->title[0] = '\0';
    merge_fold(f, first);
}

static void add_segment(ladder *L, const tcpfsm_segment *seg,
                        const tcpfsm_label *lab)
{
    lconn *c = tcpfsm_flowtab_find_u64(&L->conns, lab->conn_id);
    if (!c) {
        if (!selected(L, seg, lab))
            return;
        c = tcpfsm_flowtab_add_new(&L->conns, &lab->conn_id,
                                   tcpfsm_u64_hash(lab->conn_id));
        if (!c)
            g_error("out of memory"); /* as g_new0 did */
        /* what the head shows before the summary is known (--follow) */
        bool cl = lab->role == TCPFSM_ROLE_CLIENT;
        c->sum.stream = seg->stream;
        c->sum.conn_id = lab->conn_id;
        c->sum.client_addr = cl ? seg->src : seg->dst;
        c->sum.client_port = cl ? seg->sport : seg->dport;
        c->sum.server_addr = cl ? seg->dst : seg->src;
        c->sum.server_port = cl ? seg->dport : seg->sport;
        c->items = g_array_new(FALSE, TRUE, sizeof(item));
    }
    bool client = lab->role == TCPFSM_ROLE_CLIENT;
    tcpfsm_state cl_prev = client ? lab->src_prev : lab->dst_prev;
    tcpfsm_state sv_prev = client ? lab->dst_prev : lab->src_prev;
    item it = {0};
    it.kind = K_SEG;
    it.dir = client ? 0 : 1;
    it.flags = seg->flags;
    it.event = lab->event;
    it.ack_ok = lab->ack_ok;
    it.anomalies = lab->anomalies;
    it.seq_rel = lab->seq_rel;
    it.ack_rel = lab->ack_rel;
    it.has_ack = lab->has_ack_rel;
    it.len = seg->len;
    it.cl = client ? lab->src_state : lab->dst_state;
    it.sv = client ? lab->dst_state : lab->src_state;
    it.frame = it.frame_last = seg->frame;
    it.time = it.time_last = seg->time;
    it.has_time = seg->has_time;
    tcpfsm_step_title(lab, L->o.lang, it.title, sizeof it.title);
    tcpfsm_check_text(lab, L->o.lang, it.check, sizeof it.check);
    if (c->n_segments++ == 0) {
        c->cl0 = c->cl_last = cl_prev;
        c->sv0 = c->sv_last = sv_prev;
    }
    it.cl_changed = it.cl != c->cl_last;
    it.sv_changed = it.sv != c->sv_last;
    c->cl_last = it.cl;
    c->sv_last = it.sv;
    it.foldable = !L->o.all &&
                  (it.event == TCPFSM_EV_DATA || it.event == TCPFSM_EV_ACK) &&
                  !it.anomalies && !it.cl_changed && !it.sv_changed &&
                  it.ack_ok != 0;

    item *tail = c->items->len
                     ? &g_array_index(c->items, item, c->items->len - 1)
                     : NULL;
    if (L->o.follow) {
        /* drawn at once, kept for nothing */
        cols k;
        if (!c->has_t0 && it.has_time) {
            c->t0 = it.time;
            c->has_t0 = true;
        }
        measure_fixed(L, &k, c->t0, c->has_t0);
        if (!c->head_drawn) {
            draw_head(L, c, &k);
            c->head_drawn = true;
            L->drawn++;
        } else if (L->last_conn != c->conn_id) {
            char name[64];
            GString *g = g_string_new(NULL);
            cell(L, g, conn_name(L, c, name, sizeof name), 0, LEFT, C_BOLD);
            emit_line(L, g);
            g_string_free(g, TRUE);
        }
        L->last_conn = c->conn_id;
        draw_item(L, &k, &it);
        return;
    }
    if (it.foldable && tail && tail->kind == K_FOLD) {
        merge_fold(tail, &it);
    } else if (it.foldable && tail && tail->kind == K_SEG && tail->foldable) {
        /* a second plain segment in a row: the run becomes a fold */
        item f;
        fold_from(&f, tail);
        merge_fold(&f, &it);
        *tail = f;
    } else {
        g_array_append_val(c->items, it);
    }
}

static void on_summary(const tcpfsm_summary *s, void *user)
{
    ladder *L = user;
    lconn *c = tcpfsm_flowtab_find_u64(&L->conns, s->conn_id);
    if (!c)
        return;
    c->sum = *s;
    c->released = true;
    g_ptr_array_add(L->pending, c);
}

/* Draws the connections the engine released, and forgets them. */
static void flush(ladder *L)
{
    for (guint i = 0; i < L->pending->len; i++) {
        lconn *c = g_ptr_array_index(L->pending, i);
        if (L->o.follow) {
            draw_tail(L, c); /* its rows are out */
            L->last_conn = 0;
        } else if (L->o.svg) {
            draw_svg(L, c);
        } else {
            draw_text(L, c);
        }
        if (!L->o.follow)
            L->drawn++;
        lconn_free(L, c);
    }
    g_ptr_array_set_size(L->pending, 0);
}

/* ------------------------------------------------------------------ */
/* Command line                                                         */
/* ------------------------------------------------------------------ */

/* "10.0.0.1:80" or "[::1]:80"; *end past it */
static bool parse_endpoint(const char *s, const char **end, tcpfsm_addr *a,
                           uint16_t *port)
{
    char host[64];
    const char *p;
    if (*s == '[') {
        p = strchr(s, ']');
        if (!p || p[1] != ':' || (size_t)(p - s - 1) >= sizeof host)
            return false;
        memcpy(host, s + 1, (size_t)(p - s - 1));
        host[p - s - 1] = '\0';
        p += 2;
    } else {
        p = strchr(s, ':');
        if (!p || (size_t)(p - s) >= sizeof host)
            return false;
        memcpy(host, s, (size_t)(p - s));
        host[p - s] = '\0';
        p++;
    }
    if (!tcpfsm_addr_parse(host, a) || (*s != '[' && a->family != 4))
        return false;
    char *e;
    errno = 0;
    unsigned long v = strtoul(p, &e, 10);
    if (e == p || errno || v > 65535 || *p == '-' || *p == '+')
        return false;
    *port = (uint16_t)v;
    *end = e;
    return true;
}

static bool parse_conn(const char *s, opts *o)
{
    const char *p;
    if (!parse_endpoint(s, &p, &o->conn_a, &o->port_a) || *p != '-')
        return false;
    if (!parse_endpoint(p + 1, &p, &o->conn_b, &o->port_b) || *p)
        return false;
    return true;
}

static int usage_error(const char *fmt, const char *arg)
{
    fputs("tcpfsm: ladder: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (try tcpfsm ladder --help)\n", stderr);
    return TCPFSM_EXIT_USAGE;
}

/* input_run_engine's hooks for one ladder run */
typedef struct ladder_run {
    ladder *L;
    const opts *o;
    const char *path;
} ladder_run;

static void ladder_row(void *user, const tcpfsm_segment *seg, const tcpfsm_label *lab)
{
    ladder_run *run = user;
    if (!seg)
        return;
    /* the engine may release connections (even this one) while it
     * labels: they are drawn once this segment is in its place */
    if (lab)
        add_segment(run->L, seg, lab);
    flush(run->L);
}

static void ladder_stopping(void *user)
{
    ladder_run *run = user;
    if (live_stopped())
        fprintf(stderr, "\ntcpfsm: %s: stopped (signal %d)\n",
                run->o->iface ? run->o->iface : run->path ? run->path : "-",
                live_stopped());
}

static void ladder_finished(void *user)
{
    flush(((ladder_run *)user)->L);
}

int ladder_main(int argc, char **argv)
{
    ladder L = {0};
    opts *o = &L.o;
    o->tshark = getenv("TCPFSM_TSHARK") ? getenv("TCPFSM_TSHARK") : "tshark";
    static const struct option longopts[] = {
        {"stream", required_argument, NULL, 's'},
        {"conn", required_argument, NULL, 'c'},
        {"all", no_argument, NULL, 'a'},
        {"svg", required_argument, NULL, 'g'},
        {"time-scale", no_argument, NULL, 't'},
        {"lang", required_argument, NULL, 'L'},
        {"output", required_argument, NULL, 'o'},
        {"strict", no_argument, NULL, 'S'},
        {"tshark", required_argument, NULL, 'T'},
        {"via-tshark", no_argument, NULL, 'V'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"width", required_argument, NULL, 'w'},
        {"follow", no_argument, NULL, 'F'},
        {"interface", required_argument, NULL, 'i'},
        {"capture-filter", required_argument, NULL, 'f'},
        {"line-buffered", no_argument, NULL, 'B'},
        {NULL, 0, NULL, 0},
    };
    o->width = -1;
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:hqi:f:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'w': {
            char *e;
            errno = 0;
            long v = strtol(optarg, &e, 10);
            if (e == optarg || *e || errno || v < 0 || v > 100000)
                return usage_error("--width: not a number of columns: '%s' (0 = no limit)",
                                   optarg);
            o->width = (int)v;
            break;
        }
        case 'F':
            o->follow = true;
            break;
        case 'i':
            o->iface = optarg;
            break;
        case 'f':
            o->filter = optarg;
            break;
        case 'B':
            o->line_buffered = true;
            break;
        case 's': {
            char *e;
            errno = 0;
            long long v = strtoll(optarg, &e, 10);
            if (e == optarg || *e || errno || v < 0)
                return usage_error("--stream: not a stream number: '%s'", optarg);
            o->has_stream = true;
            o->stream = v;
            break;
        }
        case 'c':
            if (!parse_conn(optarg, o))
                return usage_error("--conn: not ADDR:PORT-ADDR:PORT: '%s'", optarg);
            o->has_conn = true;
            break;
        case 'a':
            o->all = true;
            break;
        case 'g':
            o->svg = optarg;
            break;
        case 't':
            o->time_scale = true;
            break;
        case 'L':
            if (!tcpfsm_lang_parse(optarg, &o->lang))
                return usage_error("--lang: unknown language '%s' (en, zh)", optarg);
            break;
        case 'o':
            o->output = optarg;
            break;
        case 'S':
            o->strict = true;
            break;
        case 'T':
            o->tshark = optarg;
            break;
        case 'V':
            o->via_tshark = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        case 'h':
            fputs(ladder_usage, stdout);
            return TCPFSM_EXIT_OK;
        default:
            return TCPFSM_EXIT_USAGE;
        }
    }
    if (o->has_stream && o->has_conn)
        return usage_error("%s", "--stream and --conn select in two ways: give one");
    if (o->time_scale && !o->svg)
        return usage_error("%s", "--time-scale places the arrows of --svg: give --svg FILE");
    if (o->svg && o->output)
        return usage_error("%s", "--output is for the text diagram; --svg names its own file");
    if (argc - optind > 1) {
        fprintf(stderr, "tcpfsm: ladder: one INPUT at most (got %d)\n",
                argc - optind);
        return TCPFSM_EXIT_USAGE;
    }
    const char *path = optind < argc ? argv[optind] : NULL;
    if (o->filter && !o->iface)
        return usage_error("%s", "a capture filter needs -i IFACE");
    if (o->iface && path)
        return usage_error("-i %s captures live: give no INPUT", o->iface);
    if (o->iface)
        o->follow = true; /* a live capture is drawn as it comes */
    if (o->follow && o->svg)
        return usage_error("%s", "--follow draws text as it comes; --svg draws a file at the end");
    if (o->follow)
        o->all = true; /* nothing is folded: a row cannot wait for the next */

    L.out = stdout;
    if (o->output && !(L.out = fopen(o->output, "w"))) {
        fprintf(stderr, "tcpfsm: %s: %s\n", o->output, strerror(errno));
        return TCPFSM_EXIT_IOERR;
    }
    if (o->svg) {
        L.svg_fp = strcmp(o->svg, "-") ? fopen(o->svg, "w") : stdout;
        if (!L.svg_fp) {
            fprintf(stderr, "tcpfsm: %s: %s\n", o->svg, strerror(errno));
            return TCPFSM_EXIT_IOERR;
        }
    }
    /* the width: --width, else the terminal's, else $COLUMNS, else none */
    L.width = o->width > 0 ? o->width : 0;
    if (o->width < 0 && !o->output) {
        struct winsize ws;
        const char *cols_env = getenv("COLUMNS");
        if (isatty(fileno(stdout)) && ioctl(fileno(stdout), TIOCGWINSZ, &ws) == 0 &&
            ws.ws_col > 0)
            L.width = ws.ws_col;
        else if (cols_env && atoi(cols_env) > 0)
            L.width = atoi(cols_env);
    }
    if (o->line_buffered)
        setvbuf(L.out, NULL, _IOLBF, 0);
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    L.color = !o->svg && !o->output && isatty(fileno(stdout)) &&
              !(nc && *nc) && !(term && !strcmp(term, "dumb"));

    input in;
    input_opts io = {.tshark = o->tshark, .strict = o->strict,
                     .via_tshark = o->via_tshark, .quiet = o->quiet,
                     .flush_idle = o->svg ? NULL : L.out,
                     .live = o->iface != NULL, .live_filter = o->filter,
                     .follow = o->follow && !o->iface};
    int rc = input_open(&in, o->iface ? o->iface : path, &io);
    if (rc) {
        if (o->output)
            fclose(L.out);
        if (L.svg_fp && L.svg_fp != stdout) {
            fclose(L.svg_fp);
            unlink(o->svg); /* no empty, invalid SVG left behind */
        }
        return rc;
    }
    tcpfsm_flowtab_init_owner(&L.conns, offsetof(lconn, conn_id),
                              sizeof(uint64_t), sizeof(lconn));
    L.pending = g_ptr_array_new();
    if (o->svg)
        L.svg = g_string_new(NULL);
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = on_summary;
    cfg.user = &L;
    cfg.lang = o->lang;
    ladder_run run = {&L, o, path};
    int status = input_run_engine(&in, &cfg, ladder_row, ladder_stopping,
                                  ladder_finished, &run, NULL);

    if (status == TCPFSM_EXIT_OK && L.drawn == 0) {
        if (o->has_stream)
            fprintf(stderr, "tcpfsm: ladder: no connection with stream %" PRId64
                    " in %s\n", o->stream, path ? path : "-");
        else if (o->has_conn)
            fprintf(stderr, "tcpfsm: ladder: no connection between these "
                    "endpoints in %s\n", path ? path : "-");
        else
            fprintf(stderr, "tcpfsm: ladder: no TCP connection in %s\n",
                    path ? path : "-");
        status = TCPFSM_EXIT_NOMATCH;
    }
    if (o->svg) {
        int wr = write_svg(&L);
        if (wr && (status == TCPFSM_EXIT_OK || status == TCPFSM_EXIT_NOMATCH))
            status = wr;
    }
    if (fflush(L.out) != 0 || ferror(L.out)) {
        fprintf(stderr, "tcpfsm: write error: %s\n", strerror(errno));
        status = TCPFSM_EXIT_IOERR;
    }
    if (o->output && fclose(L.out) != 0 && status == TCPFSM_EXIT_OK) {
        fprintf(stderr, "tcpfsm: %s: %s\n", o->output, strerror(errno));
        status = TCPFSM_EXIT_IOERR;
    }
    if (L.svg)
        g_string_free(L.svg, TRUE);
    g_ptr_array_free(L.pending, TRUE);
    void *rest;
    for (size_t i = 0; (rest = tcpfsm_flowtab_next(&L.conns, &i));)
        g_array_free(((lconn *)rest)->items, TRUE);
    tcpfsm_flowtab_free(&L.conns);
    return input_report(&in, status);
}
