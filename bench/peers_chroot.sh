#!/usr/bin/env bash
# bench/peers_chroot.sh - Suricata (no rules) as a peer in the floor table
# of bench/run.sh.  Suricata is packaged in Debian 13 (trixie), not in
# Debian 12, so it runs in the cached trixie chroot of scripts/chroot.sh,
# next to its own `floor parse`: only the ratio to the floor measured in
# the same chroot run is comparable with the native rows.  As root.
#
#   bench/peers_chroot.sh [-n CONNECTIONS]     (default 100000)
#
# Inside `scripts/chroot.sh trixie -- ...` (the cached chroot, unpacked
# into a throwaway folder, the source tree at /src/tcpfsm, ../shared/bench
# at /src/shared/bench):
#   1. apt-get install suricata time (from the Debian archive; not kept in
#      the cached chroot);
#   2. compiles bench/gen_capture.c and ../shared/bench/floor.c (cc -O2,
#      -lpcap) and writes `gen_capture -n CONNECTIONS`, the same file as
#      the gen rows of run.sh's floor table (gen_capture is deterministic);
#   3. measures, once each, CPU time (user + system of every thread,
#      /usr/bin/time) and peak RSS of
#        floor parse FILE
#        suricata -r FILE -k none --runmode single -S /dev/null -l DIR
#        suricata -r FILE -k none --runmode single --disable-detection -l DIR
#        suricata -r FILE -k none -S /dev/null -l DIR   (default runmode:
#                                                         autofp, threads;
#                                                         also wall time)
#      Flags: -k none: no checksum validation (floor and tcpfsm validate
#      none; gen_capture's checksums are valid, so no packet is dropped
#      either way); -S /dev/null: an empty rule set loaded exclusively
#      (not /var/lib/suricata/rules); --disable-detection: no detection
#      engine at all (what an empty rule set still costs shows as the
#      difference); --runmode single: one packet thread, as every other
#      row of the floor table (Suricata's flow manager and stats threads
#      still run beside it and count in its CPU time); -l DIR: a temporary
#      log folder.  Everything else is Debian's /etc/suricata/suricata.yaml:
#      decode, flow tracking, TCP stream reassembly, app-layer protocol
#      detection and parsing, and eve.json with one record a flow (the
#      count of flow records is printed in the note, as a check that the
#      run did track the connections).
#
# Prints on stdout Markdown rows in the format of run.sh's floor table
#   | capture | packets | command | CPU s | packets/s (CPU) | x floor | peak RSS MB |
# (x floor: against the chroot's own `floor parse`), then one line
# "Note: ..." naming the Suricata version and the flags.  When the chroot
# cannot be made or Suricata cannot be installed or run, it prints only a
# "Note: ..." line saying why and exits 1 (never a made-up row).
# Progress and chroot.sh's output go to stderr.  Takes a few minutes, most
# of it unpacking the chroot and installing Suricata.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
n=100000
inside=0
while [ $# -gt 0 ]; do
    case "$1" in
    -n) n=$2; shift ;;
    --inside) inside=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "peers_chroot.sh: unknown option $1" >&2; exit 64 ;;
    esac
    shift
done
case "$n" in ''|*[!0-9]*) echo "peers_chroot.sh: -n wants a number of connections" >&2; exit 64 ;; esac

say() { echo "peers_chroot.sh: $*" >&2; }

# 1234567 -> 1,234,567
commas() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); o = ""
    while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
    print s o }'; }

