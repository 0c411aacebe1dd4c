#!/usr/bin/env python3
"""direct_vs_tshark.py TCPFSM_OR_HARNESS ROOT [--keep DIR] [--only NAME]

The direct capture reader (tool/pcapsrc.c) against the tshark path.

For every capture in ROOT/captures/*.pcap*, ../shared/captures/**/*.pcap*
and a set of crafted edge-case captures written here (link types, VLAN /
QinQ, IPv4 options and fragments, IPv6 extension headers and fragments,
tunnels, snaplen-cut and short TCP headers, window scaling corner cases,
pcapng blocks, a truncated file ...), the rows the direct reader produces
must equal the rows of the tshark export that `tcpfsm fields` prints:

  * per frame: frame.number and frame.time_epoch (as text), frame.len,
    frame.cap_len; whether it is a TCP segment, a row tsv.c rejects (same
    message), or not TCP;
  * per row: every exported column except frame.protocols (tshark adds
    payload protocols), i.e. tcp.stream (pcapsrc_stream), ip.*/ipv6.*
    (last occurrence), ports, flags, seq_raw, ack_raw, tcp.len (empty vs
    number), tcp.window_size_value, tcp.window_size, tcp.checksum.status,
    frame.len, frame.cap_len - for ICMP rows too (tshark prints the quoted
    header); and for segments the one tsv.c builds (innermost addresses,
    window, len, payload_caplen);
  * the labels: `tcpfsm annotate -` on both exports gives the same label
    columns on every row;
  * both stop at the same frame when the file is cut short;
  * the same again with TCP checksum checking on (`tshark -o
    tcp.check_checksum:TRUE`, as `tcpfsm summary --zeek` runs it, against
    pcapsrc_set_checksums()): tcp.checksum.status 0/1/2 equal; this pass
    leaves tcp.stream empty (blanked in tshark's export for the labels),
    as seg->stream is by default.

A capture the direct reader reports as unsupported (the tool then falls
back to tshark) passes with a FALLBACK line saying why; the crafted
captures say which ones must fall back.

TCPFSM_OR_HARNESS is either the tests/pcapsrc_dump harness (it prints the
export layout) or, after integration, the tcpfsm binary (then `tcpfsm
annotate CAPTURE` must equal `tcpfsm annotate --via-tshark CAPTURE` on
every column but tcp.stream and frame.protocols).  The tshark command is
`tcpfsm fields X` (tcpfsm found next to the harness, in $TCPFSM, or on
PATH).

Prints a line per failure, a FALLBACK line per fallback, and
`N passed, M failed`.  Exit 77 (skip) when tshark is not installed.
"""
import csv
import glob
import os
import shutil
import struct
import subprocess
import sys
import tempfile

# ----------------------------------------------------------------------
# arguments

args = sys.argv[1:]
keep = None
only = None
if "--keep" in args:
    i = args.index("--keep")
    keep = args[i + 1]
    del args[i:i + 2]
if "--only" in args:
    i = args.index("--only")
    only = args[i + 1]
    del args[i:i + 2]
if len(args) != 2:
    sys.exit(__doc__)
PROG, ROOT = os.path.abspath(args[0]), os.path.abspath(args[1])
if not shutil.which("tshark"):
    print("direct_vs_tshark: tshark is not installed: skipped")
    sys.exit(77)
HARNESS = "pcapsrc_dump" in os.path.basename(PROG)


def find_tcpfsm():
    if not HARNESS:
        return PROG
    if os.environ.get("TCPFSM"):
        return os.environ["TCPFSM"]
    cand = os.path.join(os.path.dirname(os.path.dirname(PROG)), "tool", "tcpfsm")
    if os.path.exists(cand):
        return cand
    return shutil.which("tcpfsm")


TCPFSM = find_tcpfsm()
if not TCPFSM:
    sys.exit("direct_vs_tshark: cannot find tcpfsm (set $TCPFSM)")
FIELDS_ARGV = subprocess.run([TCPFSM, "fields", "X"], capture_output=True, text=True,
                             check=True).stdout.split()

passed = failed = 0
fallbacks = []


def ok(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)
    return cond


# ----------------------------------------------------------------------
# tsv.c's reading of a row (tsv_parse), to compare segments

TCP_COLS = ("tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.seq_raw",
            "tcp.ack_raw", "tcp.len", "tcp.window_size_value", "tcp.window_size",
            "tcp.checksum.status")


def layers(protos):
    """tcpfsm_protocols_layers: (segment?, IPv4 headers, IPv6 headers after
    the first tcp of frame.protocols)"""
    toks = protos.split(":")
    if "tcp" in toks:
        i = toks.index("tcp")
        if any(t in ("icmp", "icmpv6") for t in toks[:i]):
            return False, 0, 0
        rest = toks[i + 1:]
        return True, rest.count("ip"), rest.count("ipv6")
    return True, 0, 0


def narrow_row(h, r):
    """tsv.c's narrow_row(): the occurrences `-E occurrence=a` gives that
    belong to the segment (the first TCP header, the IP header before it);
    the last of each elsewhere, as `-E occurrence=l` prints"""
    r = list(r)
    pi = h.index("frame.protocols") if "frame.protocols" in h else -1
    protos = r[pi] if 0 <= pi < len(r) else ""
    if not protos:
        return r
    seg, a4, a6 = layers(protos)
    if not (a4 or a6 or any("," in c for c in r)):
        return r
    inner = seg and (a4 or a6)
    for i, col in enumerate(h):
        if i >= len(r) or not r[i]:
            continue
        vals = r[i].split(",")
        if inner and col in TCP_COLS:
            r[i] = vals[0]
            continue
        skip = 0
        if inner and col in ("ip.src", "ip.dst"):
            skip = a4
        elif inner and col in ("ipv6.src", "ipv6.dst"):
            skip = a6
        want = len(vals) - skip
        r[i] = vals[want - 1] if want >= 1 else ""
    return r


