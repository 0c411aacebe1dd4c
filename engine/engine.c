/* engine.c - tcpfsm_engine_feed(): one segment through the engine.
 * Finds its connection (conn.c), classifies it (rules.c), applies the
 * moves, writes the sentence (text.c) and updates the connection.
 */
#include "engine_int.h"

#include <stdio.h>
#include <string.h>


static tcpfsm_phase phase_of(const conn *c, const tcpfsm_label *l,
                             bool rst_accepted)
{
    switch (l->event) {
    case TCPFSM_EV_SYN:
    case TCPFSM_EV_SYN_ACK:
    case TCPFSM_EV_HS_ACK:
        return TCPFSM_PH_HANDSHAKE;
    case TCPFSM_EV_FIN1:
    case TCPFSM_EV_FIN1_ACK:
    case TCPFSM_EV_FIN2:
    case TCPFSM_EV_FIN2_ACK:
        return TCPFSM_PH_TEARDOWN;
    case TCPFSM_EV_RST:
        if (rst_accepted)
            return TCPFSM_PH_RESET;
        break;
    default:
        break;
    }
    const endpoint *a = &c->ep[0], *b = &c->ep[1];
    if (c->reset || c->refused ||
        (tcpfsm_i_endpoint_done(a->state) && tcpfsm_i_endpoint_done(b->state)))
        return TCPFSM_PH_CLOSED;
    if (a->fin_sent || b->fin_sent)
        return TCPFSM_PH_TEARDOWN;
    if (a->state == TCPFSM_UNKNOWN || b->state == TCPFSM_UNKNOWN)
        return TCPFSM_PH_UNKNOWN;
    if (a->state == TCPFSM_ESTABLISHED && b->state == TCPFSM_ESTABLISHED)
        return TCPFSM_PH_ESTABLISHED;
    return TCPFSM_PH_HANDSHAKE;
}

static void track(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    endpoint *s = x->s;
    uint32_t end = seg->seq + seg->len +
                   ((seg->flags & TCPFSM_SYN) ? 1 : 0) +
                   ((seg->flags & TCPFSM_FIN) ? 1 : 0);
    /* a SYN with another ISN than the one known (a second SYN-ACK) is not
     * this connection's sequence space */
    bool other_isn = (seg->flags & TCPFSM_SYN) && s->isn_known &&
                     seg->seq != s->isn;
    if (!(seg->flags & TCPFSM_RST) && !other_isn) {
        if (!s->snd_valid || tcpfsm_seq_lt(s->snd_max, end)) {
            s->snd_max = end;
            s->snd_valid = true;
        }
        if (x->ack_flag &&
            (!s->ack_valid || tcpfsm_seq_lt(s->last_ack, seg->ack))) {
            s->last_ack = seg->ack;
            s->ack_valid = true;
            s->last_ack_frame = seg->frame;
        }
        if (seg->has_window) {
            s->window = seg->window;
            s->win_valid = true;
        }
    }
    s->packets++;
    s->bytes += seg->len;
    if (x->S == 0 && !(seg->flags & (TCPFSM_SYN | TCPFSM_RST)))
        x->c->client_more = true;
}

int tcpfsm_engine_feed(tcpfsm_engine *e, const tcpfsm_segment *seg,
                       tcpfsm_label *out)
{
    /* the label text is built from its first byte: clearing the other
     * 640 bytes of it for every segment was measurable */
    memset(out, 0, offsetof(tcpfsm_label, label));
    out->label[0] = '\0';
    out->ack_ok = -1;
    if (seg->src.family == 0 || seg->dst.family == 0 ||
        seg->src.family != seg->dst.family) {
        snprintf(out->label, sizeof out->label, "%s",
                 tcpfsm_strerror(TCPFSM_E_NOADDR));
        return TCPFSM_E_NOADDR;
    }
    tcpfsm_i_expire(e, seg->has_time, seg->time);

    bool reused;
    conn *c = tcpfsm_i_find_conn(e, seg, &reused);
    tcpfsm_i_lru_touch(e, c);
    tcpfsm_i_enforce_max_open(e, c);
    if (!e->cfg.no_zeek)
        tcpfsm_zeek_conn_update_ex(&c->zeek, seg, seg->payload_caplen);
    ctx x = {0};
    x.e = e;
    x.c = c;
    x.seg = seg;
    x.out = out;
    x.S = tcpfsm_addr_same(&seg->src, &c->ep[0].addr) && seg->sport == c->ep[0].port
              ? 0
              : 1;
    x.R = 1 - x.S;
    x.s = &c->ep[x.S];
    x.r = &c->ep[x.R];
    x.ack_flag = seg->flags & TCPFSM_ACK;
    x.t.buf = out->label;
    /* size 1: room for the NUL only, every append is a no-op */
    x.t.size = e->cfg.no_label_text ? 1 : sizeof out->label;

    endpoint *s = x.s, *r = x.r;
    out->conn_id = c->id;
    out->role = x.S == 0 ? TCPFSM_ROLE_CLIENT : TCPFSM_ROLE_SERVER;
    out->src_prev = s->state;
    out->dst_prev = r->state;
    if (reused)
        out->anomalies |= TCPFSM_AN(PORT_REUSE);
    if (c->midstream && c->first_frame == seg->frame && s->packets == 0 &&
        r->packets == 0)
        out->anomalies |= TCPFSM_AN(MIDSTREAM);

    /* relative sequence numbers, as Wireshark computes them: the ISN from
     * a SYN, else the first seq seen minus one; the peer's base from our
     * ack minus one when the peer has not been seen. */
    uint16_t f = seg->flags;
    if (f & TCPFSM_SYN) {
        if (!s->base_known || (!s->syn_sent && !s->isn_from_synack)) {
            s->base = seg->seq;
            s->base_known = true;
        }
    } else if (!s->base_known) {
        s->base = seg->seq - 1;
        s->base_known = true;
    }
    if (x.ack_flag && !r->base_known) {
        r->base = seg->ack - 1;
        r->base_known = true;
    }

    tcpfsm_i_classify(&x);

    tcpfsm_i_apply_moves(&x);

    out->phase = phase_of(c, out, x.rst_accepted);
    if (out->phase == TCPFSM_PH_TEARDOWN || out->phase == TCPFSM_PH_CLOSED) {
        if (out->close == TCPFSM_CL_NONE)
            out->close = (c->refused ? TCPFSM_CL_REFUSED
                          : (c->reset && !c->rst_after_fins) ? TCPFSM_CL_RESET
                                                             : c->close);
    }
    out->seq_rel = tcpfsm_i_rel_seq(s, seg->seq);
    if (x.ack_flag) {
        out->ack_rel = tcpfsm_i_rel_seq(r, seg->ack);
        out->has_ack_rel = true;
    }

    tcpfsm_i_append_moves(&x);
    tcpfsm_i_append_notes(&x);
    track(&x);

    c->anomalies |= out->anomalies;
    c->last_frame = seg->frame;
    if (seg->has_time) {
        if (!c->has_time) {
            c->has_time = true;
            c->first_time = seg->time;
        }
        c->last_time = seg->time;
    }
    bool done = c->reset || c->refused ||
                (tcpfsm_i_endpoint_done(c->ep[0].state) &&
                 tcpfsm_i_endpoint_done(c->ep[1].state) &&
                 c->ep[0].packets + c->ep[1].packets > 0 &&
                 (c->ep[0].fin_sent || c->ep[1].fin_sent));
    if (done)
        tcpfsm_i_mark_finished(e, c, seg);
    tcpfsm_i_expire(e, false, 0);
    return 0;
}
