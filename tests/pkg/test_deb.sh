#!/bin/sh
# test_deb.sh BUILD_DIR - the Debian packages: cpack makes them from
# BUILD_DIR, their control fields are checked against this system (the
# plugin depends on the package that holds tshark's libwireshark, bounded
# to its X.Y, and goes into tshark's global plugin folder), then
# deb_check.sh installs, uses and removes them:
#   - TCPFSM_DEB_IN_PLACE=1, or when it runs as root in a chroot (a
#     release's chroot made by scripts/chroot.sh): on this system itself,
#     removed afterwards (skipped when one of them was installed before);
#   - otherwise (the native run, as root): in a throwaway copy-on-write
#     overlay of the machine's root file system, in a private mount
#     namespace, so nothing on the machine changes (no package is installed
#     on it, not even for a moment).
# Exit: 0 pass, 1 fail, 77 the install part cannot run here (not root, no
# unshare, or no overlay mount allowed): the control checks have still run
# and passed.
set -u
build=${1:?usage: test_deb.sh BUILD_DIR}
build=$(cd "$build" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
command -v cpack >/dev/null 2>&1 || { echo "SKIP: no cpack"; exit 77; }
command -v dpkg-deb >/dev/null 2>&1 || { echo "SKIP: no dpkg-deb (not Debian)"; exit 77; }

t=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-debs.XXXXXX")
chmod 755 "$t"
trap 'rm -rf "$t"' EXIT INT TERM
mkdir "$t/debs"
if ! (cd "$t" && cpack --config "$build/CPackConfig.cmake" -B "$t/cpack" >"$t/cpack.log" 2>&1); then
    echo "FAIL: cpack failed:"; tail -n 20 "$t/cpack.log"; exit 1
fi
cp "$t"/cpack/*.deb "$t/debs/"
for d in "$t"/debs/*.deb; do
    echo "== $(basename "$d")"
    dpkg-deb -f "$d" Package Version Architecture Depends Recommends | sed 's/^/   /'
done

tool_deb=$(ls "$t"/debs/tcpfsm_*.deb 2>/dev/null | head -n 1)
plugin_deb=$(ls "$t"/debs/tcpfsm-wireshark-plugin_*.deb 2>/dev/null | head -n 1)
[ -n "$tool_deb" ] && ok "tool package $(basename "$tool_deb")" || fail "no tcpfsm_*.deb"
if [ -n "$tool_deb" ]; then
    list=$(dpkg-deb -c "$tool_deb")
    echo "$list" | grep -q ' \./usr/bin/tcpfsm$' && ok "it installs /usr/bin/tcpfsm" || fail "no /usr/bin/tcpfsm in the tool package"
    echo "$list" | grep -q '/tcpfsm\.so$' && fail "the tool package holds the plugin"
    dpkg-deb -f "$tool_deb" Depends | grep -q 'libpcap' && ok "the tool depends on libpcap" || fail "the tool package does not depend on libpcap"
fi

lib_deb=$(ls "$t"/debs/libtcpfsm-dev_*.deb 2>/dev/null | head -n 1)
if [ -n "$(ls "$build"/libtcpfsm.so.* 2>/dev/null)" ]; then
    if [ -n "$lib_deb" ]; then
        list=$(dpkg-deb -c "$lib_deb")
        for f in 'libtcpfsm\.so\.0 ' 'include/tcpfsm/tcpfsm\.h$' 'pkgconfig/tcpfsm\.pc$'; do
            echo "$list" | grep -q "$f" || fail "libtcpfsm-dev lacks $f"
        done
        ok "library package $(basename "$lib_deb")"
    else
        fail "the library is built but there is no libtcpfsm-dev_*.deb"
    fi
fi
if [ -f "$build/plugin/tcpfsm.so" ]; then
    [ -n "$plugin_deb" ] || fail "the plugin is built but there is no tcpfsm-wireshark-plugin_*.deb"
fi
if [ -n "$plugin_deb" ] && command -v tshark >/dev/null 2>&1; then
    # what this system's tshark uses, asked independently of the build
    lib=$(ldd "$(command -v tshark)" | sed -n 's/.*libwireshark\.so[^ ]* => \([^ ]*\).*/\1/p' | head -n 1)
    libpkg=$(dpkg-query -S "$(readlink -f "$lib")" 2>/dev/null | sed -n '1s/^\([^:,]*\).*/\1/p')
    xy=$(tshark -v 2>/dev/null | sed -n 's/^TShark (Wireshark) \([0-9]*\)\.\([0-9]*\)\..*/\1 \2/p' | head -n 1)
    next="${xy% *}.$(( ${xy#* } + 1 ))"
    deps=$(dpkg-deb -f "$plugin_deb" Depends)
    echo "tshark uses $lib from $libpkg (Wireshark ${xy% *}.${xy#* })"
    echo "$deps" | grep -q "$libpkg (>= ${xy% *}.${xy#* })" && ok "Depends: $libpkg (>= ${xy% *}.${xy#* })" ||
        fail "Depends lacks '$libpkg (>= ${xy% *}.${xy#* })': $deps"
    echo "$deps" | grep -q "$libpkg (<< $next~)" && ok "Depends: $libpkg (<< $next~)" || fail "Depends lacks '$libpkg (<< $next~)': $deps"
    global=$(env -u WIRESHARK_PLUGIN_DIR tshark -G folders 2>/dev/null | sed -n 's/^Global Plugins:[[:space:]]*//p' | head -n 1)
    list=$(dpkg-deb -c "$plugin_deb")
    echo "$list" | grep -q " \.$global/epan/tcpfsm\.so$" &&
        ok "it installs $global/epan/tcpfsm.so" || fail "the package does not install $global/epan/tcpfsm.so"
    echo "$list" | grep -q '/bin/tcpfsm$' && fail "the plugin package holds the tool"
fi
[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }

# ---- install, use, remove ----
# in a chroot (its / is no mount point, or not process 1's /): in place, as
# TCPFSM_DEB_IN_PLACE=1 (a chroot allows no overlay namespace over its /)
in_chroot=no
if command -v mountpoint >/dev/null 2>&1 && ! mountpoint -q /; then
    in_chroot=yes
elif [ -r /proc/1/root/. ] && [ "$(stat -c %d:%i /)" != "$(stat -c %d:%i /proc/1/root/.)" ]; then
    in_chroot=yes
fi
if [ "${TCPFSM_DEB_IN_PLACE:-0}" = 1 ] || { [ "$in_chroot" = yes ] && [ "$(id -u)" -eq 0 ]; }; then
    for p in tcpfsm tcpfsm-wireshark-plugin libtcpfsm-dev; do
        if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
            echo "SKIP: $p is already installed on this system: not installing over it (and removing it) in place"
            exit 77
        fi
    done
    echo "installing in place (${TCPFSM_DEB_IN_PLACE:+TCPFSM_DEB_IN_PLACE=1}${TCPFSM_DEB_IN_PLACE:-in a chroot}), removed again afterwards"
    sh "$here/deb_check.sh" "$t/debs" "$src" || exit 1
    echo "PASS"; exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
    echo "SKIP: installing the packages needs root and unshare (the control checks passed)"; exit 77
fi
# a private mount namespace: an overlay of / (writes go to a tmpfs), with
# /proc and /dev, and deb_check.sh chrooted into it; everything vanishes
# with the namespace
mkdir "$t/ov"
# shellcheck disable=SC2016 # expanded by the inner shell
# (exit 77 when this kernel or container allows no such mounts)
rc=0
unshare -m --propagation private sh -c '
    set -e
    ov=$1; src=$2; debs=$3
    mount -t tmpfs -o mode=755 tcpfsm-deb "$ov" || exit 77
    mkdir "$ov/up" "$ov/work" "$ov/root"
    mount -t overlay overlay -o "lowerdir=/,upperdir=$ov/up,workdir=$ov/work" "$ov/root" || exit 77
    mount -t proc proc "$ov/root/proc"
    mount --rbind /dev "$ov/root/dev"
    mkdir -p "$ov/root/tmp/debs"
    cp "$debs"/*.deb "$ov/root/tmp/debs/"
    exec chroot "$ov/root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        sh "$src/tests/pkg/deb_check.sh" /tmp/debs "$src"
' sh "$t/ov" "$src" "$t/debs" || rc=$?
if [ "$rc" -eq 77 ]; then
    echo "SKIP: no private mount namespace with an overlay of / here (unshare -m, mount -t overlay);" \
         "the control checks passed, the install was not tried (set TCPFSM_DEB_IN_PLACE=1 in a throwaway system)"
    exit 77
fi
[ "$rc" -eq 0 ] || exit 1
echo "PASS"