def parse_row(h, r):
    """('none', None) | ('bad', message) | ('tcp', dict) as tsv_parse (a
    tshark row goes through narrow_row() first)"""
    c = {name: (r[i] if i < len(r) else "") for i, name in enumerate(h)}

    def last(v):
        return v.rsplit(",", 1)[-1]

    for k in list(c):
        c[k] = last(c[k])
    if not c.get("tcp.srcport"):
        return ("none", None)
    protos = r[h.index("frame.protocols")] if "frame.protocols" in h else ""
    ip_first = 0
    if protos:
        seg_, _, _ = layers(protos)
        if not seg_:
            return ("none", None)
        toks = protos.split(":")
        before = toks[:toks.index("tcp")] if "tcp" in toks else toks
        ips = [t for t in before if t in ("ip", "ipv6")]
        if ips:
            ip_first = 4 if ips[-1] == "ip" else 6
    for f in ("frame.number", "tcp.srcport", "tcp.dstport", "tcp.seq_raw", "tcp.ack_raw"):
        if c.get(f, "") == "":
            return ("bad", f + ": empty")
    seg = {f: c[f] for f in ("frame.number", "tcp.srcport", "tcp.dstport",
                             "tcp.seq_raw", "tcp.ack_raw")}
    seg["len"] = c.get("tcp.len") or "0"
    if not c.get("tcp.flags"):
        return ("bad", "tcp.flags: empty")
    seg["flags"] = int(c["tcp.flags"], 16)
    seg["time"] = c.get("frame.time_epoch", "")
    if c.get("tcp.window_size"):
        seg["window"], seg["scaled"] = c["tcp.window_size"], True
    elif c.get("tcp.window_size_value"):
        seg["window"], seg["scaled"] = c["tcp.window_size_value"], False
    else:
        seg["window"], seg["scaled"] = None, False
    seg["checksum"] = c.get("tcp.checksum.status", "")
    fl, cl = c.get("frame.len", ""), c.get("frame.cap_len", "")
    seg["payload_caplen"] = -1
    if fl and cl and int(cl) < int(fl):
        seg["payload_caplen"] = max(0, int(seg["len"]) - (int(fl) - int(cl)))
    pairs = [("ip.src", "ip.dst"), ("ipv6.src", "ipv6.dst")]
    if ip_first == 6:
        pairs.reverse()
    for a, b in pairs:
        if not c.get(a):
            continue
        if not c.get(b):
            return ("bad", b + ": empty")
        seg["src"], seg["dst"] = c[a], c[b]
        return ("tcp", seg)
    return ("bad", "ip.src: no IPv4 or IPv6 address on a TCP row")


def read_tsv(text):
    rows = list(csv.reader(text.splitlines(), delimiter="\t", quoting=csv.QUOTE_NONE))
    return (rows[0], rows[1:]) if rows else ([], [])


# ----------------------------------------------------------------------
# one capture

def tshark_export(cap, checksums=False):
    argv = ["tshark"] + [a if a != "X" else cap for a in FIELDS_ARGV[1:]]
    if checksums:
        # as tshark_argv(..., checksums=true) (`tcpfsm summary --zeek`)
        argv[1:1] = ["-o", "tcp.check_checksum:TRUE"]
    p = subprocess.run(argv, capture_output=True, text=True)
    return p


def labels(tsv_text):
    """label columns of `tcpfsm annotate -` per frame number"""
    p = subprocess.run([TCPFSM, "annotate", "-"], input=tsv_text, capture_output=True,
                       text=True)
    h, rows = read_tsv(p.stdout)
    if not h:
        return {}
    lab = h.index("event")
    fn = h.index("frame.number")
    return {r[fn]: r[lab:] for r in rows}


def blank_stream(text):
    h, rows = read_tsv(text)
    if "tcp.stream" not in h:
        return text
    i = h.index("tcp.stream")
    out = ["\t".join(h)]
    for r in rows:
        r = list(r)
        if i < len(r):
            r[i] = ""
        out.append("\t".join(r))
    return "\n".join(out) + "\n"


SKIP_COLS = {"tcp.stream", "frame.protocols"}
FRAME_COLS = ("frame.number", "frame.time_epoch", "frame.len", "frame.cap_len")


def compare_capture(name, cap, expect_fallback=None, checksums=False):
    ts = tshark_export(cap, checksums)
    # the first pass numbers streams (pcapsrc_stream) and compares
    # tcp.stream too; the checksum pass leaves them out, as seg->stream
    streams = not checksums
    if checksums:
        name += " (checksums, no streams)"
    if HARNESS:
        d = subprocess.run([PROG] + (["--checksums"] if checksums else ["--streams"]) + [cap],
                           capture_output=True, text=True)
        if d.returncode == 3:
            why = d.stderr.strip().split("unsupported: ", 1)[-1]
            fallbacks.append((name, why))
            print(f"FALLBACK {name}: {why}")
            return ok(expect_fallback is not False,
                      f"{name}: falls back but should be decoded: {why}")
        if not ok(expect_fallback is not True, f"{name}: decoded but should fall back"):
            return False
        th, trows = read_tsv(ts.stdout)
        dh, drows = read_tsv(d.stdout)
        good = ok(th == dh, f"{name}: header differs: {dh} vs {th}")
        good &= ok((ts.returncode != 0) == (d.returncode != 0),
                   f"{name}: tshark exit {ts.returncode} ({ts.stderr.strip()[-120:]}), "
                   f"direct exit {d.returncode} ({d.stderr.strip()[-120:]})")
        good &= ok(len(trows) == len(drows),
                   f"{name}: {len(trows)} tshark rows, {len(drows)} direct rows")
        diffs = []
        for tr, dr in zip(trows, drows):
            tr = narrow_row(th, tr)
            tk, tv = parse_row(th, tr)
            dk, dv = parse_row(dh, dr)
            fr = tr[0] if tr else "?"
            if tk != dk or (tk == "bad" and tv != dv):
                diffs.append(f"frame {fr}: tshark {tk} {tv or ''} / direct {dk} {dv or ''}")
                continue
            cols = [c for c in th if c not in SKIP_COLS or (streams and c == "tcp.stream")]
            for col in cols:
                i = th.index(col)
                a = tr[i] if i < len(tr) else ""
                b = dr[i] if i < len(dr) else ""
                if a != b:
                    diffs.append(f"frame {fr}: {col}: tshark {a!r} direct {b!r}")
            if tk == "tcp" and tv != dv:
                diffs.append(f"frame {fr}: segment: tshark {tv} direct {dv}")
        good &= ok(not diffs, f"{name}: {len(diffs)} differences, first: " + "; ".join(diffs[:4]))
        lt = labels(ts.stdout if streams else blank_stream(ts.stdout))
        ld = labels(d.stdout)
        ldiff = [k for k in lt if lt.get(k) != ld.get(k)] + [k for k in ld if k not in lt]
        good &= ok(not ldiff, f"{name}: labels differ on frames {ldiff[:8]}: "
                   + (f"tshark {lt.get(ldiff[0])} direct {ld.get(ldiff[0])}" if ldiff else ""))
        return good
    # integrated tcpfsm: direct annotate against --via-tshark
    d = subprocess.run([PROG, "annotate", cap], capture_output=True, text=True)
    v = subprocess.run([PROG, "annotate", "--via-tshark", cap], capture_output=True, text=True)
    if "through tshark" in d.stderr or "unsupported" in d.stderr:
        fallbacks.append((name, d.stderr.strip()[-200:]))
        print(f"FALLBACK {name}: {d.stderr.strip()[-200:]}")
    dh, drows = read_tsv(d.stdout)
    vh, vrows = read_tsv(v.stdout)
    good = ok(dh == vh, f"{name}: header differs")
    good &= ok(d.returncode == v.returncode,
               f"{name}: exit {d.returncode} direct, {v.returncode} via tshark")
    good &= ok(len(drows) == len(vrows), f"{name}: {len(drows)} vs {len(vrows)} rows")
    diffs = []
    for vr, dr in zip(vrows, drows):
        for i, col in enumerate(vh):
            if col in SKIP_COLS:
                continue
            a = vr[i] if i < len(vr) else ""
            b = dr[i] if i < len(dr) else ""
            if a != b:
                diffs.append(f"frame {vr[0]}: {col}: tshark {a!r} direct {b!r}")
    good &= ok(not diffs, f"{name}: {len(diffs)} differences, first: " + "; ".join(diffs[:4]))
    return good


