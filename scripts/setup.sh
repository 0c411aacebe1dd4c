#!/usr/bin/env bash
# setup.sh - on a fresh Debian (bookworm) machine: install what tcpfsm
# needs, build it, and annotate a bundled capture.
#   sudo ./scripts/setup.sh            (or as root)
# Set TCPFSM_NO_APT=1 to skip the package step.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake pkg-config libglib2.0-dev libcmocka-dev libpcap-dev
          tshark wireshark-dev libwireshark-dev python3 util-linux
          # the sanitizer and fuzzing runs of scripts/test.sh
          clang
          # the GUI test: Wireshark's Qt GUI under Xvfb
          wireshark-qt xvfb xauth xdotool x11-apps imagemagick)

if [ "${TCPFSM_NO_APT:-0}" != 1 ]; then
    missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" -ne 0 ]; then
            echo "setup.sh: these Debian packages are missing: ${missing[*]}" >&2
            echo "setup.sh: run it as root (sudo ./scripts/setup.sh), or install them yourself" >&2
            exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        # tshark asks whether non-root users may capture: answer no
        echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
echo "built: build/tool/tcpfsm$( [ -f build/plugin/tcpfsm.so ] && echo ' and build/plugin/tcpfsm.so')"
echo
echo "\$ build/tool/tcpfsm summary captures/close-merged.pcap"
build/tool/tcpfsm summary captures/close-merged.pcap 2>/dev/null | column -t -s $'\t'
echo
echo "\$ build/tool/tcpfsm annotate captures/close-merged.pcap | cut -f1,20,22,33"
build/tool/tcpfsm annotate captures/close-merged.pcap 2>/dev/null | cut -f1,20,22,33
