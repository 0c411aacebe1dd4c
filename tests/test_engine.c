/* test_engine.c - table-driven unit tests of the rule engine.
 *
 * Each scenario is a list of segments between a client C and a server S,
 * with sequence numbers given relative to each side's ISN (as Wireshark
 * shows them) and, for every segment, the label the engine must give.
 * Where RFC 9293, the Linux kernel and Zeek could disagree, the comment
 * on the scenario says which one is followed and why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tcpfsm.h"
#include "tcpfsm_input.h"
#include "test_macros.h"
#include "zeek.h"


typedef struct step {
    int dir;
    uint16_t flags;
    uint32_t seq_rel, ack_rel, len;
    /* expected */
    const char *event, *phase, *stepstr, *close;
    tcpfsm_state src_prev, src_state, dst_prev, dst_state;
    int ack_ok;
    uint32_t anomalies;
    const char *label_has; /* a substring the label must contain, or NULL */
} step;

typedef struct scenario {
    const char *name;
    uint32_t c_isn, s_isn;
    int v6;
    const step *steps;
    size_t n;
    /* expected summary */
    const char *handshake, *close, *active_closer;
    tcpfsm_state client_state, server_state;
} scenario;


static void fill_addr(tcpfsm_addr *a, int v6, int host)
{
    memset(a, 0, sizeof *a);
    if (v6) {
        a->family = 6;
        a->bytes[0] = 0x20, a->bytes[1] = 0x01, a->bytes[2] = 0x0d,
        a->bytes[3] = 0xb8;
        a->bytes[15] = (uint8_t)host;
    } else {
        a->family = 4;
        a->bytes[0] = 10, a->bytes[3] = (uint8_t)host;
    }
}

static void make_seg(const scenario *sc, const step *st, uint64_t frame,
                     tcpfsm_segment *seg)
{
    tcpfsm_segment_init(seg);
    seg->frame = frame;
    seg->time = 1000.0 + (double)frame * 0.001;
    seg->has_time = true;
    int from_client = st->dir == C2S;
    fill_addr(&seg->src, sc->v6, from_client ? 1 : 2);
    fill_addr(&seg->dst, sc->v6, from_client ? 2 : 1);
    seg->sport = from_client ? 40000 : 80;
    seg->dport = from_client ? 80 : 40000;
    seg->flags = st->flags;
    uint32_t own = from_client ? sc->c_isn : sc->s_isn;
    uint32_t peer = from_client ? sc->s_isn : sc->c_isn;
    seg->seq = own + st->seq_rel;
    seg->ack = (st->flags & A_) ? peer + st->ack_rel : 0;
    seg->len = st->len;
    seg->window = 65535;
    seg->has_window = true;
}

typedef struct collected {
    tcpfsm_summary s[8];
    int n;
} collected;

static void collect(const tcpfsm_summary *s, void *user)
{
    collected *c = user;
    if (c->n < 8)
        c->s[c->n++] = *s;
}

static void check_label(const scenario *sc, size_t i, const step *st,
                        const tcpfsm_label *l)
{
    char buf[64], where[128];
    snprintf(where, sizeof where, "%s, segment %zu", sc->name, i + 1);
#define EQ_STR(got, want)                                                   \
    do {                                                                    \
        if (strcmp((got), (want)) != 0)                                     \
            fail_msg("%s: %s is \"%s\", want \"%s\" (label: %s)", where,    \
                     #want, (got), (want), l->label);                       \
    } while (0)
#define EQ_INT(got, want)                                                   \
    do {                                                                    \
        if ((long)(got) != (long)(want))                                    \
            fail_msg("%s: %s is %ld, want %ld (label: %s)", where, #want,   \
                     (long)(got), (long)(want), l->label);                  \
    } while (0)
    EQ_STR(tcpfsm_event_name(l->event), st->event);
    if (st->phase)
        EQ_STR(tcpfsm_phase_name(l->phase), st->phase);
    EQ_STR(tcpfsm_step_str(l, buf, sizeof buf), st->stepstr);
    if (st->close)
        EQ_STR(tcpfsm_close_name(l->close), st->close);
    if (st->src_prev != (tcpfsm_state)-1) {
        EQ_STR(tcpfsm_state_name(l->src_prev), tcpfsm_state_name(st->src_prev));
        EQ_STR(tcpfsm_state_name(l->src_state), tcpfsm_state_name(st->src_state));
        EQ_STR(tcpfsm_state_name(l->dst_prev), tcpfsm_state_name(st->dst_prev));
        EQ_STR(tcpfsm_state_name(l->dst_state), tcpfsm_state_name(st->dst_state));
    }
    EQ_INT(l->ack_ok, st->ack_ok);
    if (l->anomalies != st->anomalies) {
        char g[256], w[256];
        fail_msg("%s: anomalies \"%s\", want \"%s\" (label: %s)", where,
                 tcpfsm_anomalies_str(l->anomalies, g, sizeof g),
                 tcpfsm_anomalies_str(st->anomalies, w, sizeof w), l->label);
    }
    EQ_STR(tcpfsm_role_name(l->role), st->dir == C2S ? "client" : "server");
    EQ_INT(l->seq_rel, st->seq_rel);
    if (st->flags & A_)
        EQ_INT(l->ack_rel, st->ack_rel);
    if (st->label_has && !strstr(l->label, st->label_has))
        fail_msg("%s: label \"%s\" lacks \"%s\"", where, l->label, st->label_has);
}

static void run_scenario(const scenario *sc)
{
    collected got = {0};
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = collect;
    cfg.user = &got;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    for (size_t i = 0; i < sc->n; i++) {
        tcpfsm_segment seg;
        tcpfsm_label l;
        make_seg(sc, &sc->steps[i], i + 1, &seg);
        assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
        check_label(sc, i, &sc->steps[i], &l);
    }
    tcpfsm_engine_finish(e);
    tcpfsm_engine_free(e);
    assert_int_equal(got.n, 1);
    const tcpfsm_summary *s = &got.s[0];
    assert_string_equal(tcpfsm_handshake_name(s->handshake), sc->handshake);
    assert_string_equal(tcpfsm_close_name(s->close), sc->close);
    assert_string_equal(tcpfsm_role_name(s->active_closer), sc->active_closer);
    assert_string_equal(tcpfsm_state_name(s->client_state),
                        tcpfsm_state_name(sc->client_state));
    assert_string_equal(tcpfsm_state_name(s->server_state),
                        tcpfsm_state_name(sc->server_state));
    char ep[80];
    tcpfsm_endpoint_str(&s->client_addr, s->client_port, ep, sizeof ep);
    assert_string_equal(ep, sc->v6 ? "[2001:db8::1]:40000" : "10.0.0.1:40000");
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define NOSTATE (tcpfsm_state) - 1, 0, 0, 0

/* the three handshake steps, with client ISN c and server ISN s */
#define HANDSHAKE                                                            \
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0, \
     NULL},                                                                  \
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", SR, SR, SS,   \
     ES, 1, 0, NULL},                                                        \
    {C2S, A_, 1, 1, 0, "hs-ack", "handshake", "3/3", "", ES, ES, SR, ES, 1,  \
     0, NULL}

/* ---- the worked examples people learn from ---- */

/* Client ISN 830831828, server ISN 2690963443: ack 830831829, then
 * 2690963444. */
static const step ex_handshake[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     "Handshake 1/3: SYN, client ISN 830831828"},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", SR, SR, SS, ES,
     1, 0, "Handshake 2/3: SYN-ACK, ack 830831829 = client ISN 830831828 + 1 ✓"},
    {C2S, A_, 1, 1, 0, "hs-ack", "handshake", "3/3", "", ES, ES, SR, ES, 1, 0,
     "Handshake 3/3: ACK, ack 2690963444 = server ISN 2690963443 + 1 ✓"},
};

