/* text.c - the label sentence: a small formatter for the message
 * formats (engine/messages.h), and the parts of the sentence every
 * segment has (the moves, the notes).  The words come from lang.c.
 */
#include "engine_int.h"
#include "messages.h"
#include "rules.h"
#include "tcpfsm_lang.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Decimal digits of v, written backwards from end; returns the start. */
static char *utoa_rev(char *end, unsigned long long v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

/* A vsnprintf for the conversions the messages use (%s %u %d %lu %llu
 * %zu %%): the label is built for every segment, and the C library's
 * printf machinery was a fifth of the run time.  Same result as
 * vsnprintf(buf, size, fmt, ap): writes at most size - 1 bytes and a NUL,
 * returns the length the whole text would have.  Any other conversion
 * (none today) is handed to vsnprintf. */
static int fmt_text(char *buf, size_t size, const char *fmt, va_list ap)
{
    size_t o = 0;
    size_t lim = size ? size - 1 : 0;
#define PUT(src, n)                                                        \
    do {                                                                   \
        size_t n_ = (n);                                                   \
        if (o < lim)                                                       \
            memcpy(buf + o, (src), o + n_ <= lim ? n_ : lim - o);          \
        o += n_;                                                           \
    } while (0)
    const char *p = fmt;
    for (;;) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            PUT(p, strlen(p));
            break;
        }
        PUT(p, (size_t)(pct - p));
        const char *q = pct + 1;
        char num[24];
        char *ne = num + sizeof num;
        switch (*q) {
        case 's': {
            const char *v = va_arg(ap, const char *);
            PUT(v, strlen(v));
            p = q + 1;
            continue;
        }
        case 'u': {
            char *st = utoa_rev(ne, va_arg(ap, unsigned));
            PUT(st, (size_t)(ne - st));
            p = q + 1;
            continue;
        }
        case 'd': {
            int v = va_arg(ap, int);
            unsigned long long m = v < 0 ? 0ULL - (unsigned long long)v
                                         : (unsigned long long)v;
            char *st = utoa_rev(ne, m);
            if (v < 0)
                *--st = '-';
            PUT(st, (size_t)(ne - st));
            p = q + 1;
            continue;
        }
        case '%':
            PUT("%", 1);
            p = q + 1;
            continue;
        case 'l':
            if (q[1] == 'u') {
                char *st = utoa_rev(ne, va_arg(ap, unsigned long));
                PUT(st, (size_t)(ne - st));
                p = q + 2;
                continue;
            }
            if (q[1] == 'l' && q[2] == 'u') {
                char *st = utoa_rev(ne, va_arg(ap, unsigned long long));
                PUT(st, (size_t)(ne - st));
                p = q + 3;
                continue;
            }
            break;
        case 'z':
            if (q[1] == 'u') {
                char *st = utoa_rev(ne, va_arg(ap, size_t));
                PUT(st, (size_t)(ne - st));
                p = q + 2;
                continue;
            }
            break;
        default:
            break;
        }
        /* not one of ours: let the C library do the rest */
        {
            int n = vsnprintf(o < lim ? buf + o : NULL,
                              o < lim ? size - o : 0, pct, ap);
            if (n < 0)
                return n;
            o += (size_t)n;
            if (size)
                buf[o < lim ? o : lim] = '\0';
            return (int)o;
        }
    }
#undef PUT
    if (size)
        buf[o < lim ? o : lim] = '\0';
    return (int)o;
}

