#!/bin/sh
# test_lang.sh - the plugin's "Label language" preference: with
# -o tcpfsm.lang:zh every tcpfsm.label equals `tcpfsm annotate --lang zh`,
# and by default it equals the English one, on every bundled capture.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
TOOL=${TCPFSM_TOOL:-$root/build/tool/tcpfsm}
command -v "${TSHARK:-tshark}" >/dev/null 2>&1 || { echo "tshark not installed: skipped"; exit 77; }
home=$(sh "$here/tshark-with-plugin.sh" --prepare) || exit 2
export TCPFSM_PLUGIN_HOME="$home"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$home"' EXIT
pass=0 fail=0
for cap in "$root"/captures/*.pcap; do
    for lang in en zh; do
        sh "$here/tshark-with-plugin.sh" -n -r "$cap" -o "tcpfsm.lang:$lang" \
            -Y tcpfsm.event -T fields -e frame.number -e tcpfsm.label >"$tmp/plugin" 2>/dev/null
        "$TOOL" annotate --lang "$lang" "$cap" 2>/dev/null |
            awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "label") c = i; next }
                        $c != "" { print $1 "\t" $c }' >"$tmp/tool"
        if [ -s "$tmp/tool" ] && cmp -s "$tmp/plugin" "$tmp/tool"; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
            echo "FAIL $(basename "$cap") lang=$lang: plugin labels differ from tcpfsm annotate --lang $lang"
            diff "$tmp/tool" "$tmp/plugin" | head -5
        fi
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
