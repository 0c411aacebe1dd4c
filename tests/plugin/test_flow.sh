#!/bin/sh
# test_flow.sh - the plugin's "tcpfsm" flow of Wireshark's Flow Graph, as
# tshark prints it: tshark -q -z flow,tcpfsm,standard -r CAPTURE.
#
# On every capture in captures/ and, when present, ../shared/captures:
#   1. one arrow per labelled TCP segment (a frame with tcpfsm.event), in
#      frame order, from the segment's source port to its destination port;
#   2. each arrow's text is the engine's for that segment
#      (tcpfsm_flow_text(): "SYN Handshake 1/3", "FIN-ACK Teardown 2+3/4",
#      "RST Reset", "RST Refused", "Data", "ACK", ...); tshark's text
#      drawing cuts it to the arrow's width (20 characters between
#      neighbouring hosts: "SYN-ACK Handshake 2/"), the GUI shows it all;
#   3. each arrow's comment is both endpoints' states after the segment,
#      client first ("client TIME_WAIT, server LAST_ACK"), then its
#      relative Seq and Ack as Wireshark's TCP flow words them ("Seq = 6
#      Ack = 7"), then, when a state changed, the moves ("client
#      FIN_WAIT_1 → TIME_WAIT, server CLOSE_WAIT → LAST_ACK"; a state that
#      does not change is named once), then the frame's tcpfsm.anomaly
#      tokens in brackets: all from the frame's own tcpfsm fields;
#   4. on captures/close-merged.pcap, the graph has two nodes (lifelines),
#      127.0.0.1:47103 and 127.0.0.1:47003, and exactly the ten arrows
#      written below (the worked example of the README);
#   5. -z flow,tcpfsm,network gives as many arrows.
#
# Nodes are address:port, so a loopback capture has two; should a graph
# still have a single node, tshark's text drawing logs GLib-CRITICAL
# "g_string_erase" messages (its own drawing code): they are counted.
#
# Prints a diff for each failed check and a last line "N passed, M failed".
# Exit: 0 all passed, 1 a failure, 77 (skip) when tshark is missing.
#
# Environment: TSHARK, TCPFSM_PLUGIN (see tshark-with-plugin.sh),
# TCPFSM_CAPTURES (a space-separated list of captures to use instead).
# shellcheck disable=SC2016 # awk programs in single quotes
set -u

here=$(cd "$(dirname "$0")" && pwd)
test_name=flow
. "$here/common.sh"
plugin_setup

if ! "$helper" -z help 2>&1 | grep -qx '[[:space:]]*flow,tcpfsm'; then
    bad "tshark -z help lists flow,tcpfsm"
else
    ok "tshark -z help lists flow,tcpfsm (the flow is registered)"
fi

list_captures

# the engine's words for every segment (tests/label_facts.c)
facts=${TCPFSM_LABEL_FACTS:-$root/build/tests/label_facts}
if [ ! -x "$facts" ]; then
    bad "label_facts not found: $facts (build it, or set TCPFSM_LABEL_FACTS)"
    finish
fi

# The expected arrows: the label is the engine's (tcpfsm_flow_text(), as
# tests/label_facts prints it: FRAME TITLE HEADING FLOW CHECK), the ports
# and the comment from the exported fields: one line per labelled frame,
# "SRCPORT<TAB>DSTPORT<TAB>LABEL<TAB>COMMENT".
expect_awk='
function move(who, before, after) {
    return who " " before (after != before ? " \342\206\222 " after : "")
}
function seqack(seq, ack) { return "Seq = " seq (ack != "" ? " Ack = " ack : "") }
BEGIN { FS = "\t"; OFS = "\t" }
NR == FNR { flow[$1] = $4; next }
# frame event step close role src_prev src_state dst_prev dst_state anomaly
# sport dport seq_rel ack_rel
$2 != "" {
    lab = ($1 in flow) ? flow[$1] : "(no engine label)"
    if ($5 == "client") { cb = $6; ca = $7; sb = $8; sa = $9 }
    else { cb = $8; ca = $9; sb = $6; sa = $7 }
    c = "client " ca ", server " sa " \302\267 " seqack($13, $14)
    if (ca != cb || sa != sb)
        c = c " \302\267 " move("client", cb, ca) ", " move("server", sb, sa)
    if ($10 != "") c = c " [" $10 "]"
    # the segment is the first TCP header of the frame: a TCP payload that
    # carries an IP packet (crafted-ip-in-tcp) adds the inner ports after it
    sp = $11; sub(/,.*/, "", sp); dp = $12; sub(/,.*/, "", dp)
    print sp, dp, lab, c
}'

