/* gen_capture.c - write a large synthetic pcap of many interleaved TCP
 * connections, for benchmarks.
 *
 *   gen_capture -n CONNECTIONS -o FILE.pcap [-c CONCURRENCY] [-s SEED]
 *   gen_capture --syn-flood[=synack] -n CONNECTIONS -o FILE.pcap [-s SEED]
 *
 * Ethernet + IPv4 + TCP, microsecond pcap.  CONCURRENCY connections
 * (default 1000) are open at once; each step sends the next segment of a
 * randomly chosen open connection, and a finished connection is replaced
 * by a new one until CONNECTIONS have been started.  Every connection has
 * its own 4-tuple.  Mix (per connection, drawn from the seed):
 *   - a three-way handshake with MSS, SACK-permitted and window scale
 *     options (15% without window scaling), then 1-3 request/response
 *     exchanges, then a close:
 *       refused (SYN, RST-ACK)          3%
 *       reset (RST after the data)      6%, from either side
 *       FIN close                      91%: fin4 with the client closing
 *                                      44%, fin4 server closing 28%, fin3
 *                                      client closing 16%, fin3 server 12%
 *   - midstream starts (no handshake seen)  3% (they still close)
 *   - one retransmitted data segment in     6% of connections
 * That is about 10 packets per connection (1,000,000 connections ~ 10M
 * packets, ~1.3 GB).  Valid IP and TCP checksums.  The same arguments give
 * the same file, byte for byte.
 *
 * --syn-flood: a SYN flood instead: CONNECTIONS distinct half-open
 * connections, one after the other, each a single SYN from its own
 * client address and port to 192.168.0.1:80 (--syn-flood=synack: each
 * SYN answered by a SYN-ACK, never by the handshake's ACK).  74 bytes
 * per packet in the file (10,000,000 SYNs ~ 740 MB).
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- deterministic PRNG (splitmix64 seeded xoshiro256**) ---- */
static uint64_t rs[4];

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t rnd(void)
{
    uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;
    rs[2] ^= rs[0];
    rs[3] ^= rs[1];
    rs[1] ^= rs[2];
    rs[0] ^= rs[3];
    rs[2] ^= t;
    rs[3] = rotl(rs[3], 45);
    return r;
}

/* uniform in [0, n) */
static inline uint32_t rndn(uint32_t n) { return (uint32_t)(((rnd() >> 32) * n) >> 32); }

/* ---- connection scripts ---- */
enum { C2S = 0, S2C = 1 };
#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

typedef struct op {
    uint8_t dir;
    uint8_t flags;
    uint16_t len;    /* payload bytes */
    uint8_t retrans; /* resend the previous segment of this direction */
} op;

#define MAX_OPS 24

typedef struct conn {
    uint32_t cip, sip;
    uint16_t cport, sport;
    uint32_t next[2];     /* next sequence number per direction */
    uint32_t last_seq[2]; /* last data segment per direction (retransmit) */
    uint16_t last_len[2];
    uint8_t last_flags[2];
    uint8_t ws[2];        /* window scale shift, 0xff = none */
    bool refused;
    uint8_t nops, pos;
    op ops[MAX_OPS];
} conn;

static void add(conn *c, int dir, int flags, int len)
{
    if (c->nops < MAX_OPS)
        c->ops[c->nops++] = (op){(uint8_t)dir, (uint8_t)flags, (uint16_t)len, 0};
}

static void add_retrans(conn *c, int dir)
{
    if (c->nops < MAX_OPS)
        c->ops[c->nops++] = (op){(uint8_t)dir, 0, 0, 1};
}

