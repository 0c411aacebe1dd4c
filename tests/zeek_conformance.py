#!/usr/bin/env python3
"""zeek_conformance.py TCPFSM REPO_ROOT

Every row of ../shared/captures/zeek/EXPECTED.tsv (Zeek's own verdicts on
its own test traces) against `tcpfsm summary --zeek`: rows are matched by
5-tuple (either orientation) and order; conn_state, history, the
orientation (orig/resp after Zeek's flips) and orig_pkts/resp_pkts are
compared wherever the baseline has them.  Prints the table and
`N passed, M failed`.  Exit 77 (skip) when ../shared or tshark is absent.

The options of each baseline (bare mode, -C, timers) come from SOURCES.md,
which records how each conn.log was produced in Zeek's test suite.
"""
import csv
import json
import os
import shutil
import subprocess
import sys

TCPFSM, ROOT = sys.argv[1], sys.argv[2]
ZEEK = os.path.join(ROOT, "..", "shared", "captures", "zeek")
if not os.path.isdir(ZEEK):
    print("zeek_conformance: ../shared/captures/zeek is absent: skipped")
    sys.exit(77)
if not shutil.which("tshark"):
    print("zeek_conformance: tshark is not installed: skipped")
    sys.exit(77)

BARE_C = ["--zeek=bare", "--ignore-checksums"]
BARE = ["--zeek=bare"]
FULL_C = ["--zeek", "--ignore-checksums"]
FULL = ["--zeek"]
OPTIONS = {  # baseline file -> options (see SOURCES.md)
    "single-rst.zeek-out.txt": BARE_C,
    "syn-then-rst.zeek-out.txt": BARE_C,
    "syn-then-ack-then-rst.zeek-out.txt": BARE_C,
    "syn-then-stuff-then-rst.zeek-out.txt": BARE_C,
    "missing-syn.conn.log": BARE_C,
    "one-sided-2745.conn.log": BARE_C,
    "irc-starttls.conn.log": BARE_C,
    "retransmit-timeout.conn.log": BARE_C,
    "localhost-bad-chksum.ignore-checksums.conn.log": BARE_C,
    "retransmit-timeout.timers-suppressed.conn.log": BARE_C + ["--no-zeek-timers"],
    "syn-bad.conn.log": BARE,
    "fin_retransmission.zeek-out.txt": BARE,
    "handshake-reorder.zeek-out.txt": BARE,
    "get.conn.log": BARE,
    "miss_end_data.conn.log": BARE,
    "pop3.conn.log": BARE,
    "bad-list-retr-crafted.conn.log": BARE,
    "ipv6.conn.log": BARE,
    "localhost-bad-chksum.conn.log": BARE,
    "wikipedia.bare-mode.conn.log": BARE,
    "wikipedia.conn.log": FULL_C,
    "retransmit-fast009.conn.log": FULL_C,
    "http-on-irc-port-missing-syn.conn.log": FULL,
    "modbus-and-non-modbus-p502.conn.log": FULL,
    "http-to-ssh.conn.log": FULL,
    "https-to-http.conn.log": FULL,
    "ssh.client-side-half-duplex.conn.log": FULL,
    "ssh.server-side-half-duplex.conn.log": FULL,
}

expected = list(csv.DictReader(open(os.path.join(ZEEK, "EXPECTED.tsv")), delimiter="\t"))
groups = {}
for row in expected:
    groups.setdefault((row["trace"], row["baseline_file"]), []).append(row)

passed = failed = 0
lines = []
for (trace, baseline), rows in groups.items():
    opts = OPTIONS.get(baseline)
    if opts is None:
        for r in rows:
            failed += 1
            lines.append(f"FAIL {baseline}: no options known for this baseline")
        continue
    out = subprocess.run([TCPFSM, "summary", "--format", "jsonl"] + opts +
                         [os.path.join(ZEEK, trace)], capture_output=True, text=True)
    got = [json.loads(l) for l in out.stdout.splitlines()]
    used = [False] * len(got)
    for w in rows:
        key = {(w["orig_h"], w["orig_p"]), (w["resp_h"], w["resp_p"])}
        match = None
        for i, g in enumerate(got):
            if used[i]:
                continue
            if {(g["orig_h"], str(g["orig_p"])), (g["resp_h"], str(g["resp_p"]))} == key:
                match = i
                break
        tup = f"{w['orig_h']}:{w['orig_p']} -> {w['resp_h']}:{w['resp_p']}"
        want = f"{w['conn_state'] or '-'} {w['history'] or '-'}"
        if match is None:
            failed += 1
            lines.append(f"FAIL  {baseline:48} {tup:52} want {want:22} got: no such connection")
            continue
        used[match] = True
        g = got[match]
        problems = []
        if w["conn_state"] and g["conn_state"] != w["conn_state"]:
            problems.append("conn_state")
        if w["history"] and g["history"] != w["history"]:
            problems.append("history")
        if (g["orig_h"], str(g["orig_p"])) != (w["orig_h"], w["orig_p"]):
            problems.append("orientation")
        if w["orig_pkts"] and str(g["orig_pkts"]) != w["orig_pkts"]:
            problems.append("orig_pkts")
        if w["resp_pkts"] and str(g["resp_pkts"]) != w["resp_pkts"]:
            problems.append("resp_pkts")
        gotstr = f"{g['conn_state']} {g['history']} {g['orig_pkts']}/{g['resp_pkts']}"
        if problems:
            failed += 1
            lines.append(f"FAIL  {baseline:48} {tup:52} want {want:22} got {gotstr} ({', '.join(problems)})")
        else:
            passed += 1
            lines.append(f"ok    {baseline:48} {tup:52} want {want:22} got {gotstr}")
    extra = used.count(False)
    if extra:
        failed += 1
        lines.append(f"FAIL  {baseline}: {extra} connections Zeek does not have")

print("\n".join(lines))
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
