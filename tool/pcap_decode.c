/* pcap_decode.c - the direct reader's dissectors: link layers, IPv4 /
 * IPv6 (with options, extension headers, tunnels and reassembly through
 * pcap_reasm.c), GRE, ICMP errors and TCP, reading the captured bytes
 * through the bounds-checked getters of pcapsrc_int.h.
 *
 * Mirrors Wireshark 4.0 (packet-eth/vlan/ieee8021ah/sll/null/raw/
 * ip/ipv6/ipsec/gre/icmp/tcp.c, reassemble.c) with default preferences
 * (a user's preferences or Decode As entries that change the TCP or IP
 * dissection - ip.defragment, tcp.analyze_sequence_numbers,
 * tcp.default_window_scaling, ip.tso_support ... - make tshark differ).
 * What tshark does in the cases that matter:
 *
 *   tcp.len      = the TCP tvb's reported length minus the TCP header
 *                  length.  The reported length comes from the IP header
 *                  (IPv4 total length, IPv6 payload length) when it is not
 *                  larger than the frame, else from the frame's original
 *                  length - never from the captured length: a frame cut by
 *                  the snaplen keeps its tcp.len.  IPv4 total length 0 is
 *                  taken as TSO (the frame's length).  When the reported
 *                  length is shorter than the TCP header ("Short segment"),
 *                  or the segment is the first fragment of an IPv4 datagram
 *                  that was not reassembled, tcp.len is absent (tsv: 0).
 *   fragments    = tshark reassembles IPv4 and IPv6 fragments (ip.defragment
 *                  and ipv6.defragment default on): the TCP segment appears
 *                  in the frame that completes the datagram, with tcp.len of
 *                  the whole datagram; the other fragments are not TCP.  A
 *                  fragment that is not fully captured is not added: an
 *                  IPv4 first fragment is then dissected as it is (TCP
 *                  fields, no tcp.len, window not scaled), an IPv6 one is not
 *                  TCP.  Fragments are keyed as Wireshark keys them (IPv4:
 *                  addresses + protocol ^ id ^ addresses, ^ VLAN id for
 *                  private / link-local addresses; IPv6: addresses + id); the
 *                  first copy of overlapping bytes wins.
 *   short TCP    = fewer than 16 bytes of TCP header captured: tshark prints
 *                  only the ports -> tsv rejects the row ("tcp.seq_raw:
 *                  empty"): PCAPSRC_BAD_ROW.  Fewer than 4: no TCP fields,
 *                  not TCP.  A data offset below 5 words: tshark stops after
 *                  tcp.seq_raw ("tcp.ack_raw: empty"): PCAPSRC_BAD_ROW.  16
 *                  or 17 bytes: no tcp.checksum.status.
 *   window       = tcp.window_size_value is the raw field; tcp.window_size
 *                  is printed whenever the flags are, so tsv always takes it.
 *                  It is shifted by the sender's
 *                  scale when the segment is not a SYN, tcp.len is known and
 *                  the scale is known for the conversation.  The scale comes
 *                  from the WS option (any segment; shift capped at 14),
 *                  stored per direction; after the options of a SYN or
 *                  SYN-ACK: if the sender sent no WS option, both directions
 *                  become "no scaling"; if a SYN-ACK carries WS but the SYN
 *                  said "no scaling", the sender's becomes "no scaling".  So
 *                  with no SYN seen the scale is unknown (not applied), and a
 *                  server's SYN-ACK WS alone scales the server's segments.  A
 *                  SYN whose sequence number differs from the first one seen
 *                  in that direction starts a new conversation (Wireshark's
 *                  port reuse) with no scale.  The options are read only if
 *                  captured: a truncated option ends the TCP dissection there
 *                  (later options and the SYN check are skipped).
 *   checksum     = 2 (unverified), tcp.check_checksum is off; with
 *                  pcapsrc_set_checksums() as `-o tcp.check_checksum:TRUE`.
 *   tcp.stream   = Wireshark's conversation count: a new 4-tuple, or a SYN
 *                  with another sequence number on a known one (the same
 *                  rule as the window scale), takes the next number; a TCP
 *                  header quoted in an ICMP error counts too
 *                  (pcapsrc_stream; seg->stream stays -1).  From Wireshark
 *                  4.2 a SYN with the same sequence number also takes a new
 *                  number once the conversation has seen an RST or a
 *                  FIN+ACK (measured on 4.4.19 and 4.6.9; 4.0 keeps it):
 *                  which rule is asked only when a capture has such a SYN
 *                  (pcapsrc_set_stream_rule_cb; without one, 4.2's).
 *   addresses    = with -E occurrence=l tshark prints the last ip.* and
 *                  ipv6.* occurrences; tsv takes the innermost IP header.
 *                  pcapsrc decodes IP-in-IP (4, 41), GRE (0x0800, 0x86dd,
 *                  0x6558 Ethernet) and IPv4 AH to the innermost header.
 *                  IPv4 loose/strict source routes: ip.dst is the route's
 *                  final address, as Wireshark shows it.
 *   IPv4 options = walked as dissect_ip_options: an option shorter than
 *                  what its dissector reads (route of length 2, time stamp
 *                  < 4, traceroute < 12 ...: v4_opt_throws) is an
 *                  exception that ends the IP dissection (ip.src/ip.dst
 *                  kept, no TCP, no reassembly) except in an ICMP error's
 *                  quote; length 0/1, an option past the header, EOL end
 *                  only the walk.  A header cut inside its options prints
 *                  no route's ip.dst.
 *   ICMP errors  = a TCP header quoted in ICMP/ICMPv6 is not a segment (tsv):
 *                  not TCP.  tshark still dissects the quote: its IP
 *                  addresses are the last ip.* occurrences, and the quoted
 *                  TCP header goes through the conversation table (a quoted
 *                  SYN's WS option counts; no tcp.len, no scaling, no
 *                  tcp.seq_raw right inside an ICMPv4 quote).  pcapsrc does
 *                  the same (quoted fragments are not reassembled).
 *
 * PCAPSRC_UNSUPPORTED frames (tshark would find TCP where pcapsrc does not
 * decode): PPP (DLT_NULL/raw 0xff03), MPLS, PPPoE, 802.1ah, ISL, VN-tag and
 * similar ethertypes, GRE with routing / other payloads, EtherIP, L2TPv3,
 * UDP to or from a tunnel port (VXLAN, Geneve, GTP-U, Teredo, L2TP, LISP,
 * sFlow, CAPWAP, TZSP, MPLS-in-UDP), IPv6 shim6 / RPL source route, SLL
 * with 802.15.4 or FRAD/radiotap hardware types, more than 16 nested IP
 * headers.  UDP heuristics on other ports are not modelled.
 *
 */
