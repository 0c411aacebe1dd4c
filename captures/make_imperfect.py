#!/usr/bin/env python3
"""make_imperfect.py - real captures of imperfect situations (run as root).

Real Linux sockets in a private network namespace (`ip netns add`; the only
traffic is on that namespace's loopback), recorded by dumpcap:

    tfo-accepted.pcap    TCP Fast Open (RFC 7413), net.ipv4.tcp_fastopen=3
                         in the namespace: stream 0 asks for a cookie (the
                         SYN carries the empty cookie option, the data goes
                         after the handshake); stream 1 sends 86 bytes in
                         its SYN with the cookie and the server accepts
                         them (SYN-ACK ack = ISN + 1 + 86)
    tfo-fallback.pcap    the client holds a cookie for the address and sends
                         86 bytes in its SYN, but the listener on this port
                         has no TCP_FASTOPEN: the SYN-ACK acknowledges only
                         the SYN (ack = ISN + 1) and the client sends the 86
                         bytes again after it
    one-sided.pcap       a capture point that sees one direction (a SPAN
                         port on an asymmetric route): only the client's
                         segments of a connection with data both ways
                         (capture filter `src port CLIENT`)
    lost-synack.pcap     the SYN-ACK is missing from the capture (capture
                         filter drops it): SYN, then the client's ACKs
    reordered-hsack.pcap the capture point delivers the handshake ACK before
                         the SYN-ACK it answers (recorded in order, then the
                         two records swapped, as a SPAN port reorders: the
                         endpoints saw the real order; timestamps stay in
                         file order)
    reordered-finack.pcap the ACK of the first FIN recorded before that FIN
                         (same method)

Fixed ports (servers 47301.., clients 47401..) so a rerun has the same
shape.  Each capture is checked with tshark and rerun until it shows what
its name promises.  Then run ./export.sh and regenerate the goldens.

Usage: sudo ./make_imperfect.py [SCENARIO...]   (default: all)
"""
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NS = "tcpfsm-imperfect"
HOST = "127.0.0.1"
PAYLOAD = b"GET /tfo HTTP/1.1\r\nHost: tcpfsm.test\r\nUser-Agent: tcpfsm\r\nAccept: */*\r\nX-Pad: 0123\r\n\r\n"
assert len(PAYLOAD) == 86, len(PAYLOAD)


# ---------------------------------------------------------------- inside
def listener(port, tfo):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if tfo:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
    s.bind((HOST, port))
    s.listen(8)
    return s


def serve_once(ls, answer=b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"):
    c, _ = ls.accept()
    got = b""
    while not got.endswith(b"\r\n\r\n"):
        d = c.recv(4096)
        if not d:
            break
        got += d
    c.sendall(answer)
    # the client closes first; read its FIN, then close
    while c.recv(4096):
        pass
    time.sleep(0.2)
    c.close()


def client(port, cport, fastopen):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, cport))
    if fastopen:
        s.sendto(PAYLOAD, socket.MSG_FASTOPEN, (HOST, port))
    else:
        s.connect((HOST, port))
        s.sendall(PAYLOAD)
    got = b""
    while not got.endswith(b"ok"):
        d = s.recv(4096)
        if not d:
            break
        got += d
    time.sleep(0.05)
    s.close()


def conn(port, cport, tfo_server, fastopen):
    ls = listener(port, tfo_server)
    t = threading.Thread(target=serve_once, args=(ls,))
    t.start()
    client(port, cport, fastopen)
    t.join()
    ls.close()


