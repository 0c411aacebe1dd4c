#!/bin/sh
# test_drift.sh - the adapters say what the engine says (issue 11).
#
# For every segment of every capture in captures/ and, when present,
# ../shared/captures, the words each adapter shows must be the engine's
# own for that segment, as tests/label_facts prints them (FRAME, TITLE,
# HEADING, FLOW, CHECK: tcpfsm_step_title(), tcpfsm_step_heading(),
# tcpfsm_flow_text(), tcpfsm_check_text()):
#   1. the plugin's Info column (-o tcpfsm.info_column:TRUE): the
#      " [HEADING; anomalies]" it appends is the engine's heading, on
#      every segment that has a step title or gets the bracket;
#   2. the ladder (`tcpfsm ladder --all --svg`, read through tshark as
#      the plugin reads it): each segment's step text is the engine's
#      title and its check text the engine's check;
#   3. the plugin's Flow Graph (tshark -q -z flow,tcpfsm,standard): each
#      arrow's label is the engine's flow text (cut to the arrow's width,
#      as tshark draws it).
# A difference names the capture, the frame and both texts.
#
# Prints a line per capture and a last line "N passed, M failed".
# Exit: 0 all passed, 1 a failure, 77 (skip) when tshark is missing.
# Environment: TSHARK, TCPFSM_PLUGIN (see tshark-with-plugin.sh),
# TCPFSM_TOOL (the tcpfsm binary), TCPFSM_LABEL_FACTS (tests/label_facts),
# TCPFSM_CAPTURES (a space-separated list of captures to use instead).
set -u

here=$(cd "$(dirname "$0")" && pwd)
test_name=drift
. "$here/common.sh"
plugin_setup
list_captures

tool=${TCPFSM_TOOL:-$root/build/tool/tcpfsm}
facts=${TCPFSM_LABEL_FACTS:-$root/build/tests/label_facts}
for x in "$tool" "$facts"; do
    if [ ! -x "$x" ]; then
        bad "not found: $x (build it, or set TCPFSM_TOOL / TCPFSM_LABEL_FACTS)"
        finish
    fi
done

# compare.awk: facts (FRAME TITLE HEADING FLOW CHECK) against
#   info:  FRAME <TAB> Info column
#   svg:   the ladder's SVG
#   flow:  flow_arrows.awk lines, in frame order
# prints one line per difference
compare='
BEGIN { FS = "\t" }
FILENAME == ARGV[1] { n++; frame[n] = $1; title[$1] = $2; heading[$1] = $3
                      flow[n] = $4; check[$1] = $5; event[$1] = $6; an[$1] = $7
                      known[$1] = 1; next }
FILENAME == ARGV[2] {
    if (!($1 in known)) next
    # the plugin appends " [HEADING; ANOMALIES]" to a step, an RST, an
    # other segment, or a segment with anomalies (README, Info column)
    if (title[$1] == "" && an[$1] == "" && event[$1] != "rst" && event[$1] != "other") next
    want = heading[$1] (an[$1] != "" ? "; " an[$1] : "")
    got = ""
    if (match($2, / \[[^][]*\]$/)) got = substr($2, RSTART + 2, RLENGTH - 3)
    if (got != want)
        printf "frame %s: plugin Info [%s], engine [%s]\n", $1, got, want
    next
}
FILENAME == ARGV[3] {
    if (match($0, /data-frame="[0-9]+"/)) {
        f = substr($0, RSTART + 12, RLENGTH - 13); lstep[f] = ""; lcheck[f] = ""; seen[f] = 1
    }
    if (/<\/g>/) { f = ""; next }
    if (f == "") next
    if (match($0, /<tspan class="step">[^<]*<\/tspan>/))
        lstep[f] = substr($0, RSTART + 20, RLENGTH - 28)
    if (match($0, /<tspan class="(ok|bad)"[^>]*>ack [^<]*<\/tspan>/)) {
        s = substr($0, RSTART, RLENGTH); sub(/^<tspan[^>]*>/, "", s); sub(/<\/tspan>$/, "", s)
        lcheck[f] = s
    }
    next
}
FILENAME == ARGV[4] { m++; drawn[m] = $3; width[m] = $5; next }
END {
    for (i = 1; i <= n; i++) {
        f = frame[i]
        if (!(f in seen)) { printf "frame %s: not in the ladder\n", f; continue }
        if (lstep[f] != title[f])
            printf "frame %s: ladder step [%s], engine [%s]\n", f, lstep[f], title[f]
        if (lcheck[f] != check[f])
            printf "frame %s: ladder check [%s], engine [%s]\n", f, lcheck[f], check[f]
    }
    if (m != n)
        printf "flow: %d arrows for %d segments\n", m, n
    for (i = 1; i <= n && i <= m; i++) {
        want = flow[i]
        if (length(want) > width[i]) want = substr(want, 1, width[i])
        got = drawn[i]
        if (got == "" && want != "") continue # a one-host graph may overwrite it (test_flow.sh)
        if (got != want)
            printf "frame %s: flow arrow [%s], engine [%s]\n", frame[i], got, want
    }
}'

while IFS= read -r cap; do
    name=${cap#"$root/"}
    name=${name#"$(dirname "$root")/"}
    if ! "$facts" "$cap" > "$work/facts" 2>"$work/err"; then
        bad "$name: label_facts fails"; sed 's/^/    /' "$work/err" | head -n 3; continue
    fi
    # the Info column as tshark prints it once the frame is dissected: from
    # 4.2 `-T fields -e _ws.col.Info` is filled before the post-dissectors
    # run, so it never shows what they add (see test_fields.sh)
    "$helper" -n -r "$cap" -o tcpfsm.info_column:TRUE -T tabs \
        -o 'gui.column.format:"No.","%m","Info","%i"' 2>/dev/null |
        awk -F '\t' '{ sub(/^ +/, "", $1); print $1 "\t" $2 }' > "$work/info"
    "$tool" ladder --all --via-tshark --svg "$work/ladder.svg" "$cap" > /dev/null 2>&1
    [ -s "$work/ladder.svg" ] || : > "$work/ladder.svg"
    "$helper" -n -q -r "$cap" -z flow,tcpfsm,standard 2>/dev/null |
        awk -f "$here/flow_arrows.awk" > "$work/flow"
    awk "$compare" "$work/facts" "$work/info" "$work/ladder.svg" "$work/flow" > "$work/diff"
    n=$(grep -c . "$work/facts")
    if [ -s "$work/diff" ]; then
        bad "$name: $(grep -c . "$work/diff") difference(s) in $n segments"
        head -n 12 "$work/diff" | sed 's/^/    /'
    else
        ok "$name: $n segments, Info heading, ladder step and check, flow arrow = the engine's"
    fi
    rm -f "$work/ladder.svg"
done < "$list"
finish
