/* rules.c - the rules: the state-move tables and the classification of
 * a segment into its step.
 *
 * For each segment the engine decides which *transition inputs* the
 * segment carries for its sender (it sent a SYN, a FIN, an RST; its ack
 * shows it has received the peer's SYN or FIN) and for its receiver (its
 * SYN or FIN is acknowledged; it receives a SYN, a FIN, an acceptable
 * RST).  The state moves themselves are data: the two tables below,
 * commented with the RFC 9293 sections they come from.  The code only
 * decides which inputs a segment is, and which SPEC.md event labels it.
 */
#include "engine_int.h"
#include "messages.h"
#include "tcpfsm_lang.h"

#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Transition tables                                                    */
/* ------------------------------------------------------------------ */

enum tx_input { TX_ACK_SYN, TX_ACK_FIN, TX_SYN, TX_FIN, TX_RST, TX_MAX };
enum rx_input { RX_ACK_SYN, RX_ACK_FIN, RX_SYN, RX_FIN, RX_RST, RX_MAX };
_Static_assert((int)TX_MAX == (int)RX_MAX, "both tables have five columns");

#define X_ 0 /* no move */
#define S_(s) TCPFSM_##s

/* Sender moves: what sending this segment (and what its ACK field shows
 * the sender had received) does to the sender. */
static const uint8_t send_table[TCPFSM_STATE_MAX][TX_MAX] = {
    /*                   ACK_SYN            ACK_FIN           SYN               FIN                RST */
    [S_(UNKNOWN)]      = {X_,              X_,               S_(SYN_SENT),     S_(FIN_WAIT_1),    S_(CLOSED)},
    [S_(CLOSED)]       = {X_,              X_,               S_(SYN_SENT),     X_,                S_(CLOSED)},
    /* 3.10.7.2: a SYN-ACK leaving a listener means a SYN arrived */
    [S_(LISTEN)]       = {X_,              X_,               S_(SYN_RECEIVED), X_,                S_(CLOSED)},
    /* 3.5 fig. 8: a SYN-SENT side that acknowledges the peer's SYN has
     * received it (simultaneous open) */
    [S_(SYN_SENT)]     = {S_(SYN_RECEIVED), X_,              X_,               S_(FIN_WAIT_1),    S_(CLOSED)},
    /* 3.10.4 CLOSE in SYN-RECEIVED: form a FIN, go FIN-WAIT-1 */
    [S_(SYN_RECEIVED)] = {X_,              X_,               X_,               S_(FIN_WAIT_1),    S_(CLOSED)},
    /* 3.10.4 CLOSE in ESTABLISHED -> FIN-WAIT-1; 3.6 receipt of FIN */
    [S_(ESTABLISHED)]  = {X_,              S_(CLOSE_WAIT),   X_,               S_(FIN_WAIT_1),    S_(CLOSED)},
    /* 3.6 fig. 13: FIN received in FIN-WAIT-1, own FIN not acked */
    [S_(FIN_WAIT_1)]   = {X_,              S_(CLOSING),      X_,               X_,                S_(CLOSED)},
    [S_(FIN_WAIT_2)]   = {X_,              S_(TIME_WAIT),    X_,               X_,                S_(CLOSED)},
    /* 3.10.4 CLOSE in CLOSE-WAIT -> LAST-ACK */
    [S_(CLOSE_WAIT)]   = {X_,              X_,               X_,               S_(LAST_ACK),      S_(CLOSED)},
    [S_(CLOSING)]      = {X_,              X_,               X_,               X_,                S_(CLOSED)},
    [S_(LAST_ACK)]     = {X_,              X_,               X_,               X_,                S_(CLOSED)},
    [S_(TIME_WAIT)]    = {X_,              X_,               X_,               X_,                S_(CLOSED)},
};

/* Receiver moves (3.10.7 SEGMENT ARRIVES), applied in column order: the
 * acknowledgement first, then SYN, FIN, RST. */
