/* test_pcapsrc.c - unit tests of the direct capture reader (tool/pcapsrc.c).
 *
 * Each test writes a small pcap (or pcapng) crafted in memory to a
 * temporary directory and checks the segments pcapsrc_next returns: the
 * values tsv.c would read from tshark's export of the same file (what
 * tshark 4.0 exports there is checked against tshark itself by
 * tests/direct_vs_tshark.py).
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcapsrc.h"
#include "pcapsrc_int.h" /* the conversation table */
#include "tcpfsm.h"

/* ------------------------------------------------------------------ */
/* packet crafting                                                     */

typedef struct buf {
    uint8_t d[4096];
    size_t n;
} buf;

static void put(buf *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->d);
    memcpy(b->d + b->n, p, n);
    b->n += n;
}
static void put8(buf *b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}
static void put16(buf *b, unsigned v)
{
    put8(b, v >> 8);
    put8(b, v);
}
static void put32(buf *b, uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}
static void zeros(buf *b, size_t n)
{
    static const uint8_t z[2048];
    put(b, z, n);
}

#define SYN 0x002
#define ACK 0x010
#define PSH 0x008
#define FIN 0x001

static const uint8_t OPT_WS7[] = {0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x07};
static const uint8_t OPT_WS8[] = {0x02, 0x04, 0x05, 0xb4, 0x01, 0x03, 0x03, 0x08};
static const uint8_t OPT_MSS[] = {0x02, 0x04, 0x05, 0xb4};

/* a TCP header (+ options, padded) and len payload bytes */
static void tcp(buf *b, unsigned sport, unsigned dport, uint32_t seq, uint32_t ack,
                unsigned flags, unsigned win, const uint8_t *opt, size_t optlen,
                size_t len)
{
    size_t padded = (optlen + 3) & ~(size_t)3;
    put16(b, sport);
    put16(b, dport);
    put32(b, seq);
    put32(b, ack);
    put16(b, (unsigned)(((20 + padded) / 4) << 12) | flags);
    put16(b, win);
    put32(b, 0); /* checksum, urgent pointer */
    if (optlen)
        put(b, opt, optlen);
    zeros(b, padded - optlen);
    for (size_t i = 0; i < len; i++)
        put8(b, 'x');
}

static void ipv4(buf *b, const char *src, const char *dst, unsigned proto,
                 const buf *payload, unsigned id, unsigned frag, const uint8_t *opt,
                 size_t optlen)
{
    tcpfsm_addr s, d;
    assert_true(tcpfsm_addr_parse(src, &s));
    assert_true(tcpfsm_addr_parse(dst, &d));
    size_t hl = 20 + ((optlen + 3) & ~(size_t)3);
    put8(b, 0x40 | (unsigned)(hl / 4));
    put8(b, 0);
    put16(b, (unsigned)(hl + payload->n));
    put16(b, id);
    put16(b, frag);
    put8(b, 64);
    put8(b, proto);
    put16(b, 0);
    put(b, s.bytes, 4);
    put(b, d.bytes, 4);
    if (optlen)
        put(b, opt, optlen);
    zeros(b, hl - 20 - optlen);
    put(b, payload->d, payload->n);
}

static void ipv6(buf *b, const char *src, const char *dst, unsigned nxt,
                 const buf *payload)
{
    tcpfsm_addr s, d;
    assert_true(tcpfsm_addr_parse(src, &s));
    assert_true(tcpfsm_addr_parse(dst, &d));
    put32(b, 6u << 28);
    put16(b, (unsigned)payload->n);
    put8(b, nxt);
    put8(b, 64);
    put(b, s.bytes, 16);
    put(b, d.bytes, 16);
    put(b, payload->d, payload->n);
}

static void eth_hdr(buf *b, const unsigned *tags, size_t ntags, unsigned etype)
{
    static const uint8_t macs[12] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1};
    put(b, macs, 12);
    for (size_t i = 0; i < ntags; i++)
        put16(b, tags[i]);
    put16(b, etype);
}

/* a pcap file: records of (data, caplen, origlen) */
typedef struct rec {
    buf b;
    size_t caplen; /* 0 = all */
} rec;

static char tmpdir[256];

static char *write_pcap(const char *name, unsigned linktype, const rec *r, size_t n,
                        bool nsec)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    uint32_t h[6] = {nsec ? 0xa1b23c4du : 0xa1b2c3d4u, 2 | (4u << 16), 0, 0, 262144,
                     linktype};
    fwrite(h, 4, 6, fp);
    for (size_t i = 0; i < n; i++) {
        uint32_t cl = (uint32_t)(r[i].caplen ? r[i].caplen : r[i].b.n);
        uint32_t rh[4] = {1600000000u + (uint32_t)i,
                          nsec ? 123456789u + (uint32_t)i : 654321u + (uint32_t)i, cl,
                          (uint32_t)r[i].b.n};
        fwrite(rh, 4, 4, fp);
        fwrite(r[i].b.d, 1, cl, fp);
    }
    fclose(fp);
    return path;
}

/* reads the whole file: results and segments */
#define MAXF 64
typedef struct run {
    int rc[MAXF];
    tcpfsm_segment seg[MAXF];
    char err[MAXF][200];
    char time[MAXF][48];
    int32_t winval[MAXF];
    bool truncated[MAXF];
    int n;     /* frames returned */
    int last;  /* the final result (-1 EOF, -2 error, -3 unsupported) */
    char last_err[200];
} run;

