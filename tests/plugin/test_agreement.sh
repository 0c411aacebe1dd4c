#!/bin/sh
# test_agreement.sh - the plugin and the tool say the same thing.
#
# Both adapters feed the same engine with the same facts, so on every
# capture in captures/ and, when present, ../shared/captures:
#   annotate  tshark -T fields with frame.number and every tcpfsm.<label
#             field> equals `tcpfsm annotate` (the same columns, taken by
#             name from the tool's header), row by row, exactly;
#   passes    tshark -2 gives the same label fields as one pass;
#   conn      with -2, every labelled frame's tcpfsm.conn.* fields equal
#             the `tcpfsm summary` row of its connection (matched by
#             first_frame), and unlabelled frames have none;
#   stats     tshark -q -z tcpfsm,conns (one pass and -2) prints exactly
#             the `tcpfsm summary` table (header and rows, same order).
#
# Formats (-T fields with -E occurrence=a -E aggregator=,): strings as
# they are; FT_UINT32 as decimal, like the tool; FT_BOOLEAN (tcpfsm.ack_ok)
# as 1/0 up to Wireshark 4.0, True/False from 4.2: the spelling is asked
# of tshark (tshark_bools) and turned into the tool's 1/0; the repeated tcpfsm.anomaly items joined with
# "," like the tool's list.  The one conversion: the FT_DOUBLE connection
# times (duration, syn_rtt, irtt) are printed by tshark in the shortest
# form ("0.06974"); the plugin's value is the tool's rounded decimal, so
# printing it with the tool's number of decimals must give the tool's text
# exactly ("0.069740").
#
# Prints a diff for each failed check and a last line "N passed, M failed".
# Exit: 0 all passed, 1 a failure, 77 (skip) when tshark is missing.
#
# Environment: TSHARK, TCPFSM_PLUGIN (see tshark-with-plugin.sh),
# TCPFSM_TOOL (default build/tool/tcpfsm), TCPFSM_CAPTURES (a
# space-separated list of captures to use instead).
# shellcheck disable=SC2016,SC2181 # awk programs in single quotes; $? after a pipeline
set -u

here=$(cd "$(dirname "$0")" && pwd)
test_name=agree
. "$here/common.sh"
tool=${TCPFSM_TOOL:-$root/build/tool/tcpfsm}
TCPFSM_TSHARK=$(command -v "$tshark")
export TCPFSM_TSHARK # the tool runs the same tshark

# show_diff expected got: a unified diff, at most 30 lines, indented
show_diff() {
    diff -u "$1" "$2" | sed -n '3,$p' | head -n 30 | sed 's/^/    /'
}

if [ ! -x "$tool" ]; then
    bad "the tool is built: $tool (cmake --build build)"
    finish
fi

plugin_setup
list_captures
tshark_bools
# the FT_BOOLEAN fields of the plugin, as tshark's registry lists them
"$helper" -G fields 2>/dev/null |
    awk -F'\t' '$1 == "F" && $3 ~ /^tcpfsm\./ && $4 == "FT_BOOLEAN" { print $3 }' > "$work/bool.fields"
if ! grep -qx 'tcpfsm.ack_ok' "$work/bool.fields"; then
    bad "tshark -G fields lists tcpfsm.ack_ok as FT_BOOLEAN"
fi
# bool_cols "frame.number tcpfsm.x ...": the 1-based columns that are booleans
bool_cols() {
    i=0
    out=""
    for f in $1; do
        i=$((i + 1))
        grep -qx "$f" "$work/bool.fields" && out="$out $i"
    done
    echo "$out"
}

fields_opts="-T fields -E header=n -E separator=/t -E occurrence=a -E aggregator=, -E quote=n"

# split_run OUT COLS: stdin is tshark output with -T fields rows and then
# the -z tcpfsm,conns block; writes OUT.rows (with the boolean columns
# COLS as the tool spells them) and OUT.stats (the block's table: the
# lines between the dashed rule and the closing '=' rule)
split_run() {
    awk -v rows="$1.rows.raw" -v stats="$1.stats" '
        /^========/ { z = 1; next }
        z && /^--------/ { t = 1; next }
        t { print > stats; next }
        !z && $0 != "" { print > rows }' 
    touch "$1.rows.raw" "$1.stats"
    bools_as_tool "$2" < "$1.rows.raw" > "$1.rows"
}