static const uint8_t recv_table[TCPFSM_STATE_MAX][RX_MAX] = {
    /*                   ACK_SYN           ACK_FIN          SYN               FIN              RST */
    [S_(UNKNOWN)]      = {X_,              X_,              X_,               S_(CLOSE_WAIT),  S_(CLOSED)},
    [S_(CLOSED)]       = {X_,              X_,              X_,               X_,              X_},
    /* 3.10.7.2 LISTEN: SYN -> SYN-RECEIVED; an RST is ignored */
    [S_(LISTEN)]       = {X_,              X_,              S_(SYN_RECEIVED), X_,              X_},
    /* 3.10.7.3 SYN-SENT: SYN+ACK acking our SYN -> ESTABLISHED; SYN
     * alone -> SYN-RECEIVED; acceptable RST -> CLOSED */
    [S_(SYN_SENT)]     = {S_(ESTABLISHED), X_,              S_(SYN_RECEIVED), X_,              S_(CLOSED)},
    /* 3.10.7.4 SYN-RECEIVED: acceptable ACK -> ESTABLISHED; RST on a
     * passive open returns to LISTEN (handled in code), else CLOSED */
    [S_(SYN_RECEIVED)] = {S_(ESTABLISHED), X_,              X_,               S_(CLOSE_WAIT),  S_(CLOSED)},
    [S_(ESTABLISHED)]  = {X_,              X_,              X_,               S_(CLOSE_WAIT),  S_(CLOSED)},
    /* 3.10.7.4 fifth check, FIN-WAIT-1: our FIN acked -> FIN-WAIT-2;
     * eighth check: FIN -> CLOSING (or TIME-WAIT if our FIN is acked,
     * reached through FIN-WAIT-2 by the column order) */
    [S_(FIN_WAIT_1)]   = {X_,              S_(FIN_WAIT_2),  X_,               S_(CLOSING),     S_(CLOSED)},
    [S_(FIN_WAIT_2)]   = {X_,              X_,              X_,               S_(TIME_WAIT),   S_(CLOSED)},
    [S_(CLOSE_WAIT)]   = {X_,              X_,              X_,               X_,              S_(CLOSED)},
    /* CLOSING: our FIN acked -> TIME-WAIT */
    [S_(CLOSING)]      = {X_,              S_(TIME_WAIT),   X_,               X_,              S_(CLOSED)},
    /* LAST-ACK: our FIN acked -> CLOSED */
    [S_(LAST_ACK)]     = {X_,              S_(CLOSED),      X_,               X_,              S_(CLOSED)},
    /* TIME-WAIT: an RST closes it (RFC 1337 protection off, as Linux) */
    [S_(TIME_WAIT)]    = {X_,              X_,              X_,               X_,              S_(CLOSED)},
};
#undef X_
#undef S_

/* Applies the inputs in column order, each from the state the previous
 * one reached. */
bool tcpfsm_i_bad_flags(uint16_t f);

static tcpfsm_state apply(const uint8_t table[][TX_MAX], tcpfsm_state st,
                          unsigned inputs)
{
    for (int i = 0; i < TX_MAX; i++)
        if ((inputs & (1u << i)) && table[st][i])
            st = (tcpfsm_state)table[st][i];
    return st;
}

/* The label's words come from the message table (messages.h) in the
 * configured language; the format of message ID: */
#define MSG(x, ID) tcpfsm_lang_msg((x)->e->cfg.lang, TCPFSM_M_##ID)

const char *tcpfsm_i_role_word(const ctx *x, int side)
{
    return tcpfsm_role_text(side == 0 ? TCPFSM_ROLE_CLIENT : TCPFSM_ROLE_SERVER,
                            x->e->cfg.lang);
}

/* "Handshake 1/3", 第一次握手 ... (kind: TCPFSM_T_*) */
static const char *title(ctx *x, int kind, unsigned num, unsigned of)
{
    return tcpfsm_lang_title(x->e->cfg.lang, kind, num, of, x->title,
                             sizeof x->title);
}

static void set_step(tcpfsm_label *l, int num, int of)
{
    l->step_num = (uint8_t)num;
    l->step_of = (uint8_t)of;
}