/* SSH: [FIN, ACK] Seq=3343 Ack=4478, [ACK] Seq=4478 Ack=3344, [FIN, ACK]
 * Seq=4478 Ack=3344, [ACK] Seq=3344 Ack=4479: the client closes actively
 * and ends in TIME_WAIT. */
static const step ex_ssh[] = {
    HANDSHAKE,
    {C2S, P_ | A_, 1, 1, 3342, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
    {S2C, P_ | A_, 1, 3343, 4477, "data", "established", "", "", ES, ES, ES,
     ES, -1, 0, NULL},
    {C2S, F_ | A_, 3343, 4478, 0, "fin1", "teardown", "1/4", "", ES, F1, ES,
     CW, -1, 0, "Teardown 1/4: FIN from the client (active close), seq 3343"},
    {S2C, A_, 4478, 3344, 0, "fin1-ack", "teardown", "2/4", "fin4", CW, CW,
     F1, F2, 1, 0, "ack 3344 = FIN seq 3343 + 1 ✓"},
    {S2C, F_ | A_, 4478, 3344, 0, "fin2", "teardown", "3/4", "fin4", CW, LA,
     F2, TW, -1, 0, "Teardown 3/4: FIN from the server (passive close)"},
    {C2S, A_, 3344, 4479, 0, "fin2-ack", "teardown", "4/4", "fin4", TW, TW,
     LA, CL, 1, 0, "ack 4479 = FIN seq 4478 + 1 ✓"},
};

/* HTTP closed in three segments: [FIN, ACK] Seq=80 Ack=650, [FIN, ACK]
 * Seq=650 Ack=81, [ACK] Seq=81 Ack=651.  The first FIN is numbered 1/4:
 * at that moment nothing shows the close will be merged (labels are
 * causal). */
static const step ex_http_merged[] = {
    HANDSHAKE,
    {C2S, P_ | A_, 1, 1, 79, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
    {S2C, P_ | A_, 1, 80, 649, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
    {C2S, F_ | A_, 80, 650, 0, "fin1", "teardown", "1/4", "", ES, F1, ES, CW,
     -1, 0, NULL},
    {S2C, F_ | A_, 650, 81, 0, "fin2", "teardown", "2+3/4", "fin3", CW, LA, F1,
     TW, 1, 0, "merged"},
    {C2S, A_, 81, 651, 0, "fin2-ack", "teardown", "4/4", "fin3", TW, TW, LA,
     CL, 1, 0, "ack 651 = FIN seq 650 + 1 ✓"},
};

/* IPv6: the server sends the first FIN, four-way. */
static const step ex_ipv6_server_close[] = {
    HANDSHAKE,
    {C2S, P_ | A_, 1, 1, 100, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
    {S2C, P_ | A_, 1, 101, 500, "data", "established", "", "", ES, ES, ES,
     ES, -1, 0, NULL},
    {S2C, F_ | A_, 501, 101, 0, "fin1", "teardown", "1/4", "", ES, F1, ES, CW,
     -1, 0, "FIN from the server (active close)"},
    {C2S, A_, 101, 502, 0, "fin1-ack", "teardown", "2/4", "fin4", CW, CW, F1,
     F2, 1, 0, NULL},
    {C2S, F_ | A_, 101, 502, 0, "fin2", "teardown", "3/4", "fin4", CW, LA, F2,
     TW, -1, 0, NULL},
    {S2C, A_, 502, 102, 0, "fin2-ack", "teardown", "4/4", "fin4", TW, TW, LA,
     CL, 1, 0, NULL},
};

/* ---- SPEC.md section 3 variants ---- */

/* Simultaneous close: the server's FIN does not acknowledge the client's.
 * Each side goes FIN_WAIT_1 -> CLOSING on the other's FIN and CLOSING ->
 * TIME_WAIT on the ACK of its own.  At the client's FIN the server was
 * presumed to receive it (CLOSE_WAIT); its crossing FIN shows it was still
 * ESTABLISHED, so that FIN's src_prev is corrected to ESTABLISHED. */
static const step v_sim_close[] = {
    HANDSHAKE,
    {C2S, F_ | A_, 1, 1, 0, "fin1", "teardown", "1/4", "", ES, F1, ES, CW, -1,
     0, NULL},
    {S2C, F_ | A_, 1, 1, 0, "fin2", "teardown", "2/4", "simultaneous", ES, F1,
     F1, CG, -1, AN(SIMULTANEOUS_CLOSE), "crossing"},
    {S2C, A_, 2, 2, 0, "fin1-ack", "teardown", "3/4", "simultaneous", F1, CG,
     CG, TW, 1, 0, NULL},
    {C2S, A_, 2, 2, 0, "fin2-ack", "teardown", "4/4", "simultaneous", TW, TW,
     CG, TW, 1, 0, NULL},
};

/* Simultaneous open (RFC 9293 figure 7): SYNs cross, then each side's
 * SYN-ACK.  Both SYN_SENT -> SYN_RECEIVED -> ESTABLISHED. */
static const step v_sim_open[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {S2C, S_, 0, 0, 0, "syn", "handshake", "2/4", "", CL, SS, SS, SR, -1,
     AN(SIMULTANEOUS_OPEN), "Simultaneous open"},
    {C2S, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "3/4", "", SR, SR, SS, ES,
     1, 0, NULL},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "4/4", "", ES, ES, SR, ES,
     1, 0, NULL},
    {C2S, F_ | A_, 1, 1, 0, "fin1", "teardown", "1/4", "", ES, F1, ES, CW, -1,
     0, NULL},
    {S2C, F_ | A_, 1, 2, 0, "fin2", "teardown", "2+3/4", "fin3", CW, LA, F1, TW,
     1, 0, NULL},
    {C2S, A_, 2, 2, 0, "fin2-ack", "teardown", "4/4", "fin3", TW, TW, LA, CL,
     1, 0, NULL},
};

/* Refused: SYN answered by RST+ACK with ack = ISN + 1.  The RST's seq is
 * the server's first seq seen, so relative 1, as Wireshark shows it. */
static const step v_refused[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {S2C, R_ | A_, 1, 1, 0, "rst", "reset", "", "refused", SR, CL, SS, CL, 1,
     0, "Refused"},
};

/* Reset in ESTABLISHED, RST seq in the receiver's window. */
static const step v_reset[] = {
    HANDSHAKE,
    {C2S, P_ | A_, 1, 1, 10, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
    {S2C, R_ | A_, 1, 11, 0, "rst", "reset", "", "reset", ES, CL, ES, CL, -1,
     0, "Reset"},
    {C2S, P_ | A_, 11, 1, 5, "data", "closed", "", "reset", CL, CL, CL, CL,
     -1, AN(UNEXPECTED), NULL},
    /* a pure ACK from an endpoint the accepted RST closed */
    {C2S, A_, 16, 1, 0, "ack", "closed", "", "reset", CL, CL, CL, CL,
     -1, AN(UNEXPECTED), NULL},
};

/* An RST far outside the receiver's window is labelled but moves nobody;
 * a later in-window RST resets the connection. */
static const step v_rst_out_of_window[] = {
    HANDSHAKE,
    {S2C, R_, 1000000, 0, 0, "rst", "established", "", "", ES, ES, ES, ES,
     -1, AN(RST_OUT_OF_WINDOW), "ignored"},
    {C2S, R_, 1, 0, 0, "rst", "reset", "", "reset", ES, CL, ES, CL, -1, 0,
     NULL},
};

/* Half-close: after the client's FIN the server keeps sending data in
 * CLOSE_WAIT, which the client receives in FIN_WAIT_2.  Not an anomaly. */
static const step v_half_close[] = {
    HANDSHAKE,
    {C2S, P_ | A_, 1, 1, 20, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
    {C2S, F_ | A_, 21, 1, 0, "fin1", "teardown", "1/4", "", ES, F1, ES, CW,
     -1, 0, NULL},
    {S2C, A_, 1, 22, 0, "fin1-ack", "teardown", "2/4", "fin4", CW, CW, F1, F2,
     1, 0, NULL},
    {S2C, P_ | A_, 1, 22, 1000, "data", "teardown", "", "fin4", CW, CW, F2,
     F2, -1, 0, NULL},
    {S2C, P_ | A_, 1001, 22, 1000, "data", "teardown", "", "fin4", CW, CW, F2,
     F2, -1, 0, NULL},
    {C2S, A_, 22, 2001, 0, "ack", "teardown", "", "fin4", F2, F2, CW, CW, -1,
     0, NULL},
    {S2C, F_ | A_, 2001, 22, 0, "fin2", "teardown", "3/4", "fin4", CW, LA, F2,
     TW, -1, 0, NULL},
    {C2S, A_, 22, 2002, 0, "fin2-ack", "teardown", "4/4", "fin4", TW, TW, LA,
     CL, 1, 0, NULL},
};

/* Retransmitted SYN, SYN-ACK and FIN: the step's event again, anomaly
 * retransmission, no state moves. */
static const step v_retransmissions[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", SS, SS, SR, SR, -1,
     AN(RETRANSMISSION), "retransmitted"},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", SR, SR, SS, ES,
     1, 0, NULL},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", SR, SR, ES, ES,
     -1, AN(RETRANSMISSION), NULL},
    {C2S, A_, 1, 1, 0, "hs-ack", "handshake", "3/3", "", ES, ES, SR, ES, 1, 0,
     NULL},
    {C2S, F_ | A_, 1, 1, 0, "fin1", "teardown", "1/4", "", ES, F1, ES, CW, -1,
     0, NULL},
    {C2S, F_ | A_, 1, 1, 0, "fin1", "teardown", "1/4", "", F1, F1, CW, CW, -1,
     AN(RETRANSMISSION), NULL},
    {S2C, A_, 1, 2, 0, "fin1-ack", "teardown", "2/4", "fin4", CW, CW, F1, F2,
     1, 0, NULL},
};

/* Capture starts mid-connection: states UNKNOWN until a FIN shows them. */
static const step v_midstream[] = {
    {C2S, P_ | A_, 1, 1, 100, "data", "unknown", "", "", U, U, U, U, -1,
     AN(MIDSTREAM), "mid-connection"},
    {S2C, P_ | A_, 1, 101, 50, "data", "unknown", "", "", U, U, U, U, -1, 0,
     NULL},
    {C2S, F_ | A_, 101, 51, 0, "fin1", "teardown", "1/4", "", U, F1, U, CW,
     -1, 0, NULL},
    {S2C, A_, 51, 102, 0, "fin1-ack", "teardown", "2/4", "fin4", CW, CW, F1,
     F2, 1, 0, NULL},
    {S2C, F_ | A_, 51, 102, 0, "fin2", "teardown", "3/4", "fin4", CW, LA, F2,
     TW, -1, 0, NULL},
    {C2S, A_, 102, 52, 0, "fin2-ack", "teardown", "4/4", "fin4", TW, TW, LA,
     CL, 1, 0, NULL},
};

/* SYN with data (e.g. TCP Fast Open). */
static const step v_syn_data[] = {
    {C2S, S_, 0, 0, 20, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1,
     AN(SYN_DATA), "20 bytes"},
    /* SPEC 6, RFC 7413: ack = ISN + 1 + 20 accepts the SYN's data */
    {S2C, S_ | A_, 0, 21, 0, "syn-ack", "handshake", "2/3", "", SR, SR, SS,
     ES, 1, 0, "+ 1 + 20 bytes of SYN data ✓"},
};

/* ---- SPEC 6, imperfect captures: one row per rule ---- */

/* TCP Fast Open fallback: the SYN-ACK takes only the SYN; the handshake
 * ACK carries the SYN's 20 bytes again: a retransmission. */
static const step v_tfo_fallback[] = {
    {C2S, S_, 0, 0, 20, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1,
     AN(SYN_DATA), NULL},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", SR, SR, SS,
     ES, 1, 0, "+ 1 ✓"},
    {C2S, P_ | A_, 1, 1, 20, "hs-ack", "handshake", "3/3", "", ES, ES, SR,
     ES, 1, AN(RETRANSMISSION), "retransmission"},
};

/* Evidence of receipt from SYN_SENT: the SYN-ACK is not in the capture;
 * the client's ACK proves it had it. */
static const step v_lost_synack[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {C2S, A_, 1, 1, 0, "hs-ack", "handshake", "3/3", "", SS, ES, SR, ES, 1,
     AN(INFERRED), "not in the capture"},
    {C2S, P_ | A_, 1, 1, 10, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
};

/* Evidence of receipt from SYN_RECEIVED: only the SYN and the server's
 * data acknowledging client data were captured: the server left
 * SYN_RECEIVED, so the client had the SYN-ACK. */
static const step v_server_evidence[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {S2C, P_ | A_, 1, 11, 30, "data", "established", "", "", SR, ES, SS, ES,
     -1, AN(INFERRED), "inferred"},
};

/* No FIN from SYN_SENT: a FIN+ACK from a client whose SYN-ACK was not
 * captured is SYNCED first (inferred), then FIN_WAIT_1. */
static const step v_fin_from_syn_sent[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {C2S, F_ | A_, 1, 1, 0, "fin1", "teardown", "1/4", "", SS, F1, SR, CW, -1,
     AN(INFERRED), "inferred"},
};

/* Reordering: the handshake ACK captured before the SYN-ACK. */
static const step v_reordered_hsack[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {C2S, A_, 1, 1, 0, "hs-ack", "handshake", "3/3", "", SS, ES, SR, ES, 1,
     AN(INFERRED), NULL},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", ES, ES, ES,
     ES, 1, AN(REORDERED), "reordered"},
    {C2S, P_ | A_, 1, 1, 10, "data", "established", "", "", ES, ES, ES, ES,
     -1, 0, NULL},
};

/* Reordering: the ACK of the client's FIN captured before that FIN: the
 * FIN is reordered and its sender goes on to FIN_WAIT_2. */
static const step v_reordered_finack[] = {
    HANDSHAKE,
    {S2C, A_, 1, 2, 0, "ack", "established", "", "", ES, ES, ES, ES, -1, 0,
     NULL},
    {C2S, F_ | A_, 1, 1, 0, "fin1", "teardown", "1/4", "fin4", ES, F2, ES, CW,
     -1, AN(REORDERED), "reordered"},
    {S2C, F_ | A_, 1, 2, 0, "fin2", "teardown", "3/4", "fin4", CW, LA, F2, TW,
     -1, 0, NULL},
    {C2S, A_, 2, 2, 0, "fin2-ack", "teardown", "4/4", "fin4", TW, TW, LA, CL,
     1, 0, NULL},
};

/* A repeated SYN-ACK answering the same SYN with a second ISN. */
static const step v_synack_new_isn[] = {
    HANDSHAKE,
    {S2C, S_ | A_, 5000, 1, 0, "syn-ack", "handshake", "2/3", "", ES, ES, ES,
     ES, -1, AN(RETRANSMISSION) | AN(UNEXPECTED), "new ISN"},
};

/* Bad flag combinations: labelled "other", moving nobody. */
/* A probe that no connection sends is not the middle of one: the prober
 * holds no connection (CLOSED), the port is presumed listening. */
static const step v_bad_flags[] = {
    {C2S, S_ | F_, 0, 0, 0, "other", NULL, "", "", CL, CL, LI, LI, -1,
     AN(BAD_FLAGS), "SYN+FIN"},
    {C2S, S_ | R_, 0, 0, 0, "other", NULL, "", "", NOSTATE, -1,
     AN(BAD_FLAGS), "SYN+RST"},
    {C2S, 0, 0, 0, 0, "other", NULL, "", "", NOSTATE, -1, AN(BAD_FLAGS),
     "no flags"},
};

/* The client's RST after the SYN-ACK (a half-open scan): RFC 9293
 * 3.10.7.4 returns a passive open to LISTEN; the summary says so. */
static const step v_rst_in_syn_received[] = {
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", CL, SS, LI, SR, -1, 0,
     NULL},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", SR, SR, SS, ES,
     1, 0, NULL},
    {C2S, R_, 1, 0, 0, "rst", "reset", "", "reset", ES, CL, SR, LI, -1, 0,
     NULL},
};

