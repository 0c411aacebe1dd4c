#!/bin/sh
# test_damage.sh - the tcpfsm plugin on damaged captures: no crash, no hang,
# no memory error in the plugin.
#
# From every capture in captures/ and, when present, ../shared/captures
# (read in place; the damaged copies are made in a temporary folder):
#   e1, e2, e3  editcap -E 0.001 / 0.01 / 0.05 with fixed seeds (--seed
#               11, 22, 33): random bytes of every packet changed; the
#               record headers are not, so the file stays readable
#   trunc       the file cut at a byte offset between 2/8 and 6/8 of its
#               size (in the middle of a record, nearly always); on the
#               first pcap and the first pcapng capture also cut inside
#               the file header, just after it, inside the first record
#               header and one byte before the end
#   cut         editcap -r keeping only the middle third of the frames:
#               connections begin and end in the middle
# tshark runs with the plugin on each, under `timeout`: -T fields with the
# tcpfsm fields; e1 on every other capture with -o tcpfsm.lang:zh; e2 and
# cut with -2 and -z tcpfsm,conns; e3 with -z flow,tcpfsm,standard; trunc
# with -V (the whole tree) and the tcpfsm Info column.
#
# Checks, on every run:
#   - no hang: done within $TCPFSM_DAMAGE_TIMEOUT seconds (default 120);
#   - no crash: tshark does not end on a signal;
#   - the exit status: 0 for e1-e3 and cut (valid files); for trunc 0 or
#     the status tshark without the plugin gives the same file ("cut short
#     in the middle of a packet": 2 on 4.0, 14 on 4.6);
#   - e1-e3 and cut: one row per frame, numbered 1..N (N from capinfos);
#     every row with tcpfsm.event is a TCP segment (tcp.srcport) and has
#     tcpfsm.label, src_state and dst_state; with -2 also
#     tcpfsm.conn.handshake; -z tcpfsm,conns prints its table;
#   - no sanitizer or memcheck error in the plugin:
#     * when TCPFSM_PLUGIN is an AddressSanitizer build (it links libasan:
#       cmake -DTCPFSM_SANITIZE=ON; scripts/test.sh builds one), tshark
#       runs with libasan preloaded (LD_PRELOAD of `gcc
#       -print-file-name=libasan.so`), ASAN_OPTIONS=detect_leaks=0 (the
#       leaks of tshark itself are not the plugin's) and halt_on_error, and
#       a log per run.  A report (ASan or UBSan) with a stack frame in the
#       plugin or the engine fails the run.  tshark itself is not
#       instrumented, only its calls to intercepted functions (memcpy,
#       strlen...) are checked: a report without any frame of ours is
#       Wireshark's, and is shown as a note, not a failure.  A first run
#       checks that the ASan runtime is live and writes where we look;
#     * otherwise the first $TCPFSM_DAMAGE_VALGRIND (default 4) runs of
#       e2/e3 and cut run again under valgrind memcheck (when installed):
#       an error whose stack has a frame of ours fails.
#
# Prints a line per failure and a last line "N passed, M failed".
# Exit: 0 all passed, 1 a failure, 77 (skip) when tshark is missing.
#
# Environment: TSHARK, TCPFSM_PLUGIN (see tshark-with-plugin.sh),
# TCPFSM_CAPTURES (a space-separated list of captures to use instead),
# TCPFSM_DAMAGE_JOBS (parallel runs, default: the number of CPUs),
# TCPFSM_DAMAGE_TIMEOUT, TCPFSM_DAMAGE_VALGRIND, TCPFSM_DAMAGE_SEEDS (the
# three editcap seeds, default "11 22 33": other seeds to hunt with).
# shellcheck disable=SC2016,SC2034,SC2154 # awk programs in single quotes; common.sh's variables
set -u

here=$(cd "$(dirname "$0")" && pwd)
test_name=damage
. "$here/common.sh"

for t in editcap capinfos timeout; do
    if ! command -v "$t" >/dev/null 2>&1; then
        echo "SKIP: $t not found (editcap and capinfos come with tshark; timeout with coreutils)"
        exit 77
    fi
done

