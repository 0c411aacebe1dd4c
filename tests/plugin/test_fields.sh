#!/bin/sh
# test_fields.sh - the tcpfsm plugin's fields exist and its filters work.
#
# On every capture in captures/ and, when present, ../shared/captures
# (relative to the repository root):
#   1. every TCP segment (a frame with tcp.srcport and tcp.len) carries
#      tcpfsm.event, in one pass and with -2;
#   2. display filters select exactly the expected frames (the flag
#      cross-check on every capture, each other filter on the first
#      $TCPFSM_FILTER_QUOTA (default 3) captures where it selects frames):
#      - tcpfsm.event == "syn" / "syn-ack" / "rst" select the frames whose
#        TCP flags (tcp.flags, as Wireshark decoded them) make that
#        segment: SYN without ACK/RST/FIN; SYN+ACK without RST/FIN; RST
#        without SYN; fin1 || fin2 selects FIN segments only;
#      - tcpfsm.ack_ok == 0, tcpfsm.ack_ok == 1, tcpfsm.anomaly == "...",
#        tcpfsm.src_state == "TIME_WAIT", tcpfsm.step == "2/3", "2+3/4",
#        tcpfsm.ref_frame, tcpfsm.conn.handshake == "complete" (-2), and
#        the expert fields tcpfsm.expert.ack_mismatch / midstream select
#        the frames whose exported fields say so;
#   3. tshark -V shows the tree, and -o tcpfsm.info_column:TRUE the step in
#      the Info column (on the first capture with a SYN).
#
# Prints a diff for each failed check and a last line "N passed, M failed".
# Exit: 0 all passed, 1 a failure, 77 (skip) when tshark is missing.
#
# Environment: TSHARK, TCPFSM_PLUGIN (see tshark-with-plugin.sh),
# TCPFSM_CAPTURES (a space-separated list of captures to use instead).
# shellcheck disable=SC2016,SC2181 # awk programs in single quotes; $? after a pipeline
set -u

here=$(cd "$(dirname "$0")" && pwd)
test_name=fields
. "$here/common.sh"
plugin_setup

# ---- the captures ----
list_captures

ts() { "$helper" -n "$@"; }

# frames matching a display filter, one number a line
frames_of() { # capture filter [extra tshark options]
    cap=$1 flt=$2
    shift 2
    ts -r "$cap" "$@" -Y "$flt" -T fields -e frame.number 2>"$work/err"
}

# compare two frame lists; name; expected file; got file
same_frames() {
    if cmp -s "$2" "$3"; then
        ok "$1 ($(wc -l < "$2" | tr -d ' ') frames)"
    else
        bad "$1"
        echo "    frames expected (-) and selected by the filter (+):"
        diff "$2" "$3" | sed -n 's/^\([<>]\) /    \1 /p' | sed 's/</-/; s/>/+/' | head -n 20
        [ -s "$work/err" ] && sed 's/^/    tshark: /' "$work/err" | head -n 5
    fi
}

# awk: decode "0x0012" (the first occurrence: the segment's TCP header,
# before any inside its payload) into a number
awk_hex='function hex(s,   i, c, v) { sub(/,.*/, "", s); sub(/^0[xX]/, "", s); v = 0;
    for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", tolower(substr(s, i, 1))) - 1;
        if (c < 0) return -1; v = v * 16 + c } return v }
    function band(a, b,   r, bit) { r = 0; bit = 1;
    while (a > 0 && b > 0) { if (a % 2 == 1 && b % 2 == 1) r += bit; a = int(a / 2); b = int(b / 2); bit *= 2 }
    return r }
    function has(list, tok,   n, i, a) { n = split(list, a, ","); for (i = 1; i <= n; i++) if (a[i] == tok) return 1; return 0 }'