/* Reordered handshake: the SYN-ACK is captured before its SYN. */
static const step v_reordered[] = {
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "handshake", "2/3", "", SR, SR, SS, ES,
     -1, 0, "not captured"},
    {C2S, S_, 0, 0, 0, "syn", "handshake", "1/3", "", ES, ES, SR, SR, -1,
     AN(REORDERED), "reordered"},
    {C2S, A_, 1, 1, 0, "hs-ack", "handshake", "3/3", "", ES, ES, SR, ES, 1, 0,
     NULL},
};

/* Data after the sender's own FIN. */
static const step v_data_after_fin[] = {
    HANDSHAKE,
    {C2S, F_ | A_, 1, 1, 0, "fin1", "teardown", "1/4", "", ES, F1, ES, CW, -1,
     0, NULL},
    {C2S, P_ | A_, 2, 1, 10, "data", "teardown", "", "", F1, F1, CW, CW, -1,
     AN(DATA_AFTER_FIN), NULL},
};

#define SC(nm, c, s, v6, arr, hs, cl, ac, cs, ss) \
    {nm, c, s, v6, arr, N(arr), hs, cl, ac, cs, ss}

static const scenario scenarios[] = {
    SC("worked example: handshake", 830831828u, 2690963443u, 0, ex_handshake,
       "complete", "open", "", ES, ES),
    SC("worked example: SSH four-way close", 1000, 5000, 0, ex_ssh,
       "complete", "fin4", "client", TW, CL),
    SC("worked example: HTTP merged close", 7, 9, 0, ex_http_merged,
       "complete", "fin3", "client", TW, CL),
    SC("worked example: IPv6 server closes", 100, 200, 1,
       ex_ipv6_server_close, "complete", "fin4", "server", CL, TW),
    SC("simultaneous close", 1, 2, 0, v_sim_close, "complete", "simultaneous",
       "both", TW, TW),
    SC("simultaneous open", 11, 22, 0, v_sim_open, "simultaneous", "fin3",
       "client", TW, CL),
    SC("refused", 5, 0, 0, v_refused, "refused", "refused", "", CL, CL),
    SC("reset", 5, 6, 0, v_reset, "complete", "reset", "server", CL, CL),
    SC("rst out of window", 5, 6, 0, v_rst_out_of_window, "complete", "reset",
       "client", CL, CL),
    SC("half-close with data", 5, 6, 0, v_half_close, "complete", "fin4",
       "client", TW, CL),
    SC("retransmitted steps", 5, 6, 0, v_retransmissions, "complete",
       "half-closed", "client", F2, CW),
    SC("midstream", 5, 6, 0, v_midstream, "none", "fin4", "client", TW, CL),
    SC("syn with data", 5, 6, 0, v_syn_data, "partial", "open", "", ES, SR),
    SC("tfo fallback", 5, 6, 0, v_tfo_fallback, "complete", "open", "", ES,
       ES),
    SC("lost syn-ack: evidence of receipt", 5, 6, 0, v_lost_synack, "partial",
       "open", "", ES, ES),
    SC("server evidence of receipt", 5, 6, 0, v_server_evidence, "partial",
       "open", "", ES, ES),
    SC("no FIN from SYN_SENT", 5, 6, 0, v_fin_from_syn_sent, "partial",
       "half-closed", "client", F1, CW),
    SC("reordered handshake ACK", 5, 6, 0, v_reordered_hsack, "complete",
       "open", "", ES, ES),
    SC("reordered FIN ACK", 5, 6, 0, v_reordered_finack, "complete", "fin4",
       "client", TW, CL),
    SC("syn-ack with a second ISN", 5, 6, 0, v_synack_new_isn, "complete",
       "open", "", ES, ES),
    SC("bad flags", 5, 6, 0, v_bad_flags, "none", "open", "", CL, LI),
    SC("rst in SYN_RECEIVED", 5, 6, 0, v_rst_in_syn_received, "partial",
       "reset", "client", CL, LI),
    SC("reordered handshake", 5, 6, 0, v_reordered, "complete", "open", "",
       ES, ES),
    SC("data after fin", 5, 6, 0, v_data_after_fin, "complete", "half-closed",
       "client", F1, CW),
    /* sequence wrap-around: ISNs just below 2^32 */
    SC("wrap-around SSH close", 0xFFFFFF00u, 0xFFFFFFF0u, 0, ex_ssh,
       "complete", "fin4", "client", TW, CL),
    SC("wrap-around merged close", 0xFFFFFFB0u, 0xFFFFFE00u, 0,
       ex_http_merged, "complete", "fin3", "client", TW, CL),
};

