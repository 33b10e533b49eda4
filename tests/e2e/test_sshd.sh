#!/bin/bash
# A real login: sshd on 127.0.0.1 with pam_atmos in its PAM stack.  Log in
# with a key, see the user's atmos files during the session, log out, and
# check they are gone while the keychain and another user's files stay.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "sshd login" "needs root to run sshd and create test users"; exit 0
fi
if [ -n "${SAN:-}" ]; then
    skip "sshd login" "sshd is not built with ASan, so it cannot load the ASan module; the normal build runs this test"
    exit 0
fi
for tool in /usr/sbin/sshd ssh ssh-keygen; do
    command -v "$tool" >/dev/null || { skip "sshd login" "$tool is not installed (make deps installs it)"; exit 0; }
done

# The service file goes into a private copy of /etc/pam.d, bound over it in
# this script's mount namespace (lib.sh): sshd, started here, reads it there,
# and the machine's /etc/pam.d is never written.
if [ -z "${ATMOS_E2E_NS:-}" ] || ! { cp -a /etc/pam.d "$TMPROOT/etc-pam.d" && mount --bind "$TMPROOT/etc-pam.d" /etc/pam.d; }; then
    echo "not ok - sshd login: no private /etc/pam.d (a mount namespace of the script's own, lib.sh)"; exit 1
fi
at_exit 'umount /etc/pam.d 2>/dev/null'

MOD=$ROOT/${BUILD:-build}/pam_atmos.so
# OpenSSH names its PAM service after the program: a link gives us our own service file.
SERVICE=atmos-test-sshd-$$
UA=atmos-ssh-a$$; UB=atmos-ssh-b$$
HA=$TMPROOT/ssh-a; HB=$TMPROOT/ssh-b
SSHD_PID=""
at_exit '[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; rm -f "/etc/pam.d/$SERVICE"'

for u in "$UA:$HA" "$UB:$HB"; do
    add_test_user "${u%%:*}" "${u#*:}" /bin/sh || { echo "not ok - useradd failed"; exit 1; }
    usermod -p '*' "${u%%:*}"   # no password, but not locked
done
populate_user() { # USER HOME
    mkdir -p "$2/.atmos" "$2/.ssh" "$2/.local/share/atmos/keyring"
    bash "$ROOT/etc/examples/populate.sh" "$2"
    cp "$EXAMPLE" "$2/.atmos/atmos.yaml"
    echo enc >"$2/.local/share/atmos/keyring/atmos_dev-admin"
}
populate_user "$UA" "$HA"; populate_user "$UB" "$HB"
ssh-keygen -q -t ed25519 -N '' -f "$TMPROOT/id" </dev/null
cp "$TMPROOT/id.pub" "$HA/.ssh/authorized_keys"
chown -R "$UA:" "$HA"; chown -R "$UB:" "$HB"; chmod 700 "$HA" "$HB"

ssh-keygen -q -t ed25519 -N '' -f "$TMPROOT/host" </dev/null
PORT=$(( 20000 + RANDOM % 20000 ))
cat >"$TMPROOT/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $TMPROOT/host
PidFile $TMPROOT/sshd.pid
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
AllowUsers $UA $UB
AuthorizedKeysFile .ssh/authorized_keys
LogLevel VERBOSE
EOF
cat >"/etc/pam.d/$SERVICE" <<EOF
auth     required pam_deny.so
account  required pam_permit.so
session  optional $MOD state_dir=$TMPROOT/state helper=$PAM_HELPER debug
EOF
mkdir -p /run/sshd && chmod 755 /run/sshd
ln -s /usr/sbin/sshd "$TMPROOT/$SERVICE"
"$TMPROOT/$SERVICE" -D -f "$TMPROOT/sshd_config" -E "$TMPROOT/sshd.log" &
SSHD_PID=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && break; sleep 0.1; done

ssh_a() {
    timeout 30 ssh -i "$TMPROOT/id" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$UA@127.0.0.1" "$@"
}

begin "ssh login and logout through sshd's PAM stack"
OUT=$(ssh_a 'ls ~/.config/atmos/aws; echo uid=$(id -u)' 2>&1); RC=$?
check "logged in" rc_is 0
check "files present during the session" has "$OUT" "aws-sso"
check "as the user" has "$OUT" "uid=$(id -u "$UA")"
for _ in $(seq 50); do missing "$HA/$SSO" && break; sleep 0.1; done
check "session data gone after logout" missing "$HA/$SSO"
check "all providers gone" missing "$HA/.config/atmos/aws/partner-sso"
check "SSO token gone" missing "$HA/.aws/sso/cache/named-session.json"
check "keychain kept" exists "$HA/.local/share/atmos/keyring/atmos_dev-admin"
check "ssh keys kept" exists "$HA/.ssh/authorized_keys"
check "another user's files untouched" section_in "[dev-admin]" "$HB/$SSO/credentials"
check "other user's token untouched" exists "$HB/.aws/sso/cache/named-session.json"
end

