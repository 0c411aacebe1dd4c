#!/usr/bin/env bash
# tool_cli.sh TCPFSM - the tcpfsm command line: help, fields, formats, and
# the documented behaviour for each kind of bad TSV input.
set -u
TCPFSM=${1:?usage: tool_cli.sh PATH/TO/tcpfsm}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME WANT_RC STDERR_SUBSTRING -- command...
expect() {
    local name=$1 want=$2 msg=$3
    shift 4
    "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ "$rc" -ne "$want" ]; then
        bad "$name: exit $rc, want $want; stderr: $(head -c 400 "$work/err")"
        return
    fi
    if [ -n "$msg" ] && ! grep -qF -- "$msg" "$work/err"; then
        bad "$name: stderr lacks '$msg': $(head -c 400 "$work/err")"
        return
    fi
    ok
}

H=$'frame.number\tframe.time_epoch\ttcp.stream\tip.src\tip.dst\tipv6.src\tipv6.dst\ttcp.srcport\ttcp.dstport\ttcp.flags\ttcp.seq_raw\ttcp.ack_raw\ttcp.len\ttcp.window_size_value\ttcp.window_size\ttcp.checksum.status'
row() { # frame flags seq ack len [src dst sport dport]
    printf '%s\t1.%06d\t0\t%s\t%s\t\t\t%s\t%s\t%s\t%s\t%s\t%s\t65535\t65535\t2\n' \
        "$1" "$1" "${6:-10.0.0.1}" "${7:-10.0.0.2}" "${8:-40000}" "${9:-80}" "$2" "$3" "$4" "$5"
}
good() {
    echo "$H"
    row 1 0x0002 100 0 0
    row 2 0x0012 500 101 0 10.0.0.2 10.0.0.1 80 40000
    row 3 0x0010 101 501 0
}

# --- help, version, fields ---
expect "help" 0 "" -- "$TCPFSM" --help
grep -q "annotate" "$work/out" && grep -q "summary" "$work/out" && grep -q "fields" "$work/out" && ok || bad "help lists the commands"
expect "version" 0 "" -- "$TCPFSM" --version
grep -qE '^tcpfsm [0-9]+\.[0-9]+\.[0-9]+$' "$work/out" && ok || bad "version format: $(cat "$work/out")"
expect "no command" 64 "Usage" -- "$TCPFSM"
expect "unknown command" 64 "unknown command" -- "$TCPFSM" frobnicate
expect "unknown format" 64 "unknown format" -- "$TCPFSM" annotate --format xml /dev/null
expect "csv summary refused" 64 "unknown format" -- "$TCPFSM" summary --format csv /dev/null
expect "fields" 0 "" -- "$TCPFSM" fields my.pcap
grep -q -- "-r my.pcap -T fields -E header=y" "$work/out" && grep -q -- "-e tcp.seq_raw" "$work/out" && ok || bad "fields prints the tshark command: $(cat "$work/out")"

# --- a good input in each format ---
good >"$work/good.tsv"
expect "annotate tsv" 0 "" -- "$TCPFSM" annotate "$work/good.tsv"
[ "$(wc -l <"$work/out")" -eq 4 ] && ok || bad "annotate tsv rows"
# ($30: ack_ok, after role client_state server_state src_prev src_state dst_prev dst_state seq_rel ack_rel)
[ "$(awk -F'\t' 'NR==3{print $17" "$19" "$30}' "$work/out")" = "syn-ack 2/3 1" ] && ok || bad "annotate tsv syn-ack columns: $(sed -n 3p "$work/out")"
expect "annotate csv" 0 "" -- "$TCPFSM" annotate --format csv "$work/good.tsv"
head -1 "$work/out" | grep -q '^frame.number,frame.time_epoch,' && ok || bad "csv header"
grep -q '"Handshake 2/3: SYN-ACK, ack 101 = client ISN 100 + 1 ✓ — client SYN_SENT → ESTABLISHED"' "$work/out" && ok || bad "csv quotes the label: $(sed -n 3p "$work/out")"
expect "annotate jsonl" 0 "" -- "$TCPFSM" annotate --format jsonl "$work/good.tsv"
[ "$(wc -l <"$work/out")" -eq 3 ] && ok || bad "jsonl: one object per segment"
python3 - "$work/out" <<'EOF' && ok || bad "jsonl content"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert rows[1]["frame.number"] == 2 and rows[1]["ip.src"] == "10.0.0.2", rows[1]
assert rows[1]["event"] == "syn-ack" and rows[1]["ack_ok"] is True, rows[1]
assert rows[0]["ack_ok"] is None and rows[0]["anomaly"] == [], rows[0]
assert rows[2]["step"] == "3/3" and rows[2]["ack_rel"] == 1, rows[2]
EOF
expect "summary jsonl" 0 "" -- "$TCPFSM" summary --format jsonl "$work/good.tsv"
python3 - "$work/out" <<'EOF' && ok || bad "summary jsonl content"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 1
r = rows[0]
assert r["client"] == "10.0.0.1:40000" and r["server"] == "10.0.0.2:80", r
assert r["handshake"] == "complete" and r["close"] == "open", r
assert r["active_closer"] is None and r["stream"] == 0, r
EOF
expect "stdin dash" 0 "" -- sh -c "\"$TCPFSM\" summary - < \"$work/good.tsv\""
expect "output file" 0 "" -- "$TCPFSM" summary -o "$work/s.tsv" "$work/good.tsv"
[ "$(wc -l <"$work/s.tsv")" -eq 2 ] && ok || bad "--output writes the file"