static void read_all(const char *path, run *out)
{
    memset(out, 0, sizeof *out);
    char err[200];
    bool unsup = true;
    pcapsrc *p = pcapsrc_open(path, &unsup, err, sizeof err);
    assert_non_null(p);
    assert_false(unsup);
    for (;;) {
        tcpfsm_segment s;
        int rc = pcapsrc_next(p, &s, err, sizeof err);
        if (rc < 0) {
            out->last = rc;
            snprintf(out->last_err, sizeof out->last_err, "%s", err);
            break;
        }
        assert_true(out->n < MAXF);
        out->rc[out->n] = rc;
        out->seg[out->n] = s;
        snprintf(out->err[out->n], sizeof out->err[0], "%s", rc == PCAPSRC_BAD_ROW ? err : "");
        snprintf(out->time[out->n], sizeof out->time[0], "%s", pcapsrc_time_str(p));
        out->winval[out->n] = pcapsrc_window_value(p);
        out->truncated[out->n] = pcapsrc_truncated(p);
        out->n++;
    }
    pcapsrc_close(p);
}

static void assert_addr(const tcpfsm_addr *a, const char *text)
{
    char b[64];
    tcpfsm_addr_str(a, b, sizeof b);
    assert_string_equal(b, text);
}

/* a small connection as IPv4 packets (client 10.0.0.1:40000, server
 * 10.0.0.2:80): SYN (WS 7), SYN-ACK (WS 8), ACK, 100 bytes from the client,
 * 300 from the server */
static size_t conn4(buf *ip, bool syn, const uint8_t *copt, size_t coptlen,
                    const uint8_t *sopt, size_t soptlen)
{
    size_t n = 0;
    buf t;
    if (syn) {
        t.n = 0;
        tcp(&t, 40000, 80, 1000, 0, SYN, 64240, copt, coptlen, 0);
        ip[n].n = 0;
        ipv4(&ip[n++], "10.0.0.1", "10.0.0.2", 6, &t, 1, 0x4000, NULL, 0);
    }
    t.n = 0;
    tcp(&t, 80, 40000, 5000, 1001, SYN | ACK, 65160, sopt, soptlen, 0);
    ip[n].n = 0;
    ipv4(&ip[n++], "10.0.0.2", "10.0.0.1", 6, &t, 2, 0x4000, NULL, 0);
    t.n = 0;
    tcp(&t, 40000, 80, 1001, 5001, ACK, 502, NULL, 0, 0);
    ip[n].n = 0;
    ipv4(&ip[n++], "10.0.0.1", "10.0.0.2", 6, &t, 3, 0x4000, NULL, 0);
    t.n = 0;
    tcp(&t, 40000, 80, 1001, 5001, PSH | ACK, 502, NULL, 0, 100);
    ip[n].n = 0;
    ipv4(&ip[n++], "10.0.0.1", "10.0.0.2", 6, &t, 4, 0x4000, NULL, 0);
    t.n = 0;
    tcp(&t, 80, 40000, 5001, 1101, PSH | ACK, 509, NULL, 0, 300);
    ip[n].n = 0;
    ipv4(&ip[n++], "10.0.0.2", "10.0.0.1", 6, &t, 5, 0x4000, NULL, 0);
    return n;
}

/* ------------------------------------------------------------------ */

static void test_ethernet_ipv4(void **state)
{
    (void)state;
    buf ip[8];
    size_t n = conn4(ip, true, OPT_WS7, sizeof OPT_WS7, OPT_WS8, sizeof OPT_WS8);
    rec r[9];
    for (size_t i = 0; i < n; i++) {
        r[i].b.n = 0;
        r[i].caplen = 0;
        eth_hdr(&r[i].b, NULL, 0, 0x0800);
        put(&r[i].b, ip[i].d, ip[i].n);
    }
    /* an ARP frame */
    r[n].b.n = 0;
    r[n].caplen = 0;
    eth_hdr(&r[n].b, NULL, 0, 0x0806);
    zeros(&r[n].b, 28);
    run res;
    read_all(write_pcap("eth.pcap", 1, r, n + 1, false), &res);
    assert_int_equal(res.n, 6);
    assert_int_equal(res.last, PCAPSRC_EOF);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(res.rc[i], PCAPSRC_SEGMENT);
        assert_int_equal(res.seg[i].frame, (uint64_t)i + 1);
        assert_int_equal(res.seg[i].checksum, 2);
        assert_true(res.seg[i].has_window);
        assert_int_equal(res.seg[i].stream, -1);
    }
    assert_addr(&res.seg[0].src, "10.0.0.1");
    assert_addr(&res.seg[0].dst, "10.0.0.2");
    assert_int_equal(res.seg[0].sport, 40000);
    assert_int_equal(res.seg[0].dport, 80);
    assert_int_equal(res.seg[0].flags, SYN);
    assert_int_equal(res.seg[1].flags, SYN | ACK);
    assert_int_equal(res.seg[1].ack, 1001);
    assert_string_equal(res.time[0], "1600000000.654321000");
    assert_true(res.seg[0].time == 1600000000.654321);
    /* SYNs are never scaled; then the client's 7, the server's 8 */
    assert_int_equal(res.seg[0].window, 64240);
    assert_int_equal(res.seg[1].window, 65160);
    assert_int_equal(res.seg[2].window, 502 << 7);
    assert_int_equal(res.winval[2], 502);
    assert_int_equal(res.seg[4].window, 509 << 8);
    assert_int_equal(res.seg[3].len, 100);
    assert_int_equal(res.seg[4].len, 300);
    assert_int_equal(res.seg[4].payload_caplen, -1);
    assert_int_equal(res.rc[5], PCAPSRC_NOT_TCP);
    assert_int_equal(res.seg[5].frame, 6);
}