plugin=${TCPFSM_PLUGIN:-$root/build/plugin/tcpfsm.so}
limit=${TCPFSM_DAMAGE_TIMEOUT:-120}
jobs=${TCPFSM_DAMAGE_JOBS:-$(nproc 2>/dev/null || echo 2)}
vg_quota=${TCPFSM_DAMAGE_VALGRIND:-4}
seeds=${TCPFSM_DAMAGE_SEEDS:-11 22 33}
real_tshark=$(command -v "$tshark")
started=$(date +%s)

# ---- the checker: ASan (plugin built with it) or valgrind ----
mode=plain
if grep -q __asan_init "$plugin" 2>/dev/null; then
    mode=asan
    libasan=$(${CC:-gcc} -print-file-name=libasan.so 2>/dev/null)
    case "$libasan" in
    /*) ;;
    *) echo "FAIL - $plugin is an ASan build, but libasan.so is not found (gcc -print-file-name)"
       exit 1 ;;
    esac
elif command -v valgrind >/dev/null 2>&1 && [ "$vg_quota" -gt 0 ]; then
    mode=valgrind
fi

# The work folder must be readable by the user tshark runs as (nobody
# when root): the damaged copies, the tshark wrapper, the logs.
work=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-damage.XXXXXX") || exit 1
chmod 755 "$work"
mkdir "$work/dmg" "$work/out" "$work/log" "$work/noextcap"
chmod 755 "$work/dmg" "$work/noextcap"
chmod 1777 "$work/log"

# tshark through a wrapper (TSHARK for tshark-with-plugin.sh): the
# checker in front of it, and no extcap programs (tshark -G runs them, and
# they deadlock with libasan preloaded).  TCPFSM_DAMAGE_LOG (the prefix of
# this run's logs) and TCPFSM_DAMAGE_VG (1: under valgrind) come through
# the helper's environment.
"$real_tshark" -v > "$work/tshark-v" 2>/dev/null
chmod 644 "$work/tshark-v"
cat > "$work/tshark" <<EOF
#!/bin/sh
# -v: the helper reads tshark's version on every run; it is read once here
if [ "\$#" -eq 1 ] && [ "\$1" = -v ]; then cat "$work/tshark-v"; exit 0; fi
log=\${TCPFSM_DAMAGE_LOG:-$work/log/misc}
WIRESHARK_EXTCAP_DIR="$work/noextcap"
export WIRESHARK_EXTCAP_DIR
if [ "$mode" = asan ]; then
    ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:exitcode=86:log_path=\$log.asan\${TCPFSM_DAMAGE_ASAN_EXTRA:-}"
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:log_path=\$log.ubsan"
    LD_PRELOAD="${libasan:-}"
    export ASAN_OPTIONS UBSAN_OPTIONS LD_PRELOAD
elif [ "\${TCPFSM_DAMAGE_VG:-0}" = 1 ]; then
    exec valgrind --tool=memcheck --leak-check=no --num-callers=40 \\
        --xml=yes --xml-file="\$log.vg.xml" "$real_tshark" "\$@"
fi
exec "$real_tshark" "\$@"
EOF
chmod 755 "$work/tshark"
TSHARK=$work/tshark
export TSHARK

TCPFSM_PLUGIN_HOME=$("$helper" --prepare) || { echo "FAIL - cannot prepare the plugin home"; exit 1; }
export TCPFSM_PLUGIN_HOME
trap 'rm -rf "$work" "$TCPFSM_PLUGIN_HOME"' EXIT
if ! TCPFSM_DAMAGE_LOG=$work/log/check "$helper" --check; then
    bad "tshark loads the plugin ($plugin, checker: $mode)"
    cat "$work"/log/check.* 2>/dev/null | head -n 20
    finish
fi
ok "tshark loads the plugin (checker: $mode)"

if [ "$mode" = asan ]; then
    # the ASan runtime is live in tshark and logs where we look
    TCPFSM_DAMAGE_LOG=$work/log/canary TCPFSM_DAMAGE_ASAN_EXTRA=:atexit=1 \
        "$helper" -n -r "$root/captures/close-merged.pcap" -T fields -e tcpfsm.event >/dev/null 2>&1
    if cat "$work"/log/canary.* 2>/dev/null | grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error'; then
        bad "a sanitizer report on the undamaged captures/close-merged.pcap"
        cat "$work"/log/canary.* | head -n 40 | sed 's/^/    /'
        finish
    elif cat "$work"/log/canary.asan* 2>/dev/null | grep -q 'AddressSanitizer exit stats'; then
        ok "the ASan runtime runs in tshark and logs to $work/log"
    else
        bad "the ASan runtime runs in tshark (no exit stats in $work/log/canary.asan.*)"
        finish
    fi
    rm -f "$work"/log/canary.*
fi

# ---- the captures and their frame counts ----
list_captures
ncap=0
while IFS= read -r cap; do
    ncap=$((ncap + 1))
    if [ ! -r "$cap" ]; then
        bad "${cap#"$root/"}: cannot read the capture"
        continue
    fi
    n=$(capinfos -T -r -c -M "$cap" 2>/dev/null | awk -F'\t' 'END { print $NF }')
    case "$n" in
    '' | *[!0-9]*)
        bad "${cap#"$root/"}: capinfos cannot count its frames"
        continue ;;
    esac
    echo "$ncap	$n	$cap"
done < "$list" > "$work/counts"

# ---- the damaged copies: one run a line in $work/runs ----
#   id  kind  expected-frames (- unknown)  file  options...
: > "$work/runs"
add_run() { printf '%s\n' "$*" >> "$work/runs"; }
first_pcap=no
first_pcapng=no
made=0
while IFS='	' read -r i n cap; do
    base=$(basename "$cap")
    base=${base%%.*}
    d="$work/dmg/$i-$base"
    rate_n=0
    for rate in 0.001 0.01 0.05; do
        rate_n=$((rate_n + 1))
        # shellcheck disable=SC2086 # the seed list
        seed=$(set -- $seeds; eval "echo \${$rate_n:-$rate_n}")
        out="$d.e$rate_n.pcapng"
        if ! editcap -E "$rate" --seed "$seed" "$cap" "$out" 2>"$work/err"; then
            bad "editcap -E $rate --seed $seed ${cap#"$root/"}: $(head -n 1 "$work/err")"
            continue
        fi
        made=$((made + 1))
        case $rate_n in
        1) if [ $((i % 2)) -eq 0 ]; then
               add_run "$i-e1" e "$n" "$out" -o tcpfsm.lang:zh
           else
               add_run "$i-e1" e "$n" "$out"
           fi ;;
        2) add_run "$i-e2" e2 "$n" "$out" -2 -z tcpfsm,conns ;;
        3) add_run "$i-e3" e "$n" "$out" -z flow,tcpfsm,standard ;;
        esac
    done

    size=$(wc -c < "$cap" | tr -d ' ')
    offsets="$((size * (2 + i % 5) / 8))"
    magic=$(od -An -tx1 -N4 "$cap" | tr -d ' \n')
    if [ "$magic" = 0a0d0d0a ] && [ "$first_pcapng" = no ]; then
        first_pcapng=yes
        # inside the section header block, inside the first block's
        # header, one byte before the end
        offsets="$offsets 10 $(($(od -An -tu4 -j4 -N4 "$cap" | tr -d ' ') + 4)) $((size - 1))"
    elif [ "$first_pcap" = no ] && { [ "$magic" = d4c3b2a1 ] || [ "$magic" = a1b2c3d4 ] ||
                                     [ "$magic" = 4d3cb2a1 ] || [ "$magic" = a1b23c4d ]; }; then
        first_pcap=yes
        # inside the file header, just after it (no frame: a valid
        # empty file), inside the first record header, one byte before
        # the end
        offsets="$offsets 10 24 32 $((size - 1))"
    fi
    for off in $offsets; do
        out="$d.t$off.${cap##*/"$base".}"
        head -c "$off" "$cap" > "$out"
        made=$((made + 1))
        add_run "$i-t$off" trunc - "$out" -V -o tcpfsm.info_column:TRUE
    done

    if [ "$n" -ge 2 ]; then
        a=$((n / 3 + 1))
        b=$((2 * n / 3))
        [ "$b" -ge "$a" ] || b=$a
        out="$d.cut.pcapng"
        if editcap -r "$cap" "$out" "$a-$b" 2>"$work/err"; then
            made=$((made + 1))
            add_run "$i-cut" e2 "$((b - a + 1))" "$out" -2 -z tcpfsm,conns
        else
            bad "editcap -r ${cap#"$root/"} $a-$b: $(head -n 1 "$work/err")"
        fi
    fi
