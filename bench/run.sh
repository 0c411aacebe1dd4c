#!/usr/bin/env bash
# bench/run.sh - tcpfsm throughput, side by side, in one invocation.
#
#   bench/run.sh [--quick | --sizes N,M...] [--floor] [--suricata] [--build DIR]
#                [--workdir DIR] [--keep] [--plugin-cost]
#
# Generates synthetic captures (bench/gen_capture.c) of 100,000 and
# 1,000,000 connections (--quick: 10,000 and 100,000; --sizes: these
# connection counts) and measures on each,
# with /usr/bin/time -v (wall time, peak RSS):
#
#   tshark export       the tshark -T fields command of `tcpfsm fields`,
#                       to READY.tsv                      (the baseline)
#   annotate via tshark tcpfsm annotate FILE.pcap --via-tshark
#   annotate direct     tcpfsm annotate FILE.pcap (pcapsrc, no tshark)
#   summary direct      tcpfsm summary FILE.pcap (decode + engine, no
#                       per-segment output)
#   annotate TSV        tcpfsm annotate READY.tsv
#   direct decode only  tests/pcapsrc_dump FILE.pcap (when built, or
#                       $PCAPSRC_DUMP)
#   wc -l               wc -l READY.tsv                    (the floor)
#   tshark + plugin     the export command + -e tcpfsm.event -e tcpfsm.label,
#                       plugin loaded from a personal plugin folder
#   tshark, plugin off  the same with --disable-protocol tcpfsm
#   ... export only     the export command alone, plugin loaded vs
#                       disabled (no tcpfsm field asked for)
#
# The plugin rows run tshark as an unprivileged user
# (root ignores personal plugins) with HOME pointing at a temporary folder
# holding .local/lib/wireshark/plugins/4.0/epan/tcpfsm.so; they are skipped
# with a note when build/plugin/tcpfsm.so is missing.
#
# Prints a Markdown table on stdout (progress on stderr): packets per
# second, speed relative to the tshark export of the same file measured in
# this run (x = tshark export time / this time), peak RSS.
#
# Before that table, the floor table (--floor: only it, a few minutes):
# CPU time (user + system; tcpfsm with --threads 1: one core each) of
# (the floor's and tcpfsm's rows: the least of CPU_RUNS runs, default 3)
#
#   floor parse / floor mparse   ../shared/bench/floor.c (compiled here
#                       from /work/shared at run time, never copied into
#                       the repo; skipped with a note when absent): libpcap
#                       (or mmap) + Ethernet/IPv4/TCP parse + one
#                       open-addressing lookup a packet
#   tcpfsm summary, tcpfsm annotate > /dev/null
#   the peers: tshark -q -z conv,tcp, tcptrace -n, argus -r FILE -w -,
#   the tshark -T fields export (each skipped with a note when missing)
#
# with the ratio to `floor parse` on the same file in the same run, on the
# gen_capture file of the first size and on a real capture: the Ethernet
# pcaps of ../shared/captures concatenated (mergecap -a) and repeated to
# about 1,000,000 packets.  Then issue 14's targets, one row each with
# "met" yes/no: those ratios, `annotate READY.tsv` rows/s (the TSV from
# tests/pcapsrc_dump), `--threads` against one thread (wall, best of 5;
# THREADS_CHRT=1: both run under chrt -f 10, as root),
# peak RSS of `summary` on 1,000,000 sequential connections and on a SYN
# flood of as many (MEM_CONNS=N to change the count).
#
# --suricata (off by default: needs root, takes a few minutes) adds
# Suricata without rules to the floor table: Suricata is packaged in
# Debian 13, not 12, so bench/peers_chroot.sh measures it in the cached
# trixie chroot of scripts/chroot.sh, on the same gen_capture file (the
# first size), beside a `floor parse` built and run in that chroot (their
# "x floor" is against it); a note under the table names the Suricata
# version and the flags (`-k none --runmode single -S /dev/null`, also
# `--disable-detection`, and the default multi-threaded runmode with its
# wall time).  When the chroot or Suricata is not available the note says
# why and the table has no Suricata row.
#
# --plugin-cost: at the end, bench/plugin_cost.sh (the plugin's
# instructions and peak RSS per packet, callgrind; see that script).
#
# Needs: tshark, /usr/bin/time (apt-get install time), a C compiler when
# the build has no gen_capture; as root, setpriv (util-linux) for the
# plugin rows.  The peers: apt-get install tcptrace argus-server (Debian
# 12; optional, never needed by the tests) and libpcap-dev for floor.c.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build="$root/build"
work=""
keep=0
floor_only=0
suricata=0
sizes=(100000 1000000)
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) sizes=(10000 100000) ;;
    --sizes) IFS=', ' read -r -a sizes <<<"$2"; shift ;;
    --build) build=$2; shift ;;
    --workdir) work=$2; shift ;;
    --keep) keep=1 ;;
    --floor) floor_only=1 ;;
    --suricata) suricata=1 ;;
    --plugin-cost) want_plugin_cost=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 64 ;;
    esac
    shift