/* window scaling as Wireshark learns it */
static void test_window_scaling(void **state)
{
    (void)state;
    struct {
        bool syn;
        const uint8_t *c, *s;
        size_t cn, sn;
        uint32_t cwin, swin; /* windows of the client's ACK, the server's data */
    } cases[] = {
        {true, OPT_WS7, OPT_WS8, sizeof OPT_WS7, sizeof OPT_WS8, 502 << 7, 509 << 8},
        {true, OPT_WS7, OPT_MSS, sizeof OPT_WS7, sizeof OPT_MSS, 502, 509},  /* SYN only */
        {true, OPT_MSS, OPT_WS8, sizeof OPT_MSS, sizeof OPT_WS8, 502, 509},  /* SYN-ACK only */
        {false, NULL, OPT_WS8, 0, sizeof OPT_WS8, 502, 509 << 8},            /* no SYN seen */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        buf ip[8];
        size_t n = conn4(ip, cases[k].syn, cases[k].c, cases[k].cn, cases[k].s, cases[k].sn);
        rec r[8];
        for (size_t i = 0; i < n; i++) {
            r[i].b = ip[i];
            r[i].caplen = 0;
        }
        run res;
        read_all(write_pcap("ws.pcap", 101, r, n, false), &res);
        assert_int_equal((size_t)res.n, n);
        assert_int_equal(res.seg[n - 3].window, cases[k].cwin);
        assert_int_equal(res.seg[n - 1].window, cases[k].swin);
    }
}

static void test_link_types(void **state)
{
    (void)state;
    struct {
        const char *name;
        unsigned linktype;
        uint8_t hdr[24];
        size_t hlen;
    } lts[] = {
        {"sll", 113, {0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00}, 16},
        {"sll2", 276, {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0}, 20},
        {"null-le", 0, {2, 0, 0, 0}, 4},
        {"null-be", 0, {0, 0, 0, 2}, 4},
        {"loop", 108, {0, 0, 0, 2}, 4},
        {"raw", 101, {0}, 0},
        {"raw12", 12, {0}, 0},
        {"ipv4", 228, {0}, 0},
    };
    for (size_t k = 0; k < sizeof lts / sizeof lts[0]; k++) {
        buf ip[8];
        size_t n = conn4(ip, true, OPT_WS7, sizeof OPT_WS7, OPT_WS8, sizeof OPT_WS8);
        rec r[8];
        for (size_t i = 0; i < n; i++) {
            r[i].b.n = 0;
            r[i].caplen = 0;
            put(&r[i].b, lts[k].hdr, lts[k].hlen);
            put(&r[i].b, ip[i].d, ip[i].n);
        }
        run res;
        read_all(write_pcap(lts[k].name, lts[k].linktype, r, n, false), &res);
        assert_int_equal((size_t)res.n, n);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(res.rc[i], PCAPSRC_SEGMENT);
        assert_addr(&res.seg[1].src, "10.0.0.2");
        assert_int_equal(res.seg[2].window, 502 << 7);
        assert_int_equal(res.seg[3].len, 100);
    }
    /* IPv6 over LINKTYPE_IPV6 and a BSD loopback AF_INET6 (30) */
    for (int k = 0; k < 2; k++) {
        buf t = {.n = 0}, pkt = {.n = 0};
        tcp(&t, 5000, 443, 7, 0, SYN, 1000, OPT_WS7, sizeof OPT_WS7, 0);
        if (k == 1)
            put(&pkt, (const uint8_t[]){30, 0, 0, 0}, 4);
        ipv6(&pkt, "2001:db8::1", "2001:db8::2", 6, &t);
        rec r[1] = {{pkt, 0}};
        run res;
        read_all(write_pcap("v6", k ? 0 : 229, r, 1, false), &res);
        assert_int_equal(res.rc[0], PCAPSRC_SEGMENT);
        assert_addr(&res.seg[0].src, "2001:db8::1");
        assert_addr(&res.seg[0].dst, "2001:db8::2");
        assert_int_equal(res.seg[0].dport, 443);
    }
}

static void test_vlan_qinq(void **state)
{
    (void)state;
    const unsigned tagsets[][4] = {
        {0x8100, 0x2064, 0, 0},       /* 802.1Q */
        {0x88a8, 0x0010, 0x8100, 0x0064}, /* 802.1ad + 802.1Q */
        {0x9100, 0x0010, 0x8100, 0x0064}, /* old QinQ */
        {0x8100, 0x0010, 0x8100, 0x0064}, /* double 802.1Q */
    };
    const size_t ntags[] = {2, 4, 4, 4};
    for (size_t k = 0; k < 4; k++) {
        buf ip[8];
        size_t n = conn4(ip, true, OPT_WS7, sizeof OPT_WS7, OPT_WS8, sizeof OPT_WS8);
        rec r[8];
        for (size_t i = 0; i < n; i++) {
            r[i].b.n = 0;
            r[i].caplen = 0;
            eth_hdr(&r[i].b, tagsets[k], ntags[k], 0x0800);
            put(&r[i].b, ip[i].d, ip[i].n);
        }
        run res;
        read_all(write_pcap("vlan.pcap", 1, r, n, false), &res);
        assert_int_equal((size_t)res.n, n);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(res.rc[i], PCAPSRC_SEGMENT);
        assert_int_equal(res.seg[4].window, 509 << 8);
        assert_int_equal(res.seg[4].len, 300);
    }
}

static void test_ipv4_options(void **state)
{
    (void)state;
    /* NOP + record route: addresses unchanged; loose source route: ip.dst
     * is the route's final address */
    const uint8_t rr[] = {1, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0};
    const uint8_t lsrr[] = {131, 11, 4, 10, 9, 9, 9, 10, 8, 8, 8};
    const uint8_t *opts[] = {rr, lsrr};
    const size_t olen[] = {sizeof rr, sizeof lsrr};
    const char *dst[] = {"10.0.0.2", "10.8.8.8"};
    for (int k = 0; k < 2; k++) {
        buf t = {.n = 0}, ip = {.n = 0};
        tcp(&t, 40000, 80, 1, 1, PSH | ACK, 100, NULL, 0, 10);
        ipv4(&ip, "10.0.0.1", "10.0.0.2", 6, &t, 1, 0, opts[k], olen[k]);
        rec r[1] = {{.caplen = 0}};
        eth_hdr(&r[0].b, NULL, 0, 0x0800);
        put(&r[0].b, ip.d, ip.n);
        run res;
        read_all(write_pcap("ipopt.pcap", 1, r, 1, false), &res);
        assert_int_equal(res.rc[0], PCAPSRC_SEGMENT);
        assert_addr(&res.seg[0].dst, dst[k]);
        assert_int_equal(res.seg[0].len, 10);
    }
}

