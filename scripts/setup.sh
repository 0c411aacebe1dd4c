#!/usr/bin/env bash
# setup.sh - on a fresh Debian machine (12 bookworm, 13 trixie or unstable
# sid): install what tcpfsm needs, build it, and annotate a bundled capture.
#   sudo ./scripts/setup.sh            (or as root; no sudo needed then)
#   scripts/setup.sh --packages-only   only the package step (scripts/chroot.sh)
# Environment:
#   TCPFSM_NO_APT=1   skip the package step
#   TCPFSM_NO_FUZZ=1  leave out clang (scripts/test.sh's sanitizer/fuzz runs)
set -euo pipefail
cd "$(dirname "$0")/.."

packages_only=no
case "${1:-}" in
--packages-only) packages_only=yes ;;
"") ;;
*) echo "usage: $0 [--packages-only]" >&2; exit 2 ;;
esac

packages=(build-essential cmake pkg-config libglib2.0-dev libcmocka-dev libpcap-dev
          tshark wireshark-dev libwireshark-dev python3 util-linux bsdextrautils
          # the .deb packages (cpack: dpkg-shlibdeps needs file) and the
          # sudo case of the pkg_personal test (useradd)
          file dpkg-dev passwd
          # the GUI test: Wireshark's Qt GUI under Xvfb (the GUI package
          # is added below: wireshark-qt on bookworm, wireshark on trixie/sid)
          xvfb xauth xdotool x11-apps imagemagick)
# the sanitizer and fuzzing runs of scripts/test.sh
[ "${TCPFSM_NO_FUZZ:-0}" = 1 ] || packages+=(clang)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"; }

if [ "${TCPFSM_NO_APT:-0}" != 1 ]; then
    missing=()
    for p in "${packages[@]}"; do
        installed "$p" || missing+=("$p")
    done
    # Qt GUI: bookworm calls it wireshark-qt; trixie and sid have no
    # wireshark-qt, their `wireshark` is the Qt GUI (on bookworm
    # `wireshark` is only a metapackage that pulls wireshark-qt)
    gui_ok=no
    installed wireshark-qt && gui_ok=yes
    if installed wireshark && [ -x /usr/bin/wireshark ]; then gui_ok=yes; fi
    if [ "${#missing[@]}" -gt 0 ] || [ "$gui_ok" = no ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "setup.sh: these Debian packages are missing: ${missing[*]}" \
                 "$( [ "$gui_ok" = no ] && echo 'wireshark-qt (bookworm) / wireshark (trixie, sid)')" >&2
            echo "setup.sh: run it as root (sudo ./scripts/setup.sh), or install them yourself" >&2
            exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        # tshark asks whether non-root users may capture: answer no
        echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
        apt-get update -qq
        if [ "$gui_ok" = no ]; then
            if apt-cache show wireshark-qt 2>/dev/null | grep -q '^Package: wireshark-qt$'; then
                missing+=(wireshark-qt)
            else
                missing+=(wireshark)
            fi
        fi
        echo "setup.sh: apt-get install ${missing[*]}"
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi
[ "$packages_only" = yes ] && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "built: build/tool/tcpfsm$( [ -f build/plugin/tcpfsm.so ] && echo ' and build/plugin/tcpfsm.so')"
if [ -f build/plugin/tcpfsm.so ]; then
    echo "install the plugin (one of the two, never both; README \"Installing\"):"
    echo "  for yourself:  scripts/install-plugin.sh   (as the user who runs Wireshark; sudo from their account works too)"
    echo "  for everyone:  sudo cmake --install build --component plugin"
fi
echo
echo "\$ build/tool/tcpfsm summary captures/close-merged.pcap"
build/tool/tcpfsm summary captures/close-merged.pcap 2>/dev/null | column -t -s $'\t'
echo
echo "\$ build/tool/tcpfsm annotate captures/close-merged.pcap | cut -f1,20,22,35"
build/tool/tcpfsm annotate captures/close-merged.pcap 2>/dev/null | cut -f1,20,22,35
