#!/usr/bin/env bash
# export.sh [TCPFSM] - write NAME.tsv next to every NAME.pcap in this
# folder: the tshark field export that tcpfsm's golden tests read, made
# with exactly the command `tcpfsm fields` prints.  Rerun it after
# make_captures.py or craft_captures.py, then `tests/golden.sh ... --update`
# and review the diff.
set -euo pipefail
cd "$(dirname "$0")"
TCPFSM=${1:-../build/tool/tcpfsm}
shopt -s nullglob
for pcap in *.pcap; do
    name=${pcap%.pcap}
    read -r -a argv <<<"$("$TCPFSM" fields "$pcap")"
    "${argv[@]}" >"$name.tsv" 2>/dev/null
    echo "$name.tsv: $(($(wc -l <"$name.tsv") - 1)) rows"
done