static void test_scenario(void **state)
{
    run_scenario((const scenario *)*state);
}

/* ---- tests that are not one scenario ---- */

static void test_seq_compare_wraps(void **state)
{
    (void)state;
    assert_true(tcpfsm_seq_lt(0xFFFFFFF0u, 0x00000010u));
    assert_false(tcpfsm_seq_lt(0x00000010u, 0xFFFFFFF0u));
    assert_true(tcpfsm_seq_le(5, 5));
    assert_true(tcpfsm_seq_lt(0x7FFFFFFFu, 0x80000000u));
    assert_false(tcpfsm_seq_lt(5, 5));
}

static void feed_conn(tcpfsm_engine *e, uint64_t *frame, int port,
                      uint32_t isn, int64_t stream, bool close_it)
{
    static const struct { int dir; uint16_t f; uint32_t s, a; } seq4[] = {
        {C2S, S_, 0, 0}, {S2C, S_ | A_, 0, 1}, {C2S, A_, 1, 1},
        {C2S, F_ | A_, 1, 1}, {S2C, F_ | A_, 1, 2}, {C2S, A_, 2, 2},
    };
    size_t n = close_it ? 6 : 3;
    for (size_t i = 0; i < n; i++) {
        tcpfsm_segment seg;
        tcpfsm_label l;
        tcpfsm_segment_init(&seg);
        seg.frame = ++*frame;
        seg.time = (double)*frame * 1e-4;
        seg.has_time = true;
        seg.stream = stream;
        int c = seq4[i].dir == C2S;
        fill_addr(&seg.src, 0, c ? 1 : 2);
        fill_addr(&seg.dst, 0, c ? 2 : 1);
        seg.sport = c ? (uint16_t)port : 80;
        seg.dport = c ? 80 : (uint16_t)port;
        seg.flags = seq4[i].f;
        seg.seq = (c ? isn : isn + 7777) + seq4[i].s;
        seg.ack = (seg.flags & A_) ? (c ? isn + 7777 : isn) + seq4[i].a : 0;
        assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
    }
}