# ---------------------------------------------------------------- inside
if [ "$inside" = 1 ]; then
    out=/out
    mkdir -p "$out"
    fail() { echo "$*" >"$out/note"; say "$*"; exit 3; }
    export DEBIAN_FRONTEND=noninteractive
    say "apt-get install suricata time"
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends suricata time; } \
        >"$out/apt.log" 2>&1 ||
        fail "apt-get install suricata time failed in the trixie chroot: $(tail -n 2 "$out/apt.log" | tr '\n' ' ')"
    command -v suricata >/dev/null || fail "no suricata after apt-get install suricata in the trixie chroot"
    version=$(suricata -V 2>&1 | sed -n 's/.*[Ss]uricata version \([^ ]*\( RELEASE\)\{0,1\}\).*/\1/p' | head -n 1)
    [ -n "$version" ] || version=$(suricata -V 2>&1 | head -n 1)
    echo "$version" >"$out/version"
    suricata --help >"$out/help.txt" 2>&1 || true
    for opt in -k --runmode -S -l --disable-detection; do
        grep -qE -- "^[[:space:]]*$opt([[:space:]]|\$)" "$out/help.txt" || fail "suricata $version has no $opt option (suricata --help)"
    done

    w=$(mktemp -d /tmp/peers.XXXXXX)
    cc -O2 -std=gnu11 -o "$w/gen_capture" bench/gen_capture.c 2>"$w/cc.err" ||
        fail "cannot build bench/gen_capture.c in the chroot: $(head -c 200 "$w/cc.err")"
    [ -f /src/shared/bench/floor.c ] ||
        fail "no ../shared/bench/floor.c in the chroot (scripts/chroot.sh copies ../shared/bench)"
    cc -O2 -o "$w/floor" /src/shared/bench/floor.c -lpcap 2>"$w/cc.err" ||
        fail "cannot build floor.c in the chroot: $(head -c 200 "$w/cc.err")"
    say "gen_capture -n $n"
    gen_out=$("$w/gen_capture" -n "$n" -o "$w/gen.pcap" 2>&1) || fail "gen_capture failed: $gen_out"
    packets=$(sed -n 's/.* connections, \([0-9]*\) packets.*/\1/p' <<<"$gen_out")
    [ -n "$packets" ] || fail "gen_capture printed no packet count: $gen_out"
    name="gen_capture -n $n, trixie chroot"

    now() { echo "$EPOCHREALTIME"; }
    cpu_measure() { # cpu_measure argv... -> CPU (s), RSS (MB), WALL (s), RC
        local tf="$w/time.txt" t0 t1
        say "cpu: $*"
        RC=0
        t0=$(now)
        /usr/bin/time -f '%U %S %M' -o "$tf" "$@" >"$w/stdout.txt" 2>"$w/stderr.txt" || RC=$?
        t1=$(now)
        CPU=$(awk 'END { printf "%.2f", $1 + $2 }' "$tf")
        RSS=$(awk 'END { printf "%.0f", $3 / 1024 }' "$tf")
        WALL=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
        [ "$RC" = 0 ] || say "  exit status $RC: $(tail -c 300 "$w/stderr.txt")"
    }
    fl=0
    row() { # row LABEL [EXTRA] (from CPU RSS RC)
        local pps ratio st=""
        [ "$RC" = 0 ] || st=" (exit $RC)"
        pps=$(awk -v p="$packets" -v c="$CPU" 'BEGIN { if (c > 0) printf "%.0f", p / c; else print 0 }')
        ratio=$(awk -v f="$fl" -v c="$CPU" 'BEGIN { if (f > 0) printf "%.2fx", c / f; else print "-" }')
        echo "| $name | $(commas "$packets") | \`$1\`${2:-}$st | $CPU | $(commas "$pps") | $ratio | $RSS |" >>"$out/rows.md"
    }
    : >"$out/rows.md"
    cpu_measure "$w/floor" parse "$w/gen.pcap"
    [ "$RC" = 0 ] || fail "floor parse failed in the chroot: $(tail -c 200 "$w/stderr.txt")"
    fl=$CPU
    row "floor parse"

    flows=()
    suri() { # suri LABEL EXTRA suricata-args...
        local label=$1 extra=$2 logs
        shift 2
        logs=$(mktemp -d /tmp/suricata-log.XXXXXX)
        cpu_measure suricata -r "$w/gen.pcap" -k none "$@" -l "$logs"
        if [ "$RC" != 0 ]; then
            cp "$w/stderr.txt" "$out/suricata-stderr.txt"
            cp "$w/stdout.txt" "$out/suricata-stdout.txt"
        fi
        row "$label" "$extra"
        local f
        f=$(grep -c '"event_type":"flow"' "$logs/eve.json" 2>/dev/null) || f=0
        flows+=("$f")
        cat "$w/stdout.txt" "$w/stderr.txt" >>"$out/suricata.log"
        rm -rf "$logs"
        SURI_RC=$RC
    }
    suri "suricata -r FILE -k none --runmode single -S /dev/null -l DIR" "" \
        --runmode single -S /dev/null
    [ "$SURI_RC" = 0 ] || fail "suricata $version failed in the chroot (exit $SURI_RC): $(tail -c 300 "$out/suricata-stderr.txt" | tr '\n' ' ')"
    single_wall=$WALL
    suri "suricata -r FILE -k none --runmode single --disable-detection -l DIR" "" \
        --runmode single --disable-detection
    # the default runmode (autofp for a pcap file unless suricata.yaml
    # sets one): all the cores; its wall time beside the single runmode's
    mode=$(sed -n 's/^runmode:[[:space:]]*\([a-z]*\).*/\1/p' /etc/suricata/suricata.yaml | head -n 1)
    [ -n "$mode" ] || mode=autofp
    label="suricata -r FILE -k none -S /dev/null -l DIR"
    logs=$(mktemp -d /tmp/suricata-log.XXXXXX)
    cpu_measure suricata -r "$w/gen.pcap" -k none -S /dev/null -l "$logs"
    f=$(grep -c '"event_type":"flow"' "$logs/eve.json" 2>/dev/null) || f=0
    flows+=("$f")
    rm -rf "$logs"
    row "$label" " (default runmode $mode, $(nproc) CPUs: $WALL s wall; --runmode single: $single_wall s wall)"
    echo "${flows[*]}" >"$out/flows"
    echo "$packets" >"$out/packets"
    rm -rf "$w"
    exit 0