uint32_t tcpfsm_i_rel_seq(const endpoint *ep, uint32_t v)
{
    return v - ep->base;
}

bool tcpfsm_i_bad_flags(uint16_t f)
{
    if ((f & (TCPFSM_SYN | TCPFSM_FIN)) == (TCPFSM_SYN | TCPFSM_FIN))
        return true;
    if ((f & (TCPFSM_SYN | TCPFSM_RST)) == (TCPFSM_SYN | TCPFSM_RST))
        return true;
    if ((f & 0x3f) == 0)
        return true; /* a null segment: none of FIN SYN RST PSH ACK URG */
    return false;
}

static const char *flag_combo(uint16_t f, char *buf, size_t size,
                              const char *none)
{
    static const struct { uint16_t bit; const char *name; } names[] = {
        {TCPFSM_SYN, "SYN"}, {TCPFSM_FIN, "FIN"}, {TCPFSM_RST, "RST"},
        {TCPFSM_PSH, "PSH"}, {TCPFSM_ACK, "ACK"}, {TCPFSM_URG, "URG"},
    };
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(f & names[i].bit))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "+" : "",
                         names[i].name);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (!used)
        snprintf(buf, size, "%s", none);
    return buf;
}

static void on_syn(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    l->event = TCPFSM_EV_SYN;
    if (seg->len)
        l->anomalies |= TCPFSM_AN(SYN_DATA);

    if (s->syn_sent) {
        l->ref_frame = s->syn_frame;
        set_step(l, s->syn_step_num, s->syn_step_of);
        if (seg->seq == s->isn) {
            l->anomalies |= TCPFSM_AN(RETRANSMISSION);
            tcpfsm_i_tappend(&x->t, MSG(x, SYN_RETX),
                    title(x, TCPFSM_T_HANDSHAKE, l->step_num, l->step_of),
                    seg->seq);
        } else {
            l->anomalies |= TCPFSM_AN(UNEXPECTED);
            tcpfsm_i_tappend(&x->t, MSG(x, SYN_NEW_ISN), seg->seq, tcpfsm_i_role_word(x, x->S),
                    s->isn);
        }
        return;
    }
    if (x->S == 0 && s->isn_from_synack && seg->seq == s->isn) {
        /* SPEC 3 reordered handshake: the SYN-ACK came first. */
        l->anomalies |= TCPFSM_AN(REORDERED);
        set_step(l, 1, 3);
        s->syn_sent = true;
        s->syn_frame = seg->frame;
        s->syn_time = seg->time;
        s->syn_event = TCPFSM_EV_SYN;
        s->syn_step_num = 1, s->syn_step_of = 3;
        tcpfsm_i_tappend(&x->t, MSG(x, SYN_REORDERED),
                title(x, TCPFSM_T_HANDSHAKE, 1, 3), seg->seq);
        return;
    }
    if (x->S == 0 && !c->midstream && !c->synack_first) {
        /* the opening SYN */
        set_step(l, 1, 3);
        s->syn_sent = true;
        s->isn_known = true;
        s->isn = seg->seq;
        s->syn_frame = seg->frame;
        s->syn_time = seg->time;
        s->syn_event = TCPFSM_EV_SYN;
        s->syn_step_num = 1, s->syn_step_of = 3;
        x->tx |= 1u << TX_SYN;
        x->rx |= 1u << RX_SYN;
        tcpfsm_i_tappend(&x->t, MSG(x, SYN), title(x, TCPFSM_T_HANDSHAKE, 1, 3),
                seg->seq);
        return;
    }
    if (x->S == 1 && r->syn_sent && !s->synack_sent &&
        s->state == TCPFSM_SYN_RECEIVED) {
        /* SPEC 3 simultaneous open: the SYNs crossed.  The server was not
         * listening after all: it sent its SYN from CLOSED. */
        c->sim_open = true;
        l->anomalies |= TCPFSM_AN(SIMULTANEOUS_OPEN);
        set_step(l, 2, 4);
        s->syn_sent = true;
        s->isn_known = true;
        s->isn = seg->seq;
        s->syn_frame = seg->frame;
        s->syn_time = seg->time;
        s->syn_event = TCPFSM_EV_SYN;
        s->syn_step_num = 2, s->syn_step_of = 4;
        x->correct_prev = true;
        x->prev_fix = TCPFSM_CLOSED;
        x->tx |= 1u << TX_SYN;
        x->rx |= 1u << RX_SYN;
        l->ref_frame = r->syn_frame;
        tcpfsm_i_tappend(&x->t, MSG(x, SYN_SIM_OPEN),
                title(x, TCPFSM_T_SIM_OPEN, 2, 4), seg->seq);
        return;
    }
    l->anomalies |= TCPFSM_AN(UNEXPECTED);
    tcpfsm_i_tappend(&x->t, MSG(x, SYN_MIDDLE), tcpfsm_i_role_word(x, x->S), seg->seq);
}

