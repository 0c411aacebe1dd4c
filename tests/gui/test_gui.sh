#!/bin/sh
# test_gui.sh - the tcpfsm plugin in the real Wireshark GUI (Qt), under Xvfb.
#
#   tests/gui/test_gui.sh [--screenshot FILE] [--flow-screenshot FILE]
#
# Starts Wireshark 4.0 on a private X server (Xvfb), as an unprivileged
# user when run as root (Wireshark ignores personal plugins as root), with
# the built tcpfsm.so in that user's personal plugin folder and the
# repository's tcpfsm profile installed by profile/install.sh, and checks:
#
#   plugin    tshark -G plugins, run as the same user with the same HOME,
#             loads tcpfsm.so from that HOME;
#   GUI run 1 wireshark -r close-merged.pcap -Y 'tcpfsm.event == "fin1"'
#             - a Lua script run inside the GUI (-X lua_script:gui_check.lua)
#               finds the plugin's fields, sees the same frames match the
#               filter with the same tcpfsm values as tshark, and reads the
#               filter back from the main window (get_filter());
#             - File > Export Specified Packets, driven with xdotool, saves
#               the packets the GUI displays (Packet Range: Displayed): the
#               file must hold exactly the frames tshark's filter selects;
#   GUI run 2 the same with -C tcpfsm (the profile), -Y 'tcpfsm.step'
#             and -g 9: the same checks, then the TCP State Machine tree of
#             frame 9 and its label's clauses are expanded and the window
#             captured (xwd), and the tree must have opened; then File >
#             Export Packet Dissections > As Plain Text (Displayed, All
#             expanded) writes what the GUI shows: its packet list has the
#             profile's columns (No. ... Stream, Sender, Event, Step,
#             Client state, Server state, Info) holding tshark's values of
#             tcp.stream and the tcpfsm fields, and its tree has no
#             "[truncated]" item: each label longer than a line shows as
#             its clauses, each under 240 bytes, which together are the
#             whole tcpfsm.label;
#   GUI run 3 crafted-wraparound.pcap, Statistics > Flow Graph, Flow type
#             "TCP State Machine" (the plugin's flow, tcpfsm-flow.c): the
#             dialog opens and redraws the diagram with that flow.
#
# --screenshot FILE keeps the window capture of run 2 as FILE (PNG), and
# --flow-screenshot FILE the Flow Graph of run 3: the repository's
# docs/gui-screenshot.png and docs/gui-flow-graph.png are made so.
#
# Environment: TCPFSM_PLUGIN (default build/plugin/tcpfsm.so), WIRESHARK,
# TSHARK, TCPFSM_TEST_USER (default nobody), TCPFSM_GUI_TIMEOUT (seconds a
# GUI run may take, default 120).
#
# Needs: wireshark (Debian: wireshark-qt), Xvfb (xvfb), xdotool, xwd
# (x11-apps), convert (imagemagick).  Exits 77 when one is missing or Xvfb
# or Wireshark cannot start; prints "N passed, M failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
plugin=${TCPFSM_PLUGIN:-$root/build/plugin/tcpfsm.so}
wireshark=${WIRESHARK:-wireshark}
tshark=${TSHARK:-tshark}
user=${TCPFSM_TEST_USER:-nobody}
gui_timeout=${TCPFSM_GUI_TIMEOUT:-120}
capture=$root/captures/close-merged.pcap
screenshot_out=
flow_screenshot_out=
usage="usage: $0 [--screenshot FILE] [--flow-screenshot FILE]"

