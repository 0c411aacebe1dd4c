#!/usr/bin/env python3
"""make_captures.py - record tcpfsm's real loopback captures (run as root).

Every scenario runs real sockets on the loopback interface while `dumpcap`
(or `tcpdump` when dumpcap is missing) records only that scenario's ports
into its own classic pcap file (snaplen 128, so files stay small):

    close-client.pcap        client closes first, four-way close
    close-server.pcap        server closes first, four-way close
    close-merged.pcap        three-segment close: FIN, FIN+ACK, ACK
    close-fourway.pcap       classic FIN, ACK, ..., FIN, ACK (passive sleeps)
    refused.pcap             connect to a closed port: SYN, RST+ACK
    reset.pcap               SO_LINGER {1,0} + close(): RST
    half-close.pcap          shutdown(SHUT_WR), the server keeps sending
    ipv6-server-close.pcap   ::1, the server sends the first FIN
    parallel.pcap            20 overlapping connections, mixed closers
    simultaneous-close.pcap  both sides shutdown() at the same instant

Every port is fixed (servers 47001.., clients 47101..), so a rerun gives
the same shape; each capture is checked with tshark and the scenario is
rerun (up to its own number of tries) until it shows what its name promises.
The timing-dependent ones (close-merged, simultaneous-close) usually need
retries.  After a run, refresh the exports with ./export.sh and re-check the
hand-written NAME.truth files (stream numbers and ports stay the same).

Usage: sudo ./make_captures.py [SCENARIO...]      (default: all)
Python 3 standard library only.
"""
import errno
import mmap
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
V4 = "127.0.0.1"
V6 = "::1"
PASSIVE_SLEEP = 0.2  # how long a passive closer waits before its own close


# ---------------------------------------------------------------- capture
class Capture:
    """dumpcap/tcpdump on lo, restricted to `ports`, into `path`."""

    def __init__(self, path, ports):
        self.path = path
        self.filter = "tcp and (" + " or ".join(f"port {p}" for p in ports) + ")"

    def __enter__(self):
        if os.path.exists(self.path):
            os.unlink(self.path)
        if shutil.which("dumpcap"):
            argv = ["dumpcap", "-q", "-i", "lo", "-P", "-s", "128",
                    "-f", self.filter, "-w", self.path]
            ready = "Capturing on"
        elif shutil.which("tcpdump"):
            argv = ["tcpdump", "-i", "lo", "-U", "-s", "128", "-w", self.path,
                    self.filter]
            ready = "listening on"
        else:
            sys.exit("make_captures: need dumpcap (wireshark-common) or tcpdump")
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True)
        self.err = []
        seen = threading.Event()

        def reader():
            for line in self.proc.stderr:
                self.err.append(line)
                if ready in line:
                    seen.set()
        threading.Thread(target=reader, daemon=True).start()
        if not seen.wait(10):
            self.proc.kill()
            sys.exit("make_captures: capture did not start: " + "".join(self.err))
        # the "Capturing on" line comes once the handle is open; give the
        # kernel filter a moment, and wait for the file header to exist
        deadline = time.time() + 5
        while not os.path.exists(self.path) and time.time() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)  # let the last segments through
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return False


# ---------------------------------------------------------------- analysis
FLAGS = [(0x002, "S"), (0x004, "R"), (0x001, "F"), (0x008, "P"),
         (0x010, "A"), (0x020, "U")]


def flagstr(f):
    s = "".join(c for bit, c in FLAGS if f & bit)
    return s or "none"


def read_capture(path):
    """[(stream, sport, dport, flags, seq, ack, len)] in capture order."""
    out = subprocess.run(
        ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=/t",
         "-E", "occurrence=l", "-e", "tcp.stream", "-e", "tcp.srcport",
         "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.seq_raw",
         "-e", "tcp.ack_raw", "-e", "tcp.len"],
        capture_output=True, text=True, check=True).stdout
    pkts = []
    for line in out.splitlines():
        st, sp, dp, fl, seq, ack, ln = line.split("\t")
        pkts.append((int(st), int(sp), int(dp), int(fl, 16), int(seq),
                     int(ack), int(ln)))
    return pkts


