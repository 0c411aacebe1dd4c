/* test_zeek.c - table-driven unit tests of the Zeek verdict module.
 *
 * Each case is a short list of segments between a client C (10.0.0.1)
 * and a server S (10.0.0.2), with sequence numbers relative to the
 * sender's ISN and acks relative to the receiver's ISN, and the
 * conn_state / history / originator / packet counts Zeek gives for it.
 * Where a case reproduces one of Zeek's own test traces
 * (../shared/captures/zeek), the comment names it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_macros.h"
#include "zeek.h"


#define C_ISN 1000u
#define S_ISN 5000u

typedef struct pkt {
    int dir;
    uint16_t flags;
    uint32_t seq, ack, len; /* seq relative to the sender's ISN, ack to
                               the receiver's */
    double t;               /* seconds */
    int bad;                /* 1 = bad checksum */
    int win0;               /* 1 = zero window */
    int uncaptured;         /* 1 = payload not in the capture */
} pkt;

typedef struct zcase {
    const char *name;
    uint16_t cport, sport;
    int full;       /* 1 = full mode (likely_server_ports), 0 = bare */
    int ignore_ck;  /* -C */
    const pkt *p;
    size_t n;
    const char *state, *history;
    int orig_is_client; /* expected originator */
    uint64_t orig_pkts, resp_pkts;
} zcase;

static tcpfsm_segment mkseg(const zcase *c, const pkt *p, uint64_t frame)
{
    tcpfsm_segment s;
    memset(&s, 0, sizeof s);
    s.stream = -1;
    s.checksum = p->bad ? 0 : -1;
    s.frame = frame;
    s.time = 1000.0 + p->t;
    s.has_time = true;
    tcpfsm_addr ca = {4, {10, 0, 0, 1}}, sa = {4, {10, 0, 0, 2}};
    bool c2s = p->dir == C2S;
    s.src = c2s ? ca : sa;
    s.dst = c2s ? sa : ca;
    s.sport = c2s ? c->cport : c->sport;
    s.dport = c2s ? c->sport : c->cport;
    s.flags = p->flags;
    s.seq = (c2s ? C_ISN : S_ISN) + p->seq;
    s.ack = (p->flags & A_) ? (c2s ? S_ISN : C_ISN) + p->ack : 0;
    s.len = p->len;
    s.window = p->win0 ? 0 : 8192;
    s.has_window = true;
    return s;
}

static void opts_for(const zcase *c, tcpfsm_zeek_opts *o)
{
    tcpfsm_zeek_opts_init(o);
    o->bare = !c->full;
    o->ignore_checksums = c->ignore_ck;
}

/* Runs a case through one tcpfsm_zeek_conn (no table). */
static void run_conn(const zcase *c, tcpfsm_zeek_conn *z)
{
    tcpfsm_zeek_opts o;
    opts_for(c, &o);
    for (size_t i = 0; i < c->n; i++) {
        tcpfsm_segment s = mkseg(c, &c->p[i], i + 1);
        if (i == 0)
            tcpfsm_zeek_conn_init(z, &s, &o);
        tcpfsm_zeek_conn_update_ex(z, &s,
                                   c->p[i].uncaptured ? 0 : (int64_t)-1);
    }
}

#define P(...) ((const pkt[]){__VA_ARGS__})
#define N(...) (sizeof((const pkt[]){__VA_ARGS__}) / sizeof(pkt))
#define CASE(nm, cp, sp, full, ck, st, hi, oc, op, rp, ...)                 \
    {nm, cp, sp, full, ck, P(__VA_ARGS__), N(__VA_ARGS__), st, hi, oc, op, rp}

/* the three-way handshake */
#define HS                                                                  \
    {C2S, S_, 0, 0, 0, 0, 0, 0, 0}, {S2C, S_ | A_, 0, 1, 0, 0.01, 0, 0, 0}, \
        {C2S, A_, 1, 1, 0, 0.02, 0, 0, 0}