#include "pcapsrc_int.h"

#include <inttypes.h>

#define proto_add(c, name) proto_add_n(c, name, sizeof name - 1)
/* inlined: with its constant length the copy is a few stores */
static inline __attribute__((always_inline)) void
proto_add_n(dctx *c, const char *name, size_t n)
{
    char *b = c->p->protocols;
    if (c->plen + n + 2 >= sizeof c->p->protocols) {
        c->proto_full = true;
        return;
    }
    if (c->plen)
        b[c->plen++] = ':';
    memcpy(b + c->plen, name, n + 1);
    c->plen += n;
}

static void unsupported(dctx *c, const char *what)
{
    /* inside an ICMP error the frame is not a segment anyway (tsv.c) */
    if (c->result == R_UNSUPPORTED || c->in_error)
        return;
    c->result = R_UNSUPPORTED;
    snprintf(c->why, sizeof c->why, "%s", what);
}

/* keeps a reassembled buffer alive until the frame is done */
static bool keep_buffer(dctx *c, uint8_t *buf)
{
    pcapsrc *p = c->p;
    if (p->nreasm >= (int)(sizeof p->reasm_bufs / sizeof p->reasm_bufs[0])) {
        free(buf);
        return false;
    }
    p->reasm_bufs[p->nreasm++] = buf;
    return true;
}

/* ------------------------------------------------------------------ */
/* TCP                                                                 */

/* tcp.checksum.status with tcp.check_checksum on: 1 good, 0 bad (also
 * for a checksum field of 0xffff that should be 0) */
