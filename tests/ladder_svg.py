#!/usr/bin/env python3
"""ladder_svg.py TCPFSM CAPTURES_DIR - `tcpfsm ladder --svg` on every
committed export captures/NAME.tsv, in each layout (folded, --all,
--time-scale, --lang zh):

  - the file is well-formed XML (xml.etree), an <svg> with a viewBox,
    declared UTF-8;
  - one <g class="connection"> per connection of `tcpfsm annotate`;
  - per connection, one <g class="segment"> (holding one arrow line and
    its head) per drawn segment, one <g class="fold"> per folded run; the
    segments and the folds' data-segments add up to the connection's
    segments, and together cover its frames in order; with --all every
    segment has its own arrow and nothing is folded;
  - a segment whose label names a step ("Handshake 2/3: ...") shows that
    title; one with anomalies is drawn as an anomaly and names them;
  - with --time-scale, rows go down the page in capture order, at least
    the even row height apart;
  - --lang zh: the Chinese step names of the close captures.
Prints "N passed, M failed".
"""
import csv
import glob
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
TITLE = re.compile(r"^((?:Handshake|Teardown|Simultaneous open|"
                   r"Simultaneous close) \d/\d|Refused|Reset):")
ZH_TITLES = {
    "close-merged": {1: "第一次握手", 2: "第二次握手", 3: "第三次握手",
                     8: "第一次挥手", 9: "第二、三次挥手合并", 10: "第四次挥手"},
    "close-fourway": {1: "第一次握手", 2: "第二次握手", 3: "第三次握手",
                      8: "第一次挥手", 9: "第二次挥手", 10: "第三次挥手",
                      11: "第四次挥手"},
}

passed = failed = 0


def check(cond, msg):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL " + msg)
    return cond


def classes(el):
    return (el.get("class") or "").split()


def text_of(el):
    return "".join(el.itertext())


def annotate(tcpfsm, export):
    out = subprocess.run([tcpfsm, "annotate", export], check=True,
                         capture_output=True, text=True).stdout
    streams = {}
    for r in csv.DictReader(out.splitlines(), delimiter="\t"):
        if r["event"]:
            streams.setdefault(r["tcp.stream"], []).append(r)
    return streams


def svg_of(tcpfsm, export, args, where):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.svg")
        p = subprocess.run([tcpfsm, "ladder", *args, "--svg", path, export],
                           capture_output=True, text=True)
        if not check(p.returncode == 0 and not p.stdout,
                     "%s: exit %d, stdout %d bytes: %s" %
                     (where, p.returncode, len(p.stdout), p.stderr[:300])):
            return None
        raw = open(path, "rb").read()
    check(raw.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'),
          "%s: no UTF-8 XML declaration" % where)
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as e:
        check(False, "%s: not well-formed XML: %s" % (where, e))
        return None
    check(root.tag == NS + "svg" and root.get("viewBox"),
          "%s: root is %s, viewBox %r" % (where, root.tag, root.get("viewBox")))
    return root