/* IPv4 fragments are reassembled: the segment is reported in the frame
 * that completes the datagram, with the datagram's length */
static void test_ipv4_fragments(void **state)
{
    (void)state;
    buf t = {.n = 0};
    tcp(&t, 40000, 80, 1000, 0, SYN, 64240, OPT_WS7, sizeof OPT_WS7, 1500);
    buf part[3] = {{.n = 0}, {.n = 0}, {.n = 0}};
    size_t cut[4] = {0, 8, 808, t.n};
    rec r[8];
    int nr = 0;
    for (int order = 0; order < 2; order++) {
        for (int j = 0; j < 3; j++) {
            int i = order ? (j + 1) % 3 : j; /* in order, then 1,2,0 */
            buf frag = {.n = 0};
            put(&frag, t.d + cut[i], cut[i + 1] - cut[i]);
            part[i].n = 0;
            ipv4(&part[i], "10.0.0.1", "10.0.0.2", 6, &frag, 77 + (unsigned)order,
                 (unsigned)((i < 2 ? 0x2000 : 0) | (cut[i] / 8)), NULL, 0);
            r[nr].b.n = 0;
            r[nr].caplen = 0;
            eth_hdr(&r[nr].b, NULL, 0, 0x0800);
            put(&r[nr].b, part[i].d, part[i].n);
            nr++;
        }
    }
    /* a datagram whose last fragment never comes */
    r[nr] = r[0];
    r[nr].b.d[14 + 5] ^= 0x55; /* another IP id */
    nr++;
    run res;
    read_all(write_pcap("frag.pcap", 1, r, (size_t)nr, false), &res);
    assert_int_equal(res.n, nr);
    int want[] = {0, 0, 1, 0, 0, 1, 0};
    for (int i = 0; i < nr; i++)
        assert_int_equal(res.rc[i], want[i]);
    assert_int_equal(res.seg[2].len, 1500);
    assert_int_equal(res.seg[2].seq, 1000);
    assert_int_equal(res.seg[5].len, 1500);
    assert_int_equal(res.seg[5].frame, 6);
}

static void test_ipv6_ext_headers(void **state)
{
    (void)state;
    buf t = {.n = 0};
    tcp(&t, 40000, 443, 100, 0, SYN, 64800, OPT_WS7, sizeof OPT_WS7, 0);
    /* hop-by-hop -> destination options -> routing (type 0, segments left
     * 0) -> fragment (atomic) -> AH -> TCP */
    buf ext = {.n = 0};
    put(&ext, (const uint8_t[]){60, 0, 1, 4, 0, 0, 0, 0}, 8);
    put(&ext, (const uint8_t[]){43, 1, 1, 12}, 4);
    zeros(&ext, 12);
    put(&ext, (const uint8_t[]){44, 2, 0, 0, 0, 0, 0, 0}, 8);
    tcpfsm_addr a;
    tcpfsm_addr_parse("2001:db8::99", &a);
    put(&ext, a.bytes, 16);
    put(&ext, (const uint8_t[]){51, 0, 0, 0, 0, 0, 0, 9}, 8);
    put(&ext, (const uint8_t[]){6, 4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}, 12);
    zeros(&ext, 12);
    put(&ext, t.d, t.n);
    rec r[2] = {{.caplen = 0}, {.caplen = 0}};
    eth_hdr(&r[0].b, NULL, 0, 0x86dd);
    buf ip = {.n = 0};
    ipv6(&ip, "2001:db8::1", "2001:db8::2", 0, &ext);
    put(&r[0].b, ip.d, ip.n);
    /* the same without the extension headers, but cut in the TCP header */
    eth_hdr(&r[1].b, NULL, 0, 0x86dd);
    ip.n = 0;
    ipv6(&ip, "2001:db8::1", "2001:db8::2", 6, &t);
    put(&r[1].b, ip.d, ip.n);
    r[1].caplen = 14 + 40 + 10;
    run res;
    read_all(write_pcap("ipv6ext.pcap", 1, r, 2, false), &res);
    assert_int_equal(res.rc[0], PCAPSRC_SEGMENT);
    assert_addr(&res.seg[0].src, "2001:db8::1");
    assert_addr(&res.seg[0].dst, "2001:db8::2");
    assert_int_equal(res.seg[0].len, 0);
    assert_int_equal(res.seg[0].dport, 443);
    /* 10 bytes of TCP header: tshark prints the ports only */
    assert_int_equal(res.rc[1], PCAPSRC_BAD_ROW);
    assert_string_equal(res.err[1], "tcp.seq_raw: empty");
}

