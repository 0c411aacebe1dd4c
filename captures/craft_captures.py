#!/usr/bin/env python3
"""craft_captures.py - write tcpfsm's hand-crafted captures (crafted-*.pcap).

These are the TCP variants that real loopback sockets cannot produce on
demand (crossing SYNs, retransmissions, a capture that starts mid-stream,
reordering, bad flag combinations, sequence wrap-around...).  Each file is a
classic pcap (LINKTYPE_ETHERNET, microsecond timestamps) of IPv4/TCP
segments with correct IPv4 and TCP checksums, window 65535 (no window
scaling), MSS 1460 on SYNs.  Output is deterministic: the same bytes on
every run.  Segments are 1 ms apart unless a scenario says otherwise.

Usage: ./craft_captures.py            (writes next to this script)
Python 3 standard library only.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_TIME_US = 1700000000 * 1000000  # 2023-11-14 22:13:20 UTC, in us

FIN, SYN, RST, PSH, ACK, URG = 0x01, 0x02, 0x04, 0x08, 0x10, 0x20
M32 = 0xFFFFFFFF


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def mac(a):
    # a made-up locally administered MAC per IPv4 address
    return bytes([0x02, 0x00]) + ip4(a)


class Pcap:
    def __init__(self, name):
        self.name = name
        self.frames = []
        self.t = BASE_TIME_US  # integer microseconds: no float drift
        self.ipid = {}

    def tcp(self, src, sport, dst, dport, flags, seq, ack, data=b"",
            win=65535, opts=b"", dt=0.001, urp=0):
        self.t += int(round(dt * 1e6))
        hlen = 20 + len(opts)
        assert hlen % 4 == 0
        th = struct.pack("!HHIIBBHHH", sport, dport, seq & M32, ack & M32,
                         (hlen // 4) << 4, flags, win, 0, urp) + opts
        pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, 6, hlen + len(data))
        c = csum(pseudo + th + data)
        th = th[:16] + struct.pack("!H", c) + th[18:]
        ident = self.ipid.get(src, 0x1000 + sum(ip4(src)) * 16)
        self.ipid[src] = (ident + 1) & 0xFFFF
        total = 20 + hlen + len(data)
        ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident, 0x4000, 64, 6,
                         0, ip4(src), ip4(dst))
        ih = ih[:10] + struct.pack("!H", csum(ih)) + ih[12:]
        eth = mac(dst) + mac(src) + b"\x08\x00"
        self.frames.append((self.t, eth + ih + th + data))

    def write(self):
        path = os.path.join(HERE, self.name)
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for t, fr in self.frames:
                sec, usec = divmod(t, 1000000)
                f.write(struct.pack("<IIII", sec, usec, len(fr), len(fr)))
                f.write(fr)
        print(f"{self.name}: {len(self.frames)} frames")


MSS = struct.pack("!BBH", 2, 4, 1460)


class Conn:
    """One connection: c = client (initiator), s = server.  send() fills in
    seq (the sender's next sequence number) and ack (the sender's next
    expected byte from the peer, when ACK is set) and advances them unless
    told otherwise; seq/ack can be forced for odd segments."""

    def __init__(self, pcap, client, server, cisn, sisn):
        self.p = pcap
        self.ep = {"c": client, "s": server}
        self.nxt = {"c": cisn, "s": sisn}   # next seq each side will send
        self.rcv = {"c": None, "s": None}   # next seq each side expects

    def send(self, who, flags, data=b"", seq=None, ack=None, advance=True,
             dt=0.001, opts=None, urp=0):
        peer = "s" if who == "c" else "c"
        if seq is None:
            seq = self.nxt[who]
        if flags & SYN and self.rcv[peer] is None:
            self.rcv[peer] = (seq + 1) & M32
        if ack is None:
            ack = self.rcv[who] if (flags & ACK) else 0
        if opts is None:
            opts = MSS if flags & SYN else b""
        (src, sport), (dst, dport) = self.ep[who], self.ep[peer]
        self.p.tcp(src, sport, dst, dport, flags, seq, ack or 0, data,
                   opts=opts, dt=dt, urp=urp)
        if advance:
            used = len(data) + (1 if flags & SYN else 0) + (1 if flags & FIN else 0)
            end = (seq + used) & M32
            self.nxt[who] = end
            if self.rcv[peer] is not None or not flags & SYN:
                self.rcv[peer] = end
        return seq

    # common sequences
    def handshake(self):
        self.send("c", SYN)
        self.send("s", SYN | ACK)
        self.send("c", ACK)

    def exchange(self, req=b"GET / HTTP/1.1\r\nHost: example\r\n\r\n",
                 resp=b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"):
        self.send("c", PSH | ACK, req)
        self.send("s", ACK)
        self.send("s", PSH | ACK, resp)
        self.send("c", ACK)

    def close4(self, first="c", gap=0.001):
        other = "s" if first == "c" else "c"
        self.send(first, FIN | ACK)
        self.send(other, ACK)
        self.send(other, FIN | ACK, dt=gap)
        self.send(first, ACK)

    def close3(self, first="c"):
        other = "s" if first == "c" else "c"
        self.send(first, FIN | ACK)
        self.send(other, FIN | ACK)
        self.send(first, ACK)


C = "10.0.0.1"
S = "10.0.0.2"


def simultaneous_open():
    """Two peers connect to each other at once: the SYNs cross, each answers
    the other's SYN with a SYN-ACK (same ISN again), then data, then A
    closes first: FIN, ACK, FIN, ACK."""
    p = Pcap("crafted-simultaneous-open.pcap")
    k = Conn(p, (C, 40000), (S, 40001), 0x1A2B3C4D, 0x5E6F7081)
    k.send("c", SYN)                       # A SYN seq x
    k.send("s", SYN)                       # B SYN seq y, no ACK, crossing
    k.send("c", SYN | ACK, seq=0x1A2B3C4D, advance=False)   # seq x, ack y+1
    k.send("s", SYN | ACK, seq=0x5E6F7081, advance=False)   # seq y, ack x+1
    k.send("c", PSH | ACK, b"hello from A\n")
    k.send("s", ACK)
    k.send("s", PSH | ACK, b"hello from B\n")
    k.send("c", ACK)
    k.close4("c")
    p.write()


def simultaneous_close():
    """Handshake and data, then both FINs cross: B's FIN acks only what it
    had received before A's FIN; then each acks the other's FIN."""
    p = Pcap("crafted-simultaneous-close.pcap")
    k = Conn(p, (C, 41000), (S, 7), 1000, 5000)
    k.handshake()
    k.exchange(b"echo me\n", b"echo me\n")
    a_ack = k.rcv["s"]                     # B's view before A's FIN arrives
    k.send("c", FIN | ACK)                 # A FIN
    k.send("s", FIN | ACK, ack=a_ack)      # B FIN, does not cover A's FIN
    k.send("s", ACK)                       # B acks A's FIN (and its own)
    k.send("c", ACK)                       # A acks B's FIN
    p.write()


def port_reuse():
    """A complete connection (server closes first), then 1 s later a new SYN
    with a different ISN on the same 4-tuple and a second full connection
    (client closes first)."""
    p = Pcap("crafted-port-reuse.pcap")
    k = Conn(p, (C, 50000), (S, 80), 1000000, 2000000)
    k.handshake()
    k.exchange()
    k.close4("s")
    k2 = Conn(p, (C, 50000), (S, 80), 1500000, 3000000)
    k2.send("c", SYN, dt=1.0)
    k2.send("s", SYN | ACK)
    k2.send("c", ACK)
    k2.exchange()
    k2.close4("c")
    p.write()


def retransmissions():
    """SYN, the same SYN again 1 s later, SYN-ACK, the same SYN-ACK again
    1 s later, the handshake ACK, data, a FIN retransmitted (same seq) 200 ms
    later before its ACK, then the rest of a four-way close."""
    p = Pcap("crafted-retransmissions.pcap")
    k = Conn(p, (C, 51500), (S, 80), 0x0BADBEEF, 0x600DF00D)
    x = k.send("c", SYN)
    k.send("c", SYN, seq=x, advance=False, dt=1.0)
    y = k.send("s", SYN | ACK)
    k.send("s", SYN | ACK, seq=y, advance=False, dt=1.0)
    k.send("c", ACK)
    k.exchange()
    f = k.send("c", FIN | ACK)
    k.send("c", FIN | ACK, seq=f, advance=False, dt=0.2)
    k.send("s", ACK)
    k.send("s", FIN | ACK)
    k.send("c", ACK)
    p.write()


def midstream():
    """The capture starts on an established connection: data both ways (no
    SYN seen), then the first sender closes first: FIN, ACK, FIN, ACK."""
    p = Pcap("crafted-midstream.pcap")
    k = Conn(p, (C, 51000), (S, 443), 0x31000000, 0x72000000)
    k.rcv = {"c": 0x72000000, "s": 0x31000000}
    k.send("c", PSH | ACK, b"\x17\x03\x03\x00\x20" + bytes(32))
    k.send("s", ACK)
    k.send("s", PSH | ACK, b"\x17\x03\x03\x00\x40" + bytes(64))
    k.send("c", ACK)
    k.send("c", PSH | ACK, b"\x17\x03\x03\x00\x10" + bytes(16))
    k.send("s", PSH | ACK, b"\x17\x03\x03\x00\x10" + bytes(16))
    k.send("c", ACK)
    k.close4("c")
    p.write()


def reordered():
    """The SYN-ACK is captured before its SYN (as on a SPAN port), then the
    handshake ACK, data, and a merged close: FIN, FIN+ACK, ACK."""
    p = Pcap("crafted-reordered.pcap")
    k = Conn(p, (C, 52500), (S, 80), 0x44440000, 0x88880000)
    k.rcv["s"] = 0x44440001                # the server has seen the SYN
    k.send("s", SYN | ACK)                 # captured first
    k.send("c", SYN, dt=0.0001)            # the SYN, 100 us later
    k.send("c", ACK)
    k.exchange()
    k.close3("c")
    p.write()


def rst_out_of_window():
    """Connection 1: data, then an RST from the server whose seq is 2^30
    beyond the client's window (ignored: no state change), then more data
    and a four-way close.  Connection 2 (next client port): data, then the
    server resets it with an in-window RST (seq = client's RCV.NXT)."""
    p = Pcap("crafted-rst-out-of-window.pcap")
    k = Conn(p, (C, 52000), (S, 8080), 0x10000000, 0x20000000)
    k.handshake()
    k.exchange(b"first request\n", b"first answer\n")
    k.send("s", RST | ACK, seq=k.nxt["s"] + 0x40000000, advance=False)
    k.exchange(b"second request\n", b"second answer\n")
    k.close4("c")
    k2 = Conn(p, (C, 52001), (S, 8080), 0x30000000, 0x40000000)
    k2.send("c", SYN, dt=0.5)
    k2.send("s", SYN | ACK)
    k2.send("c", ACK)
    k2.exchange(b"third request\n", b"third answer\n")
    k2.send("s", RST | ACK, dt=0.05)      # seq = exactly what the client expects
    p.write()


def syn_data():
    """A SYN carrying 20 bytes; the server's SYN-ACK acknowledges only the
    SYN (ack = ISN + 1, the data is not accepted), so the client sends the
    20 bytes again after the handshake; then an answer and a four-way
    close."""
    p = Pcap("crafted-syn-data.pcap")
    k = Conn(p, (C, 53500), (S, 80), 0x7000AAAA, 0x0000BBBB)
    data = b"GET / HTTP/1.0\r\n\r\n\r\n"
    assert len(data) == 20
    x = k.send("c", SYN, data, advance=False)
    k.nxt["c"] = (x + 1) & M32
    k.rcv["s"] = (x + 1) & M32
    k.send("s", SYN | ACK)
    k.send("c", ACK)
    k.send("c", PSH | ACK, data)
    k.send("s", ACK)
    k.send("s", PSH | ACK, b"HTTP/1.0 200 OK\r\n\r\n")
    k.send("c", ACK)
    k.close4("c")
    p.write()


def bad_flags():
    """Four probes from 10.0.0.9 (ports 60001..60004) to the closed port
    10.0.0.2:8080, answered as RFC 9293 3.10.7.1 (CLOSED) says: an RST+ACK
    with seq 0 and ack = SEG.SEQ + SEG.LEN (SYN and FIN count 1) for every
    segment without RST; a segment with RST gets no answer.
      60001: SYN+FIN              -> RST+ACK, ack = seq + 2
      60002: SYN+RST              -> (nothing)
      60003: no flags at all      -> RST+ACK, ack = seq
      60004: FIN+PSH+URG (Xmas)   -> RST+ACK, ack = seq + 1
    """
    p = Pcap("crafted-bad-flags.pcap")
    scan, tgt = "10.0.0.9", (S, 8080)
    probes = [(60001, SYN | FIN, 0xA0000000, 2),
              (60002, SYN | RST, 0xB0000000, None),
              (60003, 0, 0xC0000000, 0),
              (60004, FIN | PSH | URG, 0xD0000000, 1)]
    for sport, flags, seq, plus in probes:
        p.tcp(scan, sport, tgt[0], tgt[1], flags, seq, 0, win=1024,
              opts=MSS if flags & SYN else b"")
        if plus is not None:
            p.tcp(tgt[0], tgt[1], scan, sport, RST | ACK, 0, seq + plus, win=0)
    p.write()


def wraparound():
    """Client ISN 0xFFFFFFF0, server ISN 0xFFFFFFFE: the client's 14 bytes
    end at 0xFFFFFFFE, the server's 10 bytes start at 0xFFFFFFFF and wrap to
    9, the client's FIN is at 0xFFFFFFFF so its ACK is 0; four-way close."""
    p = Pcap("crafted-wraparound.pcap")
    k = Conn(p, (C, 54500), (S, 80), 0xFFFFFFF0, 0xFFFFFFFE)
    k.handshake()
    k.send("c", PSH | ACK, b"wrap request\r\n")   # 14 bytes: FFFFFFF1..FFFFFFFE
    k.send("s", ACK)
    k.send("s", PSH | ACK, b"wrapped!\r\n")       # 10 bytes: FFFFFFFF..00000008
    k.send("c", ACK)
    k.close4("c")                                 # client FIN seq FFFFFFFF
    p.write()


def refused_syn_retry():
    """SYN to a closed port, RST+ACK; 1 s later the same client port tries
    again with a new ISN: refused again."""
    p = Pcap("crafted-refused-syn-retry.pcap")
    for i, isn in enumerate((0x11111111, 0x22222222)):
        p.tcp(C, 55000, S, 9999, SYN, isn, 0, opts=MSS, dt=1.0 if i else 0.001)
        p.tcp(S, 9999, C, 55000, RST | ACK, 0, isn + 1, win=0)
    p.write()


def ip_in_tcp():
    """TCP whose payload carries whole IP packets: an OpenFlow 1.0 channel
    (port 6653) between a switch (client 10.0.0.1) and its controller
    (10.0.0.2).  The switch sends PACKET_INs carrying an Ethernet frame
    with a UDP/IPv4 packet and one with an ICMP echo between two other
    hosts (192.168.7.7 -> 192.168.8.8); the controller answers with a
    PACKET_OUT carrying a TCP SYN between them.  tshark dissects the inner
    packets, so ip.src/tcp.* occur twice in a frame: the TCP segment is the
    first TCP header, its addresses those of the IP header just before it."""
    p = Pcap("crafted-ip-in-tcp.pcap")
    k = Conn(p, (C, 40001), (S, 6653), 0x31000000, 0x32000000)
    a, b = "192.168.7.7", "192.168.8.8"

    def inner_ip(proto, payload, ident):
        ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0,
                         64, proto, 0, ip4(a), ip4(b))
        ih = ih[:10] + struct.pack("!H", csum(ih)) + ih[12:]
        return mac(b) + mac(a) + b"\x08\x00" + ih + payload

    def udp():
        d = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x01a\x00\x00\x01\x00\x01"
        return struct.pack("!HHHH", 5353, 53, 8 + len(d), 0) + d

    def icmp():
        h = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"ping-in-tcp"
        return h[:2] + struct.pack("!H", csum(h)) + h[4:]

    def inner_syn():
        return struct.pack("!HHIIBBHHH", 33333, 80, 0x51000000, 0, 5 << 4, SYN,
                           1024, 0, 0)

    def of(kind, xid, body):
        return struct.pack("!BBHI", 1, kind, 8 + len(body), xid) + body

    def packet_in(xid, frame):
        return of(10, xid, struct.pack("!IHHBx", 0xFFFFFFFF, len(frame), 1, 0) + frame)

    def packet_out(xid, frame):
        return of(13, xid, struct.pack("!IHH", 0xFFFFFFFF, 2, 8) +
                  struct.pack("!HHHH", 0, 8, 2, 0) + frame)

    k.handshake()
    k.send("c", PSH | ACK, of(0, 1, b""))                      # HELLO
    k.send("s", PSH | ACK, of(0, 1, b""))                      # HELLO
    k.send("c", PSH | ACK, packet_in(2, inner_ip(17, udp(), 0x101)))
    k.send("s", PSH | ACK, packet_out(3, inner_ip(6, inner_syn(), 0x102)))
    k.send("c", PSH | ACK, packet_in(4, inner_ip(1, icmp(), 0x103)))
    k.send("s", ACK)
    k.close4("c")
    p.write()


