#!/bin/sh
# test_noflow.sh - the plugin built as on a Wireshark branch without a
# verified layout of epan/sequence_analysis.h (4.2): tcpfsm-flow.c compiled
# with TCPFSM_FLOW_NO_LAYOUT.  It must load, label every segment of
# captures/close-merged.pcap as the full plugin does, offer no
# "flow,tcpfsm" (-z help), and refuse -z flow,tcpfsm,standard the way
# tshark refuses an unknown flow, without crashing.
#
# Environment: TCPFSM_PLUGIN (the no-flow build), TSHARK.
set -u

here=$(cd "$(dirname "$0")" && pwd)
test_name=noflow
. "$here/common.sh"
plugin_setup

cm="$root/captures/close-merged.pcap"
n=$("$helper" -n -r "$cm" -Y tcpfsm.event -T fields -e tcpfsm.event 2>/dev/null | grep -c .)
if [ "$n" -eq 10 ]; then
    ok "close-merged.pcap: the 10 TCP segments carry tcpfsm.event"
else
    bad "close-merged.pcap: $n segments carry tcpfsm.event, not 10"
fi
if "$helper" -z help 2>&1 | grep -qx '[[:space:]]*flow,tcpfsm'; then
    bad "tshark -z help lists flow,tcpfsm (the no-layout build must not register it)"
else
    ok "tshark -z help does not list flow,tcpfsm"
fi
"$helper" -n -q -r "$cm" -z flow,tcpfsm,standard > "$work/out" 2>&1
rc=$?
if [ "$rc" -gt 128 ]; then
    bad "-z flow,tcpfsm,standard: tshark ended on signal $((rc - 128))"
elif [ "$rc" -ne 0 ]; then
    ok "-z flow,tcpfsm,standard is refused (exit $rc), no crash"
else
    bad "-z flow,tcpfsm,standard succeeded without the flow: $(head -n 2 "$work/out" | tr '\n' ' ')"
fi
finish
