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
# the tree speaks the reader's language too
sh "$here/tshark-with-plugin.sh" -n -r "$root/captures/close-merged.pcap" -o tcpfsm.lang:zh \
    -V -Y 'frame.number == 9' >"$tmp/tree" 2>/dev/null
for want in "TCP State Machine, 第二、三次挥手合并 (服务器 → 客户端)" \
            "客户端：FIN_WAIT_1（终止等待1） → TIME_WAIT（时间等待）（接收方）" \
            "服务器：CLOSE_WAIT（关闭等待） → LAST_ACK（最后确认）（发送方）"; do
    if grep -qF "$want" "$tmp/tree"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL zh tree lacks: $want"; fi
done
sh "$here/tshark-with-plugin.sh" -n -r "$root/captures/close-merged.pcap" \
    -V -Y 'frame.number == 9' >"$tmp/tree" 2>/dev/null
for want in "TCP State Machine, Teardown 2/3: second FIN (server → client)" \
            "client: FIN_WAIT_1 → TIME_WAIT (receiver)"; do
    if grep -qF "$want" "$tmp/tree"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL en tree lacks: $want"; fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
