/* diagram.c - `tcpfsm diagram`: RFC 9293's TCP state diagram (its Figure
 * 5, the one every tutorial reproduces) with the path each endpoint of
 * one connection took drawn on it.
 *
 * No TCP rule here: the moves are the engine's labels (src_prev/src_state
 * for the sender, dst_prev/dst_state for the receiver), and the diagram's
 * edges and every word are the engine's (tcpfsm_rfc_edges(), engine/lang.c).
 * A move is drawn on the edge of the figure that has its two states; a move the
 * figure has no edge for (a reset, which RFC 9293 describes in its text,
 * not in the figure; a merged close's FIN_WAIT_1 -> TIME_WAIT) is drawn
 * as an extra dashed edge, and said so.
 *
 * SVG (--svg FILE): the states where the figure has them, the client's
 * edges in blue and the server's in orange, each marked with the frames
 * that caused it, the edges never taken in grey.  Text (default): the
 * path of each endpoint, then every edge of the figure with who took it
 * and at which frame.
 */
#include "diagram.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "input.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h"

/* ---- RFC 9293 Figure 5: the engine's table ---- */

static const tcpfsm_rfc_edge *edges;
static size_t NEDGES; /* the figure's edges, first in the table */

/* where the figure puts each state (SVG); CLOSED is drawn twice, at the
 * top (where connections start) and at the bottom (where they end) */
typedef struct pos {
    double x, y;
} pos;
static const pos at[TCPFSM_STATE_MAX] = {
    [TCPFSM_UNKNOWN] = {90, 60},
    [TCPFSM_CLOSED] = {430, 60},
    [TCPFSM_LISTEN] = {430, 170},
    [TCPFSM_SYN_RECEIVED] = {170, 280},
    [TCPFSM_SYN_SENT] = {690, 280},
    [TCPFSM_ESTABLISHED] = {430, 390},
    [TCPFSM_FIN_WAIT_1] = {170, 500},
    [TCPFSM_CLOSE_WAIT] = {690, 500},
    [TCPFSM_FIN_WAIT_2] = {170, 640},
    [TCPFSM_CLOSING] = {430, 610},
    [TCPFSM_LAST_ACK] = {690, 640},
    [TCPFSM_TIME_WAIT] = {430, 740},
};
static const pos closed_end = {690, 800};

static const char *const role_colour[] = {"#1f6fd1", "#e8590c"}; /* client, server */

/* ---- the moves ---- */

typedef struct move {
    int role;                 /* 0 client, 1 server */
    tcpfsm_state from, to;
    uint64_t frame;
    bool rst;                 /* made by a reset */
    bool extra;               /* not on a figure edge: a reset (the figure
                                 has no RST edges), or no such edge */
} move;

typedef struct diag {
    bool has_stream;
    int64_t stream;
    const char *svg;
    const char *output;
    tcpfsm_lang lang;
    FILE *out;
    bool color;
    /* the connection */
    uint64_t conn_id;         /* 0: not chosen yet */
    GArray *moves;
    tcpfsm_state start[2];
    bool have_start;
    tcpfsm_summary sum;
    bool have_sum;
} diag;

static const char *st(const diag *D, tcpfsm_state s)
{
    return tcpfsm_state_text(s, D->lang);
}

static const char *role_word(const diag *D, int role)
{
    return tcpfsm_role_text(role ? TCPFSM_ROLE_SERVER : TCPFSM_ROLE_CLIENT, D->lang);
}

static void on_summary(const tcpfsm_summary *s, void *user)
{
    diag *D = user;
    if (D->conn_id && s->conn_id == D->conn_id) {
        D->sum = *s;
        D->have_sum = true;
    }
}

