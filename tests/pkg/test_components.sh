#!/bin/sh
# test_components.sh BUILD_DIR - the install components (never both
# copies): a plain `cmake --install` installs the tool and its man page
# (and the library, libtcpfsm, with its headers) and no plugin; `--component plugin` installs only the plugin, into the
# Wireshark global plugin folder that tshark reports (plus its README.Debian).
# Both into a DESTDIR under a temporary folder: nothing on this machine
# changes.
# Exit: 0 pass, 1 fail.
set -u
build=${1:?usage: test_components.sh BUILD_DIR}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { echo "ok: $*"; }
t=$(mktemp -d "${TMPDIR:-/tmp}/tcpfsm-comp.XXXXXX")
trap 'rm -rf "$t"' EXIT INT TERM

# the plain install
DESTDIR=$t/all cmake --install "$build" --prefix /usr/local >/dev/null || fail "cmake --install failed"
files=$(cd "$t/all" && find . -type f | sort)
echo "cmake --install: $(echo "$files" | tr '\n' ' ')"
echo "$files" | grep -q '^\./usr/local/bin/tcpfsm$' && ok "the tool is installed" || fail "no usr/local/bin/tcpfsm"
echo "$files" | grep -q '/man1/tcpfsm\.1$' && ok "the man page is installed" || fail "no man1/tcpfsm.1"
if echo "$files" | grep -q '/tcpfsm\.so$'; then
    fail "a plain cmake --install also installed the plugin"
else
    ok "no plugin in the plain install"
fi
other=$(echo "$files" | grep -v -e '/bin/tcpfsm$' -e '/man1/tcpfsm\.1$' \
        -e '/lib/.*libtcpfsm\.so\.[0-9.]*$' -e '/include/tcpfsm/[a-z_]*\.h$' -e '/pkgconfig/tcpfsm\.pc$' || true)
[ -z "$other" ] || fail "unexpected files in the plain install: $other"

# the plugin component (only when the plugin is built)
if [ -f "$build/plugin/tcpfsm.so" ]; then
    DESTDIR=$t/plugin cmake --install "$build" --component plugin >/dev/null ||
        fail "cmake --install --component plugin failed"
    files=$(cd "$t/plugin" && find . -type f | sort)
    echo "cmake --install --component plugin: $(echo "$files" | tr '\n' ' ')"
    if command -v tshark >/dev/null 2>&1; then
        global=$(env -u WIRESHARK_PLUGIN_DIR tshark -G folders 2>/dev/null |
                 sed -n 's/^Global Plugins:[[:space:]]*//p' | head -n 1)
        echo "$files" | grep -qx "\.$global/epan/tcpfsm.so" &&
            ok "the plugin goes to tshark's global folder $global/epan" ||
            fail "the plugin is not in tshark's global folder $global/epan"
    else
        echo "$files" | grep -q '/wireshark/plugins/[0-9]*\.[0-9]*/epan/tcpfsm\.so$' &&
            ok "the plugin goes to wireshark/plugins/X.Y/epan" || fail "plugin not in a X.Y/epan folder"
    fi
    echo "$files" | grep -q '/bin/tcpfsm$' && fail "the plugin component also installed the tool"
    other=$(echo "$files" | grep -v -e '/epan/tcpfsm\.so$' -e '/README\.Debian$' || true)
    [ -z "$other" ] || fail "unexpected files in the plugin component: $other"
fi

[ "$fails" -eq 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "PASS"
