#!/usr/bin/env bash
# golden.sh TCPFSM CAPTURES_DIR [--update]
# For every committed tshark export captures/NAME.tsv:
#   - `tcpfsm annotate NAME.tsv` must equal NAME.annotated.tsv (golden)
#   - `tcpfsm summary NAME.tsv` must equal NAME.summary.tsv (golden)
#   - the summary must agree with NAME.truth, written by hand from what the
#     capture script did (not from tcpfsm's output): handshake, close type,
#     active closer and final states of every connection.
# The goldens read committed exports, so they do not depend on timing.
set -u
TCPFSM=${1:?usage: golden.sh TCPFSM CAPTURES_DIR [--update]}
DIR=${2:?usage: golden.sh TCPFSM CAPTURES_DIR [--update]}
UPDATE=${3:-}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/exports.sh
. "$(dirname "$0")/exports.sh"
list_exports "$DIR" golden.sh

for f in "${exports[@]}"; do
    base=${f%.tsv}
    name=$(basename "$base")
    for kind in annotated summary; do
        cmd=annotate; [ "$kind" = summary ] && cmd=summary
        "$TCPFSM" "$cmd" "$f" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "FAIL $name $cmd: exit $rc: $(cat "$tmp/err")"
            fail=$((fail + 1))
            continue
        fi
        if [ "$UPDATE" = --update ]; then
            cp "$tmp/out" "$base.$kind.tsv"
        fi
        if [ ! -f "$base.$kind.tsv" ]; then
            echo "FAIL $name $cmd: no golden file $base.$kind.tsv (run with --update, then review it)"
            fail=$((fail + 1))
        elif diff -u "$base.$kind.tsv" "$tmp/out" >"$tmp/diff"; then
            pass=$((pass + 1))
        else
            echo "FAIL $name $cmd differs from the golden file:"
            head -40 "$tmp/diff"
            fail=$((fail + 1))
        fi
    done
    # the truth, by hand
    if [ ! -f "$base.truth" ]; then
        echo "FAIL $name: no truth file $base.truth"
        fail=$((fail + 1))
        continue
    fi
    "$TCPFSM" summary "$f" 2>/dev/null | python3 -c '
import sys, csv
truth_path = sys.argv[1]
got = list(csv.DictReader(sys.stdin, delimiter="\t"))
want = list(csv.DictReader(open(truth_path), delimiter="\t"))
keys = ["stream", "client", "server", "handshake", "close", "active_closer",
        "client_state", "server_state"]
bad = 0
if len(got) != len(want):
    print(f"  {len(got)} connections, the truth has {len(want)}")
    bad += 1
byid = {(g["stream"], g["client"], g["server"]): g for g in got}
for w in want:
    g = byid.get((w["stream"], w["client"], w["server"]))
    if g is None:
        print("  connection %s %s -> %s not found" % (w["stream"], w["client"], w["server"]))
        bad += 1
        continue
    for k in keys:
        wv = w[k] if w[k] != "-" else ""
        if g[k] != wv:
            print("  stream %s: %s is %r, the truth is %r" % (w["stream"], k, g[k], wv))
            bad += 1
sys.exit(1 if bad else 0)
' "$base.truth" >"$tmp/truth" 2>&1
    if [ $? -eq 0 ]; then
        pass=$((pass + 1))
    else
        echo "FAIL $name summary disagrees with $name.truth:"
        cat "$tmp/truth"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