static void on_syn_ack(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    l->event = TCPFSM_EV_SYN_ACK;
    if (seg->len)
        l->anomalies |= TCPFSM_AN(SYN_DATA);

    if (s->synack_sent) {
        set_step(l, s->syn_step_num, s->syn_step_of);
        l->ref_frame = s->syn_frame;
        if (seg->seq == s->isn) {
            l->anomalies |= TCPFSM_AN(RETRANSMISSION);
            tcpfsm_i_tappend(&x->t, MSG(x, SYNACK_RETX),
                    title(x, TCPFSM_T_HANDSHAKE, l->step_num, l->step_of),
                    seg->seq);
        } else {
            l->anomalies |= TCPFSM_AN(UNEXPECTED);
            tcpfsm_i_tappend(&x->t, MSG(x, SYNACK_NEW_ISN), seg->seq,
                    tcpfsm_i_role_word(x, x->S), s->isn);
        }
        return;
    }

    if (c->sim_open && s->syn_sent && seg->seq == s->isn) {
        /* simultaneous open, steps 3/4 and 4/4: each side's SYN-ACK */
        int num = (c->ep[0].synack_sent || c->ep[1].synack_sent) ? 4 : 3;
        set_step(l, num, 4);
        s->synack_sent = true;
        s->syn_step_num = (uint8_t)num, s->syn_step_of = 4;
        l->ref_frame = r->syn_frame;
        bool ok = x->ack_flag && seg->ack == r->isn + 1;
        l->ack_ok = ok;
        tcpfsm_i_tappend(&x->t, MSG(x, SYNACK_SIM_OPEN),
                title(x, TCPFSM_T_SIM_OPEN, (unsigned)num, 4),
                tcpfsm_i_role_word(x, x->S), seg->ack, ok ? "=" : "≠",
                tcpfsm_i_role_word(x, x->R), r->isn, ok ? "✓" : "✗");
        if (ok) {
            x->tx |= 1u << TX_ACK_SYN;
            x->rx |= 1u << RX_ACK_SYN;
            s->acked_peer_syn = true;
            if (c->ep[0].acked_peer_syn && c->ep[1].acked_peer_syn)
                c->hs_done = true;
        } else {
            l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
        }
        return;
    }

    if (x->S != 1 || s->syn_sent) {
        l->anomalies |= TCPFSM_AN(UNEXPECTED);
        tcpfsm_i_tappend(&x->t, MSG(x, SYNACK_OPENER), tcpfsm_i_role_word(x, x->S));
        return;
    }

    /* the server's SYN-ACK, handshake 2/3 */
    set_step(l, 2, 3);
    s->syn_sent = true;
    s->synack_sent = true;
    s->isn_known = true;
    s->isn = seg->seq;
    s->syn_frame = seg->frame;
    s->syn_time = seg->time;
    s->syn_event = TCPFSM_EV_SYN_ACK;
    s->syn_step_num = 2, s->syn_step_of = 3;
    c->synack_frame = seg->frame;
    c->synack_time = seg->time;
    c->has_synack_time = seg->has_time;
    x->tx |= 1u << TX_SYN;

    if (!r->syn_sent) {
        /* the capture begins with the SYN-ACK: the client's SYN was missed */
        r->isn_from_synack = true;
        r->isn = seg->ack - 1;
        x->tx |= 1u << TX_ACK_SYN;
        x->rx |= 1u << RX_ACK_SYN;
        s->acked_peer_syn = true;
        c->synack_ok = true;
        tcpfsm_i_tappend(&x->t, MSG(x, SYNACK_NO_SYN),
                title(x, TCPFSM_T_HANDSHAKE, 2, 3), seg->seq, seg->ack - 1);
        return;
    }
    l->ref_frame = r->syn_frame;
    bool ok = seg->ack == r->isn + 1;
    l->ack_ok = ok;
    if (ok) {
        x->tx |= 1u << TX_ACK_SYN;
        x->rx |= 1u << RX_ACK_SYN | 1u << RX_SYN;
        s->acked_peer_syn = true;
        c->synack_ok = true;
        tcpfsm_i_tappend(&x->t, MSG(x, SYNACK_OK), title(x, TCPFSM_T_HANDSHAKE, 2, 3),
                seg->ack, r->isn);
    } else {
        /* 3.10.7.3: an unacceptable ACK in SYN-SENT is answered with RST;
         * the client does not move. */
        l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
        tcpfsm_i_tappend(&x->t, MSG(x, SYNACK_BAD), title(x, TCPFSM_T_HANDSHAKE, 2, 3),
                seg->ack, r->isn);
    }
}

