#!/usr/bin/env bash
# fuzz_regressions.sh TCPFSM DIR - inputs the fuzzer once crashed on must
# now be handled: any documented exit code, never a signal.
set -u
TCPFSM=$1 DIR=$2
pass=0 fail=0
for f in "$DIR"/*; do
    [ -f "$f" ] || continue
    for cmd in annotate summary; do
        "$TCPFSM" "$cmd" "$f" >/dev/null 2>&1
        rc=$?
        case $rc in
            0|2|65) pass=$((pass + 1)) ;;
            *) fail=$((fail + 1)); echo "FAIL $cmd $(basename "$f"): exit $rc" ;;
        esac
    done
done
# the capture decoder's (DIR/pcap, fuzz/fuzz_pcap.c; replayed through the
# harness by the fuzz_pcap_regressions test) through the tool as well;
# 69: the capture is cut short, or needed tshark and it is not installed
for f in "$DIR"/pcap/*; do
    [ -f "$f" ] || continue
    for cmd in annotate "summary --zeek"; do
        # shellcheck disable=SC2086
        "$TCPFSM" $cmd "$f" >/dev/null 2>&1
        rc=$?
        case $rc in
            0|2|65|69) pass=$((pass + 1)) ;;
            *) fail=$((fail + 1)); echo "FAIL $cmd pcap/$(basename "$f"): exit $rc" ;;
        esac
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