static void test_ipv6_fragments(void **state)
{
    (void)state;
    buf t = {.n = 0};
    tcp(&t, 40000, 443, 100, 0, PSH | ACK, 500, NULL, 0, 2000);
    rec r[2] = {{.caplen = 0}, {.caplen = 0}};
    size_t cut[3] = {0, 1024, t.n};
    for (int i = 1; i >= 0; i--) { /* last fragment first */
        buf fr = {.n = 0};
        put8(&fr, 6);
        put8(&fr, 0);
        put16(&fr, (unsigned)cut[i] | (i == 0 ? 1 : 0));
        put32(&fr, 0xabcd);
        put(&fr, t.d + cut[i], cut[i + 1] - cut[i]);
        buf ip = {.n = 0};
        ipv6(&ip, "2001:db8::1", "2001:db8::2", 44, &fr);
        eth_hdr(&r[1 - i].b, NULL, 0, 0x86dd);
        put(&r[1 - i].b, ip.d, ip.n);
    }
    run res;
    read_all(write_pcap("frag6.pcap", 1, r, 2, false), &res);
    assert_int_equal(res.rc[0], PCAPSRC_NOT_TCP);
    assert_int_equal(res.rc[1], PCAPSRC_SEGMENT);
    assert_int_equal(res.seg[1].len, 2000);
    assert_int_equal(res.seg[1].window, 500);
}

/* snaplen: tcp.len comes from the IP header; short and bogus headers */
static void test_short_headers(void **state)
{
    (void)state;
    buf t = {.n = 0};
    tcp(&t, 40000, 80, 1, 1, PSH | ACK, 100, NULL, 0, 1000);
    buf ip = {.n = 0};
    ipv4(&ip, "10.0.0.1", "10.0.0.2", 6, &t, 1, 0, NULL, 0);
    rec r[4];
    size_t caps[] = {14 + 20 + 40, 14 + 20 + 16, 14 + 20 + 3};
    for (int i = 0; i < 3; i++) {
        r[i].b.n = 0;
        eth_hdr(&r[i].b, NULL, 0, 0x0800);
        put(&r[i].b, ip.d, ip.n);
        r[i].caplen = caps[i];
    }
    /* data offset 4 words */
    r[3] = r[0];
    r[3].caplen = 0;
    r[3].b.d[14 + 20 + 12] = 0x40;
    run res;
    read_all(write_pcap("short.pcap", 1, r, 4, false), &res);
    assert_int_equal(res.rc[0], PCAPSRC_SEGMENT);
    assert_int_equal(res.seg[0].len, 1000);
    assert_int_equal(res.seg[0].payload_caplen, 20);
    assert_int_equal(res.rc[1], PCAPSRC_SEGMENT);
    assert_int_equal(res.seg[1].checksum, -1); /* checksum not captured */
    assert_int_equal(res.rc[2], PCAPSRC_NOT_TCP);
    assert_int_equal(res.rc[3], PCAPSRC_BAD_ROW);
    assert_string_equal(res.err[3], "tcp.ack_raw: empty");
    /* the bounds-checked reads: a cut payload is no failed read; a
     * checksum or ports not captured are */
    assert_false(res.truncated[0]);
    assert_true(res.truncated[1]);
    assert_true(res.truncated[2]);
    assert_false(res.truncated[3]);
}

static void test_truncated_file(void **state)
{
    (void)state;
    buf ip[8];
    size_t n = conn4(ip, true, OPT_WS7, sizeof OPT_WS7, OPT_WS8, sizeof OPT_WS8);
    rec r[8];
    for (size_t i = 0; i < n; i++) {
        r[i].b = ip[i];
        r[i].caplen = 0;
    }
    char *path = write_pcap("trunc.pcap", 101, r, n, true);
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long size = ftell(fp);
    fclose(fp);
    assert_int_equal(truncate(path, size - 50), 0);
    run res;
    read_all(path, &res);
    assert_int_equal((size_t)res.n, n - 1);
    assert_int_equal(res.last, PCAPSRC_ERROR);
    char want[64];
    snprintf(want, sizeof want, "truncated capture: frame %zu cut short", n);
    assert_string_equal(res.last_err, want);
    /* nanosecond time stamps */
    assert_string_equal(res.time[1], "1600000001.123456790");
}

static void test_unsupported(void **state)
{
    (void)state;
    /* MPLS: tshark decodes the IP inside, pcapsrc says it does not */
    buf ip[8];
    conn4(ip, true, OPT_WS7, sizeof OPT_WS7, OPT_WS8, sizeof OPT_WS8);
    rec r[2] = {{.caplen = 0}, {.caplen = 0}};
    eth_hdr(&r[0].b, NULL, 0, 0x0806);
    zeros(&r[0].b, 28);
    eth_hdr(&r[1].b, NULL, 0, 0x8847);
    put32(&r[1].b, (100u << 12) | (1u << 8) | 64);
    put(&r[1].b, ip[0].d, ip[0].n);
    run res;
    read_all(write_pcap("mpls.pcap", 1, r, 2, false), &res);
    assert_int_equal(res.n, 1);
    assert_int_equal(res.last, PCAPSRC_UNSUPPORTED);
    assert_non_null(strstr(res.last_err, "frame 2"));

    /* a link type that is not decoded (802.11) and a gzip file: the file
     * opens, but pcapsrc cannot read it as tshark does */
    char *path = write_pcap("wifi.pcap", 105, r, 1, false);
    char err[200];
    bool unsup = false;
    assert_null(pcapsrc_open(path, &unsup, err, sizeof err));
    assert_true(unsup);
    char gz[600];
    snprintf(gz, sizeof gz, "%s/x.pcap.gz", tmpdir);
    FILE *fp = fopen(gz, "wb");
    fwrite("\x1f\x8b\x08\x00\x00\x00\x00\x00", 1, 8, fp);
    fclose(fp);
    unsup = false;
    assert_null(pcapsrc_open(gz, &unsup, err, sizeof err));
    assert_true(unsup);
    /* a file that does not exist */
    unsup = true;
    assert_null(pcapsrc_open("/nonexistent/x.pcap", &unsup, err, sizeof err));
    assert_false(unsup);
}

/* pcapng: packets with options, and custom blocks Wireshark counts as
 * frames */
