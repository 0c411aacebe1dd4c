#!/usr/bin/env bash
# tool_messages.sh TCPFSM CAPTURES - messages that point the right way
# (issue 15): a CSV export, a JSON file, a headerless -T fields export, a
# text file, a tcpfsm summary and an empty pcap each get a message that
# says what the file looks like and what to run instead; a real export
# with a column missing keeps its message; `tcpfsm COMMAND --help` prints
# that command's help; summary --pretty aligns its columns (and is the
# default on a terminal only).
set -u
TCPFSM=${1:?usage: tool_messages.sh TCPFSM CAPTURES}
CAPS=${2:?usage: tool_messages.sh TCPFSM CAPTURES}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME WANT_RC FILE SUBSTRING... : stderr holds every substring
expect() {
    local name=$1 want=$2 file=$3
    shift 3
    "$TCPFSM" annotate "$file" >"$work/out" 2>"$work/err"
    local rc=$?
    [ "$rc" -eq "$want" ] && ok || bad "$name: exit $rc, want $want: $(cat "$work/err")"
    for s in "$@"; do
        grep -qF -- "$s" "$work/err" && ok || bad "$name: stderr lacks '$s': $(cat "$work/err")"
    done
    grep -q "frame.number: missing required column" "$work/err" && bad "$name: still says frame.number is missing" || ok
}

T=$CAPS/close-merged.tsv
"$TCPFSM" annotate --format csv "$T" >"$work/ours.csv"
tr '\t' ',' <"$T" >"$work/tshark.csv"
"$TCPFSM" annotate --format jsonl "$T" >"$work/ours.jsonl"
printf '[\n  {\n    "_index": "packets-2026-12-06",\n    "_source": {"layers": {"frame": {}}}\n  }\n]\n' >"$work/tshark.json"
tail -n +2 "$T" >"$work/noheader.tsv"
printf 'hello\nthis is a note about a capture\n' >"$work/notes.txt"
"$TCPFSM" summary "$T" >"$work/summary.tsv"
head -c 24 "$CAPS/close-merged.pcap" >"$work/empty.pcap"

expect "tcpfsm csv" 65 "$work/ours.csv" "ours.csv:1: header: this is a CSV file" "tcpfsm's own --format csv output" "tab-separated" "tcpfsm annotate CAPTURE" "-E separator=/t"
expect "tshark csv" 65 "$work/tshark.csv" "tshark.csv:1: header: this is a CSV file" "tshark -E separator=,?" "tshark -n -r CAPTURE.pcapng -T fields -E header=y"
expect "tcpfsm jsonl" 65 "$work/ours.jsonl" "ours.jsonl:1: header: this is JSON" "tcpfsm's own --format jsonl output" "tcpfsm annotate CAPTURE.pcapng"
expect "tshark json" 65 "$work/tshark.json" "tshark.json:1: header: this is JSON" "tshark -T json?" "-T fields -E header=y"
expect "no header" 65 "$work/noheader.tsv" "noheader.tsv:1: header: the first line is a data row" "without -E header=y" "export again with -E header=y"
expect "text file" 65 "$work/notes.txt" "notes.txt:1: header: this is not a tshark export or a capture" "a text file?" "give tcpfsm a pcap/pcapng capture"
expect "summary file" 65 "$work/summary.tsv" "summary.tsv:1: header: this is a tcpfsm summary" "not a tshark export (one row per segment)"
expect "empty pcap" 0 "$work/empty.pcap" "empty.pcap: the capture holds no packets" "tcpfsm annotate -i IFACE"
[ "$(wc -l <"$work/out")" -eq 1 ] && ok || bad "empty pcap: the header row only: $(cat "$work/out")"
# a real export header with a column missing: the precise message
cut -f1-9,11- "$T" >"$work/noflags.tsv"
"$TCPFSM" annotate "$work/noflags.tsv" >/dev/null 2>"$work/err"
[ $? -eq 65 ] && grep -q "noflags.tsv:1: tcp.flags: missing required column" "$work/err" && ok || bad "missing column: $(cat "$work/err")"
# through summary and ladder too (the same input layer)
"$TCPFSM" summary "$work/ours.csv" >/dev/null 2>"$work/err"
[ $? -eq 65 ] && grep -q "this is a CSV file" "$work/err" && ok || bad "summary csv: $(cat "$work/err")"
"$TCPFSM" ladder "$work/noheader.tsv" >/dev/null 2>"$work/err"
[ $? -eq 65 ] && grep -q "the first line is a data row" "$work/err" && ok || bad "ladder no header: $(cat "$work/err")"

