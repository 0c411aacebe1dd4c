/* rules.h - the situation table (engine-private; the table is in rules.c).
 *
 * The engine classifies every segment into one *situation*; one row of
 * the table per situation gives everything the label says about the step:
 * event, step, close, the acknowledgement checked, both moves, title,
 * arrow word and message.  tcpfsm_label.situation is the row a segment
 * got, tcpfsm_situation_name() its name (README: "How the labels are
 * decided").
 */
#ifndef TCPFSM_RULES_H
#define TCPFSM_RULES_H

#include <stdint.h>

#include "tcpfsm.h"

/* X(ID, "name"): the situations, in the order rules.c classifies them */
#define TCPFSM_SITUATIONS(X)                          \
    X(BAD_FLAGS, "bad-flags")                         \
    X(NO_ACK, "no-ack")                               \
    X(RST_IGNORED, "rst-ignored")                     \
    X(RST_REFUSED, "rst-refused")                     \
    X(RST_PASSIVE_OPEN, "rst-passive-open")           \
    X(RST_RESET, "rst-reset")                         \
    X(SYN_RETX, "syn-retransmitted")                  \
    X(SYN_NEW_ISN, "syn-new-isn")                     \
    X(SYN_REORDERED, "syn-reordered")                 \
    X(SYN_FIRST, "syn-first")                         \
    X(SYN_CROSSING, "syn-crossing")                   \
    X(SYN_MIDDLE, "syn-middle")                       \
    X(SYNACK_RETX, "syn-ack-retransmitted")           \
    X(SYNACK_NEW_ISN, "syn-ack-new-isn")              \
    X(SYNACK_NEW_ISN_RETX, "syn-ack-new-isn-retransmitted") \
    X(SYNACK_SIM_3, "syn-ack-simultaneous-3")         \
    X(SYNACK_SIM_4, "syn-ack-simultaneous-4")         \
    X(SYNACK_OPENER, "syn-ack-from-opener")           \
    X(SYNACK_NO_SYN, "syn-ack-syn-missed")            \
    X(SYNACK_REORDERED, "syn-ack-reordered")          \
    X(SYNACK_TFO, "syn-ack-fast-open")                \
    X(SYNACK, "syn-ack")                              \
    X(FIN_RETX, "fin-retransmitted")                  \
    X(FIN_AGAIN, "fin-again")                         \
    X(FIN1_REORDERED, "fin-first-reordered")          \
    X(FIN1, "fin-first")                              \
    X(FIN2_MERGED, "fin-merged")                      \
    X(FIN2, "fin-second")                             \
    X(FIN_CROSSING, "fin-crossing")                   \
    X(FIN1_ACK, "ack-first-fin")                      \
    X(FIN2_ACK_MERGED, "ack-merged-fin")              \
    X(FIN2_ACK, "ack-second-fin")                     \
    X(SIM_ACK_FIN1_3, "ack-crossing-first-fin-3")     \
    X(SIM_ACK_FIN1_4, "ack-crossing-first-fin-4")     \
    X(SIM_ACK_FIN2_3, "ack-crossing-second-fin-3")    \
    X(SIM_ACK_FIN2_4, "ack-crossing-second-fin-4")    \
    X(HS_ACK_INFERRED, "handshake-ack-inferred")      \
    X(HS_ACK, "handshake-ack")                        \
    X(HS_ACK_BAD, "handshake-ack-wrong")              \
    X(DATA, "data")                                   \
    X(ACK, "ack")

enum tcpfsm_situation {
#define TCPFSM_X_SIT(id, name) TCPFSM_SIT_##id,
    TCPFSM_SITUATIONS(TCPFSM_X_SIT)
#undef TCPFSM_X_SIT
    TCPFSM_SIT_COUNT
};