begin "two ssh sessions: closing one keeps the other's credentials"
populate_user "$UA" "$HA"; chown -R "$UA:" "$HA"
coproc LONG { ssh_a 'echo started; read line; ls ~/.config/atmos/aws/aws-sso >/dev/null && echo still-there'; }
read -r line <&"${LONG[0]}"
check "first session up" [ "$line" = started ]
OUT=$(ssh_a 'true' 2>&1)
sleep 1
check "the short session's logout left the files" exists "$HA/$SSO/credentials"
echo go >&"${LONG[1]}"
read -r line <&"${LONG[0]}"
check "the long session still had them" [ "$line" = still-there ]
wait "$LONG_PID" 2>/dev/null
for _ in $(seq 50); do missing "$HA/$SSO" && break; sleep 0.1; done
check "the last logout removed them" missing "$HA/$SSO"
end

# --- sessions the module did not record, and sessions without a terminal --------
# sshd writes a utmp entry for a session with a terminal (-tt); this host may have
# no utmp, so the test gives it one (and takes it away again).
UTMP=/var/run/utmp
if [ ! -e "$UTMP" ]; then
    install -m 664 -o root -g utmp /dev/null "$UTMP" && at_exit 'rm -f "$UTMP"'
fi
RECORDS=$TMPROOT/state/$(id -u "$UA").d
# stack on|off [OPTIONS]: the service's session stack, with or without pam_atmos.
stack() {
    { echo 'auth     required pam_deny.so'; echo 'account  required pam_permit.so'
      [ "$1" = on ] && echo "session  optional $MOD state_dir=$TMPROOT/state helper=$PAM_HELPER debug ${2:-}"
    } >"/etc/pam.d/$SERVICE"
}
in_utmp() { "$PY" "$ROOT/tests/e2e/utmp.py" users "$UTMP" 2>/dev/null | grep -q " $UA\$"; }
# closed: sshd has run the module's close (its record is gone), and a cleanup it wrongly
# started would have had 3 s to show.
closed_without_cleanup() {
    for _ in $(seq 100); do [ -d "$RECORDS" ] && [ -z "$(ls -A "$RECORDS")" ] && break; sleep 0.1; done
    for _ in $(seq 30); do missing "$HA/$SSO" && return 1; sleep 0.1; done
    exists "$HA/$SSO/credentials"
}
# gone_within SECONDS PATH: PATH went, and the cleanup (the user's helper) has finished.
gone_within() {
    local i
    for i in $(seq $(( $1 * 10 ))); do missing "$2" && break; sleep 0.1; done
    for i in $(seq 100); do pgrep -u "$UA" >/dev/null || break; sleep 0.1; done
    missing "$2"
}
# long_session NAME: a session with a terminal, in the background, that ends when
# $TMPROOT/NAME.in gets a line; up when $TMPROOT/NAME.out says "started".
long_session() {
    mkfifo "$TMPROOT/$1.in"
    ssh -tt -i "$TMPROOT/id" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$UA@127.0.0.1" 'echo started; read line; echo bye' \
        <"$TMPROOT/$1.in" >"$TMPROOT/$1.out" 2>&1 &
    eval "${1}_PID=$!"
    exec {fd}>"$TMPROOT/$1.in"; eval "${1}_FD=$fd"
    at_exit "kill \$${1}_PID 2>/dev/null"
    for _ in $(seq 100); do grep -q started "$TMPROOT/$1.out" && return 0; sleep 0.1; done
    return 1
}
end_session() { echo go >&"$(eval echo "\$${1}_FD")"; wait "$(eval echo "\$${1}_PID")" 2>/dev/null; }

begin "a session opened before the module was in the stack keeps its credentials; the real last close cleans"
populate_user "$UA" "$HA"; chown -R "$UA:" "$HA"
stack off
check "first session up, with a terminal" long_session S1
for _ in $(seq 100); do in_utmp && break; sleep 0.1; done
check "sshd wrote its utmp entry" in_utmp
stack on
OUT=$(ssh_a true 2>&1); RC=$?
check "a second session, with the module, logged in and out" rc_is 0
check "its close removed nothing: the first session is open (utmp)" closed_without_cleanup
check "a third session up" long_session S3
end_session S1
check "the first session's close (a stack without the module) removed nothing" closed_without_cleanup
end_session S3
check "the real last close cleaned" gone_within 10 "$HA/$SSO"
end

begin "ssh host true: a session too by default; with tty_only only sessions with a terminal clean"
populate_user "$UA" "$HA"; chown -R "$UA:" "$HA"
stack on
OUT=$(ssh_a true 2>&1)
check "default: its close cleaned" gone_within 10 "$HA/$SSO"
populate_user "$UA" "$HA"; chown -R "$UA:" "$HA"
stack on tty_only
OUT=$(ssh_a true 2>&1)
check "tty_only: a close without a terminal removed nothing" closed_without_cleanup
OUT=$(ssh -tt -i "$TMPROOT/id" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
      -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$UA@127.0.0.1" true 2>&1)
check "tty_only: a session with a terminal cleaned at its close" gone_within 10 "$HA/$SSO"
end