def streams(pkts):
    d = {}
    for p in pkts:
        d.setdefault(p[0], []).append(p)
    return d


def after(a, b):
    """a >= b in sequence space (mod 2^32)."""
    return ((a - b) & 0xFFFFFFFF) < 0x80000000


def close_type(segs):
    """fin4 / fin3 / simultaneous / reset / refused / half-closed / open,
    and the port of the first FIN's sender."""
    if any(s[3] & 0x004 for s in segs):
        syns = [s for s in segs if s[3] & 0x002]
        synacks = [s for s in syns if s[3] & 0x010]
        return ("refused" if syns and not synacks else "reset"), None
    fins = [i for i, s in enumerate(segs) if s[3] & 0x001]
    if not fins:
        return "open", None
    first = segs[fins[0]]
    a = first[1]
    fin_end = (first[4] + first[6] + 1) & 0xFFFFFFFF
    second = [i for i in fins if segs[i][1] != a]
    if not second:
        return "half-closed", a
    j = second[0]
    if not (segs[j][3] & 0x010) or not after(segs[j][5], fin_end):
        return "simultaneous", a
    for s in segs[fins[0] + 1:j]:
        if s[1] != a and s[3] & 0x010 and after(s[5], fin_end):
            return "fin4", a
    return "fin3", a


def describe(path):
    lines = []
    for st, segs in sorted(streams(read_capture(path)).items()):
        ct, closer = close_type(segs)
        lines.append(f"  stream {st} {segs[0][1]}->{segs[0][2]}: "
                     + " ".join(flagstr(s[3]) for s in segs)
                     + f"  [{ct}{'' if closer is None else ' first FIN from ' + str(closer)}]")
    return "\n".join(lines)


# ---------------------------------------------------------------- sockets
def listener(family, host, port):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(64)
    return s