while IFS= read -r cap; do
    name=${cap#"$root/"}
    if [ ! -r "$cap" ]; then
        bad "$name: cannot read the capture"
        continue
    fi

    # ---- the tool ----
    "$tool" annotate "$cap" > "$work/annot.tsv" 2>"$work/tool.err"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
        bad "$name: tcpfsm annotate (exit $rc)"
        sed 's/^/    /' "$work/tool.err" | head -n 5
        continue
    fi
    "$tool" summary "$cap" > "$work/summary.tsv" 2>"$work/tool.err"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
        bad "$name: tcpfsm summary (exit $rc)"
        sed 's/^/    /' "$work/tool.err" | head -n 5
        continue
    fi
    # label columns: the tool's header names without a dot (input columns
    # are tshark fields, which all have one)
    lcols=$(head -n 1 "$work/annot.tsv" | tr '\t' '\n' | grep -v '\.' | tr '\n' ' ')
    scols=$(head -n 1 "$work/summary.tsv" | tr '\t' '\n' | tr '\n' ' ')
    awk -F'\t' -v want="frame.number $lcols" '
        NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) col[$i] = i
                  for (j = 1; j <= n; j++) if (!(w[j] in col)) { print "missing column " w[j] > "/dev/stderr"; exit 1 }
                  next }
        { line = $(col[w[1]]); for (j = 2; j <= n; j++) line = line "\t" $(col[w[j]]); print line }' \
        "$work/annot.tsv" > "$work/tool.rows"

    le=""
    for c in $lcols; do le="$le -e tcpfsm.$c"; done
    ce=""
    for c in $scols; do ce="$ce -e tcpfsm.conn.$c"; done

    # ---- the plugin: one pass, and -2 ----
    # shellcheck disable=SC2086
    "$helper" -n -r "$cap" $fields_opts -e frame.number $le -z tcpfsm,conns \
        2>"$work/ts.err" | split_run "$work/one" "$(bool_cols "frame.number $(echo "$le" | sed 's/-e //g')")"
    # shellcheck disable=SC2086
    "$helper" -n -r "$cap" -2 $fields_opts -e frame.number $le $ce -z tcpfsm,conns \
        2>"$work/ts.err" |
        split_run "$work/two" "$(bool_cols "frame.number $(echo "$le $ce" | sed 's/-e //g')")"
    if [ ! -s "$work/one.rows" ] || [ ! -s "$work/two.rows" ]; then
        bad "$name: tshark with the plugin produced no rows"
        sed 's/^/    tshark: /' "$work/ts.err" | head -n 5
        continue
    fi
    nl=$(echo "$lcols" | wc -w)
    cut -f 1-$((nl + 1)) "$work/two.rows" > "$work/two.labels"

    # annotate: plugin (+) against the tool (-)
    if cmp -s "$work/tool.rows" "$work/one.rows"; then
        ok "$name: annotate: $(wc -l < "$work/tool.rows" | tr -d ' ') rows, frame.number + $nl label fields"
    else
        bad "$name: annotate: the plugin's fields (+) differ from tcpfsm annotate (-)"
        show_diff "$work/tool.rows" "$work/one.rows"
    fi

    # passes: -2 (+) against one pass (-)
    if cmp -s "$work/one.rows" "$work/two.labels"; then
        ok "$name: passes: -2 labels = one-pass labels"
    else
        bad "$name: passes: -2 labels (+) differ from one pass (-)"
        show_diff "$work/one.rows" "$work/two.labels"
    fi

    # conn: every frame's tcpfsm.conn.* = its connection's summary row
    awk -F'\t' -v nl="$nl" '
        function fmt(p, t,   d) {   # the tool decimal text t, plugin p
            if (p != "" && t ~ /^-?[0-9]+\.[0-9]+$/) {
                d = length(t) - index(t, ".")
                return sprintf("%." d "f", p)
            }
            return p
        }
        NR == FNR {
            if (FNR == 1) { ns = NF; for (i = 1; i <= NF; i++) { name[i] = $i; if ($i == "first_frame") ff = i }; next }
            row[$ff] = $0; next
        }
        {
            base = nl + 1; labelled = ($2 != "")
            if (!labelled) {
                for (i = 1; i <= ns; i++) if ($(base + i) != "") {
                    bad++; if (bad <= 20) printf "    frame %s: unlabelled, yet tcpfsm.conn.%s = \"%s\"\n", $1, name[i], $(base + i)
                    break
                }
                next
            }
            frames++
            key = $(base + ff)
            if (!(key in row)) {
                bad++; if (bad <= 20) printf "    frame %s: no summary row with first_frame \"%s\"\n", $1, key
                next
            }
            split(row[key], t, "\t")
            for (i = 1; i <= ns; i++) {
                p = fmt($(base + i), t[i])
                if (p != t[i]) {
                    bad++
                    if (bad <= 20) printf "    frame %s: tcpfsm.conn.%s = \"%s\", tcpfsm summary: \"%s\"\n", $1, name[i], $(base + i), t[i]
                }
            }
        }
        END { if (bad) { if (bad > 20) printf "    (%d differences in all)\n", bad; exit 1 }
              printf "%d", frames }' \
        "$work/summary.tsv" "$work/two.rows" > "$work/conn.out"
    if [ $? -eq 0 ]; then
        ok "$name: conn: tcpfsm.conn.* (-2) = tcpfsm summary on $(cat "$work/conn.out") frames"
    else
        bad "$name: conn: tcpfsm.conn.* (-2) differ from tcpfsm summary"
        cat "$work/conn.out"
    fi

    # stats: -z tcpfsm,conns = tcpfsm summary
    for run in one two; do
        if [ $run = one ]; then what="one pass"; else what="-2"; fi
        if cmp -s "$work/summary.tsv" "$work/$run.stats"; then
            ok "$name: stats: -z tcpfsm,conns ($what) = tcpfsm summary ($(($(wc -l < "$work/summary.tsv") - 1)) connections)"
        else
            bad "$name: stats: -z tcpfsm,conns ($what) (+) differs from tcpfsm summary (-)"
            show_diff "$work/summary.tsv" "$work/$run.stats"
        fi
    done
done < "$list"

finish
