#!/bin/sh
# test_profile.sh - the "tcpfsm" Wireshark configuration profile
# (profile/tcpfsm/, installed by profile/install.sh), checked with tshark.
#
#   1. profile/install.sh, run as the test user with a private HOME,
#      installs preferences, colorfilters and recent into
#      ~/.config/wireshark/profiles/tcpfsm (the folder --print names); run
#      again it changes nothing; a file the user changed is kept as .bak;
#      a recent file Wireshark already wrote is left alone;
#   2. tshark -C tcpfsm -r captures/close-merged.pcap (as that user) uses
#      the profile: its packet list (-T psml) has the columns No., Time,
#      Source, Destination, Stream, Sender, Event, Step, Client state,
#      Server state, Info, and the Stream and tcpfsm columns hold, for
#      every frame, the values of tcp.stream, tcpfsm.role, event, step,
#      client_state and server_state; the plain text output prints them
#      too; the recent file gives every column a width, No. one that fits
#      six digits;
#   3. every colouring rule's filter compiles (tshark -Y FILTER exits 0)
#      and selects frames where it should: handshake and teardown on
#      close-merged.pcap, reset on reset.pcap, anomaly on
#      crafted-retransmissions.pcap;
#   4. tshark -C tcpfsm --color (on a terminal, made with script(1)) paints
#      every frame with the background of the first rule that matches it,
#      and says nothing of a rule it could not compile.
#
# Prints "N passed, M failed".  Exit: 0 all passed, 1 a failure, 77 when
# tshark is missing.  Environment: TSHARK, TCPFSM_PLUGIN, TCPFSM_TEST_USER
# (see tests/plugin/tshark-with-plugin.sh).
# shellcheck disable=SC2016 # awk programs in single quotes
set -u

here=$(cd "$(dirname "$0")" && pwd)
test_name=profile
# counters, ok/bad/finish, the tshark skip, plugin_setup, as_user
. "$here/../plugin/common.sh"
profile_src=$root/profile/tcpfsm

plugin_setup
home=$TCPFSM_PLUGIN_HOME
user_env() {
    as_user env -u WIRESHARK_CONFIG_DIR HOME="$home" XDG_CONFIG_HOME="$home/.config" "$@"
}
ts() { "$helper" -n "$@"; }

# ---- 1. install.sh ----
dest=$home/.config/wireshark/profiles/tcpfsm
printed=$(user_env sh "$root/profile/install.sh" --print)
if [ "$printed" = "$dest" ]; then
    ok "install.sh --print names $dest"
else
    bad "install.sh --print names '$printed', not $dest"
fi
if user_env sh "$root/profile/install.sh" >"$work/install.out" 2>&1 &&
    cmp -s "$profile_src/preferences" "$dest/preferences" &&
    cmp -s "$profile_src/colorfilters" "$dest/colorfilters" &&
    cmp -s "$profile_src/recent" "$dest/recent"; then
    ok "install.sh installs preferences, colorfilters and recent for the user"
else
    bad "install.sh does not install the profile: $(cat "$work/install.out")"
fi
user_env sh "$root/profile/install.sh" >/dev/null 2>&1
if [ "$(find "$dest" -mindepth 1 | wc -l)" -eq 3 ] && [ -z "$(find "$dest" -name '*.bak')" ]; then
    ok "install.sh run again changes nothing"
else
    bad "install.sh run again leaves: $(find "$dest" -mindepth 1 | tr '\n' ' ')"
fi
user_env sh -c 'echo "# mine" >> "$1/colorfilters"; echo "gui.zoom_level: 2" > "$1/recent"' sh "$dest"
user_env sh "$root/profile/install.sh" >/dev/null 2>&1
if grep -q '^# mine' "$dest/colorfilters.bak" 2>/dev/null &&
    cmp -s "$profile_src/colorfilters" "$dest/colorfilters" &&
    grep -qx 'gui.zoom_level: 2' "$dest/recent"; then
    ok "install.sh keeps a changed file as .bak and leaves Wireshark's recent file alone"
else
    bad "install.sh over a changed profile"
fi
user_env rm -f "$dest/colorfilters.bak"
user_env cp "$profile_src/recent" "$dest/recent"

