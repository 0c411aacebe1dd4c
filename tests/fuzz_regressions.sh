#!/usr/bin/env bash
# fuzz_regressions.sh TCPFSM DIR - inputs the fuzzer once crashed on must
# now be handled: any documented exit code, never a signal.
set -u
TCPFSM=$1 DIR=$2
pass=0 fail=0
for f in "$DIR"/*; do
    for cmd in annotate summary; do
        "$TCPFSM" "$cmd" "$f" >/dev/null 2>&1
        rc=$?
        case $rc in
            0|2|65) pass=$((pass + 1)) ;;
            *) fail=$((fail + 1)); echo "FAIL $cmd $(basename "$f"): exit $rc" ;;
        esac
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