/* Is an RST acceptable to its receiver?  3.10.7.3 (SYN-SENT: it must ACK
 * our SYN) and 3.10.7.4 (otherwise its seq must be in the window). */
static bool rst_acceptable(ctx *x, char *why, size_t size)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *r = x->r;
    why[0] = '\0';
    if (r->state == TCPFSM_SYN_SENT) {
        if (!x->ack_flag) {
            snprintf(why, size, "%s", MSG(x, RST_WHY_NOACK));
            return false;
        }
        if (r->syn_sent && seg->ack != r->isn + 1) {
            snprintf(why, size, MSG(x, RST_WHY_ACK), seg->ack,
                     tcpfsm_i_role_word(x, x->R), r->isn);
            return false;
        }
        return true;
    }
    if (!r->ack_valid)
        return true; /* nothing known of the receiver's window */
    uint32_t wnd = r->win_valid ? r->window : 65535;
    if (wnd == 0)
        wnd = 1;
    uint32_t off = seg->seq - r->last_ack;
    if (off < wnd)
        return true;
    snprintf(why, size, MSG(x, RST_WHY_WINDOW),
             tcpfsm_i_rel_seq(x->s, seg->seq), tcpfsm_i_role_word(x, x->R),
             tcpfsm_i_rel_seq(x->s, r->last_ack), tcpfsm_i_rel_seq(x->s, r->last_ack + wnd));
    return false;
}

static void on_rst(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    char why[160];
    l->event = TCPFSM_EV_RST;
    if (!rst_acceptable(x, why, sizeof why)) {
        l->anomalies |= TCPFSM_AN(RST_OUT_OF_WINDOW);
        tcpfsm_i_tappend(&x->t, MSG(x, RST_IGNORED), tcpfsm_i_role_word(x, x->S), why);
        return;
    }
    x->rst_accepted = true;
    x->tx |= 1u << TX_RST;
    x->rx |= 1u << RX_RST;
    if (r->state == TCPFSM_SYN_SENT && x->S == 1 && !s->synack_sent) {
        c->refused = true;
        l->close = TCPFSM_CL_REFUSED;
        l->ref_frame = r->syn_frame;
        if (r->syn_sent) {
            l->ack_ok = 1;
            tcpfsm_i_tappend(&x->t, MSG(x, REFUSED_OK), seg->ack, r->isn,
                    (unsigned)s->port);
        } else {
            tcpfsm_i_tappend(&x->t, MSG(x, REFUSED), (unsigned)s->port);
        }
        return;
    }
    if (c->ep[0].fin_sent && c->ep[1].fin_sent && !c->reset)
        c->rst_after_fins = true;
    c->reset = true;
    l->close = TCPFSM_CL_RESET;
    tcpfsm_i_tappend(&x->t, MSG(x, RESET), tcpfsm_i_role_word(x, x->S), tcpfsm_i_rel_seq(s, seg->seq));
    if (c->rst_after_fins)
        tcpfsm_i_tput(&x->t, MSG(x, RESET_AFTER_FINS));
}

