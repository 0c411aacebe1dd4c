#!/usr/bin/env bash
# bench/plugin_cost.sh - what the tcpfsm Wireshark plugin adds to tshark,
# in instructions per packet (callgrind) and peak RSS per packet, for the
# Wireshark this machine (or chroot) has.
#
#   bench/plugin_cost.sh [--build DIR] [--workdir DIR] [-n CONNS]
#                        [--rss CONNS | --no-rss] [--no-ir] [--keep]
#
# Captures from bench/gen_capture: -n CONNS connections (default 500:
# 5,586 packets) for the instruction counts, and the first 14 packets of
# it for tshark's start-up, which is subtracted:
#
#   Ir/packet = (Ir(capture) - Ir(14 packets)) / (packets - 14)
#
# Each run is tshark under `valgrind --tool=callgrind` (deterministic
# instruction counts), once with the plugin loaded and once with
# `--disable-protocol tcpfsm`, both through
# tests/plugin/tshark-with-plugin.sh (as `nobody` when root: root ignores
# personal plugins):
#
#   summary     tshark -n -r F                      (summary lines, hidden tree)
#   filter      tshark -n -r F -Y 'tcpfsm.close == "reset"'
#   export      the tshark -T fields command `tcpfsm fields` prints
#   export+lab  the same + -e tcpfsm.event -e tcpfsm.label
#
# Peak RSS (/usr/bin/time -v; --no-rss skips it) of `tshark -n -r F` and
# of the export, plugin on and off, on CONNS/4 and CONNS connections
# (--rss CONNS, default 40,000: about 447,000 packets): the bytes the
# plugin adds per packet are the slope between the two sizes, which
# leaves out what it holds whatever the size (the engine's lingering
# connections, the skeletons).
#
# PLUGIN_COST_RUNS="summary filter" measures only these runs.
#
# Prints a Markdown table on stdout (progress on stderr).  Needs valgrind,
# editcap, capinfos, /usr/bin/time (package time), tshark, the built
# plugin (build/plugin/tcpfsm.so) and gen_capture (build/bench).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=$root/build
work=
keep=no
conns=500
rss_conns=40000
no_ir=no

while [ $# -gt 0 ]; do
    case "$1" in
    --build) build=$2; shift 2 ;;
    --workdir) work=$2; shift 2 ;;
    -n) conns=$2; shift 2 ;;
    --rss) rss_conns=$2; shift 2 ;;
    --no-rss) rss_conns=0; shift ;;
    --no-ir) no_ir=yes; shift ;;
    --keep) keep=yes; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "plugin_cost.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

die() { echo "plugin_cost.sh: $*" >&2; exit 1; }
for t in valgrind editcap capinfos tshark; do
    command -v "$t" >/dev/null 2>&1 || die "$t is missing"
done
[ -x /usr/bin/time ] || [ "$rss_conns" -eq 0 ] || die "/usr/bin/time is missing (apt-get install time)"
plugin=$build/plugin/tcpfsm.so
gen=$build/bench/gen_capture
tool=$build/tool/tcpfsm
[ -f "$plugin" ] || die "no plugin: $plugin"
[ -x "$gen" ] || die "no gen_capture: $gen"
[ -x "$tool" ] || die "no tcpfsm tool: $tool"

if [ -z "$work" ]; then
    work=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-plugin-cost.XXXXXX")
fi
mkdir -p "$work"
chmod 777 "$work" # tshark runs as nobody and writes callgrind files here
if [ "$keep" = no ]; then
    trap 'rm -rf "$work"' EXIT
fi

say() { echo "plugin_cost: $*" >&2; }
version=$(tshark -v 2>/dev/null | head -n 1 | sed -e "s/^TShark (Wireshark) //" -e "s/ (.*//" -e "s/\.$//")