class Capture:
    def __init__(self, path, bpf):
        self.path, self.bpf = path, bpf

    def __enter__(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.proc = subprocess.Popen(
            ["dumpcap", "-q", "-i", "lo", "-P", "-s", "256", "-f", self.bpf,
             "-w", self.path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not os.path.exists(self.path) and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.7)
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)
        self.proc.send_signal(signal.SIGINT)
        self.proc.wait(10)
        return False


def inside(name, path):
    if name == "tfo-accepted":
        with Capture(path, "tcp port 47301"):
            conn(47301, 47401, True, True)   # cookie request
            time.sleep(0.3)
            conn(47301, 47402, True, True)   # data in the SYN, accepted
    elif name == "tfo-fallback":
        conn(47310, 47410, True, True)       # fetch a cookie (not recorded)
        time.sleep(0.3)
        with Capture(path, "tcp port 47302"):
            conn(47302, 47403, False, True)  # cookie + data, no TFO listener
    elif name == "one-sided":
        with Capture(path, "tcp and src port 47404"):
            conn(47303, 47404, False, False)
    elif name == "lost-synack":
        with Capture(path, "tcp port 47304 and not (tcp[13] & 0x12 == 0x12)"):
            conn(47304, 47405, False, False)
    elif name in ("reordered-hsack", "reordered-finack"):
        port, cport = (47305, 47406) if name == "reordered-hsack" else (47306, 47407)
        with Capture(path, f"tcp port {port}"):
            conn(port, cport, False, False)
    else:
        sys.exit("unknown scenario " + name)


# ---------------------------------------------------------------- pcap edits
def read_pcap(path):
    with open(path, "rb") as f:
        b = f.read()
    hdr, off, recs = b[:24], 24, []
    while off < len(b):
        ts, us, incl, orig = struct.unpack("<IIII", b[off:off + 16])
        recs.append([ts, us, incl, orig, b[off + 16:off + 16 + incl]])
        off += 16 + incl
    return hdr, recs


def write_pcap(path, hdr, recs):
    with open(path, "wb") as f:
        f.write(hdr)
        for ts, us, incl, orig, data in recs:
            f.write(struct.pack("<IIII", ts, us, incl, orig) + data)


def swap(path, i, j):
    """The contents of records i < j trade places; times stay in order."""
    hdr, recs = read_pcap(path)
    recs[i][2:], recs[j][2:] = recs[j][2:], recs[i][2:]
    write_pcap(path, hdr, recs)


# ---------------------------------------------------------------- checks
def segs(path):
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t",
         "-e", "tcp.stream", "-e", "tcp.srcport", "-e", "tcp.flags",
         "-e", "tcp.seq_raw", "-e", "tcp.ack_raw", "-e", "tcp.len"],
        capture_output=True, text=True, check=True).stdout
    r = []
    for line in out.splitlines():
        st, sp, fl, seq, ack, ln = line.split("\t")
        r.append((int(st), int(sp), int(fl, 16), int(seq), int(ack), int(ln)))
    return r


def check(name, path):
    s = segs(path)
    syn = [p for p in s if p[2] & 0x12 == 0x02]
    sa = [p for p in s if p[2] & 0x12 == 0x12]
    if name == "tfo-accepted":
        return (len(syn) == 2 and syn[1][5] == 86 and len(sa) == 2 and
                sa[1][4] == syn[1][3] + 1 + 86 and syn[0][5] == 0)
    if name == "tfo-fallback":
        return (len(syn) == 1 and syn[0][5] == 86 and len(sa) == 1 and
                sa[0][4] == syn[0][3] + 1 and
                any(p[3] == syn[0][3] + 1 and p[5] == 86 for p in s))
    if name == "one-sided":
        return s and all(p[1] == 47404 for p in s) and len(syn) == 1
    if name == "lost-synack":
        return len(syn) == 1 and not sa and len(s) > 3
    return True


def reorder(name, path):
    s = segs(path)
    if name == "reordered-hsack":
        # S SA A ...: record 2 (the ACK) before record 1 (the SYN-ACK)
        if not (s[0][2] == 0x002 and s[1][2] == 0x012 and s[2][2] == 0x010):
            return False
        swap(path, 1, 2)
        return True
    # the first FIN and the first later pure ACK from the other side that
    # acknowledges it: the ACK recorded first
    for i, p in enumerate(s):
        if p[2] & 0x001:
            fin_end = (p[3] + p[5] + 1) & 0xFFFFFFFF
            for j in range(i + 1, len(s)):
                q = s[j]
                if q[1] != p[1] and q[4] == fin_end and not q[2] & 0x001:
                    if j != i + 1:
                        return False  # something in between: try again
                    swap(path, i, j)
                    return True
            return False
    return False


ALL = ["tfo-accepted", "tfo-fallback", "one-sided", "lost-synack",
       "reordered-hsack", "reordered-finack"]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--inside":
        inside(sys.argv[2], sys.argv[3])
        return
    if os.geteuid() != 0:
        sys.exit("make_imperfect: run as root (network namespace, capture)")
    names = sys.argv[1:] or ALL
    subprocess.run(["ip", "netns", "del", NS], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        ns = ["ip", "netns", "exec", NS]
        subprocess.run(ns + ["ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(ns + ["sysctl", "-q", "-w", "net.ipv4.tcp_fastopen=3"], check=True)
        for name in names:
            path = os.path.join(HERE, name + ".pcap")
            for attempt in range(10):
                subprocess.run(ns + [sys.executable, os.path.abspath(__file__),
                                     "--inside", name, path], check=True)
                if check(name, path) and (not name.startswith("reordered")
                                          or reorder(name, path)):
                    print(f"{name}.pcap: ok (try {attempt + 1})")
                    break
                time.sleep(1.1)
            else:
                sys.exit(f"make_imperfect: {name}: no good capture in 10 tries")
    finally:
        subprocess.run(["ip", "netns", "del", NS])


if __name__ == "__main__":
    main()
