#!/usr/bin/env bash
# lib_install.sh BUILD_DIR SOURCE_DIR CC VERSION
# libtcpfsm as a library others link, checked from the outside:
#   - `cmake --install BUILD --prefix TMP --component library` installs the
#     shared library (SONAME libtcpfsm.so.MAJOR), the headers and tcpfsm.pc;
#   - the library exports exactly the functions the installed headers mark
#     TCPFSM_API (everything else is hidden);
#   - the example program in README.md ("Using libtcpfsm from C"), built
#     with `pkg-config --cflags --libs tcpfsm` from PKG_CONFIG_PATH, links
#     the INSTALLED library, reports the project version, and prints for
#     every bundled export captures/NAME.tsv the frame number and label
#     columns of captures/NAME.annotated.tsv (`tcpfsm annotate`), byte for
#     byte.
set -u
BUILD=${1:?usage: lib_install.sh BUILD_DIR SOURCE_DIR CC VERSION}
SRC=${2:?}
CC=${3:?}
VERSION=${4:?}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
major=${VERSION%%.*}

if ! cmake --install "$BUILD" --prefix "$tmp/prefix" --component library >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"
    bad "cmake --install"
    echo "$pass passed, $fail failed"
    exit 1
fi
pc=$(find "$tmp/prefix" -name tcpfsm.pc | head -1)
[ -n "$pc" ] || { bad "no tcpfsm.pc installed"; echo "$pass passed, $fail failed"; exit 1; }
export PKG_CONFIG_PATH=${pc%/tcpfsm.pc}
libdir=$(pkg-config --variable=libdir tcpfsm)
incdir=$(pkg-config --variable=includedir tcpfsm)
[ "$(pkg-config --modversion tcpfsm)" = "$VERSION" ] && ok || bad "pkg-config --modversion: $(pkg-config --modversion tcpfsm), want $VERSION"
[ -f "$incdir/tcpfsm/tcpfsm.h" ] && ok || bad "no installed tcpfsm/tcpfsm.h under $incdir"

# the SONAME carries the major version; the .so link points at it
lib="$libdir/libtcpfsm.so"
soname=$(readelf -d "$lib" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
[ "$soname" = "libtcpfsm.so.$major" ] && ok || bad "SONAME '$soname', want libtcpfsm.so.$major"
[ -e "$libdir/libtcpfsm.so.$major" ] && ok || bad "no $libdir/libtcpfsm.so.$major"

# exported = declared TCPFSM_API in the installed headers
nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBRW]$/ {print $3}' | sort -u >"$tmp/exported"
cat "$incdir"/tcpfsm/*.h | sed 's|/\*.*\*/||' | grep -v '^ *\*\|^/\*\|define TCPFSM_API' |
    tr '\n' ' ' | grep -o 'TCPFSM_API [^;]*' |
    sed -E 's/\(.*//; s/.*[ *]([A-Za-z_][A-Za-z0-9_]*)$/\1/' | sort -u >"$tmp/declared"
if [ -s "$tmp/declared" ] && cmp -s "$tmp/exported" "$tmp/declared"; then
    ok
else
    bad "exported symbols differ from the TCPFSM_API declarations (< exported, > declared):"
    diff "$tmp/exported" "$tmp/declared" | head -20
fi

# the README's example, as a user builds it (against a library built with
# -DTCPFSM_SANITIZE=ON, with the same sanitizers, or the ASan runtime
# would not come first)
san=
if readelf -d "$lib" 2>/dev/null | grep -q 'NEEDED.*libasan'; then
    san="-fsanitize=address,undefined"
fi
awk '/<!-- lib_install: example -->/ {f = 1; next}
     f && /^```c/ {c = 1; next}
     c && /^```/ {exit}
     c {print}' "$SRC/README.md" >"$tmp/label.c"
if [ ! -s "$tmp/label.c" ]; then
    bad "no example block in README.md"
elif ! "$CC" -Wall -Wextra -Werror $san -o "$tmp/label" "$tmp/label.c" \
        $(pkg-config --cflags --libs tcpfsm) -Wl,-rpath,"$libdir" 2>"$tmp/cc.log"; then
    cat "$tmp/cc.log"
    bad "the README example does not build against the installed library"
else
    ok
    # it runs on the installed copy, not the build tree's
    resolved=$(ldd "$tmp/label" | sed -n 's/.*libtcpfsm\.so[^ ]* => \([^ ]*\).*/\1/p')
    case "$resolved" in
        "$libdir"/*) ok ;;
        *) bad "the example loads '$resolved', not the installed $libdir" ;;
    esac
    "$tmp/label" /dev/null 2>"$tmp/ver" >/dev/null
    [ "$(cat "$tmp/ver")" = "libtcpfsm $VERSION" ] && ok || bad "version line '$(cat "$tmp/ver")', want 'libtcpfsm $VERSION'"
    # shellcheck source=tests/exports.sh
    . "$SRC/tests/exports.sh"
    list_exports "$SRC/captures" lib_install.sh
    for f in "${exports[@]}"; do
        name=$(basename "${f%.tsv}")
        golden=${f%.tsv}.annotated.tsv
        [ -f "$golden" ] || continue
        # frame.number and the label columns (after the input's columns)
        ncols=$(head -1 "$f" | awk -F'\t' '{print NF}')
        cut -f1,$((ncols + 1))- "$golden" >"$tmp/want"
        if ! "$tmp/label" "$f" >"$tmp/got" 2>"$tmp/err"; then
            bad "$name: the example failed: $(cat "$tmp/err")"
        elif cmp -s "$tmp/got" "$tmp/want"; then
            ok
        else
            bad "$name: the example's labels differ from annotate's"
            diff "$tmp/want" "$tmp/got" | head -6
        fi
    done
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
