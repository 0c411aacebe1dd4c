#!/usr/bin/env python3
"""diagram.py TCPFSM CAPTURES - `tcpfsm diagram`: on several captures
(four-way, merged, simultaneous close, refused, reset, simultaneous open,
midstream, port reuse) and in both languages:
  - the SVG parses (xml.etree);
  - every move of the connection, read independently from `tcpfsm
    annotate` (src_prev -> src_state of the sender, dst_prev -> dst_state
    of the receiver, by role), is an edge drawn in that role's colour with
    its frame in its text; no other edge is marked taken;
  - every edge of RFC 9293's Figure 5 (19) is drawn, the ones never taken
    in grey; a move the figure lacks is an extra dashed edge;
  - the text form lists each endpoint's path with the frames, the same
    moves; --stream picks the connection; bad input keeps the tool's codes.
"""
import csv, io, os, subprocess, sys, tempfile
import xml.etree.ElementTree as ET

tcpfsm, caps = sys.argv[1], sys.argv[2]
passed = failed = 0
NS = "{http://www.w3.org/2000/svg}"
COLOUR = {"client": "#1f6fd1", "server": "#e8590c"}


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def run(*args):
    return subprocess.run([tcpfsm, *args], capture_output=True, text=True)


# RFC 9293 Figure 5's edges: a deliberate independent oracle, copied from the
# RFC, not read from the engine's table (tcpfsm_rfc_edges, engine/names.c),
# so that a wrong row there fails this test instead of being drawn
FIGURE = {("CLOSED", "LISTEN"), ("CLOSED", "SYN_SENT"), ("LISTEN", "CLOSED"),
          ("LISTEN", "SYN_RECEIVED"), ("LISTEN", "SYN_SENT"), ("SYN_SENT", "CLOSED"),
          ("SYN_SENT", "SYN_RECEIVED"), ("SYN_SENT", "ESTABLISHED"),
          ("SYN_RECEIVED", "ESTABLISHED"), ("SYN_RECEIVED", "FIN_WAIT_1"),
          ("ESTABLISHED", "FIN_WAIT_1"), ("ESTABLISHED", "CLOSE_WAIT"),
          ("FIN_WAIT_1", "FIN_WAIT_2"), ("FIN_WAIT_1", "CLOSING"), ("FIN_WAIT_2", "TIME_WAIT"),
          ("CLOSING", "TIME_WAIT"), ("CLOSE_WAIT", "LAST_ACK"), ("LAST_ACK", "CLOSED"),
          ("TIME_WAIT", "CLOSED")}


def moves(pcap, stream):
    """(role, from, to, extra) -> [frames] from tcpfsm annotate; extra: a
    reset's move, or one the figure has no edge for (a dashed edge)"""
    out = run("annotate", pcap).stdout
    rows = csv.DictReader(io.StringIO(out), delimiter="\t", quoting=csv.QUOTE_NONE)
    got = {}
    for r in rows:
        if r["tcp.stream"] != str(stream) or not r["role"]:
            continue
        other = "server" if r["role"] == "client" else "client"
        for role, a, b in ((r["role"], r["src_prev"], r["src_state"]),
                           (other, r["dst_prev"], r["dst_state"])):
            if a != b:
                extra = r["event"] == "rst" or (a, b) not in FIGURE
                got.setdefault((role, a, b, extra), []).append(r["frame.number"])
    return got


cases = [("close-fourway", 0), ("close-merged", 0), ("simultaneous-close", 0),
         ("refused", 0), ("reset", 0), ("crafted-simultaneous-open", 0),
         ("crafted-midstream", 0), ("crafted-port-reuse", 1), ("close-server", 0)]
with tempfile.TemporaryDirectory() as tmp:
    for name, stream in cases:
        pcap = os.path.join(caps, name + ".pcap")
        want = moves(pcap, stream)
        check(want, "%s: annotate gives moves" % name)
        for lang in ("en", "zh"):
            svg = os.path.join(tmp, "%s.%s.svg" % (name, lang))
            p = run("diagram", "--stream", str(stream), "--lang", lang, "--svg", svg, pcap)
            check(p.returncode == 0, "%s %s: exit %d %s" % (name, lang, p.returncode, p.stderr))
            try:
                root = ET.parse(svg).getroot()
            except Exception as e:  # noqa: BLE001
                check(False, "%s %s: SVG does not parse: %s" % (name, lang, e))
                continue
            check(root.tag == NS + "svg", "%s: root is svg" % name)
            edges = [g for g in root.iter(NS + "g") if "edge" in g.get("class", "").split()]
            figure = [g for g in edges if "extra" not in g.get("class").split()]
            check(len(figure) == 19, "%s: %d figure edges, want 19" % (name, len(figure)))
            check({(g.get("data-from"), g.get("data-to")) for g in figure} == FIGURE, "%s: the figure's edges" % name)
            drawn = {}
            for g in edges:
                cls = g.get("class").split()
                for role in ("client", "server"):
                    fr = g.get("data-" + role)
                    if fr:
                        drawn[(role, g.get("data-from"), g.get("data-to"), "extra" in cls)] = fr.split(", ")
                        paths = [p for p in g.iter(NS + "path") if p.get("stroke") == COLOUR[role]]
                        check(paths, "%s: %s edge %s->%s not in its colour" % (name, role, g.get("data-from"), g.get("data-to")))
                        texts = " ".join(t.text or "" for t in g.iter(NS + "text"))
                        for f in fr.split(", "):
                            check(f in texts, "%s: frame %s not written on %s->%s: %r" % (name, f, g.get("data-from"), g.get("data-to"), texts))
                        if "extra" in cls:
                            check(all(p.get("stroke-dasharray") for p in paths), "%s: extra edge not dashed" % name)
                if "untaken" in cls:
                    strokes = {p.get("stroke") for p in g.iter(NS + "path")}
                    check(strokes == {"#c4c4c4"}, "%s: untaken edge %s->%s not grey: %s" % (name, g.get("data-from"), g.get("data-to"), strokes))
                    check(not g.get("data-client") and not g.get("data-server"), "%s: untaken edge with frames" % name)
            check(drawn == want, "%s %s: edges drawn %s, want %s" % (name, lang, sorted(drawn.items()), sorted(want.items())))
            states = {g.get("data-state") for g in root.iter(NS + "g") if g.get("class") == "state"}
            check({"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2",
                   "CLOSE_WAIT", "CLOSING", "LAST_ACK", "TIME_WAIT"} <= states, "%s: states %s" % (name, states))
        # the text form: each endpoint's path with its frames
        p = run("diagram", "--stream", str(stream), pcap)
        check(p.returncode == 0, "%s text: exit %d" % (name, p.returncode))
        for (role, a, b, extra), frames in want.items():
            line = next((l for l in p.stdout.splitlines() if l.startswith(role + ":")), "")
            for f in frames:
                check("→ %s (frame %s)" % (b, f) in line, "%s text: %s %s->%s frame %s not in %r" % (name, role, a, b, f, line))
        check("[C" in p.stdout and "not taken" in p.stdout, "%s text: edge list" % name)
    # selection and errors
    p = run("diagram", "--stream", "7", os.path.join(caps, "close-merged.pcap"))
    check(p.returncode == 1 and "no connection with stream 7" in p.stderr, "no such stream: %d %s" % (p.returncode, p.stderr))
    p = run("diagram", os.path.join(tmp, "missing.pcap"))
    check(p.returncode == 66, "missing input: %d" % p.returncode)
    p = run("diagram", "--help")
    check(p.returncode == 0 and "Figure 5" in p.stdout, "diagram --help")
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
