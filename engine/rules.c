/* rules.c - the rules: the state-move tables, the situation table, and
 * the classification of a segment into its situation.
 *
 * For each segment the code below decides one thing: its *situation*
 * (first FIN, ACK of the first FIN, merged FIN, crossing FIN, refusing
 * RST, ...).  Everything the label then says comes from that situation's
 * row of tcpfsm_rules[]: event, step, close, which acknowledgement is
 * checked, both moves (as inputs of the two move tables, plus the
 * corrections the situation proves), title, arrow word and message.  No
 * code overrides a row.  Besides the row, a segment gets only the
 * anomalies of the independent checks in side_anomalies() (syn-data,
 * data-after-fin, a data retransmission, ...), and a failed check adds
 * ack-mismatch.
 */
#include "engine_int.h"
#include "messages.h"
#include "rules.h"
#include "tcpfsm_lang.h"

#include <stdio.h>
#include <string.h>

/* The test build (tests/test_rules.c) perturbs rows to show that every
 * field of every row is pinned by a test. */
#ifndef TCPFSM_RULES_CONST
#define TCPFSM_RULES_CONST const
#endif

/* ------------------------------------------------------------------ */
/* Transition tables                                                    */
/* ------------------------------------------------------------------ */

/* The columns are the transition inputs (rules.h, enum tcpfsm_input):
 * the sender's ACK shows it received the peer's SYN / FIN; it sends a
 * SYN, a FIN, an RST.  The receiver's: its SYN / FIN is acknowledged; it
 * receives a SYN, a FIN, an acceptable RST. */
#define TX_MAX TCPFSM_IN_COUNT
#define RX_MAX TCPFSM_IN_COUNT

#define X_ 0 /* no move */
#define S_(s) TCPFSM_##s

/* Sender moves: what sending this segment (and what its ACK field shows
 * the sender had received) does to the sender. */
static const uint8_t send_table[TCPFSM_STATE_MAX][TX_MAX] = {
    /*                   SYNCED            ACK_SYN            ACK_FIN           SYN               FIN                FIN_ACKED        RST */
    [S_(UNKNOWN)]      = {X_,              X_,                X_,               S_(SYN_SENT),     S_(FIN_WAIT_1),    X_,              S_(CLOSED)},
    [S_(CLOSED)]       = {X_,              X_,                X_,               S_(SYN_SENT),     X_,                X_,              S_(CLOSED)},
    /* 3.10.7.2: a SYN-ACK leaving a listener means a SYN arrived */
    [S_(LISTEN)]       = {X_,              X_,                X_,               S_(SYN_RECEIVED), X_,                X_,              S_(CLOSED)},
    /* 3.5 fig. 8: a SYN-SENT side that acknowledges the peer's SYN has
     * received it (simultaneous open); 3.10.7.3: SYN-SENT leaves for
     * ESTABLISHED on the SYN-ACK (SYNCED: not captured).  No FIN from
     * SYN-SENT (3.10.4: CLOSE there deletes the TCB): a FIN+ACK is SYNCED
     * first. */
    [S_(SYN_SENT)]     = {S_(ESTABLISHED), S_(SYN_RECEIVED),  X_,               X_,               X_,                X_,              S_(CLOSED)},
    /* 3.10.4 CLOSE in SYN-RECEIVED: form a FIN, go FIN-WAIT-1; 3.10.7.4
     * fifth check: the ACK of its SYN (SYNCED: not captured) */
    [S_(SYN_RECEIVED)] = {S_(ESTABLISHED), X_,                X_,               X_,               S_(FIN_WAIT_1),    X_,              S_(CLOSED)},
    /* 3.10.4 CLOSE in ESTABLISHED -> FIN-WAIT-1; 3.6 receipt of FIN */
    [S_(ESTABLISHED)]  = {X_,              X_,                S_(CLOSE_WAIT),   X_,               S_(FIN_WAIT_1),    X_,              S_(CLOSED)},
    /* 3.6 fig. 13: FIN received in FIN-WAIT-1, own FIN not acked;
     * 3.10.7.4 fifth check: own FIN acked (FIN_ACKED) -> FIN-WAIT-2 */
    [S_(FIN_WAIT_1)]   = {X_,              X_,                S_(CLOSING),      X_,               X_,                S_(FIN_WAIT_2),  S_(CLOSED)},
    [S_(FIN_WAIT_2)]   = {X_,              X_,                S_(TIME_WAIT),    X_,               X_,                X_,              S_(CLOSED)},
    /* 3.10.4 CLOSE in CLOSE-WAIT -> LAST-ACK */
    [S_(CLOSE_WAIT)]   = {X_,              X_,                X_,               X_,               S_(LAST_ACK),      X_,              S_(CLOSED)},
    [S_(CLOSING)]      = {X_,              X_,                X_,               X_,               X_,                S_(TIME_WAIT),   S_(CLOSED)},
    [S_(LAST_ACK)]     = {X_,              X_,                X_,               X_,               X_,                S_(CLOSED),      S_(CLOSED)},
    [S_(TIME_WAIT)]    = {X_,              X_,                X_,               X_,               X_,                X_,              S_(CLOSED)},
};

/* Receiver moves (3.10.7 SEGMENT ARRIVES), applied in column order: the
 * acknowledgement first, then SYN, FIN, RST.  SYNCED: the sender proved it
 * left SYN-RECEIVED, so the receiver had left SYN-SENT on a SYN-ACK not
 * captured.  FIN_ACKED is a sender's input only. */
static const uint8_t recv_table[TCPFSM_STATE_MAX][RX_MAX] = {
    /*                   SYNCED            ACK_SYN           ACK_FIN          SYN               FIN              FIN_ACKED  RST */
    [S_(UNKNOWN)]      = {X_,              X_,               X_,              X_,               S_(CLOSE_WAIT),  X_,        S_(CLOSED)},
    [S_(CLOSED)]       = {X_,              X_,               X_,              X_,               X_,              X_,        X_},
    /* 3.10.7.2 LISTEN: SYN -> SYN-RECEIVED; an RST is ignored */
    [S_(LISTEN)]       = {X_,              X_,               X_,              S_(SYN_RECEIVED), X_,              X_,        X_},
    /* 3.10.7.3 SYN-SENT: SYN+ACK acking our SYN -> ESTABLISHED; SYN
     * alone -> SYN-RECEIVED; acceptable RST -> CLOSED; a segment without
     * SYN is dropped (apply_row gives it no ACK_SYN) */
    [S_(SYN_SENT)]     = {S_(ESTABLISHED), S_(ESTABLISHED),  X_,              S_(SYN_RECEIVED), X_,              X_,        S_(CLOSED)},
    /* 3.10.7.4 SYN-RECEIVED: acceptable ACK -> ESTABLISHED; RST on a
     * passive open returns to LISTEN (row rst-passive-open), else CLOSED */
    [S_(SYN_RECEIVED)] = {X_,              S_(ESTABLISHED),  X_,              X_,               S_(CLOSE_WAIT),  X_,        S_(CLOSED)},
    [S_(ESTABLISHED)]  = {X_,              X_,               X_,              X_,               S_(CLOSE_WAIT),  X_,        S_(CLOSED)},
    /* 3.10.7.4 fifth check, FIN-WAIT-1: our FIN acked -> FIN-WAIT-2;
     * eighth check: FIN -> CLOSING (or TIME-WAIT if our FIN is acked,
     * reached through FIN-WAIT-2 by the column order) */
    [S_(FIN_WAIT_1)]   = {X_,              X_,               S_(FIN_WAIT_2),  X_,               S_(CLOSING),     X_,        S_(CLOSED)},
    [S_(FIN_WAIT_2)]   = {X_,              X_,               X_,              X_,               S_(TIME_WAIT),   X_,        S_(CLOSED)},
    [S_(CLOSE_WAIT)]   = {X_,              X_,               X_,              X_,               X_,              X_,        S_(CLOSED)},
    /* CLOSING: our FIN acked -> TIME-WAIT */
    [S_(CLOSING)]      = {X_,              X_,               S_(TIME_WAIT),   X_,               X_,              X_,        S_(CLOSED)},
    /* LAST-ACK: our FIN acked -> CLOSED */
    [S_(LAST_ACK)]     = {X_,              X_,               S_(CLOSED),      X_,               X_,              X_,        S_(CLOSED)},
    /* TIME-WAIT: an RST closes it (RFC 1337 protection off, as Linux) */
    [S_(TIME_WAIT)]    = {X_,              X_,               X_,              X_,               X_,              X_,        S_(CLOSED)},
};
#undef X_
#undef S_

