#!/bin/bash
# stream_rule_cache.sh TCPFSM CAPTURES_DIR - the direct reader asks
# `tshark -v` which tcp.stream rule to follow (a SYN again on a closed
# 4-tuple: one stream up to 4.0, a new one from 4.2) once per tshark
# binary: the answer is kept in $XDG_CACHE_HOME/tcpfsm/tshark-stream-rule.
# A fake tshark counts how often it is asked.
set -u
tcpfsm=$1 caps=$2
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }
mkdir "$t/bin"
fake() { # fake VERSION: a tshark that logs each call and says VERSION
    cat > "$t/bin/tshark" <<EOT
#!/bin/sh
echo "\$*" >> "$t/log"
echo "TShark (Wireshark) $1 (Git v$1)."
EOT
    chmod +x "$t/bin/tshark"
}
# close-fourway.pcap twice in a row: the second SYN repeats the first's
# sequence number on a 4-tuple that closed
cap="$t/twice.pcap"
{ cat "$caps/close-fourway.pcap"; tail -c +25 "$caps/close-fourway.pcap"; } > "$cap"
run() { # run CACHE_HOME -> stdout in $t/out, the number of asks in $asks
    rm -f "$t/log"
    XDG_CACHE_HOME=$1 PATH="$t/bin:$PATH" "$tcpfsm" summary "$cap" > "$t/out" 2> "$t/err" ||
        bad "tcpfsm exited $? ($(cat "$t/err"))"
    [ -s "$t/err" ] && bad "stderr: $(cat "$t/err")"
    asks=$( [ -f "$t/log" ] && wc -l < "$t/log" || echo 0)
    rows=$(($(wc -l < "$t/out") - 1))
}
fake 4.0.17
run "$t/cache"
[ "$asks" = 1 ] || bad "first run: tshark asked $asks times, expected 1"
[ "$rows" = 1 ] || bad "4.0's rule: $rows connections, expected 1 (one stream)"
grep -q "	40\$" "$t/cache/tcpfsm/tshark-stream-rule" || bad "the cache does not hold 40"
cp "$t/out" "$t/out40"
run "$t/cache"
[ "$asks" = 0 ] || bad "second run: tshark asked $asks times, expected 0 (cached)"
cmp -s "$t/out" "$t/out40" || bad "the cached answer changed the output"
sleep 0.01; fake 4.4.0 # another binary: asked again
run "$t/cache"
[ "$asks" = 1 ] || bad "new tshark binary: asked $asks times, expected 1"
[ "$rows" = 2 ] || bad "4.4's rule: $rows connections, expected 2 (a new stream)"
[ "$(wc -l < "$t/cache/tcpfsm/tshark-stream-rule")" = 1 ] || bad "the cache keeps stale lines"
run "$t/cache"
[ "$asks" = 0 ] || bad "4.4 again: asked $asks times, expected 0"
[ "$rows" = 2 ] || bad "4.4 cached: $rows connections, expected 2"
# a cache that cannot be written: asked every run, the answer still right
touch "$t/notadir"
run "$t/notadir"
[ "$asks" = 1 ] || bad "unwritable cache: asked $asks times, expected 1"
[ "$rows" = 2 ] || bad "unwritable cache: $rows connections, expected 2"
# a damaged cache line for this binary is not believed
sed -i 's/	42$/	7/' "$t/cache/tcpfsm/tshark-stream-rule"
run "$t/cache"
[ "$asks" = 1 ] || bad "damaged cache: asked $asks times, expected 1"
[ "$rows" = 2 ] || bad "damaged cache: $rows connections, expected 2"
[ "$fail" = 0 ] && echo "stream rule cache: all checks passed"
exit $fail
