#!/bin/bash
# A home directory on a network filesystem: a real sshfs mount (FUSE, the
# SFTP protocol spoken to OpenSSH's sftp-server running as the user, over a
# pipe: sshfs's passive mode) as a test user's home, and pam_atmos through the
# real libpam.  network_home=skip (the default) leaves what is on the shared
# home and says so; network_home=clean removes it; local data goes either way.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "network home" "needs root to mount sshfs and create a test user"; exit 0
fi
SFTP=/usr/lib/openssh/sftp-server
for tool in sshfs "$SFTP" fusermount3 findmnt; do
    command -v "$tool" >/dev/null || { skip "network home" "$tool is not installed (make deps installs it)"; exit 0; }
done
[ -c /dev/fuse ] || { skip "network home" "no /dev/fuse on this machine"; exit 0; }

MOD=$ROOT/${BUILD:-build}/pam_atmos.so
PAMTEST=$ROOT/${BUILD:-build}/pamtest
[ -n "${VALGRIND:-}" ] && PAMTEST=$TMPROOT/vg-pamtest
U=atmos-pam-n$$
BACK=$TMPROOT/nh-backing   # what the "file server" holds
HOMEDIR=$TMPROOT/nh-home   # the user's home: the sshfs mount of BACK
LOCAL=$TMPROOT/nh-local    # a provider's base_path on a local filesystem
SERVER_PID="" MOUNT_PID=""
at_exit 'mountpoint -q "$HOMEDIR" && { fusermount3 -u "$HOMEDIR" || umount -l "$HOMEDIR"; }; kill $SERVER_PID $MOUNT_PID 2>/dev/null'
mkdir -p "$BACK" "$HOMEDIR" "$LOCAL" "$TMPROOT/pam.d"
add_test_user "$U" "$HOMEDIR" /bin/sh || { echo "not ok - useradd failed"; exit 1; }

# populate: the user's atmos files on the server, plus a provider kept locally.
populate() {
    rm -rf "${BACK:?}"/* "${BACK:?}"/.[!.]* "${LOCAL:?}"/*
    bash "$ROOT/etc/examples/populate.sh" "$BACK"
    mkdir -p "$BACK/.atmos" "$LOCAL/aws/local-sso"
    { cat "$EXAMPLE"; printf '    local-id:\n      kind: aws/permission-set\n      via: {provider: local-sso}\n'; } >"$TMPROOT/cfg"
    "$PY" - "$TMPROOT/cfg" "$LOCAL" >"$BACK/.atmos/atmos.yaml" <<'PY'
import sys
text = open(sys.argv[1]).read()
local = "    local-sso:\n      kind: aws/iam-identity-center\n      spec: {files: {base_path: %s}}\n" % sys.argv[2]
print(text.replace("  providers:\n", "  providers:\n" + local, 1), end="")
PY
    printf '[local-id]\naws_access_key_id = A\n' >"$LOCAL/aws/local-sso/credentials"
    chown -R "$U:" "$BACK" "$LOCAL"; chmod 700 "$BACK"
}
populate
# The file server: sftp-server as the user, as sshd would start it; sshfs
# speaks SFTP to it over two pipes.  allow_other: the PAM child (the user)
# reaches the mount root made.
mkfifo "$TMPROOT/to_srv" "$TMPROOT/from_srv"
setpriv --reuid "$U" --regid "$U" --clear-groups "$SFTP" <"$TMPROOT/to_srv" >"$TMPROOT/from_srv" 2>/dev/null &
SERVER_PID=$!
sshfs -f -o passive,allow_other ":$BACK" "$HOMEDIR" <>"$TMPROOT/from_srv" >"$TMPROOT/to_srv" 2>"$TMPROOT/sshfs.err" &
MOUNT_PID=$!
# A mount that fails is a failed set-up, not a skip.
if ! wait_for 10 mountpoint -q "$HOMEDIR"; then
    echo "not ok - network home: sshfs could not mount: $(head -c 200 "$TMPROOT/sshfs.err")"; exit 1
fi
start_syslog_sink
service() { # NAME OPTIONS...
    local name=$1; shift
    printf 'session [success=done ignore=ignore default=die] %s state_dir=%s helper=%s %s\n' "$MOD" "$TMPROOT/state" "$PAM_HELPER" "$*" >"$TMPROOT/pam.d/$name"
    printf 'session required pam_debug.so open_session=cred_unavail close_session=cred_unavail\n' >>"$TMPROOT/pam.d/$name"
}
service skip
service clean network_home=clean
service typo network_home=sometimes

begin "the mount is a real network filesystem (sshfs), as the user sees it"
check "fuse.sshfs" [ "$(findmnt -n -o FSTYPE "$HOMEDIR")" = fuse.sshfs ]
check "the user's files, through it" [ "$(stat -c %U "$HOMEDIR/.atmos/atmos.yaml")" = "$U" ]
end

begin "network_home=skip (default): the shared home is left and the reason logged; local data cleaned"
[ -n "$SINK_PID" ] && : >"$SYSLOG"
OUT=$("$PAMTEST" "$TMPROOT/pam.d" skip "$U" oc 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "session data on the network home kept" exists "$HOMEDIR/$SSO/credentials"
check "AWS CLI tokens on it kept" exists "$HOMEDIR/.aws/sso/cache/named-session.json"
check "the local provider's data removed" missing "$LOCAL/aws/local-sso"
if [ -n "$SINK_PID" ]; then
    for _ in $(seq 50); do grep -q 'network filesystem' "$SYSLOG" && break; sleep 0.1; done
    check "one line says so and names the option" grep -q "on a network filesystem (sshfs).*network_home=clean removes it" "$SYSLOG"
    check "once per close" [ "$(grep -c 'network filesystem' "$SYSLOG")" -eq 1 ]
else
    skip "$CURRENT: logged" "this host has its own /dev/log; the test reads syslog only through its own sink"
fi
end

begin "a bad network_home value keeps the default (skip)"
populate
OUT=$("$PAMTEST" "$TMPROOT/pam.d" typo "$U" oc 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "kept" exists "$HOMEDIR/$SSO/credentials"
if [ -n "$SINK_PID" ]; then
    check "logged" grep -q "bad value in network_home=sometimes (use skip or clean)" "$SYSLOG"
else
    skip "$CURRENT: logged" "this host has its own /dev/log; the test reads syslog only through its own sink"
fi
end

begin "network_home=clean: today's behaviour, everything removed"
populate
OUT=$("$PAMTEST" "$TMPROOT/pam.d" clean "$U" oc 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "session data on the network home removed" missing "$HOMEDIR/$SSO"
check "tokens removed" missing "$HOMEDIR/.aws/sso/cache/named-session.json"
check "the local provider's data removed" missing "$LOCAL/aws/local-sso"
check "removed on the server itself" missing "$BACK/$SSO"
end