def tfo_synack_new_isn():
    """A TCP Fast Open fallback with a repeated SYN-ACK: the SYN carries 20
    bytes and a cookie option, the server's SYN-ACK (ISN A) acknowledges
    only the SYN, so the client's handshake ACK carries the 20 bytes again;
    then a second SYN-ACK answering the same SYN with a different ISN (B),
    which the established client answers with a duplicate ACK (RFC 9293
    3.10.7.4: an unacceptable segment); then the answer and a four-way
    close."""
    p = Pcap("crafted-tfo-synack-new-isn.pcap")
    cookie = struct.pack("!BB", 34, 10) + b"\xc0\x0c\x1e\x5a\x11\x22\x33\x44"
    data = b"GET / HTTP/1.0\r\n\r\n"[:20].ljust(20, b" ")
    k = Conn(p, (C, 40002), (S, 80), 0x41000000, 0x42000000)
    k.send("c", SYN, data, opts=MSS + cookie + b"\x01\x01")
    k.nxt["c"] = 0x41000001                  # the server did not take the data
    k.rcv["s"] = 0x41000001
    k.send("s", SYN | ACK)
    k.send("c", PSH | ACK, data)             # handshake ACK + the data again
    k.send("s", SYN | ACK, seq=0x4F000000, ack=0x41000001, advance=False)
    k.send("c", ACK)                         # duplicate ACK (ack = A + 1)
    k.send("s", ACK)
    k.send("s", PSH | ACK, b"HTTP/1.0 200 OK\r\n\r\n")
    k.send("c", ACK)
    k.close4("c")
    p.write()


ALL = [simultaneous_open, port_reuse, retransmissions, midstream, reordered,
       rst_out_of_window, syn_data, bad_flags, wraparound, refused_syn_retry, ip_in_tcp]
# a real simultaneous close is in simultaneous-close.pcap (make_captures.py);
# the crafted one is written only when asked: ./craft_captures.py --simultaneous-close

if __name__ == "__main__":
    import sys
    for fn in ALL:
        fn()
    if "--tfo-synack-new-isn" in sys.argv[1:]:
        # not in the corpus: Wireshark rebases its relative numbers on the
        # second ISN, so e2e_tshark's comparison does not apply
        tfo_synack_new_isn()
    if "--simultaneous-close" in sys.argv[1:]:
        simultaneous_close()
