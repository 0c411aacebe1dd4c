# as_user.sh - sourced by tshark-with-plugin.sh and the tests that run
# Wireshark themselves: when root, run commands as the unprivileged test
# user (Wireshark ignores personal plugins as root).
#   user     the test user: $TCPFSM_TEST_USER, default nobody
#   is_root  yes / no
#   as_user CMD...  run CMD as the test user (root) or as ourselves
# shellcheck shell=sh disable=SC2034 # variables used by the callers
user=${TCPFSM_TEST_USER:-nobody}
is_root=no
[ "$(id -u)" -eq 0 ] && is_root=yes
as_user() {
    if [ "$is_root" = no ]; then
        "$@"
    elif command -v setpriv >/dev/null 2>&1; then
        setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups -- "$@"
    else
        runuser -u "$user" -- "$@"
    fi
}