while [ $# -gt 0 ]; do
    case "$1" in
    --screenshot | --flow-screenshot)
        [ $# -ge 2 ] || { echo "$usage" >&2; exit 64; }
        f=$2
        case "$f" in /*) ;; *) f=$(pwd)/$f ;; esac
        if [ "$1" = --screenshot ]; then screenshot_out=$f; else flow_screenshot_out=$f; fi
        shift 2
        ;;
    *)
        echo "$usage" >&2
        exit 64
        ;;
    esac
done

skip() {
    echo "SKIP: $*" >&2
    exit 77
}

for tool in "$wireshark" "$tshark" Xvfb xdotool xwd convert timeout; do
    command -v "$tool" >/dev/null 2>&1 ||
        skip "$tool not found (Debian: apt-get install wireshark-qt xvfb xdotool x11-apps imagemagick)"
done
[ -r "$plugin" ] || { echo "plugin not found: $plugin (cmake --build build)" >&2; exit 2; }
[ -r "$capture" ] || { echo "capture not found: $capture" >&2; exit 2; }

pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   - $*"; }
bad() { fail=$((fail + 1)); echo "FAIL - $*"; }

# is_root, as_user CMD... (user: $TCPFSM_TEST_USER, default nobody)
. "$root/tests/plugin/as_user.sh"

# ---- a private HOME: the plugin, the profile, the files the user reads ----
home=$(TCPFSM_PLUGIN=$plugin TSHARK=$tshark sh "$root/tests/plugin/tshark-with-plugin.sh" --prepare) ||
    { echo "cannot prepare a HOME for the test user" >&2; exit 2; }
xvfb_pid=
ws_pid=
cleanup() {
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    [ -n "$ws_pid" ] && wait "$ws_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && wait "$xvfb_pid" 2>/dev/null
    rm -rf "$home"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

work=$home/work
mkdir -p "$work" "$home/run"
cp "$capture" "$home/captures/close-merged.pcap"
cp "$here/gui_check.lua" "$home/gui_check.lua"
if [ "$is_root" = yes ]; then
    chown -R "$user" "$home"
    chmod -R u+rwX,go+rX "$home"
fi
chmod 700 "$home/run"
cap=$home/captures/close-merged.pcap

# the user's environment: Wireshark's personal folders all in $home
user_env() {
    as_user env -u WIRESHARK_CONFIG_DIR -u SESSION_MANAGER -u DBUS_SESSION_BUS_ADDRESS \
        HOME="$home" XDG_CONFIG_HOME="$home/.config" XDG_RUNTIME_DIR="$home/run" \
        WIRESHARK_PLUGIN_DIR="$home/global-plugins" "$@"
}

if ! user_env sh "$root/profile/install.sh" >"$work/install.log" 2>&1; then
    cat "$work/install.log" >&2
    bad "profile/install.sh installs the tcpfsm profile for the test user"
else
    ok "profile/install.sh installs the tcpfsm profile for the test user"
fi

# ---- (a) the plugin is loaded by this user with this HOME ----
loaded=$(user_env timeout 60 "$tshark" -G plugins 2>/dev/null |
    awk -F'\t' '$1 ~ /^tcpfsm\.so/ { print $4 }')
proto=$(user_env timeout 60 "$tshark" -G protocols 2>/dev/null | awk -F'\t' '$3 == "tcpfsm"')
case "$loaded" in
"$home"/.local/lib/wireshark/plugins/*/epan/tcpfsm.so)
    if [ -n "$proto" ]; then
        ok "tshark -G plugins (same user, same HOME) loads $loaded: protocol $(echo "$proto" | cut -f1,2 | tr '\t' /)"
    else
        bad "tshark -G plugins loads $loaded, but no protocol tcpfsm is registered (not the tcpfsm plugin?)"
    fi
    ;;
*) bad "tshark -G plugins (same user, same HOME) does not load the personal tcpfsm.so (got '$loaded')" ;;
esac

