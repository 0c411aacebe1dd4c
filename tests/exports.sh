# exports.sh - sourced by golden.sh and ladder_golden.sh: the committed
# tshark exports captures/NAME.tsv (not the golden outputs beside them).
#   list_exports DIR CALLER  fills the array `exports`, or says so and
#                            exits 1 when DIR holds none
# shellcheck shell=bash
list_exports() {
    shopt -s nullglob
    exports=()
    local f
    for f in "$1"/*.tsv; do
        case "$f" in *.annotated.tsv|*.summary.tsv) continue ;; esac
        exports+=("$f")
    done
    if [ "${#exports[@]}" -eq 0 ]; then
        echo "$2: no exports in $1"
        echo "0 passed, 1 failed"
        exit 1
    fi
}