static void add_label(diag *D, const tcpfsm_segment *seg, const tcpfsm_label *lab)
{
    if (!D->conn_id) {
        /* --stream N: tcp.stream N, or without that column the Nth
         * connection (from 0), as ladder --stream */
        bool pick = !D->has_stream ||
                    (seg->stream >= 0 ? seg->stream == D->stream
                                      : (int64_t)lab->conn_id - 1 == D->stream);
        if (!pick)
            return;
        D->conn_id = lab->conn_id;
    }
    if (lab->conn_id != D->conn_id)
        return;
    int sender = lab->role == TCPFSM_ROLE_SERVER ? 1 : 0;
    if (!D->have_start) {
        D->start[sender] = lab->src_prev;
        D->start[!sender] = lab->dst_prev;
        D->have_start = true;
    }
    move m = {.frame = seg->frame};
    bool rst = lab->event == TCPFSM_EV_RST;
    m.rst = rst;
    if (lab->src_prev != lab->src_state) {
        m.role = sender;
        m.from = lab->src_prev;
        m.to = lab->src_state;
        m.extra = rst || !tcpfsm_rfc_is_edge(m.from, m.to);
        g_array_append_val(D->moves, m);
    }
    if (lab->dst_prev != lab->dst_state) {
        m.role = !sender;
        m.from = lab->dst_prev;
        m.to = lab->dst_state;
        m.extra = rst || !tcpfsm_rfc_is_edge(m.from, m.to);
        g_array_append_val(D->moves, m);
    }
}

/* input_run_engine's row callback: the labelled segments */
static void diagram_row(void *user, const tcpfsm_segment *seg, const tcpfsm_label *lab)
{
    if (seg && lab)
        add_label(user, seg, lab);
}

/* "1, 9" : the frames of role's moves along from -> to */
static char *frames_of(const diag *D, int role, tcpfsm_state from, tcpfsm_state to,
                       bool extra)
{
    GString *g = g_string_new(NULL);
    for (guint i = 0; i < D->moves->len; i++) {
        const move *m = &g_array_index(D->moves, move, i);
        if (m->role == role && m->from == from && m->to == to && m->extra == extra)
            g_string_append_printf(g, "%s%" PRIu64, g->len ? ", " : "", m->frame);
    }
    return g_string_free(g, FALSE);
}

/* ---- words: the engine's (engine/lang.c) ---- */

#define T(D, w) tcpfsm_word((D)->lang, TCPFSM_W_##w)

static const char *frame_words(const diag *D, const char *list, char *buf, size_t n)
{
    snprintf(buf, n, strchr(list, ',') ? T(D, DIAG_FRAMES) : T(D, DIAG_FRAME), list);
    return buf;
}

/* ---- text ---- */

#define C_RESET "\033[0m"
#define C_DIM "\033[2m"
#define C_BOLD "\033[1m"
static const char *const role_ansi[] = {"\033[34m", "\033[33m"};

static void header(const diag *D, GString *g)
{
    char ca[80], sa[80];
    tcpfsm_endpoint_str(&D->sum.client_addr, D->sum.client_port, ca, sizeof ca);
    tcpfsm_endpoint_str(&D->sum.server_addr, D->sum.server_port, sa, sizeof sa);
    char who[256];
    snprintf(who, sizeof who, T(D, DIAG_ENDPOINTS), role_word(D, 0), ca, role_word(D, 1), sa);
    if (D->sum.stream >= 0) {
        char stream[64];
        snprintf(stream, sizeof stream, T(D, STREAM), D->sum.stream);
        g_string_append_printf(g, T(D, DIAG_PATH), stream, who);
    } else {
        g_string_append(g, who);
    }
}