static int8_t tcp_checksum_status(const dctx *c, tvb t)
{
    uint64_t sum = 0;
    int n = c->net_src.family == 6 ? 16 : 4;
    for (int i = 0; i < n; i += 2) {
        sum += rd16(c->net_src.bytes + i);
        sum += rd16(c->net_dst.bytes + i);
    }
    if (n == 4) {
        sum += 6 + (uint64_t)((t.rep >> 16) & 0xffff) + (t.rep & 0xffff);
    } else {
        sum += (t.rep >> 16) + (t.rep & 0xffff) + 6;
    }
    uint32_t i = 0;
    for (; i + 1 < t.rep; i += 2)
        sum += rd16(t.d + i);
    if (i < t.rep)
        sum += (uint32_t)t.d[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    uint16_t computed = (uint16_t)~sum;
    if (computed == 0 && rd16(t.d + 16) == 0xffff)
        return 0;
    return computed == 0 ? 1 : 0;
}

static void dis_tcp(dctx *c, tvb t)
{
    pcapsrc *p = c->p;
    tcpfsm_segment *seg = c->seg;
    proto_add(c, "tcp");
    uint16_t sport, dport;
    if (!get_u16(c, t, 0, &sport) || !get_u16(c, t, 2, &dport))
        return; /* exception before the ports: no TCP fields */
    seg->sport = sport;
    seg->dport = dport;
    p->present |= F(SRCPORT) | F(DSTPORT);
    c->result = R_SEGMENT; /* tcpfsm_segment_fill() judges the fields */
    uint32_t seq, ack;
    uint16_t off_flags, raw_win;
    if (!get_u32(c, t, 4, &seq) || !get_u32(c, t, 8, &ack) ||
        !get_u16(c, t, 12, &off_flags) || !get_u16(c, t, 14, &raw_win))
        return; /* tshark prints only the ports: "tcp.seq_raw: empty" */
    uint16_t flags = off_flags & 0x0fff;
    uint32_t hlen = (uint32_t)(off_flags >> 12) * 4;
    uint32_t win = raw_win;

    int dir;
    conv *cv = pcs_conv_get(&p->convs, &c->net_src, seg->sport, &c->net_dst,
                        seg->dport, &dir);
    if (!cv) {
        unsupported(c, "out of memory (conversation table)");
        return;
    }
    const int rev = 1 - dir;
    if ((flags & (TCPFSM_SYN | TCPFSM_ACK)) == TCPFSM_SYN && (cv->flags & CONV_BASE(dir)) &&
        (seq != cv->base_seq[dir] ||
         ((cv->flags & CONV_CLOSED) && pcs_stream_rule(p) >= 42))) {
        /* a new SYN on a known 4-tuple: a new conversation */
        pcs_conv_restart(&p->convs, cv);
    }
    p->stream = cv->stream;
    p->present |= F(STREAM);
    if (hlen >= 20 && ((flags & TCPFSM_RST) ||
                       (flags & (TCPFSM_FIN | TCPFSM_ACK)) == (TCPFSM_FIN | TCPFSM_ACK)))
        cv->flags |= CONV_CLOSED;
    if ((flags & (TCPFSM_SYN | TCPFSM_ACK)) == (TCPFSM_SYN | TCPFSM_ACK) &&
        (cv->flags & CONV_BASE(dir)) && seq != cv->base_seq[dir])
        cv->base_seq[dir] = seq;

    bool have_len = false;
    uint32_t seglen = 0;
    if (!c->fragmented && !c->in_error) {
        if (t.rep >= hlen) {
            seglen = t.rep - hlen;
            have_len = true;
            if (!(cv->flags & CONV_BASE(dir))) {
                cv->base_seq[dir] = (flags & TCPFSM_SYN) ? seq : seq - 1;
                cv->flags |= CONV_BASE(dir);
            }
            if (!(cv->flags & CONV_BASE(rev)) && (flags & TCPFSM_ACK)) {
                cv->base_seq[rev] = ack - 1;
                cv->flags |= CONV_BASE(rev);
            }
            if (!(flags & TCPFSM_SYN) && cv->win_scale[dir] >= 0)
                win <<= cv->win_scale[dir];
        }
    }
    seg->seq = seq;
    /* TCP right inside the IPv4 header an ICMP error quotes: tshark adds
     * tcp.seq early, and never tcp.seq_raw */
    if (!(c->in_error && c->icmp_ip_depth == c->ip_depth && c->last_ip == 4))
        p->present |= F(SEQ_RAW);
    if (have_len) {
        seg->len = seglen;
        p->present |= F(LEN);
    }
    if (hlen < 20)
        return; /* tshark stops after tcp.seq_raw: "tcp.ack_raw: empty" */
    seg->ack = ack;
    seg->flags = flags;
    seg->window = win;
    seg->has_window = true;
    p->window_value = raw_win;
    p->present |= F(ACK_RAW) | F(FLAGS) | F(WINDOW_VALUE) | F(WINDOW_SIZE);
    uint16_t checksum, urgent;
    if (!get_u16(c, t, 16, &checksum))
        return; /* exception reading the checksum */
    seg->checksum = 2;
    if (p->check_checksums && !c->fragmented && t.cap >= t.rep)
        seg->checksum = tcp_checksum_status(c, t);
    p->present |= F(CHECKSUM_STATUS);
    if (!get_u16(c, t, 18, &urgent))
        return; /* exception reading the urgent pointer */

    /* options (tcp_dissect_options); a read past the captured data ends
     * the dissection (no SYN check afterwards) */
    uint32_t off = 20, left = hlen - 20;
    bool eol = false;
    while (left > 0) {
        uint8_t opt, olen, shift;
        if (!get_u8(c, t, off, &opt))
            return;
        if (eol && opt != 0)
            break;
        left--;
        if (opt == 0 || opt == 1) {
            off++;
        } else {
            if (left == 0)
                break;
            if (!get_u8(c, t, off + 1, &olen))
                return;
            left--;
            if (olen < 2 || olen - 2u > left)
                break;
            if (!have(c, t, off, olen))
                return; /* the option's bytes are not all there */
            if (opt == 3 && olen == 3 && get_u8(c, t, off + 2, &shift))
                cv->win_scale[dir] = (int8_t)(shift > 14 ? 14 : shift);
            off += olen;
            left -= olen - 2;
        }
        if (opt == 0)
            eol = true;
    }
    if (flags & TCPFSM_SYN) {
        if (cv->win_scale[dir] == WS_UNKNOWN) {
            cv->win_scale[dir] = WS_NONE;
            cv->win_scale[rev] = WS_NONE;
        } else if ((flags & TCPFSM_ACK) && cv->win_scale[rev] == WS_NONE) {
            cv->win_scale[dir] = WS_NONE;
        }
    }
}

/* ------------------------------------------------------------------ */
/* IP                                                                  */

static void dis_ipv4(dctx *c, tvb t);
static void dis_ipv6(dctx *c, tvb t);
static void dis_ethertype(dctx *c, uint16_t etype, tvb t);
static void dis_eth(dctx *c, tvb t, uint32_t fcs);

/* dissect_ip: version 4 or 6 */
static void dis_ip_any(dctx *c, tvb t)
{
    uint8_t vhl;
    if (!get_u8(c, t, 0, &vhl))
        return;
    int v = vhl >> 4;
    if (v == 4)
        dis_ipv4(c, t);
    else if (v == 6)
        dis_ipv6(c, t);
}

static bool is_tunnel_port(uint16_t port)
{
    switch (port) {
    case 1701: /* L2TP */
    case 2152: /* GTP-U */
    case 3544: /* Teredo */
    case 4341: /* LISP data */
    case 4789: /* VXLAN */
    case 4790: /* VXLAN-GPE */
    case 5246: /* CAPWAP */
    case 5247:
    case 6081: /* Geneve */
    case 6343: /* sFlow (sampled headers) */
    case 6635: /* MPLS in UDP */
    case 37008: /* TZSP */
        return true;
    }
    return false;
}

static void dis_gre(dctx *c, tvb t)
{
    proto_add(c, "gre");
    uint16_t fv, type;
    if (!get_u16(c, t, 0, &fv) || !get_u16(c, t, 2, &type))
        return;
    if (fv & 0x4000) {
        unsupported(c, "GRE with source routing");
        return;
    }
    if (type != 0x0800 && type != 0x86dd && type != 0x6558) {
        char m[64];
        snprintf(m, sizeof m, "GRE protocol 0x%04x", type);
        unsupported(c, m);
        return;
    }
    uint32_t off = 4;
    if (fv & 0x8000)
        off += 4;
    if (fv & 0x2000)
        off += 4;
    if (fv & 0x1000)
        off += 4;
    if (!have(c, t, 0, off))
        return; /* header cut short: exception */
    if (!(fv & 0x1000) && t.rep <= off)
        return; /* no payload */
    tvb n = tvb_sub(t, off);
    if (type == 0x0800)
        dis_ip_any(c, n);
    else if (type == 0x86dd)
        dis_ipv6(c, n);
    else
        dis_eth(c, n, 0);
}

/* ICMP and ICMPv6: a frame with icmp in frame.protocols is not a segment
 * for tsv.c, but tshark dissects the IP packet an error message quotes
 * (with pinfo->flags.in_error_pkt): its addresses are the last ip.* /
 * ipv6.* occurrences, and a quoted TCP header goes through the
 * conversation table (a quoted SYN's options are read) like any other. */
static void dis_icmp_error(dctx *c, bool v6, tvb t)
{
    if (v6)
        proto_add(c, "icmpv6");
    else
        proto_add(c, "icmp");
    uint8_t type, ptr;
    if (!have(c, t, 0, 8) || c->in_error)
        return;
    get_u8(c, t, 0, &type);
    get_u8(c, t, 5, &ptr); /* ICMP: the length of the original datagram */
    tvb inner = tvb_sub(t, 8);
    bool save = c->in_error;
    if (!v6) {
        if (type != 3 && type != 4 && type != 5 && type != 11 && type != 12)
            return;
        uint8_t olen = (type == 3 || type == 11 || type == 12) ? ptr : 0;
        uint8_t vhl;
        uint16_t tot;
        if (type == 5) {
            if (!get_u8(c, inner, 0, &vhl))
                return;
            inner = tvb_trim(inner, (uint32_t)(vhl & 15) * 4 + 8);
        } else if (olen && t.rep > 8u + olen * 4u) {
            if (!have(c, inner, 0, 4) || !get_u8(c, inner, 0, &vhl) ||
                !get_u16(c, inner, 2, &tot))
                return;
            if (tot > olen * 4u)
                inner = tvb_trim(inner, ((uint32_t)(vhl & 15) + olen) * 4);
        }
        c->in_error = true;
        c->icmp_ip_depth = c->ip_depth + 1;
        dis_ip_any(c, inner);
    } else {
        if (type < 1 || type > 4)
            return;
        uint8_t vtc;
        if (!get_u8(c, inner, 0, &vtc) || (vtc & 0xf0) != 0x60)
            return;
        c->in_error = true;
        dis_ipv6(c, inner);
    }
    c->in_error = save;
}

/* ip_try_dissect on an IP payload; v6 = called from the IPv6 chain */
static void dis_ip_payload(dctx *c, uint8_t proto, tvb t, bool v6)
{
    switch (proto) {
    case 6:
        dis_tcp(c, t);
        return;
    case 4:
        dis_ip_any(c, t);
        return;
    case 41:
        dis_ipv6(c, t);
        return;
    case 47:
        dis_gre(c, t);
        return;
    case 1:
        dis_icmp_error(c, false, t);
        return;
    case 58:
        dis_icmp_error(c, true, t);
        return;
    case 17:
        proto_add(c, "udp");
        if (t.cap >= 4 && (is_tunnel_port(rd16(t.d)) || is_tunnel_port(rd16(t.d + 2)))) {
            char m[64];
            snprintf(m, sizeof m, "UDP tunnel port %u/%u", rd16(t.d), rd16(t.d + 2));
            unsupported(c, m);
        }
        return;
    case 97:
        unsupported(c, "EtherIP");
        return;
    case 115:
        unsupported(c, "L2TPv3");
        return;
    case 137:
        unsupported(c, "MPLS in IP");
        return;
    case 51:
        if (!v6) {
            /* IPv4 AH: the next protocol follows the AH header */
            proto_add(c, "ah");
            uint8_t nxt, alen;
            if (!have(c, t, 0, 12) || !get_u8(c, t, 0, &nxt) ||
                !get_u8(c, t, 1, &alen))
                return;
            uint32_t len = ((uint32_t)alen + 2) * 4;
            uint32_t icv = alen ? ((uint32_t)alen - 1) * 4 : 0;
            if (!have(c, t, 0, 12 + icv) || !have(c, t, 0, len))
                return;
            dis_ip_payload(c, nxt, tvb_sub(t, len), false);
        }
        return;
    default:
        return;
    }
}

/* in4_addr_is_private / link local */
static bool v4_private_or_ll(const uint8_t *a)
{
    return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254);
}

