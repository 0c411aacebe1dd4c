#!/usr/bin/env bash
# live_use.sh TCPFSM CAPTURES - live use (issue 15):
#   - a pipeline: rows fed slowly through a FIFO; the first output row
#     leaves tcpfsm before the input ends (annotate, and --line-buffered);
#     a batch run from a file still gives the same bytes;
#   - a live capture on lo (as root): a connection made during the test by
#     python3 is labelled, SIGINT ends the run with status 0 and the
#     connections still open are listed (annotate) or summarized (summary);
#   - the Wireshark plugin on a live capture (dumpcap | tshark -i -, one
#     pass as packets come, as the GUI's live capture), when it is built;
#   - without the rights (as an unprivileged user): the message names what
#     dumpcap needs, exit 66.
set -u
TCPFSM=${1:?usage: live_use.sh TCPFSM CAPTURES}
CAPS=${2:?usage: live_use.sh TCPFSM CAPTURES}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
chmod 755 "$work"

# capture_open PID: wait until PID holds a packet socket (its capture is
# open), at most 10 s
capture_open() {
    local i
    for ((i = 0; i < 100; i++)); do
        if command -v ss >/dev/null; then
            ss -0 -p 2>/dev/null | grep -q "pid=$1," && { sleep 0.2; return 0; }
        elif [ $i -ge 20 ]; then
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# wait_for FILE PATTERN SECONDS: true once FILE holds a line matching
wait_for() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -qE -- "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- a pipeline: the first row before the input ends ---
for mode in default line-buffered; do
    fifo=$work/in.$mode
    mkfifo "$fifo"
    opt=()
    [ $mode = line-buffered ] && opt=(--line-buffered)
    "$TCPFSM" annotate "${opt[@]}" "$fifo" >"$work/out.$mode" 2>"$work/err.$mode" &
    tp=$!
    pids+=("$tp")
    exec 7>"$fifo"
    head -2 "$CAPS/close-merged.tsv" >&7   # the header and the SYN only
    if wait_for "$work/out.$mode" $'^1\t.*\tsyn\t' 5; then
        ok
    else
        bad "$mode: no row for the SYN while the input is still open: $(head -c 300 "$work/out.$mode")"
    fi
    kill -0 "$tp" 2>/dev/null && ok || bad "$mode: tcpfsm ended before its input did"
    tail -n +3 "$CAPS/close-merged.tsv" >&7
    exec 7>&-
    wait "$tp"
    rc=$?
    [ $rc -eq 0 ] && ok || bad "$mode: exit $rc: $(cat "$work/err.$mode")"
    "$TCPFSM" annotate "$CAPS/close-merged.tsv" >"$work/batch"
    cmp -s "$work/batch" "$work/out.$mode" && ok || bad "$mode: the slow pipe gives other bytes than the file"
done

# --- ladder --follow on a capture file still being written ---
grow=$work/grow.pcap
python3 - "$CAPS/close-merged.pcap" "$grow" "$work/go" <<'PY' &
import os, struct, sys, time
src, dst, go = sys.argv[1:4]
data = open(src, "rb").read()
recs, off = [], 24
while off < len(data):
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    recs.append(data[off:off + 16 + caplen]); off += 16 + caplen
with open(dst, "wb", buffering=0) as f:
    f.write(data[:24])
    for r in recs[:3]:               # the handshake
        f.write(r)
    f.write(recs[3][:10])            # half a record: not read yet
    for _ in range(100):
        if os.path.exists(go): break
        time.sleep(0.1)
    f.write(recs[3][10:])
    for r in recs[4:]:
        f.write(r); time.sleep(0.05)
PY
wp=$!
pids+=("$wp")
for ((i = 0; i < 100; i++)); do   # the file header and the handshake are written
    [ "$(stat -c %s "$grow" 2>/dev/null || echo 0)" -gt 200 ] && break
    sleep 0.1
done
"$TCPFSM" ladder --follow "$grow" >"$work/follow" 2>"$work/follow.err" &
tp=$!
pids+=("$tp")
wait_for "$work/follow" "ACK Seq=1 Ack=1" 5 && ok || bad "follow: the handshake is not drawn while the file grows: $(cat "$work/follow" "$work/follow.err")"
grep -q "FIN" "$work/follow" && bad "follow: drew a FIN not yet written" || ok
touch "$work/go"
wait "$wp"
wait_for "$work/follow" "Seq=7 Ack=7" 5 && ok || bad "follow: the last arrow is not drawn: $(cat "$work/follow")"
kill -0 "$tp" 2>/dev/null && ok || bad "follow: ended at the end of the file"
kill -INT "$tp"
wait "$tp"
rc=$?
[ $rc -eq 0 ] && ok || bad "follow: exit $rc after SIGINT: $(cat "$work/follow.err")"
grep -q "Final states: client TIME_WAIT, server CLOSED" "$work/follow" && ok || bad "follow: no summary at the end: $(cat "$work/follow")"
[ "$(grep -c '│' "$work/follow")" -ge 11 ] && ok || bad "follow: not every arrow: $(cat "$work/follow")"

# --- a live capture on lo ---
port=$((47600 + RANDOM % 300))
talk() { # a connection to $port: open, a few bytes each way, close
    python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port)); s.listen(1)