static void on_fin(ctx *x, bool acks_fin)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    uint32_t fin_seq = seg->seq + seg->len;

    if (s->fin_sent) {
        l->event = s->fin_event;
        set_step(l, s->fin_step_num, s->fin_step_of);
        l->ref_frame = s->fin_frame;
        if (fin_seq == s->fin_seq) {
            l->anomalies |= TCPFSM_AN(RETRANSMISSION);
            tcpfsm_i_tappend(&x->t, MSG(x, FIN_RETX),
                    title(x, TCPFSM_T_TEARDOWN, l->step_num, l->step_of),
                    tcpfsm_i_role_word(x, x->S), tcpfsm_i_rel_seq(s, fin_seq));
        } else {
            l->anomalies |= TCPFSM_AN(UNEXPECTED);
            tcpfsm_i_tappend(&x->t, MSG(x, FIN_AGAIN), tcpfsm_i_role_word(x, x->S),
                    tcpfsm_i_rel_seq(s, fin_seq), tcpfsm_i_rel_seq(s, s->fin_seq));
        }
        return;
    }

    s->fin_sent = true;
    s->fin_seq = fin_seq;
    s->fin_frame = seg->frame;
    x->tx |= 1u << TX_FIN;
    x->rx |= 1u << RX_FIN;

    if (!r->fin_sent) {
        /* the first FIN: the sender is the active closer.  It is step 1 of
         * a close whose length nothing shows yet; 1/4 is the textbook
         * four-way close (labels are causal). */
        c->first_fin_side = x->S;
        l->event = TCPFSM_EV_FIN1;
        set_step(l, 1, 4);
        tcpfsm_i_tappend(&x->t, MSG(x, FIN1), title(x, TCPFSM_T_TEARDOWN, 1, 4),
                tcpfsm_i_role_word(x, x->S), tcpfsm_i_rel_seq(s, fin_seq));
    } else if (acks_fin || s->acked_peer_fin) {
        l->event = TCPFSM_EV_FIN2;
        l->ref_frame = r->fin_frame;
        if (acks_fin) {
            /* SPEC 3 merged close: this FIN also acknowledges the first */
            c->close = TCPFSM_CL_FIN3;
            set_step(l, 2, 3);
            bool ok = seg->ack == r->fin_seq + 1;
            l->ack_ok = ok;
            if (!ok)
                l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
            tcpfsm_i_tappend(&x->t, MSG(x, FIN2_MERGED),
                    title(x, TCPFSM_T_TEARDOWN, 2, 3), tcpfsm_i_role_word(x, x->S),
                    tcpfsm_i_role_word(x, x->R),
                    tcpfsm_i_rel_seq(r, seg->ack), ok ? "=" : "≠",
                    tcpfsm_i_rel_seq(r, r->fin_seq), ok ? "✓" : "✗");
        } else {
            c->close = TCPFSM_CL_FIN4;
            set_step(l, 3, 4);
            tcpfsm_i_tappend(&x->t, MSG(x, FIN2), title(x, TCPFSM_T_TEARDOWN, 3, 4),
                    tcpfsm_i_role_word(x, x->S), tcpfsm_i_rel_seq(s, fin_seq));
        }
    } else {
        /* SPEC 3 simultaneous close: the FINs crossed.  This side sent its
         * FIN from ESTABLISHED, before the other FIN reached it. */
        c->close = TCPFSM_CL_SIMULTANEOUS;
        l->event = TCPFSM_EV_FIN2;
        l->anomalies |= TCPFSM_AN(SIMULTANEOUS_CLOSE);
        l->ref_frame = r->fin_frame;
        set_step(l, 2, 4);
        if (s->state == TCPFSM_CLOSE_WAIT) {
            x->correct_prev = true;
            x->prev_fix = TCPFSM_ESTABLISHED;
        }
        tcpfsm_i_tappend(&x->t, MSG(x, FIN_SIM), title(x, TCPFSM_T_SIM_CLOSE, 2, 4),
                tcpfsm_i_role_word(x, x->S), tcpfsm_i_rel_seq(s, fin_seq), tcpfsm_i_role_word(x, x->R),
                tcpfsm_i_rel_seq(r, r->fin_seq));
    }
    s->fin_event = l->event;
    s->fin_step_num = l->step_num;
    s->fin_step_of = l->step_of;
}