/* get_dst_offset(): offset (from the first option byte) of the final
 * destination in the first loose/strict source route, 0 if none or its
 * pointer is not valid.  Reads as Wireshark does: the type byte, the
 * length byte and a route's pointer byte (which, for a route of length 2,
 * is the byte after the option, possibly past the header); `avail` is how
 * many option bytes are captured: a read past them is an exception (-1). */
static int v4_dst_offset(const uint8_t *o, uint32_t length, uint32_t avail,
                         uint32_t *dst_off)
{
    uint32_t off = 0;
    *dst_off = 0;
    while (length > 0) {
        if (off >= avail)
            return -1;
        uint8_t opt = o[off];
        length--;
        if (opt != 0 && opt != 1) {
            if (length == 0)
                return 0;
            if (off + 1 >= avail)
                return -1;
            uint32_t len = o[off + 1];
            length--;
            if (len < 2 || len - 2 > length)
                return 0;
            if (opt == 137 || opt == 131) {
                if (off + 2 >= avail)
                    return -1;
                uint8_t ptr = o[off + 2];
                if (ptr < 4 || (ptr & 3) || ptr > len)
                    return 0;
                *dst_off = off + 4 + (len - 4);
                return 0;
            }
            off += len;
            length -= len - 2;
        } else {
            off++;
        }
        if (opt == 0)
            return 0;
    }
    return 0;
}

/* The CIPSO option dissector's reads (dissect_ipopt_cipso): true when one
 * goes past the option's `len` bytes.  Its tag-length checks let a tag end
 * one byte past the option, and a category list of odd length leaves the
 * offset short of the tag's end (the next tag is read from there). */
static bool v4_cipso_throws(const uint8_t *o, uint32_t len)
{
    if (len < 6)
        return true; /* the DOI */
    uint32_t off = 6;
    while (off < len) {
        uint8_t type = o[off];
        uint32_t tl = off + 1 < len ? o[off + 1] : 1;
        if (type == 0) { /* padding */
            off++;
            continue;
        }
        if (type != 1 && type != 2 && type != 5 && type != 6 && type != 7)
            return off + 1 == len; /* unknown tag: the dissector stops, after
                                      reading a length byte at off + 1 <= len */
        if (tl < (type == 7 ? 2u : 4u) || tl > 34 || off + tl - 1 > len)
            return false; /* malformed tag: it stops there */
        if (type == 6 || type == 7) { /* the tag data */
            if (off + tl > len)
                return true;
            off += tl;
            continue;
        }
        off += 3;
        if (off + 1 > len)
            return true; /* the sensitivity level */
        off++;
        if (tl <= 4)
            continue;
        uint32_t end = off + tl - 4;
        if (type == 1) { /* the category bitmap */
            if (end > len)
                return true;
            off = end;
        } else {
            while (off + 2 <= end) { /* 2: categories; 5: ranges */
                if (off + 2 > len)
                    return true;
                if (type == 5 && off + 4 <= end) {
                    if (off + 4 > len)
                        return true;
                    off += 4;
                } else {
                    off += 2;
                }
            }
        }
    }
    return false;
}