static void draw_text(diag *D)
{
    FILE *o = D->out;
    GString *g = g_string_new(NULL);
    header(D, g);
    fprintf(o, "%s%s%s\n%s\n\n", D->color ? C_BOLD : "", g->str, D->color ? C_RESET : "",
            T(D, DIAG_TITLE));
    for (int role = 0; role < 2; role++) {
        g_string_assign(g, st(D, D->start[role]));
        tcpfsm_state at_ = D->start[role];
        for (guint i = 0; i < D->moves->len; i++) {
            const move *m = &g_array_index(D->moves, move, i);
            if (m->role != role)
                continue;
            /* a later segment showed where the endpoint really was (a
             * simultaneous close's crossing FIN): the path goes on from
             * there */
            if (m->from != at_)
                g_string_append_printf(g, T(D, DIAG_IN_FACT), st(D, m->from));
            g_string_append_printf(g, " → %s (%s %" PRIu64 ")", st(D, m->to),
                                   T(D, FRAME), m->frame);
            at_ = m->to;
        }
        fprintf(o, "%s", D->color ? role_ansi[role] : "");
        fprintf(o, T(D, DIAG_PATH), role_word(D, role), g->str);
        fprintf(o, "%s\n", D->color ? C_RESET : "");
    }
    fprintf(o, "\n%s\n", T(D, DIAG_EDGES));
    int w1 = 0;
    for (size_t i = 0; i < NEDGES; i++) {
        int w = (int)g_utf8_strlen(tcpfsm_state_name(edges[i].from), -1) +
                (int)g_utf8_strlen(tcpfsm_state_name(edges[i].to), -1) + 3;
        if (w > w1)
            w1 = w;
    }
    for (size_t i = 0; i < NEDGES; i++) {
        const tcpfsm_rfc_edge *e = &edges[i];
        char *fr[2] = {frames_of(D, 0, e->from, e->to, false), frames_of(D, 1, e->from, e->to, false)};
        bool taken = *fr[0] || *fr[1];
        char mark[3] = {*fr[0] ? 'C' : ' ', *fr[1] ? 'S' : ' ', 0};
        g_string_printf(g, "%s → %s", tcpfsm_state_name(e->from), tcpfsm_state_name(e->to));
        int pad = w1 - (int)g_utf8_strlen(g->str, -1);
        fprintf(o, "%s  [%s] %s%*s  %-36s", taken || !D->color ? "" : C_DIM, mark, g->str,
                pad > 0 ? pad : 0, "", tcpfsm_word(D->lang, e->event));
        if (!taken)
            fprintf(o, "%s", T(D, DIAG_NOT_TAKEN));
        for (int role = 0; role < 2; role++) {
            if (!*fr[role])
                continue;
            char fw[160];
            fprintf(o, "%s%s%s %s%s", role && *fr[0] ? "; " : "",
                    D->color ? role_ansi[role] : "", role_word(D, role),
                    frame_words(D, fr[role], fw, sizeof fw), D->color ? C_RESET : "");
        }
        fprintf(o, "%s\n", taken || !D->color ? "" : C_RESET);
        g_free(fr[0]);
        g_free(fr[1]);
    }
    /* moves the figure has no edge for */
    bool any = false;
    for (guint i = 0; i < D->moves->len; i++) {
        const move *m = &g_array_index(D->moves, move, i);
        if (!m->extra)
            continue;
        if (!any)
            fprintf(o, "\n%s\n", T(D, DIAG_EXTRA));
        any = true;
        fprintf(o, "  %s%s %s → %s, %s %" PRIu64 "%s\n", D->color ? role_ansi[m->role] : "",
                role_word(D, m->role), tcpfsm_state_name(m->from), tcpfsm_state_name(m->to),
                T(D, FRAME), m->frame, D->color ? C_RESET : "");
    }
    g_string_free(g, TRUE);
}

/* the event of a move the figure has no edge for: "RST" when a reset
 * made it, else what RFC 9293's text names (the engine's text edges) */
static const char *extra_event(const diag *D, tcpfsm_state from, tcpfsm_state to)
{
    for (guint i = 0; i < D->moves->len; i++) {
        const move *m = &g_array_index(D->moves, move, i);
        if (m->extra && m->from == from && m->to == to && m->rst)
            return tcpfsm_flow_word_text(TCPFSM_FW_RST);
    }
    const tcpfsm_rfc_edge *e = tcpfsm_rfc_edge_find(from, to);
    return e && !e->in_figure ? tcpfsm_word(D->lang, e->event) : NULL;
}

/* ---- SVG ---- */

static void esc(GString *g, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': g_string_append(g, "&amp;"); break;
        case '<': g_string_append(g, "&lt;"); break;
        case '>': g_string_append(g, "&gt;"); break;
        case '"': g_string_append(g, "&quot;"); break;
        default: g_string_append_c(g, *s);
        }
    }
}

#define BOX_W 150.0
#define BOX_H 34.0

static pos node(tcpfsm_state s, bool end)
{
    return s == TCPFSM_CLOSED && end ? closed_end : at[s];
}

/* the point where the segment from a's centre toward b leaves a's box */
static pos border(pos a, pos b)
{
    double dx = b.x - a.x, dy = b.y - a.y;
    double tx = dx ? (BOX_W / 2 + 4) / fabs(dx) : 1e9;
    double ty = dy ? (BOX_H / 2 + 4) / fabs(dy) : 1e9;
    double t = tx < ty ? tx : ty;
    if (t > 1)
        t = 1;
    return (pos){a.x + dx * t, a.y + dy * t};
}

/* an edge as a quadratic curve bent by `bend` (pixels, to one side);
 * returns the curve's midpoint for its labels */