static void ng_block(FILE *fp, uint32_t type, const buf *body)
{
    size_t pad = (4 - body->n % 4) % 4;
    uint32_t total = (uint32_t)(12 + body->n + pad);
    fwrite(&type, 4, 1, fp);
    fwrite(&total, 4, 1, fp);
    fwrite(body->d, 1, body->n, fp);
    fwrite("\0\0\0", 1, pad, fp);
    fwrite(&total, 4, 1, fp);
}

static void le32(buf *b, uint32_t v)
{
    put(b, &v, 4);
}

static void test_pcapng(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/x.pcapng", tmpdir);
    FILE *fp = fopen(path, "wb");
    buf b = {.n = 0};
    le32(&b, 0x1a2b3c4d);
    le32(&b, 1);
    le32(&b, 0xffffffff);
    le32(&b, 0xffffffff);
    ng_block(fp, 0x0a0d0d0a, &b);
    b.n = 0;
    le32(&b, 1); /* Ethernet, snaplen 0 */
    le32(&b, 0);
    ng_block(fp, 1, &b);
    buf ip[8];
    size_t n = conn4(ip, true, OPT_WS7, sizeof OPT_WS7, OPT_WS8, sizeof OPT_WS8);
    for (size_t i = 0; i < n; i++) {
        if (i == 2) {
            b.n = 0;
            le32(&b, 32473);
            put(&b, "custom!!", 8);
            ng_block(fp, 0x00000bad, &b);
        }
        buf f = {.n = 0};
        eth_hdr(&f, NULL, 0, 0x0800);
        put(&f, ip[i].d, ip[i].n);
        b.n = 0;
        uint64_t ts = (1600000000ull + i) * 1000000 + 5;
        le32(&b, 0);
        le32(&b, (uint32_t)(ts >> 32));
        le32(&b, (uint32_t)ts);
        le32(&b, (uint32_t)f.n);
        le32(&b, (uint32_t)f.n);
        put(&b, f.d, f.n);
        zeros(&b, (4 - f.n % 4) % 4);
        if (i % 2) { /* an opt_comment */
            le32(&b, 1 | (4u << 16));
            put(&b, "note", 4);
            le32(&b, 0);
        }
        ng_block(fp, 6, &b);
    }
    fclose(fp);
    run res;
    read_all(path, &res);
    assert_int_equal((size_t)res.n, n + 1);
    assert_int_equal(res.rc[2], PCAPSRC_NOT_TCP); /* the custom block */
    assert_string_equal(res.time[2], "");
    assert_int_equal(res.rc[3], PCAPSRC_SEGMENT);
    assert_int_equal(res.seg[3].frame, 4);
    assert_int_equal(res.seg[3].window, 502 << 7);
    assert_string_equal(res.time[3], "1600000002.000005000");
}

/* seg.time is exactly what strtod gives for the frame.time_epoch text */
static void test_time_values(void **state)
{
    (void)state;
    rec r[MAXF];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    char path[512];
    snprintf(path, sizeof path, "%s/times.pcap", tmpdir);
    FILE *fp = fopen(path, "wb");
    uint32_t h[6] = {0xa1b23c4du, 2 | (4u << 16), 0, 0, 262144, 101};
    fwrite(h, 4, 6, fp);
    buf ip[8];
    conn4(ip, true, OPT_WS7, sizeof OPT_WS7, OPT_WS8, sizeof OPT_WS8);
    for (int i = 0; i < MAXF; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint32_t rh[4] = {(uint32_t)(x >> 32), (uint32_t)(x % 1000000000u),
                          (uint32_t)ip[3].n, (uint32_t)ip[3].n};
        if (i == 0)
            rh[0] = rh[1] = 0;
        if (i == 1)
            rh[1] = 999999999;
        fwrite(rh, 4, 4, fp);
        fwrite(ip[3].d, 1, ip[3].n, fp);
    }
    fclose(fp);
    (void)r;
    run res;
    read_all(path, &res);
    assert_int_equal(res.n, MAXF);
    for (int i = 0; i < MAXF; i++) {
        double want = strtod(res.time[i], NULL);
        assert_memory_equal(&res.seg[i].time, &want, sizeof want);
    }
    assert_string_equal(res.time[0], "0.000000000");
}

/* tcp.stream numbering: a new 4-tuple, or a new SYN (another ISN) on a
 * known one, takes the next number; a retransmitted SYN does not */
static void test_streams(void **state)
{
    (void)state;
    rec r[8];
    int n = 0;
    const struct {
        unsigned sport;
        uint32_t isn;
    } syns[] = {{40000, 1000}, {40000, 1000}, {40000, 7777}, {40001, 1}, {40000, 7777}};
    for (size_t i = 0; i < sizeof syns / sizeof syns[0]; i++) {
        buf t = {.n = 0}, ip = {.n = 0};
        tcp(&t, syns[i].sport, 80, syns[i].isn, 0, SYN, 1000, OPT_WS7, sizeof OPT_WS7, 0);
        ipv4(&ip, "10.0.0.1", "10.0.0.2", 6, &t, 1, 0, NULL, 0);
        r[n].b = ip;
        r[n++].caplen = 0;
    }
    char *path = write_pcap("streams.pcap", 101, r, (size_t)n, false);
    char err[200];
    bool unsup;
    pcapsrc *p = pcapsrc_open(path, &unsup, err, sizeof err);
    assert_non_null(p);
    const int64_t want[] = {0, 0, 1, 2, 1};
    for (int i = 0; i < n; i++) {
        tcpfsm_segment seg;
        assert_int_equal(pcapsrc_next(p, &seg, err, sizeof err), PCAPSRC_SEGMENT);
        assert_int_equal(seg.stream, -1); /* seg->stream stays -1 */
        assert_int_equal(pcapsrc_stream(p), want[i]);
        assert_true(pcapsrc_present(p) & (1u << TCPFSM_F_STREAM));
    }
    pcapsrc_close(p);
}