/* Whether tshark 4.0's dissector of the IPv4 option at o (type, length
 * `len` >= 2, all inside the header) reads past the option.  Such an
 * exception ends the IP dissection in the options: no payload (no TCP
 * fields), no reassembly.  proto_tree_add_item checks its bytes even for
 * fields nobody asked for, so every field a dissector adds counts.  The
 * minimum lengths: security, extended security and the routes (pointer)
 * 3; time stamp (pointer, flags), stream ID, MTU probe / reply and
 * router alert 4; traceroute 12; CIPSO 6 plus its tags; quick-start 3,
 * and 8 for a rate request / report.  Selective directed broadcast and
 * unknown options read nothing past their length. */
static bool v4_opt_throws(const uint8_t *o, uint32_t len)
{
    switch (o[0]) {
    case 130: /* security: the classification level */
    case 133: /* extended security: the format code */
    case 131: /* loose source route: the pointer */
    case 137: /* strict source route */
    case 7:   /* record route */
        return len < 3;
    case 68:  /* time stamp: pointer, overflow / flag */
    case 136: /* stream identifier */
    case 11:  /* MTU probe */
    case 12:  /* MTU reply */
    case 148: /* router alert */
        return len < 4;
    case 82: /* traceroute: ID, hop counts, originator */
        return len < 12;
    case 25: /* quick-start: the function; a rate request or report then
                adds TTL / unused byte and nonce */
        if (len < 3)
            return true;
        return (o[2] >> 4 == 0 || o[2] >> 4 == 8) && len < 8;
    case 134:
        return v4_cipso_throws(o, len);
    default:
        return false;
    }
}

static void dis_ipv4(dctx *c, tvb t)
{
    pcapsrc *p = c->p;
    uint8_t vhl;
    if (!get_u8(c, t, 0, &vhl))
        return;
    int ver = vhl >> 4;
    if (ver != 4) {
        if (ver == 6)
            dis_ipv6(c, t);
        return;
    }
    if (++c->ip_depth > MAX_IP_DEPTH) {
        unsupported(c, "too many nested IP headers");
        return;
    }
    proto_add(c, "ip");
    uint32_t hlen = (uint32_t)(vhl & 15) * 4;
    if (hlen < 20)
        return;
    /* the fields in header order: a read past the captured data ends the
     * dissection there (ip.src printed, ip.dst not, ...) */
    uint16_t tot_len;
    if (!get_u16(c, t, 2, &tot_len))
        return;
    uint32_t ip_len = tot_len;
    if (ip_len < hlen) {
        if (ip_len != 0)
            return; /* bogus length */
        ip_len = t.rep; /* TSO */
    } else if (ip_len <= t.rep) {
        t = tvb_trim(t, ip_len);
    }
    uint16_t id, foff;
    uint8_t proto;
    if (!have(c, t, 0, 16) || !get_u16(c, t, 4, &id) ||
        !get_u16(c, t, 6, &foff) || !get_u8(c, t, 9, &proto))
        return;
    tcpfsm_addr src = {4, {0}}, dst = {4, {0}};
    memcpy(src.bytes, t.d + 12, 4);
    c->net_src = src;
    p->ip_src = src;
    p->present |= F(IP_SRC);
    uint32_t dst_off = 0;
    if (hlen > 20 && v4_dst_offset(t.d + 20, hlen - 20, t.cap > 20 ? t.cap - 20 : 0,
                                   &dst_off) < 0)
        return; /* get_dst_offset read past the captured data */
    if (!have(c, t, 0, 20) || !have(c, t, 16 + dst_off, 4))
        return;
    memcpy(dst.bytes, t.d + 16 + dst_off, 4);
    c->net_dst = dst;
    if (!dst_off) {
        p->ip_dst = dst;
        p->present |= F(IP_DST);
    }
    /* the options (dissect_ip_options), after ip.src / ip.dst.  Not when
     * the header is not all captured: the options subtree throws (no
     * route's ip.dst, nothing after).  The walk stops at an EOL, a length
     * byte past the header, a length below 2 or an option running past the
     * header (the payload is still dissected), and at an option whose
     * dissector reads past it (an exception: nothing after it; see
     * v4_opt_throws).  A source
     * route whose pointer is valid and not past it and whose length leaves
     * whole addresses after type, length and pointer prints ip.dst (its
     * last address); the last one printed is the column's. */
    bool stop = hlen > 20 && t.cap < hlen;
    for (uint32_t o = 20; o < hlen && !stop;) {
        uint8_t opt = t.d[o];
        if (opt == 0)
            break;
        if (opt == 1) {
            o++;
            continue;
        }
        if (o + 1 >= hlen)
            break;
        uint32_t len = t.d[o + 1];
        if (len < 2 || o + len > hlen)
            break;
        /* in an ICMP error's quote (pinfo->flags.in_error_pkt) the call
         * of the option's dissector catches its exception: the walk goes on */
        if (!c->in_error && v4_opt_throws(t.d + o, len)) {
            stop = true;
            break;
        }
        if ((opt == 131 || opt == 137) && len >= 7 && (len - 3) % 4 == 0) {
            uint8_t ptr = t.d[o + 2];
            if (ptr >= 4 && !(ptr & 3) && ptr <= len) {
                tcpfsm_addr rd = {4, {0}};
                memcpy(rd.bytes, t.d + o + len - 4, 4);
                p->ip_dst = rd;
                p->present |= F(IP_DST);
            }
        }
        o += len;
    }
    /* without it, ip.dst's last occurrence is an outer header's, if any */
    c->last_ip = (p->present & F(IP_DST)) ? 4 : -4;
    if (stop)
        return; /* exception in the options */

    /* fragments (a header quoted in an ICMP error is not reassembled) */
    if ((foff & 0x3fff) && ip_len > hlen && ip_len <= t.cap && !c->in_error) {
        uint32_t frag_id = (uint32_t)proto ^ id ^ rd32(src.bytes) ^ rd32(dst.bytes);
        if (v4_private_or_ll(dst.bytes) || v4_private_or_ll(src.bytes))
            frag_id ^= c->vlan_id;
        uint32_t dlen = 0;
        uint8_t *buf = pcs_frag_add(&p->frags, 4, &src, &dst, frag_id,
                                (uint32_t)(foff & 0x1fff) * 8, t.d + hlen,
                                ip_len - hlen, (foff & 0x2000) != 0, &dlen);
        if (!buf)
            return; /* not complete: a fragment, not TCP */
        if (!keep_buffer(c, buf))
            return;
        tvb n = {buf, dlen, dlen};
        if (n.rep > 0)
            dis_ip_payload(c, proto, n, false);
        return;
    }
    if (foff & 0x1fff)
        return; /* not the first fragment */
    if (hlen > t.cap)
        return;
    tvb n = tvb_sub(t, hlen);
    bool save = c->fragmented;
    c->fragmented = (foff & 0x2000) != 0;
    if (n.rep > 0)
        dis_ip_payload(c, proto, n, false);
    c->fragmented = save;
}

