#!/bin/sh
# test_personal.sh - scripts/install-plugin.sh, the personal install of the
# plugin, on a tree built by root:
#   - run as a normal user (nobody with a private HOME when this runs as
#     root): the plugin lands in ~/.local/lib/wireshark/plugins/X.Y/epan
#     (X.Y of the installed tshark), owned by that user; tshark run as
#     that user lists it and labels every segment of a bundled capture as
#     `tcpfsm annotate` does; --uninstall removes it and tshark no longer
#     lists it;
#   - never both copies: with tcpfsm.so in the global plugin folder it
#     refuses and installs nothing;
#   - a plugin built for another Wireshark is refused;
#   - as root: without sudo it refuses; "with sudo" (SUDO_USER set) it
#     installs for a throwaway user made for the test (files theirs) and
#     uninstalls again (the user, tcpfsm-ptPID, is removed at the end).
# The global plugin folder is a private one (WIRESHARK_PLUGIN_DIR), so a
# copy installed on this machine cannot change the outcome.
#
#   TCPFSM_PLUGIN  the built plugin; TCPFSM_TOOL  the built tool
# Exit: 0 pass, 1 fail, 77 skipped (no tshark / plugin / test user).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
script=$root/scripts/install-plugin.sh
plugin=${TCPFSM_PLUGIN:-$root/build/plugin/tcpfsm.so}
tool=${TCPFSM_TOOL:-$root/build/tool/tcpfsm}
capture=$root/captures/close-merged.pcap
# user, is_root, as_user
. "$root/tests/plugin/as_user.sh"

command -v tshark >/dev/null 2>&1 || { echo "SKIP: no tshark"; exit 77; }
[ -r "$plugin" ] || { echo "SKIP: no plugin at $plugin"; exit 77; }
if [ "$is_root" = yes ] && ! id "$user" >/dev/null 2>&1; then
    echo "SKIP: running as root and test user $user does not exist"; exit 77
fi
xy=$(tshark -v 2>/dev/null | sed -n 's/^TShark (Wireshark) \([0-9]*\.[0-9]*\)\..*/\1/p' | head -n 1)
[ -n "$xy" ] || { echo "FAIL: cannot read tshark's version"; exit 1; }

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }

t=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-pkg.XXXXXX")
tuser=tcpfsm-pt$$   # a throwaway user for the sudo case (root only)
cleanup() {
    if [ "$is_root" = yes ] && id "$tuser" >/dev/null 2>&1; then
        userdel "$tuser" >/dev/null 2>&1
    fi
    rm -rf "$t"
}
trap cleanup EXIT INT TERM
chmod 755 "$t"
h=$t/home
mkdir -p "$h" "$t/global" "$t/other"
cp "$capture" "$t/c.pcap"
chmod 644 "$t/c.pcap"
[ "$is_root" = yes ] && chown "$user" "$h"
personal=$h/.local/lib/wireshark/plugins/$xy/epan/tcpfsm.so
export WIRESHARK_PLUGIN_DIR="$t/global"

# as the user, with the private HOME
u() { as_user env HOME="$h" WIRESHARK_PLUGIN_DIR="$t/global" "$@"; }

# ---- install as the user ----
if out=$(u sh "$script" --plugin "$plugin" 2>&1); then
    ok "install as $(u id -un): $out"
else
    fail "install as the user failed: $out"
fi
if [ -f "$personal" ]; then
    owner=$(stat -c %U "$personal")
    [ "$owner" = "$(u id -un)" ] && ok "$personal owned by $owner" || fail "$personal owned by $owner"
    cmp -s "$plugin" "$personal" || fail "the installed file differs from $plugin"
else
    fail "no $personal"
fi
listed=$(u tshark -G plugins 2>/dev/null | grep 'tcpfsm\.so' || true)
case $listed in
*"$personal"*) ok "tshark -G plugins lists $personal" ;;
*) fail "tshark -G plugins (as the user) does not list $personal: '$listed'" ;;
esac
# fields on a bundled capture: each frame's step equals tcpfsm annotate's
got=$(u tshark -n -r "$t/c.pcap" -T fields -e frame.number -e tcpfsm.event -e tcpfsm.step 2>&1)
want=$("$tool" annotate "$capture" | awk -F '\t' '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    { print $col["frame.number"] "\t" $col["event"] "\t" $col["step"] }')
frames=$(printf '%s\n' "$want" | grep -c .)
if [ "$got" = "$want" ] && [ "$frames" -gt 0 ]; then
    ok "tcpfsm.event and tcpfsm.step of $frames frames equal tcpfsm annotate"
