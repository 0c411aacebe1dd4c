#!/usr/bin/env bash
# tool_threads.sh TCPFSM GEN_CAPTURE CAPTURES - `--threads N` (the reader
# thread of tool/pipeline.c) gives what one thread gives, byte for byte:
#   - every capture in CAPTURES and ../shared/captures (relative to the
#     repository; only the bundled ones when that folder is absent, said
#     so): summary, summary --zeek, annotate (tsv, jsonl), and summary /
#     annotate --format csv with --max-open 2 (connections evicted), and
#     summary --pretty and --format jsonl on some: the
#     standard output, the standard error and the exit status of
#     --threads 2 and of --threads 4 with batches of 5 rows
#     ($TCPFSM_BATCH_ROWS: the ring of batches wraps on these small
#     files) are those of --threads 1; each run said it went through the
#     pipeline ($TCPFSM_DEBUG_PIPELINE) unless it went through tshark;
#   - a gen_capture file of 20,000 connections (about 220,000 packets,
#     dozens of batches of the default 4096 rows), the same file cut in
#     the middle of a record (exit 69, "truncated capture: frame N cut
#     short"), a capture holding no packet, one of 3 packets (less than a
#     batch), TSV exports (a regular file is read by the reader thread,
#     standard input from a pipe is not), a capture whose middle frame
#     pcapsrc does not decode (MPLS: the rest through tshark, the reader
#     waits for the engine thread to use its rows first), --strict on a
#     bad row, and a batch of two inputs;
#   - bad values of --threads are refused (64) with a message naming it.
set -u
TCPFSM=${1:?usage: tool_threads.sh TCPFSM GEN_CAPTURE CAPTURES}
GEN=${2:?usage: tool_threads.sh TCPFSM GEN_CAPTURE CAPTURES}
CAPS=${3:?usage: tool_threads.sh TCPFSM GEN_CAPTURE CAPTURES}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# one run: stdout, stderr, status in $work/$tag.{out,err,rc}; the
# pipeline's line is taken out of stderr into $work/$tag.pipe
runas() { # runas TAG ENV... -- ARGS...
    local tag=$1
    shift
    local envs=()
    while [ "$1" != "--" ]; do envs+=("$1"); shift; done
    shift
    env ${envs[@]+"${envs[@]}"} TCPFSM_DEBUG_PIPELINE=1 "$TCPFSM" "$@" \
        >"$work/$tag.out" 2>"$work/$tag.raw"
    echo $? >"$work/$tag.rc"
    grep '^tcpfsm: pipeline: ' "$work/$tag.raw" >"$work/$tag.pipe"
    grep -v '^tcpfsm: pipeline: ' "$work/$tag.raw" >"$work/$tag.err"
}
same() { # same A B WHAT: outputs, messages and status equal
    if cmp -s "$work/$1.out" "$work/$2.out" && cmp -s "$work/$1.err" "$work/$2.err" &&
        cmp -s "$work/$1.rc" "$work/$2.rc"; then
        ok
    else
        bad "$3: $2 differs from $1 (rc $(cat "$work/$1.rc") vs $(cat "$work/$2.rc"); $(diff "$work/$1.err" "$work/$2.err" | head -3); $(diff "$work/$1.out" "$work/$2.out" | head -4))"
    fi
}
piped() { # piped TAG WHAT: the run went through the pipeline
    [ -s "$work/$1.pipe" ] && ok || bad "$2: no pipeline (stderr: $(head -c 300 "$work/$1.raw"))"
}
# compare ARGS...: --threads 1 against 2 and against 4 (batches of 5)
compare() {
    local what="$*"
    runas t1 -- "$1" --threads 1 "${@:2}"
    [ -s "$work/t1.pipe" ] && bad "$what: --threads 1 ran the pipeline"
    runas t2 -- "$1" --threads 2 "${@:2}"
    same t1 t2 "$what"
    runas t4 TCPFSM_BATCH_ROWS=5 -- "$1" --threads 4 "${@:2}"
    same t1 t4 "$what (batches of 5)"
    if grep -q 'through tshark' "$work/t4.err"; then
        ok # read by tshark from the first frame: one thread, by design
    else
        piped t4 "$what"
    fi
}