static void count_summary(const tcpfsm_summary *s, void *user)
{
    (void)s;
    (*(unsigned long *)user)++;
}

/* Port reuse by 4-tuple (no tcp.stream): a new SYN with a new ISN after
 * the old connection closed starts a new connection. */
static void test_port_reuse_tuple(void **state)
{
    (void)state;
    collected got = {0};
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = collect;
    cfg.user = &got;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    uint64_t frame = 0;
    feed_conn(e, &frame, 5555, 1000, -1, true);
    /* a new SYN, same 4-tuple, new ISN */
    tcpfsm_segment seg;
    tcpfsm_label l;
    tcpfsm_segment_init(&seg);
    seg.frame = ++frame;
    fill_addr(&seg.src, 0, 1);
    fill_addr(&seg.dst, 0, 2);
    seg.sport = 5555, seg.dport = 80;
    seg.flags = S_;
    seg.seq = 99999;
    assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
    assert_string_equal(tcpfsm_event_name(l.event), "syn");
    assert_true(l.anomalies & AN(PORT_REUSE));
    assert_int_equal(l.conn_id, 2);
    assert_int_equal(got.n, 1); /* the old one was summarized */
    assert_string_equal(tcpfsm_close_name(got.s[0].close), "fin3");
    /* a retransmission of the same SYN is not a third connection */
    seg.frame = ++frame;
    assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
    assert_int_equal(l.conn_id, 2);
    assert_true(l.anomalies & AN(RETRANSMISSION));
    tcpfsm_engine_finish(e);
    assert_int_equal(got.n, 2);
    tcpfsm_engine_free(e);
}

