/* test_rules.c - every row of the situation table (engine/rules.c), hit
 * and pinned.
 *
 * 1. rows_hit: scenarios of segments between a client C (ISN 1000) and a
 *    server S (ISN 5000); for every segment the expected label is written
 *    out by hand from SPEC.md and RFC 9293, independently of the table:
 *    the row it must land on, event, step, close, the check (kind, result,
 *    numbers), the anomalies, both moves, the frame it answers, the title,
 *    the arrow text and the step sentence.  Every row must be hit.
 * 2. mutations: this test links a copy of the engine whose table is
 *    writable (TCPFSM_RULES_CONST empty); each field of each row is set in
 *    turn to every other value it can take (each anomaly and input bit
 *    toggled), the scenarios are run again, and at least one expectation
 *    must fail.  The few (row, field) pairs whose change cannot show are
 *    listed in `equivalent` with the reason; anything else that survives
 *    fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "messages.h"
#include "rules.h"
#include "tcpfsm.h"
#include "tcpfsm_lang.h"
#include "test_macros.h"



#define C_ISN 1000u
#define S_ISN 5000u

typedef struct seg {
    int dir;
    uint16_t flags;
    uint32_t seq, ack, len; /* relative to each side's ISN */
    /* expected */
    const char *sit, *event, *step, *close;
    int ack_ok;
    uint32_t seen, expected; /* the check's numbers (ack_ok >= 0) */
    uint32_t anomalies;
    tcpfsm_state sp, ss, dp, ds; /* sender prev/next, receiver prev/next */
    unsigned ref;
    const char *title, *flow, *sentence; /* sentence: before " — " */
} seg;

typedef struct scenario {
    const char *name;
    const seg *segs;
    size_t n;
    const char *close; /* the summary's close */
} scenario;

/* the handshake every teardown scenario starts with */
#define HS3                                                                  \
    {C2S, S_, 0, 0, 0, "syn-first", "syn", "1/3", "", -1, 0, 0, 0, CL, SS,   \
     LI, SR, 0, "Handshake 1/3", "SYN Handshake 1/3",                        \
     "Handshake 1/3: SYN, client ISN 1000"},                                 \
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "syn-ack", "2/3", "", 1, 1001, 1001,  \
     0, SR, SR, SS, ES, 1, "Handshake 2/3", "SYN-ACK Handshake 2/3",         \
     "Handshake 2/3: SYN-ACK, ack 1001 = client ISN 1000 + 1 ✓"},            \
    {C2S, A_, 1, 1, 0, "handshake-ack", "hs-ack", "3/3", "", 1, 5001, 5001,  \
     0, ES, ES, SR, ES, 2, "Handshake 3/3", "ACK Handshake 3/3",             \
     "Handshake 3/3: ACK, ack 5001 = server ISN 5000 + 1 ✓"}
