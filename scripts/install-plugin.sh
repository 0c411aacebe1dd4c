#!/bin/sh
# install-plugin.sh - install the built tcpfsm Wireshark plugin for one
# user: copy build/plugin/tcpfsm.so into that user's personal plugin
# folder ~/.local/lib/wireshark/plugins/X.Y/epan, X.Y being the installed
# Wireshark's (asked from tshark, else wireshark, else pkg-config).
#
#   scripts/install-plugin.sh               install for yourself
#   sudo scripts/install-plugin.sh          install for the user who ran sudo
#   scripts/install-plugin.sh --uninstall   remove your personal copies
#
#   --plugin FILE   the plugin to install (default: build/plugin/tcpfsm.so
#                   of this source tree)
#
# It works on a tree built by root (sudo ./scripts/setup.sh): it only reads
# the build tree.  Run with sudo, it reads the plugin as root and writes it
# as the user who ran sudo (so the files are theirs, and a link planted in
# their home cannot make root write elsewhere).  Run as root without sudo it
# refuses: Wireshark ignores personal plugins when it runs as root.
#
# Never both copies: when the plugin is already in Wireshark's global
# plugin folder (the tcpfsm-wireshark-plugin package, or `sudo cmake
# --install build --component plugin`), it refuses, because Wireshark would
# then find tcpfsm.so in two folders and complain at every start.
#
# Environment: TSHARK (default tshark), WIRESHARK (default wireshark).
# Exit status: 0 done; 1 refused or failed (the message says why); 2 usage.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
prog=install-plugin.sh
plugin=$root/build/plugin/tcpfsm.so
mode=install

die() { echo "$prog: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case $1 in
    --uninstall) mode=uninstall ;;
    --plugin) [ $# -ge 2 ] || { echo "$prog: --plugin needs a file" >&2; exit 2; }
              plugin=$2; shift ;;
    --plugin=*) plugin=${1#--plugin=} ;;
    -h|--help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "$prog: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done

# ---- whose personal folder ----
if [ "$(id -u)" -ne 0 ]; then
    user=$(id -un)
    home=${HOME:-}
    [ -n "$home" ] || die "HOME is not set"
    run_as() { "$@"; }
else
    user=${SUDO_USER:-}
    if [ -z "$user" ] || [ "$user" = root ]; then
        die "running as root: Wireshark ignores personal plugins when it runs as root.
  Run this as the user who will use Wireshark (or with sudo from their account);
  for every user (root included) install the package or run
  sudo cmake --install build --component plugin"
    fi
    home=$(getent passwd "$user" | cut -d: -f6)
    [ -n "$home" ] && [ -d "$home" ] || die "the home folder of $user ('$home') does not exist"
    gid=$(id -g "$user")
    run_as() {
        if command -v setpriv >/dev/null 2>&1; then
            setpriv --reuid="$user" --regid="$gid" --init-groups -- "$@"
        else
            runuser -u "$user" -- "$@"
        fi
    }
fi

# ---- which Wireshark X.Y ----
tshark=${TSHARK:-tshark}
wireshark=${WIRESHARK:-wireshark}
xy_of() { sed -n 's/^[A-Za-z]* (Wireshark) \([0-9][0-9]*\.[0-9][0-9]*\)\..*/\1/p' | head -n 1; }
xy=
if command -v "$tshark" >/dev/null 2>&1; then
    xy=$("$tshark" -v 2>/dev/null | xy_of)
fi
if [ -z "$xy" ] && command -v "$wireshark" >/dev/null 2>&1; then
    xy=$("$wireshark" -v 2>/dev/null | xy_of)
fi
if [ -z "$xy" ] && command -v pkg-config >/dev/null 2>&1; then
    xy=$(pkg-config --modversion wireshark 2>/dev/null | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
fi

plugins=$home/.local/lib/wireshark/plugins

if [ "$mode" = uninstall ]; then
    found=no
    for f in "$plugins"/*/epan/tcpfsm.so; do
        [ -e "$f" ] || continue
        run_as rm -f "$f" || die "cannot remove $f"
        echo "removed $f"
        found=yes
    done
    [ "$found" = yes ] || echo "no personal copy of tcpfsm.so in $plugins (nothing to remove)"
    exit 0
fi

[ -n "$xy" ] || die "no Wireshark found (neither $tshark -v, $wireshark -v nor pkg-config wireshark answered): install tshark or wireshark first"
[ -r "$plugin" ] || die "plugin not found: $plugin (build it: cmake -S . -B build && cmake --build build)"

# the Wireshark the plugin was built for (written by plugin/CMakeLists.txt)
built=$(cat "$(dirname "$plugin")/wireshark-version" 2>/dev/null || true)
if [ -n "$built" ]; then
    built_xy=$(echo "$built" | sed -n 's/^\([0-9]*\.[0-9]*\).*/\1/p')
    [ "$built_xy" = "$xy" ] || die "$plugin was built for Wireshark $built, but the installed Wireshark is $xy: it would not load. Rebuild against $xy (cmake -S . -B build && cmake --build build)"
fi

# ---- never both copies ----
global=
if command -v "$tshark" >/dev/null 2>&1; then
    global=$(run_as env HOME="$home" "$tshark" -G folders 2>/dev/null |
             sed -n 's/^Global Plugins:[[:space:]]*//p' | head -n 1)
fi
[ -n "$global" ] || global=$(pkg-config --variable=plugindir wireshark 2>/dev/null || true)
if [ -n "$global" ] && [ -e "$global/epan/tcpfsm.so" ]; then
    owner=$(dpkg-query -S "$global/epan/tcpfsm.so" 2>/dev/null | cut -d: -f1 || true)
    if [ -n "$owner" ]; then
        how="apt-get remove $owner"
    else
        how="sudo rm $global/epan/tcpfsm.so"
    fi
    die "refused: tcpfsm.so is already installed system-wide ($global/epan/tcpfsm.so${owner:+, package $owner}).
  A personal copy too would make Wireshark report it \"found in multiple directories\" at every start.
  Use the system copy, or remove it first: $how"
fi

# ---- copy: read as the caller, write as the user ----
dest=$plugins/$xy/epan
run_as mkdir -p "$dest" || die "cannot create $dest"
tmp=$dest/.tcpfsm.so.$$
# shellcheck disable=SC2016 # expanded by the inner shell
if ! run_as sh -c 'umask 022; cat > "$1" && mv -f "$1" "$2"' sh "$tmp" "$dest/tcpfsm.so" < "$plugin"; then
    run_as rm -f "$tmp" 2>/dev/null || true
    die "cannot write $dest/tcpfsm.so"
fi
echo "installed $dest/tcpfsm.so (Wireshark $xy, for $user)"

# ---- check that tshark, run as the user, loads it ----
if command -v "$tshark" >/dev/null 2>&1; then
    line=$(run_as env HOME="$home" "$tshark" -G plugins 2>/dev/null | grep 'tcpfsm\.so' || true)
    [ -n "$line" ] || die "tshark run as $user does not list tcpfsm.so after the install"
    echo "tshark -G plugins (as $user): $(echo "$line" | tr -s '\t ' ' ')"
fi
