#!/usr/bin/env python3
"""ladder_check.py TCPFSM EXPORT LADDER_TXT - check a text ladder, row by
row, against `tcpfsm annotate` and `tcpfsm summary` of the same export.

Independent of ladder.c: it reads the drawing back and holds every row to
the annotate columns:
  - every segment of every connection appears exactly once, in order: as
    its own row or inside a folded row's frame range;
  - an arrow points right for the client's segments, left for the
    server's; its flags, Seq, Ack and Len are the segment's (tcp.flags,
    seq_rel, ack_rel, tcp.len);
  - a state written beside a lifeline is that side's state after the
    segment; a side left blank did not change;
  - the step title is how the label begins; a segment with a step has one;
  - the check is there exactly when ack_ok is, ✓ for 1, ✗ for 0;
  - the anomalies are the segment's;
  - a folded row holds only plain data/ACK segments (no anomaly, no state
    change) and counts them and their bytes right;
  - the header and the summary lines say what `tcpfsm summary` says.
Prints the problems; exit status 1 if any.
"""
import csv
import re
import subprocess
import sys

STATES = {"UNKNOWN", "CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED",
          "ESTABLISHED", "FIN_WAIT_1", "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",
          "LAST_ACK", "TIME_WAIT"}
FLAG_NAMES = [(0x001, "FIN"), (0x002, "SYN"), (0x004, "RST"), (0x008, "PSH"),
              (0x010, "ACK"), (0x020, "URG"), (0x040, "ECE"), (0x080, "CWR"),
              (0x100, "AE")]
CHECK = re.compile(r"ack ([=≠]) (ISN|FIN seq|ISN \+ SYN data) \+ 1 ([✓✗])")


def flags_text(hexflags):
    f = int(hexflags, 16)
    names = [n for bit, n in FLAG_NAMES if f & bit]
    return "-".join(names) if names else "no flags"


def run(tcpfsm, cmd, export):
    out = subprocess.run([tcpfsm, cmd, export], check=True,
                         capture_output=True, text=True).stdout
    return list(csv.DictReader(out.splitlines(), delimiter="\t"))