# --- every capture ---
caps=("$CAPS"/*.pcap)
shared=$(cd "$CAPS/../.." && pwd)/shared/captures
if [ -d "$shared" ]; then
    while IFS= read -r f; do caps+=("$f"); done < <(find "$shared" -name '*.pcap*' | sort)
else
    echo "tool_threads: $shared is absent: only the bundled captures are checked"
fi
for c in "${caps[@]}"; do
    compare summary "$c"
    compare summary --zeek "$c"
    compare annotate "$c"
    compare annotate -f jsonl "$c"
    compare summary --max-open 2 "$c"
    compare annotate -f csv --max-open 2 "$c"
done
echo "tool_threads: ${#caps[@]} captures compared"

compare summary --pretty "$CAPS/parallel.pcap"
compare summary -f jsonl --zeek=bare "$CAPS/parallel.pcap"

# --max-open 2 evicts on some capture (else that run tests nothing)
runas ev -- summary --threads 2 --max-open 2 "$CAPS/parallel.pcap"
grep -q evicted "$work/ev.out" && ok || bad "--max-open 2 evicts on parallel.pcap"

# --- a big file: hundreds of batches ---
"$GEN" -n 20000 -o "$work/gen.pcap" >/dev/null 2>&1 || bad "gen_capture failed"
for args in "summary" "summary --zeek" "annotate" "summary --max-open 100" \
            "summary -f jsonl" "summary --pretty" "annotate -f jsonl --max-open 100"; do
    runas g1 -- $args --threads 1 "$work/gen.pcap"
    runas g2 -- $args --threads 2 "$work/gen.pcap"
    same g1 g2 "gen_capture: $args"
    runas g4 -- $args --threads 4 "$work/gen.pcap"
    same g1 g4 "gen_capture: $args (--threads 4)"
done
[ "$(cat "$work/g1.rc")" = 0 ] && [ "$(wc -l <"$work/g1.out")" -gt 200000 ] && ok ||
    bad "gen_capture annotate: $(wc -l <"$work/g1.out") rows, rc $(cat "$work/g1.rc")"
grep -q "connections evicted" "$work/g1.err" && ok || bad "gen_capture: --max-open 100 evicts: $(cat "$work/g1.err")"
# "N rows in M batches": M > 40 (the ring of 4 wraps many times)
read -r rows batches < <(sed -n 's/^tcpfsm: pipeline: \([0-9]*\) rows in \([0-9]*\) batches.*/\1 \2/p' "$work/g2.pipe")
[ "${batches:-0}" -gt 40 ] && [ "${rows:-0}" -gt 200000 ] && ok ||
    bad "gen_capture: pipeline batches: $(cat "$work/g2.pipe")"
# the default: the cores (this machine's), a pipeline when 2 or more
runas gd -- summary "$work/gen.pcap"
runas gs -- summary --threads 1 "$work/gen.pcap"
same gs gd "gen_capture: default --threads"
if [ "$(nproc)" -ge 2 ]; then piped gd "default --threads on $(nproc) cores"; fi

# --- cut in the middle of a record ---
size=$(stat -c %s "$work/gen.pcap")
head -c $((size / 2 + 7)) "$work/gen.pcap" >"$work/cut.pcap"
for args in "summary" "annotate"; do
    runas c1 -- $args --threads 1 "$work/cut.pcap"
    runas c2 -- $args --threads 2 "$work/cut.pcap"
    same c1 c2 "cut capture: $args"
    piped c2 "cut capture"
    [ "$(cat "$work/c2.rc")" = 69 ] && ok || bad "cut capture: exit $(cat "$work/c2.rc"), want 69"
    grep -q 'cut.pcap: truncated capture: frame [0-9]* cut short; the frames before it were labelled' \
        "$work/c2.err" && ok || bad "cut capture message: $(cat "$work/c2.err")"
done

# --- no packet; fewer packets than a batch ---
head -c 24 "$CAPS/parallel.pcap" >"$work/empty.pcap"
python3 - "$CAPS/parallel.pcap" "$work/three.pcap" "$work/mpls.pcap" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
recs, off = [], 24
while off < len(d):
    caplen = struct.unpack('<I', d[off + 8:off + 12])[0]
    recs.append(d[off:off + 16 + caplen])
    off += 16 + caplen
open(sys.argv[2], 'wb').write(d[:24] + b''.join(recs[:3]))
# the middle frame again, as MPLS (ethertype 0x8847, one label) over the
# same IPv4 packet: tshark decodes it, pcapsrc does not
k = len(recs) // 2
h, b = recs[k][:16], recs[k][16:]
assert b[12:14] == b'\x08\x00'
m = b[:12] + b'\x88\x47' + struct.pack('>I', (100 << 12) | (1 << 8) | 64) + b[14:]
ts, us, cl, ol = struct.unpack('<IIII', h)
mh = struct.pack('<IIII', ts, us, len(m), ol + 4)
open(sys.argv[3], 'wb').write(d[:24] + b''.join(recs[:k]) + mh + m + b''.join(recs[k:]))
EOF
for args in "summary" "annotate"; do
    runas e1 -- $args --threads 1 "$work/empty.pcap"
    runas e2 -- $args --threads 2 "$work/empty.pcap"
    same e1 e2 "empty capture: $args"
    grep -q 'holds no packets' "$work/e2.err" && ok || bad "empty capture message: $(cat "$work/e2.err")"
    compare $args "$work/three.pcap"
    [ "$(grep -c . "$work/t4.out")" -ge 2 ] && ok || bad "3 packets: $args: $(cat "$work/t4.out")"
done

# --- a frame pcapsrc does not decode: the rest through tshark ---
if command -v tshark >/dev/null; then
    for args in "summary" "annotate"; do
        runas m1 -- $args --threads 1 "$work/mpls.pcap"
        runas m2 TCPFSM_BATCH_ROWS=3 -- $args --threads 2 "$work/mpls.pcap"
        same m1 m2 "MPLS in the middle: $args"
        piped m2 "MPLS in the middle"
        grep -q 'reading the rest through tshark' "$work/m2.err" && ok ||
            bad "MPLS in the middle: the note: $(cat "$work/m2.err")"
    done
else
    echo "tool_threads: tshark not installed: the switch to tshark in the middle of a capture is not checked"
fi

# --- TSV exports ---
for t in "$CAPS"/parallel.tsv "$CAPS"/crafted-bad-flags.tsv "$CAPS"/ipv6-server-close.tsv; do
    compare annotate "$t"
    compare summary "$t"
    compare annotate --strict "$t"
    # standard input from a pipe: one thread (rows leave when the input waits)
    runas p1 -- annotate --threads 1 - <"$t"
    cat "$t" | runas p2 -- annotate --threads 2 -
    same p1 p2 "$t from a pipe"
    [ ! -s "$work/p2.pipe" ] && ok || bad "$t from a pipe: ran the pipeline"
done
# a bad row: the message and exit 2 (65 under --strict) as with one thread
printf 'frame.number\tip.src\tip.dst\ttcp.srcport\ttcp.dstport\ttcp.flags\ttcp.seq_raw\ttcp.ack_raw\ttcp.len\n1\t10.0.0.1\t10.0.0.2\t1\t2\t0x0002\t5\t0\t0\n2\t10.0.0.2\t10.0.0.1\t2\tx\t0x0012\t9\t6\t0\n3\t10.0.0.1\t10.0.0.2\t1\t2\t0x0010\t6\t10\t0\n' >"$work/bad.tsv"
for strict in "" "--strict"; do
    compare annotate $strict "$work/bad.tsv"
    want=$([ -n "$strict" ] && echo 65 || echo 2)
    [ "$(cat "$work/t4.rc")" = "$want" ] && ok || bad "bad row $strict: exit $(cat "$work/t4.rc"), want $want"
    grep -q 'bad.tsv:3: tcp.dstport' "$work/t4.err" && ok || bad "bad row message: $(cat "$work/t4.err")"
done

# --- a batch of inputs (--jobs) with --threads ---
runas b1 -- summary --threads 1 --jobs 1 "$CAPS/parallel.pcap" "$work/gen.pcap"
runas b2 -- summary --threads 2 --jobs 2 "$CAPS/parallel.pcap" "$work/gen.pcap"
same b1 b2 "batch summary"
runas b3 -- summary "$CAPS/parallel.pcap" "$work/gen.pcap"
same b1 b3 "batch summary, default --jobs and --threads"

# --- bad values ---
for v in 0 -1 abc 2x "" 1025 99999999999999999999; do
    "$TCPFSM" summary --threads "$v" "$CAPS/parallel.pcap" >"$work/out" 2>"$work/err"
    rc=$?
    [ "$rc" -eq 64 ] && grep -q -- "--threads: not a number from 1 to 1024: '$v'" "$work/err" &&
        [ ! -s "$work/out" ] && ok || bad "--threads '$v': exit $rc: $(cat "$work/err")"
done
"$TCPFSM" annotate --threads 1024 "$CAPS/reset.pcap" >/dev/null 2>&1 && ok || bad "--threads 1024 is accepted"

echo "tool_threads: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