def connect(family, host, port, cport, tries=40):
    """Connect from the fixed client port cport.  A previous run may have
    left this 4-tuple in TIME_WAIT: Linux reuses it on loopback after ~1 s
    (net.ipv4.tcp_tw_reuse = 2), so wait and retry."""
    for _ in range(tries):
        c = socket.socket(family, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            c.bind((host, cport))
            c.connect((host, port))
            return c
        except OSError as e:
            c.close()
            if e.errno in (errno.EADDRNOTAVAIL, errno.EADDRINUSE):
                time.sleep(0.25)
                continue
            raise
    raise RuntimeError(f"cannot connect from port {cport}")


def recv_all(s):
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            return data
        data += b


def run_threads(*fns):
    errs = []

    def wrap(fn):
        try:
            fn()
        except Exception as e:  # report, do not hang
            errs.append(repr(e))
    ts = [threading.Thread(target=wrap, args=(fn,)) for fn in fns]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    if errs:
        raise RuntimeError("; ".join(errs))


def one_conn(family, host, sport, cport, server_fn, client_fn):
    """Run server_fn(conn) and client_fn(sock) on one connection."""
    ls = listener(family, host, sport)

    def server():
        conn, _ = ls.accept()
        try:
            server_fn(conn)
        finally:
            ls.close()

    def client():
        time.sleep(0.05)
        client_fn(connect(family, host, sport, cport))
    run_threads(server, client)


# ---------------------------------------------------------------- scenarios
def sc_close_client():
    """A few request/response rounds, the client closes first; the server
    reads EOF, waits, closes: FIN, ACK, FIN, ACK.  Client ends TIME_WAIT."""
    def server(c):
        while True:
            req = c.recv(1024)
            if not req:
                break
            c.sendall(b"reply to " + req)
        time.sleep(PASSIVE_SLEEP)
        c.close()

    def client(c):
        for i in range(3):
            c.sendall(b"request %d\n" % i)
            c.recv(1024)
            time.sleep(0.01)
        c.close()
    one_conn(socket.AF_INET, V4, 47001, 47101, server, client)


def sc_close_server():
    """The server answers and closes first; the client reads the answer and
    EOF, waits, closes: FIN, ACK, FIN, ACK.  Server ends TIME_WAIT."""
    def server(c):
        c.recv(1024)
        c.sendall(b"HTTP/1.0 200 OK\r\n\r\nbye\n")
        c.close()

    def client(c):
        c.sendall(b"GET / HTTP/1.0\r\n\r\n")
        recv_all(c)
        time.sleep(PASSIVE_SLEEP)
        c.close()
    one_conn(socket.AF_INET, V4, 47002, 47102, server, client)


def sc_close_merged():
    """The client closes; the server closes as soon as it reads EOF, before
    its delayed ACK of the FIN fires, so its FIN carries that ACK."""
    def server(c):
        c.recv(1024)
        c.sendall(b"pong\n")
        while c.recv(1024):
            pass
        c.close()  # at once

    def client(c):
        c.sendall(b"ping\n")
        c.recv(1024)
        time.sleep(0.05)
        c.close()
    one_conn(socket.AF_INET, V4, 47003, 47103, server, client)


def sc_close_fourway():
    """The client closes; the server sleeps 200 ms before closing, so its
    delayed ACK of the FIN goes out alone first: FIN, ACK, FIN, ACK."""
    def server(c):
        c.recv(1024)
        c.sendall(b"pong\n")
        while c.recv(1024):
            pass
        time.sleep(PASSIVE_SLEEP)
        c.close()

    def client(c):
        c.sendall(b"ping\n")
        c.recv(1024)
        time.sleep(0.05)
        c.close()
    one_conn(socket.AF_INET, V4, 47004, 47104, server, client)


def sc_refused():
    """Nothing listens on 47005: SYN, RST+ACK."""
    c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind((V4, 47105))
    try:
        c.connect((V4, 47005))
        raise RuntimeError("47005 accepted a connection")
    except ConnectionRefusedError:
        pass
    finally:
        c.close()


def sc_reset():
    """Data both ways, then the client sets SO_LINGER {1, 0} and closes:
    an RST instead of a FIN."""
    def server(c):
        c.recv(1024)
        c.sendall(b"pong\n")
        try:
            while c.recv(1024):
                pass
        except ConnectionResetError:
            pass
        c.close()

    def client(c):
        c.sendall(b"ping\n")
        c.recv(1024)
        time.sleep(0.05)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        c.close()
    one_conn(socket.AF_INET, V4, 47006, 47106, server, client)


def sc_half_close():
    """The client sends its request and shutdown(SHUT_WR)s; the server
    acknowledges the FIN, then keeps sending (5 segments, 30 ms apart) in
    CLOSE_WAIT, then closes.  The client reads to EOF in FIN_WAIT_2."""
    def server(c):
        recv_all(c)  # request, then EOF
        time.sleep(0.1)  # the delayed ACK of the FIN goes out alone
        for i in range(5):
            c.sendall(b"chunk %d of the answer\n" % i)
            time.sleep(0.03)
        c.close()

    def client(c):
        c.sendall(b"request, then my FIN\n")
        c.shutdown(socket.SHUT_WR)
        recv_all(c)
        c.close()
    one_conn(socket.AF_INET, V4, 47007, 47107, server, client)


def sc_ipv6_server_close():
    """IPv6 on ::1; the server answers and closes first; the client waits
    and closes: FIN, ACK, FIN, ACK."""
    def server(c):
        c.recv(1024)
        c.sendall(b"answer over IPv6\n")
        c.close()

    def client(c):
        c.sendall(b"question over IPv6\n")
        recv_all(c)
        time.sleep(PASSIVE_SLEEP)
        c.close()
    one_conn(socket.AF_INET6, V6, 47008, 47108, server, client)


PAR_N = 20
PAR_SPORT = 47010
PAR_CPORT = 47201  # .. 47220


def par_server_closes(cport):
    return (cport - PAR_CPORT) % 2 == 1  # odd index: server closes first


def sc_parallel():
    """20 connections from ports 47201..47220 to 47010, connected 5 ms
    apart (so tcp.stream follows the port) and all open at the same time;
    once all are up, each exchanges one request/response (interleaved),
    then, all together, the client
    closes first on even indexes, the server on odd ones; the passive side
    waits 200 ms, so every close is four-way."""
    ls = listener(socket.AF_INET, V4, PAR_SPORT)
    all_up = threading.Event()
    errs = []

    def handler(c):
        try:
            req = c.recv(1024)
            c.sendall(b"ok " + req)
            if req.startswith(b"S"):
                all_up.wait(20)
                c.close()
            else:
                while c.recv(1024):
                    pass
                time.sleep(PASSIVE_SLEEP)
                c.close()
        except Exception as e:
            errs.append(repr(e))

    def server():
        hs = []
        for _ in range(PAR_N):
            c, _ = ls.accept()
            t = threading.Thread(target=handler, args=(c,))
            t.start()
            hs.append(t)
        for t in hs:
            t.join(30)
        ls.close()

    connected = threading.Barrier(PAR_N)
    barrier = threading.Barrier(PAR_N, action=all_up.set)

    def client(i):
        cport = PAR_CPORT + i
        time.sleep(0.05 + 0.005 * i)
        c = connect(socket.AF_INET, V4, PAR_SPORT, cport)
        connected.wait(20)  # all 20 handshakes done: now talk all at once
        mode = b"S" if par_server_closes(cport) else b"C"
        c.sendall(mode + b" %d\n" % i)
        c.recv(1024)
        barrier.wait(20)
        if mode == b"S":
            recv_all(c)
            time.sleep(PASSIVE_SLEEP)
        c.close()

    run_threads(server, *[lambda i=i: client(i) for i in range(PAR_N)])
    if errs:
        raise RuntimeError("; ".join(errs))


def sc_simultaneous_close():
    """Both ends shutdown(SHUT_WR) at the same instant.  The server runs in
    a forked child, the client in this process; both spin on the monotonic
    clock until the same deadline, then call shutdown().  On loopback one
    FIN is normally delivered (and acked inside the other's FIN) before the
    other end sends its own, so this is retried until the second FIN does
    not acknowledge the first."""
    sport, cport = 47009, 47109
    ls = listener(socket.AF_INET, V4, sport)
    shm = mmap.mmap(-1, 16)
    pid = os.fork()
    if pid == 0:  # child: the server
        code = 0
        try:
            c, _ = ls.accept()
            ls.close()
            c.recv(1024)
            c.sendall(b"pong\n")
            while struct.unpack_from("q", shm, 0)[0] == 0:
                pass
            deadline = struct.unpack_from("q", shm, 0)[0]
            while time.monotonic_ns() < deadline:
                pass
            c.shutdown(socket.SHUT_WR)
            recv_all(c)
            c.close()
        except Exception as e:
            print("simultaneous-close server:", repr(e), file=sys.stderr)
            code = 1
        os._exit(code)
    ls.close()
    c = connect(socket.AF_INET, V4, sport, cport)
    c.sendall(b"ping\n")
    c.recv(1024)
    time.sleep(0.05)
    # the client's offset (-20..+20 us) moves the race around between tries
    deadline = time.monotonic_ns() + 50_000_000
    struct.pack_into("q", shm, 0, deadline)
    mine = deadline + random.randint(-20_000, 20_000)
    while time.monotonic_ns() < mine:
        pass
    c.shutdown(socket.SHUT_WR)
    recv_all(c)
    c.close()
    _, status = os.waitpid(pid, 0)
    if status != 0:
        raise RuntimeError("server child failed")


# ---------------------------------------------------------------- checks
def want_streams(n):
    def check(pkts):
        ss = streams(pkts)
        return len(ss) == n, f"{len(ss)} streams, want {n}"
    return check


def check_close(kind, closer_port, handshake=True):
    def check(pkts):
        ss = streams(pkts)
        if len(ss) != 1:
            return False, f"{len(ss)} streams, want 1"
        segs = ss[0]
        if handshake and [flagstr(s[3]) for s in segs[:3]] != ["S", "SA", "A"]:
            return False, "no clean three-way handshake"
        ct, closer = close_type(segs)
        if ct != kind:
            return False, f"close is {ct}, want {kind}"
        if closer_port is not None and closer != closer_port:
            return False, f"first FIN from {closer}, want {closer_port}"
        return True, "ok"
    return check


def check_refused(pkts):
    f = [flagstr(p[3]) for p in pkts]
    return f == ["S", "RA"], "flags " + " ".join(f)


def check_reset(pkts):
    f = [flagstr(p[3]) for p in pkts]
    ok = (f[:3] == ["S", "SA", "A"] and f[-1] == "RA" and pkts[-1][1] == 47106
          and "F" not in "".join(f))
    return ok, "flags " + " ".join(f)


def check_half_close(pkts):
    ok, msg = check_close("fin4", 47107)(pkts)
    if not ok:
        return ok, msg
    fin = next(i for i, p in enumerate(pkts) if p[3] & 0x001)
    data_after = [p for p in pkts[fin + 1:] if p[1] == 47007 and p[6] > 0]
    return len(data_after) >= 3, f"{len(data_after)} server data segments after the client's FIN"


def check_parallel(pkts):
    ss = streams(pkts)
    if len(ss) != PAR_N:
        return False, f"{len(ss)} streams, want {PAR_N}"
    for st, segs in ss.items():
        cport = segs[0][1]
        if cport != PAR_CPORT + st:
            return False, f"stream {st} is from port {cport}"
        ct, closer = close_type(segs)
        want = PAR_SPORT if par_server_closes(cport) else cport
        if ct != "fin4" or closer != want:
            return False, f"stream {st}: {ct} first FIN from {closer}"
    # overlap: every handshake before the first FIN
    first_fin = next(i for i, p in enumerate(pkts) if p[3] & 0x001)
    last_syn = max(i for i, p in enumerate(pkts) if p[3] & 0x002)
    return last_syn < first_fin, "all connections open at once" if last_syn < first_fin else "no overlap"


SCENARIOS = [
    # name, function, ports, check, tries
    ("close-client", sc_close_client, [47001, 47101], check_close("fin4", 47101), 5),
    ("close-server", sc_close_server, [47002, 47102], check_close("fin4", 47002), 5),
    ("close-merged", sc_close_merged, [47003, 47103], check_close("fin3", 47103), 40),
    ("close-fourway", sc_close_fourway, [47004, 47104], check_close("fin4", 47104), 5),
    ("refused", sc_refused, [47005, 47105], check_refused, 5),
    ("reset", sc_reset, [47006, 47106], check_reset, 5),
    ("half-close", sc_half_close, [47007, 47107], check_half_close, 5),
    ("ipv6-server-close", sc_ipv6_server_close, [47008, 47108], check_close("fin4", 47008), 5),
    ("parallel", sc_parallel, [PAR_SPORT], check_parallel, 5),
    ("simultaneous-close", sc_simultaneous_close, [47009, 47109],
     check_close("simultaneous", None), 100),
]


def main():
    if os.geteuid() != 0:
        sys.exit("make_captures: run as root (capturing on lo needs it)")
    wanted = sys.argv[1:] or [s[0] for s in SCENARIOS]
    unknown = set(wanted) - {s[0] for s in SCENARIOS}
    if unknown:
        sys.exit("make_captures: unknown scenario(s): " + " ".join(sorted(unknown)))
    failed = []
    tmpdir = tempfile.mkdtemp(prefix="tcpfsm-cap-")
    try:
        for name, fn, ports, check, tries in SCENARIOS:
            if name not in wanted:
                continue
            tmp = os.path.join(tmpdir, name + ".pcap")
            for attempt in range(1, tries + 1):
                if attempt > 1:
                    time.sleep(1.1)  # lets Linux reuse the TIME_WAIT 4-tuple
                with Capture(tmp, ports):
                    fn()
                ok, msg = check(read_capture(tmp))
                print(f"{name}: try {attempt}: {msg}", flush=True)
                if ok:
                    break
            dest = os.path.join(HERE, name + ".pcap")
            shutil.copyfile(tmp, dest)
            print(describe(dest))
            if not ok:
                failed.append(name)
                print(f"{name}: NOT achieved after {tries} tries "
                      "(the last try is kept)", flush=True)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    if failed:
        print("not achieved:", " ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
