#!/usr/bin/env python3
"""e2e_tshark.py TCPFSM REPO_ROOT

End to end through tshark, on every capture in captures/ and, when present,
../shared/captures/:
  1. `tcpfsm annotate CAPTURE` (tcpfsm runs tshark itself) equals
     `tcpfsm annotate CAPTURE.tsv` (the committed export) for bundled ones;
  2. every TCP segment is labelled (an event on each row with tcp.srcport);
  3. seq_rel and ack_rel equal Wireshark's own relative numbers (tcp.seq,
     tcp.ack when the ACK flag is set), row by row: the engine's relative
     sequence numbers are "as Wireshark shows them" (SPEC.md section 4).
Prints a line per check and `N passed, M failed`.
Exit 77 (skip) when tshark is not installed.
"""
import csv
import glob
import os
import shutil
import subprocess
import sys

TCPFSM, ROOT = sys.argv[1], sys.argv[2]
if not shutil.which("tshark"):
    print("e2e_tshark: tshark is not installed: skipped")
    sys.exit(77)

fields = subprocess.run([TCPFSM, "fields", "X"], capture_output=True, text=True,
                        check=True).stdout.split()
# the tshark argv of `tcpfsm fields`, with our capture and two more fields
base = fields[1:]

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def rows(text):
    return list(csv.reader(text.splitlines(), delimiter="\t"))


caps = sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap*")))
shared = os.path.join(ROOT, "..", "shared", "captures")
if os.path.isdir(shared):
    caps += sorted(glob.glob(os.path.join(shared, "**", "*.pcap*"), recursive=True))
else:
    print("e2e_tshark: ../shared/captures absent: only the bundled captures are checked")

for cap in caps:
    name = os.path.relpath(cap, ROOT)
    direct = subprocess.run([TCPFSM, "annotate", "--via-tshark", cap], capture_output=True, text=True)
    check(direct.returncode == 0, f"{name}: tcpfsm annotate exit {direct.returncode}: {direct.stderr[-300:]}")
    exp = os.path.splitext(cap)[0] + ".tsv"
    if cap.startswith(os.path.join(ROOT, "captures")) and os.path.exists(exp):
        via = subprocess.run([TCPFSM, "annotate", exp], capture_output=True, text=True)
        check(via.stdout == direct.stdout, f"{name}: annotate of the capture differs from annotate of its export")
    # every TCP segment labelled
    r = rows(direct.stdout)
    hdr = r[0]
    ci = {h: i for i, h in enumerate(hdr)}
    unl = [x[0] for x in r[1:] if x[ci["tcp.srcport"]] and not x[ci["event"]]]
    check(not unl, f"{name}: unlabelled TCP frames {unl[:10]}")
    # relative numbers against Wireshark's
    argv = ["tshark"] + [a if a != "X" else cap for a in base] + ["-e", "tcp.seq", "-e", "tcp.ack"]
    exp_out = subprocess.run(argv, capture_output=True, text=True)
    ann = subprocess.run([TCPFSM, "annotate", "-"], input=exp_out.stdout,
                         capture_output=True, text=True)
    r = rows(ann.stdout)
    ci = {h: i for i, h in enumerate(r[0])}
    mism = []
    for x in r[1:]:
        if not x[ci["event"]]:
            continue
        # -E occurrence=a: the segment's TCP header is the first (a TCP
        # payload may carry IP packets with their own TCP headers)
        for col in ("tcp.seq", "tcp.ack"):
            x[ci[col]] = x[ci[col]].split(",")[0]
        if x[ci["seq_rel"]] != x[ci["tcp.seq"]]:
            mism.append(f"frame {x[0]} seq_rel {x[ci['seq_rel']]} tcp.seq {x[ci['tcp.seq']]}")
        flags = int(x[ci["tcp.flags"]], 16)
        if flags & 0x10 and x[ci["ack_rel"]] != x[ci["tcp.ack"]]:
            mism.append(f"frame {x[0]} ack_rel {x[ci['ack_rel']]} tcp.ack {x[ci['tcp.ack']]}")
    check(not mism, f"{name}: relative numbers differ from Wireshark's: {mism[:5]}")

print(f"e2e_tshark: {len(caps)} captures")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