# ----------------------------------------------------------------------
# crafted captures

def csum16(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def a4(s):
    return bytes(int(x) for x in s.split("."))


def a6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def tcp(sport, dport, seq, ack, flags, win=8192, opts=b"", data=b"", doff=None, src=None,
        dst=None):
    while len(opts) % 4:
        opts += b"\0"
    off = doff if doff is not None else (20 + len(opts)) // 4
    h = struct.pack("!HHIIHHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                    (off << 12) | flags, win, 0, 0) + opts
    seg = h + data
    if src is not None:
        if len(src) == 4:
            ph = src + dst + struct.pack("!BBH", 0, 6, len(seg))
        else:
            ph = src + dst + struct.pack("!IxxxB", len(seg), 6)
        c = csum16(ph + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return seg


def ipv4(src, dst, payload, proto=6, ident=1, frag=0, opts=b"", tot=None, ihl=None, ver=4,
         ttl=64):
    while len(opts) % 4:
        opts += b"\0"
    hl = ihl if ihl is not None else (20 + len(opts)) // 4
    total = tot if tot is not None else 20 + len(opts) + len(payload)
    h = struct.pack("!BBHHHBBH4s4s", (ver << 4) | hl, 0, total, ident, frag, ttl, proto, 0,
                    a4(src), a4(dst)) + opts
    h = h[:10] + struct.pack("!H", csum16(h)) + h[12:]
    return h + payload


def ipv6(src, dst, payload, nxt=6, plen=None, hlim=64):
    n = plen if plen is not None else len(payload)
    return struct.pack("!IHBB16s16s", 6 << 28, n, nxt, hlim, a6(src), a6(dst)) + payload


MAC1 = bytes.fromhex("020000000001")
MAC2 = bytes.fromhex("020000000002")


def eth(payload, etype=0x0800, tags=(), pad=True):
    b = MAC2 + MAC1
    for tpid, tci in tags:
        b += struct.pack("!HH", tpid, tci)
    b += struct.pack("!H", etype) + payload
    if pad and len(b) < 60:
        b += b"\0" * (60 - len(b))
    return b


def ws(shift):
    return b"\x01\x03\x03" + bytes([shift])


MSS = b"\x02\x04\x05\xb4"


class Pkts:
    """frames: (bytes, caplen or None, orig len or None); time grows 1 ms"""

    def __init__(self):
        self.frames = []

    def add(self, data, caplen=None, orig=None):
        self.frames.append((data, caplen, orig))


def write_pcap(path, linktype, frames, nsec=False, big=False, snaplen=262144):
    e = ">" if big else "<"
    magic = 0xA1B23C4D if nsec else 0xA1B2C3D4
    with open(path, "wb") as f:
        f.write(struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
        t = 1600000000
        for i, (data, caplen, orig) in enumerate(frames):
            cl = len(data) if caplen is None else caplen
            ol = orig if orig is not None else len(data)
            frac = (i * 1234567) % (1000000000 if nsec else 1000000)
            f.write(struct.pack(e + "IIII", t + i, frac, cl, ol) + data[:cl])


def ng_block(btype, body):
    pad = (-len(body)) % 4
    total = 12 + len(body) + pad
    return struct.pack("<II", btype, total) + body + b"\0" * pad + struct.pack("<I", total)


def ng_opt(code, val):
    pad = (-len(val)) % 4
    return struct.pack("<HH", code, len(val)) + val + b"\0" * pad


def write_pcapng(path, linktype, frames, extra=None, tsresol=None, comments=False):
    """extra: {index: [raw blocks to insert before frame index]}"""
    with open(path, "wb") as f:
        f.write(ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        opts = b""
        if tsresol is not None:
            opts = ng_opt(9, bytes([tsresol])) + ng_opt(0, b"")
        f.write(ng_block(1, struct.pack("<HHI", linktype, 0, 0) + opts))
        for i, (data, caplen, orig) in enumerate(frames):
            for blk in (extra or {}).get(i, []):
                f.write(blk)
            cl = len(data) if caplen is None else caplen
            ol = orig if orig is not None else len(data)
            ts = (1600000000 + i) * 1000000 + i * 7
            if tsresol == 9:
                ts = (1600000000 + i) * 1000000000 + i * 7777
            body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, cl, ol) + data[:cl]
            body += b"\0" * ((-cl) % 4)
            if comments and i % 2 == 0:
                body += ng_opt(1, b"a comment") + ng_opt(0, b"")
            f.write(ng_block(6, body))


C4, S4 = "10.0.0.1", "10.0.0.2"
P4C, P4S = "192.0.2.1", "198.51.100.7"   # public: no VLAN in fragment keys
C6, S6 = "2001:db8::1", "2001:db8::2"


def conv4(p, wrap, c=C4, s=S4, cp=40000, sp=80, cws=7, sws=8, isn_c=1000, isn_s=5000,
          data=3, close=True, syn=True, synack=True, opts_extra=b""):
    """a connection through wrap(ip_packet) -> frame bytes"""
    def seg(src, dst, sport, dport, seq, ack, fl, win, opts=b"", payload=b""):
        t = tcp(sport, dport, seq, ack, fl, win, opts, payload, src=a4(src), dst=a4(dst))
        p.add(wrap(ipv4(src, dst, t)))
    cs, ss = isn_c, isn_s
    if syn:
        seg(c, s, cp, sp, cs, 0, 0x002, 64240,
            MSS + (ws(cws) if cws is not None else b"") + opts_extra)
    if synack:
        seg(s, c, sp, cp, ss, cs + 1, 0x012, 65160, MSS + (ws(sws) if sws is not None else b""))
    cs += 1
    ss += 1
    seg(c, s, cp, sp, cs, ss, 0x010, 502)
    for i in range(data):
        seg(c, s, cp, sp, cs, ss, 0x018, 502, payload=b"x" * 100)
        cs += 100
        seg(s, c, sp, cp, ss, cs, 0x018, 509, payload=b"y" * 300)
        ss += 300
    if close:
        seg(c, s, cp, sp, cs, ss, 0x011, 502)
        seg(s, c, sp, cp, ss, cs + 1, 0x011, 509)
        seg(c, s, cp, sp, cs + 1, ss + 1, 0x010, 502)


def crafted(d):
    """[(name, path, expect_fallback)]"""
    out = []
    rr = bytes([7, 11, 4]) + b"\0" * 8   # IPv4 record route option

    def cap(name, frames, linktype=1, fallback=False, **kw):
        path = os.path.join(d, name + ".pcap")
        write_pcap(path, linktype, frames.frames if isinstance(frames, Pkts) else frames, **kw)
        out.append((name, path, fallback))
        return path

    E = lambda ip: eth(ip)  # noqa: E731

    # --- window scaling ---
    p = Pkts(); conv4(p, E); cap("ws-both", p)
    p = Pkts(); conv4(p, E, sws=None); cap("ws-syn-only", p)
    p = Pkts(); conv4(p, E, cws=None); cap("ws-synack-only", p)
    p = Pkts(); conv4(p, E, syn=False); cap("ws-missing-syn", p)
    p = Pkts(); conv4(p, E, syn=False, synack=False); cap("ws-midstream", p)
    p = Pkts(); conv4(p, E, cws=15, sws=14); cap("ws-shift-over-14", p)
    p = Pkts()
    conv4(p, E, data=1)
    conv4(p, E, cws=None, sws=None, isn_c=9000, data=1)        # port reuse: new SYN
    conv4(p, E, cws=3, sws=3, isn_c=9000, isn_s=7000, data=1)   # same ISN: retransmission
    cap("ws-port-reuse", p)
    p = Pkts()
    conv4(p, E, cws=None, sws=None, data=0, close=False)
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1001, 5001, 0x018, 100, ws(5), b"z" * 10))))
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1011, 5001, 0x010, 100))))
    cap("ws-option-on-data", p)
    p = Pkts()
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1, 0, 0x002, 1000, b"\x03\x04\x07\x00" + MSS))))
    p.add(E(ipv4(S4, C4, tcp(80, 40000, 9, 2, 0x012, 1000, ws(2)))))
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 2, 10, 0x010, 1000))))
    p.add(E(ipv4(S4, C4, tcp(80, 40000, 10, 2, 0x010, 1000))))
    cap("ws-bad-option-length", p)
    # options cut by the snaplen (WS option not captured) and EOL games
    p = Pkts()
    f = E(ipv4(C4, S4, tcp(40000, 80, 1, 0, 0x002, 1000, MSS + b"\x01\x01\x01" + ws(4)[1:])))
    p.add(f, caplen=14 + 20 + 24)
    p.add(E(ipv4(S4, C4, tcp(80, 40000, 9, 2, 0x012, 1000, ws(2)))))
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 2, 10, 0x010, 1000))))
    p.add(E(ipv4(S4, C4, tcp(80, 40000, 10, 2, 0x010, 1000))))
    p.add(E(ipv4(C4, S4, tcp(40001, 80, 1, 0, 0x002, 1000, b"\x00\x03\x03\x05"))))
    p.add(E(ipv4(S4, C4, tcp(80, 40001, 9, 2, 0x012, 1000, ws(2)))))
    p.add(E(ipv4(S4, C4, tcp(80, 40001, 10, 2, 0x010, 1000))))
    p.add(E(ipv4(C4, S4, tcp(40002, 80, 1, 0, 0x002, 1000, b"\x03\x09\x03\x05"))))
    p.add(E(ipv4(S4, C4, tcp(80, 40002, 9, 2, 0x012, 1000, ws(2)))))
    p.add(E(ipv4(S4, C4, tcp(80, 40002, 10, 2, 0x010, 1000))))
    cap("ws-options-cut-and-eol", p)
    # same address and port on both ends
    p = Pkts()
    for fl in (0x002, 0x012, 0x010, 0x018):
        p.add(E(ipv4(C4, C4, tcp(5000, 5000, 7, 7, fl, 1000, ws(3) if fl & 2 else b""))))
    cap("same-endpoint", p)

    # --- short and cut headers ---
    p = Pkts()
    conv4(p, E, data=2, close=False)
    full = E(ipv4(C4, S4, tcp(40000, 80, 1201, 5601, 0x018, 502, b"", b"q" * 1000)))
    for cl in (14 + 20 + 3, 14 + 20 + 10, 14 + 20 + 16, 14 + 20 + 17, 14 + 20 + 19, 14 + 20 + 20,
               64, 96, 14 + 19):
        p.add(full, caplen=cl)
    cap("snaplen-cut", p, snaplen=65535)
    p = Pkts()
    conv4(p, E, data=1, close=False)
    for doff in (0, 1, 4):
        p.add(E(ipv4(C4, S4, tcp(40000, 80, 1101, 5301, 0x018, 502, b"", b"d" * 20, doff=doff))))
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1101, 5301, 0x018, 502, b"", b"", doff=15))))  # short
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1101, 5301, 0x010, 502), tot=20 + 12)))       # ip short
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1101, 5301, 0x010, 502, b"", b"L" * 30), tot=0)))  # TSO
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1131, 5301, 0x010, 502), tot=400)))           # > frame
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1131, 5301, 0x010, 502), tot=10)))            # bogus
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1131, 5301, 0x010, 502), ihl=4)))
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1131, 5301, 0x010, 502), ver=6)))
    p.add(E(ipv4(C4, S4, b"\x9c\x40")))                                             # 2 bytes
    cap("short-headers", p)

    # --- link layers ---
    def lt(name, linktype, wrap, fallback=False, **kw):
        p = Pkts()
        conv4(p, wrap, data=2)
        return cap(name, p, linktype, fallback, **kw)

    lt("sll", 113, lambda ip: struct.pack("!HHH8sH", 0, 1, 6, MAC1 + b"\0\0", 0x0800) + ip)
    lt("sll2", 276, lambda ip: struct.pack("!HHIHBB8s", 0x0800, 0, 3, 1, 0, 6, MAC1 + b"\0\0") + ip)
    lt("null-le", 0, lambda ip: struct.pack("<I", 2) + ip)
    lt("null-be", 0, lambda ip: struct.pack(">I", 2) + ip)
    lt("loop", 108, lambda ip: struct.pack(">I", 2) + ip)
    lt("raw-101", 101, lambda ip: ip)
    lt("raw-12", 12, lambda ip: ip)
    lt("raw-zero-prefix", 101, lambda ip: b"\0" * 10 + ip)
    lt("ipv4-228", 228, lambda ip: ip)
    lt("pcap-nsec-bigendian", 1, E, nsec=True, big=True)
    lt("vlan", 1, lambda ip: eth(ip, tags=[(0x8100, 0x2064)]))
    lt("qinq-88a8", 1, lambda ip: eth(ip, tags=[(0x88a8, 0x0010), (0x8100, 0x0064)]))
    lt("qinq-9100", 1, lambda ip: eth(ip, tags=[(0x9100, 0x0010), (0x8100, 0x0064)]))
    lt("vlan-priority-tag", 1, lambda ip: eth(ip, tags=[(0x8100, 0x6000)]))
    lt("llc-snap", 1, lambda ip: MAC2 + MAC1 + struct.pack("!H", 8 + len(ip))
       + b"\xaa\xaa\x03\x00\x00\x00\x08\x00" + ip)
    lt("eth-fcs-trailer", 1, lambda ip: eth(ip, pad=False) + b"\xde\xad\xbe\xef")
    # the pcap header says every frame ends with a 4-byte FCS (FCS bits of
    # the link-type field): tshark leaves it out of the IP payload, which
    # shows with IPv4 total length 0 (TSO) and a length past the frame
    p = Pkts()
    conv4(p, lambda ip: eth(ip, pad=False) + b"\xde\xad\xbe\xef", data=1, close=False)
    for tot in (0, 400):
        p.add(eth(ipv4(C4, S4, tcp(40000, 80, 1101, 5301, 0x018, 502, b"", b"t" * 30),
                       tot=tot), pad=False) + b"\xde\xad\xbe\xef")
    cap("eth-fcs-bits", p, 1 | 0x04000000 | (2 << 28))
    lt("mpls", 1, lambda ip: eth(struct.pack("!I", (100 << 12) | (1 << 8) | 64) + ip,
                                 etype=0x8847), fallback=True)
    lt("pppoe", 1, lambda ip: eth(struct.pack("!BBHHH", 0x11, 0, 1, len(ip) + 2, 0x21) + ip,
                                  etype=0x8864), fallback=True)
    lt("null-ppp", 0, lambda ip: b"\xff\x03\x00\x21" + ip, fallback=True)

    # IPv6 over various layers
    def conv6(p, wrap, ext=b"", nxt=6, c=C6, s=S6):
        def seg(src, dst, sport, dport, seq, ack, fl, win, opts=b"", payload=b""):
            t = tcp(sport, dport, seq, ack, fl, win, opts, payload, src=a6(src), dst=a6(dst))
            p.add(wrap(ipv6(src, dst, ext + t, nxt=nxt)))
        seg(c, s, 40000, 443, 100, 0, 0x002, 64800, MSS + ws(7))
        seg(s, c, 443, 40000, 900, 101, 0x012, 64800, MSS + ws(9))
        seg(c, s, 40000, 443, 101, 901, 0x010, 507)
        seg(c, s, 40000, 443, 101, 901, 0x018, 507, payload=b"h" * 200)
        seg(s, c, 443, 40000, 901, 301, 0x018, 505, payload=b"k" * 1000)
        seg(c, s, 40000, 443, 301, 1901, 0x011, 507)
        seg(s, c, 443, 40000, 1901, 302, 0x011, 505)

    p = Pkts(); conv6(p, lambda ip: eth(ip, 0x86dd)); cap("ipv6", p)
    p = Pkts(); conv6(p, lambda ip: ip); cap("ipv6-229", p, 229)
    p = Pkts(); conv6(p, lambda ip: struct.pack("<I", 30) + ip); cap("null-ipv6-30", p, 0)
    p = Pkts(); conv6(p, lambda ip: struct.pack("<I", 24) + ip); cap("null-ipv6-24", p, 0)
    p = Pkts(); conv6(p, lambda ip: struct.pack(">I", 28) + ip); cap("loop-ipv6", p, 108)
    hop = bytes([60, 0, 1, 4, 0, 0, 0, 0])           # hop-by-hop -> dstopts
    dst = bytes([43, 1, 1, 12]) + b"\0" * 12         # dstopts (16) -> routing
    rt = bytes([6, 2, 0, 0, 0, 0, 0, 0]) + a6("2001:db8::99")   # RT0, segleft 0
    p = Pkts(); conv6(p, lambda ip: eth(ip, 0x86dd), hop + dst + rt, nxt=0)
    cap("ipv6-ext-headers", p)
    rt1 = bytes([6, 2, 0, 1, 0, 0, 0, 0]) + a6("2001:db8::99")  # RT0, segleft 1
    p = Pkts(); conv6(p, lambda ip: eth(ip, 0x86dd), rt1, nxt=43)
    cap("ipv6-rt0-segleft", p)
    rt2 = bytes([6, 2, 2, 1, 0, 0, 0, 0]) + a6("2001:db8::77")  # type 2
    p = Pkts(); conv6(p, lambda ip: eth(ip, 0x86dd), rt2, nxt=43)
    cap("ipv6-rt2", p)
    atomic = bytes([6, 0, 0, 0, 0, 0, 0, 9])       # fragment header, offset 0, M=0
    p = Pkts(); conv6(p, lambda ip: eth(ip, 0x86dd), atomic, nxt=44)
    cap("ipv6-atomic-fragment", p)
    ah6 = bytes([6, 4, 0, 0]) + struct.pack("!II", 0x100, 1) + b"\0" * 12
    p = Pkts(); conv6(p, lambda ip: eth(ip, 0x86dd), ah6, nxt=51)
    cap("ipv6-ah", p)

    # IPv6 fragments
    p = Pkts()
    t = tcp(40000, 443, 100, 0, 0x002, 64800, MSS + ws(7), b"S" * 1400, src=a6(C6), dst=a6(S6))
    t2 = tcp(443, 40000, 900, 101, 0x012, 64800, MSS + ws(9), src=a6(S6), dst=a6(C6))
    t3 = tcp(40000, 443, 101, 901, 0x018, 507, b"", b"D" * 3000, src=a6(C6), dst=a6(S6))

    def frag6(src, dst, data, ident, chunks, order=None):
        parts = []
        off = 0
        for n in chunks:
            more = off + n < len(data)
            fh = struct.pack("!BBHI", 6, 0, off | (1 if more else 0), ident)
            parts.append(eth(ipv6(src, dst, fh + data[off:off + n], nxt=44), 0x86dd))
            off += n
        for i in (order or range(len(parts))):
            p.add(parts[i])
    frag6(C6, S6, t, 1, [512, 512, len(t) - 1024])
    p.add(eth(ipv6(S6, C6, t2), 0x86dd))
    frag6(C6, S6, t3, 2, [1024, 1024, len(t3) - 2048], order=[2, 0, 1])
    frag6(C6, S6, t3, 3, [1024, len(t3) - 1024], order=[0])          # never completed
    cap("ipv6-fragments", p)

    # IPv4 fragments
    def frag4(p, src, dst, data, ident, chunks, order=None, proto=6, wrap=E, dup=None,
              cut=None):
        parts = []
        off = 0
        for n in chunks:
            more = off + n < len(data)
            parts.append(wrap(ipv4(src, dst, data[off:off + n], proto=proto, ident=ident,
                                   frag=(0x2000 if more else 0) | (off // 8))))
            off += n
        for i in (order or range(len(parts))):
            if cut is not None and i == 0:
                p.add(parts[i], caplen=cut)
            else:
                p.add(parts[i])
            if dup is not None and i == dup:
                p.add(parts[i])

    for label, wrap in (("", E), ("-vlan", lambda ip: eth(ip, tags=[(0x8100, 5)]))):
        p = Pkts()
        s1 = tcp(40000, 80, 1000, 0, 0x002, 64240, MSS + ws(6), b"A" * 2000, src=a4(C4),
                 dst=a4(S4))
        frag4(p, C4, S4, s1, 7, [8, 1000, 1000, len(s1) - 2008], wrap=wrap)
        p.add(wrap(ipv4(S4, C4, tcp(80, 40000, 5000, 1001, 0x012, 65160, MSS + ws(4),
                                    src=a4(S4), dst=a4(C4)))))
        d1 = tcp(40000, 80, 1001, 5001, 0x018, 300, b"", b"B" * 3000, src=a4(C4), dst=a4(S4))
        frag4(p, C4, S4, d1, 8, [1480, 1480, len(d1) - 2960], order=[1, 2, 0], wrap=wrap)
        frag4(p, C4, S4, d1, 9, [1480, 1480, len(d1) - 2960], order=[0, 1], wrap=wrap)  # lost
        frag4(p, C4, S4, d1, 10, [1480, 1480, len(d1) - 2960], dup=1, wrap=wrap)
        frag4(p, C4, S4, d1, 11, [1480, 1480, len(d1) - 2960], cut=200, wrap=wrap)  # cut
        frag4(p, C4, S4, d1, 12, [1480, 1480, len(d1) - 2960], order=[0, 2], wrap=wrap)
        frag4(p, C4, S4, d1, 12, [1480, 1480, len(d1) - 2960], order=[1], wrap=wrap)  # later
        # a fragment id reused after completion, and a public-address datagram
        frag4(p, C4, S4, d1, 10, [1480, len(d1) - 1480], wrap=wrap)
        d2 = tcp(40001, 80, 1, 2, 0x018, 300, b"", b"C" * 2000, src=a4(P4C), dst=a4(P4S))
        frag4(p, P4C, P4S, d2, 13, [1000, len(d2) - 1000], wrap=wrap)
        cap("ipv4-fragments" + label, p)
    # overlapping fragments with different data: the first copy wins
    p = Pkts()
    d1 = tcp(40000, 80, 1001, 5001, 0x018, 300, b"", b"B" * 64)
    d1x = tcp(40000, 81, 1001, 5001, 0x018, 300, b"", b"B" * 64)
    p.add(E(ipv4(C4, S4, d1[:40], ident=20, frag=0x2000)))
    p.add(E(ipv4(C4, S4, d1x[:40], ident=20, frag=0x2000)))
    p.add(E(ipv4(C4, S4, d1[40:], ident=20, frag=5)))
    p.add(E(ipv4(C4, S4, d1[:16], ident=21, frag=0x2000)))      # header split over fragments
    p.add(E(ipv4(C4, S4, d1[16:], ident=21, frag=2)))
    cap("ipv4-fragment-overlap", p)

    # IPv4 options
    tsopt = bytes([68, 12, 5, 0]) + b"\0" * 8
    lsrr = bytes([131, 11, 4]) + a4("10.9.9.9") + a4("10.8.8.8")
    lsrr_done = bytes([131, 11, 12]) + a4("10.9.9.9") + a4("10.8.8.8")
    lsrr_odd = bytes([131, 9, 4]) + a4("10.9.9.9") + b"\0\0"
    for name, opt in (("ipv4-options", b"\x01" + rr + tsopt), ("ipv4-lsrr", lsrr),
                      ("ipv4-lsrr-done", lsrr_done), ("ipv4-lsrr-odd", lsrr_odd)):
        p = Pkts()
        for fl, sp, dp, src, dst in ((0x002, 40000, 80, C4, S4), (0x012, 80, 40000, S4, C4),
                                     (0x010, 40000, 80, C4, S4), (0x018, 80, 40000, S4, C4)):
            p.add(E(ipv4(src, dst, tcp(sp, dp, 1, 1, fl, 100, ws(2) if fl & 2 else b"",
                                       b"o" * 10), opts=opt)))
        cap(name, p)

    # IPv4 options too short for what tshark 4.0's option dissector reads
    # (packet-ip.c; proto_tree_add_item checks the bytes even for fields
    # nobody asked for): the exception ends the IP dissection - ip.src /
    # ip.dst printed, no TCP fields, no reassembly.  Each known type below,
    # at and above its minimum; length 0/1, an option running past the
    # header, a length byte past the header and EOL only end the walk (TCP
    # still decoded), NOPs are skipped; a header cut inside the options
    # drops a source route's ip.dst.
    def opt(t, n, fill=b""):
        body = (fill + b"\0" * 40)[:max(0, n - 2)]
        return bytes([t, n]) + body

    route = lambda t, n: opt(t, n, bytes([4]) + a4("10.9.9.9") * 10)  # noqa: E731
    cipso = lambda n, tags=b"": opt(134, n, struct.pack("!I", 3) + tags)  # noqa: E731
    cases = []
    for t in (131, 137, 7):
        cases += [route(t, 2), route(t, 3), route(t, 4), route(t, 7), route(t, 11)]
    for t, lens in ((130, (2, 3, 11)), (133, (2, 3, 4)), (136, (2, 3, 4)), (11, (2, 3, 4)),
                    (12, (2, 3, 4)), (148, (2, 3, 4)), (82, (2, 11, 12)), (149, (2, 6)),
                    (99, (2, 4))):
        cases += [opt(t, n) for n in lens]
    cases += [opt(68, 2), opt(68, 3, b"\x05"), opt(68, 4, b"\x05"), opt(68, 8, b"\x05\x01"),
              opt(68, 12, b"\x05\x00")]                                  # time stamp
    cases += [opt(25, 2), opt(25, 3, b"\x00"), opt(25, 3, b"\x10"), opt(25, 7, b"\x80"),
              opt(25, 8, b"\x00"), opt(25, 8, b"\x80")]                  # quick-start
    cases += [cipso(2), cipso(5), cipso(6), cipso(10, bytes([1, 4, 0, 0])),
              cipso(10, bytes([6, 5, 0, 0])),         # tag one byte past the option
              cipso(7, bytes([9])),                   # unknown tag reads a length past it
              cipso(12, bytes([2, 5, 0, 0, 0, 7, 1])),  # odd categories: next tag mid-tag
              cipso(12, bytes([5, 6, 0, 0, 0, 1]))]
    cases += [opt(99, 0) + opt(7, 2), opt(7, 1) + opt(7, 2), b"\x01\x07\x09\x04",
              b"\x01\x01\x01\x07", b"\x00" + opt(7, 2), b"\x01\x01" + opt(7, 2),
              route(131, 7) + opt(7, 2), opt(7, 2) + route(131, 7),
              route(131, 7) + route(137, 7)[:3] + a4("10.7.7.7"),
              opt(131, 7, b"\x08" + a4("10.9.9.9")) + route(137, 7)]   # done, then a route
    p = Pkts()
    for i, o in enumerate(cases):
        p.add(E(ipv4(C4, S4, tcp(20000 + i, 80, 1, 0, 0x002, 1000, src=a4(C4), dst=a4(S4)),
                     opts=o)))
    rt_unk = route(131, 7) + opt(99, 4) + b"\0"
    full = E(ipv4(C4, S4, tcp(20999, 80, 1, 0, 0x002, 1000), opts=rt_unk))
    for cl in (14 + 27, 14 + 31, 14 + 32):                  # options cut, then whole
        p.add(full, caplen=cl)
    p.add(E(ipv4(C4, S4, b"", opts=b"\x01\x01" + opt(131, 2))))  # route's pointer past the IP
    cap("ipv4-option-lengths", p)

    # ... in fragments (the fragment with the bad option is not reassembled)
    # and in a header quoted by an ICMP error
    p = Pkts()
    d1 = tcp(40000, 80, 1001, 5001, 0x018, 300, b"", b"B" * 40, src=a4(C4), dst=a4(S4))
    for ident, o1, o2 in ((30, opt(7, 2), b""), (31, b"", opt(68, 3)), (32, route(7, 7), b"")):
        p.add(E(ipv4(C4, S4, d1[:24], ident=ident, frag=0x2000, opts=o1)))
        p.add(E(ipv4(C4, S4, d1[24:], ident=ident, frag=3, opts=o2)))
    q = ipv4(C4, S4, tcp(40000, 80, 1101, 5301, 0x018, 502, b"", b"z" * 20), opts=opt(148, 3))
    p.add(E(ipv4(S4, C4, struct.pack("!BBHI", 3, 3, 0, 0) + q, proto=1)))
    p.add(E(ipv4(S4, C4, struct.pack("!BBHI", 3, 3, 0, 0) + q, proto=1, opts=opt(82, 11))))
    cap("ipv4-option-frags-icmp", p)

    # tunnels
    def tun(name, wrap, fallback=False):
        p = Pkts()
        conv4(p, wrap, data=1)
        cap(name, p, fallback=fallback)

    tun("ipip", lambda ip: eth(ipv4("203.0.113.1", "203.0.113.2", ip, proto=4)))
    tun("ipv4-in-ipv6", lambda ip: eth(ipv6("2001:db8::a", "2001:db8::b", ip, nxt=4), 0x86dd))
    tun("gre", lambda ip: eth(ipv4("203.0.113.1", "203.0.113.2",
                                   struct.pack("!HH", 0, 0x0800) + ip, proto=47)))
    tun("gre-key-seq", lambda ip: eth(ipv4("203.0.113.1", "203.0.113.2",
                                           struct.pack("!HHII", 0x3000, 0x0800, 5, 6) + ip,
                                           proto=47)))
    tun("gre-eth", lambda ip: eth(ipv4("203.0.113.1", "203.0.113.2",
                                       struct.pack("!HH", 0, 0x6558) + eth(ip), proto=47)))
    tun("ipv4-ah", lambda ip: eth(ipv4(ip[12:16] and "203.0.113.9", "203.0.113.8",
                                       bytes([6, 4, 0, 0]) + struct.pack("!II", 1, 1)
                                       + b"\0" * 12 + ip[20:], proto=51)))
    tun("vxlan", lambda ip: eth(ipv4("203.0.113.1", "203.0.113.2",
                                     struct.pack("!HHHH", 5555, 4789, 8 + 8 + 14 + len(ip), 0)
                                     + b"\x08\0\0\0\0\0\x01\0" + eth(ip, pad=False), proto=17)),
        fallback=True)
    p = Pkts()
    conv6(p, lambda ip: eth(ipv4("203.0.113.1", "203.0.113.2", ip, proto=41)))
    cap("6in4", p)

    # ICMP error quoting a TCP header, and other IP payloads
    p = Pkts()
    conv4(p, E, data=1, close=False)
    q = ipv4(C4, S4, tcp(40000, 80, 1101, 5301, 0x018, 502, b"", b"z" * 20))
    p.add(E(ipv4(S4, C4, struct.pack("!BBHI", 3, 3, 0, 0) + q, proto=1)))
    p.add(E(ipv4(S4, C4, struct.pack("!BBHI", 3, 3, 0, 0) + q[:28], proto=1)))
    p.add(E(ipv4(C4, S4, struct.pack("!HHHH", 5353, 53, 12, 0) + b"abcd", proto=17)))
    p.add(eth(b"\0\1\x08\0\6\4\0\1" + MAC1 + a4(C4) + b"\0" * 6 + a4(S4), etype=0x0806))
    cap("icmp-udp-arp", p)

    # ICMP errors quoting TCP: tshark's conversation table sees the quoted
    # header (a quoted SYN's window scale counts), ICMPv6 too; RFC 4884
    # length, redirect; IP headers cut at various points
    p = Pkts()
    qsyn = ipv4(C4, S4, tcp(40000, 80, 1000, 0, 0x002, 64240, MSS + ws(7), src=a4(C4),
                            dst=a4(S4)))
    p.add(E(ipv4("10.9.9.9", C4, struct.pack("!BBHI", 11, 0, 0, 0) + qsyn, proto=1)))
    p.add(E(ipv4(S4, C4, tcp(80, 40000, 5000, 1001, 0x012, 65160, MSS + ws(8)))))
    p.add(E(ipv4(C4, S4, tcp(40000, 80, 1001, 5001, 0x010, 502))))
    p.add(E(ipv4(S4, C4, tcp(80, 40000, 5001, 1001, 0x018, 509, b"", b"r" * 50))))
    p.add(E(ipv4("10.9.9.9", C4, struct.pack("!BBBBI", 3, 1, 0, 0, 0)[:4]
                 + bytes([0, 7, 0, 0]) + qsyn + b"\0" * 40, proto=1)))      # RFC 4884 length
    p.add(E(ipv4("10.9.9.9", C4, struct.pack("!BBHI", 5, 1, 0, 0) + qsyn, proto=1)))  # redirect
    q6 = ipv6(C6, S6, tcp(40000, 443, 7, 0, 0x002, 1000, ws(5), src=a6(C6), dst=a6(S6)))
    p.add(eth(ipv6("2001:db8::9", C6, struct.pack("!BBHI", 1, 4, 0, 0) + q6, nxt=58), 0x86dd))
    p.add(eth(ipv6(S6, C6, tcp(443, 40000, 9, 8, 0x012, 1000, ws(6))), 0x86dd))
    p.add(eth(ipv6(C6, S6, tcp(40000, 443, 8, 10, 0x010, 1000)), 0x86dd))
    full = E(ipv4(C4, S4, tcp(40000, 80, 1001, 5051, 0x010, 502), opts=rr))
    for cl in (14 + 3, 14 + 10, 14 + 17, 14 + 22, 14 + 30):
        p.add(full, caplen=cl)
    full6 = eth(ipv6(C6, S6, tcp(40000, 443, 8, 10, 0x010, 1000)), 0x86dd)
    for cl in (14 + 7, 14 + 30, 14 + 39):
        p.add(full6, caplen=cl)
    cap("icmp-errors-and-cut-ip", p)

    # pcapng: options on packets (libpcap consumes more than the bare block),
    # custom blocks (frames for Wireshark, skipped by libpcap), ns resolution
    p = Pkts()
    conv4(p, E, data=2)
    path = os.path.join(d, "ng-options.pcapng")
    write_pcapng(path, 1, p.frames, comments=True)
    out.append(("ng-options", path, False))
    custom = ng_block(0x00000BAD, struct.pack("<I", 32473) + b"hello!!!")
    isb = ng_block(5, struct.pack("<III", 0, 0, 0))
    path = os.path.join(d, "ng-custom-blocks.pcapng")
    write_pcapng(path, 1, p.frames, extra={2: [custom], 4: [isb, custom, custom]})
    out.append(("ng-custom-blocks", path, False))
    path = os.path.join(d, "ng-nsec.pcapng")
    write_pcapng(path, 1, p.frames, tsresol=9)
    out.append(("ng-nsec", path, False))
    # a custom block before the interface, and simple packet blocks
    path = os.path.join(d, "ng-custom-first-spb.pcapng")
    with open(path, "wb") as f:
        f.write(ng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(custom)
        f.write(ng_block(1, struct.pack("<HHI", 1, 0, 0)))
        for data, _, _ in p.frames:
            f.write(ng_block(3, struct.pack("<I", len(data)) + data + b"\0" * ((-len(data)) % 4)))
    out.append(("ng-custom-first-spb", path, False))
    sje = ng_block(9, b"__REALTIME_TIMESTAMP=1600000000000000\nMESSAGE=x\n")
    path = os.path.join(d, "ng-journal-block.pcapng")
    write_pcapng(path, 1, p.frames, extra={3: [sje]})
    out.append(("ng-journal-block", path, True))

    # a file cut in the middle of a packet
    p = Pkts()
    conv4(p, E, data=2)
    path = cap("truncated-file", p)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 30)
    # a record longer than the file's snapshot length (libpcap would cut it)
    p = Pkts()
    conv4(p, E, data=1)
    cap("record-over-snaplen", p, snaplen=80, fallback=True)
    return out


# ----------------------------------------------------------------------

def main():
    caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap*")))
    shared = os.path.join(ROOT, "..", "shared", "captures")
    if os.path.isdir(shared):
        caps += sorted(glob.glob(os.path.join(shared, "**", "*.pcap*"), recursive=True))
    tmp = keep or tempfile.mkdtemp(prefix="direct_vs_tshark.")
    os.makedirs(tmp, exist_ok=True)
    try:
        todo = [(os.path.relpath(c, ROOT), c, None) for c in caps]
        todo += [("crafted/" + n, pth, fb) for n, pth, fb in crafted(tmp)]
        nreal = len(caps)
        for name, path, fb in todo:
            if only and only not in name:
                continue
            compare_capture(name, path, fb)
            if HARNESS:
                # tcp.check_checksum on, as `tcpfsm summary --zeek` runs tshark
                compare_capture(name, path, fb, checksums=True)
        print(f"{nreal} real and {len(todo) - nreal} crafted captures; "
              f"{len(fallbacks)} fall back to tshark")
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


main()
