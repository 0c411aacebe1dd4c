#!/bin/sh
# tshark-with-plugin.sh - run tshark with the freshly built tcpfsm plugin.
#
#   tests/plugin/tshark-with-plugin.sh [TSHARK ARGUMENTS...]
#
# Wireshark loads personal plugins from $HOME/.local/lib/wireshark/plugins/
# 4.0/epan, but not when it runs as root (it then ignores the personal
# folder and WIRESHARK_PLUGIN_DIR).  So this script puts the plugin in a
# private HOME and runs tshark:
#   - as root: as an unprivileged user (nobody, or $TCPFSM_TEST_USER) with
#     setpriv, or runuser when setpriv is missing; capture files given with
#     -r that this user cannot read are copied into the private HOME;
#   - otherwise: as the current user.
# The private HOME also gives tshark default preferences, whatever the
# caller's own ~/.config/wireshark holds, and WIRESHARK_PLUGIN_DIR points
# at an empty folder in it, so that a tcpfsm.so installed system-wide
# (scanned before the personal folder) cannot shadow the one under test.
#
# Environment:
#   TCPFSM_PLUGIN       the plugin to load (default: build/plugin/tcpfsm.so
#                       next to this source tree)
#   TSHARK              the tshark to run (default: tshark on PATH)
#   TCPFSM_PLUGIN_HOME  reuse this prepared HOME (made by a previous call
#                       with --prepare); it is not removed afterwards
#   TCPFSM_TEST_USER    the user to run as when root (default: nobody)
#
#   tshark-with-plugin.sh --prepare   prints the path of a prepared HOME
#                                     (the caller removes it)
#   tshark-with-plugin.sh --check     exit 0 when tshark loads the plugin
#
# Exit status: tshark's, or 77 when tshark is not installed, 2 when the
# plugin or the unprivileged user is missing.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tshark=${TSHARK:-tshark}
plugin=${TCPFSM_PLUGIN:-$root/build/plugin/tcpfsm.so}

if ! command -v "$tshark" >/dev/null 2>&1; then
    echo "tshark-with-plugin: tshark not found ($tshark)" >&2
    exit 77
fi
tshark=$(command -v "$tshark")
if [ ! -r "$plugin" ]; then
    echo "tshark-with-plugin: plugin not found: $plugin (build it: cmake --build build)" >&2
    exit 2
fi

abi=$("$tshark" -v 2>/dev/null | sed -n 's/^TShark (Wireshark) \([0-9]*\.[0-9]*\).*/\1/p' | head -n 1)
[ -n "$abi" ] || abi=4.0

# is_root, user, as_user CMD...
. "$here/as_user.sh"

prepare() {
    h=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-home.XXXXXX") || exit 2
    mkdir -p "$h/.local/lib/wireshark/plugins/$abi/epan" "$h/captures" \
        "$h/.config" "$h/global-plugins"
    cp "$plugin" "$h/.local/lib/wireshark/plugins/$abi/epan/tcpfsm.so"
    if [ "$is_root" = yes ]; then
        if ! id "$user" >/dev/null 2>&1; then
            echo "tshark-with-plugin: running as root, and user '$user' does not exist" \
                 "(set TCPFSM_TEST_USER)" >&2
            rm -rf "$h"
            exit 2
        fi
        # the test user needs to read the plugin and write tshark's
        # profile files; nobody else needs anything here
        chown -R "$user" "$h"
        chmod -R u+rwX,go+rX "$h"
    fi
    echo "$h"
}

case "${1:-}" in
--prepare)
    prepare
    exit 0
    ;;
esac

cleanup_home=no
if [ -n "${TCPFSM_PLUGIN_HOME:-}" ] && [ -d "$TCPFSM_PLUGIN_HOME" ]; then
    home=$TCPFSM_PLUGIN_HOME
else
    home=$(prepare) || exit 2
    cleanup_home=yes
fi
trap '[ "$cleanup_home" = yes ] && rm -rf "$home"' EXIT

# run_tshark ARGS...: tshark as the test user, in the private HOME
run_tshark() {
    as_user env -u WIRESHARK_CONFIG_DIR HOME="$home" XDG_CONFIG_HOME="$home/.config" \
        WIRESHARK_PLUGIN_DIR="$home/global-plugins" "$tshark" "$@"
}

if [ "${1:-}" = --check ]; then
    loaded=$(run_tshark -G plugins 2>/dev/null | awk -F'\t' '$1 ~ /^tcpfsm\.so/ { print $4 }')
    case "$loaded" in
    "$home"/*) exit 0 ;;
    "") echo "tshark-with-plugin: tshark does not load $plugin" >&2 ;;
    *) echo "tshark-with-plugin: tshark loads another tcpfsm.so: $loaded" >&2 ;;
    esac
    exit 1
fi

# As root, give the test user readable copies of unreadable -r files.
if [ "$is_root" = yes ]; then
    n=$#
    i=0
    next_is_file=no
    for a in "$@"; do
        i=$((i + 1))
        if [ "$next_is_file" = yes ]; then
            next_is_file=no
            if [ "$a" != - ] && ! as_user test -r "$a" 2>/dev/null; then
                copy="$home/captures/$i-$(basename "$a")"
                cp "$a" "$copy" && chmod a+r "$copy" && a=$copy
            fi
        elif [ "$a" = -r ]; then
            next_is_file=yes
        fi
        set -- "$@" "$a"
    done
    shift "$n"
fi

run_tshark "$@"
