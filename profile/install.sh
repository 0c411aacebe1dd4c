#!/bin/sh
# install.sh - install the "tcpfsm" Wireshark configuration profile for the
# current user.
#
#   profile/install.sh            install (or update) the profile
#   profile/install.sh --print    print the folder it would use, and stop
#
# Copies profile/tcpfsm/{preferences,colorfilters} into Wireshark's
# personal profiles folder, and profile/tcpfsm/recent (the packet list's
# column widths; Wireshark keeps its own window layout in that file and
# rewrites it) only when the profile has no recent file yet:
#   $WIRESHARK_CONFIG_DIR/profiles/tcpfsm when WIRESHARK_CONFIG_DIR is set,
#   else ~/.wireshark/profiles/tcpfsm when only the old ~/.wireshark exists,
#   else ${XDG_CONFIG_HOME:-~/.config}/wireshark/profiles/tcpfsm.
# A file of the profile that is already there and differs is kept as
# FILE.bak.  Then:
#
#   wireshark -C tcpfsm -r capture.pcapng     (or Profile: tcpfsm in the
#                                              status bar)
#   tshark -C tcpfsm -r capture.pcapng        prints the profile's columns
#
# The profile shows the tcpfsm plugin's fields; install the plugin too
# (plugin/README.md: cmake --build build --target install-user).
# To remove the profile: rm -r "$(profile/install.sh --print)".
set -eu

here=$(cd "$(dirname "$0")" && pwd)
src=$here/tcpfsm

if [ -n "${WIRESHARK_CONFIG_DIR:-}" ]; then
    conf=$WIRESHARK_CONFIG_DIR
else
    : "${HOME:?HOME is not set}"
    xdg=${XDG_CONFIG_HOME:-$HOME/.config}/wireshark
    # Wireshark 4.0 still reads ~/.wireshark when it exists and the XDG
    # folder does not
    if [ ! -d "$xdg" ] && [ -d "$HOME/.wireshark" ]; then
        conf=$HOME/.wireshark
    else
        conf=$xdg
    fi
fi
dest=$conf/profiles/tcpfsm

case "${1:-}" in
--print)
    echo "$dest"
    exit 0
    ;;
"") ;;
*)
    echo "usage: $0 [--print]" >&2
    exit 64
    ;;
esac

mkdir -p "$dest"
for f in preferences colorfilters; do
    if [ -f "$dest/$f" ] && ! cmp -s "$src/$f" "$dest/$f"; then
        cp -p "$dest/$f" "$dest/$f.bak"
        echo "kept your previous $f as $dest/$f.bak"
    fi
    cp "$src/$f" "$dest/$f"
done
[ -f "$dest/recent" ] || cp "$src/recent" "$dest/recent"
echo "installed the tcpfsm profile in $dest"
echo "use it with: wireshark -C tcpfsm   (or: tshark -C tcpfsm -r CAPTURE)"