static void dis_ipv6(dctx *c, tvb t)
{
    pcapsrc *p = c->p;
    uint8_t vtc;
    if (!get_u8(c, t, 0, &vtc) || (vtc >> 4) != 6)
        return;
    if (++c->ip_depth > MAX_IP_DEPTH) {
        unsupported(c, "too many nested IP headers");
        return;
    }
    proto_add(c, "ipv6");
    if (!have(c, t, 0, 24))
        return;
    if (!have(c, t, 0, 40)) { /* ipv6.src printed, then the header ends */
        memset(&p->ip6_src, 0, sizeof p->ip6_src);
        p->ip6_src.family = 6;
        memcpy(p->ip6_src.bytes, t.d + 8, 16);
        p->present |= F(IPV6_SRC);
        return;
    }
    uint32_t plen = rd16(t.d + 4);
    uint8_t nxt = t.d[6];
    uint32_t ip6_plen = plen;
    if (plen == 0 && nxt == 0) {
        /* jumbo payload option (ipv6_get_jumbo_plen) */
        if (t.cap >= 40 + 8 && t.d[40 + 2] == 0xc2 && t.d[40 + 3] == 4) {
            uint32_t j = rd32(t.d + 40 + 4);
            if (j > 65535)
                plen = j;
        }
    }
    tcpfsm_addr src = {6, {0}}, dst = {6, {0}};
    memcpy(src.bytes, t.d + 8, 16);
    memcpy(dst.bytes, t.d + 24, 16);
    p->ip6_src = src;
    p->ip6_dst = dst;
    p->present |= F(IPV6_SRC) | F(IPV6_DST);
    c->net_src = src;
    c->net_dst = dst;
    c->last_ip = 6;
    /* a jumbo length within 40 of 2^32: 40 + plen wraps (in 32 bits, in
     * Wireshark too) to a length shorter than the header itself, and
     * tshark dissects nothing after the header */
    if (plen > UINT32_MAX - 40)
        return;
    if (40 + plen < t.rep)
        t = tvb_trim(t, 40 + plen);
    int32_t frag_plen = (int32_t)ip6_plen;
    tvb n = tvb_sub(t, 40);

    for (;;) {
        switch (nxt) {
        case 0:  /* hop-by-hop */
        case 60: /* destination options */
        case 43: /* routing */
        {
            if (nxt == 0)
                proto_add(c, "ipv6.hopopts");
            else if (nxt == 60)
                proto_add(c, "ipv6.dstopts");
            else
                proto_add(c, "ipv6.routing");
            if (n.cap < 2)
                return;
            uint32_t len = ((uint32_t)n.d[1] + 1) * 8;
            if (len > n.cap)
                return; /* header cut short: exception */
            if (nxt == 43) {
                uint8_t type = n.d[2], segleft = n.d[3];
                if (type == 0 && segleft > 0 && n.d[1] / 2 > 0) {
                    uint32_t count = n.d[1] / 2;
                    memcpy(c->net_dst.bytes, n.d + 8 + (count - 1) * 16, 16);
                } else if (type == 2 && segleft > 0) {
                    if (n.cap < 24)
                        return;
                    memcpy(c->net_dst.bytes, n.d + 8, 16);
                } else if (type == 3 && segleft > 0) {
                    unsupported(c, "IPv6 RPL source route");
                    return;
                }
            }
            frag_plen -= (int32_t)len;
            uint8_t nn = n.d[0];
            n = tvb_sub(n, len);
            nxt = nn;
            continue;
        }
        case 44: { /* fragment */
            proto_add(c, "ipv6.fraghdr");
            if (n.cap < 8)
                return;
            uint8_t nn = n.d[0];
            uint16_t offlg = rd16(n.d + 2);
            uint32_t ident = rd32(n.d + 4);
            uint32_t foff = offlg & 0xfff8;
            bool more = offlg & 1;
            frag_plen -= 8;
            if (frag_plen > 0 && (foff != 0 || more)) {
                /* ipv6_reassemble_do: not TCP unless this completes it */
                if (c->in_error)
                    return;
                if (n.cap - 8 < (uint32_t)frag_plen)
                    return;
                uint32_t dlen = 0;
                uint8_t *buf = pcs_frag_add(&p->frags, 6, &c->net_src, &c->net_dst,
                                        ident, foff, n.d + 8, (uint32_t)frag_plen,
                                        more, &dlen);
                if (!buf)
                    return;
                if (!keep_buffer(c, buf))
                    return;
                frag_plen = 0;
                tvb r = {buf, dlen, dlen};
                n = r;
                c->fragmented = false;
                nxt = nn;
                continue;
            }
            n = tvb_sub(n, 8);
            nxt = nn;
            continue;
        }
        case 51: { /* AH */
            proto_add(c, "ah");
            if (n.cap < 12)
                return;
            uint8_t nn = n.d[0];
            uint32_t len = ((uint32_t)n.d[1] + 2) * 4;
            uint32_t icv = n.d[1] ? ((uint32_t)n.d[1] - 1) * 4 : 0;
            if (12 + icv > n.cap || len > n.cap)
                return;
            frag_plen -= (int32_t)len;
            n = tvb_sub(n, len);
            nxt = nn;
            continue;
        }
        case 135: /* mobility header: no upper layer */
            proto_add(c, "mipv6");
            return;
        case 140:
            unsupported(c, "IPv6 shim6 header");
            return;
        case 59:
            return;
        default:
            dis_ip_payload(c, nxt, n, true);
            return;
        }
    }
}