/* With tcp.stream, Wireshark's split is followed: a new stream on a used
 * 4-tuple that opens with a SYN is flagged port-reuse. */
static void test_port_reuse_stream(void **state)
{
    (void)state;
    tcpfsm_engine *e = tcpfsm_engine_new(NULL);
    uint64_t frame = 0;
    feed_conn(e, &frame, 5555, 1000, 0, true);
    tcpfsm_segment seg;
    tcpfsm_label l;
    tcpfsm_segment_init(&seg);
    seg.frame = ++frame;
    seg.stream = 1;
    fill_addr(&seg.src, 0, 1);
    fill_addr(&seg.dst, 0, 2);
    seg.sport = 5555, seg.dport = 80;
    seg.flags = S_;
    seg.seq = 1000; /* even the same ISN: Wireshark said new stream */
    assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
    assert_true(l.anomalies & AN(PORT_REUSE));
    assert_int_equal(l.conn_id, 2);
    tcpfsm_engine_free(e);
}

/* A million short connections: finished ones are released, so the
 * engine never holds more than the linger bound plus the open ones. */
/* ---- the max_open cap (SYN flood) ---- */

typedef struct evlog {
    int n;
    uint16_t port[16];   /* client port of each summary, in order */
    uint32_t anom[16];
    char anomstr[16][64];
} evlog;

static void log_summary(const tcpfsm_summary *s, void *user)
{
    evlog *g = user;
    if (g->n < 16) {
        g->port[g->n] = s->client_port;
        g->anom[g->n] = s->anomalies;
        tcpfsm_anomalies_str(s->anomalies, g->anomstr[g->n],
                             sizeof g->anomstr[g->n]);
    }
    g->n++;
}

/* A bare SYN from client port `port` (tuple mode: no tcp.stream). */
static void feed_syn(tcpfsm_engine *e, uint64_t *frame, int port,
                     uint32_t isn)
{
    tcpfsm_segment seg;
    tcpfsm_label l;
    tcpfsm_segment_init(&seg);
    seg.frame = ++*frame;
    seg.time = (double)*frame * 1e-3;
    seg.has_time = true;
    fill_addr(&seg.src, 0, 1);
    fill_addr(&seg.dst, 0, 2);
    seg.sport = (uint16_t)port;
    seg.dport = 80;
    seg.flags = S_;
    seg.seq = isn;
    assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
}

/* With max_open 3, a fourth half-open connection evicts the one idle the
 * longest (least recently fed, not the oldest created); its summary comes
 * at once with the anomaly `evicted`, after the SPEC tokens it had. */
static void test_max_open_evicts_lru(void **state)
{
    (void)state;
    evlog g = {0};
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    assert_int_equal(cfg.max_open, TCPFSM_DEFAULT_MAX_OPEN);
    cfg.on_summary = log_summary;
    cfg.user = &g;
    cfg.max_open = 3;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    uint64_t frame = 0;
    feed_syn(e, &frame, 1001, 100); /* A */
    feed_syn(e, &frame, 1002, 200); /* B */
    feed_syn(e, &frame, 1003, 300); /* C */
    feed_syn(e, &frame, 1001, 100); /* A again (retransmission): recent */
    assert_int_equal(tcpfsm_engine_open_count(e), 3);
    assert_int_equal(g.n, 0);
    assert_int_equal(tcpfsm_engine_evictions(e), 0);

    feed_syn(e, &frame, 1004, 400); /* D: B is idle the longest */
    assert_int_equal(g.n, 1);
    assert_int_equal(g.port[0], 1002);
    assert_true(g.anom[0] & TCPFSM_AN_EVICTED);
    assert_string_equal(g.anomstr[0], "evicted");
    assert_int_equal(tcpfsm_engine_evictions(e), 1);
    assert_int_equal(tcpfsm_engine_open_count(e), 3);

    feed_syn(e, &frame, 1005, 500); /* E: then C */
    assert_int_equal(g.n, 2);
    assert_int_equal(g.port[1], 1003);
    assert_int_equal(tcpfsm_engine_evictions(e), 2);

    /* A's retransmission made it `retransmission`; evicted goes last */
    feed_syn(e, &frame, 1006, 600); /* F: then A */
    assert_int_equal(g.n, 3);
    assert_int_equal(g.port[2], 1001);
    assert_string_equal(g.anomstr[2], "retransmission,evicted");
    assert_int_equal(tcpfsm_engine_evictions(e), 3);
    assert_int_equal(tcpfsm_engine_conn_count(e), 3);

    /* the end: D E F summarized normally, in creation order */
    tcpfsm_engine_finish(e);
    assert_int_equal(g.n, 6);
    assert_int_equal(g.port[3], 1004);
    assert_int_equal(g.port[4], 1005);
    assert_int_equal(g.port[5], 1006);
    for (int i = 3; i < 6; i++)
        assert_false(g.anom[i] & TCPFSM_AN_EVICTED);
    assert_int_equal(tcpfsm_engine_evictions(e), 3);
    tcpfsm_engine_free(e);
}

/* Finished (lingering) connections are not open: they neither count
 * toward max_open nor get evicted; a later segment of an evicted
 * connection starts a new one. */
static void test_max_open_finished_not_counted(void **state)
{
    (void)state;
    evlog g = {0};
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = log_summary;
    cfg.user = &g;
    cfg.max_open = 2;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    uint64_t frame = 0;
    feed_conn(e, &frame, 2001, 10, -1, true);  /* closed: lingers */
    feed_conn(e, &frame, 2002, 20, -1, true);  /* closed: lingers */
    feed_conn(e, &frame, 2003, 30, -1, false); /* open */
    feed_conn(e, &frame, 2004, 40, -1, false); /* open */
    assert_int_equal(tcpfsm_engine_conn_count(e), 4);
    assert_int_equal(tcpfsm_engine_open_count(e), 2);
    assert_int_equal(g.n, 0);
    feed_syn(e, &frame, 2005, 50); /* evicts 2003, not a finished one */
    assert_int_equal(g.n, 1);
    assert_int_equal(g.port[0], 2003);
    assert_true(g.anom[0] & TCPFSM_AN_EVICTED);
    assert_int_equal(tcpfsm_engine_conn_count(e), 4);
    /* 2003 again: a new connection (evicting 2004) */
    feed_syn(e, &frame, 2003, 31);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.port[1], 2004);
    assert_int_equal(tcpfsm_engine_evictions(e), 2);
    tcpfsm_engine_finish(e);
    assert_int_equal(g.n, 6);
    tcpfsm_engine_free(e);
}