fi

# ---------------------------------------------------------------- host
skip() { echo "Note: Suricata rows skipped: $*."; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "bench/peers_chroot.sh needs root (scripts/chroot.sh: debootstrap, chroot, mount)"
[ -x "$root/scripts/chroot.sh" ] || skip "no scripts/chroot.sh"
[ -f "$root/../shared/bench/floor.c" ] || skip "no ../shared/bench/floor.c (the floor the rows are measured against)"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-peers.XXXXXX")
# kept when the run fails (chroot.sh's /out: apt.log, help.txt, suricata.log)
trap '[ -s "$tmp/out/rows.md" ] && [ ! -s "$tmp/out/note" ] && rm -rf "$tmp"' EXIT
say "Suricata in the trixie chroot (scripts/chroot.sh trixie; a few minutes)"
rc=0
TCPFSM_CHROOT_EXPORT="$tmp/out" "$root/scripts/chroot.sh" trixie -- \
    bash bench/peers_chroot.sh --inside -n "$n" >&2 || rc=$?
if [ "$rc" != 0 ] || [ ! -s "$tmp/out/rows.md" ] || [ -s "$tmp/out/note" ]; then
    if [ -s "$tmp/out/note" ]; then
        say "the chroot's /out is kept in $tmp/out"
        skip "$(head -c 400 "$tmp/out/note" | tr '\n' ' ')"
    fi
    say "the chroot's /out is kept in $tmp/out"
    skip "scripts/chroot.sh trixie failed (exit $rc): the trixie chroot could not be made or run"
fi
cat "$tmp/out/rows.md"
version=$(cat "$tmp/out/version")
read -r -a flows <"$tmp/out/flows"
echo "Note: the rows \"trixie chroot\" ran in a Debian 13 (trixie) chroot on this machine" \
    "(bench/peers_chroot.sh through scripts/chroot.sh), each once, with floor.c built there" \
    "(gcc of trixie) and \"x floor\" against that \`floor parse\`: Suricata $version, no rules" \
    "(\`-S /dev/null\`: an empty rule set; \`--disable-detection\`: no detection engine)," \
    "\`-k none\` (no checksum validation, as floor and tcpfsm), \`--runmode single\` (one packet thread;" \
    "its flow manager and stats threads count in the CPU time), Debian's suricata.yaml otherwise" \
    "(flow tracking, stream reassembly, app-layer detection, eve.json: ${flows[0]:-?}, ${flows[1]:-?} and ${flows[2]:-?}" \
    "flow records for the $(commas "$n") connections)."