/* ------------------------------------------------------------------ */
/* link layers                                                         */

static void dis_llc(dctx *c, tvb t)
{
    proto_add(c, "llc");
    uint8_t dsap, ssap, ctrl;
    if (!get_u8(c, t, 0, &dsap) || !get_u8(c, t, 1, &ssap) ||
        !get_u8(c, t, 2, &ctrl))
        return;
    if (dsap == 0x06) {
        unsupported(c, "IP over LLC SAP 6");
        return;
    }
    if (dsap == 0xaa && ssap == 0xaa && ctrl == 0x03) {
        uint8_t o0, o1, o2;
        uint16_t pid;
        if (!get_u8(c, t, 3, &o0) || !get_u8(c, t, 4, &o1) ||
            !get_u8(c, t, 5, &o2) || !get_u16(c, t, 6, &pid))
            return;
        uint32_t oui = ((uint32_t)o0 << 16) | ((uint32_t)o1 << 8) | o2;
        if (oui == 0 || oui == 0xf8) {
            dis_ethertype(c, pid, tvb_sub(t, 8));
        } else if (pid == 0x0800 || pid == 0x86dd) {
            unsupported(c, "SNAP with a vendor OUI");
        }
    }
}

/* dissect_802_3: length field, LLC (or raw IPX) */
static void dis_802_3(dctx *c, uint16_t length, tvb t)
{
    /* the payload is cut to the length field */
    if (t.cap >= 2 && rd16(t.d) == 0xffff)
        return; /* Novell raw 802.3: IPX */
    dis_llc(c, tvb_trim(t, length));
}

static void dis_vlan(dctx *c, tvb t)
{
    proto_add(c, "vlan");
    uint16_t tci, encap;
    if (!get_u16(c, t, 0, &tci))
        return;
    uint16_t vid = tci & 0xfff;
    if (c->vlan_id == 0)
        c->vlan_id = vid;
    if (++c->vlan_depth > 20)
        return;
    if (!get_u16(c, t, 2, &encap))
        return;
    if (encap <= 1500)
        dis_802_3(c, encap, tvb_sub(t, 4));
    else
        dis_ethertype(c, encap, tvb_sub(t, 4));
}

static void dis_8021ad(dctx *c, tvb t)
{
    proto_add(c, "ieee8021ad");
    uint16_t encap, inner;
    if (!have(c, t, 0, 4) || !get_u16(c, t, 2, &encap))
        return;
    if (encap == 0x88e7) {
        unsupported(c, "IEEE 802.1ah");
        return;
    }
    if (encap == 0x88a8) {
        if (!have(c, t, 4, 4) || !get_u16(c, t, 6, &inner))
            return;
        dis_ethertype(c, inner, tvb_sub(t, 8));
        return;
    }
    dis_ethertype(c, encap, tvb_sub(t, 4));
}

static void dis_ethertype(dctx *c, uint16_t etype, tvb t)
{
    switch (etype) {
    case 0x0800:
        dis_ipv4(c, t);
        return;
    case 0x86dd:
        dis_ipv6(c, t);
        return;
    case 0x8100:
    case 0x9100:
        dis_vlan(c, t);
        return;
    case 0x88a8:
        dis_8021ad(c, t);
        return;
    /* these carry (or may carry) IP that tshark decodes and pcapsrc not */
    case 0x8847: case 0x8848: /* MPLS */
    case 0x8863: case 0x8864: /* PPPoE */
    case 0x88e7:              /* 802.1ah */
    case 0x6558:              /* transparent Ethernet bridging */
    case 0x894f:              /* NSH */
    case 0x8926:              /* VN-tag */
    case 0x893f:              /* 802.1BR E-tag */
    case 0x8909:              /* Cisco metadata */
    case 0x88e5:              /* MACsec */
    case 0x880b:              /* PPP */
    case 0x8035:              /* RARP */
    case 0x22f0:              /* AVTP */
    case 0x8137:              /* IPX */
    case 0x8906:              /* FCoE */
    case 0x9000:              /* loopback */
    case 0x8915:              /* RoCE */
    case 0x88be:              /* ERSPAN */
    case 0x22eb:
    case 0x8903:              /* Cisco FabricPath / DCE */
    case 0x8950:
    case 0xfbb5:              /* ACI glean */
    {
        if (etype == 0x8035 || etype == 0x8137 || etype == 0x8906 ||
            etype == 0x22f0 || etype == 0x9000 || etype == 0x8915)
            return; /* known not to carry TCP */
        char m[64];
        snprintf(m, sizeof m, "ethertype 0x%04x", etype);
        unsupported(c, m);
        return;
    }
    default:
        return;
    }
}

/* fcs: the FCS bytes at the end of the frame (pcap header FCS bits) */
static void dis_eth(dctx *c, tvb t, uint32_t fcs)
{
    proto_add(c, "eth");
    uint16_t type;
    if (!have(c, t, 0, 14) || !get_u16(c, t, 12, &type))
        return;
    if (type <= 1500) {
        const uint8_t *d = t.d;
        if ((d[0] == 0x01 || d[0] == 0x0c) && d[1] == 0 && d[2] == 0x0c &&
            d[3] == 0 && d[4] == 0) {
            unsupported(c, "Cisco ISL");
            return;
        }
    }
    if (type > 1500 && type < 1536)
        return;
    if (type <= 1500 && type != 0) {
        dis_802_3(c, type, tvb_sub(t, 14));
        return;
    }
    proto_add(c, "ethertype");
    tvb n = tvb_sub(t, 14);
    if (fcs) { /* the ethertype payload leaves the FCS out */
        n.rep = n.rep >= fcs ? n.rep - fcs : n.rep;
        if (n.cap > n.rep)
            n.cap = n.rep;
    }
    dis_ethertype(c, type, n);
}