static void conn_start(conn *c, uint64_t idx)
{
    memset(c, 0, sizeof *c);
    /* a unique 4-tuple per connection: client 10.0.0.0/8 + port */
    uint32_t host = (uint32_t)(idx / 50000);
    c->cip = (10u << 24) | (host & 0xffffff);
    c->cport = (uint16_t)(1024 + idx % 50000);
    static const uint16_t ports[] = {80, 443, 443, 443, 22, 25, 8080, 3306};
    c->sport = ports[rndn(8)];
    c->sip = (192u << 24) | (168u << 16) | rndn(4096);
    c->next[C2S] = (uint32_t)rnd();
    c->next[S2C] = (uint32_t)rnd();
    bool wscale = rndn(100) < 85;
    c->ws[C2S] = wscale ? (uint8_t)(7 + rndn(2)) : 0xff;
    c->ws[S2C] = wscale ? (uint8_t)(7 + rndn(3)) : 0xff;

    uint32_t kind = rndn(100);
    bool midstream = rndn(100) < 3;
    bool retrans = rndn(100) < 6;
    if (kind < 3 && !midstream) { /* refused */
        c->refused = true;
        add(c, C2S, SYN, 0);
        add(c, S2C, RST | ACK, 0);
        return;
    }
    if (!midstream) {
        add(c, C2S, SYN, 0);
        add(c, S2C, SYN | ACK, 0);
        add(c, C2S, ACK, 0);
    }
    int exchanges = 1 + (int)rndn(3);
    for (int i = 0; i < exchanges; i++) {
        add(c, C2S, PSH | ACK, 40 + (int)rndn(400));
        if (retrans && i == 0)
            add_retrans(c, C2S);
        add(c, S2C, PSH | ACK, 100 + (int)rndn(1300));
    }
    if (kind < 9) { /* reset after the data, from either side */
        add(c, rndn(2) ? C2S : S2C, RST | ACK, 0);
        return;
    }
    add(c, C2S, ACK, 0);
    uint32_t close = rndn(85);
    if (close < 37) { /* fin4, client closes */
        add(c, C2S, FIN | ACK, 0);
        add(c, S2C, ACK, 0);
        add(c, S2C, FIN | ACK, 0);
        add(c, C2S, ACK, 0);
    } else if (close < 61) { /* fin4, server closes */
        add(c, S2C, FIN | ACK, 0);
        add(c, C2S, ACK, 0);
        add(c, C2S, FIN | ACK, 0);
        add(c, S2C, ACK, 0);
    } else if (close < 75) { /* fin3, client closes */
        add(c, C2S, FIN | ACK, 0);
        add(c, S2C, FIN | ACK, 0);
        add(c, C2S, ACK, 0);
    } else { /* fin3, server closes */
        add(c, S2C, FIN | ACK, 0);
        add(c, C2S, FIN | ACK, 0);
        add(c, S2C, ACK, 0);
    }
}

/* ---- packet writing ---- */
static uint8_t *obuf;
static size_t olen, ocap = 8u << 20;
static FILE *out;
static uint64_t npackets, nbytes;

static void flush_out(void)
{
    if (olen && fwrite(obuf, 1, olen, out) != olen) {
        perror("gen_capture: write");
        exit(74);
    }
    olen = 0;
}

static inline void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void le32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static uint32_t sum16(const uint8_t *p, size_t n)
{
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static inline uint16_t fold(uint64_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)~s;
}

#define PAYLOAD_BYTE 0x61
static uint64_t sec0 = 1700000000, usec_now;
static uint16_t ip_id;

static void emit(conn *c, const op *o)
{
    int dir = o->dir;
    uint8_t flags = o->flags;
    uint16_t len = o->len;
    uint32_t seq = c->next[dir];
    if (o->retrans) {
        seq = c->last_seq[dir];
        len = c->last_len[dir];
        flags = c->last_flags[dir];
    }
    uint32_t ack = (flags & ACK) ? c->next[1 - dir] : 0;
    if (c->refused && (flags & RST)) {
        /* refused: RST-ACK answers the SYN */
        seq = 0;
        ack = c->next[C2S];
    }
    uint8_t opts[20];
    size_t olen_tcp = 0;
    if (flags & SYN) {
        /* MSS 1460, SACK permitted, window scale */
        memcpy(opts, "\x02\x04\x05\xb4\x04\x02", 6);
        olen_tcp = 6;
        if (c->ws[dir] != 0xff) {
            memcpy(opts + 6, "\x01\x03\x03", 3);
            opts[9] = c->ws[dir];
            olen_tcp = 10;
        }
        while (olen_tcp % 4)
            opts[olen_tcp++] = 0;
    }
    size_t thl = 20 + olen_tcp;
    size_t ipl = 20 + thl + len;
    size_t frame = 14 + ipl;
    if (olen + 16 + frame > ocap)
        flush_out();
    uint8_t *r = obuf + olen;
    usec_now += 1 + rndn(20);
    le32(r, (uint32_t)(sec0 + usec_now / 1000000));
    le32(r + 4, (uint32_t)(usec_now % 1000000));
    le32(r + 8, (uint32_t)frame);
    le32(r + 12, (uint32_t)frame);
    uint8_t *e = r + 16;
    /* Ethernet */
    static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
    if (dir == C2S) {
        memcpy(e, macs, 12);
    } else {
        memcpy(e, macs + 6, 6);
        memcpy(e + 6, macs, 6);
    }
    put16(e + 12, 0x0800);
    uint8_t *ip = e + 14;
    uint32_t src = dir == C2S ? c->cip : c->sip, dst = dir == C2S ? c->sip : c->cip;
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)ipl);
    put16(ip + 4, ip_id++);
    put16(ip + 6, 0x4000);
    ip[8] = 64;
    ip[9] = 6;
    put16(ip + 10, 0);
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, fold(sum16(ip, 20)));
    uint8_t *t = ip + 20;
    put16(t, dir == C2S ? c->cport : c->sport);
    put16(t + 2, dir == C2S ? c->sport : c->cport);
    put32(t + 4, seq);
    put32(t + 8, ack);
    put16(t + 12, (uint16_t)((thl / 4) << 12 | flags));
    uint16_t win = (flags & SYN) ? 64240 : (uint16_t)(dir == C2S ? 502 : 501 + rndn(16));
    if (!(flags & SYN) && (c->ws[C2S] == 0xff || c->ws[S2C] == 0xff))
        win = (uint16_t)(64000 + rndn(240)); /* no window scaling */
    if (flags & RST)
        win = 0;
    put16(t + 14, win);
    put16(t + 16, 0);
    put16(t + 18, 0);
    memcpy(t + 20, opts, olen_tcp);
    memset(t + thl, PAYLOAD_BYTE, len);
    /* TCP checksum: pseudo header + header + payload (a constant byte) */
    uint64_t s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 +
                 (uint32_t)(thl + len);
    s += sum16(t, thl);
    s += (uint64_t)(len / 2) * (PAYLOAD_BYTE << 8 | PAYLOAD_BYTE);
    if (len & 1)
        s += PAYLOAD_BYTE << 8;
    put16(t + 16, fold(s));
    olen += 16 + frame;
    npackets++;
    nbytes += 16 + frame;

    if (!o->retrans) {
        if (len) {
            c->last_seq[dir] = seq;
            c->last_len[dir] = len;
            c->last_flags[dir] = flags;
        }
        c->next[dir] = seq + len + ((flags & (SYN | FIN)) ? 1 : 0);
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: gen_capture -n CONNECTIONS -o FILE.pcap [-c CONCURRENCY] "
                    "[-s SEED]\n"
                    "       gen_capture --syn-flood[=synack] -n CONNECTIONS -o FILE.pcap "
                    "[-s SEED]\n");
    exit(64);
}