/* Applies the inputs in column order, each from the state the previous
 * one reached. */
static tcpfsm_state apply(const uint8_t table[][TX_MAX], tcpfsm_state st,
                          unsigned inputs)
{
    /* the set bits only, lowest first: most segments have none or one */
    for (unsigned in = inputs & ((1u << TX_MAX) - 1); in; in &= in - 1) {
        int i = __builtin_ctz(in);
        if (table[st][i])
            st = (tcpfsm_state)table[st][i];
    }
    return st;
}

/* ------------------------------------------------------------------ */
/* The situation table                                                  */
/* ------------------------------------------------------------------ */

#define E_(x) TCPFSM_EV_##x
#define IN(x) TCPFSM_IN(x)
#define AN(x) TCPFSM_AN(x)
#define T_(x) TCPFSM_T_##x
#define W_(x) TCPFSM_FW_##x
#define M_(x) TCPFSM_M_##x
#define CL(x) TCPFSM_CL_##x
#define CK(x) TCPFSM_CHECK_##x
#define RF(x) TCPFSM_REF_##x
#define ST(x) TCPFSM_##x
#define SAME TCPFSM_STEP_SAME

/* Each row: the SPEC.md row or variant it implements and the RFC 9293
 * section.  Fields (rules.h, tcpfsm_rule): event; step num/of; close;
 * check; anomalies; moves (tx/rx inputs, tx_ok/rx_ok when the check
 * passes, evidence = also what the ACK field shows; sfix: the sender's
 * corrected prior state; rto: the receiver's state when no table
 * decides it); ref; title; arrow word; message (check passed / failed). */