static pos curve(GString *g, pos a, pos b, double bend, const char *attrs)
{
    double mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
    double dx = b.x - a.x, dy = b.y - a.y, len = sqrt(dx * dx + dy * dy);
    double nx = len ? -dy / len : 0, ny = len ? dx / len : 0;
    pos c = {mx + nx * bend * 2, my + ny * bend * 2};
    pos p0 = border(a, c), p1 = border(b, c);
    g_string_append_printf(g, "<path d=\"M%.1f,%.1f Q%.1f,%.1f %.1f,%.1f\" fill=\"none\" %s/>\n",
                           p0.x, p0.y, c.x, c.y, p1.x, p1.y, attrs);
    return (pos){(p0.x + 2 * c.x + p1.x) / 4, (p0.y + 2 * c.y + p1.y) / 4};
}

static void text_at(GString *g, double x, double y, const char *attrs, const char *s)
{
    g_string_append_printf(g, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    esc(g, s);
    g_string_append(g, "</text>\n");
}

/* the bend that keeps an edge apart from its reverse and from the box it
 * would cross */
static double bend_of(tcpfsm_state from, tcpfsm_state to)
{
    if (from == TCPFSM_CLOSED && to == TCPFSM_SYN_SENT)
        return -18;
    if (from == TCPFSM_SYN_SENT && to == TCPFSM_CLOSED)
        return 55;
    if (tcpfsm_rfc_is_edge(to, from))
        return 22;
    if ((from == TCPFSM_LISTEN && to == TCPFSM_SYN_SENT))
        return -10;
    if (from == TCPFSM_TIME_WAIT && to == TCPFSM_CLOSED)
        return 0;
    if (from == TCPFSM_FIN_WAIT_1 && to == TCPFSM_TIME_WAIT)
        return -20;
    if (from == TCPFSM_SYN_RECEIVED && to == TCPFSM_FIN_WAIT_1)
        return 0;
    return 8;
}

static bool to_end(tcpfsm_state from, tcpfsm_state to)
{
    /* edges into CLOSED from below LISTEN end at the bottom CLOSED */
    return to == TCPFSM_CLOSED && from != TCPFSM_LISTEN && from != TCPFSM_SYN_SENT &&
           from != TCPFSM_SYN_RECEIVED && from != TCPFSM_UNKNOWN;
}

static void edge_svg(const diag *D, GString *g, tcpfsm_state from, tcpfsm_state to,
                     const char *event, bool in_figure)
{
    pos a = node(from, false), b = node(to, to_end(from, to));
    char *fr[2] = {frames_of(D, 0, from, to, !in_figure), frames_of(D, 1, from, to, !in_figure)};
    bool taken = *fr[0] || *fr[1];
    double bend = bend_of(from, to);
    g_string_append_printf(g, "<g class=\"edge %s%s\" data-from=\"%s\" data-to=\"%s\"",
                           taken ? "taken" : "untaken", in_figure ? "" : " extra",
                           tcpfsm_state_name(from), tcpfsm_state_name(to));
    for (int role = 0; role < 2; role++)
        if (*fr[role])
            g_string_append_printf(g, " data-%s=\"%s\"", role ? "server" : "client", fr[role]);
    g_string_append(g, ">\n");
    pos mid;
    const char *dash = in_figure ? "" : " stroke-dasharray=\"6,4\"";
    if (!taken) {
        char attrs[160];
        snprintf(attrs, sizeof attrs, "stroke=\"#c4c4c4\" stroke-width=\"1.2\" marker-end=\"url(#ah-grey)\"%s",
                 dash);
        mid = curve(g, a, b, bend, attrs);
    } else {
        /* each role its own line, side by side when both took it */
        int n = (*fr[0] ? 1 : 0) + (*fr[1] ? 1 : 0), k = 0;
        mid = (pos){0, 0};
        for (int role = 0; role < 2; role++) {
            if (!*fr[role])
                continue;
            char attrs[200];
            snprintf(attrs, sizeof attrs,
                     "stroke=\"%s\" stroke-width=\"3\" marker-end=\"url(#ah-%s)\"%s",
                     role_colour[role], role ? "server" : "client", dash);
            double off = n == 2 ? (k ? 4.0 : -4.0) : 0;
            pos m = curve(g, a, b, bend + off, attrs);
            mid.x += m.x / n;
            mid.y += m.y / n;
            k++;
        }
    }
    /* the event of the figure, and who took the edge at which frame: on
     * the outer side of a bent edge, left of a dashed one */
    double dx = b.x - a.x, dy = b.y - a.y, len = sqrt(dx * dx + dy * dy);
    double side = len ? -dy / len * bend : 0;
    const char *anchor = "middle";
    double tx = mid.x;
    if (!in_figure || side < -15) {
        anchor = "end";
        tx -= 8;
    } else if (side > 15) {
        anchor = "start";
        tx += 8;
    }
    double ty = mid.y - 4;
    char eattrs[160];
    snprintf(eattrs, sizeof eattrs, "class=\"event\" font-size=\"10\" fill=\"%s\" text-anchor=\"%s\"",
             taken ? "#555" : "#aaa", anchor);
    if (event)
        text_at(g, tx, ty, eattrs, event);
    for (int role = 0; role < 2; role++) {
        if (!*fr[role])
            continue;
        char fw[160], line[240], attrs[160];
        snprintf(line, sizeof line, "%s %s", role_word(D, role), frame_words(D, fr[role], fw, sizeof fw));
        snprintf(attrs, sizeof attrs,
                 "class=\"frames %s\" font-size=\"11\" font-weight=\"bold\" fill=\"%s\" text-anchor=\"%s\"",
                 role ? "server" : "client", role_colour[role], anchor);
        ty += 13;
        text_at(g, tx, ty, attrs, line);
    }
    g_string_append(g, "</g>\n");
    g_free(fr[0]);
    g_free(fr[1]);
}

static void state_box(const diag *D, GString *g, tcpfsm_state s, pos p)
{
    /* filled in a role's colour where that endpoint ended, outlined where
     * it started */
    tcpfsm_state endst[2] = {D->have_sum ? D->sum.client_state : TCPFSM_UNKNOWN,
                             D->have_sum ? D->sum.server_state : TCPFSM_UNKNOWN};
    bool visited = false;
    for (guint i = 0; i < D->moves->len; i++) {
        const move *m = &g_array_index(D->moves, move, i);
        if (m->from == s || m->to == s)
            visited = true;
    }
    if (D->start[0] == s || D->start[1] == s)
        visited = true;
    g_string_append_printf(g, "<g class=\"state\" data-state=\"%s\">\n", tcpfsm_state_name(s));
    g_string_append_printf(g, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.0f\" height=\"%.0f\" rx=\"8\" "
                           "fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
                           p.x - BOX_W / 2, p.y - BOX_H / 2, BOX_W, BOX_H,
                           visited ? "#ffffff" : "#f4f4f4", visited ? "#333" : "#bbb",
                           visited ? "1.6" : "1");
    const char *gl = tcpfsm_state_gloss(s, D->lang);
    text_at(g, p.x, p.y + (gl && *gl ? -2 : 4),
            visited ? "font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#222\""
                    : "font-size=\"13\" text-anchor=\"middle\" fill=\"#999\"",
            tcpfsm_state_name(s));
    if (gl && *gl)
        text_at(g, p.x, p.y + 12, "font-size=\"10\" text-anchor=\"middle\" fill=\"#666\"", gl);
    /* start and end marks beside the box */
    for (int role = 0; role < 2; role++) {
        char buf[120];
        bool start = D->start[role] == s && !(s == TCPFSM_CLOSED && p.y > 700);
        bool end = endst[role] == s && (s != TCPFSM_CLOSED || p.y > 700 ||
                                        D->start[role] == TCPFSM_CLOSED) &&
                   !(s == TCPFSM_CLOSED && p.y < 100 && D->moves->len);
        if (!start && !end)
            continue;
        snprintf(buf, sizeof buf, "%s %s", role_word(D, role),
                 start && end ? "" : start ? T(D, DIAG_START) : T(D, DIAG_END));
        char attrs[160];
        snprintf(attrs, sizeof attrs, "class=\"mark %s\" font-size=\"11\" fill=\"%s\"%s",
                 role ? "server" : "client", role_colour[role],
                 p.x <= 430 ? " text-anchor=\"end\"" : "");
        double x = p.x <= 430 ? p.x - BOX_W / 2 - 6 : p.x + BOX_W / 2 + 6;
        text_at(g, x, p.y - 4 + role * 13, attrs, buf);
    }
    g_string_append(g, "</g>\n");
}

static int write_svg(diag *D)
{
    GString *g = g_string_new(NULL);
    double W = 900, H = 930;
    g_string_append_printf(g, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                           "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                           "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Noto Sans CJK SC, sans-serif\">\n",
                           W, H, W, H);
    g_string_append(g, "<defs>\n");
    const char *heads[][2] = {{"grey", "#c4c4c4"}, {"client", role_colour[0]}, {"server", role_colour[1]}};
    for (int i = 0; i < 3; i++)
        g_string_append_printf(g, "<marker id=\"ah-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
                               "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                               "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
                               heads[i][0], heads[i][1]);
    g_string_append(g, "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    GString *h = g_string_new(NULL);
    header(D, h);
    text_at(g, 20, 24, "font-size=\"15\" font-weight=\"bold\"", h->str);
    text_at(g, 20, 42, "font-size=\"12\" fill=\"#555\"", T(D, DIAG_TITLE));
    g_string_free(h, TRUE);
    /* grey edges first, the taken ones over them */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < NEDGES; i++) {
            char *a = frames_of(D, 0, edges[i].from, edges[i].to, false);
            char *b = frames_of(D, 1, edges[i].from, edges[i].to, false);
            bool taken = *a || *b;
            g_free(a);
            g_free(b);
            if (taken == (pass == 1))
                edge_svg(D, g, edges[i].from, edges[i].to, tcpfsm_word(D->lang, edges[i].event), true);
        }
    }
    /* moves the figure has no edge for, once per pair of states */
    for (guint i = 0; i < D->moves->len; i++) {
        const move *m = &g_array_index(D->moves, move, i);
        if (!m->extra)
            continue;
        bool seen = false;
        for (guint j = 0; j < i; j++) {
            const move *p = &g_array_index(D->moves, move, j);
            if (p->extra && p->from == m->from && p->to == m->to)
                seen = true;
        }
        if (!seen)
            edge_svg(D, g, m->from, m->to, extra_event(D, m->from, m->to), false);
    }
    for (int s = TCPFSM_CLOSED; s < TCPFSM_STATE_MAX; s++)
        state_box(D, g, (tcpfsm_state)s, at[s]);
    state_box(D, g, TCPFSM_CLOSED, closed_end);
    bool unknown = D->start[0] == TCPFSM_UNKNOWN || D->start[1] == TCPFSM_UNKNOWN;
    if (unknown)
        state_box(D, g, TCPFSM_UNKNOWN, at[TCPFSM_UNKNOWN]);
    /* legend */
    double ly = H - 60;
    for (int role = 0; role < 2; role++) {
        g_string_append_printf(g, "<line x1=\"20\" y1=\"%.0f\" x2=\"60\" y2=\"%.0f\" stroke=\"%s\" stroke-width=\"3\"/>\n",
                               ly + role * 18, ly + role * 18, role_colour[role]);
        text_at(g, 68, ly + 4 + role * 18, "font-size=\"12\"", role_word(D, role));
    }
    g_string_append_printf(g, "<line x1=\"200\" y1=\"%.0f\" x2=\"240\" y2=\"%.0f\" stroke=\"#c4c4c4\" stroke-width=\"1.2\"/>\n",
                           ly, ly);
    text_at(g, 248, ly + 4, "font-size=\"12\"", T(D, DIAG_LEGEND_GREY));
    g_string_append_printf(g, "<line x1=\"200\" y1=\"%.0f\" x2=\"240\" y2=\"%.0f\" stroke=\"#333\" stroke-width=\"1.2\" stroke-dasharray=\"6,4\"/>\n",
                           ly + 18, ly + 18);
    text_at(g, 248, ly + 22, "font-size=\"12\"", T(D, DIAG_LEGEND_EXTRA));
    g_string_append(g, "</svg>\n");

    FILE *fp = strcmp(D->svg, "-") ? fopen(D->svg, "w") : stdout;
    if (!fp) {
        fprintf(stderr, "tcpfsm: %s: %s\n", D->svg, strerror(errno));
        g_string_free(g, TRUE);
        return TCPFSM_EXIT_IOERR;
    }
    fwrite(g->str, 1, g->len, fp);
    int rc = TCPFSM_EXIT_OK;
    if (fflush(fp) != 0 || ferror(fp) || (fp != stdout && fclose(fp) != 0)) {
        fprintf(stderr, "tcpfsm: %s: %s\n", D->svg, strerror(errno));
        rc = TCPFSM_EXIT_IOERR;
    }
    g_string_free(g, TRUE);
    return rc;
}