# --- COMMAND --help ---
for c in annotate summary ladder diagram fields; do
    "$TCPFSM" $c --help >"$work/help.$c" 2>"$work/err"
    rc=$?
    [ $rc -eq 0 ] && ok || bad "$c --help: exit $rc"
    head -1 "$work/help.$c" | grep -q "^Usage: tcpfsm $c" && ok || bad "$c --help: $(head -2 "$work/help.$c")"
    for other in annotate summary ladder diagram fields; do
        [ $other = $c ] && continue
        grep -q "^Usage: tcpfsm $other" "$work/help.$c" && bad "$c --help shows the help of $other"
    done
    ok
done
grep -q -- "--pretty" "$work/help.summary" && ok || bad "summary --help lacks --pretty"
grep -q -- "--width" "$work/help.ladder" && grep -q -- "--follow" "$work/help.ladder" && ok || bad "ladder --help lacks --width/--follow"
grep -q -- "--line-buffered" "$work/help.annotate" && grep -q -- "--interface" "$work/help.annotate" && ok || bad "annotate --help lacks the live options"
"$TCPFSM" annotate -h >"$work/h" && cmp -s "$work/h" "$work/help.annotate" && ok || bad "annotate -h differs from --help"
"$TCPFSM" --help | grep -q "^Commands:" && ok || bad "tcpfsm --help is the whole usage"

# --- summary --pretty ---
"$TCPFSM" summary --pretty "$CAPS/parallel.pcap" >"$work/pretty" 2>"$work/err" || bad "pretty: exit $?"
"$TCPFSM" summary "$CAPS/parallel.pcap" >"$work/plain"
python3 - "$work/pretty" "$work/plain" <<'PY' && ok || bad "pretty: not the same table aligned"
import sys
pretty = open(sys.argv[1]).read().splitlines()
plain = [l.split("\t") for l in open(sys.argv[2]).read().splitlines()]
assert len(pretty) == len(plain), (len(pretty), len(plain))
# every column starts at the same offset on every line
starts = None
for line, cells in zip(pretty, plain):
    pos, offs = 0, []
    for c in cells:
        c = c or "-"
        i = line.index(c, pos)
        offs.append(i)
        pos = i + len(c)
    if starts is None:
        starts = offs
    assert offs == starts, (offs, starts)
    assert "\t" not in line
PY
"$TCPFSM" summary "$CAPS/parallel.pcap" | head -1 | grep -q $'\t' && ok || bad "summary to a pipe is not tab-separated"
if command -v script >/dev/null; then
    script -qec "$TCPFSM summary $CAPS/close-merged.pcap" /dev/null >"$work/tty" 2>&1
    grep -q $'\t' "$work/tty" && bad "summary on a terminal is not pretty by default" || ok
    script -qec "$TCPFSM summary --no-pretty $CAPS/close-merged.pcap" /dev/null >"$work/tty" 2>&1
    grep -q $'\t' "$work/tty" && ok || bad "--no-pretty on a terminal"
fi
"$TCPFSM" annotate --pretty "$T" >/dev/null 2>"$work/err"
[ $? -eq 64 ] && ok || bad "annotate --pretty is not a usage error"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
