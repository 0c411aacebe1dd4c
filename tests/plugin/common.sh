# common.sh - sourced by the plugin tests (test_fields.sh, test_agreement.sh,
# test_flow.sh, ..., and tests/gui/test_profile.sh): the counters, the
# private plugin HOME, the capture list, as_user.
# The caller sets `here` (its own folder) and `test_name` first.
# shellcheck shell=sh disable=SC2034 # variables used by the callers

root=$(cd "$here/../.." && pwd)
helper="$root/tests/plugin/tshark-with-plugin.sh"
# is_root, user, as_user CMD...
. "$root/tests/plugin/as_user.sh"
tshark=${TSHARK:-tshark}

if ! command -v "$tshark" >/dev/null 2>&1; then
    echo "SKIP: tshark not found ($tshark); install it (apt-get install tshark)"
    exit 77
fi

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $1"; }
bad() { fail=$((fail + 1)); echo "FAIL - $1"; }
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

# a work folder and a private HOME holding the plugin under test
plugin_setup() {
    work=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-$test_name.XXXXXX") || exit 1
    TCPFSM_PLUGIN_HOME=$("$helper" --prepare) || { echo "FAIL - cannot prepare the plugin home"; exit 1; }
    export TCPFSM_PLUGIN_HOME
    trap 'rm -rf "$work" "$TCPFSM_PLUGIN_HOME"' EXIT
    if ! "$helper" --check; then
        bad "tshark loads the plugin (${TCPFSM_PLUGIN:-$root/build/plugin/tcpfsm.so})"
        finish
    fi
    ok "tshark loads the plugin"
}

# the captures: $TCPFSM_CAPTURES, else captures/ and ../shared/captures,
# one path a line in $work/captures
list_captures() {
    list="$work/captures"
    if [ -n "${TCPFSM_CAPTURES:-}" ]; then
        for c in $TCPFSM_CAPTURES; do echo "$c"; done > "$list"
    else
        {
            find "$root/captures" -type f \( -name '*.pcap*' -o -name '*.cap' \) 2>/dev/null | sort
            if [ -d "$root/../shared/captures" ]; then
                find "$root/../shared/captures" -type f \( -name '*.pcap*' -o -name '*.cap' \) | sort
            else
                echo "note: ../shared/captures not found; using the project's captures only" >&2
            fi
        } > "$list"
    fi
    if [ ! -s "$list" ]; then
        bad "no captures found in $root/captures or $root/../shared/captures"
        finish
    fi
}

# How this tshark prints an FT_BOOLEAN with -T fields, asked of tshark
# itself (not of its version): "1"/"0" up to 4.0, "True"/"False" from
# 4.2.  Frame 1 of captures/close-merged.pcap is a SYN: tcp.flags.syn is
# set, tcp.flags.fin is not.  Sets tshark_true and tshark_false.
tshark_bools() {
    # shellcheck disable=SC2046 # two words
    set -- $("$tshark" -n -r "$root/captures/close-merged.pcap" -c 1 -T fields \
        -E separator=' ' -e tcp.flags.syn -e tcp.flags.fin 2>/dev/null)
    tshark_true=${1:-1}
    tshark_false=${2:-0}
}

# bools_as_tool COLS: stdin -T fields rows (tab-separated) to stdout, with
# the 1-based columns COLS (space-separated) turned from tshark's boolean
# spelling into the tool's 1/0; every other column unchanged
bools_as_tool() {
    awk -F'\t' -v OFS='\t' -v cols="$1" -v t="$tshark_true" -v f="$tshark_false" '
        BEGIN { n = split(cols, c, " ") }
        { for (i = 1; i <= n; i++) {
              split($(c[i]), item, ",")
              v = ""
              for (j = 1; item[j] != ""; j++)
                  v = v (j > 1 ? "," : "") (item[j] == t ? "1" : item[j] == f ? "0" : item[j])
              $(c[i]) = v
          }
          print }'
}