void tcpfsm_i_tappend(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void tcpfsm_i_tappend(text *t, const char *fmt, ...)
{
    if (t->used + 1 >= t->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_text(t->buf + t->used, t->size - t->used, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    t->used += (size_t)n;
    if (t->used >= t->size) {
        /* cut short: never leave half a UTF-8 character at the end */
        size_t end = t->size - 1, lead = end;
        while (lead > 0 && ((unsigned char)t->buf[lead - 1] & 0xC0) == 0x80)
            lead--;
        if (lead > 0) {
            unsigned char c = (unsigned char)t->buf[lead - 1];
            size_t want = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (end - (lead - 1) < want)
                end = lead - 1;
        }
        t->buf[end] = '\0';
        t->used = end;
    }
}

/* The label's words come from the message table (messages.h) in the
 * configured language; the format of message ID: */
#define MSG(x, ID) tcpfsm_lang_msg((x)->e->cfg.lang, TCPFSM_M_##ID)

void tcpfsm_i_tput(text *t, const char *s)
{
    size_t n = strlen(s);
    if (t->used + n < t->size) { /* fits: no formatting to do */
        memcpy(t->buf + t->used, s, n + 1);
        t->used += n;
        return;
    }
    tcpfsm_i_tappend(t, "%s", s);
}

/* The moves clause into t (the words of x's language). */
static void moves_into(ctx *x, text *t)
{
    tcpfsm_label *l = x->out;
    const char *who[2] = {tcpfsm_i_role_word(x, x->S), tcpfsm_i_role_word(x, x->R)};
    tcpfsm_lang lang = x->e->cfg.lang;
    tcpfsm_state prev[2] = {l->src_prev, l->dst_prev};
    tcpfsm_state now[2] = {l->src_state, l->dst_state};
    int moved = 0;
    tcpfsm_i_tput(t, MSG(x, MOVES));
    /* the client first, as people read a ladder left to right */
    for (int k = 0; k < 2; k++) {
        int i = (x->S == 0) ? k : 1 - k;
        if (prev[i] == now[i])
            continue;
        if (moved)
            tcpfsm_i_tput(t, MSG(x, LIST_SEP));
        tcpfsm_i_tappend(t, MSG(x, MOVE), who[i], tcpfsm_state_text(prev[i], lang),
                tcpfsm_state_text(now[i], lang));
        moved++;
    }
    if (!moved)
        tcpfsm_i_tput(t, MSG(x, NO_CHANGE));
    for (int i = 0; i < 2; i++) {
        if (now[i] == TCPFSM_TIME_WAIT && prev[i] != TCPFSM_TIME_WAIT) {
            tcpfsm_i_tappend(t, MSG(x, TIME_WAIT), who[i]);
        }
    }
}

/* The clause depends only on the language, the sender's side and the
 * four states: the last one made for each such key is kept (per thread),
 * and copied; it was a tenth of `tcpfsm annotate` (issue 14). */
#define MOVES_MEMO_SLOTS 256
#define MOVES_MEMO_TEXT 240
static __thread struct {
    uint32_t key; /* 0: empty */
    uint16_t len;
    char text[MOVES_MEMO_TEXT];
} moves_memo[MOVES_MEMO_SLOTS];

void tcpfsm_i_append_moves(ctx *x)
{
    if (x->t.size <= 1)
        return; /* no sentence wanted (summary): no words to look up */
    const tcpfsm_label *l = x->out;
    _Static_assert(TCPFSM_STATE_MAX <= 32 && TCPFSM_LANG_MAX <= 64,
                   "moves memo key: 5 bits a state, 6 for the language");
    uint32_t key = 1u + ((uint32_t)x->e->cfg.lang << 21 | (uint32_t)x->S << 20 |
                         (uint32_t)l->src_prev << 15 | (uint32_t)l->src_state << 10 |
                         (uint32_t)l->dst_prev << 5 | (uint32_t)l->dst_state);
    unsigned slot = (key * 0x9e3779b1u) >> 24; /* 256 slots */
    if (moves_memo[slot].key != key) {
        char buf[MOVES_MEMO_TEXT];
        text local = {buf, sizeof buf, 0};
        buf[0] = '\0';
        moves_into(x, &local);
        if (local.used + 1 >= local.size) { /* too long to keep */
            moves_into(x, &x->t);
            return;
        }
        memcpy(moves_memo[slot].text, buf, local.used + 1);
        moves_memo[slot].len = (uint16_t)local.used;
        moves_memo[slot].key = key;
    }
    size_t n = moves_memo[slot].len;
    if (x->t.used + n < x->t.size) {
        memcpy(x->t.buf + x->t.used, moves_memo[slot].text, n + 1);
        x->t.used += n;
    } else {
        moves_into(x, &x->t); /* cut short: piece by piece, as always */
    }
}

void tcpfsm_i_append_notes(ctx *x)
{
    if (x->t.size <= 1)
        return; /* no sentence wanted */
    uint32_t a = x->out->anomalies;
    const tcpfsm_segment *seg = x->seg;
    if (a & TCPFSM_AN(MIDSTREAM))
        tcpfsm_i_tput(&x->t, MSG(x, NOTE_MIDSTREAM));
    if (a & TCPFSM_AN(PORT_REUSE))
        tcpfsm_i_tput(&x->t, MSG(x, NOTE_PORT_REUSE));
    if (a & TCPFSM_AN(SYN_DATA))
        tcpfsm_i_tappend(&x->t, MSG(x, NOTE_SYN_DATA), seg->len);
    if ((a & TCPFSM_AN(RETRANSMISSION)) &&
        (x->out->event == TCPFSM_EV_DATA || x->out->event == TCPFSM_EV_HS_ACK))
        tcpfsm_i_tput(&x->t, MSG(x, NOTE_RETX));
    if (x->inferred_note)
        tcpfsm_i_tappend(&x->t, MSG(x, NOTE_INFERRED),
                         tcpfsm_i_role_word(x, x->S));
    if (x->reordered_note)
        tcpfsm_i_tappend(&x->t, MSG(x, NOTE_REORDERED),
                         tcpfsm_i_role_word(x, x->R));
    if (a & TCPFSM_AN(DATA_AFTER_FIN))
        tcpfsm_i_tappend(&x->t, MSG(x, NOTE_DATA_AFTER_FIN), tcpfsm_i_role_word(x, x->S));
    if ((a & TCPFSM_AN(UNEXPECTED)) && x->r->state == TCPFSM_CLOSED &&
        x->out->event != TCPFSM_EV_OTHER)
        tcpfsm_i_tappend(&x->t, MSG(x, NOTE_PEER_CLOSED), tcpfsm_i_role_word(x, x->R));
}

/* ------------------------------------------------------------------ */
/* The step sentence: the row's message with its numbers                */
/* ------------------------------------------------------------------ */

/* "Handshake 1/3", 第一次握手 ... */
/* The titles are few (kind x step numbers x language): the last one made
 * for each is kept per thread, as the moves clause is. */
#define TITLE_MEMO_SLOTS 64
static __thread struct {
    uint64_t key; /* 0: empty */
    char text[sizeof ((ctx *)0)->title];
} title_memo[TITLE_MEMO_SLOTS];

static const char *title(ctx *x, int kind, unsigned num, unsigned last, unsigned of)
{
    if (kind < 0 || kind > 255 || num > 255 || last > 255 || of > 255)
        return tcpfsm_lang_title(x->e->cfg.lang, kind, num, last, of,
                                 x->title, sizeof x->title);
    uint64_t key = 1u + ((uint64_t)x->e->cfg.lang << 32 | (uint64_t)kind << 24 |
                         (uint64_t)num << 16 | (uint64_t)last << 8 | of);
    unsigned slot = (unsigned)((key * 0x9e3779b97f4a7c15ull) >> 58); /* 64 */
    if (title_memo[slot].key != key) {
        tcpfsm_lang_title(x->e->cfg.lang, kind, num, last, of,
                          title_memo[slot].text, sizeof title_memo[slot].text);
        title_memo[slot].key = key;
    }
    return title_memo[slot].text;
}

/* "SYN+FIN", "no flags" */
static const char *flag_combo(ctx *x, char *buf, size_t size)
{
    if (!tcpfsm_flags_text(x->seg->flags, TCPFSM_FLAGS_SENTENCE, buf, size))
        snprintf(buf, size, "%s", MSG(x, NO_FLAGS));
    return buf;
}

/* Why an RST was ignored (rules.c rst_acceptable()). */
static const char *rst_why(ctx *x, char *why, size_t size)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *r = x->r;
    why[0] = '\0';
    switch (x->why_kind) {
    case TCPFSM_WHY_NOACK:
        snprintf(why, size, "%s", MSG(x, RST_WHY_NOACK));
        break;
    case TCPFSM_WHY_ACK:
        snprintf(why, size, MSG(x, RST_WHY_ACK), seg->ack,
                 tcpfsm_i_role_word(x, x->R), r->isn);
        break;
    case TCPFSM_WHY_WINDOW:
        snprintf(why, size, MSG(x, RST_WHY_WINDOW),
                 tcpfsm_i_rel_seq(x->s, seg->seq), tcpfsm_i_role_word(x, x->R),
                 tcpfsm_i_rel_seq(x->s, r->last_ack),
                 tcpfsm_i_rel_seq(x->s, r->last_ack + x->why_wnd));
        break;
    default:
        break;
    }
    return why;
}

void tcpfsm_i_step_sentence(ctx *x)
{
    if (x->t.size <= 1)
        return; /* no sentence wanted: not even its words */
    const tcpfsm_rule *row = x->row;
    const tcpfsm_segment *seg = x->seg;
    const tcpfsm_label *l = x->out;
    const endpoint *s = x->s, *r = x->r;
    text *t = &x->t;
    int id = row->msg;
    const char *fmt = tcpfsm_lang_msg(x->e->cfg.lang, id);
    const char *me = tcpfsm_i_role_word(x, x->S);
    const char *peer = tcpfsm_i_role_word(x, x->R);
    const char *ttl = title(x, l->title, l->step_num, l->step_last, l->step_of);
    const char *eq = x->ok ? "=" : "≠", *mark = x->ok ? "✓" : "✗";
    uint32_t seen = l->check_seen, base = l->check_expected - 1;
    char buf[160];
    switch (id) {
    case TCPFSM_M_BAD_FLAGS:
    case TCPFSM_M_NO_ACK:
        tcpfsm_i_tappend(t, fmt, flag_combo(x, buf, sizeof buf));
        break;
    case TCPFSM_M_RST_IGNORED:
        tcpfsm_i_tappend(t, fmt, me, rst_why(x, buf, sizeof buf));
        break;
    case TCPFSM_M_REFUSED_OK:
        tcpfsm_i_tappend(t, fmt, seen, base, (unsigned)s->port);
        break;
    case TCPFSM_M_RESET:
        tcpfsm_i_tappend(t, fmt, me, tcpfsm_i_rel_seq(s, seg->seq));
        if (x->c->rst_after_fins)
            tcpfsm_i_tput(t, MSG(x, RESET_AFTER_FINS));
        break;
    case TCPFSM_M_SYN_RETX:
    case TCPFSM_M_SYN:
    case TCPFSM_M_SYN_REORDERED:
    case TCPFSM_M_SYN_SIM_OPEN:
    case TCPFSM_M_SYNACK_RETX:
        tcpfsm_i_tappend(t, fmt, ttl, seg->seq);
        break;
    case TCPFSM_M_SYN_NEW_ISN:
    case TCPFSM_M_SYNACK_NEW_ISN:
        tcpfsm_i_tappend(t, fmt, seg->seq, me, s->isn);
        break;
    case TCPFSM_M_SYN_MIDDLE:
        tcpfsm_i_tappend(t, fmt, me, seg->seq);
        break;
    case TCPFSM_M_SYNACK_SIM_OPEN:
        tcpfsm_i_tappend(t, fmt, ttl, me, seen, eq, peer, base, mark);
        break;
    case TCPFSM_M_SYNACK_OPENER:
        tcpfsm_i_tappend(t, fmt, me);
        break;
    case TCPFSM_M_SYNACK_NO_SYN:
        tcpfsm_i_tappend(t, fmt, ttl, seg->seq, seg->ack - 1);
        break;
    case TCPFSM_M_SYNACK:
        tcpfsm_i_tappend(t, fmt, ttl, seen, eq, base, mark);
        break;
    case TCPFSM_M_SYNACK_TFO:
        tcpfsm_i_tappend(t, fmt, ttl, seen, base, seen - base - 1);
        break;
    case TCPFSM_M_FIN_RETX:
    case TCPFSM_M_FIN1:
    case TCPFSM_M_FIN2:
        tcpfsm_i_tappend(t, fmt, ttl, me,
                         tcpfsm_i_rel_seq(s, seg->seq + seg->len));
        break;
    case TCPFSM_M_FIN_AGAIN:
        tcpfsm_i_tappend(t, fmt, me, tcpfsm_i_rel_seq(s, seg->seq + seg->len),
                         tcpfsm_i_rel_seq(s, s->fin_seq));
        break;
    case TCPFSM_M_FIN2_MERGED:
        tcpfsm_i_tappend(t, fmt, ttl, me, peer, seen, eq, base, mark);
        break;
    case TCPFSM_M_FIN_SIM:
        tcpfsm_i_tappend(t, fmt, ttl, me,
                         tcpfsm_i_rel_seq(s, seg->seq + seg->len), peer,
                         tcpfsm_i_rel_seq(r, r->fin_seq));
        break;
    case TCPFSM_M_FIN_ACK:
        tcpfsm_i_tappend(t, fmt, ttl, peer, seen, eq, base, mark);
        break;
    case TCPFSM_M_HSACK_OK:
    case TCPFSM_M_HSACK_INFERRED:
        tcpfsm_i_tappend(t, fmt, ttl, seen, base);
        if (seg->len)
            tcpfsm_i_tappend(t, MSG(x, HSACK_DATA), seg->len);
        break;
    case TCPFSM_M_HSACK_BAD:
        /* the step that was expected here */
        tcpfsm_i_tappend(t, fmt, title(x, TCPFSM_T_HANDSHAKE, 3, 3, 3), seen,
                         base);
        break;
    case TCPFSM_M_DATA:
        tcpfsm_i_tappend(t, fmt, me, seg->len, tcpfsm_i_rel_seq(s, seg->seq));
        break;
    case TCPFSM_M_ACK:
        tcpfsm_i_tappend(t, fmt, me, tcpfsm_i_rel_seq(r, seg->ack));
        break;
    default:
        break;
    }
}