done

say() { echo "run.sh: $*" >&2; }
die() { say "$*"; exit 1; }

TCPFSM=${TCPFSM:-$build/tool/tcpfsm}
[ -x "$TCPFSM" ] || die "no tcpfsm at $TCPFSM (build first, or --build DIR / TCPFSM=...)"
command -v tshark >/dev/null || die "tshark is not installed"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"

if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-bench.XXXXXX")
else
    mkdir -p "$work"
fi
chmod 755 "$work"
cleanup() { [ "$keep" = 1 ] || rm -rf "$work"; }
trap cleanup EXIT

# ---- gen_capture ----
GEN=""
for g in "$build/bench/gen_capture" "$build/gen_capture"; do
    [ -x "$g" ] && GEN=$g && break
done
if [ -z "$GEN" ]; then
    cc=${CC:-cc}
    command -v "$cc" >/dev/null || die "no gen_capture in the build and no C compiler"
    GEN="$work/gen_capture"
    "$cc" -O2 -std=gnu11 -o "$GEN" "$here/gen_capture.c" || die "cannot build gen_capture"
fi
DUMP=${PCAPSRC_DUMP:-}
[ -z "$DUMP" ] && [ -x "$build/tests/pcapsrc_dump" ] && DUMP="$build/tests/pcapsrc_dump"


# ---- the tshark command of `tcpfsm fields` ----
read -r -a fields_argv <<<"$("$TCPFSM" fields X)"
tshark_cmd() { # tshark_cmd CAPTURE -> the argv with the capture
    local a out=()
    for a in "${fields_argv[@]}"; do
        if [ "$a" = X ]; then out+=("$1"); else out+=("$a"); fi
    done
    printf '%s\0' "${out[@]}"
}

# ---- plugin ----
plugin="$build/plugin/tcpfsm.so"
plugin_note=""
plugin_home=""
as_user=()
if [ ! -f "$plugin" ]; then
    plugin_note="plugin rows skipped: $plugin is not built (cmake with wireshark-dev installed)"
else
    plugin_home="$work/plugin-home"
    mkdir -p "$plugin_home/.local/lib/wireshark/plugins/4.0/epan"
    cp "$plugin" "$plugin_home/.local/lib/wireshark/plugins/4.0/epan/"
    chmod -R a+rX "$plugin_home"
    if [ "$(id -u)" = 0 ]; then
        user=${BENCH_USER:-nobody}
        if command -v setpriv >/dev/null; then
            group=$(id -gn "$user")
            as_user=(setpriv --reuid="$user" --regid="$group" --clear-groups)
        elif command -v runuser >/dev/null; then
            as_user=(runuser -u "$user" --)
        else
            plugin_note="plugin rows skipped: running as root without setpriv/runuser"
            plugin_home=""
        fi
    fi
    if [ -n "$plugin_home" ] &&
        ! "${as_user[@]}" env HOME="$plugin_home" tshark -G plugins 2>/dev/null | grep -q tcpfsm; then
        plugin_note="plugin rows skipped: tshark did not load $plugin as ${user:-$(id -un)}"
        plugin_home=""
    fi