def main():
    tcpfsm, export, ladder_path = sys.argv[1:4]
    rows = run(tcpfsm, "annotate", export)
    summaries = {s["stream"]: s for s in run(tcpfsm, "summary", export)}
    by_stream = {}
    for r in rows:
        if r["event"]:
            by_stream.setdefault(r["tcp.stream"], []).append(r)
    problems = []

    def bad(msg):
        problems.append(msg)

    blocks = open(ladder_path, encoding="utf-8").read().split("\n\n")
    seen_streams = []
    for block in blocks:
        lines = [l for l in block.split("\n") if l]
        if not lines:
            continue
        m = re.match(r"^Stream (\d+): client (\S+), server (\S+)$", lines[0])
        if not m:
            bad("header not understood: %r" % lines[0])
            continue
        stream, client, server = m.groups()
        seen_streams.append(stream)
        where = "stream %s" % stream
        summ = summaries.get(stream)
        segs = by_stream.get(stream, [])
        if summ is None:
            bad("%s: not in tcpfsm summary" % where)
            continue
        if (client, server) != (summ["client"], summ["server"]):
            bad("%s: header endpoints %s %s, summary %s %s" %
                (where, client, server, summ["client"], summ["server"]))
        byframe = {int(r["frame.number"]): r for r in segs}
        order = [int(r["frame.number"]) for r in segs]
        covered = []
        # states before the first segment
        first = segs[0]
        client_first = first["role"] == "client"
        cl = first["src_prev"] if client_first else first["dst_prev"]
        sv = first["dst_prev"] if client_first else first["src_prev"]
        init = lines[2]
        left, _, rest = init.partition("│")
        _, _, right = rest.partition("│")
        if left.split() != [cl] or right.split() != [sv]:
            bad("%s: initial states %r %r, annotate %s %s" %
                (where, left.strip(), right.strip(), cl, sv))
        body = lines[3:-2]
        for line in body:
            if "┆" in line:  # a folded run
                left, _, rest = line.partition("┆")
                lane, _, _ = rest.partition("┆")
                fr = left.split()[0]
                a, _, b = fr.partition("–")
                a, b = int(a), int(b or a)
                inside = [f for f in order if a <= f <= b]
                covered += inside
                nd = sum(1 for f in inside if int(byframe[f]["tcp.len"]) > 0)
                na = len(inside) - nd
                nbytes = sum(int(byframe[f]["tcp.len"]) for f in inside)
                for f in inside:
                    r = byframe[f]
                    if (r["event"] not in ("data", "ack") or r["anomaly"] or
                            r["src_prev"] != r["src_state"] or
                            r["dst_prev"] != r["dst_state"]):
                        bad("%s: frame %d folded but is %s %s" %
                            (where, f, r["event"], r["anomaly"]))
                want = []
                if nd:
                    want.append("%s data segment%s (%s bytes)" %
                                (f"{nd:,}", "" if nd == 1 else "s",
                                 f"{nbytes:,}"))
                if na:
                    want.append("%s ACK%s" % (f"{na:,}", "" if na == 1 else "s"))
                want = "… %s …" % ", ".join(want)
                if lane.strip() != want:
                    bad("%s: fold %s says %r, the frames make %r" %
                        (where, fr, lane.strip(), want))
                if len(inside) < 2:
                    bad("%s: fold %s of fewer than two segments" % (where, fr))
                continue
            left, _, rest = line.partition("│")
            lane, _, right = rest.partition("│")
            ltok = left.split()
            f = int(ltok[0])
            covered.append(f)
            r = byframe.get(f)
            if r is None:
                bad("%s: frame %d is not a segment of this stream" % (where, f))
                continue
            client_side = r["role"] == "client"
            cl_after = r["src_state"] if client_side else r["dst_state"]
            sv_after = r["dst_state"] if client_side else r["src_state"]
            # the client state is the last token left of the lifeline when
            # it is a state name (frame and time come first)
            cl_shown = ltok[-1] if len(ltok) > 1 and ltok[-1] in STATES else None
            if cl_shown is not None and cl_shown != cl_after:
                bad("%s frame %d: client state %s, annotate %s" %
                    (where, f, cl_shown, cl_after))
            if cl_shown is None and cl_after != cl:
                bad("%s frame %d: client moved %s -> %s, not written" %
                    (where, f, cl, cl_after))
            if cl_shown is not None and cl_after == cl:
                bad("%s frame %d: client state %s written, unchanged" %
                    (where, f, cl_after))
            cl = cl_after
            rtok = right.split()
            sv_shown = rtok[0] if rtok and rtok[0] in STATES else None
            if sv_shown is not None and sv_shown != sv_after:
                bad("%s frame %d: server state %s, annotate %s" %
                    (where, f, sv_shown, sv_after))
            if sv_shown is None and sv_after != sv:
                bad("%s frame %d: server moved %s -> %s, not written" %
                    (where, f, sv, sv_after))
            if sv_shown is not None and sv_after == sv:
                bad("%s frame %d: server state %s written, unchanged" %
                    (where, f, sv_after))
            sv = sv_after
            # the arrow
            right_arrow = lane.rstrip().endswith("▶")
            left_arrow = lane.lstrip().startswith("◀")
            if right_arrow == left_arrow or right_arrow != client_side:
                bad("%s frame %d: arrow %r for a %s segment" %
                    (where, f, lane.strip(), r["role"]))
            text = lane.strip("─▶◀ ")
            want = "%s Seq=%s" % (flags_text(r["tcp.flags"]), r["seq_rel"])
            if r["ack_rel"] != "":
                want += " Ack=%s" % r["ack_rel"]
            want += " Len=%s" % r["tcp.len"]
            if text != want:
                bad("%s frame %d: arrow says %r, annotate %r" %
                    (where, f, text, want))
            # step title, check, anomalies
            tail = right.strip()
            if sv_shown:
                tail = tail[len(sv_shown):].strip()
            an = re.search(r"\[([^\]]*)\]$", tail)
            anomalies = an.group(1) if an else ""
            if an:
                tail = tail[:an.start()].strip()
            if anomalies != r["anomaly"]:
                bad("%s frame %d: anomalies %r, annotate %r" %
                    (where, f, anomalies, r["anomaly"]))
            ck = CHECK.search(tail)
            if ck:
                tail = tail[:ck.start()].strip()
            if (ck is None) != (r["ack_ok"] == ""):
                bad("%s frame %d: check %r, ack_ok %r" %
                    (where, f, ck and ck.group(0), r["ack_ok"]))
            elif ck:
                ok = ck.group(1) == "=" and ck.group(3) == "✓"
                if ok != (r["ack_ok"] == "1"):
                    bad("%s frame %d: check %s, ack_ok %s" %
                        (where, f, ck.group(0), r["ack_ok"]))
                fin = r["event"] in ("fin1-ack", "fin2", "fin2-ack")
                if (ck.group(2) == "FIN seq") != fin:
                    bad("%s frame %d: check against %s for event %s" %
                        (where, f, ck.group(2), r["event"]))
            title = tail
            if title and not r["label"].startswith(title + ":"):
                bad("%s frame %d: title %r, label %r" %
                    (where, f, title, r["label"]))
            if r["step"] and not title:
                bad("%s frame %d: step %s without a title" %
                    (where, f, r["step"]))
        if covered != order:
            bad("%s: frames drawn %s, the stream has %s" %
                (where, covered, order))
        # the summary
        s1, s2 = lines[-2], lines[-1]
        m1 = re.match(r"^Summary: handshake (\S+) \(.*\); close (\S+) \(.*\); "
                      r"active closer: (\S+)$", s1)
        if not m1 or m1.groups() != (summ["handshake"], summ["close"],
                                     summ["active_closer"] or "none"):
            bad("%s: summary line %r, summary %s %s %s" %
                (where, s1, summ["handshake"], summ["close"],
                 summ["active_closer"]))
        want2 = "Final states: client %s, server %s" % (summ["client_state"],
                                                         summ["server_state"])
        if summ["anomalies"]:
            want2 += "; anomalies: %s" % summ["anomalies"]
        if s2 != want2:
            bad("%s: %r, summary says %r" % (where, s2, want2))
    if sorted(seen_streams) != sorted(by_stream):
        bad("streams drawn %s, the export has %s" %
            (seen_streams, sorted(by_stream)))
    for p in problems:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