else
    fail "tshark's tcpfsm fields differ from tcpfsm annotate:"
    printf '%s\n' "$got" > "$t/got"; printf '%s\n' "$want" > "$t/want"
    diff "$t/want" "$t/got" | head -n 10
fi

# ---- uninstall ----
if out=$(u sh "$script" --uninstall 2>&1); then ok "uninstall: $out"; else fail "uninstall failed: $out"; fi
[ -e "$personal" ] && fail "$personal still there after --uninstall"
if u tshark -G plugins 2>/dev/null | grep -q 'tcpfsm\.so'; then
    fail "tshark still lists tcpfsm.so after --uninstall"
else
    ok "tshark no longer lists tcpfsm.so"
fi

# ---- never both copies: a system copy exists ----
mkdir -p "$t/global/$xy/epan"
cp "$plugin" "$t/global/$xy/epan/tcpfsm.so"
chmod -R go+rX "$t/global"
if out=$(u sh "$script" --plugin "$plugin" 2>&1); then
    fail "installed a personal copy beside the system one: $out"
else
    case $out in
    *"multiple directories"*) ok "refused beside a system copy" ;;
    *) fail "refused, but without saying why: $out" ;;
    esac
fi
[ -e "$personal" ] && fail "a personal copy was written beside the system one"
if u tshark -G plugins 2>&1 | grep -q 'multiple directories'; then
    fail "tshark reports tcpfsm.so in multiple directories"
else
    ok "tshark loads the system copy alone, no 'multiple directories' message"
fi
rm -rf "$t/global/$xy"

# ---- a plugin built for another Wireshark ----
cp "$plugin" "$t/other/tcpfsm.so"
echo "3.6.0" > "$t/other/wireshark-version"
chmod -R go+rX "$t/other"
if out=$(u sh "$script" --plugin "$t/other/tcpfsm.so" 2>&1); then
    fail "installed a plugin built for Wireshark 3.6.0: $out"
else
    case $out in
    *"built for Wireshark 3.6.0"*) ok "refused a plugin built for 3.6.0" ;;
    *) fail "refused the 3.6.0 plugin without saying why: $out" ;;
    esac
fi
[ -e "$personal" ] && fail "the 3.6.0 plugin was written"

# ---- as root: refuses without sudo; with sudo installs for SUDO_USER ----
if [ "$is_root" = yes ]; then
    if out=$(env -u SUDO_USER sh "$script" --plugin "$plugin" 2>&1); then
        fail "installed for root: $out"
    else
        case $out in
        *"ignores personal plugins"*) ok "refused as root without sudo" ;;
        *) fail "refused as root without saying why: $out" ;;
        esac
    fi
    if command -v useradd >/dev/null 2>&1; then
        id "$tuser" >/dev/null 2>&1 && userdel "$tuser" >/dev/null 2>&1
        th=$t/thome
        if useradd -M -d "$th" -s /bin/sh "$tuser" 2>/dev/null; then
            mkdir -p "$th"; chown "$tuser:$(id -g "$tuser")" "$th"
            tp=$th/.local/lib/wireshark/plugins/$xy/epan/tcpfsm.so
            if out=$(SUDO_USER=$tuser sh "$script" --plugin "$plugin" 2>&1); then
                ok "sudo install: $out"
            else
                fail "sudo install failed: $out"
            fi
            if [ -f "$tp" ]; then
                bad=$(find "$th/.local" ! -user "$tuser" | head -n 3)
                [ -z "$bad" ] && ok "every file made is $tuser's" || fail "files not owned by $tuser: $bad"
            else
                fail "sudo install: no $tp"
            fi
            if setpriv --reuid="$tuser" --regid="$(id -g "$tuser")" --init-groups -- \
                   env HOME="$th" tshark -G plugins 2>/dev/null | grep -q "$tp"; then
                ok "tshark as $tuser lists $tp"
            else
                fail "tshark as $tuser does not list $tp"
            fi
            SUDO_USER=$tuser sh "$script" --uninstall >/dev/null 2>&1 || fail "sudo --uninstall failed"
            [ -e "$tp" ] && fail "$tp still there after sudo --uninstall" || ok "sudo --uninstall removed it"
        else
            echo "note: useradd failed: the sudo case is not tested"
        fi
    fi
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS"