/* ---- command line ---- */

static const char *help_text(void)
{
    extern const char *command_help(const char *cmd);
    return command_help("diagram");
}

int diagram_main(int argc, char **argv)
{
    diag D = {0};
    const char *tshark = getenv("TCPFSM_TSHARK") ? getenv("TCPFSM_TSHARK") : "tshark";
    bool strict = false, via = false, quiet = false;
    static const struct option longopts[] = {
        {"stream", required_argument, NULL, 's'},
        {"svg", required_argument, NULL, 'g'},
        {"lang", required_argument, NULL, 'L'},
        {"output", required_argument, NULL, 'o'},
        {"strict", no_argument, NULL, 'S'},
        {"tshark", required_argument, NULL, 'T'},
        {"via-tshark", no_argument, NULL, 'V'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    int opt;
    while ((opt = getopt_long(argc, argv, "o:hq", longopts, NULL)) != -1) {
        switch (opt) {
        case 's': {
            char *e;
            errno = 0;
            long long v = strtoll(optarg, &e, 10);
            if (e == optarg || *e || errno || v < 0) {
                fprintf(stderr, "tcpfsm: diagram: --stream: not a stream number: '%s'\n", optarg);
                return TCPFSM_EXIT_USAGE;
            }
            D.has_stream = true;
            D.stream = v;
            break;
        }
        case 'g':
            D.svg = optarg;
            break;
        case 'L':
            if (!tcpfsm_lang_parse(optarg, &D.lang)) {
                fprintf(stderr, "tcpfsm: --lang: unknown language '%s' (en, zh)\n", optarg);
                return TCPFSM_EXIT_USAGE;
            }
            break;
        case 'o':
            D.output = optarg;
            break;
        case 'S':
            strict = true;
            break;
        case 'T':
            tshark = optarg;
            break;
        case 'V':
            via = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            fputs(help_text(), stdout);
            return TCPFSM_EXIT_OK;
        default:
            return TCPFSM_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        fprintf(stderr, "tcpfsm: diagram: one INPUT at most (got %d)\n", argc - optind);
        return TCPFSM_EXIT_USAGE;
    }
    if (D.svg && D.output) {
        fprintf(stderr, "tcpfsm: diagram: --output is for the text; --svg names its own file\n");
        return TCPFSM_EXIT_USAGE;
    }
    const char *path = optind < argc ? argv[optind] : NULL;
    input in;
    input_opts io = {.tshark = tshark, .strict = strict, .via_tshark = via, .quiet = quiet};
    int rc = input_open(&in, path, &io);
    if (rc)
        return rc;
    D.out = stdout;
    if (D.output && !(D.out = fopen(D.output, "w"))) {
        fprintf(stderr, "tcpfsm: %s: %s\n", D.output, strerror(errno));
        input_close(&in, rc);
        return input_report(&in, TCPFSM_EXIT_IOERR);
    }
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    D.color = !D.svg && !D.output && isatty(fileno(stdout)) && !(nc && *nc) &&
              !(term && !strcmp(term, "dumb"));
    D.moves = g_array_new(FALSE, FALSE, sizeof(move));
    edges = tcpfsm_rfc_edges(NULL, &NEDGES);
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = on_summary;
    cfg.user = &D;
    cfg.lang = D.lang;
    cfg.no_zeek = true;
    int status = input_run_engine(&in, &cfg, diagram_row, NULL, NULL, &D, NULL);
    if (!D.conn_id || !D.have_sum) {
        if (status == TCPFSM_EXIT_OK) {
            if (D.has_stream)
                fprintf(stderr, "tcpfsm: diagram: no connection with stream %" PRId64 " in %s\n",
                        D.stream, path ? path : "-");
            else
                fprintf(stderr, "tcpfsm: diagram: no TCP connection in %s\n", path ? path : "-");
            status = TCPFSM_EXIT_NOMATCH;
        }
    } else if (D.svg) {
        int wr = write_svg(&D);
        if (wr)
            status = wr;
    } else {
        draw_text(&D);
    }
    if (!D.svg && (fflush(D.out) != 0 || ferror(D.out))) {
        fprintf(stderr, "tcpfsm: write error: %s\n", strerror(errno));
        status = TCPFSM_EXIT_IOERR;
    }
    if (D.output && fclose(D.out) != 0 && status == TCPFSM_EXIT_OK)
        status = TCPFSM_EXIT_IOERR;
    g_array_free(D.moves, TRUE);
    return input_report(&in, status);
}