/* --syn-flood: connection idx is one SYN (and its SYN-ACK) */
static void flood_start(conn *c, uint64_t idx, bool synack)
{
    memset(c, 0, sizeof *c);
    uint32_t host = (uint32_t)(idx / 50000);
    c->cip = (10u << 24) | (host & 0xffffff);
    c->cport = (uint16_t)(1024 + idx % 50000);
    c->sip = (192u << 24) | (168u << 16) | 1u;
    c->sport = 80;
    c->next[C2S] = (uint32_t)rnd();
    c->next[S2C] = (uint32_t)rnd();
    c->ws[C2S] = c->ws[S2C] = 7;
    add(c, C2S, SYN, 0);
    if (synack)
        add(c, S2C, SYN | ACK, 0);
}

int main(int argc, char **argv)
{
    uint64_t n = 100000, seed = 1;
    uint32_t conc = 1000;
    const char *path = NULL;
    int opt;
    int flood = 0; /* 1 SYN only, 2 SYN + SYN-ACK */
    static const struct option longopts[] = {
        {"syn-flood", optional_argument, NULL, 'F'},
        {NULL, 0, NULL, 0},
    };
    while ((opt = getopt_long(argc, argv, "n:o:c:s:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'F':
            if (!optarg)
                flood = 1;
            else if (!strcmp(optarg, "synack"))
                flood = 2;
            else
                usage();
            break;
        case 'n':
            n = strtoull(optarg, NULL, 10);
            break;
        case 'o':
            path = optarg;
            break;
        case 'c':
            conc = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 's':
            seed = strtoull(optarg, NULL, 10);
            break;
        default:
            usage();
        }
    }
    if (!path || optind != argc || conc == 0)
        usage();
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rs[i] = splitmix(&x);
    out = fopen(path, "wb");
    if (!out) {
        fprintf(stderr, "gen_capture: %s: %s\n", path, strerror(errno));
        return 73;
    }
    obuf = malloc(ocap);
    conn *slots = malloc((size_t)conc * sizeof *slots);
    if (!obuf || !slots) {
        fprintf(stderr, "gen_capture: out of memory\n");
        return 70;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* pcap header: microseconds, Ethernet */
    uint8_t hdr[24];
    le32(hdr, 0xa1b2c3d4);
    hdr[4] = 2, hdr[5] = 0, hdr[6] = 4, hdr[7] = 0;
    memset(hdr + 8, 0, 8);
    le32(hdr + 16, 65535);
    le32(hdr + 20, 1);
    memcpy(obuf, hdr, 24);
    olen = 24;

    uint64_t started = 0;
    uint32_t active = 0;
    if (flood) {
        for (; started < n; started++) {
            conn *c = &slots[0];
            flood_start(c, started, flood == 2);
            while (c->pos < c->nops)
                emit(c, &c->ops[c->pos++]);
        }
    }
    while (active < conc && started < n)
        conn_start(&slots[active++], started++);
    while (active) {
        uint32_t i = rndn(active);
        conn *c = &slots[i];
        emit(c, &c->ops[c->pos++]);
        if (c->pos == c->nops) {
            if (started < n)
                conn_start(c, started++);
            else
                slots[i] = slots[--active];
        }
    }
    flush_out();
    if (fclose(out) != 0) {
        perror("gen_capture: close");
        return 74;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr, "gen_capture: %s: %llu connections, %llu packets, %.1f MB in %.2f s\n",
            path, (unsigned long long)n, (unsigned long long)npackets,
            (double)(nbytes + 24) / 1e6, secs);
    free(slots);
    free(obuf);
    return 0;
}