#define FIN1_AT(seq, frame_unused)                                           \
    {C2S, F_ | A_, seq, 1, 0, "fin-first", "fin1", "1/4", "", -1, 0, 0, 0,   \
     ES, F1, ES, CW, 0, "Teardown 1/4", "FIN Teardown 1/4",                  \
     "Teardown 1/4: FIN from the client (active close), seq " #seq}

/* a first FIN from the client in states other than ESTABLISHED */
#define FIN1_FROM(seq, ack, sp, dp, ds) FIN1_AN(seq, ack, 0, sp, dp, ds)
#define FIN1_AN(seq, ack, an, sp, dp, ds)                                    \
    {C2S, F_ | A_, seq, ack, 0, "fin-first", "fin1", "1/4", "", -1, 0, 0,    \
     an, sp, F1, dp, ds, 0, "Teardown 1/4", "FIN Teardown 1/4",              \
     "Teardown 1/4: FIN from the client (active close), seq " #seq}

/* SPEC 3 rows 1-7: the four-way close */
static const seg fourway[] = {
    HS3,
    {C2S, P_ | A_, 1, 1, 10, "data", "data", "", "", -1, 0, 0, 0, ES, ES, ES,
     ES, 0, "", "Data", "Data from the client, 10 bytes, seq 1"},
    {S2C, A_, 1, 11, 0, "ack", "ack", "", "", -1, 0, 0, 0, ES, ES, ES, ES, 0,
     "", "ACK", "ACK from the server, ack 11"},
    FIN1_AT(11, 6),
    {S2C, A_, 1, 12, 0, "ack-first-fin", "fin1-ack", "2/4", "fin4", 1, 12, 12,
     0, CW, CW, F1, F2, 6, "Teardown 2/4", "ACK Teardown 2/4",
     "Teardown 2/4: ACK of the client's FIN, ack 12 = FIN seq 11 + 1 ✓"},
    {S2C, F_ | A_, 1, 12, 0, "fin-second", "fin2", "3/4", "fin4", -1, 0, 0, 0,
     CW, LA, F2, TW, 6, "Teardown 3/4", "FIN Teardown 3/4",
     "Teardown 3/4: FIN from the server (passive close), seq 1"},
    {C2S, A_, 12, 2, 0, "ack-second-fin", "fin2-ack", "4/4", "fin4", 1, 2, 2,
     0, TW, TW, LA, CL, 8, "Teardown 4/4", "ACK Teardown 4/4",
     "Teardown 4/4: ACK of the server's FIN, ack 2 = FIN seq 1 + 1 ✓"},
};

/* SPEC 3 merged close, with both FINs retransmitted */
static const seg merged[] = {
    HS3,
    FIN1_AT(1, 4),
    {C2S, F_ | A_, 1, 1, 0, "fin-retransmitted", "fin1", "1/4", "", -1, 0, 0,
     AN(RETRANSMISSION), F1, F1, CW, CW, 4, "Teardown 1/4", "FIN Teardown 1/4",
     "Teardown 1/4: FIN from the client retransmitted (same seq 1)"},
    {S2C, F_ | A_, 1, 2, 0, "fin-merged", "fin2", "2+3/4", "fin3", 1, 2, 2, 0,
     CW, LA, F1, TW, 4, "Teardown 2+3/4", "FIN-ACK Teardown 2+3/4",
     "Teardown 2+3/4: FIN+ACK from the server (passive close, merged with the "
     "ACK of the client's FIN), ack 2 = FIN seq 1 + 1 ✓"},
    {S2C, F_ | A_, 1, 2, 0, "fin-retransmitted", "fin2", "2+3/4", "fin3", -1, 0,
     0, AN(RETRANSMISSION), LA, LA, TW, TW, 6, "Teardown 2+3/4",
     "FIN-ACK Teardown 2+3/4",
     "Teardown 2+3/4: FIN from the server retransmitted (same seq 1)"},
    {C2S, A_, 2, 2, 0, "ack-merged-fin", "fin2-ack", "4/4", "fin3", 1, 2, 2, 0,
     TW, TW, LA, CL, 6, "Teardown 4/4", "ACK Teardown 4/4",
     "Teardown 4/4: ACK of the server's FIN, ack 2 = FIN seq 1 + 1 ✓"},
};

/* the crossing FIN of a simultaneous close */
#define FIN_CROSS                                                            \
    {S2C, F_ | A_, 1, 1, 0, "fin-crossing", "fin2", "2/4", "simultaneous", -1, \
     0, 0, AN(SIMULTANEOUS_CLOSE), ES, F1, F1, CG, 4,                        \
     "Simultaneous close 2/4", "FIN Simultaneous close 2/4",                 \
     "Simultaneous close 2/4: FIN from the server, seq 1, crossing the "     \
     "client's FIN (it does not acknowledge FIN seq 1)"}

/* SPEC 3 simultaneous close: the first FIN acked first */
static const seg simclose_a[] = {
    HS3,
    FIN1_AT(1, 4),
    FIN_CROSS,
    {S2C, A_, 2, 2, 0, "ack-crossing-first-fin-3", "fin1-ack", "3/4",
     "simultaneous", 1, 2, 2, 0, F1, CG, CG, TW, 4, "Simultaneous close 3/4",
     "ACK Simultaneous close 3/4",
     "Simultaneous close 3/4: ACK of the client's FIN, ack 2 = FIN seq 1 + 1 ✓"},
    {C2S, A_, 2, 2, 0, "ack-crossing-second-fin-4", "fin2-ack", "4/4",
     "simultaneous", 1, 2, 2, 0, TW, TW, CG, TW, 5, "Simultaneous close 4/4",
     "ACK Simultaneous close 4/4",
     "Simultaneous close 4/4: ACK of the server's FIN, ack 2 = FIN seq 1 + 1 ✓"},
};

/* the second FIN acked first */
static const seg simclose_b[] = {
    HS3,
    FIN1_AT(1, 4),
    FIN_CROSS,
    {C2S, A_, 2, 2, 0, "ack-crossing-second-fin-3", "fin2-ack", "3/4",
     "simultaneous", 1, 2, 2, 0, CG, CG, F1, F2, 5, "Simultaneous close 3/4",
     "ACK Simultaneous close 3/4",
     "Simultaneous close 3/4: ACK of the server's FIN, ack 2 = FIN seq 1 + 1 ✓"},
    {S2C, A_, 2, 2, 0, "ack-crossing-first-fin-4", "fin1-ack", "4/4",
     "simultaneous", 1, 2, 2, 0, F2, TW, CG, TW, 4,
     "Simultaneous close 4/4", "ACK Simultaneous close 4/4",
     "Simultaneous close 4/4: ACK of the client's FIN, ack 2 = FIN seq 1 + 1 ✓"},
};

#define SYN1                                                                 \
    {C2S, S_, 0, 0, 0, "syn-first", "syn", "1/3", "", -1, 0, 0, 0, CL, SS,   \
     LI, SR, 0, "Handshake 1/3", "SYN Handshake 1/3",                        \
     "Handshake 1/3: SYN, client ISN 1000"}
#define SYN_CROSS                                                            \
    {S2C, S_, 0, 0, 0, "syn-crossing", "syn", "2/4", "", -1, 0, 0,           \
     AN(SIMULTANEOUS_OPEN), CL, SS, SS, SR, 1, "Simultaneous open 2/4",      \
     "SYN Simultaneous open 2/4",                                            \
     "Simultaneous open 2/4: SYN from the server, ISN 5000, crossing the "   \
     "client's SYN (the server was not listening: it opened too)"}

/* SPEC 3 simultaneous open, then repeats of its steps */
static const seg simopen[] = {
    SYN1,
    SYN_CROSS,
    {S2C, S_ | A_, 0, 1, 0, "syn-ack-simultaneous-3", "syn-ack", "3/4", "", 1,
     1001, 1001, 0, SS, SR, SR, ES, 1, "Simultaneous open 3/4",
     "SYN-ACK Simultaneous open 3/4",
     "Simultaneous open 3/4: SYN-ACK from the server, ack 1001 = client ISN "
     "1000 + 1 ✓"},
    {C2S, S_ | A_, 0, 1, 0, "syn-ack-simultaneous-4", "syn-ack", "4/4", "", 1,
     5001, 5001, 0, ES, ES, SR, ES, 2, "Simultaneous open 4/4",
     "SYN-ACK Simultaneous open 4/4",
     "Simultaneous open 4/4: SYN-ACK from the client, ack 5001 = server ISN "
     "5000 + 1 ✓"},
    {C2S, S_ | A_, 0, 1, 0, "syn-ack-retransmitted", "syn-ack", "4/4", "", -1,
     0, 0, AN(RETRANSMISSION), ES, ES, ES, ES, 1, "Handshake 4/4",
     "SYN-ACK Handshake 4/4",
     "Handshake 4/4: SYN-ACK retransmitted (same ISN 1000)"},
    {S2C, S_, 0, 0, 0, "syn-retransmitted", "syn", "3/4", "", -1, 0, 0,
     AN(RETRANSMISSION), ES, ES, ES, ES, 2, "Handshake 3/4",
     "SYN Handshake 3/4", "Handshake 3/4: SYN retransmitted (same ISN 5000)"},
    {S2C, S_, 77, 0, 0, "syn-new-isn", "syn", "3/4", "", -1, 0, 0,
     AN(UNEXPECTED), ES, ES, ES, ES, 2, "Simultaneous open 3/4",
     "SYN Simultaneous open 3/4",
     "SYN with a new ISN 5077 on a connection whose server ISN is 5000: not "
     "a new connection yet"},
    {C2S, S_ | A_, 55, 1, 0, "syn-ack-new-isn", "syn-ack", "4/4", "", -1, 0, 0,
     AN(UNEXPECTED), ES, ES, ES, ES, 1, "Simultaneous open 4/4",
     "SYN-ACK Simultaneous open 4/4",
     "SYN-ACK with a new ISN 1055 (the client's ISN is 1000)"},
    FIN1_AT(1, 9),
};

/* simultaneous open whose SYN-ACKs acknowledge the wrong numbers */
static const seg simopen_bad[] = {
    SYN1,
    SYN_CROSS,
    {S2C, S_ | A_, 0, 7, 0, "syn-ack-simultaneous-3", "syn-ack", "3/4", "", 0,
     1007, 1001, AN(ACK_MISMATCH), SS, SS, SR, SR, 1, "Simultaneous open 3/4",
     "SYN-ACK Simultaneous open 3/4",
     "Simultaneous open 3/4: SYN-ACK from the server, ack 1007 ≠ client ISN "
     "1000 + 1 ✗"},
    {C2S, S_ | A_, 0, 9, 0, "syn-ack-simultaneous-4", "syn-ack", "4/4", "", 0,
     5009, 5001, AN(ACK_MISMATCH), SR, SR, SS, SS, 2, "Simultaneous open 4/4",
     "SYN-ACK Simultaneous open 4/4",
     "Simultaneous open 4/4: SYN-ACK from the client, ack 5009 ≠ server ISN "
     "5000 + 1 ✗"},
};

/* SPEC 3 refused */
static const seg refused[] = {
    SYN1,
    {S2C, R_ | A_, 0, 1, 0, "rst-refused", "rst", "", "refused", 1, 1001, 1001,
     0, SR, CL, SS, CL, 1, "Refused", "RST Refused",
     "Refused: RST answers the SYN, ack 1001 = client ISN 1000 + 1 ✓ (nothing "
     "listens on port 80)"},
};

/* 3.10.7.4: an RST on a passive open returns the server to LISTEN */
static const seg passive_rst[] = {
    SYN1,
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "syn-ack", "2/3", "", 1, 1001, 1001, 0,
     SR, SR, SS, ES, 1, "Handshake 2/3", "SYN-ACK Handshake 2/3",
     "Handshake 2/3: SYN-ACK, ack 1001 = client ISN 1000 + 1 ✓"},
    {C2S, R_, 1, 0, 0, "rst-passive-open", "rst", "", "reset", -1, 0, 0, 0, ES,
     CL, SR, LI, 0, "Reset", "RST Reset", "Reset: RST from the client, seq 1"},
};

/* an RST out of the window, then one that resets */
static const seg reset[] = {
    HS3,
    {S2C, R_, 100000, 0, 0, "rst-ignored", "rst", "", "", -1, 0, 0,
     AN(RST_OUT_OF_WINDOW), ES, ES, ES, ES, 0, "", "RST",
     "RST from the server ignored: seq 100000 outside the client's window "
     "1..65536"},
    {C2S, R_ | A_, 1, 1, 0, "rst-reset", "rst", "", "reset", -1, 0, 0, 0, ES,
     CL, ES, CL, 0, "Reset", "RST Reset", "Reset: RST from the client, seq 1"},
};

/* 3.10.7.3: in SYN-SENT an RST must acknowledge the SYN */
static const seg syn_sent_rst[] = {
    SYN1,
    {S2C, R_, 0, 0, 0, "rst-ignored", "rst", "", "", -1, 0, 0,
     AN(RST_OUT_OF_WINDOW), SR, SR, SS, SS, 0, "", "RST",
     "RST from the server ignored: in SYN_SENT an RST must acknowledge the "
     "SYN"},
    {S2C, R_ | A_, 0, 5, 0, "rst-ignored", "rst", "", "", -1, 0, 0,
     AN(RST_OUT_OF_WINDOW), SR, SR, SS, SS, 0, "", "RST",
     "RST from the server ignored: ack 1005 ≠ client ISN 1000 + 1"},
    /* SPEC 6: an ACK from SYN_SENT shows the client synchronized */
    FIN1_AN(1, 1, AN(INFERRED), SS, SR, CW),
};

/* SPEC 3 reordered handshake: the SYN-ACK first */
static const seg reordered[] = {
    {S2C, S_ | A_, 0, 1, 0, "syn-ack-syn-missed", "syn-ack", "2/3", "", -1, 0,
     0, 0, SR, SR, SS, ES, 0, "Handshake 2/3", "SYN-ACK Handshake 2/3",
     "Handshake 2/3: SYN-ACK, server ISN 5000 (the client's SYN was not "
     "captured; its ISN would be 1000)"},
    {C2S, S_, 0, 0, 0, "syn-reordered", "syn", "1/3", "", -1, 0, 0,
     AN(REORDERED), ES, ES, SR, SR, 0, "Handshake 1/3", "SYN Handshake 1/3",
     "Handshake 1/3: SYN, client ISN 1000, captured after its SYN-ACK "
     "(reordered)"},
    {C2S, A_, 1, 1, 0, "handshake-ack", "hs-ack", "3/3", "", 1, 5001, 5001, 0,
     ES, ES, SR, ES, 1, "Handshake 3/3", "ACK Handshake 3/3",
     "Handshake 3/3: ACK, ack 5001 = server ISN 5000 + 1 ✓"},
    FIN1_AT(1, 4),
};

/* segments nobody accepts */
static const seg odd[] = {
    SYN1,
    {C2S, S_ | A_, 0, 1, 0, "syn-ack-from-opener", "syn-ack", "", "", -1, 0, 0,
     AN(UNEXPECTED), SS, SS, SR, SR, 0, "", "SYN-ACK",
     "SYN-ACK from the client, which opened this connection"},
    {C2S, S_ | F_, 0, 0, 0, "bad-flags", "other", "", "", -1, 0, 0,
     AN(BAD_FLAGS), SS, SS, SR, SR, 0, "", "Other",
     "Invalid flag combination SYN+FIN: dropped by the receiver"},
    {C2S, P_, 1, 0, 0, "no-ack", "other", "", "", -1, 0, 0, AN(UNEXPECTED), SS,
     SS, SR, SR, 0, "", "Other",
     "PSH without ACK: a synchronized receiver drops it (RFC 9293 3.10.7.4)"},
    /* SPEC 6: an ACK from SYN_SENT shows the client synchronized */
    FIN1_AN(1, 1, AN(INFERRED), SS, SR, CW),
};

/* a capture that starts mid-connection, then a SYN in its middle */
static const seg midstream[] = {
    {C2S, P_ | A_, 100, 200, 5, "data", "data", "", "", -1, 0, 0,
     AN(MIDSTREAM), U, U, U, U, 0, "", "Data",
     "Data from the client, 5 bytes, seq 1"},
    {C2S, S_, 0, 0, 0, "syn-middle", "syn", "", "", -1, 0, 0, AN(UNEXPECTED), U,
     U, U, U, 0, "", "SYN",
     "SYN from the client in the middle of a connection (ISN 1000)"},
    FIN1_FROM(105, 200, U, U, CW),
};

/* wrong acknowledgements in the handshake */
static const seg hs_bad[] = {
    SYN1,
    {S2C, S_ | A_, 0, 9, 0, "syn-ack", "syn-ack", "2/3", "", 0, 1009, 1001,
     AN(ACK_MISMATCH), SR, SR, SS, SS, 1, "Handshake 2/3",
     "SYN-ACK Handshake 2/3",
     "Handshake 2/3: SYN-ACK, ack 1009 ≠ client ISN 1000 + 1 ✗"},
    /* SPEC 6: data from SYN_SENT shows the client synchronized; the
     * server's SYN-ACK acknowledged it already (ack 1009): reordered */
    {C2S, P_ | A_, 1, 7, 3, "handshake-ack-wrong", "data", "", "", 0, 5007,
     5001, AN(ACK_MISMATCH) | AN(REORDERED) | AN(INFERRED), SS, ES, SR, ES, 2,
     "", "Data",
     "Handshake 3/3 expected, but ack 5007 ≠ server ISN 5000 + 1 ✗"},
    {C2S, A_, 4, 7, 0, "ack", "ack", "", "", -1, 0, 0, 0, ES, ES, ES, ES, 0, "",
     "ACK", "ACK from the client, ack 7"},
    FIN1_FROM(10, 7, ES, ES, CW),
};

/* another FIN from the active closer; the ACKs of the FINs acknowledge
 * too much */
static const seg fin_again[] = {
    HS3,
    FIN1_AT(1, 4),
    {C2S, F_ | A_, 5, 1, 0, "fin-again", "fin1", "1/4", "", -1, 0, 0,
     AN(UNEXPECTED), F1, F1, CW, CW, 4, "Teardown 1/4", "FIN Teardown 1/4",
     "Another FIN from the client at seq 5 (its FIN was at 1)"},
    {S2C, A_, 1, 3, 0, "ack-first-fin", "fin1-ack", "2/4", "fin4", 0, 3, 2,
     AN(ACK_MISMATCH), CW, CW, F1, F2, 4, "Teardown 2/4", "ACK Teardown 2/4",
     "Teardown 2/4: ACK of the client's FIN, ack 3 ≠ FIN seq 1 + 1 ✗"},
    {S2C, F_ | A_, 1, 3, 0, "fin-second", "fin2", "3/4", "fin4", -1, 0, 0, 0,
     CW, LA, F2, TW, 4, "Teardown 3/4", "FIN Teardown 3/4",
     "Teardown 3/4: FIN from the server (passive close), seq 1"},
    {C2S, A_, 2, 5, 0, "ack-second-fin", "fin2-ack", "4/4", "fin4", 0, 5, 2,
     AN(ACK_MISMATCH), TW, TW, LA, CL, 7, "Teardown 4/4", "ACK Teardown 4/4",
     "Teardown 4/4: ACK of the server's FIN, ack 5 ≠ FIN seq 1 + 1 ✗"},
};

/* a merged close whose acknowledgements are wrong */
static const seg merged_bad[] = {
    HS3,
    FIN1_AT(1, 4),
    {S2C, F_ | A_, 1, 4, 0, "fin-merged", "fin2", "2+3/4", "fin3", 0, 4, 2,
     AN(ACK_MISMATCH), CW, LA, F1, TW, 4, "Teardown 2+3/4",
     "FIN-ACK Teardown 2+3/4",
     "Teardown 2+3/4: FIN+ACK from the server (passive close, merged with the "
     "ACK of the client's FIN), ack 4 ≠ FIN seq 1 + 1 ✗"},
    {C2S, A_, 2, 9, 0, "ack-merged-fin", "fin2-ack", "4/4", "fin3", 0, 9, 2,
     AN(ACK_MISMATCH), TW, TW, LA, CL, 5, "Teardown 4/4", "ACK Teardown 4/4",
     "Teardown 4/4: ACK of the server's FIN, ack 9 ≠ FIN seq 1 + 1 ✗"},
};

/* a simultaneous open finished by a bare ACK, then data: the moves come
 * from what their ACK field shows */
static const seg simopen_ack[] = {
    SYN1,
    SYN_CROSS,
    {S2C, S_ | A_, 0, 1, 0, "syn-ack-simultaneous-3", "syn-ack", "3/4", "", 1,
     1001, 1001, 0, SS, SR, SR, ES, 1, "Simultaneous open 3/4",
     "SYN-ACK Simultaneous open 3/4",
     "Simultaneous open 3/4: SYN-ACK from the server, ack 1001 = client ISN "
     "1000 + 1 ✓"},
    {C2S, A_, 1, 1, 0, "ack", "ack", "", "", -1, 0, 0, 0, ES, ES, SR, ES, 0, "",
     "ACK", "ACK from the client, ack 1"},
};
static const seg simopen_data[] = {
    SYN1,
    SYN_CROSS,
    {S2C, S_ | A_, 0, 1, 0, "syn-ack-simultaneous-3", "syn-ack", "3/4", "", 1,
     1001, 1001, 0, SS, SR, SR, ES, 1, "Simultaneous open 3/4",
     "SYN-ACK Simultaneous open 3/4",
     "Simultaneous open 3/4: SYN-ACK from the server, ack 1001 = client ISN "
     "1000 + 1 ✓"},
    {C2S, P_ | A_, 1, 1, 4, "data", "data", "", "", -1, 0, 0, 0, ES, ES, SR, ES,
     0, "", "Data", "Data from the client, 4 bytes, seq 1"},
};

/* the client's first segment after the SYN-ACK is its FIN: it completes
 * the handshake too (the server SYN_RECEIVED -> ESTABLISHED -> CLOSE_WAIT) */
static const seg fin_in_handshake[] = {
    SYN1,
    {S2C, S_ | A_, 0, 1, 0, "syn-ack", "syn-ack", "2/3", "", 1, 1001, 1001, 0,
     SR, SR, SS, ES, 1, "Handshake 2/3", "SYN-ACK Handshake 2/3",
     "Handshake 2/3: SYN-ACK, ack 1001 = client ISN 1000 + 1 ✓"},
    FIN1_FROM(1, 1, ES, SR, CW),
};

/* ... and after crossing SYNs: a SYN_SENT receiver does not move on a
 * segment without SYN (3.10.7.3) */
static const seg simopen_fin[] = {
    SYN1,
    SYN_CROSS,
    FIN1_FROM(1, 1, SR, SS, SS),
};

/* SPEC 6: the SYN-ACK missing, then captured late */
static const seg lost_synack[] = {
    SYN1,
    {C2S, A_, 1, 1, 0, "handshake-ack-inferred", "hs-ack", "3/3", "", 1, 5001,
     5001, AN(INFERRED), SS, ES, SR, ES, 0, "Handshake 3/3",
     "ACK Handshake 3/3",
     "Handshake 3/3: ACK, ack 5001: the client has the server's SYN (server "
     "ISN 5000 + 1; the SYN-ACK is not in the capture, inferred)"},
    {S2C, S_ | A_, 0, 1, 0, "syn-ack-reordered", "syn-ack", "2/3", "", 1, 1001,
     1001, AN(REORDERED), ES, ES, ES, ES, 1, "Handshake 2/3",
     "SYN-ACK Handshake 2/3",
     "Handshake 2/3: SYN-ACK, ack 1001 = client ISN 1000 + 1 ✓"},
    FIN1_AT(1, 3),
};

/* SPEC 6 TCP Fast Open: the SYN-ACK accepts the SYN's 10 bytes; then a
 * second SYN-ACK with another ISN for the same SYN */
static const seg tfo[] = {
    {C2S, S_, 0, 0, 10, "syn-first", "syn", "1/3", "", -1, 0, 0, AN(SYN_DATA),
     CL, SS, LI, SR, 0, "Handshake 1/3", "SYN Handshake 1/3",
     "Handshake 1/3: SYN, client ISN 1000"},
    {S2C, S_ | A_, 0, 11, 0, "syn-ack-fast-open", "syn-ack", "2/3", "", 1,
     1011, 1001, 0, SR, SR, SS, ES, 1, "Handshake 2/3",
     "SYN-ACK Handshake 2/3",
     "Handshake 2/3: SYN-ACK, ack 1011 = client ISN 1000 + 1 + 10 bytes of "
     "SYN data ✓ (TCP Fast Open: the data is accepted)"},
    {S2C, S_ | A_, 50, 11, 0, "syn-ack-new-isn-retransmitted", "syn-ack", "2/3",
     "", -1, 0, 0, AN(RETRANSMISSION) | AN(UNEXPECTED), SR, SR, ES, ES, 2,
     "Handshake 2/3", "SYN-ACK Handshake 2/3",
     "SYN-ACK with a new ISN 5050 (the server's ISN is 5000)"},
    FIN1_FROM(11, 1, ES, SR, CW),
};

/* SPEC 6: the server's ACK of the client's FIN captured before the FIN */
static const seg fin_reordered[] = {
    HS3,
    {S2C, A_, 1, 2, 0, "ack", "ack", "", "", -1, 0, 0, 0, ES, ES, ES, ES, 0, "",
     "ACK", "ACK from the server, ack 2"},
    {C2S, F_ | A_, 1, 1, 0, "fin-first-reordered", "fin1", "1/4", "fin4", -1,
     0, 0, AN(REORDERED), ES, F2, ES, CW, 4, "Teardown 1/4",
     "FIN Teardown 1/4",
     "Teardown 1/4: FIN from the client (active close), seq 1"},
    {S2C, F_ | A_, 1, 2, 0, "fin-second", "fin2", "3/4", "fin4", -1, 0, 0, 0,
     CW, LA, F2, TW, 5, "Teardown 3/4", "FIN Teardown 3/4",
     "Teardown 3/4: FIN from the server (passive close), seq 1"},
};

#define SC(x, close) {#x, x, sizeof x / sizeof x[0], close}
static const scenario scenarios[] = {
    SC(fourway, "fin4"),       SC(merged, "fin3"),
    SC(simclose_a, "simultaneous"), SC(simclose_b, "simultaneous"),
    SC(simopen, "half-closed"),       SC(simopen_bad, "open"),
    SC(refused, "refused"),    SC(passive_rst, "reset"),
    SC(reset, "reset"),        SC(syn_sent_rst, "half-closed"),
    SC(reordered, "half-closed"),     SC(odd, "half-closed"),
    SC(midstream, "half-closed"),     SC(hs_bad, "half-closed"),
    SC(fin_again, "fin4"),     SC(merged_bad, "fin3"),
    SC(simopen_ack, "open"),   SC(simopen_data, "open"),
    SC(fin_in_handshake, "half-closed"), SC(simopen_fin, "half-closed"),
    SC(lost_synack, "half-closed"), SC(tfo, "half-closed"),
    SC(fin_reordered, "fin4"),
};
#define N_SCENARIOS (sizeof scenarios / sizeof scenarios[0])

static void make_seg(const seg *st, uint64_t frame, tcpfsm_segment *s)
{
    tcpfsm_segment_init(s);
    s->frame = frame;
    s->time = 1000.0 + (double)frame * 0.001;
    s->has_time = true;
    bool c = st->dir == C2S;
    s->src.family = s->dst.family = 4;
    s->src.bytes[0] = s->dst.bytes[0] = 10;
    s->src.bytes[3] = c ? 1 : 2;
    s->dst.bytes[3] = c ? 2 : 1;
    s->sport = c ? 40000 : 80;
    s->dport = c ? 80 : 40000;
    s->flags = st->flags;
    s->seq = (c ? C_ISN : S_ISN) + st->seq;
    s->ack = (st->flags & A_) ? (c ? S_ISN : C_ISN) + st->ack : 0;
    s->len = st->len;
    s->window = 65535;
    s->has_window = true;
}

typedef struct run {
    bool verbose;
    unsigned fails;
    unsigned hits[TCPFSM_SIT_COUNT];
    char last_close[32];
} run;

static void summary_close(const tcpfsm_summary *s, void *user)
{
    run *r = user;
    snprintf(r->last_close, sizeof r->last_close, "%s",
             tcpfsm_close_name(s->close));
}

static void expect_str(run *r, const char *where, const char *what,
                       const char *got, const char *want)
{
    if (strcmp(got, want) == 0)
        return;
    r->fails++;
    if (r->verbose)
        fprintf(stderr, "%s: %s is \"%s\", expected \"%s\"\n", where, what, got,
                want);
}

static void expect_num(run *r, const char *where, const char *what, long long got,
                       long long want)
{
    if (got == want)
        return;
    r->fails++;
    if (r->verbose)
        fprintf(stderr, "%s: %s is %lld, expected %lld\n", where, what, got, want);
}

/* Runs every scenario; counts the expectations that fail. */
static unsigned run_all(run *r)
{
    r->fails = 0;
    memset(r->hits, 0, sizeof r->hits);
    for (size_t k = 0; k < N_SCENARIOS; k++) {
        const scenario *sc = &scenarios[k];
        tcpfsm_config cfg;
        tcpfsm_config_init(&cfg);
        cfg.on_summary = summary_close;
        cfg.user = r;
        r->last_close[0] = '\0';
        tcpfsm_engine *e = tcpfsm_engine_new(&cfg);
        for (size_t i = 0; i < sc->n; i++) {
            const seg *st = &sc->segs[i];
            tcpfsm_segment s;
            tcpfsm_label l;
            char where[96], buf[TCPFSM_LABEL_MAX], an[256], want_an[256];
            snprintf(where, sizeof where, "%s, frame %zu", sc->name, i + 1);
            make_seg(st, i + 1, &s);
            expect_num(r, where, "feed", tcpfsm_engine_feed(e, &s, &l), 0);
            if (l.situation < TCPFSM_SIT_COUNT)
                r->hits[l.situation]++;
            expect_str(r, where, "row", tcpfsm_situation_name(l.situation),
                       st->sit);
            expect_str(r, where, "event", tcpfsm_event_name(l.event), st->event);
            expect_str(r, where, "step", tcpfsm_step_str(&l, buf, sizeof buf),
                       st->step);
            expect_str(r, where, "close", tcpfsm_close_name(l.close), st->close);
            expect_num(r, where, "ack_ok", l.ack_ok, st->ack_ok);
            if (st->ack_ok >= 0) {
                expect_num(r, where, "check seen", l.check_seen, st->seen);
                expect_num(r, where, "check expected", l.check_expected,
                           st->expected);
            }
            tcpfsm_anomalies_str(l.anomalies, an, sizeof an);
            tcpfsm_anomalies_str(st->anomalies, want_an, sizeof want_an);
            expect_str(r, where, "anomalies", an, want_an);
            expect_str(r, where, "src_prev", tcpfsm_state_name(l.src_prev),
                       tcpfsm_state_name(st->sp));
            expect_str(r, where, "src_state", tcpfsm_state_name(l.src_state),
                       tcpfsm_state_name(st->ss));
            expect_str(r, where, "dst_prev", tcpfsm_state_name(l.dst_prev),
                       tcpfsm_state_name(st->dp));
            expect_str(r, where, "dst_state", tcpfsm_state_name(l.dst_state),
                       tcpfsm_state_name(st->ds));
            expect_num(r, where, "ref_frame", (long long)l.ref_frame, st->ref);
            expect_str(r, where, "title",
                       tcpfsm_step_title(&l, TCPFSM_LANG_EN, buf, sizeof buf),
                       st->title);
            expect_str(r, where, "flow",
                       tcpfsm_flow_text(&l, TCPFSM_LANG_EN, buf, sizeof buf),
                       st->flow);
            /* the check in words: the same kind as the sentence's */
            const char *kind = strstr(st->sentence, "FIN seq") ? "FIN seq"
                             : strstr(st->sentence, "bytes of SYN data")
                                 ? "ISN + SYN data"
                                 : "ISN";
            char want_check[64] = "";
            if (st->ack_ok >= 0)
                snprintf(want_check, sizeof want_check, "ack %s %s + 1 %s",
                         st->ack_ok ? "=" : "≠", kind, st->ack_ok ? "✓" : "✗");
            expect_str(r, where, "check",
                       tcpfsm_check_text(&l, TCPFSM_LANG_EN, buf, sizeof buf),
                       want_check);
            /* the step sentence: the label up to the moves */
            const char *dash = strstr(l.label, " — ");
            size_t n = dash ? (size_t)(dash - l.label) : strlen(l.label);
            snprintf(buf, sizeof buf, "%.*s", (int)n, l.label);
            expect_str(r, where, "sentence", buf, st->sentence);
        }
        tcpfsm_engine_finish(e);
        tcpfsm_engine_free(e);
        expect_str(r, sc->name, "summary close", r->last_close, sc->close);
    }
    return r->fails;
}

static void rows_hit(void **state)
{
    (void)state;
    run r = {.verbose = true};
    assert_int_equal(run_all(&r), 0);
    for (unsigned i = 0; i < TCPFSM_SIT_COUNT; i++) {
        if (!r.hits[i])
            fprintf(stderr, "row %s is hit by no scenario\n",
                    tcpfsm_situation_name(i));
        assert_true(r.hits[i] > 0);
    }
}

/* ---- mutations ---- */

enum field { FD_EVENT, FD_STEP, FD_CLOSE, FD_CHECK,
             FD_ANOMALIES, FD_TX, FD_RX, FD_TX_OK, FD_RX_OK, FD_EVIDENCE,
             FD_SFIX_FROM, FD_SFIX_TO, FD_RTO, FD_REF, FD_TITLE, FD_FLOW,
             FD_MSG, FD_COUNT };
static const char *const field_names[FD_COUNT] = {
    "event", "step", "close", "check", "anomalies", "tx", "rx",
    "tx_ok", "rx_ok", "evidence", "sfix_from", "sfix_to", "rto", "ref",
    "title", "flow", "msg",
};

/* (row, field) pairs whose change cannot show, and why */
#define SIT(x) TCPFSM_SIT_##x
static const struct {
    unsigned sit;
    int field;
    const char *why;
} equivalent[] = {
    /* the ACK field is read (evidence) only on segments with ACK and
     * without SYN or RST: rules.c ack_situation() */
    {SIT(BAD_FLAGS), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(NO_ACK), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(RST_IGNORED), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(RST_REFUSED), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(RST_PASSIVE_OPEN), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(RST_RESET), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYN_RETX), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYN_NEW_ISN), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYN_REORDERED), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYN_FIRST), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYN_CROSSING), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYN_MIDDLE), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_RETX), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_NEW_ISN), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_SIM_3), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_SIM_4), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_OPENER), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_NO_SYN), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_NEW_ISN_RETX), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_REORDERED), FD_EVIDENCE, "not an ACK-path segment"},
    {SIT(SYNACK_TFO), FD_EVIDENCE, "not an ACK-path segment"},
    /* these FINs cannot newly acknowledge a SYN or a FIN: one that
     * acknowledges the peer's FIN is fin-merged, and the handshake is over
     * (or this side acknowledged before, for a repeat; the peer already
     * acknowledged a reordered first FIN, after the handshake) */
    {SIT(FIN2), FD_EVIDENCE, "its ACK field shows nothing new"},
    {SIT(FIN_CROSSING), FD_EVIDENCE, "its ACK field shows nothing new"},
    {SIT(FIN_RETX), FD_EVIDENCE, "its ACK field shows nothing new"},
    {SIT(FIN_AGAIN), FD_EVIDENCE, "its ACK field shows nothing new"},
    {SIT(FIN1_REORDERED), FD_EVIDENCE, "its ACK field shows nothing new"},
    /* RST is the last column: every sender state goes CLOSED, and so does
     * every synchronized receiver; the passive open's receiver move is rto */
    {SIT(RST_REFUSED), FD_TX_OK, "masked by RST"},
    {SIT(RST_REFUSED), FD_RX_OK, "masked by RST"},
    {SIT(RST_RESET), FD_TX_OK, "masked by RST"},
    {SIT(RST_RESET), FD_RX_OK, "masked by RST"},
    {SIT(RST_PASSIVE_OPEN), FD_TX_OK, "masked by RST"},
    {SIT(RST_PASSIVE_OPEN), FD_RX_OK, "rto decides the receiver"},
    {SIT(RST_PASSIVE_OPEN), FD_RX, "rto decides the receiver"},
    /* the receiver of the ACK of the second FIN is in LAST_ACK, whose
     * recv_table row moves on nothing but the ACK of its FIN */
    {SIT(FIN2_ACK), FD_RX, "LAST_ACK has no other move"},
    {SIT(FIN2_ACK), FD_RX_OK, "LAST_ACK has no other move"},
    {SIT(FIN2_ACK_MERGED), FD_RX, "LAST_ACK has no other move"},
    {SIT(FIN2_ACK_MERGED), FD_RX_OK, "LAST_ACK has no other move"},
    /* chosen only when its check fails: *_ok never apply */
    {SIT(HS_ACK_BAD), FD_TX_OK, "its check always fails"},
    {SIT(HS_ACK_BAD), FD_RX_OK, "its check always fails"},
    /* nothing to refer to yet: every ref gives frame 0 */
    {SIT(SYN_FIRST), FD_REF, "no SYN or FIN seen before it"},
    {SIT(SYN_MIDDLE), FD_REF, "no SYN or FIN seen before it"},
    {SIT(SYNACK_NO_SYN), FD_REF, "no SYN or FIN seen before it"},
    /* the sender of a SYN in the middle is UNKNOWN: a correction to
     * UNKNOWN (sfix_to 0) changes nothing */
    {SIT(SYN_MIDDLE), FD_SFIX_FROM, "the sender is UNKNOWN"},
};
#undef SIT