static void on_fin_ack(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *r = x->r;
    conn *c = x->c;
    bool first = (c->first_fin_side == x->R);
    l->event = first ? TCPFSM_EV_FIN1_ACK : TCPFSM_EV_FIN2_ACK;
    l->ref_frame = r->fin_frame;
    if (c->close == TCPFSM_CL_SIMULTANEOUS) {
        set_step(l, 3 + c->sim_acks, 4);
        c->sim_acks++;
    } else if (first) {
        c->close = TCPFSM_CL_FIN4; /* acked alone: a four-way close */
        set_step(l, 2, 4);
    } else if (c->close == TCPFSM_CL_FIN3) {
        set_step(l, 3, 3);
    } else {
        set_step(l, 4, 4);
    }
    bool ok = seg->ack == r->fin_seq + 1;
    l->ack_ok = ok;
    if (!ok)
        l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
    int kind = c->close == TCPFSM_CL_SIMULTANEOUS ? TCPFSM_T_SIM_CLOSE
                                                  : TCPFSM_T_TEARDOWN;
    tcpfsm_i_tappend(&x->t, MSG(x, FIN_ACK),
            title(x, kind, l->step_num, l->step_of), tcpfsm_i_role_word(x, x->R),
            tcpfsm_i_rel_seq(r, seg->ack), ok ? "=" : "≠", tcpfsm_i_rel_seq(r, r->fin_seq),
            ok ? "✓" : "✗");
}

static void on_ack_segment(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    bool fin = seg->flags & TCPFSM_FIN;

    /* What the ACK field shows the sender has received. */
    bool acks_syn = !s->acked_peer_syn && (r->syn_sent || r->isn_from_synack) &&
                    tcpfsm_seq_lt(r->isn, seg->ack);
    bool acks_fin = r->fin_sent && !s->acked_peer_fin &&
                    tcpfsm_seq_lt(r->fin_seq, seg->ack);
    if (acks_syn) {
        x->tx |= 1u << TX_ACK_SYN;
        x->rx |= 1u << RX_ACK_SYN;
    }
    if (acks_fin) {
        x->tx |= 1u << TX_ACK_FIN;
        x->rx |= 1u << RX_ACK_FIN;
    }

    /* data beyond the sender's own FIN */
    if (seg->len && s->fin_sent && tcpfsm_seq_lt(s->fin_seq, seg->seq + seg->len) &&
        !(fin && seg->seq + seg->len == s->fin_seq))
        l->anomalies |= TCPFSM_AN(DATA_AFTER_FIN);

    if (fin && !(s->fin_sent && acks_fin)) {
        on_fin(x, acks_fin);
    } else if (acks_fin) {
        /* a repeated FIN that acknowledges the peer's FIN for the first
         * time is labelled by the step it newly performs */
        on_fin_ack(x);
        if (fin)
            l->anomalies |= seg->seq + seg->len == s->fin_seq
                                ? TCPFSM_AN(RETRANSMISSION)
                                : TCPFSM_AN(UNEXPECTED);
    } else if (x->S == 0 && !s->hs_checked && r->synack_sent && !c->sim_open &&
               r->state == TCPFSM_SYN_RECEIVED && !c->hs_done) {
        /* the client's first segment after the SYN-ACK: handshake 3/3 */
        s->hs_checked = true;
        l->ref_frame = r->syn_frame;
        bool ok = seg->ack == r->isn + 1;
        l->ack_ok = ok;
        if (acks_syn && ok) {
            l->event = TCPFSM_EV_HS_ACK;
            set_step(l, 3, 3);
            c->hs_done = true;
            c->hsack_time = seg->time;
            c->has_hsack_time = seg->has_time;
            tcpfsm_i_tappend(&x->t, MSG(x, HSACK_OK), title(x, TCPFSM_T_HANDSHAKE, 3, 3),
                    seg->ack, r->isn);
            if (seg->len)
                tcpfsm_i_tappend(&x->t, MSG(x, HSACK_DATA), seg->len);
        } else {
            l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
            l->event = seg->len ? TCPFSM_EV_DATA : TCPFSM_EV_ACK;
            tcpfsm_i_tappend(&x->t, MSG(x, HSACK_BAD),
                    title(x, TCPFSM_T_HANDSHAKE, 3, 3), seg->ack, r->isn);
        }
    } else if (seg->len) {
        l->event = TCPFSM_EV_DATA;
        tcpfsm_i_tappend(&x->t, MSG(x, DATA), tcpfsm_i_role_word(x, x->S), seg->len,
                tcpfsm_i_rel_seq(s, seg->seq));
    } else {
        l->event = TCPFSM_EV_ACK;
        tcpfsm_i_tappend(&x->t, MSG(x, ACK), tcpfsm_i_role_word(x, x->S), tcpfsm_i_rel_seq(r, seg->ack));
    }

    if (acks_syn)
        s->acked_peer_syn = true;
    if (acks_fin)
        s->acked_peer_fin = true;
    /* The handshake also completes when the client's first ACK is the
     * one that carries its FIN or acks a FIN. */
    if (acks_syn && x->S == 0 && !c->sim_open && r->synack_sent)
        c->hs_done = true;
    if (acks_syn && !c->hs_done && c->sim_open && c->ep[0].acked_peer_syn &&
        c->ep[1].acked_peer_syn)
        c->hs_done = true;
}

