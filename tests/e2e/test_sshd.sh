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

MOD=$ROOT/${BUILD:-build}/pam_atmos.so
# OpenSSH names its PAM service after the program: a link gives us our own service file.
SERVICE=atmos-test-sshd-$$
UA=atmos-ssh-a$$; UB=atmos-ssh-b$$
HA=$TMPROOT/ssh-a; HB=$TMPROOT/ssh-b
SSHD_PID=""
at_exit '[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; rm -f "/etc/pam.d/$SERVICE"'

for u in "$UA:$HA" "$UB:$HB"; do
    add_test_user "${u%%:*}" "${u#*:}" /bin/sh
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