/* Values of a row's fields that are not one fixed value: */
#define TCPFSM_EV_SAME (TCPFSM_EV_MAX + 1)   /* the event of the step it repeats */
#define TCPFSM_EV_BY_LEN (TCPFSM_EV_MAX + 2) /* `data` with payload, else `ack` */
#define TCPFSM_STEP_SAME 0xff                /* the step it repeats */
#define TCPFSM_T_SAME 0xff                   /* the title of the step it repeats */
#define TCPFSM_FW_SAME 0xff                  /* the arrow word of the step it repeats */
#define TCPFSM_FW_BY_LEN 0xfe                /* Data with payload, else ACK */

/* The segment a step answers (tcpfsm_label.ref_frame). */
enum tcpfsm_ref {
    TCPFSM_REF_NONE = 0,
    TCPFSM_REF_OWN_SYN,  /* the sender's own SYN (or SYN-ACK) it repeats */
    TCPFSM_REF_PEER_SYN, /* the receiver's SYN it answers */
    TCPFSM_REF_OWN_FIN,  /* the sender's own FIN it repeats */
    TCPFSM_REF_PEER_FIN, /* the receiver's FIN it answers */
    TCPFSM_REF_PEER_ACK, /* the receiver's last ACK, captured before the
                            segment it acknowledges (reordered) */
    TCPFSM_REF_COUNT
};

/* Transition inputs: the columns of the move tables (rules.c). */
/* SYNCED (SPEC 6, evidence of receipt): the sender sent an ACK without
 * SYN, which only a synchronized TCP does: the segment that synchronized
 * it is not in the capture (as input of the receiver: the sender proved
 * it had the receiver's ACK of its SYN-ACK, so the receiver had that
 * SYN-ACK).  FIN_ACKED (SPEC 6, reordering): the FIN being sent was
 * already acknowledged by a segment of the peer captured before it. */
enum tcpfsm_input { TCPFSM_IN_SYNCED, TCPFSM_IN_ACK_SYN, TCPFSM_IN_ACK_FIN,
                    TCPFSM_IN_SYN, TCPFSM_IN_FIN, TCPFSM_IN_FIN_ACKED,
                    TCPFSM_IN_RST, TCPFSM_IN_COUNT };
#define TCPFSM_IN(id) (1u << TCPFSM_IN_##id)

typedef struct tcpfsm_rule {
    uint8_t event;            /* tcpfsm_event, or EV_SAME / EV_BY_LEN */
    uint8_t step_num, step_of; /* 0/0 none; STEP_SAME */
    uint8_t step_last;        /* 0: the segment is step step_num; else it
                                 is steps step_num..step_last at once
                                 (the merged close: 2+3/4) */
    uint8_t close;            /* tcpfsm_close this step decides: an RST's
                                 label says it; a FIN's sets the
                                 connection's close */
    uint8_t check;            /* tcpfsm_check */
    uint16_t anomalies;       /* TCPFSM_AN() bits the situation means */
    /* the moves: inputs of the move tables, for the sender (tx) and the
     * receiver (rx); *_ok only when the check passes (or no check
     * applies); `evidence`: also
     * what the ACK field shows the sender received (its ack covers the
     * peer's SYN or FIN) */
    uint8_t tx, rx, tx_ok, rx_ok;
    uint8_t evidence;
    /* corrections the situation proves, no table needed:
     * sender: when it is in sfix_from, it was in fact in sfix_to (it sent
     * this segment from there); receiver: it goes to rto (0: by table) */
    uint8_t sfix_from, sfix_to, rto;
    uint8_t ref;              /* enum tcpfsm_ref */
    uint8_t title;            /* tcpfsm_title, or T_SAME */
    uint8_t flow;             /* tcpfsm_flow_word, or FW_SAME / FW_BY_LEN */
    uint8_t msg;              /* messages.h id of the sentence */
} tcpfsm_rule;

/* The table (rules.c): one row per situation.  Read-only, except in the
 * test build that perturbs rows (tests/test_rules.c). */
#ifndef TCPFSM_RULES_CONST
#define TCPFSM_RULES_CONST const
#endif
extern TCPFSM_RULES_CONST tcpfsm_rule tcpfsm_rules[TCPFSM_SIT_COUNT];

/* "syn-first", ... ("" out of range) */
const char *tcpfsm_situation_name(unsigned situation);

#endif