# --- bad input: each documented case ---
: >"$work/empty.tsv"
expect "empty file" 65 "empty.tsv:1: header: empty input" -- "$TCPFSM" annotate "$work/empty.tsv"
good | cut -f1-9,11- >"$work/noflags.tsv"
expect "missing column" 65 "noflags.tsv:1: tcp.flags: missing required column" -- "$TCPFSM" annotate "$work/noflags.tsv"
grep -q -- "tshark -n -r" "$work/err" && ok || bad "missing column prints the tshark command"
{ echo "$H"$'\ttcp.flags'; row 1 0x0002 100 0 0 | sed 's/$/\t0x0002/'; } >"$work/dup.tsv"
expect "duplicate column" 65 "tcp.flags: duplicate column (columns 10 and 17)" -- "$TCPFSM" annotate "$work/dup.tsv"
good | sed 's/$/\r/' >"$work/crlf.tsv"
"$TCPFSM" annotate "$work/good.tsv" >"$work/lf.out" 2>/dev/null
"$TCPFSM" annotate "$work/crlf.tsv" >"$work/crlf.out" 2>/dev/null && cmp -s "$work/lf.out" "$work/crlf.out" && ok || bad "CRLF input gives the LF output"
{ good; row 4 0x0010 101 501 0 | sed 's/0x0010/0x00\x0010/'; row 5 0x0010 101 501 0; } >"$work/nul.tsv"
expect "NUL byte" 2 "nul.tsv:5: row: contains a NUL byte" -- "$TCPFSM" annotate "$work/nul.tsv"
[ "$(wc -l <"$work/out")" -eq 5 ] && ok || bad "NUL row skipped, the others kept"
{ good; row 4 0x0010 1099511627776 501 0; } >"$work/range.tsv"
expect "seq out of range" 2 'range.tsv:5: tcp.seq_raw: number out of range: "1099511627776"' -- "$TCPFSM" annotate "$work/range.tsv"
{ good; row 4 0x0010 101 501 -5; } >"$work/neg.tsv"
expect "negative len" 2 'neg.tsv:5: tcp.len: negative number: "-5"' -- "$TCPFSM" annotate "$work/neg.tsv"
{ good; row 4 0xZZ 101 501 0; } >"$work/hex.tsv"
expect "non-hex flags" 2 'hex.tsv:5: tcp.flags: not a hex number: "0xZZ"' -- "$TCPFSM" annotate "$work/hex.tsv"
expect "strict stops" 65 'hex.tsv:5: tcp.flags: not a hex number' -- "$TCPFSM" annotate --strict "$work/hex.tsv"
{ good; row 4 0x0010 101 501 0 | cut -f1-5; } >"$work/few.tsv"
expect "fewer fields" 2 "few.tsv:5: row: 5 fields, the header has 16" -- "$TCPFSM" annotate "$work/few.tsv"
{ good; row 4 0x0010 101 501 0 | sed 's/$/\textra/'; } >"$work/more.tsv"
expect "more fields" 2 "more.tsv:5: row: 17 fields, the header has 16" -- "$TCPFSM" annotate "$work/more.tsv"
{ good; printf '4\t1.5\t\t10.0.0.9\t10.0.0.8\t\t\t\t\t\t\t\t\t\t\t\n'; } >"$work/udp.tsv"
expect "non-TCP row" 0 "" -- "$TCPFSM" annotate "$work/udp.tsv"
[ "$(sed -n 5p "$work/out" | cut -f17)" = "" ] && [ "$(wc -l <"$work/out")" -eq 5 ] && ok || bad "non-TCP row passed through unlabelled"
good | head -c -1 >"$work/trunc.tsv"
expect "no final newline" 0 "" -- "$TCPFSM" annotate "$work/trunc.tsv"
[ "$(wc -l <"$work/out")" -eq 4 ] && ok || bad "last line without newline is used"
{ good; row 4 0x0010 101 501 0 10.0.0.1 not-an-ip; } >"$work/addr.tsv"
expect "bad address" 2 'addr.tsv:5: ip.dst: not an address: "not-an-ip"' -- "$TCPFSM" annotate "$work/addr.tsv"
{ good; row 4 0x0010 101 501 0 10.0.0.1 10.0.0.2 70000; } >"$work/port.tsv"
expect "port out of range" 2 'port.tsv:5: tcp.srcport: number out of range: "70000"' -- "$TCPFSM" annotate "$work/port.tsv"
expect "missing file" 66 "nonexistent.tsv" -- "$TCPFSM" annotate "$work/nonexistent.tsv"
{ echo "$H"; row 1 0x0002 100 0 0; printf '2\t'; head -c 10000000 /dev/zero | tr '\0' x; printf '\t\n'; row 3 0x0012 500 101 0 10.0.0.2 10.0.0.1 80 40000; } >"$work/long.tsv"
expect "10 MB line" 2 "long.tsv:3: row: 3 fields, the header has 16" -- "$TCPFSM" annotate "$work/long.tsv"
[ "$(cut -f1,17 "$work/out" | tr '\t\n' ' ;')" = "frame.number event;1 syn;3 syn-ack;" ] && ok || bad "10 MB line skipped, the rows around it labelled: $(cut -f1,17 "$work/out")"
# frame numbers that go backwards: labelled in the order given, and said
{ echo "$H"; row 5 0x0002 100 0 0; row 3 0x0012 500 101 0 10.0.0.2 10.0.0.1 80 40000; row 6 0x0010 101 501 0; } >"$work/back.tsv"
expect "frames backwards" 0 "back.tsv:3: frame.number: goes backwards (3 after 5); labelled in the order given" -- "$TCPFSM" annotate "$work/back.tsv"
[ "$(cut -f1,17 "$work/out" | tr '\t\n' ' ;')" = "frame.number event;5 syn;3 syn-ack;6 hs-ack;" ] && ok || bad "frames going backwards are labelled in input order: $(cut -f1,17 "$work/out")"
expect "frames backwards, strict" 65 "back.tsv:3: frame.number: goes backwards (3 after 5)" -- "$TCPFSM" annotate --strict "$work/back.tsv"
{ cat "$work/hex.tsv"; row 6 0xQ 1 1 0; row 7 0xQ 1 1 0; } >"$work/many.tsv"
expect "bad rows counted" 2 "3 bad input rows skipped, 3 rows used" -- "$TCPFSM" annotate "$work/many.tsv"