fi

# ---- measuring ----
now() { if [ -n "${EPOCHREALTIME:-}" ]; then echo "$EPOCHREALTIME"; else date +%s.%N; fi; }
rows=()
notes=()
growth=()
measure() { # measure LABEL COMMAND_TEXT OUTFILE -- argv...
    local label=$1 text=$2 outfile=$3
    shift 4
    local tf="$work/time.txt"
    say "$label: $text"
    local rc=0 t0 t1
    [ "$outfile" = - ] && outfile=/dev/null
    # wall time from the shell clock (microseconds; /usr/bin/time rounds
    # to 10 ms), peak RSS from /usr/bin/time -v
    t0=$(now)
    /usr/bin/time -v -o "$tf" "$@" >"$outfile" 2>"$work/stderr.txt" || rc=$?
    t1=$(now)
    local wall rss
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$tf")
    if [ "$rc" != 0 ]; then
        say "  exit status $rc: $(tail -c 300 "$work/stderr.txt")"
        text="$text (exit $rc)"
    fi
    LAST_WALL=$wall
    LAST_RSS=$rss
    LAST_TEXT=$text
}

# 1234567 -> 1,234,567
commas() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
    print s o }'; }

add_row() { # add_row CONNS PACKETS STEP COMMAND WALL RSS BASE
    local pps ratio
    pps=$(awk -v p="$2" -v w="$5" 'BEGIN { if (w > 0) printf "%.0f", p / w; else print 0 }')
    ratio=$(awk -v b="$7" -v w="$5" 'BEGIN { if (w > 0 && b > 0) printf "%.2fx", b / w; else print "-" }')
    rows+=("| $(commas "$1") | $(commas "$2") | $3 | \`${4//|/\\|}\` | $5 | $(commas "$pps") | $ratio | $6 |")
}

# ---- the floor and the peers (CPU time) ----
shared=$(cd "$root/.." && pwd)/shared
FLOOR=""
floor_note=""
if [ -f "$shared/bench/floor.c" ]; then
    if ${CC:-cc} -O2 -o "$work/floor" "$shared/bench/floor.c" -lpcap 2>"$work/floor.err"; then
        FLOOR="$work/floor"
    else
        floor_note="floor rows skipped: floor.c does not build ($(head -c 200 "$work/floor.err"))"
    fi
else
    floor_note="floor rows skipped: no $shared/bench/floor.c"
fi
frows=()
declare -A ratios=()
one_thread=""
if "$TCPFSM" summary --help 2>&1 | grep -q -- '--threads'; then
    one_thread="--threads 1"
