#!/usr/bin/env python3
"""ladder_width.py TCPFSM CAPTURES - the text ladder fits the width:
every line of `tcpfsm ladder --width N` (English and Chinese, N = 60, 80,
100, 124) is at most N display columns (East Asian wide and fullwidth
characters count 2), on every bundled capture, and still shows each
connection's summary; the default off a terminal is the full layout (no
limit), $COLUMNS sets it; --width 0 is no limit; every frame of the full
layout is still named at every width (the steps are never dropped)."""
import glob, os, re, subprocess, sys, unicodedata

tcpfsm, caps = sys.argv[1], sys.argv[2]
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def width(line):
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else
               0 if unicodedata.combining(ch) else 1 for ch in line)


def run(*args, env=None):
    e = dict(os.environ)
    e.pop("COLUMNS", None)
    if env:
        e.update(env)
    p = subprocess.run([tcpfsm, "ladder", *args], capture_output=True, env=e)
    return p.returncode, p.stdout.decode()


def frames(text):
    """frame numbers at the start of rows ("  4–7" counts 4 and 7)"""
    got = set()
    for line in text.splitlines():
        m = re.match(r"\s*(\d+)(?:–(\d+))?\s", line)
        if m and "│" in line or m and "┆" in line:
            got.add(m.group(1))
            if m.group(2):
                got.add(m.group(2))
    return got


pcaps = sorted(glob.glob(os.path.join(caps, "*.pcap")))
check(len(pcaps) >= 10, "captures found: %d" % len(pcaps))
for pcap in pcaps:
    name = os.path.basename(pcap)
    for lang in ("en", "zh"):
        rc, full = run("--lang", lang, pcap)
        check(rc == 0, "%s %s: exit %d" % (name, lang, rc))
        widest = max(width(l) for l in full.splitlines())
        want = frames(full)
        for n in (60, 80, 100, 124):
            rc, out = run("--lang", lang, "--width", str(n), pcap)
            check(rc == 0, "%s %s --width %d: exit %d" % (name, lang, n, rc))
            over = [l for l in out.splitlines() if width(l) > n]
            check(not over, "%s %s --width %d: %d lines wider, e.g. %r (%d)" % (
                name, lang, n, len(over), over[0] if over else "", width(over[0]) if over else 0))
            check(frames(out) == want, "%s %s --width %d: frames %s, want %s" % (
                name, lang, n, sorted(frames(out) ^ want), sorted(want)))
            check(out.count("Final states" if lang == "en" else "最终状态") ==
                  full.count("Final states" if lang == "en" else "最终状态"),
                  "%s %s --width %d: a summary is missing" % (name, lang, n))
            if widest <= n:
                check(out == full, "%s %s --width %d: the full layout fits, yet changed" % (name, lang, n))
        rc, out = run("--lang", lang, "--width", "0", pcap)
        check(out == full, "%s %s: --width 0 is the full layout" % (name, lang))
        rc, out = run("--lang", lang, pcap, env={"COLUMNS": "80"})
        check(max(width(l) for l in out.splitlines()) <= 80,
              "%s %s: COLUMNS=80 off a terminal" % (name, lang))

# today's full layout: 124 columns in English, 155 in Chinese
rc, out = run(os.path.join(caps, "close-merged.pcap"))
check(max(width(l) for l in out.splitlines()) > 100, "the default off a terminal has no limit")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
