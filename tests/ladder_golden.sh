#!/usr/bin/env bash
# ladder_golden.sh TCPFSM CAPTURES_DIR [--update]
# For every committed tshark export captures/NAME.tsv:
#   - `tcpfsm ladder NAME.tsv` (every connection, standard output not a
#     terminal) must equal NAME.ladder.txt, and carry no colour codes;
#   - that ladder must agree, row by row, with `tcpfsm annotate` and
#     `tcpfsm summary` of the same export (ladder_check.py: arrows, flags,
#     Seq/Ack/Len, states, steps, checks, anomalies, folds, summary);
#   - `--all` draws every segment (no fold) and agrees the same way.
# And for the two close captures, `--lang zh` must equal NAME.ladder.zh.txt.
# --update rewrites the golden files (review them before committing).
set -u
TCPFSM=${1:?usage: ladder_golden.sh TCPFSM CAPTURES_DIR [--update]}
DIR=${2:?usage: ladder_golden.sh TCPFSM CAPTURES_DIR [--update]}
UPDATE=${3:-}
HERE=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# golden NAME KIND FILE_SUFFIX -- tcpfsm arguments...
golden() {
    local name=$1 golden=$2
    shift 3
    if ! "$TCPFSM" ladder "$@" >"$tmp/out" 2>"$tmp/err"; then
        bad "$name ladder $*: exit $?: $(head -c 300 "$tmp/err")"
        return
    fi
    if grep -q $'\033' "$tmp/out"; then
        bad "$name ladder $*: colour codes, but standard output is no terminal"
    else
        ok
    fi
    [ "$UPDATE" = --update ] && cp "$tmp/out" "$golden"
    if [ ! -f "$golden" ]; then
        bad "$name: no golden file $golden (run with --update, then review it)"
    elif diff -u "$golden" "$tmp/out" >"$tmp/diff"; then
        ok
    else
        bad "$name ladder $* differs from $(basename "$golden"):"
        head -40 "$tmp/diff"
    fi
}

# shellcheck source=tests/exports.sh
. "$(dirname "$0")/exports.sh"
list_exports "$DIR" ladder_golden.sh

for f in "${exports[@]}"; do
    base=${f%.tsv}
    name=$(basename "$base")
    golden "$name" "$base.ladder.txt" -- "$f"
    # the drawing agrees with annotate and summary
    if python3 "$HERE/ladder_check.py" "$TCPFSM" "$f" "$tmp/out" >"$tmp/check" 2>&1; then
        ok
    else
        bad "$name: the ladder disagrees with annotate/summary:"
        head -20 "$tmp/check"
    fi
    "$TCPFSM" ladder --all "$f" >"$tmp/all" 2>"$tmp/err"
    if grep -q '┆' "$tmp/all"; then
        bad "$name: --all still folds"
    elif python3 "$HERE/ladder_check.py" "$TCPFSM" "$f" "$tmp/all" >"$tmp/check" 2>&1; then
        ok
    else
        bad "$name --all: the ladder disagrees with annotate/summary:"
        head -20 "$tmp/check"
    fi
done

for name in close-merged close-fourway; do
    [ -f "$DIR/$name.tsv" ] || continue
    golden "$name" "$DIR/$name.ladder.zh.txt" -- --lang zh "$DIR/$name.tsv"
done

# selection: one stream, one 4-tuple, nothing
if [ -f "$DIR/parallel.tsv" ]; then
    "$TCPFSM" ladder --stream 7 "$DIR/parallel.tsv" >"$tmp/one" 2>&1
    [ "$(grep -c '^Stream ' "$tmp/one")" = 1 ] && grep -q '^Stream 7:' "$tmp/one" && ok ||
        bad "--stream 7 draws stream 7 alone: $(head -3 "$tmp/one")"
    "$TCPFSM" ladder --stream 99 "$DIR/parallel.tsv" >"$tmp/none" 2>"$tmp/err"
    rc=$?
    [ "$rc" = 1 ] && grep -q 'no connection with stream 99' "$tmp/err" && ok ||
        bad "--stream 99: exit $rc, want 1: $(cat "$tmp/err")"
fi
if [ -f "$DIR/crafted-port-reuse.tsv" ]; then
    # both connections on that 4-tuple, given either way round
    "$TCPFSM" ladder --conn 10.0.0.2:80-10.0.0.1:50000 "$DIR/crafted-port-reuse.tsv" >"$tmp/conn" 2>&1
    [ "$(grep -c '^Stream ' "$tmp/conn")" = 2 ] && ok ||
        bad "--conn draws both connections of the reused 4-tuple: $(head -3 "$tmp/conn")"
fi
if [ -f "$DIR/ipv6-server-close.tsv" ]; then
    "$TCPFSM" ladder --conn '[::1]:47108-[::1]:47008' "$DIR/ipv6-server-close.tsv" >"$tmp/v6" 2>&1 &&
        grep -q '^Stream 0: client \[::1\]:47108' "$tmp/v6" && ok ||
        bad "--conn with IPv6 endpoints: $(head -3 "$tmp/v6")"
fi
for args in "--stream x" "--conn 1.2.3.4-5.6.7.8" "--stream 1 --conn 1.1.1.1:1-2.2.2.2:2" \
            "--time-scale" "--lang xx" "--bogus"; do
    # shellcheck disable=SC2086
    "$TCPFSM" ladder $args "${exports[0]}" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" = 64 ] && ok || bad "ladder $args: exit $rc, want 64: $(cat "$tmp/err")"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
