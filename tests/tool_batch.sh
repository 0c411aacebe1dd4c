#!/usr/bin/env bash
# tool_batch.sh TCPFSM CAPTURES - capture files read directly, batches of
# inputs (--output-dir, --jobs, the combined summary), and the progress
# line.
#   - direct reading gives what --via-tshark gives (the full equality test
#     over every capture is direct_vs_tshark_cli); a gzip'd capture, which
#     tcpfsm does not decode itself, goes through tshark with a note; a
#     capture cut short labels the frames before the cut and exits 69;
#   - annotate --output-dir writes DIR/NAME.tcpfsm.tsv (.jsonl, .csv) per
#     input, each equal to the single-input run; summary FILE... writes one
#     summary with the file name as first column, rows in command-line
#     order, equal to the single-input summaries; one broken input is
#     reported, the others finish, the exit status is the worst;
#   - the progress line: on a terminal (script(1) gives one) and not with
#     --quiet or when stderr is not a terminal.
# Needs tshark for the --via-tshark comparisons (exit 77 without it).
set -u
TCPFSM=${1:?usage: tool_batch.sh TCPFSM CAPTURES}
CAPS=${2:?usage: tool_batch.sh TCPFSM CAPTURES}
command -v tshark >/dev/null || { echo "tshark not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# run WANT_RC -- command...: stdout in $work/out, stderr in $work/err
run() {
    local want=$1
    shift 2
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    [ "$rc" -eq "$want" ] && ok || bad "$*: exit $rc, want $want: $(head -c 300 "$work/err")"
}
# the columns but frame.protocols (direct lists the layers it decoded)
noproto() { python3 -c '
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
skip = rows[0].index("frame.protocols") if rows and "frame.protocols" in rows[0] else -1
for r in rows:
    print("\t".join(c for i, c in enumerate(r) if i != skip))' "$1"; }

m=$CAPS/close-merged.pcap r=$CAPS/reset.pcap p=$CAPS/parallel.pcap

# --- direct reading ---
run 0 -- "$TCPFSM" annotate "$m"
cp "$work/out" "$work/direct.tsv"
[ ! -s "$work/err" ] && ok || bad "direct read prints nothing on stderr: $(cat "$work/err")"
run 0 -- "$TCPFSM" annotate --via-tshark "$m"
diff <(noproto "$work/direct.tsv") <(noproto "$work/out") >/dev/null && ok || bad "direct annotate = --via-tshark annotate"
gzip -c "$p" >"$work/pgz.pcap.gz"
run 0 -- "$TCPFSM" annotate "$work/pgz.pcap.gz"
grep -q "pgz.pcap.gz: .*reading it through tshark" "$work/err" && ok || bad "gzip capture: the tshark note: $(cat "$work/err")"
cp "$work/out" "$work/gz.tsv"
"$TCPFSM" annotate --via-tshark "$p" >"$work/via.tsv" 2>/dev/null
cmp -s "$work/gz.tsv" "$work/via.tsv" && ok || bad "gzip capture labelled as through tshark"
size=$(stat -c %s "$p")
head -c $((size / 2)) "$p" >"$work/cut.pcap"
run 69 -- "$TCPFSM" annotate "$work/cut.pcap"
grep -q "cut.pcap: truncated capture: frame [0-9]* cut short; the frames before it were labelled" "$work/err" && ok || bad "cut capture message: $(cat "$work/err")"
cut -f1-36 "$work/out" >"$work/cut.direct"
n=$(($(wc -l <"$work/out") - 1))
[ "$n" -gt 10 ] && ok || bad "cut capture: the frames before the cut are labelled ($n rows)"
"$TCPFSM" annotate --via-tshark "$work/cut.pcap" >"$work/cut.via" 2>/dev/null
[ "$(noproto "$work/out")" = "$(noproto "$work/cut.via")" ] && ok || bad "cut capture: direct rows = tshark rows"

# --- batch: annotate --output-dir ---
run 0 -- "$TCPFSM" annotate --output-dir "$work/o" --jobs 2 "$m" "$r" "$p"
run 64 -- "$TCPFSM" annotate --output-dir "$work/o2" "$r" "$CAPS/reset.tsv"
grep -q "would both write" "$work/err" && ok || bad "name collision: $(cat "$work/err")"
run 0 -- "$TCPFSM" annotate --output-dir "$work/o" --jobs 2 "$m" "$p" "$work/pgz.pcap.gz"
for n in close-merged parallel; do
    "$TCPFSM" annotate "$CAPS/$n.pcap" >"$work/one.tsv" 2>/dev/null
    cmp -s "$work/one.tsv" "$work/o/$n.tcpfsm.tsv" && ok || bad "o/$n.tcpfsm.tsv = tcpfsm annotate $n.pcap"
done
cmp -s "$work/o/pgz.tcpfsm.tsv" "$work/gz.tsv" && ok || bad "gzip capture: DIR/pgz.tcpfsm.tsv"
run 0 -- "$TCPFSM" annotate -D "$work/j" -f jsonl -j 1 "$m" "$r"
"$TCPFSM" annotate -f jsonl "$r" >"$work/one.jsonl"
cmp -s "$work/one.jsonl" "$work/j/reset.tcpfsm.jsonl" && ok || bad "--format jsonl: DIR/NAME.tcpfsm.jsonl"
run 66 -- "$TCPFSM" annotate --output-dir "$work/b" "$m" "$work/missing.pcap" "$r"
grep -q "1 of 3 inputs failed: $work/missing.pcap (66); the others finished" "$work/err" && ok || bad "broken input reported: $(cat "$work/err")"
[ -s "$work/b/close-merged.tcpfsm.tsv" ] && [ -s "$work/b/reset.tcpfsm.tsv" ] && [ ! -e "$work/b/missing.tcpfsm.tsv" ] && ok || bad "the others finish, no empty output for the broken one: $(ls "$work/b")"
run 64 -- "$TCPFSM" annotate "$m" "$r"
grep -q "2 inputs need --output-dir" "$work/err" && ok || bad "several inputs need --output-dir"
run 64 -- "$TCPFSM" annotate --jobs 0 -D "$work/x" "$m"
run 64 -- "$TCPFSM" summary --output-dir "$work/x" "$m"

# --- batch: the combined summary ---
run 0 -- "$TCPFSM" summary --jobs 2 "$m" "$p" "$CAPS/reset.tsv"
cp "$work/out" "$work/all.tsv"
[ "$(head -1 "$work/all.tsv" | cut -f1-2)" = $'file\tstream' ] && ok || bad "combined summary: file column first"
{
    "$TCPFSM" summary "$m" | sed 1d | sed "s|^|$m\t|"
    "$TCPFSM" summary "$p" | sed 1d | sed "s|^|$p\t|"
    "$TCPFSM" summary "$CAPS/reset.tsv" | sed 1d | sed "s|^|$CAPS/reset.tsv\t|"
} >"$work/want.tsv" 2>/dev/null
diff <(sed 1d "$work/all.tsv") "$work/want.tsv" >/dev/null && ok || bad "combined summary = the single summaries, in command-line order"
# the exit status is the highest of the inputs': 69 (cut) over 66 (missing)
run 69 -- "$TCPFSM" summary "$m" "$work/missing.pcap" "$work/cut.pcap"
grep -q "2 of 3 inputs failed: $work/missing.pcap (66), $work/cut.pcap (69)" "$work/err" && ok || bad "broken inputs listed: $(cat "$work/err")"
grep -q "^$work/cut.pcap"$'\t' "$work/out" && grep -q "^$m"$'\t' "$work/out" && ok || bad "rows of a cut capture and of the good one kept"
run 0 -- "$TCPFSM" summary -f jsonl "$m" "$r"
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [r["file"] for r in rows] == [sys.argv[2], sys.argv[3]], rows
assert list(rows[0])[0] == "file" and rows[0]["close"] == "fin3", rows[0]' "$work/out" "$m" "$r" && ok || bad "combined JSONL summary"

# --- progress ---
if command -v script >/dev/null; then
    # a pseudo-terminal as stderr; TCPFSM_PROGRESS_AFTER=0 shows it at once
    TCPFSM_PROGRESS_AFTER=0 script -qfec "'$TCPFSM' summary '$p' >/dev/null" /dev/null >"$work/tty" 2>&1
    grep -aq "tcpfsm: $p: .*% .* of .*packets/s" "$work/tty" && ok || bad "progress line on a terminal: $(cat -v "$work/tty" | head -c 300)"
    TCPFSM_PROGRESS_AFTER=0 script -qfec "'$TCPFSM' summary --quiet '$p' >/dev/null" /dev/null >"$work/tty" 2>&1
    ! grep -aq "packets/s" "$work/tty" && ok || bad "--quiet: no progress line"
    TCPFSM_PROGRESS_AFTER=0 script -qfec "'$TCPFSM' summary -j 2 '$m' '$p' '$r' >/dev/null" /dev/null >"$work/tty" 2>&1
    grep -aq "inputs done" "$work/tty" && ok || bad "batch progress line on a terminal: $(cat -v "$work/tty" | head -c 300)"
    TCPFSM_PROGRESS_AFTER=0 script -qfec "'$TCPFSM' summary '$CAPS/parallel.tsv' >/dev/null" /dev/null >"$work/tty" 2>&1
    grep -aq "rows/s" "$work/tty" && ok || bad "progress for a TSV file: $(cat -v "$work/tty" | head -c 300)"
else
    bad "script(1) (util-linux) missing: the progress line is not checked"
fi
TCPFSM_PROGRESS_AFTER=0 "$TCPFSM" summary "$p" >/dev/null 2>"$work/err"
[ ! -s "$work/err" ] && ok || bad "no progress when stderr is not a terminal: $(cat -v "$work/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