/* 100,000 distinct half-open connections under a cap of 1,000: never
 * more than 1,000 open, every connection summarized exactly once, the
 * evictions counted; max_open 0 = no limit. */
static void test_max_open_flood(void **state)
{
    (void)state;
    unsigned long summaries = 0;
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = count_summary;
    cfg.user = &summaries;
    cfg.max_open = 1000;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    uint64_t frame = 0;
    size_t peak = 0;
    for (unsigned i = 0; i < 100000; i++) {
        tcpfsm_segment seg;
        tcpfsm_label l;
        tcpfsm_segment_init(&seg);
        seg.frame = ++frame;
        fill_addr(&seg.src, 0, 1);
        seg.src.bytes[1] = (uint8_t)(i >> 16);
        seg.src.bytes[2] = (uint8_t)(i >> 8);
        seg.src.bytes[3] = (uint8_t)i;
        fill_addr(&seg.dst, 0, 2);
        seg.sport = (uint16_t)(1024 + i % 50000);
        seg.dport = 80;
        seg.flags = S_;
        seg.seq = i * 2654435761u;
        assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
        if (tcpfsm_engine_open_count(e) > peak)
            peak = tcpfsm_engine_open_count(e);
    }
    assert_int_equal(peak, 1000);
    assert_int_equal(tcpfsm_engine_evictions(e), 99000);
    assert_int_equal(summaries, 99000);
    tcpfsm_engine_finish(e);
    assert_int_equal(summaries, 100000);
    tcpfsm_engine_free(e);

    cfg.max_open = 0;
    e = tcpfsm_engine_new(&cfg);
    for (int i = 0; i < 50; i++)
        feed_syn(e, &frame, 3000 + i, (uint32_t)i);
    assert_int_equal(tcpfsm_engine_open_count(e), 50);
    assert_int_equal(tcpfsm_engine_evictions(e), 0);
    tcpfsm_engine_free(e);
}

/* zeek_split (summary --zeek): connections are Zeek's, by 5-tuple, not
 * tcp.stream's; they end when Zeek's table removes them, and its max_open
 * cap evicts (the summary says "evicted") */
static void test_zeek_split(void **state)
{
    (void)state;
    for (int mode = 0; mode < 3; mode++) {
        evlog g = {0};
        tcpfsm_config cfg;
        tcpfsm_config_init(&cfg);
        cfg.on_summary = log_summary;
        cfg.user = &g;
        cfg.zeek_split = mode > 0;
        if (mode == 2)
            cfg.max_open = 1;
        tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
        uint64_t frame = 0;
        /* two 4-tuples that (wrongly) share one tcp.stream */
        feed_conn(e, &frame, 4001, 1, 7, false);
        feed_conn(e, &frame, 4002, 100, 7, false);
        switch (mode) {
        case 0: /* by tcp.stream: one connection */
            assert_int_equal(tcpfsm_engine_conn_count(e), 1);
            break;
        case 1: /* Zeek's: two */
            assert_int_equal(tcpfsm_engine_conn_count(e), 2);
            assert_int_equal(g.n, 0);
            tcpfsm_engine_finish(e);
            assert_int_equal(g.n, 2);
            assert_int_equal(g.port[0], 4001);
            assert_int_equal(g.port[1], 4002);
            assert_int_equal(tcpfsm_engine_evictions(e), 0);
            break;
        case 2: /* Zeek's table holds one: the first is evicted */
            assert_int_equal(g.n, 1);
            assert_int_equal(g.port[0], 4001);
            assert_true(g.anom[0] & TCPFSM_AN_EVICTED);
            assert_int_equal(tcpfsm_engine_evictions(e), 1);
            assert_int_equal(tcpfsm_engine_conn_count(e), 1);
            break;
        }
        tcpfsm_engine_free(e);
    }
}

/* The Zeek session table of summary --zeek has the same cap: the record
 * idle the longest is reported with removed_by "evicted". */
typedef struct zlog {
    int n;
    uint16_t orig_p[8];
    const char *why[8];
} zlog;

static void log_zeek(const tcpfsm_zeek_record *r, void *user)
{
    zlog *g = user;
    if (g->n < 8) {
        g->orig_p[g->n] = r->orig_p;
        g->why[g->n] = r->removed_by;
    }
    g->n++;
}

static void test_zeek_table_max_open(void **state)
{
    (void)state;
    zlog g = {0};
    tcpfsm_zeek_opts o;
    tcpfsm_zeek_opts_init(&o);
    tcpfsm_zeek_table *t = tcpfsm_zeek_table_new(&o, log_zeek, &g);
    tcpfsm_zeek_table_set_max_open(t, 2);
    int ports[] = {5001, 5002, 5001, 5003, 5004};
    for (int i = 0; i < 5; i++) {
        tcpfsm_segment seg;
        tcpfsm_segment_init(&seg);
        seg.frame = (uint64_t)i + 1;
        seg.time = 1.0 + i * 0.001;
        seg.has_time = true;
        fill_addr(&seg.src, 0, 1);
        fill_addr(&seg.dst, 0, 2);
        seg.sport = (uint16_t)ports[i];
        seg.dport = 80;
        seg.flags = S_;
        seg.seq = 1000;
        assert_int_equal(tcpfsm_zeek_table_feed(t, &seg), 0);
    }
    /* 5003 evicts 5002 (5001 was seen again); 5004 evicts 5001 */
    assert_int_equal(g.n, 2);
    assert_int_equal(g.orig_p[0], 5002);
    assert_string_equal(g.why[0], "evicted");
    assert_int_equal(g.orig_p[1], 5001);
    assert_int_equal(tcpfsm_zeek_table_evictions(t), 2);
    assert_int_equal(tcpfsm_zeek_table_count(t), 2);
    tcpfsm_zeek_table_finish(t);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.why[2], "finish");
    tcpfsm_zeek_table_free(t);
}