fi
cpu_measure() { # cpu_measure OUTFILE argv... -> LAST_CPU (s), LAST_RSS (MB)
    local outfile=$1 tf="$work/cpu.txt" rc=0
    shift
    say "cpu: $*"
    /usr/bin/time -f '%U %S %M' -o "$tf" "$@" >"$outfile" 2>"$work/stderr.txt" || rc=$?
    LAST_CPU=$(awk 'END { printf "%.2f", $1 + $2 }' "$tf")
    LAST_RSS=$(awk 'END { printf "%.0f", $3 / 1024 }' "$tf")
    LAST_RC=$rc
    [ "$rc" = 0 ] || say "  exit status $rc: $(tail -c 300 "$work/stderr.txt")"
}
# the floor's and tcpfsm's rows: the least CPU time of CPU_RUNS runs
# (default 3; a shared machine moves single runs by 10-25%), the peers once
cpu_best() { # cpu_best OUTFILE LABEL argv...
    local outfile=$1 label=$2 best="" rss="" rc=0 k runs=1
    shift 2
    case "$label" in floor*|tcpfsm*) runs=${CPU_RUNS:-3} ;; esac
    for ((k = 0; k < runs; k++)); do
        cpu_measure "$outfile" "$@"
        [ "$LAST_RC" = 0 ] || rc=$LAST_RC
        if [ -z "$best" ] || awk -v a="$LAST_CPU" -v b="$best" 'BEGIN { exit !(a < b) }'; then
            best=$LAST_CPU
            rss=$LAST_RSS
        fi
    done
    LAST_CPU=$best
    LAST_RSS=$rss
    LAST_RC=$rc
}
floor_table() { # floor_table NAME FILE PACKETS
    local name=$1 f=$2 pk=$3 fl=0 label
    local -a cmd
    local specs=()
    [ -n "$FLOOR" ] && specs+=("floor parse|$FLOOR parse" "floor mparse|$FLOOR mparse")
    # one core, as the targets say: --threads 1 when the tool has threads
    specs+=("tcpfsm summary|$TCPFSM summary $one_thread" "tcpfsm annotate > /dev/null|$TCPFSM annotate $one_thread")
    command -v tshark >/dev/null && specs+=("tshark -q -z conv,tcp|tshark -q -z conv,tcp -r")
    command -v tcptrace >/dev/null && specs+=("tcptrace -n|tcptrace -n")
    command -v argus >/dev/null && specs+=("argus -r FILE -w /dev/null|argus -w /dev/null -r")
    for spec in "${specs[@]}"; do
        label=${spec%%|*}
        read -r -a cmd <<<"${spec#*|}"
        cpu_best /dev/null "$label" "${cmd[@]}" "$f"
        [ "$label" = "floor parse" ] && fl=$LAST_CPU
        local pps ratio st=""
        [ "$LAST_RC" = 0 ] || st=" (exit $LAST_RC)"
        pps=$(awk -v p="$pk" -v c="$LAST_CPU" 'BEGIN { if (c > 0) printf "%.0f", p / c; else print 0 }')
        ratio=$(awk -v f="$fl" -v c="$LAST_CPU" 'BEGIN { if (f > 0) printf "%.2fx", c / f; else print "-" }')
        frows+=("| $name | $(commas "$pk") | \`$label\`$st | $LAST_CPU | $(commas "$pps") | $ratio | $LAST_RSS |")
        ratios["$name|$label"]=${ratio%x}
    done
    if [ "$floor_only" = 0 ]; then
        mapfile -d '' -t targv < <(tshark_cmd "$f")
        cpu_measure /dev/null "${targv[@]}"
        pps=$(awk -v p="$pk" -v c="$LAST_CPU" 'BEGIN { if (c > 0) printf "%.0f", p / c; else print 0 }')
        ratio=$(awk -v f="$fl" -v c="$LAST_CPU" 'BEGIN { if (f > 0) printf "%.2fx", c / f; else print "-" }')
        frows+=("| $name | $(commas "$pk") | \`tshark -T fields\` (the export) | $LAST_CPU | $(commas "$pps") | $ratio | $LAST_RSS |")
    fi
}
n=${sizes[0]}
say "floor table: generating $n connections"
gen_out=$("$GEN" -n "$n" -o "$work/floor-gen.pcap" 2>&1) || die "gen_capture failed: $gen_out"
packets=$(sed -n 's/.* connections, \([0-9]*\) packets.*/\1/p' <<<"$gen_out")
floor_table "gen_capture -n $n" "$work/floor-gen.pcap" "$packets"
gen_name="gen_capture -n $n"
# ---- issue 14's targets, each with its measure ----
trows=()
target() { # target WHAT TARGET MEASURED MET(yes/no/-)
    trows+=("| $1 | $2 | $3 | $4 |")
}
met_le() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || a == "-") print "-"; else print (a + 0 <= b + 0 ? "yes" : "no") }'; }
met_ge() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || a == "-") print "-"; else print (a + 0 >= b + 0 ? "yes" : "no") }'; }
# annotate READY.tsv: rows/s of CPU (the TSV written by the direct
# reader's dump, the same rows as the tshark export)
if [ -n "$DUMP" ]; then
    "$DUMP" --streams "$work/floor-gen.pcap" >"$work/floor-gen.tsv" 2>"$work/dump.err" ||
        say "pcapsrc_dump failed: $(head -c 200 "$work/dump.err")"
    cpu_best /dev/null tcpfsm "$TCPFSM" annotate $one_thread "$work/floor-gen.tsv"
    tsv_rate=$(awk -v p="$packets" -v c="$LAST_CPU" 'BEGIN { if (c > 0) printf "%.0f", p / c; else print 0 }')
    frows+=("| $gen_name | $(commas "$packets") | \`tcpfsm annotate READY.tsv > /dev/null\` | $LAST_CPU | $(commas "$tsv_rate") | - | $LAST_RSS |")
    rm -f "$work/floor-gen.tsv"
