#!/bin/sh
# deb_check.sh DEBDIR SRCDIR - install the packages cpack made (DEBDIR) on
# THIS system with apt-get, use them, remove them again.  Run by
# test_deb.sh as root, either in a throwaway overlay of the machine's root
# (native) or inside a release's chroot (scripts/chroot.sh).
#   - apt-get install ./tcpfsm_*.deb ./tcpfsm-wireshark-plugin_*.deb
#     ./libtcpfsm-dev_*.deb (their Depends must be satisfiable here);
#   - pkg-config finds the library;
#   - /usr/bin/tcpfsm annotates a bundled capture as its golden file says;
#   - tshark as a normal user (nobody, empty HOME) lists tcpfsm.so from the
#     global plugin folder and its tcpfsm fields equal tcpfsm annotate;
#   - scripts/install-plugin.sh refuses a personal copy beside the
#     package's, naming the package;
#   - apt-get remove: the files are gone, tshark no longer lists it.
# Exit: 0 pass, 1 fail.
set -u
debs=${1:?usage: deb_check.sh DEBDIR SRCDIR}
src=${2:?usage: deb_check.sh DEBDIR SRCDIR}
capture=$src/captures/close-merged.pcap
user=${TCPFSM_TEST_USER:-nobody}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
[ "$(id -u)" -eq 0 ] || { echo "FAIL: deb_check.sh must run as root"; exit 1; }

tool_deb=$(ls "$debs"/tcpfsm_*.deb 2>/dev/null | head -n 1)
plugin_deb=$(ls "$debs"/tcpfsm-wireshark-plugin_*.deb 2>/dev/null | head -n 1)
lib_deb=$(ls "$debs"/libtcpfsm-dev_*.deb 2>/dev/null | head -n 1)
[ -n "$tool_deb" ] || { echo "FAIL: no tcpfsm_*.deb in $debs"; exit 1; }
pkgs=tcpfsm
set -- "$tool_deb"
if [ -n "$plugin_deb" ]; then set -- "$@" "$plugin_deb"; pkgs="$pkgs tcpfsm-wireshark-plugin"; fi
if [ -n "$lib_deb" ]; then set -- "$@" "$lib_deb"; pkgs="$pkgs libtcpfsm-dev"; fi

t=$(mktemp -d /tmp/tcpfsm-deb.XXXXXX)
chmod 755 "$t"
removed=no
remove() {
    [ "$removed" = yes ] && return 0
    removed=yes
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -q --purge $pkgs >"$t/remove.log" 2>&1
}
trap 'remove; rm -rf "$t"' EXIT INT TERM

if DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >"$t/install.log" 2>&1; then
    ok "apt-get install $(for d in "$@"; do basename "$d"; done | tr '\n' ' ')"
else
    fail "apt-get install failed:"; tail -n 15 "$t/install.log"
    exit 1
fi
for p in $pkgs; do
    st=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null)
    case $st in "install ok installed"*) ok "$p: $st" ;; *) fail "$p: status '$st'" ;; esac
done

# the tool
want=$(/usr/bin/tcpfsm annotate "$src/captures/close-merged.tsv" 2>&1)
if [ "$want" = "$(cat "$src/captures/close-merged.annotated.tsv")" ]; then
    ok "/usr/bin/tcpfsm annotate close-merged.tsv equals its golden file"
else
    fail "/usr/bin/tcpfsm annotate differs from the golden file"
fi
man -w tcpfsm >/dev/null 2>&1 || [ -f /usr/share/man/man1/tcpfsm.1 ] || [ -f /usr/share/man/man1/tcpfsm.1.gz ] ||
    fail "no man page /usr/share/man/man1/tcpfsm.1"

# the library: pkg-config finds it, the runtime linker knows its SONAME
if [ -n "$lib_deb" ]; then
    v=$(pkg-config --modversion tcpfsm 2>&1)
    [ "$v" = "$(dpkg-query -W -f='${Version}' libtcpfsm-dev)" ] && ok "pkg-config --modversion tcpfsm: $v" ||
        fail "pkg-config --modversion tcpfsm: '$v'"
    ldconfig -p | grep -q 'libtcpfsm\.so\.0 ' && ok "ldconfig knows libtcpfsm.so.0" || fail "ldconfig does not list libtcpfsm.so.0"
fi

# the plugin, as a normal user
if [ -n "$plugin_deb" ]; then
    so=$(dpkg -L tcpfsm-wireshark-plugin | grep '/tcpfsm\.so$')
    [ -f "$so" ] && ok "installed $so" || fail "no tcpfsm.so in dpkg -L tcpfsm-wireshark-plugin"
    h=$t/home; mkdir -p "$h"; chown "$user" "$h"
    cp "$capture" "$t/c.pcap"; chmod 644 "$t/c.pcap"
    as() { setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- env HOME="$h" "$@"; }
    listed=$(as tshark -G plugins 2>/dev/null | grep 'tcpfsm\.so' || true)
    case $listed in
    *"$so"*) ok "tshark -G plugins (as $user): $(echo "$listed" | tr -s '\t ' ' ')" ;;
    *) fail "tshark -G plugins as $user does not list $so: '$listed'" ;;
    esac
    got=$(as tshark -n -r "$t/c.pcap" -T fields -e frame.number -e tcpfsm.event -e tcpfsm.step -e tcpfsm.src_state -e tcpfsm.dst_state 2>&1)
    want=$(/usr/bin/tcpfsm annotate "$capture" | awk -F '\t' '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        { print $col["frame.number"] "\t" $col["event"] "\t" $col["step"] "\t" $col["src_state"] "\t" $col["dst_state"] }')
    n=$(printf '%s\n' "$want" | grep -c .)
    if [ "$got" = "$want" ] && [ "$n" -gt 0 ]; then
        ok "tcpfsm.event/step/src_state/dst_state of $n frames equal tcpfsm annotate"
    else
        fail "the packaged plugin's fields differ from tcpfsm annotate:"
        printf '%s\n' "$want" > "$t/want"; printf '%s\n' "$got" > "$t/got"; diff "$t/want" "$t/got" | head -n 10
    fi
    # never both: a personal install is refused while the package is there
    out=$(as sh "$src/scripts/install-plugin.sh" --plugin "$so" 2>&1) && fail "install-plugin.sh installed a personal copy beside the package: $out"
    case $out in
    *"package tcpfsm-wireshark-plugin"*) ok "install-plugin.sh refuses a personal copy, naming the package" ;;
    *) fail "install-plugin.sh did not refuse naming the package: $out" ;;
    esac
    [ -z "$(find "$h" -name tcpfsm.so)" ] || fail "a personal copy was written"
fi

# remove
if remove; then ok "apt-get remove --purge $pkgs"; else fail "apt-get remove failed"; tail -n 10 "$t/remove.log"; fi
[ -e /usr/bin/tcpfsm ] && fail "/usr/bin/tcpfsm is still there"
[ -n "$lib_deb" ] && pkg-config --exists tcpfsm 2>/dev/null && fail "tcpfsm.pc is still there"
if [ -n "$plugin_deb" ]; then
    [ -e "$so" ] && fail "$so is still there"
    if as tshark -G plugins 2>/dev/null | grep -q 'tcpfsm\.so'; then
        fail "tshark still lists tcpfsm.so after the removal"
    else
        ok "removed: tshark no longer lists tcpfsm.so"
    fi
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS"