/* tcp.checksum.status: 2 unless pcapsrc_set_checksums (tshark -o
 * tcp.check_checksum:TRUE): then 1 good, 0 bad */
static void test_checksums(void **state)
{
    (void)state;
    buf t = {.n = 0}, ip = {.n = 0};
    tcp(&t, 40000, 80, 1, 1, PSH | ACK, 100, NULL, 0, 11);
    /* pseudo header + segment */
    uint32_t sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 6 + (uint32_t)t.n;
    for (size_t i = 0; i < t.n; i += 2)
        sum += (uint32_t)(t.d[i] << 8) | (i + 1 < t.n ? t.d[i + 1] : 0);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t ck = (uint16_t)~sum;
    t.d[16] = (uint8_t)(ck >> 8);
    t.d[17] = (uint8_t)ck;
    ipv4(&ip, "10.0.0.1", "10.0.0.2", 6, &t, 1, 0, NULL, 0);
    rec r[2] = {{ip, 0}, {ip, 0}};
    r[1].b.d[20 + 17] ^= 1; /* a bad checksum */
    char *path = write_pcap("cksum.pcap", 101, r, 2, false);
    for (int check = 0; check < 2; check++) {
        char err[200];
        bool unsup;
        pcapsrc *p = pcapsrc_open(path, &unsup, err, sizeof err);
        assert_non_null(p);
        pcapsrc_set_checksums(p, check);
        tcpfsm_segment seg;
        assert_int_equal(pcapsrc_next(p, &seg, err, sizeof err), PCAPSRC_SEGMENT);
        assert_int_equal(seg.checksum, check ? 1 : 2);
        assert_int_equal(pcapsrc_next(p, &seg, err, sizeof err), PCAPSRC_SEGMENT);
        assert_int_equal(seg.checksum, check ? 0 : 2);
        assert_int_equal(pcapsrc_next(p, &seg, err, sizeof err), PCAPSRC_EOF);
        pcapsrc_close(p);
    }
}

/* a TCP header quoted in an ICMP error: not a segment, but tshark's
 * conversation table reads the quoted SYN's window scale */
static void test_icmp_quote(void **state)
{
    (void)state;
    buf t = {.n = 0}, q = {.n = 0}, icmp = {.n = 0};
    tcp(&t, 40000, 80, 1000, 0, SYN, 64240, OPT_WS7, sizeof OPT_WS7, 0);
    ipv4(&q, "10.0.0.1", "10.0.0.2", 6, &t, 1, 0, NULL, 0);
    put32(&icmp, 11u << 24); /* time exceeded */
    put32(&icmp, 0);
    put(&icmp, q.d, q.n);
    rec r[4];
    r[0].b.n = 0;
    r[0].caplen = 0;
    ipv4(&r[0].b, "10.9.9.9", "10.0.0.1", 1, &icmp, 9, 0, NULL, 0);
    buf ip[8];
    conn4(ip, false, NULL, 0, OPT_WS8, sizeof OPT_WS8); /* SYN-ACK, ACK, data, data */
    for (int i = 0; i < 3; i++) {
        r[i + 1].b = ip[i];
        r[i + 1].caplen = 0;
    }
    run res;
    read_all(write_pcap("icmp.pcap", 101, r, 4, false), &res);
    assert_int_equal(res.rc[0], PCAPSRC_NOT_TCP);
    assert_int_equal(res.rc[2], PCAPSRC_SEGMENT);
    assert_int_equal(res.seg[2].window, 502 << 7); /* the client's scale: the quote */
}

/* inputs fuzz/fuzz_pcap.c found (tests/fuzz-regressions/pcap/) */
static void test_fuzz_findings(void **state)
{
    (void)state;
    /* IPv6 jumbo payload lengths (hop-by-hop option 0xc2): 70000 is taken
     * as the payload length (longer than the frame); within 40 of 2^32,
     * 40 + length wraps in 32 bits, as in Wireshark, and tshark decodes
     * nothing after the IPv6 header (pcapsrc once read 4 GB past it) */
    buf t = {.n = 0};
    tcp(&t, 40000, 443, 1, 0, SYN, 65535, NULL, 0, 0);
    static const uint32_t jumbo[3] = {70000, 0xfffffff0u, 0xffffffd8u};
    rec r[3];
    for (int i = 0; i < 3; i++) {
        buf ext = {.n = 0};
        put(&ext, (const uint8_t[]){6, 0, 0xc2, 4}, 4);
        put32(&ext, jumbo[i]);
        put(&ext, t.d, t.n);
        r[i].b.n = 0;
        r[i].caplen = 0;
        ipv6(&r[i].b, "2001:db8::1", "2001:db8::2", 0, &ext);
        r[i].b.d[4] = r[i].b.d[5] = 0; /* payload length 0: jumbo */
    }
    run res;
    read_all(write_pcap("jumbo.pcap", 229, r, 3, false), &res);
    assert_int_equal(res.n, 3);
    assert_int_equal(res.rc[0], PCAPSRC_SEGMENT);
    assert_int_equal(res.seg[0].len, 0);
    assert_int_equal(res.seg[0].dport, 443);
    assert_int_equal(res.rc[1], PCAPSRC_NOT_TCP);
    assert_int_equal(res.rc[2], PCAPSRC_NOT_TCP);
    assert_int_equal(res.seg[1].dport, 0);

    /* IP in IP, both in fragments: the inner header (reassembled, 24
     * bytes) ends with a source-route option of length 2, whose pointer
     * byte would lie past the header (pcapsrc read it) */
    buf inner = {.n = 0}, none = {.n = 0};
    ipv4(&inner, "10.0.0.1", "10.9.9.9", 6, &none, 1, 0,
         (const uint8_t[]){1, 1, 137, 2}, 4);
    assert_int_equal(inner.n, 24);
    buf f0 = {.n = 0}, f1 = {.n = 0};
    put(&f0, inner.d, 16);
    put(&f1, inner.d + 16, 8);
    rec q[2] = {{.caplen = 0}, {.caplen = 0}};
    ipv4(&q[0].b, "10.0.0.1", "10.0.0.2", 4, &f0, 9, 0x2000, NULL, 0);
    ipv4(&q[1].b, "10.0.0.1", "10.0.0.2", 4, &f1, 9, 16 / 8, NULL, 0);
    read_all(write_pcap("route2.pcap", 101, q, 2, false), &res);
    assert_int_equal(res.n, 2);
    assert_int_equal(res.rc[0], PCAPSRC_NOT_TCP);
    assert_int_equal(res.rc[1], PCAPSRC_NOT_TCP);
    assert_int_equal(res.last, PCAPSRC_EOF);
}

