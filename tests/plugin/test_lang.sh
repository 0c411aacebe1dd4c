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
# the tree speaks the reader's language too: its heading, moves, item
# titles and connection line (the field names and values stay)
sh "$here/tshark-with-plugin.sh" -n -r "$root/captures/close-merged.pcap" -o tcpfsm.lang:zh \
    -2 -V -Y 'frame.number == 9' >"$tmp/tree" 2>/dev/null
for want in "TCP 状态机：第二、三次挥手合并（服务器 → 客户端）" \
            "客户端：FIN_WAIT_1（终止等待1） → TIME_WAIT（时间等待）（接收方）" \
            "服务器：CLOSE_WAIT（关闭等待） → LAST_ACK（最后确认）（发送方）" \
            "[事件：fin2]" "[阶段：teardown]" "[步骤：2+3/4（第二、三次挥手合并）]" "[关闭方式：fin3]" "[发送方角色：server]" \
            "[确认号检查：正确（ack 7 = FIN seq 6 + 1 ✓）]" "[相关帧：8]" \
            "[客户端状态：TIME_WAIT]" "[服务器状态：LAST_ACK]" \
            "连接：握手 complete，关闭方式 fin3（客户端主动关闭），客户端 TIME_WAIT（时间等待），服务器 CLOSED（关闭）" \
            "[流索引：0]" "[持续时间：0.050653 秒]" "[主动关闭方：client]"; do
    if grep -qF "$want" "$tmp/tree"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL zh tree lacks: $want"; fi
done
sh "$here/tshark-with-plugin.sh" -n -r "$root/captures/close-merged.pcap" \
    -V -Y 'frame.number == 9' >"$tmp/tree" 2>/dev/null
for want in "TCP State Machine, Teardown 2+3/4: second FIN (server → client)" "[Step: 2+3/4 (Teardown 2+3/4: second FIN)]" \
            "client: FIN_WAIT_1 → TIME_WAIT (receiver)" "[Event: fin2]" "[Client state: TIME_WAIT]" \
            "Connection (so far): handshake complete, close fin3 by client, client TIME_WAIT, server LAST_ACK"; do
    if grep -qF "$want" "$tmp/tree"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL en tree lacks: $want"; fi
done
# in either language no tree item is cut short ("[truncated]", Wireshark's
# 240-byte limit), on any bundled capture: a long label shows as its
# clauses, and the field keeps the whole sentence (checked above)
for lang in en zh; do
    n=0
    for cap in "$root"/captures/*.pcap; do
        sh "$here/tshark-with-plugin.sh" -n -r "$cap" -o "tcpfsm.lang:$lang" -2 -V -O tcpfsm \
            >"$tmp/v" 2>/dev/null
        if grep -q 'truncated\]' "$tmp/v"; then
            fail=$((fail + 1))
            echo "FAIL $(basename "$cap") lang=$lang: $(grep -m1 'truncated\]' "$tmp/v" | head -c 200)"
        else
            n=$((n + 1))
        fi
    done
    pass=$((pass + 1))
    echo "ok   lang=$lang: no [truncated] tree item in the $n captures"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
