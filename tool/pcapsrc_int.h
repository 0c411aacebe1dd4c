/* pcapsrc_int.h - what the parts of the direct capture reader share:
 *   pcapsrc.c      the file: libpcap, pcapng blocks libpcap skips, time
 *                  stamps as tshark prints them, one frame at a time;
 *   pcap_decode.c  the dissectors (link layers, IP, GRE, ICMP errors,
 *                  TCP), as Wireshark 4.0 decodes with default
 *                  preferences;
 *   pcap_reasm.c   IPv4 / IPv6 reassembly (Wireshark's reassemble.c);
 *   pcap_conv.c    Wireshark's TCP conversations: tcp.stream numbering
 *                  and the window scale each direction learned.
 * The connection tables use the engine's toolkit (flowtab.h, list.h).
 */
#ifndef TCPFSM_PCAPSRC_INT_H
#define TCPFSM_PCAPSRC_INT_H

#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#define _FILE_OFFSET_BITS 64
#include "pcapsrc.h"

#include "flowtab.h"
#include "list.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef PCAPSRC_MAX_CONVS
#define PCAPSRC_MAX_CONVS (1u << 21)
#endif
#ifndef PCAPSRC_MAX_FRAGS
#define PCAPSRC_MAX_FRAGS 8192u
#endif
#ifndef PCAPSRC_MAX_FRAG_BYTES
#define PCAPSRC_MAX_FRAG_BYTES (64u << 20)
#endif
#define MAX_IP_DEPTH 16
#define FILE_BUFFER (1u << 20)

#define F(id) (1u << TCPFSM_F_##id)

/* ------------------------------------------------------------------ */
/* conversations (window scale state), keyed like Wireshark's          */

#define WS_UNKNOWN (-1)
#define WS_NONE (-2)

/* A conversation's state: all a 4-tuple keeps, for as long as the table
 * holds it (Wireshark never forgets one).  [0] is Wireshark's flow1,
 * [1] flow2 (pcs_conv_get's dir). */
typedef struct conv {
    uint32_t stream;      /* tcp.stream */
    uint32_t base_seq[2];
    int8_t win_scale[2];  /* -1 unknown, -2 no scaling, 0..14 */
    uint8_t flags;        /* CONV_* */
    uint8_t pad_;
} conv;

#define CONV_BASE(d) (1u << (d)) /* base_seq[d] set */
#define CONV_CLOSED 4u  /* an RST or a FIN+ACK seen (Wireshark's
                           completeness RST/FIN bits) */
#define CONV_LIVE 8u    /* a record in use (the clock skips free ones) */
#define CONV_REF 16u    /* used since the clock last passed */

/* IPv4 conversations (nearly all): 32 bytes with the 4-tuple */
typedef struct conv_key4 {
    uint8_t a[4], b[4];   /* canonical, as tcpfsm_flowkey_make orders */
    uint16_t pa, pb;
    uint32_t zero;
} conv_key4;

typedef struct conv4 {
    conv_key4 key;
    conv c;
} conv4;

/* the others (IPv6) */
typedef struct conv6 {
    tcpfsm_flowkey key;   /* canonical 4-tuple (engine/flowtab.h) */
    conv c;
} conv6;

typedef struct conv_table {
    tcpfsm_flowtab v4, v6;
    uint32_t count, max;
    uint32_t hand4, hand6; /* the clock's place in each table */
    uint32_t next_stream;  /* Wireshark's tcp_stream_count */
} conv_table;

/* ------------------------------------------------------------------ */
/* IP reassembly (Wireshark reassemble.c fragment_add_check)           */

typedef struct frag_item {
    uint32_t off, len;
    struct frag_item *next;
    uint8_t data[];
} frag_item;

typedef struct frag_head {
    tcpfsm_flowkey key; /* not canonical: a = source, b = destination,
                           fam = 4 or 6 (the table), pa:pb = the id */
    bool datalen_set;
    uint32_t datalen;
    size_t bytes;
    frag_item *items; /* sorted by offset, equal offsets in arrival order */
    tcpfsm_link age;  /* oldest first */
} frag_head;

