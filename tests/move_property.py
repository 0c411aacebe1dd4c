#!/usr/bin/env python3
"""move_property.py TCPFSM ROOT - SPEC 6 "no impossible moves", checked on
every capture the project has: ROOT/captures/*.pcap and, when present,
ROOT/../shared/captures/**/*.pcap* (the oracle captures; when that folder
is absent this says so and checks only the project's own).

For every row of `tcpfsm annotate CAPTURE`:

  1. every move (src_prev -> src_state, dst_prev -> dst_state) is an edge
     of RFC 9293's state diagram (section 3.3.2 and the SEGMENT ARRIVES
     text of 3.10.7), or the row carries an anomaly that explains it:
     `midstream` (moves out of UNKNOWN), `inferred` (a move proven by
     evidence, possibly two edges at once), `reordered` (an ACK captured
     before the segment it acknowledges: two edges at once), or the
     simultaneous open/close corrections (`simultaneous-open`,
     `simultaneous-close`, which correct src_prev);
  2. a sender moves to SYN_RECEIVED only on a segment with SYN;
  3. each endpoint's src_prev/dst_prev is the state its previous row
     left it in, unless a correction anomaly says otherwise;
  4. no endpoint sends data, or acknowledges data of its peer, while in
     CLOSED, LISTEN or SYN_SENT (the state it sends from: src_state), a
     SYN's data (TCP Fast Open) aside, and a row the engine itself marks
     `unexpected` aside (an endpoint that goes on after an RST crossed it:
     the engine says the segment is not valid in that state).

Prints one line per violation and `N passed, M failed`.  Exit 77 (skip)
when tshark is missing and a capture needs it.
"""
import csv
import glob
import os
import subprocess
import sys

if len(sys.argv) != 3:
    sys.exit(__doc__)
TCPFSM, ROOT = sys.argv[1], os.path.abspath(sys.argv[2])

# The moves RFC 9293 allows (figure and text, RST closes included): a
# deliberate independent oracle, wider than the engine's Figure 5 table
# (tcpfsm_rfc_edges, engine/names.c) and kept apart from it on purpose.
E = {
    ("CLOSED", "SYN_SENT"), ("CLOSED", "LISTEN"), ("LISTEN", "SYN_RECEIVED"),
    ("LISTEN", "SYN_SENT"), ("LISTEN", "CLOSED"),
    ("SYN_SENT", "SYN_RECEIVED"), ("SYN_SENT", "ESTABLISHED"),
    ("SYN_SENT", "CLOSED"),
    ("SYN_RECEIVED", "ESTABLISHED"), ("SYN_RECEIVED", "FIN_WAIT_1"),
    ("SYN_RECEIVED", "LISTEN"), ("SYN_RECEIVED", "CLOSED"),
    ("SYN_RECEIVED", "CLOSE_WAIT"),  # 3.10.7.4 eighth check: FIN in SYN-RECEIVED
    ("ESTABLISHED", "FIN_WAIT_1"), ("ESTABLISHED", "CLOSE_WAIT"),
    ("FIN_WAIT_1", "FIN_WAIT_2"), ("FIN_WAIT_1", "CLOSING"),
    ("FIN_WAIT_1", "TIME_WAIT"),  # FIN that acknowledges ours (3.10.7.4)
    ("FIN_WAIT_2", "TIME_WAIT"), ("CLOSE_WAIT", "LAST_ACK"),
    ("CLOSING", "TIME_WAIT"), ("LAST_ACK", "CLOSED"), ("TIME_WAIT", "CLOSED"),
}
# an acceptable RST closes every synchronized state (3.10.7.4 second check)
for st in ("ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
           "LAST_ACK", "TIME_WAIT"):
    E.add((st, "CLOSED"))


def two_edges(a, b):
    return any((a, m) in E and (m, b) in E for m in {x for _, x in E})


def flags_of(v):
    return int(v, 16) if v else 0


def check(cap):
    p = subprocess.run([TCPFSM, "annotate", cap], capture_output=True, text=True)
    if p.returncode != 0:
        return [f"{cap}: tcpfsm annotate exit {p.returncode}: {p.stderr.strip()[-200:]}"]
    rows = list(csv.DictReader(p.stdout.splitlines(), delimiter="\t",
                               quoting=csv.QUOTE_NONE))
    bad = []
    state = {}    # (conn key, addr:port) -> last state
    snd_max = {}  # (conn key, addr:port) -> highest seq_rel + len sent
    for r in rows:
        if not r.get("event"):
            continue
        an = set(filter(None, r["anomaly"].split(",")))
        src = (r.get("ip.src") or r.get("ipv6.src")) + ":" + r["tcp.srcport"]
        dst = (r.get("ip.dst") or r.get("ipv6.dst")) + ":" + r["tcp.dstport"]
        key = (r.get("tcp.stream"), tuple(sorted((src, dst))))
        where = f"{os.path.relpath(cap, ROOT)} frame {r['frame.number']}"
        fl = flags_of(r["tcp.flags"])
        syn = fl & 0x02
        correction = an & {"simultaneous-open", "simultaneous-close",
                           "midstream", "port-reuse"}
        for who, prev, now in ((src, r["src_prev"], r["src_state"]),
                               (dst, r["dst_prev"], r["dst_state"])):
            last = state.get((key, who))
            if last is not None and last != prev and not correction:
                bad.append(f"{where}: {who} was {last}, the row says {prev}")
            state[(key, who)] = now
            if prev == now or prev == "UNKNOWN":
                continue
            if (prev, now) in E:
                continue
            if an & {"inferred", "reordered"} and two_edges(prev, now):
                continue
            bad.append(f"{where}: {prev} -> {now} is not an RFC 9293 edge "
                       f"(anomalies: {','.join(sorted(an)) or 'none'})")
        if r["src_state"] == "SYN_RECEIVED" and r["src_prev"] != "SYN_RECEIVED" \
                and not syn:
            bad.append(f"{where}: the sender moves to SYN_RECEIVED without a SYN")
        # 4: data or an ACK of peer data from CLOSED/LISTEN/SYN_SENT
        length = int(r["tcp.len"] or 0)
        ack_rel = int(r["ack_rel"]) if r.get("ack_rel") else None
        peer_sent = snd_max.get((key, dst), 0)
        acks_data = ack_rel is not None and ack_rel > 1 and peer_sent > 1
        if r["src_state"] in ("CLOSED", "LISTEN", "SYN_SENT") and \
                not fl & 0x04 and ((length and not syn) or acks_data) and \
                "unexpected" not in an:
            bad.append(f"{where}: the {r['role']} sends "
                       f"{'data' if length else 'an ACK of data'} in {r['src_state']}")
        seq_rel = int(r["seq_rel"] or 0)
        end = seq_rel + length
        if end > snd_max.get((key, src), 0):
            snd_max[(key, src)] = end
    return bad


caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap")))
shared = os.path.join(ROOT, "..", "shared", "captures")
if os.path.isdir(shared):
    caps += sorted(glob.glob(os.path.join(shared, "**", "*.pcap*"), recursive=True))
else:
    print(f"move_property: {shared} is absent: only the project's own captures "
          "are checked")
passed = failed = 0
for cap in caps:
    bad = check(cap)
    if bad:
        failed += 1
        print(f"FAIL {os.path.relpath(cap, ROOT)}: {len(bad)} violations")
        for b in bad[:6]:
            print("  " + b)
    else:
        passed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