static bool is_equivalent(unsigned sit, int f)
{
    const tcpfsm_rule *row = &tcpfsm_rules[sit];
    if (f == FD_SFIX_TO && !row->sfix_from)
        return true; /* sfix_to is read only when the sender is in sfix_from */
    for (size_t i = 0; i < sizeof equivalent / sizeof equivalent[0]; i++)
        if (equivalent[i].sit == sit && equivalent[i].field == f)
            return true;
    return false;
}

/* v[n..]: every value of [0, end) but cur; returns the new n */
static unsigned others(unsigned *v, unsigned n, unsigned cur, unsigned end)
{
    for (unsigned x = 0; x < end; x++)
        if (x != cur)
            v[n++] = x;
    return n;
}

/* v[n..]: cur with each of its `bits` low bits toggled in turn */
static unsigned toggles(unsigned *v, unsigned n, unsigned cur, unsigned bits)
{
    for (unsigned b = 0; b < bits; b++)
        v[n++] = cur ^ (1u << b);
    return n;
}

/* The values field f can be given instead of its own (n of them). */
static unsigned candidates(const tcpfsm_rule *row, int f, unsigned *v)
{
    unsigned n = 0;
    switch (f) {
    case FD_EVENT:
        n = others(v, n, row->event, TCPFSM_EV_BY_LEN + 1);
        break;
    case FD_STEP:
        /* num/last/of packed as num << 16 | last << 8 | of: another
         * number, another count, one step more or less on the segment
         * (2+3/4 <-> 2/4), a step where there is none, none where there
         * is one */
        if (row->step_num == TCPFSM_STEP_SAME || row->step_of == 0) {
            v[n++] = 1u << 16 | 3u;
        } else {
            unsigned last = row->step_last;
            v[n++] = (row->step_num + 1u) << 16 | last << 8 | row->step_of;
            v[n++] = (unsigned)row->step_num << 16 | last << 8 | (row->step_of + 1u);
            v[n++] = (unsigned)row->step_num << 16 |
                     (last ? 0u : row->step_num + 1u) << 8 | row->step_of;
            v[n++] = 0;
        }
        if (row->step_num != TCPFSM_STEP_SAME)
            v[n++] = (unsigned)TCPFSM_STEP_SAME << 16 | TCPFSM_STEP_SAME;
        break;
    case FD_CLOSE: n = others(v, n, row->close, TCPFSM_CL_MAX); break;
    case FD_CHECK: n = others(v, n, row->check, TCPFSM_CHECK_COUNT); break;
    case FD_ANOMALIES: n = toggles(v, n, row->anomalies, TCPFSM_AB_COUNT); break;
    case FD_TX: n = toggles(v, n, row->tx, TCPFSM_IN_COUNT); break;
    case FD_RX: n = toggles(v, n, row->rx, TCPFSM_IN_COUNT); break;
    case FD_TX_OK: n = toggles(v, n, row->tx_ok, TCPFSM_IN_COUNT); break;
    case FD_RX_OK: n = toggles(v, n, row->rx_ok, TCPFSM_IN_COUNT); break;
    case FD_EVIDENCE: v[n++] = !row->evidence; break;
    case FD_SFIX_FROM: n = others(v, n, row->sfix_from, TCPFSM_STATE_MAX); break;
    case FD_SFIX_TO: n = others(v, n, row->sfix_to, TCPFSM_STATE_MAX); break;
    case FD_RTO: n = others(v, n, row->rto, TCPFSM_STATE_MAX); break;
    case FD_REF: n = others(v, n, row->ref, TCPFSM_REF_COUNT); break;
    case FD_TITLE:
        n = others(v, n, row->title, TCPFSM_T_COUNT);
        if (row->title != TCPFSM_T_SAME)
            v[n++] = TCPFSM_T_SAME;
        break;
    case FD_FLOW:
        n = others(v, n, row->flow, TCPFSM_FW_COUNT);
        if (row->flow != TCPFSM_FW_SAME)
            v[n++] = TCPFSM_FW_SAME;
        if (row->flow != TCPFSM_FW_BY_LEN)
            v[n++] = TCPFSM_FW_BY_LEN;
        break;
    case FD_MSG: n = others(v, n, row->msg, TCPFSM_M_COUNT); break;
    }
    return n;
}