# --max-open: a SYN flood of 50 half-open connections under a cap of 10
{ echo "$H"; for i in $(seq 1 50); do
    printf '%s\t1.%06d\t%s\t10.0.0.1\t10.0.0.2\t\t\t%s\t80\t0x0002\t100\t0\t0\t65535\t65535\t2\n' "$i" "$i" "$((i - 1))" "$((40000 + i))"
done; } >"$work/flood.tsv"
expect "max-open evicts" 0 'flood.tsv: 40 connections evicted (more than 10 open at once; --max-open): their summaries say "evicted"' -- "$TCPFSM" summary --max-open 10 "$work/flood.tsv"
[ "$(grep -c 'evicted' "$work/out")" -eq 40 ] && [ "$(grep 'evicted' "$work/out" | cut -f1 | sort -n | tail -1)" -eq 39 ] && ok || bad "the 40 idle the longest (streams 0-39) are summarized as evicted: $(cut -f1,27 "$work/out" | tr '\n' ' ')"
expect "default cap" 0 "" -- "$TCPFSM" summary "$work/flood.tsv"
! grep -q evicted "$work/out" && ok || bad "50 connections are under the default cap"
expect "max-open 0 = no limit" 0 "" -- "$TCPFSM" summary --max-open 0 "$work/flood.tsv"
expect "max-open bad" 64 "--max-open: not a number of connections: '-1'" -- "$TCPFSM" summary --max-open -1 "$work/flood.tsv"