done < "$work/counts"
chmod a+r "$work"/dmg/*
nruns=$(wc -l < "$work/runs" | tr -d ' ')
echo "# $made damaged copies of $ncap captures, $nruns runs, $jobs at a time, checker: $mode"

# under valgrind: the first $vg_quota runs with -2 or -z (e2, e3, cut)
if [ "$mode" = valgrind ]; then
    grep -E '^[^ ]+-(e2|e3|cut) ' "$work/runs" | head -n "$vg_quota" |
        awk '{ $1 = $1 "-vg"; print }' > "$work/runs.vg"
    cat "$work/runs.vg" >> "$work/runs"
fi

# ---- one run: its verdict in $work/out/ID.verdict ----
fields='-e frame.number -e tcp.srcport -e tcpfsm.event -e tcpfsm.label -e tcpfsm.src_state -e tcpfsm.dst_state -e tcpfsm.conn.handshake'
# awk: a valgrind XML error (not a leak) in b at its end, ours = 1 when
# its stacks have a frame of the plugin or the engine
vg_errors='/<error>/ { b = ""; e = 1; next } e && !/<\/error>/ { b = b "\n" $0; next }
    !e { next } { e = 0 } b ~ /<kind>Leak_/ { next }
    { ours = index(b, "tcpfsm") || index(b, root) || b ~ /<file>(engine|names|zeek|lang)\.c</ }'
one_run() { # id kind expected file options...
    id=$1 kind=$2 want=$3 file=$4
    shift 4
    o="$work/out/$id"
    vg=0
    case "$id" in *-vg) vg=1 ;; esac
    if [ "$kind" = trunc ]; then
        set -- -n -r "$file" "$@"
    else
        # shellcheck disable=SC2086 # the field options
        set -- -n -r "$file" -T fields -E separator=/t -E occurrence=f -E quote=n $fields "$@"
    fi
    # timeout sends SIGKILL to the whole process group: tshark runs as a
    # grandchild (the helper, setpriv), and ignores SIGTERM while reading
    t0=$(date +%s)
    TCPFSM_DAMAGE_LOG=$work/log/$id TCPFSM_DAMAGE_VG=$vg \
        timeout -s KILL "$limit" "$helper" "$@" > "$o.out" 2> "$o.err"
    rc=$?
    t1=$(date +%s)
    v=""
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        v="hang: killed after ${limit}s"
    elif [ "$rc" -gt 128 ]; then
        v="crash: tshark ended on signal $((rc - 128))"
    fi
    # sanitizer / memcheck reports: ours (a frame in the plugin or the
    # engine) or Wireshark's
    for lg in "$work/log/$id".*; do
        [ -s "$lg" ] || continue
        case "$lg" in
        *.vg.xml)
            # (leaks left aside, as with ASan: tshark's own are many)
            ours=$(awk -v root="$root/" "$vg_errors"' ours { n++ } END { print n + 0 }' "$lg")
            all=$(awk -v root="$root/" "$vg_errors"' { n++ } END { print n + 0 }' "$lg")
            if [ "$ours" -gt 0 ]; then
                v="${v:+$v; }valgrind: $ours error(s) in the plugin"
                awk -v root="$root/" "$vg_errors"' ours { print b }' "$lg" |
                    grep -E '<kind>|<text>|<fn>|<file>|<line>' | head -n 40 > "$o.report"
            elif [ "$all" -gt 0 ]; then
                echo "$all valgrind error(s), none in the plugin" > "$o.note"
            else
                echo "memcheck: 0 errors" > "$o.note"
            fi ;;
        *)
            if grep -E '^ *#[0-9]+ |runtime error' "$lg" |
                    grep -q -E -e "tcpfsm|$root/|/engine/(engine|names|zeek|lang)\.c"; then
                v="${v:+$v; }sanitizer report in the plugin"
                head -n 40 "$lg" > "$o.report"
            else
                { echo "a sanitizer report without a frame of the plugin (Wireshark's own):"
                  head -n 12 "$lg"; } > "$o.note"
                # halt_on_error stopped tshark there: not the plugin's
                [ "$rc" -eq 86 ] && rc=0
            fi ;;
        esac
    done
    if [ -z "$v" ] && [ "$rc" -eq 86 ]; then
        v="exit 86 (a sanitizer's) without a report in $work/log"
    elif [ -z "$v" ]; then
        # a cut file: the status tshark itself gives it without the plugin
        # (2 on 4.0, 14 on 4.6 for a record cut short; asked, not assumed)
        want_rc=0
        if [ "$kind" = trunc ]; then
            "$tshark" -n -r "$file" > /dev/null 2>&1
            want_rc=$?
        fi
        case "$kind:$rc" in
        trunc:0 | "trunc:$want_rc" | e:0 | e2:0) ;;
        *) v="exit status $rc: $(grep -v CRITICAL "$o.err" | head -n 2 | tr '\n' ' ')" ;;
        esac
    fi
    if [ -z "$v" ] && [ "$kind" != trunc ]; then
        v=$(awk -F'\t' -v want="$want" -v two="$kind" '
            /^[=|]/ { stop = 1 }
            stop || !/^[0-9]+\t/ { next }
            { rows++
              if ($1 != rows && !bad) bad = "row " rows " is frame " $1
              if ($3 != "" && ($2 == "" || $4 == "" || $5 == "" || $6 == "") && !bad)
                  bad = "frame " $1 ": tcpfsm.event without tcp.srcport, label or states"
              if (two == "e2" && $3 != "" && $7 == "" && !bad)
                  bad = "frame " $1 ": -2 but no tcpfsm.conn.handshake" }
            END { if (bad) print bad
                  else if (rows != want) print rows " rows for " want " frames" }' "$o.out")
        if [ -z "$v" ] && [ "$kind" = e2 ] && ! grep -q '^TCP State Machine: connections' "$o.out"; then
            v="no -z tcpfsm,conns table"
        fi
    fi
    echo "$((t1 - t0)) ${v:-ok}" > "$o.verdict"
}

# the runs, $jobs shards in parallel
s=0
while [ "$s" -lt "$jobs" ]; do
    awk -v s="$s" -v j="$jobs" '(NR - 1) % j == s' "$work/runs" > "$work/shard.$s"
    (
        while read -r line; do
            # shellcheck disable=SC2086 # a run's words
            one_run $line
        done < "$work/shard.$s"
    ) &
    s=$((s + 1))
done
wait

# ---- the verdicts ----
notes=0
vg_runs=0
slowest=0
while read -r id kind want file rest; do
    name="$id ($kind: $(basename "$file")${rest:+ $rest})"
    o="$work/out/$id"
    if [ ! -s "$o.verdict" ]; then
        bad "$name: no verdict"
        continue
    fi
    read -r secs verdict < "$o.verdict"
    [ "$secs" -gt "$slowest" ] && slowest=$secs
    case "$id" in *-vg) vg_runs=$((vg_runs + 1)) ;; esac
    if [ "$verdict" = ok ]; then
        pass=$((pass + 1))
    else
        bad "$name: $verdict"
        [ -s "$o.report" ] && sed 's/^/    /' "$o.report"
        [ -s "$o.err" ] && grep -v 'g_string_erase' "$o.err" | head -n 5 | sed 's/^/    tshark: /'
        echo "    reproduce: the damaged copy is made by the line for $id in this test"
    fi
    if [ -s "$o.note" ]; then
        case "$(head -n 1 "$o.note")" in
        "memcheck: 0 errors") ;;
        *) notes=$((notes + 1))
           echo "note - $name:"
           sed 's/^/    /' "$o.note" ;;
        esac
    fi
done < "$work/runs"

echo "# $nruns runs on $made damaged copies ($vg_runs under valgrind), $notes note(s), slowest run ${slowest}s, $(($(date +%s) - started))s in all"
finish
