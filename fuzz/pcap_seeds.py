#!/usr/bin/env python3
"""pcap_seeds.py OUTDIR - small crafted captures for fuzz_pcap's seed corpus.

The captures in captures/ are almost all Ethernet + IPv4; these add one
small file per decoder path of tool/pcapsrc.c that they miss: the other
link types, VLAN/QinQ, IPv4 options and fragments, IPv6 extension headers
and fragments, an ICMP error quoting TCP, pcapng blocks (EPB with options,
SPB, custom block), nanosecond and big-endian pcap, Ethernet with FCS.
"""
import os
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp(sport, dport, seq, ack, flags, payload=b"", opts=b"", v6=False,
        src=b"", dst=b""):
    opts += b"\0" * (-len(opts) % 4)
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                    65535, 0, 0) + opts
    seg = h + payload
    if src:
        if v6:
            ph = src + dst + struct.pack("!I3xB", len(seg), 6)
        else:
            ph = src + dst + struct.pack("!xBH", 6, len(seg))
        c = csum(ph + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return seg


A4, B4 = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
A6 = bytes.fromhex("20010db8000000000000000000000001")
B6 = bytes.fromhex("20010db8000000000000000000000002")


def ipv4(payload, proto=6, src=A4, dst=B4, opts=b"", ident=1, frag=0, mf=0):
    opts += b"\0" * (-len(opts) % 4)
    ihl = 5 + len(opts) // 4
    fl = (mf << 13) | (frag // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                    ident, fl, 64, proto, 0, src, dst) + opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(payload, nxt=6, src=A6, dst=B6):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nxt, 64,
                       src, dst) + payload


def conn4(**kw):
    """a handshake, one data segment each way, a FIN close"""
    segs = [(0x02, 1000, 0, b"", b"\x02\x04\x05\xb4\x01\x03\x03\x07"),
            (0x12, 5000, 1001, b"", b"\x02\x04\x05\xb4\x01\x03\x03\x08"),
            (0x10, 1001, 5001, b"", b""),
            (0x18, 1001, 5001, b"GET /\r\n", b""),
            (0x11, 5001, 1008, b"", b""),
            (0x11, 1008, 5002, b"", b""),
            (0x10, 5002, 1009, b"", b"")]
    out = []
    for i, (fl, seq, ack, pl, op) in enumerate(segs):
        fwd = i % 2 == 0 if i < 3 else i in (3, 5)
        sp, dp = (40000, 80) if fwd else (80, 40000)
        s, d = (A4, B4) if fwd else (B4, A4)
        out.append(ipv4(tcp(sp, dp, seq, ack, fl, pl, op, src=s, dst=d),
                        src=s, dst=d, **kw))
    return out


def conn6():
    out = []
    for fwd, fl, seq, ack in ((1, 0x02, 1, 0), (0, 0x12, 9, 2), (1, 0x10, 2, 10),
                              (1, 0x04, 2, 0)):
        s, d = (A6, B6) if fwd else (B6, A6)
        sp, dp = (40000, 443) if fwd else (443, 40000)
        out.append(ipv6(tcp(sp, dp, seq, ack, fl, v6=True, src=s, dst=d),
                        src=s, dst=d))
    return out


def eth(payload, etype=0x0800, tags=()):
    h = b"\x00\x11\x22\x33\x44\x55" + b"\x66\x77\x88\x99\xaa\xbb"
    for tpid, vid in tags:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", etype) + payload


def pcap(linktype, frames, ns=False, be=False, snap=65535, fcs_bits=0):
    e = ">" if be else "<"
    magic = 0xA1B23C4D if ns else 0xA1B2C3D4
    lt = linktype | fcs_bits
    out = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snap, lt)
    for i, f in enumerate(frames):
        cap = f[:snap]
        out += struct.pack(e + "IIII", 1600000000 + i, 123456 + i,
                           len(cap), len(f)) + cap
    return out


def ng_block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)


def pcapng(linktype, frames):
    out = ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    idb_opts = struct.pack("<HHB3x", 9, 1, 9) + struct.pack("<HH", 0, 0)
    out += ng_block(1, struct.pack("<HHI", linktype, 0, 65535) + idb_opts)
    for i, f in enumerate(frames):
        ts = (1600000000 + i) * 1000000000
        if i == 1:  # a simple packet block: no time stamp
            out += ng_block(3, struct.pack("<I", len(f)) + f)
            continue
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(f), len(f))
        body += f + b"\0" * (-len(f) % 4)
        if i == 2:  # an EPB with a comment and flags
            body += struct.pack("<HH", 1, 5) + b"hello\0\0\0"
            body += struct.pack("<HHI", 2, 4, 1) + struct.pack("<HH", 0, 0)
        out += ng_block(6, body)
        if i == 3:  # a custom block Wireshark counts as a frame
            out += ng_block(0xBAD, struct.pack("<I", 32473) + b"data")
            out += ng_block(5, struct.pack("<III", 0, 0, 0))  # ISB: skipped
    return out