fi
# --threads: wall time, one thread against all the cores, best of 5,
# alternated; with THREADS_CHRT=1 (root) both under chrt -f 10, so that
# other work on the machine does not take the second core from the run
threads_ratio=""
if "$TCPFSM" summary --help 2>&1 | grep -q -- '--threads'; then
    ncpu=$(nproc)
    rt=()
    [ "${THREADS_CHRT:-0}" = 1 ] && rt=(chrt -f 10)
    for cmdname in summary annotate; do
        best1=""; bestn=""
        load=$(cut -d' ' -f1 /proc/loadavg)
        for rep in 1 2 3 4 5; do
            measure "threads1" "tcpfsm $cmdname --threads 1" - -- ${rt[@]+"${rt[@]}"} "$TCPFSM" "$cmdname" --threads 1 "$work/floor-gen.pcap"
            best1=$(awk -v a="$best1" -v b="$LAST_WALL" 'BEGIN { print (a == "" || b < a) ? b : a }')
            measure "threadsN" "tcpfsm $cmdname --threads $ncpu" - -- ${rt[@]+"${rt[@]}"} "$TCPFSM" "$cmdname" --threads "$ncpu" "$work/floor-gen.pcap"
            bestn=$(awk -v a="$bestn" -v b="$LAST_WALL" 'BEGIN { print (a == "" || b < a) ? b : a }')
        done
        r=$(awk -v a="$best1" -v b="$bestn" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
        [ "$cmdname" = summary ] && threads_ratio=$r
        frows+=("| $gen_name | $(commas "$packets") | \`tcpfsm $cmdname --threads $ncpu\` (wall, best of 5${rt[0]:+, chrt -f 10}; load average $load) | $bestn s wall | - | ${r}x faster than --threads 1 ($best1 s) | - |")
    done
fi
rm -f "$work/floor-gen.pcap"
# memory: 1,000,000 sequential connections, and a SYN flood
mem_n=${MEM_CONNS:-1000000}
say "memory: generating $mem_n connections"
"$GEN" -n "$mem_n" -o "$work/mem.pcap" >/dev/null 2>&1 || die "gen_capture -n $mem_n failed"
cpu_measure /dev/null "$TCPFSM" summary "$work/mem.pcap"
mem_rss=$(awk -F' ' 'END { printf "%.1f", $3 / 1024 }' "$work/cpu.txt")
rm -f "$work/mem.pcap"
"$GEN" --syn-flood -n "$mem_n" -o "$work/flood.pcap" >/dev/null 2>&1 || die "gen_capture --syn-flood failed"
cpu_measure /dev/null "$TCPFSM" summary "$work/flood.pcap"
flood_rss=$(awk -F' ' 'END { printf "%.1f", $3 / 1024 }' "$work/cpu.txt")
rm -f "$work/flood.pcap"
real_note=""
if command -v mergecap >/dev/null && [ -d "$shared/captures" ]; then
    ether=()
    for f in "$shared"/captures/*/*.pcap; do
        [ "$(capinfos -E -T -r "$f" 2>/dev/null | cut -f2)" = ether ] && ether+=("$f")
    done
    if [ "${#ether[@]}" -gt 0 ]; then
        mergecap -a -F pcap -w "$work/real1.pcap" "${ether[@]}"
        one=$(capinfos -c -T -r "$work/real1.pcap" | cut -f2)
        reps=$(( (1000000 + one - 1) / one ))
        copies=()
        for ((i = 0; i < reps; i++)); do copies+=("$work/real1.pcap"); done
        mergecap -a -F pcap -w "$work/real.pcap" "${copies[@]}"
        rp=$(( one * reps ))
        real_note="real: the ${#ether[@]} Ethernet pcaps of ../shared/captures concatenated ($(commas "$one") packets), $reps times."
        floor_table "real (concatenated)" "$work/real.pcap" "$rp"
        rm -f "$work/real.pcap" "$work/real1.pcap"
    fi
fi
# Suricata (no rules), in the trixie chroot: bench/peers_chroot.sh
suricata_note=""
if [ "$suricata" = 1 ]; then
    say "Suricata in the trixie chroot: bench/peers_chroot.sh -n ${sizes[0]} (a few minutes)"
    peers_out=$("$here/peers_chroot.sh" -n "${sizes[0]}") || true
    while IFS= read -r line; do
        case "$line" in
        "|"*) frows+=("$line") ;;
        "Note: "*) suricata_note=${line#Note: } ;;
        esac
    done <<<"$peers_out"
    [ -n "$suricata_note" ] || suricata_note="Suricata rows skipped: bench/peers_chroot.sh printed nothing."
fi
print_floor() {
    echo "## Against the floor ($(date -u +%Y-%m-%d), $(nproc) CPUs, CPU time = user + system)"
    echo
    echo "x floor = this CPU time / \`floor parse\` CPU time on the same file, same run; the floor and tcpfsm rows: the least of ${CPU_RUNS:-3} runs, the peers one run."
    [ -n "$one_thread" ] && echo "The \`tcpfsm\` rows run with \`$one_thread\` (one core, as the targets say); the \`--threads\` rows are wall time."
    [ -n "$real_note" ] && echo "$real_note"
    echo
    echo "| capture | packets | command | CPU s | packets/s (CPU) | x floor | peak RSS MB |"
    echo "|---|---:|---|---:|---:|---:|---:|"
    printf '%s\n' "${frows[@]}"
    [ -z "$floor_note" ] || printf '\nNote: %s.\n' "$floor_note"
    [ -z "$suricata_note" ] || printf '\nNote: %s\n' "$suricata_note"
    echo
    local g="$gen_name" r="real (concatenated)"
    target "\`tcpfsm summary\`, $g" "<= 1.5x floor parse" "${ratios[$g|tcpfsm summary]:--}x" "$(met_le "${ratios[$g|tcpfsm summary]:-}" 1.5)"
    target "\`tcpfsm summary\`, real" "<= 1.5x floor parse" "${ratios[$r|tcpfsm summary]:--}x" "$(met_le "${ratios[$r|tcpfsm summary]:-}" 1.5)"
    target "\`tcpfsm annotate > /dev/null\`, $g" "<= 2.5x floor parse" "${ratios[$g|tcpfsm annotate > /dev/null]:--}x" "$(met_le "${ratios[$g|tcpfsm annotate > /dev/null]:-}" 2.5)"
    target "\`tcpfsm annotate > /dev/null\`, real" "<= 2.5x floor parse" "${ratios[$r|tcpfsm annotate > /dev/null]:--}x" "$(met_le "${ratios[$r|tcpfsm annotate > /dev/null]:-}" 2.5)"
    target "\`tcpfsm annotate READY.tsv\`" ">= 3,000,000 rows/s (CPU)" "$(commas "${tsv_rate:-0}") rows/s" "$(met_ge "${tsv_rate:-}" 3000000)"
    target "\`summary --threads $(nproc)\` vs \`--threads 1\` (wall)" ">= 1.6x" "${threads_ratio:--}x" "$(met_ge "${threads_ratio:-}" 1.6)"
    target "peak RSS, $(commas "$mem_n") sequential connections" "< 100 MiB" "$mem_rss MiB" "$(awk -v a="$mem_rss" 'BEGIN { print (a < 100 ? "yes" : "no") }')"
    target "peak RSS, SYN flood of $(commas "$mem_n") half-open connections" "bounded (--max-open)" "$flood_rss MiB" "-"
    echo "### Issue 14's targets, this run"
    echo
    echo "| what | target | measured | met |"
    echo "|---|---|---:|---|"
    printf '%s\n' "${trows[@]}"
    echo
}
if [ "$floor_only" = 1 ]; then
    print_floor
    exit 0
fi

for n in "${sizes[@]}"; do
    cap="$work/conns-$n.pcap"
    say "generating $n connections"
    gen_out=$("$GEN" -n "$n" -o "$cap" 2>&1) || die "gen_capture failed: $gen_out"
    say "  $gen_out"
    chmod 644 "$cap"
    packets=$(sed -n 's/.* connections, \([0-9]*\) packets.*/\1/p' <<<"$gen_out")
    ready="$work/ready-$n.tsv"
    out="$work/out-$n.tsv"
    short="conns-$n.pcap"

    mapfile -d '' -t targv < <(tshark_cmd "$cap")
    measure export "tshark -T fields (tcpfsm fields)" "$ready" -- "${targv[@]}"
    base=$LAST_WALL
    add_row "$n" "$packets" "tshark export (baseline)" "$(echo "tshark -r $short -T fields ... > READY.tsv")" "$LAST_WALL" "$LAST_RSS" "$base"

    measure via "tcpfsm annotate $short --via-tshark" "$out" -- "$TCPFSM" annotate "$cap" --via-tshark
    add_row "$n" "$packets" "annotate via tshark" "tcpfsm annotate $short --via-tshark" "$LAST_WALL" "$LAST_RSS" "$base"
    rm -f "$out"
    measure direct "tcpfsm annotate $short" "$out" -- "$TCPFSM" annotate "$cap"
    add_row "$n" "$packets" "annotate direct" "tcpfsm annotate $short" "$LAST_WALL" "$LAST_RSS" "$base"
    growth+=("annotate direct|$n|$packets|$LAST_WALL")
    rm -f "$out"
    measure summary "tcpfsm summary $short" "$out" -- "$TCPFSM" summary "$cap"
    add_row "$n" "$packets" "summary direct" "tcpfsm summary $short" "$LAST_WALL" "$LAST_RSS" "$base"
    growth+=("summary direct|$n|$packets|$LAST_WALL")
    rm -f "$out"
    measure tsv "tcpfsm annotate READY.tsv" "$out" -- "$TCPFSM" annotate "$ready"
    add_row "$n" "$packets" "annotate TSV" "tcpfsm annotate READY.tsv" "$LAST_WALL" "$LAST_RSS" "$base"
    growth+=("annotate TSV|$n|$packets|$LAST_WALL")
    rm -f "$out"
    if [ -n "$DUMP" ]; then
        measure dump "pcapsrc_dump $short" "$out" -- "$DUMP" "$cap"
        add_row "$n" "$packets" "direct decode only" "pcapsrc_dump $short > rows.tsv" "$LAST_WALL" "$LAST_RSS" "$base"
        rm -f "$out"
    fi
    measure wc "wc -l READY.tsv" - -- wc -l "$ready"
    add_row "$n" "$packets" "floor: read the TSV" "wc -l READY.tsv" "$LAST_WALL" "$LAST_RSS" "$base"

    if [ -n "$plugin_home" ]; then
        measure plugin "tshark + plugin" "$out" -- "${as_user[@]}" env HOME="$plugin_home" \
            "${targv[@]}" -e tcpfsm.event -e tcpfsm.label
        with=$LAST_WALL
        add_row "$n" "$packets" "tshark + plugin" "tshark ... -e tcpfsm.event -e tcpfsm.label" "$LAST_WALL" "$LAST_RSS" "$base"
        rm -f "$out"
        measure noplugin "tshark, plugin disabled" "$out" -- "${as_user[@]}" env HOME="$plugin_home" \
            "${targv[0]}" --disable-protocol tcpfsm "${targv[@]:1}" -e tcpfsm.event -e tcpfsm.label
        add_row "$n" "$packets" "tshark, plugin disabled" "tshark --disable-protocol tcpfsm ... (same fields)" "$LAST_WALL" "$LAST_RSS" "$base"
        rm -f "$out"
        plugin_cost=$(awk -v a="$with" -v b="$LAST_WALL" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
        # the export alone (no tcpfsm field asked for): what having the
        # plugin installed costs every tshark -T fields run
        measure plugin_export "tshark + plugin, export fields only" "$out" -- "${as_user[@]}" env HOME="$plugin_home" \
            "${targv[@]}"
        export_with=$LAST_WALL
        add_row "$n" "$packets" "tshark + plugin, export only" "tshark ... (the export fields, plugin loaded)" "$LAST_WALL" "$LAST_RSS" "$base"
        rm -f "$out"
        measure noplugin_export "tshark, plugin disabled, export fields only" "$out" -- "${as_user[@]}" env HOME="$plugin_home" \
            "${targv[0]}" --disable-protocol tcpfsm "${targv[@]:1}"
        add_row "$n" "$packets" "tshark, plugin disabled, export only" "tshark --disable-protocol tcpfsm ... (the export fields)" "$LAST_WALL" "$LAST_RSS" "$base"
        rm -f "$out"
        export_cost=$(awk -v a="$export_with" -v b="$LAST_WALL" 'BEGIN { if (b > 0) printf "%.2f", a / b }')
        say "  plugin: ${plugin_cost}x the time of tshark without it (tcpfsm fields), ${export_cost}x (export only)"
        notes+=("$(commas "$n") connections: tshark with the plugin takes ${plugin_cost}x the time of tshark with it disabled when the tcpfsm fields are exported too, ${export_cost}x for the export fields alone.")
    fi
    rm -f "$cap" "$ready"
done

print_floor
cpu=$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo "?")
echo "## tcpfsm throughput ($(date -u +%Y-%m-%d), $(nproc) CPUs: $cpu)"
echo
echo "$(tshark --version 2>/dev/null | head -1 | sed 's/\.$//'), tcpfsm $("$TCPFSM" --version 2>/dev/null | awk '{print $2}')."
echo "Synthetic captures from bench/gen_capture (Ethernet/IPv4/TCP, 1000 connections"
echo "open at once). x = tshark export wall time / this wall time, same file, same run."
echo
echo "| connections | packets | step | command | wall s | packets/s | vs tshark export | peak RSS MB |"
echo "|---:|---:|---|---|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
# growth: the time of the largest size over the smallest, against the
# growth of the input (linear: the two ratios equal)
if [ "${#sizes[@]}" -gt 1 ]; then
    echo
    echo "Growth from $(commas "${sizes[0]}") to $(commas "${sizes[-1]}") connections:"
    echo
    for step in "annotate direct" "summary direct" "annotate TSV"; do
        awk -F'|' -v step="$step" -v lo="${sizes[0]}" -v hi="${sizes[-1]}" '
            $1 == step && $2 == lo { p0 = $3; t0 = $4 }
            $1 == step && $2 == hi { p1 = $3; t1 = $4 }
            END { if (t0 > 0 && p0 > 0)
                printf "- %s: %.1fx the packets took %.1fx the time\n", step, p1 / p0, t1 / t0 }' \
            < <(printf '%s\n' "${growth[@]}")
    done
fi
for note in "${notes[@]}"; do
    echo
    echo "$note"
done
if [ -n "$plugin_note" ]; then
    echo
    echo "Note: $plugin_note."
fi
if [ "${want_plugin_cost:-0}" = 1 ]; then
    # the plugin's cost per packet under callgrind (bench/plugin_cost.sh)
    echo
    say "plugin cost (callgrind, a few minutes)"
    "$here/plugin_cost.sh" --build "$build" || say "plugin_cost.sh failed"
fi