TCPFSM_RULES_CONST tcpfsm_rule tcpfsm_rules[TCPFSM_SIT_COUNT] = {
    /* ---- segments no synchronized receiver accepts ---- */
    /* SPEC 4 `bad-flags` (SYN+FIN, SYN+RST, no flags); 3.10.7.4: dropped */
    [TCPFSM_SIT_BAD_FLAGS] = {.event = E_(OTHER), .anomalies = AN(BAD_FLAGS),
        .flow = W_(OTHER), .msg = M_(BAD_FLAGS)},
    /* SPEC 4 `unexpected`; 3.10.7.4 fifth check: no ACK, dropped */
    [TCPFSM_SIT_NO_ACK] = {.event = E_(OTHER), .anomalies = AN(UNEXPECTED),
        .flow = W_(OTHER), .msg = M_(NO_ACK)},

    /* ---- RST ---- */
    /* SPEC 3 reset, out of window: labelled, moves nobody; 3.10.7.4
     * first check (3.10.7.3 in SYN-SENT: must acknowledge the SYN) */
    [TCPFSM_SIT_RST_IGNORED] = {.event = E_(RST),
        .anomalies = AN(RST_OUT_OF_WINDOW), .flow = W_(RST),
        .msg = M_(RST_IGNORED)},
    /* SPEC 3 refused: the server's RST answers the SYN, ack = client ISN
     * + 1; both -> CLOSED; 3.10.7.3 (SYN-SENT, acceptable RST), 3.10.7.1
     * (CLOSED answers a SYN with RST) */
    [TCPFSM_SIT_RST_REFUSED] = {.event = E_(RST), .close = CL(REFUSED),
        .check = CK(ISN), .tx = IN(RST), .rx = IN(RST), .ref = RF(PEER_SYN),
        .title = T_(REFUSED), .flow = W_(RST), .msg = M_(REFUSED_OK)},
    /* SPEC 3 reset, the server still in SYN_RECEIVED of a passive open:
     * 3.10.7.4 first check, "If this connection was initiated with a
     * passive OPEN (i.e., came from the LISTEN state), then return this
     * connection to LISTEN state" */
    [TCPFSM_SIT_RST_PASSIVE_OPEN] = {.event = E_(RST), .close = CL(RESET),
        .tx = IN(RST), .rto = ST(LISTEN), .title = T_(RESET), .flow = W_(RST),
        .msg = M_(RESET)},
    /* SPEC 3 reset: both -> CLOSED; 3.10.7.4 first check */
    [TCPFSM_SIT_RST_RESET] = {.event = E_(RST), .close = CL(RESET),
        .tx = IN(RST), .rx = IN(RST), .title = T_(RESET), .flow = W_(RST),
        .msg = M_(RESET)},

    /* ---- SYN ---- */
    /* SPEC 3 retransmission of step 1 (same ISN): no move; 3.7.1 */
    [TCPFSM_SIT_SYN_RETX] = {.event = E_(SYN), .step_num = SAME,
        .step_of = SAME, .anomalies = AN(RETRANSMISSION), .ref = RF(OWN_SYN),
        .title = T_(HANDSHAKE), .flow = W_(SYN), .msg = M_(SYN_RETX)},
    /* a SYN with another ISN, the old attempt not over: no move;
     * 3.10.7.4 fourth check (a SYN in a synchronized state) */
    [TCPFSM_SIT_SYN_NEW_ISN] = {.event = E_(SYN), .step_num = SAME,
        .step_of = SAME, .anomalies = AN(UNEXPECTED), .ref = RF(OWN_SYN),
        .title = TCPFSM_T_SAME, .flow = W_(SYN), .msg = M_(SYN_NEW_ISN)},
    /* SPEC 3 reordered handshake: the SYN captured after its SYN-ACK,
     * which already made the moves; 3.4 (ISN) */
    [TCPFSM_SIT_SYN_REORDERED] = {.event = E_(SYN), .step_num = 1,
        .step_of = 3, .anomalies = AN(REORDERED), .title = T_(HANDSHAKE),
        .flow = W_(SYN), .msg = M_(SYN_REORDERED)},
    /* SPEC 3 row 1: client CLOSED -> SYN_SENT, server LISTEN ->
     * SYN_RECEIVED; 3.10.1 OPEN, 3.10.7.2 LISTEN */
    [TCPFSM_SIT_SYN_FIRST] = {.event = E_(SYN), .step_num = 1, .step_of = 3,
        .tx = IN(SYN), .rx = IN(SYN), .title = T_(HANDSHAKE), .flow = W_(SYN),
        .msg = M_(SYN)},
    /* SPEC 3 simultaneous open: the server's SYN crosses the client's;
     * it sent it from CLOSED (not LISTEN, as presumed at the SYN);
     * 3.5 figure 8, 3.10.7.3 (SYN in SYN-SENT -> SYN-RECEIVED) */
    [TCPFSM_SIT_SYN_CROSSING] = {.event = E_(SYN), .step_num = 2,
        .step_of = 4, .anomalies = AN(SIMULTANEOUS_OPEN), .tx = IN(SYN),
        .rx = IN(SYN), .sfix_from = ST(SYN_RECEIVED), .sfix_to = ST(CLOSED),
        .ref = RF(PEER_SYN), .title = T_(SIM_OPEN), .flow = W_(SYN),
        .msg = M_(SYN_SIM_OPEN)},
    /* a SYN in the middle of a connection (midstream capture, or a side
     * that already opened): no move; 3.10.7.4 fourth check */
    [TCPFSM_SIT_SYN_MIDDLE] = {.event = E_(SYN), .anomalies = AN(UNEXPECTED),
        .flow = W_(SYN), .msg = M_(SYN_MIDDLE)},

    /* ---- SYN-ACK ---- */
    /* SPEC 3 retransmission of step 2: no move; 3.7.1 */
    [TCPFSM_SIT_SYNACK_RETX] = {.event = E_(SYN_ACK), .step_num = SAME,
        .step_of = SAME, .anomalies = AN(RETRANSMISSION), .ref = RF(OWN_SYN),
        .title = T_(HANDSHAKE), .flow = W_(SYN_ACK), .msg = M_(SYNACK_RETX)},
    /* a second SYN-ACK with another ISN: no move */
    [TCPFSM_SIT_SYNACK_NEW_ISN] = {.event = E_(SYN_ACK), .step_num = SAME,
        .step_of = SAME, .anomalies = AN(UNEXPECTED), .ref = RF(OWN_SYN),
        .title = TCPFSM_T_SAME, .flow = W_(SYN_ACK), .msg = M_(SYNACK_NEW_ISN)},
    /* the same SYN answered again (same ack) with a second ISN, which
     * the client cannot accept (3.10.7.4): the step repeated, unexpected
     * (issue 13: consistent retransmission tags) */
    [TCPFSM_SIT_SYNACK_NEW_ISN_RETX] = {.event = E_(SYN_ACK), .step_num = SAME,
        .step_of = SAME, .anomalies = AN(RETRANSMISSION) | AN(UNEXPECTED),
        .ref = RF(OWN_SYN), .title = TCPFSM_T_SAME, .flow = W_(SYN_ACK),
        .msg = M_(SYNACK_NEW_ISN)},
    /* SPEC 3 simultaneous open, the first SYN-ACK (3/4): the sender has
     * the peer's SYN (SYN_RECEIVED stays), the receiver's SYN is
     * acknowledged: SYN_RECEIVED -> ESTABLISHED; 3.5 figure 8, 3.10.7.4
     * fifth check */
    [TCPFSM_SIT_SYNACK_SIM_3] = {.event = E_(SYN_ACK), .step_num = 3,
        .step_of = 4, .check = CK(ISN), .tx_ok = IN(ACK_SYN),
        .rx_ok = IN(ACK_SYN), .ref = RF(PEER_SYN), .title = T_(SIM_OPEN),
        .flow = W_(SYN_ACK), .msg = M_(SYNACK_SIM_OPEN)},
    /* SPEC 3 simultaneous open, the second SYN-ACK (4/4) */
    [TCPFSM_SIT_SYNACK_SIM_4] = {.event = E_(SYN_ACK), .step_num = 4,
        .step_of = 4, .check = CK(ISN), .tx_ok = IN(ACK_SYN),
        .rx_ok = IN(ACK_SYN), .ref = RF(PEER_SYN), .title = T_(SIM_OPEN),
        .flow = W_(SYN_ACK), .msg = M_(SYNACK_SIM_OPEN)},
    /* a SYN-ACK from the side that opened (the client): no move */
    [TCPFSM_SIT_SYNACK_OPENER] = {.event = E_(SYN_ACK),
        .anomalies = AN(UNEXPECTED), .flow = W_(SYN_ACK),
        .msg = M_(SYNACK_OPENER)},
    /* SPEC 2/3: the capture begins with the SYN-ACK (the client's SYN
     * missed): its ack shows the client's ISN; client SYN_SENT ->
     * ESTABLISHED; nothing to check it against; 3.10.7.3 */
    [TCPFSM_SIT_SYNACK_NO_SYN] = {.event = E_(SYN_ACK), .step_num = 2,
        .step_of = 3, .tx = IN(SYN) | IN(ACK_SYN), .rx = IN(ACK_SYN),
        .title = T_(HANDSHAKE), .flow = W_(SYN_ACK), .msg = M_(SYNACK_NO_SYN)},
    /* SPEC 6 reordering: the SYN-ACK captured after the client's ACK of
     * it (row handshake-ack-inferred), which made the moves: no move,
     * the check as row syn-ack */
    [TCPFSM_SIT_SYNACK_REORDERED] = {.event = E_(SYN_ACK), .step_num = 2,
        .step_of = 3, .check = CK(ISN), .anomalies = AN(REORDERED),
        .tx = IN(SYN), .tx_ok = IN(ACK_SYN), .rx_ok = IN(ACK_SYN) | IN(SYN),
        .ref = RF(PEER_SYN), .title = T_(HANDSHAKE), .flow = W_(SYN_ACK),
        .msg = M_(SYNACK)},
    /* SPEC 6, RFC 7413 TCP Fast Open: the SYN-ACK acknowledges the SYN's
     * data too (3.10.7.3: SND.UNA < SEG.ACK =< SND.NXT): as row syn-ack */
    [TCPFSM_SIT_SYNACK_TFO] = {.event = E_(SYN_ACK), .step_num = 2,
        .step_of = 3, .check = CK(TFO), .tx = IN(SYN), .tx_ok = IN(ACK_SYN),
        .rx_ok = IN(ACK_SYN) | IN(SYN), .ref = RF(PEER_SYN),
        .title = T_(HANDSHAKE), .flow = W_(SYN_ACK), .msg = M_(SYNACK_TFO)},
    /* SPEC 3 row 2: SYN-ACK, ack = client ISN + 1; server stays
     * SYN_RECEIVED, client SYN_SENT -> ESTABLISHED.  A wrong ack moves
     * nobody: 3.10.7.3 (an unacceptable ACK in SYN-SENT is answered by
     * RST) */
    [TCPFSM_SIT_SYNACK] = {.event = E_(SYN_ACK), .step_num = 2, .step_of = 3,
        .check = CK(ISN), .tx = IN(SYN), .tx_ok = IN(ACK_SYN),
        .rx_ok = IN(ACK_SYN) | IN(SYN), .ref = RF(PEER_SYN),
        .title = T_(HANDSHAKE), .flow = W_(SYN_ACK), .msg = M_(SYNACK)},

    /* ---- FIN ---- */
    /* SPEC 3 retransmission of a FIN step (same FIN seq): its event and
     * step again, no move; 3.7.1 */
    [TCPFSM_SIT_FIN_RETX] = {.event = TCPFSM_EV_SAME, .step_num = SAME,
        .step_of = SAME, .anomalies = AN(RETRANSMISSION), .evidence = 1,
        .ref = RF(OWN_FIN), .title = T_(TEARDOWN), .flow = TCPFSM_FW_SAME,
        .msg = M_(FIN_RETX)},
    /* another FIN at another seq from a side that already sent one */
    [TCPFSM_SIT_FIN_AGAIN] = {.event = TCPFSM_EV_SAME, .step_num = SAME,
        .step_of = SAME, .anomalies = AN(UNEXPECTED), .evidence = 1,
        .ref = RF(OWN_FIN), .title = TCPFSM_T_SAME, .flow = TCPFSM_FW_SAME,
        .msg = M_(FIN_AGAIN)},
    /* SPEC 3 row 4, first FIN: ESTABLISHED -> FIN_WAIT_1, the receiver
     * ESTABLISHED -> CLOSE_WAIT; 1/4 whatever close follows (labels are
     * causal); 3.10.4 CLOSE, 3.10.7.4 eighth check */
    [TCPFSM_SIT_FIN1] = {.event = E_(FIN1), .step_num = 1, .step_of = 4,
        .tx = IN(FIN), .rx = IN(FIN), .evidence = 1, .title = T_(TEARDOWN),
        .flow = W_(FIN), .msg = M_(FIN1)},
    /* SPEC 6 reordering: the first FIN captured after the peer's ACK of
     * it: ESTABLISHED -> FIN_WAIT_1 -> FIN_WAIT_2 (FIN_ACKED), the
     * receiver -> CLOSE_WAIT; the ACK came alone: a four-way close */
    [TCPFSM_SIT_FIN1_REORDERED] = {.event = E_(FIN1), .step_num = 1,
        .step_of = 4, .close = CL(FIN4), .anomalies = AN(REORDERED),
        .tx = IN(FIN) | IN(FIN_ACKED), .rx = IN(FIN), .evidence = 1,
        .ref = RF(PEER_ACK), .title = T_(TEARDOWN), .flow = W_(FIN),
        .msg = M_(FIN1)},
    /* SPEC 3 merged close: the second FIN also acknowledges the first,
     * ack = FIN seq + 1: CLOSE_WAIT -> LAST_ACK, FIN_WAIT_1 -> TIME_WAIT;
     * 3.6 figure 13, 3.10.7.4 fifth and eighth checks */
    [TCPFSM_SIT_FIN2_MERGED] = {.event = E_(FIN2), .step_num = 2,
        .step_last = 3, .step_of = 4, .close = CL(FIN3), .check = CK(FIN), .tx = IN(FIN),
        .rx = IN(FIN), .evidence = 1, .ref = RF(PEER_FIN),
        .title = T_(TEARDOWN), .flow = W_(FIN_ACK), .msg = M_(FIN2_MERGED)},
    /* SPEC 3 row 6, second FIN after the ACK of the first: CLOSE_WAIT ->
     * LAST_ACK, FIN_WAIT_2 -> TIME_WAIT; 3.10.4 CLOSE in CLOSE-WAIT */
    [TCPFSM_SIT_FIN2] = {.event = E_(FIN2), .step_num = 3, .step_of = 4,
        .close = CL(FIN4), .tx = IN(FIN), .rx = IN(FIN), .evidence = 1,
        .ref = RF(PEER_FIN), .title = T_(TEARDOWN), .flow = W_(FIN),
        .msg = M_(FIN2)},
    /* SPEC 3 simultaneous close: the second FIN does not acknowledge the
     * first, so it was sent from ESTABLISHED (presumed CLOSE_WAIT at the
     * first FIN): ESTABLISHED -> FIN_WAIT_1, the receiver FIN_WAIT_1 ->
     * CLOSING; 3.6 figure 14 */
    [TCPFSM_SIT_FIN_CROSSING] = {.event = E_(FIN2), .step_num = 2,
        .step_of = 4, .close = CL(SIMULTANEOUS),
        .anomalies = AN(SIMULTANEOUS_CLOSE), .tx = IN(FIN), .rx = IN(FIN),
        .evidence = 1, .sfix_from = ST(CLOSE_WAIT), .sfix_to = ST(ESTABLISHED),
        .ref = RF(PEER_FIN), .title = T_(SIM_CLOSE), .flow = W_(FIN),
        .msg = M_(FIN_SIM)},

    /* ---- ACK of a FIN (moves by evidence: the ack covers the FIN) ---- */
    /* SPEC 3 row 5: ACK of the first FIN alone, a four-way close:
     * FIN_WAIT_1 -> FIN_WAIT_2; 3.10.7.4 fifth check */
    [TCPFSM_SIT_FIN1_ACK] = {.event = E_(FIN1_ACK), .step_num = 2,
        .step_of = 4, .close = CL(FIN4), .check = CK(FIN), .evidence = 1,
        .ref = RF(PEER_FIN), .title = T_(TEARDOWN), .flow = W_(ACK),
        .msg = M_(FIN_ACK)},
    /* SPEC 3 merged close, last step (3/3): LAST_ACK -> CLOSED */
    [TCPFSM_SIT_FIN2_ACK_MERGED] = {.event = E_(FIN2_ACK), .step_num = 4,
        .step_of = 4, .check = CK(FIN), .evidence = 1, .ref = RF(PEER_FIN),
        .title = T_(TEARDOWN), .flow = W_(ACK), .msg = M_(FIN_ACK)},
    /* SPEC 3 row 7 (4/4): LAST_ACK -> CLOSED; 3.10.7.4 fifth check */
    [TCPFSM_SIT_FIN2_ACK] = {.event = E_(FIN2_ACK), .step_num = 4,
        .step_of = 4, .check = CK(FIN), .evidence = 1, .ref = RF(PEER_FIN),
        .title = T_(TEARDOWN), .flow = W_(ACK), .msg = M_(FIN_ACK)},
    /* SPEC 3 simultaneous close, the ACKs (3/4 and 4/4, in the order
     * captured) of the first and of the second FIN: CLOSING -> TIME_WAIT;
     * 3.10.7.4 fifth check in CLOSING */
    [TCPFSM_SIT_SIM_ACK_FIN1_3] = {.event = E_(FIN1_ACK), .step_num = 3,
        .step_of = 4, .check = CK(FIN), .evidence = 1, .ref = RF(PEER_FIN),
        .title = T_(SIM_CLOSE), .flow = W_(ACK), .msg = M_(FIN_ACK)},
    [TCPFSM_SIT_SIM_ACK_FIN1_4] = {.event = E_(FIN1_ACK), .step_num = 4,
        .step_of = 4, .check = CK(FIN), .evidence = 1, .ref = RF(PEER_FIN),
        .title = T_(SIM_CLOSE), .flow = W_(ACK), .msg = M_(FIN_ACK)},
    [TCPFSM_SIT_SIM_ACK_FIN2_3] = {.event = E_(FIN2_ACK), .step_num = 3,
        .step_of = 4, .check = CK(FIN), .evidence = 1, .ref = RF(PEER_FIN),
        .title = T_(SIM_CLOSE), .flow = W_(ACK), .msg = M_(FIN_ACK)},
    [TCPFSM_SIT_SIM_ACK_FIN2_4] = {.event = E_(FIN2_ACK), .step_num = 4,
        .step_of = 4, .check = CK(FIN), .evidence = 1, .ref = RF(PEER_FIN),
        .title = T_(SIM_CLOSE), .flow = W_(ACK), .msg = M_(FIN_ACK)},

    /* ---- the handshake ACK, data, bare ACKs ---- */
    /* SPEC 3 row 3: the client's first segment after the SYN-ACK, ack =
     * server ISN + 1: server SYN_RECEIVED -> ESTABLISHED (by evidence);
     * 3.10.7.4 fifth check in SYN-RECEIVED */
    [TCPFSM_SIT_HS_ACK] = {.event = E_(HS_ACK), .step_num = 3, .step_of = 3,
        .check = CK(ISN), .evidence = 1, .ref = RF(PEER_SYN),
        .title = T_(HANDSHAKE), .flow = W_(ACK), .msg = M_(HSACK_OK)},
    /* SPEC 6 evidence of receipt: the client's ACK from SYN_SENT, no
     * SYN-ACK captured (yet): it had the SYN-ACK (SYNCED: SYN_SENT ->
     * ESTABLISHED), whose ISN is this ack - 1; the server SYN_RECEIVED ->
     * ESTABLISHED by evidence */
    [TCPFSM_SIT_HS_ACK_INFERRED] = {.event = E_(HS_ACK), .step_num = 3,
        .step_of = 3, .check = CK(ISN), .anomalies = AN(INFERRED),
        .tx = IN(SYNCED), .evidence = 1, .title = T_(HANDSHAKE),
        .flow = W_(ACK), .msg = M_(HSACK_INFERRED)},
    /* the same segment with a wrong ack: no step; 3.10.7.4 fifth check
     * (an unacceptable ACK in SYN-RECEIVED is answered by RST) */
    [TCPFSM_SIT_HS_ACK_BAD] = {.event = TCPFSM_EV_BY_LEN, .check = CK(ISN),
        .evidence = 1, .ref = RF(PEER_SYN),
        .flow = TCPFSM_FW_BY_LEN, .msg = M_(HSACK_BAD)},
    /* SPEC 3 half-close and established data: moves only by evidence;
     * 3.10.7.4 seventh check */
    [TCPFSM_SIT_DATA] = {.event = E_(DATA), .evidence = 1, .flow = W_(DATA),
        .msg = M_(DATA)},
    [TCPFSM_SIT_ACK] = {.event = E_(ACK), .evidence = 1, .flow = W_(ACK),
        .msg = M_(ACK)},
};