def seeds():
    c4 = conn4()
    yield "eth-vlan", pcap(1, [eth(p, 0x0800, [(0x8100, 7)]) for p in c4])
    yield "eth-qinq", pcap(1, [eth(p, 0x0800, [(0x88A8, 5), (0x8100, 7)])
                               for p in c4])
    yield "eth-ipv6", pcap(1, [eth(p, 0x86DD) for p in conn6()])
    yield "eth-fcs", pcap(1, [eth(p) + b"\xde\xad\xbe\xef" for p in c4],
                          fcs_bits=0x14000000)
    yield "eth-ns-be", pcap(1, [eth(p) for p in c4], ns=True, be=True)
    yield "eth-snap60", pcap(1, [eth(p) for p in c4], snap=60)
    sll = [struct.pack("!HHH8sH", 0, 1, 6, b"\x00\x11\x22\x33\x44\x55\0\0",
                       0x0800) + p for p in c4]
    yield "sll", pcap(113, sll)
    sll2 = [struct.pack("!HHIHBB8s", 0x0800, 0, 2, 1, 0, 6,
                        b"\x00\x11\x22\x33\x44\x55\0\0") + p for p in c4]
    yield "sll2", pcap(276, sll2)
    yield "null", pcap(0, [struct.pack("<I", 2) + p for p in c4] +
                       [struct.pack("<I", 30) + p for p in conn6()])
    yield "loop", pcap(108, [struct.pack(">I", 2) + p for p in c4])
    yield "raw101", pcap(101, c4 + conn6())
    yield "raw-ipv4", pcap(228, c4)
    yield "raw-ipv6", pcap(229, conn6())
    # IPv4 options (NOP, NOP, record route, end; strict source route)
    rr = b"\x01\x01\x07\x07\x04" + bytes(4) + b"\x00"
    ssrr = b"\x89\x07\x04" + bytes([10, 0, 0, 9])
    yield "ipv4-options", pcap(101, conn4(opts=rr) + conn4(opts=ssrr)[:2])
    # IPv4 fragments: a segment split in three, one fragment out of order
    seg = tcp(40000, 80, 1001, 5001, 0x18, b"x" * 40, src=A4, dst=B4)
    frags = [ipv4(seg[0:24], ident=7, frag=0, mf=1),
             ipv4(seg[48:], ident=7, frag=48, mf=0),
             ipv4(seg[24:48], ident=7, frag=24, mf=1)]
    yield "ipv4-frags", pcap(101, c4[:3] + frags)
    # IPv6: hop-by-hop, routing (type 0 and 4... left 0), destination
    # options, then TCP; and a fragmented segment
    t6 = tcp(40000, 443, 1, 0, 0x02, v6=True, src=A6, dst=B6)
    hbh = bytes([43, 0, 1, 4, 0, 0, 0, 0])
    rt = bytes([60, 0, 4, 0, 0, 0, 0, 0])
    dopt = bytes([6, 0, 1, 4, 0, 0, 0, 0])
    t6b = tcp(40000, 443, 2, 10, 0x18, b"y" * 40, v6=True, src=A6, dst=B6)
    f1 = struct.pack("!BBHI", 6, 0, 0x0001, 99) + t6b[:32]
    f2 = struct.pack("!BBHI", 6, 0, 32, 99) + t6b[32:]
    yield "ipv6-ext", pcap(229, [ipv6(hbh + rt + dopt + t6, nxt=0),
                                 ipv6(f1, nxt=44), ipv6(f2, nxt=44)])
    # ICMP destination unreachable quoting the SYN; ICMPv6 the same
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + c4[0][:28]
    icmp6 = struct.pack("!BBHI", 1, 4, 0, 0) + conn6()[0][:48]
    yield "icmp-quote", pcap(101, [ipv4(icmp, proto=1, src=B4, dst=A4),
                                   ipv6(icmp6, nxt=58, src=B6, dst=A6)])
    yield "pcapng", pcapng(1, [eth(p) for p in c4])


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in seeds():
        ext = ".pcapng" if name == "pcapng" else ".pcap"
        with open(os.path.join(out, "seed-" + name + ext), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