static void test_memory_bounded(void **state)
{
    (void)state;
    unsigned long summaries = 0;
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = count_summary;
    cfg.user = &summaries;
    cfg.max_lingering = 1000;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    uint64_t frame = 0;
    size_t peak = 0;
    for (unsigned i = 0; i < 1000000; i++) {
        feed_conn(e, &frame, 1024 + (int)(i % 60000), i * 7919u, -1, true);
        size_t n = tcpfsm_engine_conn_count(e);
        if (n > peak)
            peak = n;
    }
    assert_true(peak <= 1001);
    tcpfsm_engine_finish(e);
    assert_int_equal(summaries, 1000000);
    assert_int_equal(tcpfsm_engine_conn_count(e), 0);
    tcpfsm_engine_free(e);
}

/* Finished connections are released after the linger time (capture
 * time), and late segments inside it still belong to them. */
static void test_linger_time(void **state)
{
    (void)state;
    unsigned long summaries = 0;
    tcpfsm_config cfg;
    tcpfsm_config_init(&cfg);
    cfg.on_summary = count_summary;
    cfg.user = &summaries;
    cfg.linger_seconds = 1.0;
    tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
    uint64_t frame = 0;
    feed_conn(e, &frame, 4000, 1, -1, true);
    assert_int_equal(tcpfsm_engine_conn_count(e), 1);
    assert_int_equal(summaries, 0);
    feed_conn(e, &frame, 4001, 1, -1, false); /* time advances a little */
    assert_int_equal(tcpfsm_engine_conn_count(e), 2);
    /* a segment 5 s later releases the finished one */
    tcpfsm_segment seg;
    tcpfsm_label l;
    tcpfsm_segment_init(&seg);
    seg.frame = ++frame;
    seg.time = 5.0;
    seg.has_time = true;
    fill_addr(&seg.src, 0, 1);
    fill_addr(&seg.dst, 0, 2);
    seg.sport = 4001, seg.dport = 80;
    seg.flags = A_;
    seg.seq = 2, seg.ack = 7779;
    assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), 0);
    assert_int_equal(summaries, 1);
    assert_int_equal(tcpfsm_engine_conn_count(e), 1);
    tcpfsm_summary s;
    assert_true(tcpfsm_engine_conn_summary(e, l.conn_id, &s));
    assert_string_equal(tcpfsm_handshake_name(s.handshake), "complete");
    tcpfsm_engine_free(e);
}

static void test_no_address(void **state)
{
    (void)state;
    tcpfsm_engine *e = tcpfsm_engine_new(NULL);
    tcpfsm_segment seg;
    tcpfsm_label l;
    tcpfsm_segment_init(&seg);
    seg.flags = S_;
    assert_int_equal(tcpfsm_engine_feed(e, &seg, &l), TCPFSM_E_NOADDR);
    assert_int_equal(l.event, TCPFSM_EV_NONE);
    assert_non_null(strstr(tcpfsm_strerror(TCPFSM_E_NOADDR), "address"));
    tcpfsm_engine_free(e);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(tcpfsm_state_name(TCPFSM_FIN_WAIT_1), "FIN_WAIT_1");
    assert_string_equal(tcpfsm_event_name(TCPFSM_EV_FIN1_ACK), "fin1-ack");
    char buf[512];
    tcpfsm_anomalies_str(AN(RETRANSMISSION) | AN(BAD_FLAGS), buf, sizeof buf);
    assert_string_equal(buf, "retransmission,bad-flags");
    tcpfsm_addr a;
    assert_true(tcpfsm_addr_parse("::1", &a));
    assert_string_equal(tcpfsm_endpoint_str(&a, 22, buf, sizeof buf), "[::1]:22");
    assert_false(tcpfsm_addr_parse("300.1.1.1", &a));
    assert_string_equal(tcpfsm_label_field_name(TCPFSM_LF_ACK_OK), "ack_ok");
    assert_string_equal(tcpfsm_summary_field_name(TCPFSM_SF_ACTIVE_CLOSER),
                        "active_closer");
}

/* Issue 13 item 5: which occurrence of the fields is the segment's. */
static void test_protocols_layers(void **state)
{
    (void)state;
    int ip, after[2];
    /* plain */
    assert_true(tcpfsm_protocols_layers("eth:ethertype:ip:tcp", &ip, after));
    assert_int_equal(ip, 4);
    assert_int_equal(after[0], 0);
    assert_int_equal(after[1], 0);
    /* a tunnel: the innermost IP header before the TCP header */
    assert_true(tcpfsm_protocols_layers(
        "eth:ethertype:ip:udp:vxlan:eth:ethertype:ipv6:tcp", &ip, after));
    assert_int_equal(ip, 6);
    assert_int_equal(after[0] + after[1], 0);
    /* IP packets inside the TCP payload (OpenFlow): the outer headers */
    assert_true(tcpfsm_protocols_layers(
        "eth:ethertype:ip:tcp:openflow:openflow_v1:eth:ethertype:ip:icmp:data",
        &ip, after));
    assert_int_equal(ip, 4);
    assert_int_equal(after[0], 1);
    assert_int_equal(after[1], 0);
    assert_true(tcpfsm_protocols_layers(
        "eth:ethertype:ip:tcp:of:eth:ethertype:ipv6:tcp:of:eth:ip:udp", &ip,
        after));
    assert_int_equal(ip, 4);
    assert_int_equal(after[0], 1);
    assert_int_equal(after[1], 1);
    /* a TCP header quoted in an ICMP error is not a segment */
    assert_false(tcpfsm_protocols_layers("eth:ethertype:ip:icmp:ip:tcp", &ip,
                                         after));
}

int main(void)
{
    struct CMUnitTest more[] = {
        cmocka_unit_test(test_seq_compare_wraps),
        cmocka_unit_test(test_port_reuse_tuple),
        cmocka_unit_test(test_port_reuse_stream),
        cmocka_unit_test(test_memory_bounded),
        cmocka_unit_test(test_max_open_evicts_lru),
        cmocka_unit_test(test_max_open_finished_not_counted),
        cmocka_unit_test(test_max_open_flood),
        cmocka_unit_test(test_zeek_split),
        cmocka_unit_test(test_zeek_table_max_open),
        cmocka_unit_test(test_linger_time),
        cmocka_unit_test(test_no_address),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_protocols_layers),
    };
    struct CMUnitTest tests[N(scenarios) + N(more)];
    size_t n = 0;
    for (size_t i = 0; i < N(scenarios); i++) {
        struct CMUnitTest t = {scenarios[i].name, test_scenario, NULL, NULL,
                               (void *)&scenarios[i]};
        tests[n++] = t;
    }
    for (size_t i = 0; i < N(more); i++)
        tests[n++] = more[i];
    return _cmocka_run_group_tests("engine", tests, n, NULL, NULL);
}
