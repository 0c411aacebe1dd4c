#!/usr/bin/env bash
# man_check.sh TCPFSM MANPAGE - the manual page and `tcpfsm --help` list
# the same commands and the same options:
#   - every long option (--name) and short option (-x, --name) of
#     `tcpfsm --help` is in the man page, and every one the man page names
#     is in `tcpfsm --help`;
#   - every command of --help has its entry in the man page's SYNOPSIS and
#     the reverse;
#   - the options of `tcpfsm ladder --help` are all in `tcpfsm --help`;
#   - the page renders without a groff warning (when groff is installed).
set -u
TCPFSM=${1:?usage: man_check.sh TCPFSM MANPAGE}
MAN=${2:?usage: man_check.sh TCPFSM MANPAGE}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

[ -f "$MAN" ] && ok || { bad "no man page $MAN"; echo "$pass passed, $fail failed"; exit 1; }
"$TCPFSM" --help >"$tmp/help" 2>&1 && ok || bad "tcpfsm --help failed"
"$TCPFSM" ladder --help >"$tmp/ladder" 2>&1 && ok || bad "tcpfsm ladder --help failed"
# the roff source as text: \- is a hyphen; drop quotes and font changes
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/"//g' "$MAN" >"$tmp/man"

# options NAME FILE: one option per line, sorted
options() {
    { grep -oE -- '--[a-z][a-z-]*[a-z]' "$1"
      grep -oE -- '(^|[^-[:alnum:]])-[a-zA-Z] *, *--[a-z]' "$1" | grep -oE -- '-[a-zA-Z]'
    } | sort -u
}
options "$tmp/help" >"$tmp/help.opts"
options "$tmp/man" >"$tmp/man.opts"
options "$tmp/ladder" >"$tmp/ladder.opts"
[ -s "$tmp/help.opts" ] && ok || bad "no option found in --help"

while read -r o; do
    grep -qxF -- "$o" "$tmp/man.opts" && ok || bad "$o is in tcpfsm --help, not in $MAN"
done <"$tmp/help.opts"
while read -r o; do
    grep -qxF -- "$o" "$tmp/help.opts" && ok || bad "$o is in $MAN, not in tcpfsm --help"
done <"$tmp/man.opts"
while read -r o; do
    grep -qxF -- "$o" "$tmp/help.opts" && ok || bad "$o is in tcpfsm ladder --help, not in tcpfsm --help"
done <"$tmp/ladder.opts"

# commands: "  NAME ..." lines of the Commands section / ".B tcpfsm NAME"
sed -n '/^Commands:/,/^$/p' "$tmp/help" | grep -oE '^  [a-z]+' | tr -d ' ' | sort -u >"$tmp/help.cmds"
grep -oE '^\.B tcpfsm [a-z]+' "$tmp/man" | awk '{print $3}' | sort -u >"$tmp/man.cmds"
[ "$(wc -l <"$tmp/help.cmds")" -ge 5 ] && ok || bad "commands not found in --help: $(cat "$tmp/help.cmds")"
if diff "$tmp/help.cmds" "$tmp/man.cmds" >"$tmp/diff"; then ok; else
    bad "commands differ (< --help, > $MAN): $(tr '\n' ' ' <"$tmp/diff")"
fi
# each command has its own entry under COMMANDS
while read -r c; do
    grep -qE "^\.(B|BR) $c( |$)" "$tmp/man" && ok || bad "command $c has no entry in $MAN"
done <"$tmp/help.cmds"

if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww -z "$MAN" >"$tmp/groff" 2>&1
    [ ! -s "$tmp/groff" ] && ok || bad "groff warnings: $(head -5 "$tmp/groff")"
else
    echo "SKIP groff not installed: the rendering is not checked"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