#undef E_
#undef IN
#undef AN
#undef T_
#undef W_
#undef M_
#undef CL
#undef CK
#undef RF
#undef ST
#undef SAME

static const char *const situation_names[TCPFSM_SIT_COUNT] = {
#define TCPFSM_X_SIT_NAME(id, name) [TCPFSM_SIT_##id] = name,
    TCPFSM_SITUATIONS(TCPFSM_X_SIT_NAME)
#undef TCPFSM_X_SIT_NAME
};

const char *tcpfsm_situation_name(unsigned situation)
{
    return situation < TCPFSM_SIT_COUNT ? situation_names[situation] : "";
}

/* ------------------------------------------------------------------ */
/* Classification: which situation a segment is                         */
/* ------------------------------------------------------------------ */

const char *tcpfsm_i_role_word(const ctx *x, int side)
{
    return tcpfsm_role_text(side == 0 ? TCPFSM_ROLE_CLIENT : TCPFSM_ROLE_SERVER,
                            x->e->cfg.lang);
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

/* Is an RST acceptable to its receiver?  3.10.7.3 (SYN-SENT: it must ACK
 * our SYN) and 3.10.7.4 (otherwise its seq must be in the window).  When
 * not, x->why says why (for the sentence). */
static bool rst_acceptable(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *r = x->r;
    x->why_kind = TCPFSM_WHY_NONE;
    if (r->state == TCPFSM_SYN_SENT) {
        if (!x->ack_flag) {
            x->why_kind = TCPFSM_WHY_NOACK;
            return false;
        }
        if (r->syn_sent && seg->ack != r->isn + 1) {
            x->why_kind = TCPFSM_WHY_ACK;
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
    x->why_kind = TCPFSM_WHY_WINDOW;
    x->why_wnd = wnd;
    return false;
}

static unsigned rst_situation(ctx *x)
{
    const endpoint *s = x->s, *r = x->r;
    if (!rst_acceptable(x))
        return TCPFSM_SIT_RST_IGNORED;
    if (r->state == TCPFSM_SYN_SENT && x->S == 1 && !s->synack_sent)
        return TCPFSM_SIT_RST_REFUSED; /* r sent its SYN: SYN_SENT */
    if (r->state == TCPFSM_SYN_RECEIVED && x->R == 1 && !x->c->sim_open)
        return TCPFSM_SIT_RST_PASSIVE_OPEN;
    return TCPFSM_SIT_RST_RESET;
}

static unsigned syn_situation(ctx *x)
{
    const endpoint *s = x->s, *r = x->r;
    const conn *c = x->c;
    if (s->syn_sent)
        return x->seg->seq == s->isn ? TCPFSM_SIT_SYN_RETX
                                     : TCPFSM_SIT_SYN_NEW_ISN;
    if (x->S == 0 && s->isn_from_synack && x->seg->seq == s->isn)
        return TCPFSM_SIT_SYN_REORDERED;
    if (x->S == 0 && !c->midstream && !c->synack_first)
        return TCPFSM_SIT_SYN_FIRST;
    if (x->S == 1 && r->syn_sent && !s->synack_sent &&
        s->state == TCPFSM_SYN_RECEIVED)
        return TCPFSM_SIT_SYN_CROSSING;
    return TCPFSM_SIT_SYN_MIDDLE;
}

static unsigned synack_situation(ctx *x)
{
    const endpoint *s = x->s, *r = x->r;
    const conn *c = x->c;
    if (s->synack_sent)
        return x->seg->seq == s->isn ? TCPFSM_SIT_SYNACK_RETX
               : r->syn_sent && x->seg->ack == s->synack_ack
                   ? TCPFSM_SIT_SYNACK_NEW_ISN_RETX
                   : TCPFSM_SIT_SYNACK_NEW_ISN;
    if (c->sim_open && s->syn_sent && x->seg->seq == s->isn)
        return (c->ep[0].synack_sent || c->ep[1].synack_sent)
                   ? TCPFSM_SIT_SYNACK_SIM_4
                   : TCPFSM_SIT_SYNACK_SIM_3;
    if (x->S != 1 || s->syn_sent)
        return TCPFSM_SIT_SYNACK_OPENER;
    if (!r->syn_sent)
        return TCPFSM_SIT_SYNACK_NO_SYN;
    if (s->isn_inferred && x->seg->seq == s->isn)
        return TCPFSM_SIT_SYNACK_REORDERED;
    uint32_t ack = x->seg->ack;
    if (r->syn_len && tcpfsm_seq_lt(r->isn + 1, ack) &&
        tcpfsm_seq_le(ack, r->isn + 1 + r->syn_len))
        return TCPFSM_SIT_SYNACK_TFO;
    return TCPFSM_SIT_SYNACK;
}

/* A segment with FIN (not an ACK step of the peer's FIN). */
static unsigned fin_situation(ctx *x)
{
    const endpoint *s = x->s, *r = x->r;
    uint32_t fin_seq = x->seg->seq + x->seg->len;
    if (s->fin_sent)
        return fin_seq == s->fin_seq ? TCPFSM_SIT_FIN_RETX
                                     : TCPFSM_SIT_FIN_AGAIN;
    if (!r->fin_sent)
        return x->fin_late ? TCPFSM_SIT_FIN1_REORDERED : TCPFSM_SIT_FIN1;
    if (x->acks_fin)
        return TCPFSM_SIT_FIN2_MERGED;
    if (s->acked_peer_fin)
        return TCPFSM_SIT_FIN2;
    return TCPFSM_SIT_FIN_CROSSING;
}

/* The first segment that acknowledges the peer's FIN. */
static unsigned fin_ack_situation(ctx *x)
{
    const conn *c = x->c;
    bool first = c->first_fin_side == x->R;
    if (c->close == TCPFSM_CL_SIMULTANEOUS) {
        if (first)
            return c->sim_acks ? TCPFSM_SIT_SIM_ACK_FIN1_4
                               : TCPFSM_SIT_SIM_ACK_FIN1_3;
        return c->sim_acks ? TCPFSM_SIT_SIM_ACK_FIN2_4
                           : TCPFSM_SIT_SIM_ACK_FIN2_3;
    }
    if (first)
        return TCPFSM_SIT_FIN1_ACK;
    return c->close == TCPFSM_CL_FIN3 ? TCPFSM_SIT_FIN2_ACK_MERGED
                                      : TCPFSM_SIT_FIN2_ACK;
}

/* A segment with ACK, without SYN or RST. */
static unsigned ack_situation(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *s = x->s, *r = x->r;
    const conn *c = x->c;
    bool fin = seg->flags & TCPFSM_FIN;
    /* SPEC 6 evidence of receipt: only a synchronized TCP sends an ACK
     * without SYN.  From SYN_SENT: the SYN-ACK it answers is not in the
     * capture (or not yet: reordered); its ISN is this ack - 1.  From
     * SYN_RECEIVED, acknowledging the peer's SYN (with a FIN, which
     * SYN_RECEIVED may send, only when it acknowledges more): the peer's
     * ACK of the SYN-ACK is missing, and the peer had the SYN-ACK. */
    endpoint *rw = x->r;
    if (!c->sim_open && s->state == TCPFSM_SYN_SENT) {
        x->synced = true;
        if (!r->syn_sent && !r->isn_from_synack && !r->isn_inferred) {
            rw->isn = seg->ack - 1;
            rw->isn_known = true;
            rw->isn_inferred = true;
        }
    } else if (!c->sim_open && s->state == TCPFSM_SYN_RECEIVED &&
               (r->syn_sent || r->isn_from_synack) &&
               tcpfsm_seq_lt(r->isn, seg->ack) &&
               (!fin || tcpfsm_seq_lt(r->isn + 1, seg->ack))) {
        x->synced = true;
        x->synced_peer = r->state == TCPFSM_SYN_SENT;
    }
    /* SPEC 6 reordering: a new FIN the receiver already acknowledged */
    x->fin_late = fin && !s->fin_sent && r->ack_valid && s->snd_valid &&
                  tcpfsm_seq_le(s->snd_max, seg->seq + seg->len) &&
                  tcpfsm_seq_lt(seg->seq + seg->len, r->last_ack);
    /* What the ACK field shows the sender has received. */
    x->acks_syn = !s->acked_peer_syn &&
                  (r->syn_sent || r->isn_from_synack || r->isn_inferred) &&
                  tcpfsm_seq_lt(r->isn, seg->ack);
    x->acks_fin = r->fin_sent && !s->acked_peer_fin &&
                  tcpfsm_seq_lt(r->fin_seq, seg->ack);
    /* a repeated FIN that acknowledges the peer's FIN for the first time
     * is the step it newly performs */
    if (fin && !(s->fin_sent && x->acks_fin))
        return fin_situation(x);
    if (x->acks_fin)
        return fin_ack_situation(x);
    if (x->S == 0 && !s->hs_checked && r->isn_inferred && !r->synack_sent &&
        !c->sim_open && r->state == TCPFSM_SYN_RECEIVED && !c->hs_done &&
        x->acks_syn)
        return TCPFSM_SIT_HS_ACK_INFERRED;
    if (x->S == 0 && !s->hs_checked && r->synack_sent && !c->sim_open &&
        r->state == TCPFSM_SYN_RECEIVED && !c->hs_done)
        return x->acks_syn && seg->ack == r->isn + 1 ? TCPFSM_SIT_HS_ACK
                                                     : TCPFSM_SIT_HS_ACK_BAD;
    return seg->len ? TCPFSM_SIT_DATA : TCPFSM_SIT_ACK;
}

static unsigned situation_of(ctx *x)
{
    uint16_t f = x->seg->flags;
    if (tcpfsm_i_bad_flags(f))
        return TCPFSM_SIT_BAD_FLAGS;
    if (f & TCPFSM_RST)
        return rst_situation(x);
    if ((f & TCPFSM_SYN) && !x->ack_flag)
        return syn_situation(x);
    if (f & TCPFSM_SYN)
        return synack_situation(x);
    if (!x->ack_flag)
        return TCPFSM_SIT_NO_ACK;
    return ack_situation(x);
}

/* ------------------------------------------------------------------ */
/* The row's facts on the label                                         */
/* ------------------------------------------------------------------ */

/* The acknowledgement the row checks: the numbers as the sentence shows
 * them (an ISN raw, a FIN seq relative), and whether it is right (true
 * when the row checks nothing). */
static bool check_ack(ctx *x, const tcpfsm_rule *row)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *r = x->r;
    tcpfsm_label *l = x->out;
    switch (row->check) {
    case TCPFSM_CHECK_ISN:
        l->check_seen = seg->ack;
        l->check_expected = r->isn + 1;
        return x->ack_flag && seg->ack == r->isn + 1;
    case TCPFSM_CHECK_TFO:
        l->check_seen = seg->ack;
        l->check_expected = r->isn + 1;
        return x->ack_flag && tcpfsm_seq_lt(r->isn + 1, seg->ack) &&
               tcpfsm_seq_le(seg->ack, r->isn + 1 + r->syn_len);
    case TCPFSM_CHECK_FIN:
        l->check_seen = tcpfsm_i_rel_seq(r, seg->ack);
        l->check_expected = tcpfsm_i_rel_seq(r, r->fin_seq + 1);
        return seg->ack == r->fin_seq + 1;
    default:
        return true; /* nothing to check */
    }
}

static uint64_t ref_frame(const ctx *x, unsigned ref)
{
    switch (ref) {
    case TCPFSM_REF_OWN_SYN: return x->s->syn_frame;
    case TCPFSM_REF_PEER_SYN: return x->r->syn_frame;
    case TCPFSM_REF_OWN_FIN: return x->s->fin_frame;
    case TCPFSM_REF_PEER_FIN: return x->r->fin_frame;
    case TCPFSM_REF_PEER_ACK: return x->r->last_ack_frame;
    default: return 0;
    }
}

/* Puts the row's facts on the label, and the inputs of its moves. */
static void apply_row(ctx *x, const tcpfsm_rule *row)
{
    tcpfsm_label *l = x->out;
    const endpoint *s = x->s;
    const tcpfsm_segment *seg = x->seg;
    bool fin_step = row->event == TCPFSM_EV_SAME || row->flow == TCPFSM_FW_SAME;

    l->event = row->event == TCPFSM_EV_SAME     ? s->fin_event
               : row->event == TCPFSM_EV_BY_LEN ? (seg->len ? TCPFSM_EV_DATA
                                                            : TCPFSM_EV_ACK)
                                                : (tcpfsm_event)row->event;
    if (row->step_num == TCPFSM_STEP_SAME) {
        l->step_num = fin_step ? s->fin_step_num : s->syn_step_num;
        l->step_of = fin_step ? s->fin_step_of : s->syn_step_of;
        l->step_last = fin_step ? s->fin_step_last : s->syn_step_last;
    } else {
        l->step_num = row->step_num;
        l->step_of = row->step_of;
        l->step_last = row->step_last ? row->step_last : row->step_num;
    }
    l->title = row->title == TCPFSM_T_SAME
                   ? (fin_step ? s->fin_title : s->syn_title)
                   : row->title;
    l->flow = row->flow == TCPFSM_FW_SAME ? s->fin_flow
              : row->flow == TCPFSM_FW_BY_LEN
                  ? (seg->len ? TCPFSM_FW_DATA : TCPFSM_FW_ACK)
                  : row->flow;
    l->anomalies |= row->anomalies;
    l->ref_frame = ref_frame(x, row->ref);
    if (row->anomalies & TCPFSM_AN(REORDERED) &&
        x->sit != TCPFSM_SIT_SYN_REORDERED)
        x->reordered_note = true;
    l->check = row->check;
    x->ok = check_ack(x, row);
    if (row->check != TCPFSM_CHECK_NONE) {
        l->ack_ok = x->ok;
        if (!x->ok)
            l->anomalies |= TCPFSM_AN(ACK_MISMATCH);
    }
    x->tx |= row->tx | (x->ok ? row->tx_ok : 0);
    x->rx |= row->rx | (x->ok ? row->rx_ok : 0);
    if (row->evidence) {
        /* SPEC 6: what sending it at all shows (rows with the SYNCED
         * input say it themselves) */
        if (x->synced && !(row->tx & TCPFSM_IN(SYNCED))) {
            x->tx |= TCPFSM_IN(SYNCED);
            if (x->synced_peer)
                x->rx |= TCPFSM_IN(SYNCED);
            l->anomalies |= TCPFSM_AN(INFERRED);
            x->inferred_note = true;
        }
        if (x->acks_syn) {
            x->tx |= TCPFSM_IN(ACK_SYN);
            /* 3.10.7.3: SYN_SENT drops a segment without SYN */
            if (x->r->state != TCPFSM_SYN_SENT)
                x->rx |= TCPFSM_IN(ACK_SYN);
        }
        if (x->acks_fin) {
            x->tx |= TCPFSM_IN(ACK_FIN);
            x->rx |= TCPFSM_IN(ACK_FIN);
        }
    }
    if (row->tx & TCPFSM_IN(RST)) {
        x->rst_accepted = true;
        l->close = row->close; /* a FIN row's close is the connection's */
    }
}

/* ------------------------------------------------------------------ */
/* What the connection remembers of a step (for the segments after it)  */
/* ------------------------------------------------------------------ */

/* A SYN or SYN-ACK step of the sender: repeats of it are labelled by it. */
static void remember_syn(ctx *x)
{
    endpoint *s = x->s;
    const tcpfsm_label *l = x->out;
    s->syn_sent = true;
    s->syn_frame = x->seg->frame;
    s->syn_time = x->seg->time;
    s->syn_step_num = l->step_num;
    s->syn_step_of = l->step_of;
    s->syn_step_last = l->step_last;
    s->syn_title = l->title;
}

static void remember(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    const tcpfsm_label *l = x->out;
    endpoint *s = x->s, *r = x->r;
    conn *c = x->c;
    switch (x->sit) {
    case TCPFSM_SIT_SYN_CROSSING:
        c->sim_open = true;
        /* fall through */
    case TCPFSM_SIT_SYN_FIRST:
        s->isn_known = true;
        s->isn = seg->seq;
        s->syn_len = seg->len;
        /* fall through */
    case TCPFSM_SIT_SYN_REORDERED:
        remember_syn(x);
        if (x->S == 0)
            c->syn_last_time = seg->time; /* SPEC 6 timing */
        break;
    case TCPFSM_SIT_SYN_RETX:
        /* SPEC 6 timing: the SYN-ACK answers the last SYN before it */
        if (x->S == 0 && !r->synack_sent)
            c->syn_last_time = seg->time;
        break;
    case TCPFSM_SIT_SYNACK_SIM_3:
    case TCPFSM_SIT_SYNACK_SIM_4:
        s->synack_sent = true;
        s->syn_step_num = l->step_num;
        s->syn_step_of = l->step_of;
        s->syn_step_last = l->step_last;
        s->syn_title = l->title;
        if (x->ok) {
            s->acked_peer_syn = true;
            if (c->ep[0].acked_peer_syn && c->ep[1].acked_peer_syn)
                c->hs_done = true;
        }
        break;
    case TCPFSM_SIT_SYNACK_NO_SYN:
    case TCPFSM_SIT_SYNACK_REORDERED:
    case TCPFSM_SIT_SYNACK_TFO:
    case TCPFSM_SIT_SYNACK:
        if (x->sit == TCPFSM_SIT_SYNACK_REORDERED)
            c->hs_inferred = false; /* all three steps are captured */
        s->synack_ack = seg->ack;
        remember_syn(x);
        s->synack_sent = true;
        s->isn_known = true;
        s->isn = seg->seq;
        c->synack_frame = seg->frame;
        c->synack_time = seg->time;
        c->has_synack_time = seg->has_time;
        if (x->sit == TCPFSM_SIT_SYNACK_NO_SYN) {
            /* the capture begins with the SYN-ACK: the client's SYN was
             * missed, its ack tells the client's ISN */
            r->isn_from_synack = true;
            r->isn = seg->ack - 1;
        }
        if (x->sit == TCPFSM_SIT_SYNACK_NO_SYN || x->ok) {
            s->acked_peer_syn = true;
            c->synack_ok = true;
        }
        break;
    case TCPFSM_SIT_RST_REFUSED:
        c->refused = true;
        break;
    case TCPFSM_SIT_RST_PASSIVE_OPEN:
    case TCPFSM_SIT_RST_RESET:
        if (c->ep[0].fin_sent && c->ep[1].fin_sent && !c->reset)
            c->rst_after_fins = true;
        if (!c->rst_by)
            c->rst_by = (int8_t)(x->S + 1); /* SPEC 2: who aborted */
        c->reset = true;
        break;
    case TCPFSM_SIT_FIN1_REORDERED:
    case TCPFSM_SIT_FIN1:
    case TCPFSM_SIT_FIN2_MERGED:
    case TCPFSM_SIT_FIN2:
    case TCPFSM_SIT_FIN_CROSSING:
        if (x->sit == TCPFSM_SIT_FIN1 || x->sit == TCPFSM_SIT_FIN1_REORDERED)
            c->first_fin_side = x->S; /* the active closer */
        if (x->sit == TCPFSM_SIT_FIN1_REORDERED)
            r->acked_peer_fin = true; /* the ACK captured before it */
        s->fin_sent = true;
        s->fin_seq = seg->seq + seg->len;
        s->fin_frame = seg->frame;
        s->fin_event = l->event;
        s->fin_step_num = l->step_num;
        s->fin_step_of = l->step_of;
        s->fin_step_last = l->step_last;
        s->fin_title = l->title;
        s->fin_flow = l->flow;
        break;
    case TCPFSM_SIT_SIM_ACK_FIN1_3:
    case TCPFSM_SIT_SIM_ACK_FIN1_4:
    case TCPFSM_SIT_SIM_ACK_FIN2_3:
    case TCPFSM_SIT_SIM_ACK_FIN2_4:
        c->sim_acks++;
        break;
    case TCPFSM_SIT_HS_ACK_INFERRED:
        c->hs_inferred = true;
        /* fall through */
    case TCPFSM_SIT_HS_ACK:
        c->hs_done = true;
        c->hsack_time = seg->time;
        c->has_hsack_time = seg->has_time;
        /* fall through */
    case TCPFSM_SIT_HS_ACK_BAD:
        s->hs_checked = true;
        break;
    default:
        break;
    }
    /* the close a FIN step decides (an RST's is the reset or refused
     * flag above) */
    if (x->row->close && !(x->row->tx & TCPFSM_IN(RST)))
        c->close = x->row->close;
    /* what the ACK field showed */
    if (x->acks_syn)
        s->acked_peer_syn = true;
    if (x->acks_fin)
        s->acked_peer_fin = true;
    /* The handshake also completes when the client's first ACK is the
     * one that carries its FIN or acks a FIN. */
    if (x->acks_syn && x->S == 0 && !c->sim_open &&
        (r->synack_sent || r->isn_inferred)) {
        if (!c->hs_done && !r->synack_sent)
            c->hs_inferred = true;
        c->hs_done = true;
    }
    /* SPEC 6: a server proven out of SYN_RECEIVED completed it */
    if (x->synced && x->S == 1 && !c->hs_done) {
        c->hs_done = true;
        c->hs_inferred = true;
    }
    if (x->acks_syn && !c->hs_done && c->sim_open && c->ep[0].acked_peer_syn &&
        c->ep[1].acked_peer_syn)
        c->hs_done = true;
}

/* ------------------------------------------------------------------ */
/* Anomalies of independent checks (not of the situation)               */
/* ------------------------------------------------------------------ */

/* Before the step is remembered: facts of the segment itself. */
static void side_anomalies(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *s = x->s;
    tcpfsm_label *l = x->out;
    uint16_t f = seg->flags;
    bool fin = f & TCPFSM_FIN;
    bool syn = f & TCPFSM_SYN;
    if (x->sit == TCPFSM_SIT_BAD_FLAGS || x->sit == TCPFSM_SIT_NO_ACK)
        return;
    /* SPEC `syn-data`: a SYN or SYN-ACK with payload */
    if (syn && seg->len)
        l->anomalies |= TCPFSM_AN(SYN_DATA);
    /* SPEC `bad-flags`: RST+FIN (labelled as the RST) */
    if ((f & TCPFSM_RST) && fin)
        l->anomalies |= TCPFSM_AN(BAD_FLAGS);
    if (syn || (f & TCPFSM_RST))
        return;
    /* SPEC `data-after-fin`: data beyond the sender's own FIN */
    if (seg->len && s->fin_sent &&
        tcpfsm_seq_lt(s->fin_seq, seg->seq + seg->len) &&
        !(fin && seg->seq + seg->len == s->fin_seq))
        l->anomalies |= TCPFSM_AN(DATA_AFTER_FIN);
    /* a repeated FIN on the step that acknowledges the peer's FIN */
    if (fin && s->fin_sent && x->acks_fin)
        l->anomalies |= seg->seq + seg->len == s->fin_seq
                            ? TCPFSM_AN(RETRANSMISSION)
                            : TCPFSM_AN(UNEXPECTED);
}

/* After: a data retransmission (a step's retransmission is its row's),
 * and new data or a new FIN for an endpoint that no longer has the
 * connection. */
static void late_anomalies(ctx *x)
{
    const tcpfsm_segment *seg = x->seg;
    const endpoint *s = x->s, *r = x->r;
    const conn *c = x->c;
    tcpfsm_label *out = x->out;
    /* the handshake ACK may carry data sent before, in the SYN (a TCP
     * Fast Open SYN whose data the SYN-ACK did not take) */
    bool data_event = out->event == TCPFSM_EV_DATA ||
                      out->event == TCPFSM_EV_HS_ACK;
    if (seg->len && s->snd_valid && data_event &&
        tcpfsm_seq_le(seg->seq + seg->len, s->snd_max))
        out->anomalies |= TCPFSM_AN(RETRANSMISSION);
    /* SPEC 6 reordering: new data the receiver already acknowledged */
    if (seg->len && s->snd_valid && data_event && r->ack_valid &&
        tcpfsm_seq_lt(s->snd_max, seg->seq + seg->len) &&
        tcpfsm_seq_le(seg->seq + seg->len, r->last_ack)) {
        out->anomalies |= TCPFSM_AN(REORDERED);
        x->reordered_note = true;
    }
    if ((r->state == TCPFSM_CLOSED || s->state == TCPFSM_CLOSED) &&
        out->event != TCPFSM_EV_RST && out->event != TCPFSM_EV_SYN &&
        out->event != TCPFSM_EV_SYN_ACK &&
        !(out->anomalies & TCPFSM_AN(RETRANSMISSION)) &&
        (seg->len || (seg->flags & TCPFSM_FIN) ||
         (s->state == TCPFSM_CLOSED && x->ack_flag)) &&
        (c->reset || c->refused || r->fin_sent))
        out->anomalies |= TCPFSM_AN(UNEXPECTED);
}

/* ------------------------------------------------------------------ */
/* One segment                                                          */
/* ------------------------------------------------------------------ */

void tcpfsm_i_classify(ctx *x)
{
    x->sit = situation_of(x);
    x->row = &tcpfsm_rules[x->sit];
    x->out->situation = (uint8_t)x->sit;
    apply_row(x, x->row);
    side_anomalies(x);
    remember(x);
    tcpfsm_i_step_sentence(x);
    late_anomalies(x);
}

void tcpfsm_i_apply_moves(ctx *x)
{
    const tcpfsm_rule *row = x->row;
    tcpfsm_label *out = x->out;
    endpoint *s = x->s, *r = x->r;
    /* the sender's prior state, as this situation proves it */
    tcpfsm_state sprev = s->state;
    if (row->sfix_from && s->state == row->sfix_from)
        sprev = (tcpfsm_state)row->sfix_to;
    tcpfsm_state snew = apply(send_table, sprev, x->tx);
    tcpfsm_state rnew = row->rto ? (tcpfsm_state)row->rto
                                 : apply(recv_table, r->state, x->rx);
    out->src_prev = sprev;
    out->src_state = snew;
    out->dst_state = rnew;
    s->state = snew;
    r->state = rnew;
}