static const zcase cases[] = {
    /* ---- one case per conn_state ---- */
    CASE("S0: SYN, no reply", 40000, 80, 0, 0, "S0", "S", 1, 1, 0,
         {C2S, S_, 0, 0, 0, 0, 0, 0, 0}),
    CASE("S1: handshake, no close", 40000, 80, 0, 0, "S1", "ShA", 1, 2, 1,
         HS),
    CASE("SF: normal open and close (get.pcap)", 40000, 80, 0, 0, "SF",
         "ShADadFf", 1, 5, 4, HS,
         {C2S, A_ | P_, 1, 1, 10, 0.03, 0, 0, 0},
         {S2C, A_, 1, 11, 0, 0.04, 0, 0, 0},
         {S2C, A_ | P_, 1, 11, 20, 0.05, 0, 0, 0},
         {C2S, F_ | A_, 11, 21, 0, 0.06, 0, 0, 0},
         {S2C, F_ | A_, 21, 12, 0, 0.07, 0, 0, 0},
         {C2S, A_, 12, 22, 0, 0.08, 0, 0, 0}),
    CASE("REJ: SYN answered by RST-ACK (pop3.pcap)", 40000, 110, 0, 0,
         "REJ", "Sr", 1, 1, 1, {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
         {S2C, R_ | A_, 0, 1, 0, 0.01, 0, 0, 0}),
    CASE("REJ: both RST, nothing sent", 40000, 110, 0, 0, "REJ", "SRr", 1,
         2, 1, {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
         {C2S, R_, 1, 0, 0, 0.01, 0, 0, 0},
         {S2C, R_, 0, 0, 0, 0.02, 0, 0, 0}),
    CASE("S2: only the originator closed", 40000, 80, 0, 0, "S2", "ShAF",
         1, 3, 1, HS, {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0}),
    CASE("S3: only the responder closed", 40000, 80, 0, 0, "S3", "ShAf",
         1, 2, 2, HS, {S2C, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0}),
    CASE("RSTO: originator reset", 40000, 80, 0, 0, "RSTO", "ShAR", 1, 3, 1,
         HS, {C2S, R_ | A_, 1, 1, 0, 0.03, 0, 0, 0}),
    CASE("RSTR: responder reset", 40000, 80, 0, 0, "RSTR", "ShAr", 1, 2, 2,
         HS, {S2C, R_ | A_, 1, 1, 0, 0.03, 0, 0, 0}),
    CASE("RSTOS0: SYN then RST (syn-then-rst.pcap)", 13131, 31313, 0, 1,
         "RSTOS0", "SR", 1, 2, 0, {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
         {C2S, R_, 1, 0, 0, 0.01, 0, 0, 0}),
    CASE("RSTOS0: pure ACK of the SYN leaves the responder inactive "
         "(syn-then-ack-then-rst.pcap)",
         13131, 31313, 0, 1, "RSTOS0", "SaR", 1, 2, 1,
         {C2S, S_, 0, 0, 0, 0, 0, 0, 0}, {S2C, A_, 0, 1, 0, 0.01, 0, 0, 0},
         {C2S, R_, 1, 0, 0, 0.02, 0, 0, 0}),
    CASE("RSTRH: SYN-ACK then RST, no SYN (flipped by port 80)", 40000, 80,
         1, 0, "RSTRH", "^hr", 1, 0, 2,
         {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0},
         {S2C, R_, 1, 0, 0, 0.01, 0, 0, 0}),
    CASE("SH: SYN then FIN, no reply", 40000, 22, 0, 0, "SH", "SF", 1, 2, 0,
         {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
         {C2S, F_ | A_, 1, 0, 0, 0.01, 0, 0, 0}),
    CASE("SHR: SYN-ACK then FIN, no SYN (ssh server-side half)", 40000, 22,
         1, 0, "SHR", "^hdaf", 1, 0, 4, {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0},
         {S2C, A_ | P_, 1, 1, 20, 0.01, 0, 0, 0},
         {S2C, A_, 21, 21, 0, 0.02, 0, 0, 0},
         {S2C, F_ | A_, 21, 21, 0, 0.03, 0, 0, 0}),
    CASE("OTH: midstream, no SYN", 40000, 50000, 0, 0, "OTH", "DdA", 1, 2,
         1, {C2S, A_ | P_, 100, 200, 10, 0, 0, 0, 0},
         {S2C, A_ | P_, 200, 110, 10, 0.01, 0, 0, 0},
         {C2S, A_, 110, 210, 0, 0.02, 0, 0, 0}),
    CASE("OTH: lone RST (single-rst.pcap)", 48777, 80, 0, 1, "OTH", "R", 1,
         1, 0, {C2S, R_ | A_, 7, 9, 0, 0, 0, 0, 0}),
    CASE("OTH: SYN, ACK, FIN, RST (syn-then-stuff-then-rst.pcap)", 13131,
         31313, 0, 1, "OTH", "SaFR", 1, 3, 1, {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
         {S2C, A_, 0, 1, 0, 0.01, 0, 0, 0},
         {C2S, F_ | A_, 1, 1, 0, 0.02, 0, 0, 0},
         {C2S, R_, 2, 0, 0, 0.03, 0, 0, 0}),
    CASE("conn_state ignores the handshake: DAF is SH", 40000, 22, 0, 0,
         "SH", "DAF", 1, 3, 0, {C2S, A_ | P_, 10, 10, 5, 0, 0, 0, 0},
         {C2S, A_, 15, 10, 0, 0.01, 0, 0, 0},
         {C2S, F_ | A_, 15, 10, 0, 0.02, 0, 0, 0}),

    /* ---- close variants ---- */
    CASE("FIN, RST, peer FIN is still SF (irc-starttls.pcap)", 40000, 6667,
         0, 0, "SF", "ShAFRf", 1, 5, 2, HS,
         {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
         {C2S, R_, 2, 0, 0, 0.04, 0, 0, 0},
         {S2C, F_ | A_, 1, 2, 0, 0.05, 0, 0, 0},
         {C2S, R_, 2, 0, 0, 0.06, 0, 0, 0}),
    CASE("RST after both FINs stays SF", 40000, 80, 0, 0, "SF", "ShAFfR", 1,
         4, 2, HS, {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
         {S2C, F_ | A_, 1, 2, 0, 0.04, 0, 0, 0},
         {C2S, R_, 2, 0, 0, 0.05, 0, 0, 0}),
    CASE("FIN, then RST, peer never closes: RSTO (bad-list-retr-crafted)",
         40000, 110, 0, 0, "RSTO", "ShAFR", 1, 4, 1, HS,
         {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
         {C2S, R_, 2, 0, 0, 0.04, 0, 0, 0}),
    CASE("FIN before the SYN-ACK, then RST (fin_retransmission.pcap)",
         55344, 443, 0, 0, "RSTR", "SFhr", 1, 3, 2,
         {C2S, S_, 0, 0, 0, 0, 0, 0, 0}, {C2S, F_, 1, 0, 0, 0.01, 0, 0, 0},
         {S2C, S_ | A_, 0, 1, 0, 0.02, 0, 0, 0},
         {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
         {S2C, R_, 1, 0, 0, 0.04, 0, 0, 0}),

    /* ---- history: letters and repetition ---- */
    CASE("S: a retransmitted SYN (same seq) adds nothing", 40000, 80, 0, 0,
         "S0", "S", 1, 2, 0, {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
         {C2S, S_, 0, 0, 0, 1, 0, 0, 0}),
    CASE("A and D: once per direction", 40000, 80, 0, 0, "S1", "ShADad", 1,
         4, 3, HS, {C2S, A_ | P_, 1, 1, 10, 0.03, 0, 0, 0},
         {C2S, A_ | P_, 11, 1, 10, 0.04, 0, 0, 0},
         {S2C, A_, 1, 21, 0, 0.05, 0, 0, 0},
         {S2C, A_ | P_, 1, 21, 10, 0.06, 0, 0, 0}),
    CASE("F: retransmitted FIN at the same seq adds nothing", 40000, 80, 0,
         0, "S2", "ShAF", 1, 4, 1, HS,
         {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
         {C2S, F_ | A_, 1, 1, 0, 0.04, 0, 0, 0}),
    CASE("F: a FIN at a new seq (seq + payload) adds another F", 40000, 80,
         0, 0, "S2", "ShAFF", 1, 4, 1, HS,
         {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
         {C2S, F_ | A_, 1, 1, 10, 0.04, 0, 0, 0}),
    CASE("F: payload on a FIN adds no D", 40000, 80, 0, 0, "S2", "ShAF", 1,
         3, 1, HS, {C2S, F_ | A_ | P_, 1, 1, 10, 0.03, 0, 0, 0}),
    CASE("R: a second RST at the same seq adds nothing", 40000, 80, 0, 0,
         "RSTO", "ShAR", 1, 4, 1, HS, {C2S, R_, 1, 0, 0, 0.03, 0, 0, 0},
         {C2S, R_, 1, 0, 0, 0.04, 0, 0, 0}),
    CASE("R: RSTs at different seqs give RR", 40000, 80, 0, 0, "RSTO",
         "ShARR", 1, 4, 1, HS, {C2S, R_, 1, 0, 0, 0.03, 0, 0, 0},
         {C2S, R_, 100, 0, 0, 0.04, 0, 0, 0}),
    CASE("I: FIN+RST", 40000, 80, 0, 0, "RSTO", "ShAI", 1, 3, 1, HS,
         {C2S, F_ | R_ | A_, 1, 1, 0, 0.03, 0, 0, 0}),
    CASE("Q: SYN+FIN", 40000, 80, 0, 0, "SH", "Q", 1, 1, 0,
         {C2S, S_ | F_, 0, 0, 0, 0, 0, 0, 0}),
    CASE("T: payload that does not advance the seq", 40000, 80, 0, 0, "S1",
         "ShADT", 1, 4, 1, HS, {C2S, A_ | P_, 1, 1, 10, 0.03, 0, 0, 0},
         {C2S, A_ | P_, 1, 1, 10, 0.5, 0, 0, 0}),
    CASE("T: retransmission after 300 s, timers aside "
         "(retransmit-timeout.pcapng)",
         51889, 80, 0, 1, "OTH", "DaT", 1, 2, 1,
         {C2S, A_ | P_, 1, 1, 18, 0, 0, 0, 0},
         {S2C, A_, 1, 19, 0, 0.00001, 0, 0, 0},
         {C2S, A_ | P_, 1, 1, 18, 300.00001, 0, 0, 0}),
    CASE("W: zero window", 40000, 80, 0, 0, "S1", "ShAaw", 1, 2, 2, HS,
         {S2C, A_, 1, 1, 0, 0.03, 0, 1, 0}),
    CASE("W: not on an RST", 40000, 80, 0, 0, "RSTR", "ShAr", 1, 2, 2, HS,
         {S2C, R_ | A_, 1, 1, 0, 0.03, 0, 1, 0}),
    CASE("W: not after the peer's FIN", 40000, 80, 0, 0, "S2", "ShAFa", 1,
         3, 2, HS, {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
         {S2C, A_, 1, 2, 0, 0.04, 0, 1, 0}),
    CASE("G: an ack beyond the data seen is a content gap", 40000, 80, 0, 0,
         "S1", "ShADaG", 1, 4, 2, HS,
         {C2S, A_ | P_, 1, 1, 10, 0.03, 0, 0, 0},
         {C2S, A_ | P_, 21, 1, 10, 0.04, 0, 0, 0},
         {S2C, A_, 1, 31, 0, 0.05, 0, 0, 0}),
    CASE("G: not when revealed by the ack of an RST", 40000, 80, 0, 0,
         "RSTR", "ShADr", 1, 4, 2, HS,
         {C2S, A_ | P_, 1, 1, 10, 0.03, 0, 0, 0},
         {C2S, A_ | P_, 21, 1, 10, 0.04, 0, 0, 0},
         {S2C, R_ | A_, 1, 31, 0, 0.05, 0, 0, 0}),
    /* ZEEK-DEFINITIONS.md says FIN acks do not count either; in the code
     * (TCP_Reassembler::Gap) the FIN sender stays "clean" (CLOSED after
     * ESTABLISHED), so they do */
    CASE("G: revealed by the ack on a FIN is counted", 40000, 80, 0, 0,
         "S3", "ShADfG", 1, 4, 2, HS,
         {C2S, A_ | P_, 1, 1, 10, 0.03, 0, 0, 0},
         {C2S, A_ | P_, 21, 1, 10, 0.04, 0, 0, 0},
         {S2C, F_ | A_, 1, 31, 0, 0.05, 0, 0, 0}),
    CASE("G: payload missing from the capture (retransmit-fast009.pcap)",
         40000, 80, 0, 0, "S1", "ShADaG", 1, 3, 2, HS,
         {C2S, A_ | P_, 1, 1, 474, 0.03, 0, 0, 1},
         {S2C, A_, 1, 475, 0, 0.04, 0, 0, 0}),
    /* the in-order segment that fills the hole does not advance the
     * highest seq, so Zeek counts it as a retransmission */
    CASE("G: a filled hole is no gap", 40000, 80, 0, 0, "S1", "ShADTa", 1,
         4, 2, HS, {C2S, A_ | P_, 21, 1, 10, 0.03, 0, 0, 0},
         {C2S, A_ | P_, 1, 1, 20, 0.04, 0, 0, 0},
         {S2C, A_, 1, 31, 0, 0.05, 0, 0, 0}),
    CASE("C: bad checksum, packet dropped (syn-bad.pcap)", 59856, 80, 0, 0,
         "OTH", "C", 1, 0, 0, {C2S, S_, 0, 0, 0, 0, 1, 0, 0}),
    CASE("C: ignored with -C", 59856, 80, 0, 1, "S0", "S", 1, 1, 0,
         {C2S, S_, 0, 0, 0, 0, 1, 0, 0}),
    CASE("C: 1st and 10th bad checksum only (1/10/100 rule)", 40000, 80, 0,
         0, "S1", "ShACC", 1, 2, 1, HS, {C2S, A_, 1, 1, 0, 1, 1, 0, 0},
         {C2S, A_, 1, 1, 0, 2, 1, 0, 0}, {C2S, A_, 1, 1, 0, 3, 1, 0, 0},
         {C2S, A_, 1, 1, 0, 4, 1, 0, 0}, {C2S, A_, 1, 1, 0, 5, 1, 0, 0},
         {C2S, A_, 1, 1, 0, 6, 1, 0, 0}, {C2S, A_, 1, 1, 0, 7, 1, 0, 0},
         {C2S, A_, 1, 1, 0, 8, 1, 0, 0}, {C2S, A_, 1, 1, 0, 9, 1, 0, 0},
         {C2S, A_, 1, 1, 0, 10, 1, 0, 0}, {C2S, A_, 1, 1, 0, 11, 1, 0, 0}),
    CASE("c: the responder's bad checksum is lower case", 40000, 80, 0, 0,
         "S0", "Sc", 1, 1, 0, {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
         {S2C, S_ | A_, 0, 1, 0, 0.01, 1, 0, 0}),

    /* ---- originator choice and flips ---- */
    CASE("^: midstream from a likely server port is flipped", 40000, 80, 1,
         0, "OTH", "^d", 1, 0, 1, {S2C, A_ | P_, 1, 1, 10, 0, 0, 0, 0}),
    CASE("no flip in bare mode", 40000, 80, 0, 0, "OTH", "D", 0, 1, 0,
         {S2C, A_ | P_, 1, 1, 10, 0, 0, 0, 0}),
    CASE("both ports likely, no SYN: flip when src port < dst port", 443,
         80, 1, 0, "OTH", "^d", 1, 0, 1,
         {S2C, A_ | P_, 1, 1, 10, 0, 0, 0, 0}),
    CASE("both ports likely, SYN-ACK: no flip (http-on-irc-port)", 6669, 80,
         1, 0, "OTH", "H", 0, 1, 0, {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0}),
    CASE("lone SYN-ACK is not flipped (stealth scan)", 40000, 50000, 0, 0,
         "OTH", "H", 0, 1, 0, {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0}),
    CASE("SYN-ACK then ACK: ^h rewrite (missing-syn.pcap)", 40000, 50000,
         0, 0, "OTH", "^hA", 1, 1, 1, {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0},
         {C2S, A_, 1, 1, 0, 0.01, 0, 0, 0}),
    CASE("SYN-ACK then its sender's data: ^hd", 40000, 50000, 0, 0, "OTH",
         "^hd", 1, 0, 2, {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0},
         {S2C, A_ | P_, 1, 1, 10, 0.01, 0, 0, 0}),
    CASE("SYN-ACK seen before its SYN: Hs^ (handshake-reorder.pcap)", 40000,
         80, 0, 0, "S1", "Hs^A", 1, 2, 1, {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0},
         {C2S, S_, 0, 0, 0, 0.001, 0, 0, 0},
         {C2S, A_, 1, 1, 0, 0.002, 0, 0, 0}),
};

static void test_case(void **state)
{
    const zcase *c = *state;
    tcpfsm_zeek_conn z;
    run_conn(c, &z);
    tcpfsm_addr oa;
    uint16_t op;
    tcpfsm_zeek_conn_orig(&z, &oa, &op);
    uint16_t want_op = c->orig_is_client ? c->cport : c->sport;
    if (strcmp(tcpfsm_zeek_conn_state(&z), c->state) != 0 ||
        strcmp(tcpfsm_zeek_conn_history(&z), c->history) != 0 ||
        op != want_op || tcpfsm_zeek_conn_orig_pkts(&z) != c->orig_pkts ||
        tcpfsm_zeek_conn_resp_pkts(&z) != c->resp_pkts)
        print_error("%s: want %s %s orig port %u pkts %llu/%llu; got %s %s "
                    "orig port %u pkts %llu/%llu\n",
                    c->name, c->state, c->history, want_op,
                    (unsigned long long)c->orig_pkts,
                    (unsigned long long)c->resp_pkts,
                    tcpfsm_zeek_conn_state(&z), tcpfsm_zeek_conn_history(&z),
                    op, (unsigned long long)tcpfsm_zeek_conn_orig_pkts(&z),
                    (unsigned long long)tcpfsm_zeek_conn_resp_pkts(&z));
    assert_string_equal(tcpfsm_zeek_conn_state(&z), c->state);
    assert_string_equal(tcpfsm_zeek_conn_history(&z), c->history);
    assert_int_equal(op, want_op);
    assert_int_equal(tcpfsm_zeek_conn_orig_pkts(&z), c->orig_pkts);
    assert_int_equal(tcpfsm_zeek_conn_resp_pkts(&z), c->resp_pkts);
    tcpfsm_zeek_conn_release(&z);
}

/* ---------------------------------------------------------------------
 * session table: splits and timers
 * --------------------------------------------------------------------- */
typedef struct want_rec {
    const char *state, *history;
    int orig_is_client;
    uint64_t first_frame, last_frame;
    const char *removed_by;
} want_rec;

typedef struct tcase {
    const char *name;
    uint16_t cport, sport;
    int full, ignore_ck, timers;
    const pkt *p;
    size_t n;
    const want_rec *w;
    size_t nw;
} tcase;

#define W(...) ((const want_rec[]){__VA_ARGS__})

typedef struct got {
    const tcase *c;
    size_t n;
    int fail;
} got;

static void on_record(const tcpfsm_zeek_record *r, void *user)
{
    got *g = user;
    const tcase *c = g->c;
    size_t i = g->n++;
    if (i >= c->nw) {
        print_error("%s: unexpected record %zu: %s %s\n", c->name, i,
                    r->conn_state, r->history);
        g->fail = 1;
        return;
    }
    const want_rec *w = &c->w[i];
    uint16_t want_op = w->orig_is_client ? c->cport : c->sport;
    if (strcmp(r->conn_state, w->state) || strcmp(r->history, w->history) ||
        r->orig_p != want_op || r->first_frame != w->first_frame ||
        r->last_frame != w->last_frame ||
        strcmp(r->removed_by, w->removed_by)) {
        print_error("%s: record %zu: want %s %s orig %u frames %llu-%llu "
                    "(%s); got %s %s orig %u frames %llu-%llu (%s)\n",
                    c->name, i, w->state, w->history, want_op,
                    (unsigned long long)w->first_frame,
                    (unsigned long long)w->last_frame, w->removed_by,
                    r->conn_state, r->history, r->orig_p,
                    (unsigned long long)r->first_frame,
                    (unsigned long long)r->last_frame, r->removed_by);
        g->fail = 1;
    }
}

#define TC(nm, cp, sp, full, ck, tm, wants, ...)                            \
    {nm,     cp,     sp,                          full,                     \
     ck,     tm,     P(__VA_ARGS__),              N(__VA_ARGS__),           \
     wants,  sizeof(wants) / sizeof(want_rec)}

static const tcase tcases[] = {
    TC("SYN retry after a reject starts a new connection, same ISN "
       "(pop3.pcap)",
       40000, 110, 0, 0, 1,
       W({"REJ", "Sr", 1, 1, 2, "reuse"}, {"REJ", "Sr", 1, 3, 4, "finish"}),
       {C2S, S_, 0, 0, 0, 0, 0, 0, 0}, {S2C, R_ | A_, 0, 1, 0, 0.01, 0, 0, 0},
       {C2S, S_, 0, 0, 0, 0.5, 0, 0, 0},
       {S2C, R_ | A_, 0, 1, 0, 0.51, 0, 0, 0}),
    TC("SYN with a new ISN on an open connection is reuse", 40000, 80, 0, 0,
       1, W({"S1", "ShA", 1, 1, 3, "reuse"}, {"S0", "S", 1, 4, 4, "finish"}),
       HS, {C2S, S_, 7777, 0, 0, 1, 0, 0, 0}),
    TC("retransmitted SYN is no reuse", 40000, 80, 0, 0, 1,
       W({"S0", "S", 1, 1, 2, "finish"}), {C2S, S_, 0, 0, 0, 0, 0, 0, 0},
       {C2S, S_, 0, 0, 0, 1, 0, 0, 0}),
    TC("attempt timer: SYN unanswered for 5 s (ssh client-side half)", 40000,
       22, 1, 0, 1,
       W({"S0", "SAD", 1, 1, 3, "attempt"}, {"SH", "DF", 1, 4, 5, "finish"}),
       {C2S, S_, 0, 0, 0, 0, 0, 0, 0}, {C2S, A_, 1, 1, 0, 0.1, 0, 0, 0},
       {C2S, A_ | P_, 1, 1, 10, 0.2, 0, 0, 0},
       {C2S, A_ | P_, 11, 1, 10, 6, 0, 0, 0},
       {C2S, F_ | A_, 21, 1, 0, 7, 0, 0, 0}),
    TC("attempt timer also ends a lone SYN-ACK (SYN_ACK_SENT)", 40000, 50000,
       0, 0, 1,
       W({"OTH", "H", 0, 1, 1, "attempt"}, {"OTH", "H", 0, 2, 2, "finish"}),
       {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0},
       {S2C, S_ | A_, 0, 1, 0, 61, 0, 0, 0}),
    TC("expire timer: only bad-checksum packets for 5 s", 40000, 80, 0, 0, 1,
       W({"OTH", "C", 1, 1, 1, "expire"}, {"OTH", "C", 1, 2, 2, "finish"}),
       {C2S, S_, 0, 0, 0, 0, 1, 0, 0}, {C2S, S_, 0, 0, 0, 11, 1, 0, 0}),
    TC("inactivity timeout after 5 min (retransmit-timeout.pcapng)", 51889,
       80, 0, 1, 1,
       W({"OTH", "Da", 1, 1, 2, "inactivity"},
         {"OTH", "D", 1, 3, 3, "finish"}),
       {C2S, A_ | P_, 1, 1, 18, 0, 0, 0, 0},
       {S2C, A_, 1, 19, 0, 0.00001, 0, 0, 0},
       {C2S, A_ | P_, 1, 1, 18, 300.00001, 0, 0, 0}),
    TC("timers suppressed: one connection (retransmit-timeout.pcapng)",
       51889, 80, 0, 1, 0, W({"OTH", "DaT", 1, 1, 3, "finish"}),
       {C2S, A_ | P_, 1, 1, 18, 0, 0, 0, 0},
       {S2C, A_, 1, 19, 0, 0.00001, 0, 0, 0},
       {C2S, A_ | P_, 1, 1, 18, 300.00001, 0, 0, 0}),
    TC("close delay: data 10 s after an RST starts a new connection "
       "(modbus p502)",
       60293, 502, 1, 0, 1,
       W({"RSTO", "ShAR", 1, 1, 4, "close"},
         {"RSTRH", "Dr", 1, 5, 6, "finish"}),
       HS, {C2S, R_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
       {C2S, A_ | P_, 1, 1, 10, 10, 0, 0, 0},
       {S2C, R_ | A_, 1, 11, 0, 10.01, 0, 0, 0}),
    TC("close delay: nothing new within 5 s of the close", 40000, 80, 0, 0,
       1, W({"SF", "ShAFf", 1, 1, 6, "finish"}), HS,
       {C2S, F_ | A_, 1, 1, 0, 0.03, 0, 0, 0},
       {S2C, F_ | A_, 1, 2, 0, 0.04, 0, 0, 0},
       {C2S, A_, 2, 2, 0, 4.9, 0, 0, 0}),
    TC("bad-checksum SYN, then the SYN-ACK opens a second connection "
       "(localhost-bad-chksum.pcap)",
       53246, 80, 0, 0, 1,
       W({"OTH", "C", 1, 1, 1, "reuse"}, {"SH", "HcDF", 0, 2, 5, "finish"}),
       {C2S, S_, 0, 0, 0, 0, 1, 0, 0}, {S2C, S_ | A_, 0, 1, 0, 0.01, 0, 0, 0},
       {C2S, A_, 1, 1, 0, 0.02, 1, 0, 0},
       {S2C, A_ | P_, 1, 1, 10, 0.03, 0, 0, 0},
       {S2C, F_ | A_, 11, 1, 0, 0.04, 0, 0, 0}),
};

static void test_table(void **state)
{
    const tcase *c = *state;
    tcpfsm_zeek_opts o;
    tcpfsm_zeek_opts_init(&o);
    o.bare = !c->full;
    o.ignore_checksums = c->ignore_ck;
    o.timers = c->timers;
    got g = {c, 0, 0};
    tcpfsm_zeek_table *t = tcpfsm_zeek_table_new(&o, on_record, &g);
    zcase zc = {c->name, c->cport, c->sport, c->full, c->ignore_ck, c->p,
                c->n, NULL, NULL, 0, 0, 0};
    for (size_t i = 0; i < c->n; i++) {
        tcpfsm_segment s = mkseg(&zc, &c->p[i], i + 1);
        assert_int_equal(tcpfsm_zeek_table_feed_ex(
                             t, &s, c->p[i].uncaptured ? 0 : (int64_t)-1),
                         0);
    }
    tcpfsm_zeek_table_finish(t);
    assert_int_equal(tcpfsm_zeek_table_count(t), 0);
    tcpfsm_zeek_table_free(t);
    assert_int_equal(g.fail, 0);
    assert_int_equal(g.n, c->nw);
}

/* ---------------------------------------------------------------------
 * odds and ends
 * --------------------------------------------------------------------- */
static void test_likely_ports(void **state)
{
    (void)state;
    tcpfsm_zeek_opts o;
    tcpfsm_zeek_opts_init(&o);
    assert_true(tcpfsm_zeek_likely_server_port(&o, 80));
    assert_true(tcpfsm_zeek_likely_server_port(&o, 22));
    assert_true(tcpfsm_zeek_likely_server_port(&o, 6669));
    assert_true(tcpfsm_zeek_likely_server_port(&o, 20000));
    assert_false(tcpfsm_zeek_likely_server_port(&o, 110)); /* pop3: DPD */
    assert_false(tcpfsm_zeek_likely_server_port(&o, 123)); /* ntp: UDP */
    assert_false(tcpfsm_zeek_likely_server_port(&o, 6705));
    o.bare = true;
    assert_false(tcpfsm_zeek_likely_server_port(&o, 80));
}

static void test_defaults(void **state)
{
    (void)state;
    tcpfsm_zeek_opts o;
    tcpfsm_zeek_opts_init(&o);
    assert_false(o.bare);
    assert_false(o.ignore_checksums);
    assert_true(o.timers);
    assert_true(o.attempt_delay == 5.0);
    assert_true(o.inactivity_timeout == 300.0);
    assert_true(o.close_delay == 5.0);
    assert_true(o.reset_delay == 5.0);
    assert_true(o.partial_close_delay == 3.0);
}

/* A zero-window letter on the 1st and 10th occurrence only, and the
 * packet counts follow the roles across a flip. */
static void test_scaled_and_counts(void **state)
{
    (void)state;
    zcase c = {"w", 40000, 80, 0, 0, NULL, 0, NULL, NULL, 1, 0, 0};
    tcpfsm_zeek_opts o;
    opts_for(&c, &o);
    tcpfsm_zeek_conn z;
    pkt hs[] = {HS};
    for (size_t i = 0; i < 3; i++) {
        tcpfsm_segment s = mkseg(&c, &hs[i], i + 1);
        if (i == 0)
            tcpfsm_zeek_conn_init(&z, &s, &o);
        tcpfsm_zeek_conn_update(&z, &s);
    }
    for (int i = 0; i < 100; i++) {
        pkt p = {S2C, A_, 1, 1, 0, 1 + i * 0.01, 0, 1, 0};
        tcpfsm_segment s = mkseg(&c, &p, 10 + i);
        tcpfsm_zeek_conn_update(&z, &s);
    }
    assert_string_equal(tcpfsm_zeek_conn_history(&z), "ShAawww");
    assert_int_equal(tcpfsm_zeek_conn_resp_pkts(&z), 101);
    tcpfsm_segment s0 = mkseg(&c, &hs[0], 1);
    assert_true(tcpfsm_zeek_conn_is_orig(&z, &s0));
    tcpfsm_zeek_conn_release(&z);

    /* ^h: the SYN-ACK sender's packet counted as orig becomes resp */
    zcase c2 = {"f", 40000, 50000, 0, 0, NULL, 0, NULL, NULL, 1, 0, 0};
    pkt synack = {S2C, S_ | A_, 0, 1, 0, 0, 0, 0, 0};
    pkt ack = {C2S, A_, 1, 1, 0, 0.01, 0, 0, 0};
    tcpfsm_segment a = mkseg(&c2, &synack, 1), b = mkseg(&c2, &ack, 2);
    tcpfsm_zeek_conn_init(&z, &a, &o);
    tcpfsm_zeek_conn_update(&z, &a);
    assert_int_equal(tcpfsm_zeek_conn_orig_pkts(&z), 1);
    assert_false(tcpfsm_zeek_conn_is_orig(&z, &b));
    tcpfsm_zeek_conn_update(&z, &b);
    assert_true(tcpfsm_zeek_conn_is_orig(&z, &b));
    assert_int_equal(tcpfsm_zeek_conn_orig_pkts(&z), 1);
    assert_int_equal(tcpfsm_zeek_conn_resp_pkts(&z), 1);
    assert_string_equal(tcpfsm_zeek_conn_history(&z), "^hA");
    tcpfsm_zeek_conn_release(&z);
}

/* Sequence numbers that wrap around 2^32 change nothing. */
static void test_seq_wrap(void **state)
{
    (void)state;
    zcase c = {"wrap", 40000, 80, 0, 0, NULL, 0, NULL, NULL, 1, 0, 0};
    tcpfsm_zeek_opts o;
    opts_for(&c, &o);
    tcpfsm_zeek_conn z;
    /* the client's ISN is C_ISN: start 2000 octets before the wrap */
    uint32_t base = 0xFFFFFFFFu - 2000u - C_ISN;
    pkt ps[] = {HS,
                {C2S, A_ | P_, 1 + base, 1, 1500, 0.03, 0, 0, 0},
                {C2S, A_ | P_, 1501 + base, 1, 1500, 0.04, 0, 0, 0},
                {S2C, A_, 1, 3001 + base, 0, 0.05, 0, 0, 0},
                {C2S, F_ | A_, 3001 + base, 1, 0, 0.06, 0, 0, 0},
                {S2C, F_ | A_, 1, 3002 + base, 0, 0.07, 0, 0, 0}};
    ps[0].seq = base;
    ps[1].ack = base + 1;
    ps[2].seq = base + 1;
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++) {
        tcpfsm_segment s = mkseg(&c, &ps[i], i + 1);
        if (i == 0)
            tcpfsm_zeek_conn_init(&z, &s, &o);
        tcpfsm_zeek_conn_update(&z, &s);
    }
    assert_string_equal(tcpfsm_zeek_conn_history(&z), "ShADaFf");
    assert_string_equal(tcpfsm_zeek_conn_state(&z), "SF");
    assert_int_equal(tcpfsm_zeek_conn_orig_size(&z), 3000);
    tcpfsm_zeek_conn_release(&z);
}

int main(void)
{
    size_t nc = sizeof cases / sizeof cases[0];
    size_t nt = sizeof tcases / sizeof tcases[0];
    struct CMUnitTest *tests = calloc(nc + nt + 4, sizeof *tests);
    size_t k = 0;
    for (size_t i = 0; i < nc; i++) {
        tests[k].name = cases[i].name;
        tests[k].test_func = test_case;
        tests[k].initial_state = (void *)&cases[i];
        k++;
    }
    for (size_t i = 0; i < nt; i++) {
        tests[k].name = tcases[i].name;
        tests[k].test_func = test_table;
        tests[k].initial_state = (void *)&tcases[i];
        k++;
    }
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_likely_ports);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_defaults);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_scaled_and_counts);
    tests[k++] = (struct CMUnitTest)cmocka_unit_test(test_seq_wrap);
    int rc = _cmocka_run_group_tests("zeek", tests, k, NULL, NULL);
    free(tests);
    return rc;
}