# tshark's answer, to compare with the GUI's: frame event step src dst
tshark_frames() { # FILTER [PROFILE]
    f=$1
    set -- ${2:+-C "$2"}
    user_env timeout 60 "$tshark" "$@" -n -r "$cap" -Y "$f" -T fields -E separator=/t \
        -e frame.number -e tcpfsm.event -e tcpfsm.step -e tcpfsm.src_state \
        -e tcpfsm.dst_state 2>/dev/null
}
# frame identities that survive an export: time, seq, ports
tshark_ids() { # FILE [FILTER]
    if [ $# -ge 2 ]; then
        user_env timeout 60 "$tshark" -n -r "$1" -Y "$2" -T fields -e frame.time_epoch \
            -e tcp.seq_raw -e tcp.srcport -e tcp.dstport 2>/dev/null
    else
        user_env timeout 60 "$tshark" -n -r "$1" -T fields -e frame.time_epoch \
            -e tcp.seq_raw -e tcp.srcport -e tcp.dstport 2>/dev/null
    fi
}

# ---- Xvfb, with its own cookie ----
xauth_file=$home/.Xauthority
cookie=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
display=
n=90
while [ $n -lt 160 ]; do
    if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then
        rm -f "$xauth_file"
        if command -v xauth >/dev/null 2>&1; then
            xauth -q -f "$xauth_file" add ":$n" . "$cookie" 2>/dev/null
            auth_opt="-auth $xauth_file"
        else
            auth_opt="-ac"
        fi
        # shellcheck disable=SC2086
        Xvfb ":$n" -screen 0 1280x1024x24 -nolisten tcp $auth_opt >"$work/xvfb.log" 2>&1 &
        xvfb_pid=$!
        i=0
        while [ $i -lt 50 ] && kill -0 "$xvfb_pid" 2>/dev/null && [ ! -e "/tmp/.X11-unix/X$n" ]; do
            sleep 0.1
            i=$((i + 1))
        done
        if kill -0 "$xvfb_pid" 2>/dev/null && [ -e "/tmp/.X11-unix/X$n" ]; then
            display=:$n
            break
        fi
        kill "$xvfb_pid" 2>/dev/null
        wait "$xvfb_pid" 2>/dev/null
        xvfb_pid=
    fi
    n=$((n + 1))
done
[ -n "$display" ] || skip "Xvfb does not start (see $work/xvfb.log)"
[ "$is_root" = yes ] && [ -f "$xauth_file" ] && chown "$user" "$xauth_file"
export DISPLAY="$display"
[ -f "$xauth_file" ] && export XAUTHORITY="$xauth_file"

# xdotool/xwd as ourselves on that display
x() { timeout 20 "$@"; }

wait_for() { # SECONDS COMMAND...: until COMMAND succeeds
    t=$(($1 * 10))
    shift
    while [ $t -gt 0 ]; do
        "$@" && return 0
        sleep 0.1
        t=$((t - 1))
    done
    return 1
}
window_named() { # REGEX: prints the first window id
    x xdotool search --name "$1" 2>/dev/null | head -n 1
}
has_window() { [ -n "$(window_named "$1")" ]; }
lua_drawn() { grep -q '^drawn' "$1" 2>/dev/null; }
ws_alive() { [ -n "$ws_pid" ] && kill -0 "$ws_pid" 2>/dev/null; }
ws_gone() { ! ws_alive; }

shot() { # WINDOW FILE.png
    x xwd -id "$1" -silent >"$2.xwd" 2>/dev/null && convert "$2.xwd" "$2" 2>/dev/null
    rm -f "$2.xwd"
    [ -s "$2" ]
}

start_wireshark() { # LOGNAME ARGS...
    log=$work/$1.log
    shift
    user_env DISPLAY="$display" XAUTHORITY="${XAUTHORITY:-}" QT_QPA_PLATFORM=xcb \
        timeout -k 5 "$gui_timeout" "$wireshark" "$@" >"$log" 2>&1 &
    ws_pid=$!
}

stop_wireshark() {
    [ -n "$ws_pid" ] || return 0
    w=$(window_named '^close-merged\.pcap$')
    if [ -n "$w" ] && ws_alive; then
        x xdotool windowfocus --sync "$w" 2>/dev/null
        x xdotool key ctrl+q 2>/dev/null
        wait_for 10 ws_gone
    fi
    if ws_alive; then
        kill "$ws_pid" 2>/dev/null
        wait_for 5 ws_gone || kill -9 "$ws_pid" 2>/dev/null
    fi
    wait "$ws_pid" 2>/dev/null
    ws_pid=
}

# File > Export Specified Packets (the dialog's Packet Range is "Displayed"
# whenever a display filter is applied) into FILE.  The 4.0 File menu has no
# shortcut for it: it is the 8th enabled item (Save is disabled for a file
# just opened).  Another position opens a submenu or a harmless dialog,
# which the window title tells apart.
export_displayed() { # WINDOW FILE
    w=$1
    out=$2
    for downs in 7 8 6; do
        x xdotool windowfocus --sync "$w" 2>/dev/null
        x xdotool key alt+f
        sleep 0.7
        i=0
        while [ $i -lt $downs ]; do
            x xdotool key Down
            i=$((i + 1))
        done
        x xdotool key Return
        if wait_for 10 has_window 'Export Specified Packets'; then
            d=$(window_named 'Export Specified Packets')
            x xdotool windowfocus --sync "$d" 2>/dev/null
            sleep 0.5
            # the File name field has the focus
            x xdotool type --delay 10 "$out"
            x xdotool key Return
            wait_for 15 test -s "$out" && wait_for 5 sh -c "! xdotool search --name 'Export Specified Packets' >/dev/null 2>&1"
            return $?
        fi
        x xdotool key Escape Escape Escape
        sleep 0.5
        for d in $(x xdotool search --name '^Wireshark · ' 2>/dev/null); do
            x xdotool windowfocus "$d" 2>/dev/null
            x xdotool key Escape
        done
    done
    return 1
}

# One GUI run: NAME FILTER PROFILE [wireshark options] (PROFILE "" for
# the default one)
gui_run() {
    name=$1
    filter=$2
    profile=$3
    shift 3
    luaout=$home/$name.lua.out
    rm -f "$luaout"
    start_wireshark "$name" ${profile:+-C "$profile"} -r "$cap" -Y "$filter" \
        -X "lua_script:$home/gui_check.lua" -X "lua_script1:$luaout" \
        -X "lua_script1:$filter" "$@"
    if ! wait_for 60 has_window '^close-merged\.pcap$'; then
        sed 's/^/    /' "$work/$name.log" >&2
        others=$(x xdotool search --class wireshark getwindowname %@ 2>/dev/null |
            grep -v '^Qt Selection Owner' | grep . | paste -sd, -)
        if [ "$name" = run1 ] && [ -z "$others" ]; then
            stop_wireshark
            skip "Wireshark did not open a window on $display within 60 s"
        fi
        bad "$name: Wireshark opens close-merged.pcap in a window (its windows: ${others:-none})"
        stop_wireshark
        return 1
    fi
    ok "$name: Wireshark opens close-merged.pcap in a window (as $(as_user id -un), $display)"
    wait_for 30 lua_drawn "$luaout"
    win=$(window_named '^close-merged\.pcap$')

    # (a) the plugin inside the GUI
    if grep -qx 'gui	true' "$luaout" 2>/dev/null && grep -qx 'fields	ok' "$luaout"; then
        ok "$name: inside the GUI (gui_enabled), the tcpfsm fields exist (plugin loaded)"
    else
        bad "$name: the Lua check inside the GUI did not find the tcpfsm fields: $(tr '\n' ' ' <"$luaout" 2>/dev/null)"
    fi
    # (b) the filter: the frames that match it in the GUI's dissection
    want=$(tshark_frames "$filter" "$profile" | sort -n)
    got=$(grep '^frame	' "$luaout" 2>/dev/null | cut -f2- | sort -n)
    if [ -n "$want" ] && [ "$got" = "$want" ]; then
        ok "$name: frames matching '$filter' in the GUI, with their tcpfsm values: $(echo "$got" | cut -f1,3 | tr '\t' ' ' | paste -sd, -)"
    else
        bad "$name: frames matching '$filter' in the GUI: got [$got], tshark says [$want]"
    fi
    if grep -qxF "filter	$filter" "$luaout" 2>/dev/null; then
        ok "$name: the main window's display filter is '$filter'"
    else
        bad "$name: the main window's display filter is not '$filter': $(grep '^filter' "$luaout" | head -n 1)"
    fi
    # (b) the packet list: export what it displays
    exported=$home/$name-displayed.pcap
    if export_displayed "$win" "$exported"; then
        want=$(tshark_ids "$cap" "$filter")
        got=$(tshark_ids "$exported")
        n=$(printf '%s\n' "$got" | grep -c .)
        if [ -n "$want" ] && [ "$got" = "$want" ]; then
            ok "$name: the packet list displays exactly the $n frame(s) the filter selects (File > Export Specified Packets > Displayed)"
        else
            bad "$name: the packet list displays [$got], the filter selects [$want]"
        fi
    else
        shot "$win" "$work/$name-export-failed.png"
        bad "$name: could not export the displayed packets through File > Export Specified Packets"
    fi
    return 0
}

# ---- run 1: default profile, the filter of the README ----
gui_run run1 'tcpfsm.event == "fin1"' ''
stop_wireshark

# ---- run 2: the tcpfsm profile, a teardown, the tree expanded ----
if gui_run run2 'tcpfsm.step' tcpfsm -g 9 \
    -o gui.layout_content_3:NONE -o gui.geometry_main_upper_pane:190; then
    win=$(window_named '^close-merged\.pcap$')
    x xdotool windowsize "$win" 1100 840
    x xdotool windowmove "$win" 0 0
    sleep 1.5
    before=$work/before.png
    after=$work/after.png
    shot "$win" "$before"
    # The filter selected frame 9's tcpfsm item in the packet details: the
    # one light-blue band (an unfocused selection) below the packet list.
    band=$(convert "$before" -crop 1x840+1040+0 +repage txt:- 2>/dev/null |
        awk -F'[,: ]+' '/#80B7F7/ { print $2 }' |
        awk 'NR == 1 || $1 != prev + 1 { start = $1 } { prev = $1; end[start] = $1 }
             END { for (s in end) if (end[s] - s >= 9) print s, end[s] }' |
        sort -n | tail -n 1)
    expanded=no
    if [ -n "$band" ]; then
        y=$(echo "$band" | awk '{ print int(($1 + $2) / 2) }')
        x xdotool mousemove --window "$win" 400 "$y" click 1
        sleep 0.3
        x xdotool key Right
        sleep 0.3
        # its first item is the label: open its clauses too
        x xdotool key Down Right
        sleep 0.3
        x xdotool mousemove 1270 1010 # the pointer off the window
        sleep 1
        shot "$win" "$after"
        # the rows below the item changed: the subtree opened
        y2=$(echo "$band" | awk '{ print $2 + 1 }')
        h1=$(convert "$before" -crop "700x80+0+$y2" +repage rgb:- 2>/dev/null | cksum)
        h2=$(convert "$after" -crop "700x80+0+$y2" +repage rgb:- 2>/dev/null | cksum)
        [ "$h1" != "$h2" ] && expanded=yes
    else
        shot "$win" "$after"
    fi
    if [ "$expanded" = yes ]; then
        ok "run2: the TCP State Machine tree of frame 9 opens in the packet details (screenshot)"
    else
        bad "run2: could not open the TCP State Machine tree of frame 9 (selected item not found: '$band')"
    fi
    # File > Export Packet Dissections > As Plain Text: the 9th enabled
    # item of the File menu (the one after Export Specified Packets),
    # then the first of its submenu
    dis=$home/run2-dissections.txt
    for downs in 8 9 7; do
        x xdotool windowfocus --sync "$win" 2>/dev/null
        x xdotool key alt+f
        sleep 0.7
        i=0
        while [ $i -lt $downs ]; do
            x xdotool key Down
            i=$((i + 1))
        done
        x xdotool key Right Return
        if wait_for 10 has_window 'Export Packet Dissections'; then
            d=$(window_named 'Export Packet Dissections')
            x xdotool windowfocus --sync "$d" 2>/dev/null
            sleep 0.5
            # Details: All e&xpanded; File &name; Return saves
            x xdotool key alt+x alt+n
            x xdotool type --delay 10 "$dis"
            x xdotool key Return
            wait_for 15 test -s "$dis"
            sleep 1
            break
        fi
        x xdotool key Escape Escape Escape
        sleep 0.5
        for d in $(x xdotool search --name '^Wireshark · ' 2>/dev/null); do
            x xdotool windowfocus "$d" 2>/dev/null
            x xdotool key Escape
        done
    done
    if [ ! -s "$dis" ]; then
        bad "run2: could not export the packet dissections (File > Export Packet Dissections > As Plain Text)"
    else
        tshark_frames_ext() {
            user_env timeout 60 "$tshark" -C tcpfsm -n -r "$cap" -Y 'tcpfsm.step' -T fields \
                -E separator=/t -e frame.number -e tcp.stream -e tcpfsm.role -e tcpfsm.event \
                -e tcpfsm.step -e tcpfsm.client_state -e tcpfsm.server_state 2>/dev/null
        }
        tshark_frames_ext >"$work/run2-want-cols"
        user_env timeout 60 "$tshark" -n -r "$cap" -Y 'tcpfsm.step' -T fields -E separator=/t \
            -e frame.number -e tcpfsm.label >"$work/run2-labels" 2>/dev/null
        if python3 - "$dis" "$work/run2-want-cols" "$work/run2-labels" >"$work/run2-check" 2>&1 <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
want = [l.split("\t") for l in open(sys.argv[2], encoding="utf-8").read().splitlines()]
labels = dict(l.split("\t", 1) for l in open(sys.argv[3], encoding="utf-8").read().splitlines())
lines = text.splitlines()
bad = []
# the packet list: the column headings, then one summary line per frame
head = next((l for l in lines if l.startswith("No.")), "")

title = ["No.", "Time", "Source", "Destination", "Stream", "Sender", "Event", "Step",
         "Client state", "Server state", "Info"]
if re.sub(r"\s+", " ", head.strip()) != " ".join(title):
    bad.append("column headings: %r" % head)
got = []
for l in lines:
    f = l.split()
    if len(f) > 10 and f[0].isdigit() and l.startswith(" "):
        got.append([f[0]] + f[4:10])
if got != want:
    bad.append("summary lines %r, tshark %r" % (got, want))
# the tree: no item cut short
if "[truncated]" in text:
    bad.append("an item is [truncated]: %r" % [l for l in lines if "[truncated]" in l][:2])
# every label: its item, and its clauses below it when it is long
frame = None
n_split = 0
for i, l in enumerate(lines):
    m = re.match(r"Frame (\d+):", l)
    if m:
        frame = m.group(1)
    m = re.match(r"( *)\[Label: (.*)\]$", l)
    if not m or frame not in labels:
        continue
    full, ind = labels[frame], len(m.group(1))
    if len(l.encode()) >= 240:
        bad.append("frame %s: label item of %d bytes" % (frame, len(l.encode())))
    clauses = []
    for c in lines[i + 1:]:
        if len(c) - len(c.lstrip(" ")) <= ind:
            break
        clauses.append(c.strip())
    if not clauses:
        if m.group(2) != full:
            bad.append("frame %s: label %r, field %r" % (frame, m.group(2), full))
        continue
    n_split += 1
    rest = full
    for c in clauses:
        if len(c.encode()) >= 240:
            bad.append("frame %s: a clause of %d bytes" % (frame, len(c.encode())))
        at = rest.find(c)
        if at < 0 or rest[:at].strip(" ;—,") != "":
            bad.append("frame %s: clause %r not next in %r" % (frame, c, rest))
            break
        rest = rest[at + len(c):]
    if rest.strip(" ;—,") != "":
        bad.append("frame %s: the clauses leave out %r" % (frame, rest))
if n_split == 0:
    bad.append("no label shown as clauses")
print("\n".join(bad) if bad else "%d frames, %d labels as clauses" % (len(got), n_split))
sys.exit(1 if bad else 0)
PY
        then
            ok "run2: the GUI's export (Packet Dissections, All expanded): the profile's columns with tshark's values, no [truncated] item, long labels as their clauses ($(cat "$work/run2-check"))"
        else
            bad "run2: the GUI's packet list / tree: $(head -c 600 "$work/run2-check")"
        fi
    fi
    if [ -n "$screenshot_out" ] && [ -s "$after" ]; then
        # a PNG of a few colours: keep it small
        convert "$after" -strip -colors 64 "$screenshot_out" 2>/dev/null ||
            cp "$after" "$screenshot_out"
        echo "     screenshot: $screenshot_out ($(wc -c <"$screenshot_out") bytes)"
    fi
fi
stop_wireshark

# ---- run 3: Statistics > Flow Graph, flow type "TCP State Machine" ----
# (tests/plugin/test_flow.sh checks the arrows' text through tshark; here
# the GUI offers the flow and draws it)
flow_ok=no
wrap=$home/captures/crafted-wraparound.pcap
cp "$root/captures/crafted-wraparound.pcap" "$wrap" && chmod a+r "$wrap"
start_wireshark run3 -C tcpfsm -r "$wrap"
if wait_for 60 has_window '^crafted-wraparound\.pcap$'; then
    win=$(window_named '^crafted-wraparound\.pcap$')
    sleep 1
    # Flow Graph is the 18th item of the Statistics menu (its place
    # depends on the items the loaded plugins add: the title tells)
    for downs in 17 16 18; do
        x xdotool windowfocus --sync "$win" 2>/dev/null
        x xdotool key alt+s
        sleep 0.7
        i=0
        while [ $i -lt $downs ]; do
            x xdotool key Down
            i=$((i + 1))
        done
        x xdotool key Return
        wait_for 10 has_window '^Wireshark · Flow · ' && break
        x xdotool key Escape Escape Escape
        for d in $(x xdotool search --name '^Wireshark · ' 2>/dev/null); do
            x xdotool windowfocus "$d" 2>/dev/null
            x xdotool key Escape
        done
    done
    fwin=$(window_named '^Wireshark · Flow · ')
    if [ -n "$fwin" ]; then
        x xdotool windowsize "$fwin" 1000 560
        x xdotool windowmove "$fwin" 0 0
        sleep 1.5
        shot "$fwin" "$work/flow-all.png"
        # the Flow type box (bottom middle of the dialog): open it, pick
        # "TCP State Machine" by typing its name
        x xdotool mousemove --window "$fwin" 537 505 click 1
        sleep 0.7
        x xdotool type --delay 30 "TCP State Machine"
        x xdotool key Return
        sleep 2
        x xdotool mousemove 1270 1010
        sleep 0.5
        shot "$fwin" "$work/flow-tcpfsm.png"
        # and Wireshark's own "TCP Flows", to tell the two apart (without
        # the plugin, typing "TCP State Machine" would stop at "TCP Flows")
        x xdotool mousemove --window "$fwin" 537 505 click 1
        sleep 0.7
        x xdotool type --delay 30 "TCP Flows"
        x xdotool key Return
        sleep 2
        x xdotool mousemove 1270 1010
        sleep 0.5
        shot "$fwin" "$work/flow-tcp.png"
        h1=$(convert "$work/flow-all.png" -crop 600x300+90+60 +repage rgb:- 2>/dev/null | cksum)
        h2=$(convert "$work/flow-tcpfsm.png" -crop 600x300+90+60 +repage rgb:- 2>/dev/null | cksum)
        h3=$(convert "$work/flow-tcp.png" -crop 600x300+90+60 +repage rgb:- 2>/dev/null | cksum)
        [ -s "$work/flow-tcpfsm.png" ] && [ -s "$work/flow-tcp.png" ] &&
            [ "$h1" != "$h2" ] && [ "$h2" != "$h3" ] && [ "$h1" != "$h3" ] && flow_ok=yes
    fi
fi
if [ "$flow_ok" = yes ]; then
    ok "run3: Statistics > Flow Graph offers the TCP State Machine flow and draws it, unlike All Flows and TCP Flows (screenshot)"
    if [ -n "$flow_screenshot_out" ]; then
        convert "$work/flow-tcpfsm.png" -strip -colors 64 "$flow_screenshot_out" 2>/dev/null ||
            cp "$work/flow-tcpfsm.png" "$flow_screenshot_out"
        echo "     screenshot: $flow_screenshot_out ($(wc -c <"$flow_screenshot_out") bytes)"
    fi
else
    bad "run3: could not draw the TCP State Machine flow in Statistics > Flow Graph"
fi
stop_wireshark

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