static void set_field(tcpfsm_rule *row, int f, unsigned x)
{
    switch (f) {
    case FD_EVENT: row->event = (uint8_t)x; break;
    case FD_STEP:
        row->step_num = (uint8_t)(x >> 16);
        row->step_last = (uint8_t)(x >> 8);
        row->step_of = (uint8_t)x;
        break;
    case FD_CLOSE: row->close = (uint8_t)x; break;
    case FD_CHECK: row->check = (uint8_t)x; break;
    case FD_ANOMALIES: row->anomalies = (uint16_t)x; break;
    case FD_TX: row->tx = (uint8_t)x; break;
    case FD_RX: row->rx = (uint8_t)x; break;
    case FD_TX_OK: row->tx_ok = (uint8_t)x; break;
    case FD_RX_OK: row->rx_ok = (uint8_t)x; break;
    case FD_EVIDENCE: row->evidence = (uint8_t)x; break;
    case FD_SFIX_FROM: row->sfix_from = (uint8_t)x; break;
    case FD_SFIX_TO: row->sfix_to = (uint8_t)x; break;
    case FD_RTO: row->rto = (uint8_t)x; break;
    case FD_REF: row->ref = (uint8_t)x; break;
    case FD_TITLE: row->title = (uint8_t)x; break;
    case FD_FLOW: row->flow = (uint8_t)x; break;
    case FD_MSG: row->msg = (uint8_t)x; break;
    }
}