# ---- 2. the columns ----
cm=$root/captures/close-merged.pcap
ts -C tcpfsm -r "$cm" -T psml > "$work/psml" 2>"$work/err"
awk '/<structure>/ { s = 1; next } /<\/structure>/ { s = 0 }
     s && /<section>/ { sub(/.*<section>/, ""); sub(/<\/section>.*/, ""); printf "%s|", $0 }' \
    "$work/psml" > "$work/titles"
want_titles='No.|Time|Source|Destination|Stream|Sender|Event|Step|Client state|Server state|Info|'
if [ "$(cat "$work/titles")" = "$want_titles" ]; then
    ok "tshark -C tcpfsm: the profile's columns ($want_titles)"
else
    bad "tshark -C tcpfsm: columns '$(cat "$work/titles")', not '$want_titles'"
    sed 's/^/    /' "$work/err" | head -n 5
fi
# the stream and tcpfsm columns (5 to 10) of each packet, against the
# fields, on a capture of one connection and one of several
for cap in "$cm" "$root/captures/parallel.pcap"; do
    base=$(basename "$cap")
    ts -C tcpfsm -r "$cap" -T psml 2>/dev/null |
        awk '/<packet>/ { n = 0; row = ""; next }
             /<section>/ && n >= 0 { n++; v = $0; sub(/.*<section>/, "", v); sub(/<\/section>.*/, "", v)
                 if (n == 1 || (n >= 5 && n <= 10)) row = row (n == 1 ? "" : "\t") v }
             /<\/packet>/ { print row; n = -1 }' > "$work/cols"
    ts -r "$cap" -T fields -E separator=/t -e frame.number -e tcp.stream -e tcpfsm.role \
        -e tcpfsm.event -e tcpfsm.step -e tcpfsm.client_state -e tcpfsm.server_state \
        > "$work/fields" 2>/dev/null
    if [ -s "$work/cols" ] && cmp -s "$work/fields" "$work/cols"; then
        ok "tshark -C tcpfsm, $base: Stream, Sender, Event, Step, Client state, Server state hold tcp.stream and the tcpfsm fields ($(wc -l <"$work/cols") frames)"
    else
        bad "tshark -C tcpfsm, $base: the columns differ from the fields (- fields, + columns)"
        diff "$work/fields" "$work/cols" | sed -n 's/^</    -/p; s/^>/    +/p' | head -n 10
    fi
done
# the client and server columns stay on their side: on frame 9 the server
# sends, on frame 10 the client, and each state is in its own column
for n in 9 10; do
    line=$(ts -C tcpfsm -r "$cm" 2>/dev/null | awk -v n="$n" '$1 == n')
    case "$n:$line" in
    "9:"*" 0 server fin2 "*" TIME_WAIT LAST_ACK "* | "10:"*" 0 client fin2-ack "*" TIME_WAIT CLOSED "*)
        ok "tshark -C tcpfsm prints them, frame $n: $(echo "$line" | awk '{ print $6, $7, $8, $9, $10, $11 }')" ;;
    *) bad "tshark -C tcpfsm, frame $n: '$line'" ;;
    esac
done
# the widths: every column of the profile has one, and No. fits six digits
# (about 7 pixels a digit in Wireshark's default font, plus the margins)
fmts=$(sed -n '/^gui.column.format:/,/^[^[:space:]]/p' "$profile_src/preferences" |
    grep -o '"%[^"]*"' | tr -d '"' | sed 's/:0:R$//')
missing=
for f in $fmts; do
    grep -qF "$f," "$profile_src/recent" || grep -qF "\"$f\"," "$profile_src/recent" ||
        missing="$missing $f"
done
nowidth=$(awk '$1 == "%m," { gsub(",", "", $2); print $2 }' "$profile_src/recent")
if [ -z "$missing" ] && [ "${nowidth:-0}" -ge 60 ]; then
    ok "recent: a width for each of the $(echo "$fmts" | wc -w) columns; No. $nowidth px (six digits)"
else
    bad "recent: no width for:$missing; No. ${nowidth:-none} px"
fi