# The arrows tshark drew: "SRCPORT<TAB>DSTPORT<TAB>LABEL<TAB>COMMENT<TAB>WIDTH"
parse_awk=$(cat "$here/flow_arrows.awk")

crit_total=0
while IFS= read -r cap; do
    name=${cap#"$root/"}
    name=${name#"$(dirname "$root")/"}
    "$helper" -n -r "$cap" -Y tcpfsm.event -T fields -E separator=/t -E occurrence=a \
        -e frame.number -e tcpfsm.event -e tcpfsm.step -e tcpfsm.close -e tcpfsm.role \
        -e tcpfsm.src_prev -e tcpfsm.src_state -e tcpfsm.dst_prev -e tcpfsm.dst_state \
        -e tcpfsm.anomaly -e tcp.srcport -e tcp.dstport -e tcpfsm.seq_rel -e tcpfsm.ack_rel \
        > "$work/fields" 2>"$work/err1"
    "$facts" "$cap" > "$work/facts" 2>"$work/err0" || { bad "$name: label_facts fails"; sed 's/^/    /' "$work/err0" | head -n 3; continue; }
    awk "$expect_awk" "$work/facts" "$work/fields" > "$work/expect"
    if ! "$helper" -n -q -r "$cap" -z flow,tcpfsm,standard > "$work/flow" 2>"$work/err2"; then
        bad "$name: tshark -z flow,tcpfsm,standard fails"
        sed 's/^/    /' "$work/err2" | head -n 5
        continue
    fi
    crit=$(grep -c 'CRITICAL.*g_string_erase' "$work/err2")
    crit_total=$((crit_total + crit))
    other=$(grep -v 'CRITICAL.*g_string_erase' "$work/err2" | grep -c .)
    awk "$parse_awk" "$work/flow" > "$work/drawn"
    nf=$(grep -c . "$work/expect")
    na=$(grep -c . "$work/drawn")
    if [ "$nf" -eq 0 ]; then
        if [ "$na" -eq 0 ]; then ok "$name: no labelled segment, no arrow"; else bad "$name: $na arrows without labelled segments"; fi
        continue
    fi
    # compare: the label cut to the arrow's width, the comment whole
    awk -F'\t' 'BEGIN { OFS = "\t" }
        NR == FNR { want[FNR] = $0; next }
        { split(want[FNR], e, "\t"); w = $5
          lab = length(e[3]) > w ? substr(e[3], 1, w) : e[3]
          # a single-host graph: a label of 11 characters or more
          # overwrites the bar before the comment (tshark draws it so)
          if ($3 == "") { c = $4; sub(/^ +/, "", c)
              if (index(c, lab) == 1) { $3 = lab; $4 = substr(c, length(lab) + 1) } }
          print e[1], e[2], lab, e[4] > "/dev/stderr"
          print $1, $2, $3, $4 }' "$work/expect" "$work/drawn" \
        > "$work/got" 2> "$work/want"
    if [ "$na" -ne "$nf" ]; then
        bad "$name: $na arrows for $nf labelled segments"
        diff "$work/expect" "$work/drawn" | head -n 10 | sed 's/^/    /'
    elif cmp -s "$work/want" "$work/got"; then
        cut=$(awk -F'\t' 'NR == FNR { w[FNR] = $5; next } length($3) > w[FNR] { n++ } END { print n + 0 }' \
            "$work/drawn" "$work/expect")
        ok "$name: $na arrows, each with its step and both states ($cut label(s) wider than the arrow, cut by tshark)"
    else
        bad "$name: arrows differ from the frames' tcpfsm fields (- expected, + drawn)"
        diff "$work/want" "$work/got" | sed -n 's/^\([<>]\) /\1 /p' | sed 's/^</    -/; s/^>/    +/' | head -n 20
    fi
    [ "$other" -gt 0 ] && { echo "    tshark said:"; grep -v 'CRITICAL.*g_string_erase' "$work/err2" | head -n 3 | sed 's/^/    /'; }
done < "$list"

# ---- the README's example, written out ----
cm="$root/captures/close-merged.pcap"
if [ -r "$cm" ]; then
    "$helper" -n -q -r "$cm" -z flow,tcpfsm,standard 2>/dev/null | awk "$parse_awk" | cut -f1-4 > "$work/cm.got"
    cat > "$work/cm.want" <<'EOF'
47103	47003	SYN Handshake 1/3	client SYN_SENT, server SYN_RECEIVED · Seq = 0 · client CLOSED → SYN_SENT, server LISTEN → SYN_RECEIVED
47003	47103	SYN-ACK Handshake 2/	client ESTABLISHED, server SYN_RECEIVED · Seq = 0 Ack = 1 · client SYN_SENT → ESTABLISHED, server SYN_RECEIVED
47103	47003	ACK Handshake 3/3	client ESTABLISHED, server ESTABLISHED · Seq = 1 Ack = 1 · client ESTABLISHED, server SYN_RECEIVED → ESTABLISHED
47103	47003	Data	client ESTABLISHED, server ESTABLISHED · Seq = 1 Ack = 1
47003	47103	ACK	client ESTABLISHED, server ESTABLISHED · Seq = 1 Ack = 6
47003	47103	Data	client ESTABLISHED, server ESTABLISHED · Seq = 1 Ack = 6
47103	47003	ACK	client ESTABLISHED, server ESTABLISHED · Seq = 6 Ack = 6
47103	47003	FIN Teardown 1/4	client FIN_WAIT_1, server CLOSE_WAIT · Seq = 6 Ack = 6 · client ESTABLISHED → FIN_WAIT_1, server ESTABLISHED → CLOSE_WAIT
47003	47103	FIN-ACK Teardown 2+3	client TIME_WAIT, server LAST_ACK · Seq = 6 Ack = 7 · client FIN_WAIT_1 → TIME_WAIT, server CLOSE_WAIT → LAST_ACK
47103	47003	ACK Teardown 4/4	client TIME_WAIT, server CLOSED · Seq = 7 Ack = 7 · client TIME_WAIT, server LAST_ACK → CLOSED
EOF
    # the nodes: the header lines above the first arrow name them
    "$helper" -n -q -r "$cm" -z flow,tcpfsm,standard 2>/dev/null |
        awk '/^\|[0-9]+\.[0-9]+ / { exit } { print }' |
        grep -o '[0-9][0-9.]*:[0-9][0-9]*' > "$work/cm.nodes"
    nodes=$(tr '\n' ' ' < "$work/cm.nodes")
    if [ "$nodes" = "127.0.0.1:47103 127.0.0.1:47003 " ]; then
        ok "close-merged.pcap: two nodes, 127.0.0.1:47103 and 127.0.0.1:47003"
    else
        bad "close-merged.pcap: the nodes are '$nodes', not 127.0.0.1:47103 and 127.0.0.1:47003"
    fi
    if cmp -s "$work/cm.want" "$work/cm.got"; then
        ok "close-merged.pcap: the 10 arrows of the README, word for word"
    else
        bad "close-merged.pcap: the arrows differ from the README's (- expected, + drawn)"
        diff "$work/cm.want" "$work/cm.got" | sed -n 's/^</    -/p; s/^>/    +/p'
    fi
    n1=$("$helper" -n -q -r "$cm" -z flow,tcpfsm,network 2>/dev/null | awk "$parse_awk" | grep -c .)
    if [ "$n1" -eq 10 ]; then
        ok "close-merged.pcap: -z flow,tcpfsm,network draws the same 10 arrows"
    else
        bad "close-merged.pcap: -z flow,tcpfsm,network draws $n1 arrows, not 10"
    fi
fi

[ "$crit_total" -gt 0 ] &&
    echo "note: tshark's text drawing logged $crit_total GLib-CRITICAL g_string_erase messages (a graph with a single node)"
finish
