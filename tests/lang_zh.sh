#!/usr/bin/env bash
# lang_zh.sh TCPFSM CAPTURES_DIR - `--lang`: the label sentence in the
# reader's language, everything else unchanged.
#   - annotate --lang zh: the Chinese step names on the expected segments of
#     close-merged (merged close) and close-fourway (four-way close), the
#     state glosses beside the RFC names;
#   - on every capture: each column but `label` is byte for byte the same
#     in Chinese and in English; every Chinese label is valid UTF-8;
#   - English unchanged: plain annotate, --lang en and the golden file
#     NAME.annotated.tsv are the same bytes; summary ignores --lang;
#   - ladder --lang zh names the steps in Chinese; an unknown language is
#     a usage error (64).
set -u
TCPFSM=${1:?usage: lang_zh.sh TCPFSM CAPTURES_DIR}
DIR=${2:?usage: lang_zh.sh TCPFSM CAPTURES_DIR}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# label_of FILE FRAME: the label column of that frame
label_of() {
    awk -F'\t' -v f="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "label") c = i; next }
                          $1 == f { print $c }' "$1"
}

# expect_step NAME FRAME PREFIX
expect_step() {
    local got
    got=$(label_of "$tmp/$1.zh" "$2")
    case "$got" in
    "$3："*) ok ;;
    *) bad "$1 frame $2: want \"$3：...\", got \"$got\"" ;;
    esac
}

for name in close-merged close-fourway; do
    "$TCPFSM" annotate --lang zh "$DIR/$name.tsv" >"$tmp/$name.zh" 2>"$tmp/err" && ok ||
        bad "$name: annotate --lang zh failed: $(cat "$tmp/err")"
done
expect_step close-merged 1 第一次握手
expect_step close-merged 2 第二次握手
expect_step close-merged 3 第三次握手
expect_step close-merged 8 第一次挥手
expect_step close-merged 9 第二、三次挥手合并
expect_step close-merged 10 第四次挥手
expect_step close-fourway 1 第一次握手
expect_step close-fourway 2 第二次握手
expect_step close-fourway 3 第三次握手
expect_step close-fourway 8 第一次挥手
expect_step close-fourway 9 第二次挥手
expect_step close-fourway 10 第三次挥手
expect_step close-fourway 11 第四次挥手
# data and ACKs carry no step name
for f in 4 5 6 7; do
    case "$(label_of "$tmp/close-fourway.zh" $f)" in
    第*) bad "close-fourway frame $f: a step name on a data/ACK segment" ;;
    *) ok ;;
    esac
done
# the glosses beside the RFC names, and the merged close's moves
grep -qF '客户端 CLOSED（关闭） → SYN_SENT（同步已发送），服务器 LISTEN（监听） → SYN_RECEIVED（同步已接收）' \
    "$tmp/close-fourway.zh" && ok || bad "handshake 1/3 moves with glosses"
label_of "$tmp/close-merged.zh" 9 | grep -qF '客户端 FIN_WAIT_1（终止等待1） → TIME_WAIT（时间等待），服务器 CLOSE_WAIT（关闭等待） → LAST_ACK（最后确认）' &&
    ok || bad "merged close: moves with glosses: $(label_of "$tmp/close-merged.zh" 9)"
label_of "$tmp/close-fourway.zh" 9 | grep -qF 'FIN_WAIT_1（终止等待1） → FIN_WAIT_2（终止等待2）' &&
    ok || bad "four-way close 2/4: FIN_WAIT_2 gloss"

shopt -s nullglob
for f in "$DIR"/*.tsv; do
    case "$f" in *.annotated.tsv|*.summary.tsv) continue ;; esac
    name=$(basename "${f%.tsv}")
    "$TCPFSM" annotate "$f" >"$tmp/en" 2>/dev/null
    "$TCPFSM" annotate --lang en "$f" >"$tmp/en2" 2>/dev/null
    "$TCPFSM" annotate --lang zh "$f" >"$tmp/zh" 2>/dev/null
    cmp -s "$tmp/en" "$tmp/en2" && cmp -s "$tmp/en" "${f%.tsv}.annotated.tsv" && ok ||
        bad "$name: English output changed (plain, --lang en, golden differ)"
    # every column but label the same
    python3 - "$tmp/en" "$tmp/zh" >"$tmp/py" 2>&1 <<'PY' && ok || bad "$name: a column other than label differs in Chinese: $(tail -1 "$tmp/py")"
import sys
en = open(sys.argv[1], encoding="utf-8").read().splitlines()
zh = open(sys.argv[2], encoding="utf-8").read().splitlines()
assert len(en) == len(zh), "row count"
head = en[0].split("\t")
li = head.index("label")
for a, b in zip(en, zh):
    a, b = a.split("\t"), b.split("\t")
    assert a[:li] + a[li + 1:] == b[:li] + b[li + 1:], (a, b)
    if b[li] and b[li] != "label":
        # Chinese words in every labelled row, and no English sentence left
        assert any("\u4e00" <= ch <= "\u9fff" for ch in b[li]), b[li]
        for word in (" from the ", "no state change", "Handshake", "Teardown"):
            assert word not in b[li], (word, b[li])
PY
    "$TCPFSM" summary --lang zh "$f" 2>/dev/null | cmp -s - "${f%.tsv}.summary.tsv" && ok ||
        bad "$name: summary --lang zh differs from the golden summary"
done

"$TCPFSM" ladder --lang zh "$DIR/close-merged.tsv" >"$tmp/ladder" 2>&1
for w in 第一次握手 第二次握手 第三次握手 第一次挥手 第二、三次挥手合并 第四次挥手 '流 0：客户端' 小结; do
    grep -qF "$w" "$tmp/ladder" && ok || bad "ladder --lang zh lacks $w"
done
for cmd in annotate ladder; do
    "$TCPFSM" $cmd --lang fr "$DIR/close-merged.tsv" >/dev/null 2>"$tmp/err"
    rc=$?
    [ "$rc" = 64 ] && grep -q "unknown language 'fr'" "$tmp/err" && ok ||
        bad "$cmd --lang fr: exit $rc, want 64: $(cat "$tmp/err")"
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
