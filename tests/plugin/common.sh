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