/* the conversation table (pcap_conv.c): tcp.stream numbers per
 * 4-tuple, both directions one conversation, a new number on restart,
 * and beyond the cap the clock's choice */
static conv *conv4_get(conv_table *t, uint8_t a, uint16_t pa, uint8_t b,
                       uint16_t pb, int *dir)
{
    tcpfsm_addr x = {4, {10, 0, 0, a}}, y = {4, {10, 0, 0, b}};
    return pcs_conv_get(t, &x, pa, &y, pb, dir);
}

static void test_conv_table(void **state)
{
    (void)state;
    conv_table t;
    pcs_conv_init(&t);
    t.max = 3;
    int d1, d2;
    conv *a = conv4_get(&t, 1, 1000, 2, 80, &d1);
    assert_non_null(a);
    assert_int_equal(a->stream, 0);
    assert_int_equal(a->win_scale[0], WS_UNKNOWN);
    assert_ptr_equal(conv4_get(&t, 2, 80, 1, 1000, &d2), a);
    assert_int_equal(d1, 1); /* the sender is the key's first end */
    assert_int_equal(d2, 0);
    /* same addresses: the ports decide */
    conv *b = conv4_get(&t, 3, 9, 3, 8, &d1);
    assert_int_equal(b->stream, 1);
    assert_int_equal(d1, 0);
    conv *c = conv4_get(&t, 4, 5, 6, 7, &d1);
    assert_int_equal(c->stream, 2);
    assert_int_equal(t.count, 3);
    /* a new SYN: the next number, nothing learned kept */
    c->flags |= CONV_BASE(0) | CONV_CLOSED;
    c->win_scale[1] = 7;
    pcs_conv_restart(&t, c);
    assert_int_equal(c->stream, 3);
    assert_int_equal(c->flags & (CONV_BASE(0) | CONV_CLOSED), 0);
    assert_int_equal(c->win_scale[1], WS_UNKNOWN);
    assert_int_equal(t.count, 3);
    /* full: every record is new (used once), the clock's first sweep
     * spares each once, then the first (a) goes */
    conv *d = conv4_get(&t, 7, 1, 8, 2, &d1);
    assert_int_equal(d->stream, 4);
    assert_int_equal(t.count, 3);
    assert_int_equal(conv4_get(&t, 3, 9, 3, 8, &d1)->stream, 1); /* b kept */
    /* b was used again: the next one to go is c */
    conv *e = conv4_get(&t, 9, 1, 9, 2, &d1);
    assert_int_equal(e->stream, 5);
    assert_int_equal(conv4_get(&t, 3, 9, 3, 8, &d1)->stream, 1);
    assert_int_equal(conv4_get(&t, 7, 1, 8, 2, &d1)->stream, 4);
    assert_int_equal(t.count, 3);
    /* a forgotten 4-tuple comes back with a new number (tshark's would
     * be the old one: the cap is where the reader stops matching it) */
    assert_int_equal(conv4_get(&t, 1, 1000, 2, 80, &d1)->stream, 6);
    assert_int_equal(t.count, 3);
    /* IPv6 shares the cap: with no IPv6 conversation yet, an IPv4 one
     * makes room */
    tcpfsm_addr s6 = {6, {0x20, 0x01, [15] = 1}}, t6 = {6, {0x20, 0x01, [15] = 2}};
    conv *f = pcs_conv_get(&t, &t6, 443, &s6, 5000, &d1);
    assert_non_null(f);
    assert_int_equal(f->stream, 7);
    assert_int_equal(d1, 0);
    assert_int_equal(t.count, 3);
    assert_int_equal(tcpfsm_flowtab_count(&t.v4), 2);
    assert_ptr_equal(pcs_conv_get(&t, &s6, 5000, &t6, 443, &d2), f);
    assert_int_equal(d2, 1);
    pcs_conv_free(&t);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s/test_pcapsrc.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ethernet_ipv4),
        cmocka_unit_test(test_window_scaling),
        cmocka_unit_test(test_link_types),
        cmocka_unit_test(test_vlan_qinq),
        cmocka_unit_test(test_ipv4_options),
        cmocka_unit_test(test_ipv4_fragments),
        cmocka_unit_test(test_ipv6_ext_headers),
        cmocka_unit_test(test_ipv6_fragments),
        cmocka_unit_test(test_short_headers),
        cmocka_unit_test(test_truncated_file),
        cmocka_unit_test(test_unsupported),
        cmocka_unit_test(test_pcapng),
        cmocka_unit_test(test_time_values),
        cmocka_unit_test(test_streams),
        cmocka_unit_test(test_checksums),
        cmocka_unit_test(test_icmp_quote),
        cmocka_unit_test(test_fuzz_findings),
        cmocka_unit_test(test_conv_table),
    };
    return cmocka_run_group_tests_name("pcapsrc", tests, setup, teardown);
}
