#!/bin/sh
# test_notree.sh - the plugin costs tshark no protocol tree.
#
# The plugin reads each segment from the TCP dissector's tap (see
# tap_header() in plugin/packet-tcpfsm.c), not from tree fields, so it
# asks tshark for no fields and tshark builds no tree where it builds none
# without the plugin (summary lines: `tshark -r`, the GUI's first pass
# without a filter).  A tree is not only slower: dissectors behave
# differently with one (an SSH packet of zeek/http-to-ssh.pcap is
# "[Malformed Packet]" with a tree and "Server: Encrypted packet" without
# one), so a plugin that makes tshark build trees changes other
# protocols' summary lines.  On every capture in captures/ and, when
# present, ../shared/captures:
#   lines     `tshark -n -r F` with the plugin loaded prints exactly what
#             a tshark without the plugin prints (the plugin adds nothing
#             to summary lines unless tcpfsm.info_column is on);
#   labels    with tcpfsm.info_column on, still no tree: every frame the
#             plugin labels under -T fields has its step in the Info
#             column (checked on captures/close-fourway.pcap: 7 frames);
#   checksum  with TCP's tcp.check_checksum on, the checksum status
#             (which the plugin then computes from the frame's bytes, as
#             TCP does) reaches the engine: the crafted captures' zero
#             checksums are bad, and Zeek's model in the plugin's
#             tcpfsm.conn.history shows it (C...); with it off, the
#             history is `tcpfsm summary`'s.
#
# Exit: 0 all passed, 1 a failure, 77 (skip) when tshark is missing.
# Environment: TSHARK, TCPFSM_PLUGIN (see tshark-with-plugin.sh),
# TCPFSM_TOOL, TCPFSM_CAPTURES.
set -u
here=$(cd "$(dirname "$0")" && pwd)
test_name=notree
. "$here/common.sh"
tool=${TCPFSM_TOOL:-$root/build/tool/tcpfsm}

plugin_setup
list_captures

# tshark without the plugin: the same user, an empty HOME and an empty
# global plugin folder (root ignores personal plugins; the test user
# reads what root copied for it)
bare="$TCPFSM_PLUGIN_HOME/bare" # the test user can reach it ($work is root's)
mkdir -p "$bare/home/.config" "$bare/plugins" "$bare/captures"
[ "$is_root" = yes ] && chown -R "$user" "$bare"
plain_tshark() {
    as_user env -u WIRESHARK_CONFIG_DIR HOME="$bare/home" \
        XDG_CONFIG_HOME="$bare/home/.config" WIRESHARK_PLUGIN_DIR="$bare/plugins" \
        "$tshark" "$@"
}
if plain_tshark -G plugins 2>/dev/null | grep -q '^tcpfsm\.so'; then
    bad "the bare tshark loads no tcpfsm.so"
    finish
fi

n=0
same=0
while IFS= read -r cap; do
    n=$((n + 1))
    name=$(basename "$cap")
    copy="$bare/captures/$n-$name"
    cp "$cap" "$copy" && chmod a+r "$copy"
    plain_tshark -n -r "$copy" > "$work/plain.txt" 2> "$work/plain.err"
    "$helper" -n -r "$copy" > "$work/plugin.txt" 2> "$work/plugin.err"
    if [ ! -s "$work/plain.txt" ]; then
        bad "lines: $name: tshark without the plugin prints nothing"
        head -n 3 "$work/plain.err" | sed 's/^/    /'
    elif cmp -s "$work/plain.txt" "$work/plugin.txt"; then
        same=$((same + 1))
    else
        bad "lines: $name: tshark -r prints other lines with the plugin loaded"
        diff "$work/plain.txt" "$work/plugin.txt" | head -n 6 | sed 's/^/    /'
    fi
done < "$work/captures"
[ "$same" -eq "$n" ] && ok "lines: tshark -r with the plugin prints what tshark without it prints ($n captures)"

# labels without a tree
cap="$root/captures/close-fourway.pcap"
"$helper" -n -r "$cap" -o tcpfsm.info_column:TRUE > "$work/info.txt" 2>&1
"$helper" -n -r "$cap" -T fields -e frame.number -e tcpfsm.step -e tcpfsm.event \
    > "$work/steps.txt" 2>&1
want=$(awk -F'\t' '$2 != "" { n++ } END { print n + 0 }' "$work/steps.txt")
got=$(grep -c ' \[\(Handshake\|Teardown\) [0-9]/[0-9]: ' "$work/info.txt")
if [ "$want" -eq 7 ] && [ "$got" -eq "$want" ]; then
    ok "labels: tshark -r -o tcpfsm.info_column:TRUE shows the $want steps of close-fourway.pcap"
else
    bad "labels: $got steps in the Info column, $want labelled steps (7 expected)"
    head -n 10 "$work/info.txt" | sed 's/^/    /'
fi

# TCP checks checksums: the status reaches the engine.  The crafted
# captures carry zero checksums, bad ones: Zeek's model then drops every
# segment with a C (c) letter, which the plugin's history shows only when
# tcp.check_checksum is on; with it off, the history is the tool's.
cap="$root/captures/close-fourway.pcap"
if [ ! -x "$tool" ]; then
    bad "checksum: the tool is built: $tool"
else
    hist() { "$helper" -n -r "$cap" "$@" -T fields -e tcpfsm.conn.history 2>/dev/null | tail -n 1; }
    on=$(hist -o tcp.check_checksum:TRUE)
    off=$(hist)
    tool_hist=$(TCPFSM_TSHARK=$(command -v "$tshark") "$tool" summary "$cap" 2>/dev/null |
        awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "history") h = i; next } { print $h }')
    case "$on" in
    C*) ok "checksum: with tcp.check_checksum on, the bad checksums reach the engine (history $on)" ;;
    *) bad "checksum: with tcp.check_checksum on, history '$on' (expected C...: bad checksums)" ;;
    esac
    if [ -n "$off" ] && [ "$off" = "$tool_hist" ]; then
        ok "checksum: off, the history is the tool's ($off)"
    else
        bad "checksum: off, history '$off', the tool's '$tool_hist'"
    fi
fi
finish