c = socket.create_connection(("127.0.0.1", port)); a, _ = s.accept()
c.sendall(b"hello"); a.recv(10); a.sendall(b"world"); c.recv(10)
c.close(); time.sleep(0.2); a.close(); s.close()
PY
}
if [ "$(id -u)" -eq 0 ]; then
    for cmd in annotate summary; do
        "$TCPFSM" $cmd -i lo -f "tcp port $port" >"$work/live.$cmd" 2>"$work/live.$cmd.err" &
        tp=$!
        pids+=("$tp")
        capture_open "$tp" || bad "live $cmd: the capture did not open"
        talk
        if [ $cmd = annotate ]; then
            # rows leave as the segments come, before the end
            wait_for "$work/live.$cmd" $'\tfin2-ack\t' 5 && ok || bad "live annotate: no fin2-ack row while capturing: $(head -c 400 "$work/live.$cmd")"
        else
            sleep 1
        fi
        kill -INT "$tp"
        wait "$tp"
        rc=$?
        [ $rc -eq 0 ] && ok || bad "live $cmd: exit $rc after SIGINT: $(cat "$work/live.$cmd.err")"
        grep -q "capture stopped (signal 2)" "$work/live.$cmd.err" && ok || bad "live $cmd: no end message: $(cat "$work/live.$cmd.err")"
    done
    # annotate: the steps of the connection, in order, on its port
    got=$(awk -F'\t' -v p="$port" 'NR > 1 && ($8 == p || $9 == p) && $22 != "" {printf "%s ", $20}' "$work/live.annotate")
    case "$got" in
        "syn syn-ack hs-ack fin1 "*) ok ;;
        *) bad "live annotate: steps '$got'" ;;
    esac
    grep -q "server 127.0.0.1:$port: handshake complete" "$work/live.annotate.err" && ok || bad "live annotate: the connection is not listed at the end: $(cat "$work/live.annotate.err")"
    # summary: one complete connection to the port, summarized at the end
    awk -F'\t' -v s="127.0.0.1:$port" 'NR > 1 && $3 == s && $7 == "complete" && ($8 == "fin4" || $8 == "fin3") {n++} END {exit n == 1 ? 0 : 1}' "$work/live.summary" && ok || bad "live summary: $(cat "$work/live.summary")"
    # ladder -i draws each arrow as it comes
    "$TCPFSM" ladder -i lo -f "tcp port $port" >"$work/live.ladder" 2>"$work/live.ladder.err" &
    tp=$!
    pids+=("$tp")
    capture_open "$tp" || bad "live ladder: the capture did not open"
    talk
    wait_for "$work/live.ladder" "SYN Seq=0" 5 && ok || bad "live ladder: no SYN arrow while capturing: $(cat "$work/live.ladder" "$work/live.ladder.err")"
    kill -INT "$tp"
    wait "$tp"
    rc=$?
    [ $rc -eq 0 ] && ok || bad "live ladder: exit $rc: $(cat "$work/live.ladder.err")"
    grep -q "Final states: client TIME_WAIT" "$work/live.ladder" && ok || bad "live ladder: no summary: $(cat "$work/live.ladder")"
    # the Wireshark plugin on a live capture (what Wireshark does with
    # `wireshark -k -i lo`: one pass as the packets come): dumpcap captures
    # as root, tshark with the plugin dissects its stream as the test user
    plug=$(dirname "$0")/plugin/tshark-with-plugin.sh
    if command -v dumpcap >/dev/null && sh "$plug" --check >/dev/null 2>&1; then
        home=$(sh "$plug" --prepare)
        dumpcap -q -i lo -f "tcp port $port" -w - 2>/dev/null |
            TCPFSM_PLUGIN_HOME=$home sh "$plug" -l -i - -T fields -e frame.number \
                -e tcpfsm.event -e tcpfsm.step -e tcpfsm.src_state >"$work/live.plugin" 2>"$work/live.plugin.err" &
        pids+=("$!")
        for ((i = 0; i < 100; i++)); do
            ss -0 -p 2>/dev/null | grep -q '"dumpcap"' && break
            sleep 0.1
        done
        sleep 0.5
        talk
        wait_for "$work/live.plugin" $'\tfin2-ack\t' 10 && ok || bad "plugin live: no fin2-ack row: $(cat "$work/live.plugin" "$work/live.plugin.err" | head -20)"
        got=$(awk -F'\t' '$3 != "" {printf "%s ", $2}' "$work/live.plugin")
        case "$got" in
            "syn syn-ack hs-ack fin1 "*) ok ;;
            *) bad "plugin live: steps '$got'" ;;
        esac
        pkill -INT -x dumpcap -P $$ 2>/dev/null   # ours only: our child
        rm -rf "$home"
    else
        echo "SKIP the plugin on a live capture: no dumpcap or no built plugin"
    fi
    # the rights: an unprivileged user is told what is missing
    . "$(dirname "$0")/plugin/as_user.sh"
    as_user "$TCPFSM" annotate -i lo >/dev/null 2>"$work/rights.err"
    rc=$?
    [ $rc -eq 66 ] && ok || bad "no rights: exit $rc, want 66"
    grep -q "CAP_NET_RAW" "$work/rights.err" && grep -q "dumpcap" "$work/rights.err" && ok || bad "no rights: message: $(cat "$work/rights.err")"
else
    echo "SKIP live capture on lo: not root (CI runs this as root)"
    "$TCPFSM" annotate -i lo >/dev/null 2>"$work/rights.err"
    rc=$?
    [ $rc -eq 66 ] && grep -q "CAP_NET_RAW" "$work/rights.err" && ok || bad "no rights: exit $rc: $(cat "$work/rights.err")"
fi
# a bad capture filter is a usage error; a filter without -i too
"$TCPFSM" annotate -i lo -f "tcp port port" >/dev/null 2>"$work/f.err"
rc=$?
if [ "$(id -u)" -eq 0 ]; then
    [ $rc -eq 64 ] && grep -q "capture filter" "$work/f.err" && ok || bad "bad filter: exit $rc: $(cat "$work/f.err")"
fi
"$TCPFSM" annotate -f "tcp port 80" "$CAPS/close-merged.pcap" >/dev/null 2>"$work/f.err"
rc=$?
[ $rc -eq 64 ] && grep -q "needs -i IFACE" "$work/f.err" && ok || bad "filter without -i: exit $rc: $(cat "$work/f.err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