typedef struct frag_table {
    tcpfsm_flowtab by_key;
    tcpfsm_list age;
    size_t count, bytes;
} frag_table;

/* ------------------------------------------------------------------ */

struct pcapsrc {
    pcap_t *pc;
    FILE *fp;
    int fd;
    bool pcapng;
    bool ng_swapped;        /* section byte order differs from ours */
    int dlt;
    uint64_t file_size;
    uint64_t frame;
    int64_t pos;            /* file position after the last record */
    uint32_t snapshot;      /* libpcap's snapshot length */
    int tsprec;             /* pcap: 1 = microseconds, 2 = nanoseconds;
                               0 = pcapng (libpcap's values as they are) */
    int64_t ts_sec;         /* the last frame's time stamp as wiretap */
    long ts_nsec;           /*   gives it (frame.time_epoch) */
    bool last_spb;          /* pcapng: the packet came in a simple packet
                               block, which has no time stamp */
    /* frames libpcap skipped (pcapng custom blocks) still to return: the
     * length of their custom data (frame.len and frame.cap_len) */
    uint32_t *custom_len;
    uint32_t ncustom, custom_next, custom_cap;
    bool have_held;         /* a packet read but not yet returned */
    struct pcap_pkthdr held_hdr;
    const u_char *held_data;

    conv_table convs;
    frag_table frags;

    /* last frame */
    uint32_t present;
    char time_str[48];      /* frame.time_epoch text, made by time_text() */
    bool time_pending;      /* ts_sec/ts_nsec not yet in time_str */
    int32_t window_value;
    int64_t stream;
    tcpfsm_addr ip_src, ip_dst, ip6_src, ip6_dst;
    char protocols[256];
    bool truncated;         /* a get_*() read failed (pcapsrc_truncated) */

    uint32_t frame_len, frame_caplen;
    bool check_checksums;
    int stream_rule;                /* 0 not known yet, 40 or 42 */
    int (*stream_rule_cb)(void *);  /* asked once, when needed */
    void *stream_rule_ctx;
    uint32_t eth_fcs;       /* pcap header: FCS bytes on each frame */

    uint8_t *reasm_bufs[MAX_IP_DEPTH + 2]; /* reassembled payloads */
    int nreasm;
    bool live;              /* a live capture (pcapsrc_open_live) */
    bool follow;            /* a growing file: wait for whole records */
    /* a plain pcap file (2.4, our byte order): records read with pread()
     * into rbuf, which holds the file from rbuf_off on (libpcap's two
     * copies a record avoided); libpcap reads what this does not take */
    bool fast;
    uint8_t *rbuf;
    size_t rbuf_len;
    int64_t rbuf_off;
    struct pcap_pkthdr fast_hdr;
};

/* tvbuff: data, captured length, reported length (cap <= rep) */
typedef struct tvb {
    const uint8_t *d;
    uint32_t cap, rep;
} tvb;

/* R_SEGMENT: a TCP header with its ports (tcpfsm_segment_fill() then
 * judges the fields tshark would print for it) */
enum { R_NOT_TCP, R_SEGMENT, R_UNSUPPORTED };

typedef struct dctx {
    pcapsrc *p;
    tcpfsm_segment *seg;
    int result;
    uint16_t vlan_id;   /* pinfo->vlan_id */
    int vlan_depth;
    int ip_depth;
    bool fragmented;    /* pinfo->fragmented */
    int last_ip;        /* family of the innermost IP header so far */
    bool in_error;      /* pinfo->flags.in_error_pkt: inside an ICMP error */
    int icmp_ip_depth;  /* ip_depth of the IPv4 header an ICMP error quotes */
    tcpfsm_addr net_src, net_dst; /* pinfo->src / pinfo->dst */
    size_t plen;
    bool proto_full;    /* a name left out of p->protocols (no room) */
    bool truncated;     /* a get_*() read past the captured bytes */
    char why[160];      /* R_UNSUPPORTED: what */
} dctx;

/* A context for one frame: every member but why zero (member by member:
 * a memset of the struct was a `rep stos`, 4% of a summary's samples).
 * A member added to dctx is set here too. */