void tcpfsm_i_classify(ctx *x)
{
    tcpfsm_label *out = x->out;
    uint16_t f = x->seg->flags;
    if (tcpfsm_i_bad_flags(f)) {
        char combo[48];
        out->event = TCPFSM_EV_OTHER;
        out->anomalies |= TCPFSM_AN(BAD_FLAGS);
        tcpfsm_i_tappend(&x->t, MSG(x, BAD_FLAGS), flag_combo(f, combo, sizeof combo,
                                           MSG(x, NO_FLAGS)));
    } else if (f & TCPFSM_RST) {
        if (f & TCPFSM_FIN)
            out->anomalies |= TCPFSM_AN(BAD_FLAGS);
        on_rst(x);
    } else if ((f & TCPFSM_SYN) && !x->ack_flag) {
        on_syn(x);
    } else if (f & TCPFSM_SYN) {
        on_syn_ack(x);
    } else if (!x->ack_flag) {
        char combo[48];
        out->event = TCPFSM_EV_OTHER;
        out->anomalies |= TCPFSM_AN(UNEXPECTED);
        tcpfsm_i_tappend(&x->t, MSG(x, NO_ACK), flag_combo(f, combo, sizeof combo,
                                           MSG(x, NO_FLAGS)));
    } else {
        on_ack_segment(x);
    }
}

void tcpfsm_i_apply_moves(ctx *x)
{
    tcpfsm_label *out = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    tcpfsm_state sprev = x->correct_prev ? x->prev_fix : s->state;
    tcpfsm_state snew = apply(send_table, sprev, x->tx);
    tcpfsm_state rnew = r->state;
    if ((x->rx & (1u << RX_RST)) && r->state == TCPFSM_SYN_RECEIVED &&
        x->R == 1 && !c->sim_open)
        rnew = TCPFSM_LISTEN; /* 3.10.7.4: a passive open returns to LISTEN */
    else
        rnew = apply(recv_table, r->state, x->rx);
    out->src_prev = sprev;
    out->src_state = snew;
    out->dst_state = rnew;
    s->state = snew;
    r->state = rnew;
}
