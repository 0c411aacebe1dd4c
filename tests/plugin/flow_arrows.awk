# flow_arrows.awk - the arrows of `tshark -q -z flow,tcpfsm,standard`, one
# line each: SRCPORT<TAB>DSTPORT<TAB>LABEL<TAB>COMMENT<TAB>WIDTH (WIDTH:
# how many characters of the label the arrow has room for; tshark cuts
# it there).  Used by test_flow.sh and test_drift.sh.
BEGIN { OFS = "\t"; have = 0 }
# a label line: [conv] |time | ... label ... |comment
/^([0-9]+ *)?\|[0-9]+\.[0-9]+ *\|/ {
    line = $0
    sub(/^[0-9]* *\|[^|]*/, "", line)
    n = split(line, part, "|")
    comment = part[n]
    mid = ""
    for (i = 1; i < n; i++) mid = mid " " part[i]
    gsub(/  +/, " ", mid); sub(/^ /, "", mid); sub(/ $/, "", mid)
    label = mid; have = 1
    next
}
have && /\([0-9]+\)/ && /[-<>]/ {
    a = $0; p1 = ""; p2 = ""
    if (match(a, /\([0-9]+\)/)) { p1 = substr(a, RSTART + 1, RLENGTH - 2); a = substr(a, RSTART + RLENGTH) }
    if (match(a, /\([0-9]+\)/)) { p2 = substr(a, RSTART + 1, RLENGTH - 2) }
    d = $0; w = gsub(/-/, "-", d) + 2
    if (index($0, ">")) print p1, p2, label, comment, w
    else print p2, p1, label, comment, w
    have = 0
}