info_done=no
quota=${TCPFSM_FILTER_QUOTA:-3}
: > "$work/quota"
while IFS= read -r cap; do
    name=${cap#"$root/"}
    if [ ! -r "$cap" ]; then
        bad "$name: cannot read the capture"
        continue
    fi
    exp="$work/export.tsv"
    ts -r "$cap" -T fields -E separator=/t -E occurrence=a -E aggregator=, -E quote=n \
        -e frame.number -e tcp.srcport -e tcp.len -e tcp.flags -e tcpfsm.event \
        -e tcpfsm.ack_ok -e tcpfsm.anomaly -e tcpfsm.src_state -e tcpfsm.step \
        -e tcpfsm.ref_frame > "$exp" 2>"$work/err"
    if [ $? -ne 0 ] || [ ! -s "$exp" ]; then
        bad "$name: tshark export"
        sed 's/^/    tshark: /' "$work/err" | head -n 5
        continue
    fi
    exp2="$work/export2.tsv"
    ts -r "$cap" -2 -T fields -E separator=/t -E occurrence=a -E aggregator=, -E quote=n \
        -e frame.number -e tcp.srcport -e tcp.len -e tcpfsm.event \
        -e tcpfsm.conn.handshake > "$exp2" 2>"$work/err"

    # 1. every TCP segment is labelled
    for pass_name in single-pass two-pass; do
        if [ $pass_name = single-pass ]; then f=$exp ev=5; else f=$exp2 ev=4; fi
        awk -F'\t' -v ev=$ev '$2 != "" && $3 != "" && $ev == "" { print $1 }' "$f" > "$work/unlabelled"
        nseg=$(awk -F'\t' '$2 != "" && $3 != ""' "$f" | wc -l | tr -d ' ')
        if [ ! -s "$work/unlabelled" ]; then
            ok "$name: every TCP segment carries tcpfsm.event ($pass_name, $nseg segments)"
        else
            bad "$name: TCP segments without tcpfsm.event ($pass_name): frames $(head -n 10 "$work/unlabelled" | tr '\n' ' ')"
        fi
    done

    # 2. filters.  The flag cross-check runs on every capture; each other
    # filter on the first $quota captures where it should select frames
    # (it is the plugin's plumbing under test there, not the capture).
    check() { # label filter awk-condition [file [tshark options]]
        lbl=$1 flt=$2 cond=$3 src=${4:-$exp}
        shift 3
        [ $# -gt 0 ] && shift
        [ "$(grep -c -x -F "$lbl" "$work/quota")" -ge "$quota" ] && return 0
        awk -F'\t' "$awk_hex"' { if ('"$cond"') print $1 }' "$src" > "$work/expected"
        [ -s "$work/expected" ] || return 0
        echo "$lbl" >> "$work/quota"
        frames_of "$cap" "$flt" "$@" > "$work/got"
        same_frames "$name: $lbl" "$work/expected" "$work/got"
    }
    # columns: 1 frame 2 srcport 3 len 4 flags 5 event 6 ack_ok 7 anomaly
    #          8 src_state 9 step 10 ref_frame
    # syn / syn-ack / rst: one filter, each selected frame with its event
    awk -F'\t' "$awk_hex"' $5 != "" { f = band(hex($4), 23)
            if (f == 2) print $1 "\tsyn"; else if (f == 18) print $1 "\tsyn-ack"
            else if (band(f, 6) == 4) print $1 "\trst" }' "$exp" > "$work/expected"
    ts -r "$cap" -Y 'tcpfsm.event == "syn" || tcpfsm.event == "syn-ack" || tcpfsm.event == "rst"' \
        -T fields -e frame.number -e tcpfsm.event > "$work/got" 2>"$work/err"
    same_frames "$name: tcpfsm.event == syn / syn-ack / rst = SYN w/o ACK,RST,FIN / SYN+ACK w/o RST,FIN / RST w/o SYN" \
        "$work/expected" "$work/got"
    check 'tcpfsm.event == "fin1" || tcpfsm.event == "fin2"' \
        'tcpfsm.event == "fin1" || tcpfsm.event == "fin2"' '$5 == "fin1" || $5 == "fin2"'
    # a fin1/fin2 segment carries FIN (not every FIN is one: a retransmitted
    # FIN that acknowledges the other FIN is fin1-ack/fin2-ack)
    awk -F'\t' "$awk_hex"' ($5 == "fin1" || $5 == "fin2") && band(hex($4), 1) != 1 { print $1 }' \
        "$exp" > "$work/nofin"
    if [ -s "$work/nofin" ]; then
        bad "$name: fin1/fin2 segments without the FIN flag: frames $(head -n 10 "$work/nofin" | tr '\n' ' ')"
    else
        ok "$name: every fin1/fin2 segment has the FIN flag"
    fi
    check 'tcpfsm.ack_ok == 0' 'tcpfsm.ack_ok == 0' '$6 == "0"'
    check 'tcpfsm.ack_ok == 1' 'tcpfsm.ack_ok == 1' '$6 == "1"'
    for a in retransmission simultaneous-close midstream unexpected reordered; do
        check "tcpfsm.anomaly == \"$a\"" "tcpfsm.anomaly == \"$a\"" "has(\$7, \"$a\")"
    done
    check 'tcpfsm.src_state == "TIME_WAIT"' 'tcpfsm.src_state == "TIME_WAIT"' '$8 == "TIME_WAIT"'
    check 'tcpfsm.step == "2/3"' 'tcpfsm.step == "2/3"' '$9 == "2/3"'
    check 'tcpfsm.step == "2+3/4"' 'tcpfsm.step == "2+3/4"' '$9 == "2+3/4"'
    check 'tcpfsm.ref_frame' 'tcpfsm.ref_frame' '$10 != ""'
    check 'tcpfsm.expert.ack_mismatch' 'tcpfsm.expert.ack_mismatch' \
        '$6 == "0" || has($7, "ack-mismatch")'
    check 'tcpfsm.expert.midstream' 'tcpfsm.expert.midstream' 'has($7, "midstream")'
    check 'tcpfsm.conn.handshake == "complete" (-2)' 'tcpfsm.conn.handshake == "complete"' \
        '$5 == "complete"' "$exp2" -2

    # 3. tree and Info column, once
    # (on the first plain SYN: no anomaly, the client goes to SYN_SENT)
    syn=$(awk -F'\t' '$5 == "syn" && $7 == "" && $8 == "SYN_SENT" { print $1; exit }' "$exp")
    if [ $info_done = no ] && [ -n "$syn" ]; then
        info_done=yes
        ts -r "$cap" -V -O tcpfsm -Y "frame.number == $syn" > "$work/tree" 2>&1
        if grep -q '^TCP State Machine, Handshake 1/3: SYN (client → server)' "$work/tree" &&
            grep -q 'client: CLOSED → SYN_SENT (sender)' "$work/tree" &&
            grep -q 'server: LISTEN → SYN_RECEIVED (receiver)' "$work/tree"; then
            ok "$name: tshark -V shows the tree (frame $syn)"
        else
            bad "$name: tshark -V shows the tree (frame $syn)"
            sed 's/^/    /' "$work/tree" | head -n 40
        fi
        # the Info column as tshark prints it once the frame is dissected
        # (from 4.2 `-T fields -e _ws.col.Info` is filled before the
        # post-dissectors run, so it never shows what they add)
        ts -r "$cap" -o tcpfsm.info_column:TRUE -o 'gui.column.format:"Info","%i"' \
            -Y "frame.number == $syn" > "$work/info" 2>&1
        ts -r "$cap" -o 'gui.column.format:"Info","%i"' -Y "frame.number == $syn" \
            > "$work/info0" 2>&1
        if grep -q '\[Handshake 1/3: SYN[];]' "$work/info" && ! grep -q 'Handshake' "$work/info0"; then
            ok "$name: -o tcpfsm.info_column:TRUE adds the step to Info (off by default)"
        else
            bad "$name: -o tcpfsm.info_column:TRUE adds the step to Info (off by default)"
            echo "    with: $(cat "$work/info")"
            echo "    without: $(cat "$work/info0")"
        fi
    fi
done < "$list"

finish