# ---- 3. the colouring rules ----
grep '^@' "$profile_src/colorfilters" | awk -F@ '{ print $2 "\t" $3 }' > "$work/rules"
nrules=$(grep -c . "$work/rules")
if [ "$nrules" -ge 4 ]; then ok "colorfilters: $nrules rules"; else bad "colorfilters: $nrules rules"; fi
while IFS="$(printf '\t')" read -r name filter; do
    case "$name" in
    *handshake*) cap=$root/captures/close-merged.pcap ;;
    *teardown*) cap=$root/captures/close-merged.pcap ;;
    *reset*) cap=$root/captures/reset.pcap ;;
    *anomaly*) cap=$root/captures/crafted-retransmissions.pcap ;;
    *) cap=$cm ;;
    esac
    n=$(ts -r "$cap" -Y "$filter" -T fields -e frame.number 2>"$work/err" | grep -c .)
    if [ -s "$work/err" ] || [ "$n" -eq 0 ]; then
        bad "rule '$name': '$filter' on $(basename "$cap"): $n frames; $(head -n 2 "$work/err")"
    else
        ok "rule '$name': '$filter' compiles and selects $n frame(s) of $(basename "$cap")"
    fi
done < "$work/rules"

# ---- 4. the colours, as tshark paints them on a terminal ----
if ! command -v script >/dev/null 2>&1; then
    echo "note: script(1) not found: the colour check is skipped"
else
    for cap in "$cm" "$root/captures/reset.pcap" "$root/captures/crafted-retransmissions.pcap"; do
        base=$(basename "$cap")
        # expected background per frame: the first rule that matches
        : > "$work/expect_bg"
        while IFS="$(printf '\t')" read -r name filter; do
            bg=$(grep "^@$name@" "$profile_src/colorfilters" |
                sed 's/.*@\[\([0-9]*\),\([0-9]*\),\([0-9]*\)\]\[.*/\1 \2 \3/' |
                awk '{ printf "%d;%d;%d", int($1 / 256), int($2 / 256), int($3 / 256) }')
            ts -r "$cap" -Y "$filter" -T fields -e frame.number 2>/dev/null |
                awk -v bg="$bg" '{ print $1 "\t" bg }' >> "$work/expect_bg"
        done < "$work/rules"
        awk -F'\t' '!($1 in seen) { seen[$1] = 1; print }' "$work/expect_bg" | sort -n > "$work/expect_bg.1"
        all=$(ts -r "$cap" -T fields -e frame.number 2>/dev/null | grep -c .)
        # frames no rule matches have no colour
        ts -r "$cap" -T fields -e frame.number 2>/dev/null |
            awk -F'\t' 'NR == FNR { bg[$1] = $2; next } { print $1 "\t" ($1 in bg ? bg[$1] : "none") }' \
                "$work/expect_bg.1" - > "$work/want_bg"
        COLORTERM=truecolor script -qec "sh '$helper' -n -C tcpfsm --color -r '$cap'" /dev/null \
            > "$work/color" 2>&1
        tr -d '\r' < "$work/color" |
            awk '{ bg = "none"; line = $0
                   if (match(line, /\033\[48;2;[0-9]+;[0-9]+;[0-9]+m/)) bg = substr(line, RSTART + 7, RLENGTH - 8)
                   gsub(/\033\[[0-9;]*m/, "", line); split(line, f, " ")
                   if (f[1] ~ /^[0-9]+$/) print f[1] "\t" bg }' > "$work/got_bg"
        if grep -q 'Could not compile' "$work/color"; then
            bad "$base: tshark -C tcpfsm --color could not compile a rule: $(grep 'Could not compile' "$work/color" | head -n 1)"
        elif [ "$(grep -c . "$work/got_bg")" -eq "$all" ] && cmp -s "$work/want_bg" "$work/got_bg"; then
            ok "$base: tshark -C tcpfsm --color paints the $all frames with the first matching rule's background ($(cut -f2 "$work/got_bg" | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }'))"
        else
            bad "$base: colours differ (- expected, + painted)"
            diff "$work/want_bg" "$work/got_bg" | sed -n 's/^</    -/p; s/^>/    +/p' | head -n 10
        fi
    done
fi

finish