static void mutations(void **state)
{
    (void)state;
    run r = {.verbose = false};
    unsigned total = 0, killed = 0, pairs = 0, unpinned = 0, skipped = 0;
    for (unsigned sit = 0; sit < TCPFSM_SIT_COUNT; sit++) {
        tcpfsm_rule *row = &tcpfsm_rules[sit];
        for (int f = 0; f < FD_COUNT; f++) {
            if (is_equivalent(sit, f)) {
                skipped++;
                continue;
            }
            unsigned v[64];
            unsigned n = candidates(row, f, v), k = 0;
            for (unsigned i = 0; i < n; i++) {
                tcpfsm_rule saved = *row;
                set_field(row, f, v[i]);
                if (run_all(&r))
                    k++;
                *row = saved;
            }
            total += n;
            killed += k;
            pairs++;
            if (k == 0) {
                unpinned++;
                fprintf(stderr, "not pinned: row %s, field %s (%u values tried)\n",
                        tcpfsm_situation_name(sit), field_names[f], n);
            }
        }
    }
    fprintf(stderr,
            "mutations: %u rows x %d fields: %u (row, field) pairs changed "
            "(%u skipped as equivalent), %u unpinned; %u mutants, %u killed\n",
            (unsigned)TCPFSM_SIT_COUNT, FD_COUNT, pairs, skipped, unpinned, total,
            killed);
    /* the table is intact again */
    assert_int_equal(run_all(&r), 0);
    assert_int_equal(unpinned, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_hit),
        cmocka_unit_test(mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