def check_layout(root, streams, where, all_segments, timed):
    conns = [g for g in root.iter(NS + "g") if "connection" in classes(g)]
    check(sorted(c.get("data-stream") for c in conns) == sorted(streams),
          "%s: connections %s, annotate has streams %s" %
          (where, [c.get("data-stream") for c in conns], sorted(streams)))
    for c in conns:
        rows = streams.get(c.get("data-stream"), [])
        w = "%s stream %s" % (where, c.get("data-stream"))
        byframe = {int(r["frame.number"]): r for r in rows}
        segs = [g for g in c if g.tag == NS + "g" and "segment" in classes(g)]
        folds = [g for g in c if g.tag == NS + "g" and "fold" in classes(g)]
        n_folded = sum(int(f.get("data-segments")) for f in folds)
        check(len(segs) + n_folded == len(rows) == int(c.get("data-segments")),
              "%s: %d arrows + %d folded, annotate has %d segments" %
              (w, len(segs), n_folded, len(rows)))
        if all_segments:
            check(not folds and len(segs) == len(rows),
                  "%s --all: %d arrows, %d folds for %d segments" %
                  (w, len(segs), len(folds), len(rows)))
        # every segment drawn once, in order
        drawn = []
        items = [g for g in c if g.tag == NS + "g" and
                 ("segment" in classes(g) or "fold" in classes(g))]
        for g in items:
            a = int(g.get("data-frame"))
            if "fold" in classes(g):
                b = int(g.get("data-frame-last"))
                inside = [f for f in byframe if a <= f <= b]
                check(len(inside) == int(g.get("data-segments")),
                      "%s: fold %d-%d counts %s, has %d" %
                      (w, a, b, g.get("data-segments"), len(inside)))
                drawn += sorted(inside)
            else:
                drawn.append(a)
        check(drawn == [int(r["frame.number"]) for r in rows],
              "%s: frames drawn %s" % (w, drawn))
        # each arrow: one line and one head; the step; the anomalies
        ok_arrows = ok_steps = ok_anom = True
        for g in segs:
            f = int(g.get("data-frame"))
            r = byframe.get(f)
            if r is None:
                ok_arrows = False
                continue
            lines = [e for e in g if e.tag == NS + "line" and "arrow" in classes(e)]
            heads = [e for e in g if e.tag == NS + "polygon"]
            if len(lines) != 1 or len(heads) != 1:
                ok_arrows = False
                print("  %s frame %d: %d arrows, %d heads" % (w, f, len(lines), len(heads)))
            if g.get("data-event") != r["event"]:
                ok_arrows = False
                print("  %s frame %d: event %s, annotate %s" %
                      (w, f, g.get("data-event"), r["event"]))
            text = " ".join(text_of(t) for t in g.iter(NS + "text"))
            m = TITLE.match(r["label"])
            if m and m.group(1) not in text:
                ok_steps = False
                print("  %s frame %d: step %r not shown: %r" % (w, f, m.group(1), text))
            if r["anomaly"]:
                if "anomaly" not in classes(g) or r["anomaly"] not in text:
                    ok_anom = False
                    print("  %s frame %d: anomaly %s not shown" % (w, f, r["anomaly"]))
            elif "anomaly" in classes(g):
                ok_anom = False
        check(ok_arrows, "%s: one arrow per segment, of the right event" % w)
        check(ok_steps, "%s: the step titles" % w)
        check(ok_anom, "%s: anomalies in red" % w)
        if timed:
            ys = [float(g.get("data-y")) for g in items]
            gaps = [b - a for a, b in zip(ys, ys[1:])]
            check(all(gap >= 45.9 for gap in gaps),
                  "%s --time-scale: rows closer than one row: %s" % (w, gaps))


def main():
    tcpfsm, cdir = sys.argv[1:3]
    exports = [f for f in sorted(glob.glob(os.path.join(cdir, "*.tsv")))
               if not f.endswith((".annotated.tsv", ".summary.tsv"))]
    if not exports:
        check(False, "no exports in %s" % cdir)
    for export in exports:
        name = os.path.basename(export)[:-4]
        streams = annotate(tcpfsm, export)
        for args, all_segments, timed in (([], False, False),
                                          (["--all"], True, False),
                                          (["--time-scale"], False, True)):
            where = "%s %s" % (name, " ".join(args) or "(folded)")
            root = svg_of(tcpfsm, export, args, where)
            if root is not None:
                check_layout(root, streams, where, all_segments, timed)
        if name in ZH_TITLES:
            root = svg_of(tcpfsm, export, ["--lang", "zh"], name + " --lang zh")
            if root is not None:
                for f, title in ZH_TITLES[name].items():
                    g = [g for g in root.iter(NS + "g")
                         if "segment" in classes(g) and g.get("data-frame") == str(f)]
                    text = " ".join(text_of(t) for t in g[0].iter(NS + "text")) if g else ""
                    check(title in text, "%s --lang zh frame %d: %r not in %r" %
                          (name, f, title, text))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