"$gen" -n "$conns" -o "$work/big.pcap" >/dev/null
editcap -r "$work/big.pcap" "$work/small.pcap" 1-14
chmod a+r "$work"/*.pcap
npk() { capinfos -M -c "$1" | awk '/Number of packets/ { print $NF }'; }
big_pk=$(npk "$work/big.pcap")
small_pk=$(npk "$work/small.pcap")

# the export command, as the tool prints it (its -e/-E arguments)
read -r -a export_args <<<"$("$tool" fields | sed -e 's/^tshark -n -r CAPTURE.pcapng //')"

# a tshark that runs under callgrind (-v / -G: plain, for the wrapper)
cat >"$work/tshark-cg" <<EOF
#!/bin/sh
case "\$1" in -v|-G) exec "$(command -v tshark)" "\$@" ;; esac
exec valgrind --tool=callgrind --callgrind-out-file="\$TCPFSM_CG_OUT" -q "$(command -v tshark)" "\$@"
EOF
chmod 755 "$work/tshark-cg"

home=$(TCPFSM_PLUGIN="$plugin" "$root/tests/plugin/tshark-with-plugin.sh" --prepare)
trap '[ "$keep" = no ] && rm -rf "$work"; rm -rf "$home"' EXIT
TCPFSM_PLUGIN="$plugin" TCPFSM_PLUGIN_HOME="$home" "$root/tests/plugin/tshark-with-plugin.sh" --check ||
    die "tshark does not load the plugin"

# ir NAME FILE ARGS...: total instructions of one tshark run
ir() {
    local name=$1 file=$2 out
    shift 2
    out=$work/cg.$name
    rm -f "$out"
    TCPFSM_CG_OUT=$out TSHARK=$work/tshark-cg TCPFSM_PLUGIN="$plugin" TCPFSM_PLUGIN_HOME="$home" \
        nice "$root/tests/plugin/tshark-with-plugin.sh" -n -r "$file" "$@" >"$work/out.$name" 2>"$work/err.$name" ||
        { cat "$work/err.$name" >&2; die "tshark failed: $name"; }
    [ -s "$out" ] || die "no callgrind output for $name"
    awk '/^(summary|totals):/ { print $2; exit }' "$out"
}

# per NAME ARGS...: instructions per packet, start-up subtracted
per() {
    local name=$1 b s
    shift
    b=$(ir "$name.big" "$work/big.pcap" "$@")
    s=$(ir "$name.small" "$work/small.pcap" "$@")
    awk -v b="$b" -v s="$s" -v n=$((big_pk - small_pk)) 'BEGIN { printf "%.0f\n", (b - s) / n }'
}

declare -A cost
read -r -a runs <<<"${PLUGIN_COST_RUNS:-summary filter export exportlab}"
[ "$no_ir" = yes ] && runs=()
run_args() {
    case "$1" in
    summary) ;;
    filter) printf '%s\n' -Y 'tcpfsm.close == "reset"' ;;
    export) printf '%s\n' "${export_args[@]}" ;;
    exportlab) printf '%s\n' "${export_args[@]}" -e tcpfsm.event -e tcpfsm.label ;;
    esac
}
for r in "${runs[@]}"; do
    mapfile -t a < <(run_args "$r")
    say "$r: plugin off"
    cost[$r.off]=$(per "$r.off" --disable-protocol tcpfsm "${a[@]}")
    say "$r: plugin on"
    cost[$r.on]=$(per "$r.on" "${a[@]}")
    say "$r: ${cost[$r.off]} -> ${cost[$r.on]} instructions/packet"
done

title() {
    case "$1" in
    summary) echo '`tshark -r` (summary lines, hidden tree)' ;;
    filter) echo "\`-Y 'tcpfsm.close == \"reset\"'\` (hidden tree)" ;;
    export) echo '`-T fields` export (`tcpfsm fields`)' ;;
    exportlab) echo '`-T fields` export + `-e tcpfsm.event -e tcpfsm.label`' ;;
    esac
}

[ "$no_ir" = yes ] || {
echo "Wireshark $version; callgrind, $big_pk packets ($conns connections) minus 14 (start-up)"
echo
echo "| run | off (Ir/packet) | on (Ir/packet) | added | overhead |"
echo "|---|---:|---:|---:|---:|"
for r in "${runs[@]}"; do
    awk -v t="$(title "$r")" -v off="${cost[$r.off]}" -v on="${cost[$r.on]}" 'BEGIN {
        printf "| %s | %d | %d | %d | %+.1f%% |\n", t, off, on, on - off, (on / off - 1) * 100 }'
done
}

if [ "$rss_conns" != 0 ]; then
    # two sizes: the plugin's memory per packet is the slope between them
    # (what it keeps per connection while the engine holds it is a fixed
    # cost: up to max_lingering finished connections)
    rss_small=$((rss_conns / 4))
    "$gen" -n "$rss_small" -o "$work/rss1.pcap" >/dev/null
    "$gen" -n "$rss_conns" -o "$work/rss2.pcap" >/dev/null
    chmod a+r "$work"/rss*.pcap
    pk1=$(npk "$work/rss1.pcap")
    pk2=$(npk "$work/rss2.pcap")
    # rss FILE ARGS...: peak RSS in KiB
    rss() {
        local file=$1
        shift
        TSHARK=$(command -v tshark) TCPFSM_PLUGIN="$plugin" TCPFSM_PLUGIN_HOME="$home" \
            /usr/bin/time -v -o "$work/time.rss" \
            nice "$root/tests/plugin/tshark-with-plugin.sh" -n -r "$file" "$@" >/dev/null 2>&1 ||
            die "tshark failed: rss $*"
        awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.rss"
    }
    echo
    echo "Peak RSS (KiB), $pk1 packets ($rss_small connections) and $pk2 packets ($rss_conns connections);"
    echo "added per packet = ((on - off) at $pk2 - (on - off) at $pk1) / ($pk2 - $pk1)"
    echo
    echo "| run | off, small | on, small | off, big | on, big | added per packet (bytes) |"
    echo "|---|---:|---:|---:|---:|---:|"
    for r in summary export; do
        mapfile -t a < <(run_args "$r")
        say "rss $r"
        off1=$(rss "$work/rss1.pcap" --disable-protocol tcpfsm "${a[@]}")
        on1=$(rss "$work/rss1.pcap" "${a[@]}")
        off2=$(rss "$work/rss2.pcap" --disable-protocol tcpfsm "${a[@]}")
        on2=$(rss "$work/rss2.pcap" "${a[@]}")
        awk -v t="$(title "$r")" -v a="$off1" -v b="$on1" -v c="$off2" -v d="$on2" \
            -v p1="$pk1" -v p2="$pk2" 'BEGIN {
            printf "| %s | %d | %d | %d | %d | %.0f |\n", t, a, b, c, d, ((d - c) - (b - a)) * 1024 / (p2 - p1) }'
    done
fi