# frame.protocols: a TCP header quoted in an ICMP error is not a segment;
# in a tunnel the innermost IP header counts
HP="$H"$'\tframe.protocols'
{
    echo "$HP"
    row 1 0x0002 100 0 0 | sed 's/$/\teth:ethertype:ip:tcp/'
    row 2 0x0012 500 101 0 10.0.0.2 10.0.0.1 80 40000 | sed 's/$/\teth:ethertype:ip:icmp:ip:tcp/'
    printf '3\t1.3\t1\t192.0.2.1\t192.0.2.2\t2001:db8::1\t2001:db8::2\t5000\t443\t0x0002\t7\t0\t0\t100\t100\t2\teth:ethertype:ip:ipv6:tcp\n'
    printf '4\t1.4\t2\t10.9.9.1\t10.9.9.2\t2001:db8::1\t2001:db8::2\t5001\t443\t0x0002\t7\t0\t0\t100\t100\t2\teth:ethertype:ipv6:ip:tcp\n'
} >"$work/proto.tsv"
expect "frame.protocols" 0 "" -- "$TCPFSM" annotate "$work/proto.tsv"
[ -z "$(sed -n 3p "$work/out" | cut -f18)" ] && ok || bad "ICMP-quoted TCP header left unlabelled: $(sed -n 3p "$work/out")"
expect "tunnel summary" 0 "" -- "$TCPFSM" summary "$work/proto.tsv"
grep -q $'\t\\[2001:db8::1\\]:5000\t\\[2001:db8::2\\]:443\t' "$work/out" && ok || bad "6in4: the inner IPv6 header counts: $(cat "$work/out")"
grep -q $'\t10.9.9.1:5001\t10.9.9.2:443\t' "$work/out" && ok || bad "4in6: the inner IPv4 header counts: $(cat "$work/out")"

# TSV annotate writes its label columns by hand (the fast path): every
# column must equal the generic writer's (CSV) on every bundled export;
# client_state / server_state are each endpoint's state whichever side sent
caps=$(cd "$(dirname "$0")/../captures" && pwd)
for f in "$caps"/*.tsv; do
    case $f in *.annotated.tsv | *.summary.tsv) continue ;; esac
    "$TCPFSM" annotate "$f" >"$work/a.tsv" 2>/dev/null
    "$TCPFSM" annotate --format csv "$f" >"$work/a.csv" 2>/dev/null
    python3 - "$work/a.tsv" "$work/a.csv" <<'EOF2' && ok || bad "annotate $(basename "$f"): TSV and CSV columns differ"
import csv, sys
t = list(csv.reader(open(sys.argv[1], newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
c = list(csv.reader(open(sys.argv[2], newline="")))
if t != c or len(t) < 2:
    for a, b in zip(t, c):
        if a != b:
            print(dict((h, (x, y)) for h, x, y in zip(t[0], a, b) if x != y))
            break
    sys.exit(1)
h = t[0]
for r in t[1:]:
    d = dict(zip(h, r))
    if not d["event"]:
        continue
    cl, sv = (("src_state", "dst_state") if d["role"] == "client" else ("dst_state", "src_state"))
    if (d["client_state"], d["server_state"]) != (d[cl], d[sv]):
        print("frame", d["frame.number"], d)
        sys.exit(1)
EOF2
done

# a capture given by path needs tshark; a missing tshark is a clear error
printf '\xd4\xc3\xb2\xa1' >"$work/fake.pcap"
expect "tshark missing" 69 "cannot run" -- "$TCPFSM" summary --via-tshark --tshark /nonexistent/tshark "$work/fake.pcap"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