static inline void dctx_start(dctx *c, pcapsrc *p, tcpfsm_segment *seg)
{
    static const tcpfsm_addr none;
    c->p = p;
    c->seg = seg;
    c->result = R_NOT_TCP;
    c->vlan_id = 0;
    c->vlan_depth = c->ip_depth = c->last_ip = c->icmp_ip_depth = 0;
    c->fragmented = c->in_error = c->proto_full = c->truncated = false;
    c->net_src = c->net_dst = none;
    c->plen = 0;
    c->why[0] = '\0';
}

static inline uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

static inline tvb tvb_sub(tvb t, uint32_t off)
{
    /* callers check off <= t.cap */
    tvb s = {t.d + off, t.cap - off, t.rep - off};
    return s;
}

/* tvb with its reported length cut to len when len is smaller
 * (Wireshark's set_actual_length) */
static inline tvb tvb_trim(tvb t, uint32_t len)
{
    if (len < t.rep) {
        t.rep = len;
        if (t.cap > len)
            t.cap = len;
    }
    return t;
}

/* ------------------------------------------------------------------ */
/* bounds-checked reads (as tcpdump's GET_ macros): a read of bytes that
 * were not captured fails and marks the frame truncated (dctx.truncated)
 * instead of reading past the end; the dissector then stops where
 * Wireshark's would throw its exception.  The value is left 0. */

static inline bool get_u8(dctx *c, tvb t, uint32_t off, uint8_t *v)
{
    if (off >= t.cap) {
        c->truncated = true;
        *v = 0;
        return false;
    }
    *v = t.d[off];
    return true;
}

static inline bool get_u16(dctx *c, tvb t, uint32_t off, uint16_t *v)
{
    if (t.cap < 2 || off > t.cap - 2) {
        c->truncated = true;
        *v = 0;
        return false;
    }
    *v = rd16(t.d + off);
    return true;
}

static inline bool get_u32(dctx *c, tvb t, uint32_t off, uint32_t *v)
{
    if (t.cap < 4 || off > t.cap - 4) {
        c->truncated = true;
        *v = 0;
        return false;
    }
    *v = rd32(t.d + off);
    return true;
}

/* are the n bytes at off captured?  (ND_TCHECK_LEN) */
static inline bool have(dctx *c, tvb t, uint32_t off, uint32_t n)
{
    if (off > t.cap || n > t.cap - off) {
        c->truncated = true;
        return false;
    }
    return true;
}

/* ---- pcap_conv.c ---- */
void pcs_conv_init(conv_table *t);
void pcs_conv_free(conv_table *t);
/* Finds (or creates) the conversation of src:sport -> dst:dport.  *dir is
 * Wireshark's direction: 0 when the sender's flow is flow1, 1 for flow2.
 * NULL when out of memory. */
conv *pcs_conv_get(conv_table *t, const tcpfsm_addr *src, uint16_t sport,
                   const tcpfsm_addr *dst, uint16_t dport, int *dir);
/* A new conversation on the same 4-tuple (a new SYN): the next stream
 * number, nothing learned yet. */
void pcs_conv_restart(conv_table *t, conv *c);

/* ---- pcap_reasm.c ---- */
void pcs_frag_free_all(frag_table *ft); /* leaves an empty table */
/* fragment_add_check(): adds one fragment whose data is fully captured.
 * Returns a malloc'ed buffer with the reassembled datagram (*len) when this
 * fragment completes it, else NULL. */
uint8_t *pcs_frag_add(frag_table *ft, uint8_t table, const tcpfsm_addr *src,
                      const tcpfsm_addr *dst, uint32_t id, uint32_t off,
                      const uint8_t *data, uint32_t len, bool more,
                      uint32_t *outlen);

/* ---- pcap_decode.c ---- */
/* the link types pcap_decode.c decodes */
bool pcs_dlt_supported(int dlt);
/* Decodes one frame of link type dlt into c->seg and c->p's last-frame
 * members; c->result says what it is. */
void pcs_decode(dctx *c, int dlt, tvb t);

/* Which Wireshark's tcp.stream rule to follow (40: up to 4.0, 42: from
 * 4.2), asked of the caller once, the first time it matters (pcapsrc.c). */
int pcs_stream_rule(pcapsrc *p);

#endif