static void dis_sll(dctx *c, tvb t, int version)
{
    proto_add(c, "sll");
    uint32_t hsize = version == 1 ? 16 : 20;
    uint16_t hatype, protocol;
    if (version == 1) {
        if (!have(c, t, 0, 4) || !get_u16(c, t, 2, &hatype))
            return;
        if (hatype == 824)
            return; /* netlink */
        if (!have(c, t, 0, 16) || !get_u16(c, t, 14, &protocol))
            return;
    } else {
        if (!have(c, t, 0, 12) || !get_u16(c, t, 8, &hatype))
            return;
        if (hatype == 824)
            return;
        if (!have(c, t, 0, 20) || !get_u16(c, t, 0, &protocol))
            return;
    }
    tvb n = tvb_sub(t, hsize);
    if (protocol <= 1536) {
        if (hatype == 770 || hatype == 803 || hatype == 804) {
            unsupported(c, "Linux cooked capture of FRAD / radiotap / 802.15.4");
            return;
        }
        if (protocol == 0x0004)
            dis_llc(c, n);
        else if (protocol == 0x0002) {
            /* Ethernet without FCS */
            dis_eth(c, n, 0);
        } else if (protocol == 0x00f6)
            unsupported(c, "Linux cooked capture of 802.15.4");
        return;
    }
    if (hatype == 778) { /* IPGRE: GRE protocol types */
        if (protocol == 0x0800)
            dis_ip_any(c, n);
        else if (protocol == 0x86dd)
            dis_ipv6(c, n);
        else if (protocol == 0x6558)
            dis_eth(c, n, 0);
        else
            unsupported(c, "Linux cooked capture of GRE");
        return;
    }
    proto_add(c, "ethertype");
    dis_ethertype(c, protocol, n);
}

static void dis_null_family(dctx *c, uint32_t fam, tvb t)
{
    switch (fam) {
    case 2:
        dis_ip_any(c, t);
        return;
    case 24:
    case 28:
    case 30:
        dis_ipv6(c, t);
        return;
    default:
        return;
    }
}

static void dis_null(dctx *c, tvb t)
{
    proto_add(c, "null");
    uint16_t first;
    if (!get_u16(c, t, 0, &first))
        return;
    if (first == 0xff03) {
        unsupported(c, "PPP in a loopback capture");
        return;
    }
    if (!have(c, t, 0, 4))
        return;
    uint32_t h;
    memcpy(&h, t.d, 4); /* host byte order, as tshark reads it */
    if (h & 0xffff0000u) {
        if ((h & 0xff000000u) == 0 && (h & 0x00ff0000u) < 0x00060000u)
            h >>= 16;
        else
            h = __builtin_bswap32(h);
    } else {
        if ((h & 0xffu) == 0 && (h & 0xff00u) < 0x0600u)
            h = __builtin_bswap16((uint16_t)(h & 0xffff));
    }
    tvb n = tvb_sub(t, 4);
    if (h > 1500) {
        dis_ethertype(c, (uint16_t)h, n);
        return;
    }
    dis_null_family(c, h, n);
}

static void dis_loop(dctx *c, tvb t)
{
    proto_add(c, "null");
    uint32_t fam;
    if (!get_u32(c, t, 0, &fam))
        return;
    dis_null_family(c, fam, tvb_sub(t, 4));
}

static void dis_raw(dctx *c, tvb t)
{
    proto_add(c, "raw");
    uint16_t w0, w1, w6;
    if (!get_u16(c, t, 0, &w0))
        return;
    if (w0 == 0xff03) {
        unsupported(c, "PPP in a raw IP capture");
        return;
    }
    if (!have(c, t, 0, 8) || !get_u16(c, t, 1, &w1) || !get_u16(c, t, 6, &w6))
        return;
    if (w6 == 0xff03 || w1 == 0xff03) {
        unsupported(c, "PPP in a raw IP capture");
        return;
    }
    static const uint8_t zeroes[10];
    if (t.cap >= 10 && !memcmp(t.d, zeroes, 10)) {
        dis_ip_any(c, tvb_sub(t, 10));
        return;
    }
    int v = t.d[0] >> 4;
    if (v == 4)
        dis_ip_any(c, t);
    else if (v == 6)
        dis_ipv6(c, t);
}

/* ------------------------------------------------------------------ */
/* a frame                                                             */

bool pcs_dlt_supported(int dlt)
{
    switch (dlt) {
    case DLT_NULL:
    case DLT_EN10MB:
    case 12: /* DLT_RAW (LINKTYPE 12 on Linux: raw IP for wiretap too) */
    case 14: /* DLT_RAW on OpenBSD; wiretap: raw IP */
    case 101:
    case 108: /* DLT_LOOP */
    case DLT_LINUX_SLL:
    case 276: /* DLT_LINUX_SLL2 */
    case 228: /* DLT_IPV4 */
    case 229: /* DLT_IPV6 */
        return true;
    }
    return false;
}

void pcs_decode(dctx *c, int dlt, tvb t)
{
    switch (dlt) {
    case DLT_EN10MB:
        dis_eth(c, t, c->p->eth_fcs);
        break;
    case DLT_LINUX_SLL:
        dis_sll(c, t, 1);
        break;
    case 276:
        dis_sll(c, t, 2);
        break;
    case DLT_NULL:
        dis_null(c, t);
        break;
    case 108:
        dis_loop(c, t);
        break;
    case 12:
    case 14:
    case 101:
        dis_raw(c, t);
        break;
    case 228:
        proto_add(c, "raw");
        dis_ip_any(c, t);
        break;
    case 229:
        proto_add(c, "raw");
        dis_ipv6(c, t);
        break;
    }
}
