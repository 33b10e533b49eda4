#!/bin/bash
# pam_atmos.so through the real libpam (pam_start_confdir, service files in a
# test directory), with test users whose homes are throwaway directories.
source "$(dirname "$0")/lib.sh"

MOD=$ROOT/${BUILD:-build}/pam_atmos.so
PAMTEST=$ROOT/${BUILD:-build}/pamtest
[ -n "${VALGRIND:-}" ] && PAMTEST=$TMPROOT/vg-pamtest
CONF=$TMPROOT/pam.d
STATE=$TMPROOT/state
mkdir -p "$CONF"

begin "the module exports only the two session entry points and no GLib"
exported=$(nm -D --defined-only "$MOD" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
check "exports" [ "$exported" = "pam_sm_close_session pam_sm_open_session " ]
check "GLib not linked" bash -c "! ldd '$MOD' | grep -q -e glib -e libsecret"
end

if [ "$(id -u)" -ne 0 ]; then
    skip "pam_atmos sessions" "needs root to create test users with throwaway homes"
    exit 0
fi

UA=atmos-pam-a$$; UB=atmos-pam-b$$
HA=$TMPROOT/home-a; HB=$TMPROOT/home-b
add_test_user "$UA" "$HA" && add_test_user "$UB" "$HB" || { echo "not ok - useradd failed"; exit 1; }
# Read what goes to syslog: only where the machine has no /dev/log of its own.
start_syslog_sink

# reset_home USER HOME: atmos's files as the example writes them, owned by USER.
reset_home() {
    rm -rf "$2"; mkdir -p "$2"
    bash "$ROOT/etc/examples/populate.sh" "$2"
    mkdir -p "$2/.atmos" "$2/.local/share/atmos/keyring"
    cp "$EXAMPLE" "$2/.atmos/atmos.yaml"
    echo enc >"$2/.local/share/atmos/keyring/atmos_dev-admin"   # a keychain entry: must stay
    chown -R "$1:" "$2"; chmod 700 "$2"
}
# service NAME ARGS...: a service file with pam_atmos and the PAM_IGNORE marker.
service() {
    local name=$1; shift
    printf 'session [success=done ignore=ignore default=die] %s state_dir=%s helper=%s %s\n' "$MOD" "$STATE" "$PAM_HELPER" "$*" >"$CONF/$name"
    printf 'session required pam_debug.so open_session=cred_unavail close_session=cred_unavail\n' >>"$CONF/$name"
}
pam() { # SERVICE USER STEPS [ENV...]
    OUT=$("$PAMTEST" "$CONF" "$@" 2>&1); RC=$?
}
cleaned() { missing "$1/$SSO" && missing "$1/.config/atmos/aws/partner-sso" && missing "$1/.aws/sso/cache/named-session.json"; }
intact() { section_in "[dev-admin]" "$1/$SSO/credentials" && exists "$1/.aws/sso/cache/named-session.json"; }

service plain debug
service every every_session
service dry dry_run
service quick timeout=1 identity=dev-admin
service quickquiet timeout=1 quiet identity=dev-admin
service high minimum_uid=4000000000
service sloppy bogus_option timeout=abc debug=3
service one identity=dev-admin
service prov provider=partner-sso
service custom 'config=~/custom.yaml'
service keys keychain

begin "open and close: session data gone, keychain and other users' files kept"
reset_home "$UA" "$HA"; reset_home "$UB" "$HB"
pam plain "$UA" oc RHOST=192.0.2.7 TTY=ssh
check "open" has "$OUT" "open=PAM_SUCCESS"
check "close" has "$OUT" "close=PAM_SUCCESS"
check "cleaned" cleaned "$HA"
check "atmos caches gone" missing "$HA/.cache/atmos/aws-sso/sessions/$(sha1 "$URL|us-east-1").json"
check "keychain entry kept" exists "$HA/.local/share/atmos/keyring/atmos_dev-admin"
check "decoys kept" exists "$HA/.aws/sso/cache/other.json"
check "config kept" exists "$HA/.atmos/atmos.yaml"
check "the other user's files untouched" intact "$HB"
check "no message on success" hasnt "$OUT" "msg:"
check "state is root's" [ "$(stat -c '%U %a' "$STATE")" = "root 700" ]
end

begin "only the last session's close cleans up"
reset_home "$UA" "$HA"
coproc SESSION_A { "$PAMTEST" "$CONF" plain "$UA" owc; }
read -r line <&"${SESSION_A[0]}"; read -r line <&"${SESSION_A[0]}"   # open=..., waiting
pam plain "$UA" oc
check "second session's close is ignored" has "$OUT" "close=PAM_IGNORE"
check "files still there" intact "$HA"
echo go >&"${SESSION_A[1]}"
read -r line <&"${SESSION_A[0]}"
wait "$SESSION_A_PID" 2>/dev/null
check "the last close cleans" [ "$line" = "close=PAM_SUCCESS" ]
check "cleaned" cleaned "$HA"
end

begin "a crashed session no longer counts"
reset_home "$UA" "$HA"
coproc SESSION_A { "$PAMTEST" "$CONF" plain "$UA" owc; }
read -r line <&"${SESSION_A[0]}"; read -r line <&"${SESSION_A[0]}"
kill -9 "$SESSION_A_PID"; wait "$SESSION_A_PID" 2>/dev/null
pam plain "$UA" oc
check "close cleans" has "$OUT" "close=PAM_SUCCESS"
check "cleaned" cleaned "$HA"
check "stale record pruned" [ ! -s "$STATE/$(id -u "$UA")" ]
end

begin "every_session cleans at every close"
reset_home "$UA" "$HA"
coproc SESSION_A { "$PAMTEST" "$CONF" plain "$UA" owc; }
read -r line <&"${SESSION_A[0]}"; read -r line <&"${SESSION_A[0]}"
pam every "$UA" o
check "open ignored (nothing to count)" has "$OUT" "open=PAM_IGNORE"
# A handle whose open failed reports that failure at close too (libpam): close on its own.
pam every "$UA" c
check "close" has "$OUT" "close=PAM_SUCCESS"
check "cleaned while another session is open" cleaned "$HA"
echo go >&"${SESSION_A[1]}"; wait "$SESSION_A_PID" 2>/dev/null
end

begin "dry_run removes nothing"
reset_home "$UA" "$HA"
before=$(snapshot "$HA")
pam dry "$UA" oc
check "close" has "$OUT" "close=PAM_SUCCESS"
check "unchanged" [ "$before" = "$(snapshot "$HA")" ]
end

begin "unknown user: PAM_SESSION_ERR, nothing removed; root and low uids ignored"
reset_home "$UA" "$HA"
pam plain "no-such-user-$$" c
check "session error" has "$OUT" "close=PAM_SESSION_ERR"
check "nothing removed" intact "$HA"
pam plain root o
check "root ignored at open" has "$OUT" "open=PAM_IGNORE"
pam plain root c
check "root ignored at close" has "$OUT" "close=PAM_IGNORE"
pam high "$UA" c
check "below minimum_uid ignored" has "$OUT" "close=PAM_IGNORE"
check "still nothing removed" intact "$HA"
end

begin "options: unknown and bad ones are ignored, identity= and provider= narrow the scope"
reset_home "$UA" "$HA"
pam sloppy "$UA" oc
check "still works" has "$OUT" "close=PAM_SUCCESS"
check "cleaned" cleaned "$HA"
reset_home "$UA" "$HA"
pam one "$UA" oc
check "identity removed" no_section_in "[dev-admin]" "$HA/$SSO/credentials"
check "sibling kept" section_in "[dev-org-admin]" "$HA/$SSO/credentials"
pam prov "$UA" oc
check "provider removed" missing "$HA/.config/atmos/aws/partner-sso"
check "other provider kept" exists "$HA/$SSO"
reset_home "$UA" "$HA"
printf 'auth:\n  providers: {solo: {kind: aws/saml}}\n' >"$HA/custom.yaml"
mkdir -p "$HA/.config/atmos/aws/solo"; chown -R "$UA:" "$HA"
pam custom "$UA" oc
check "config=~/ used" missing "$HA/.config/atmos/aws/solo"
check "only what it names" exists "$HA/$SSO"
end

begin "no atmos.yaml at all: what atmos wrote is discovered and cleaned"
reset_home "$UA" "$HA"
rm -rf "$HA/.atmos"
pam plain "$UA" oc
check "close" has "$OUT" "close=PAM_SUCCESS"
check "cleaned" cleaned "$HA"
check "decoys kept" exists "$HA/.aws/sso/cache/other.json"
end

begin "no atmos.yaml: Azure and Google Cloud session data of the user is cleaned too"
reset_home "$UA" "$HA"
rm -rf "$HA/.atmos"
"$PY" "$ROOT/etc/examples/populate-clouds.py" "$HA" team
chown -R "$UA:" "$HA"
pam plain "$UA" oc
check "close" has "$OUT" "close=PAM_SUCCESS"
check "azure provider directory gone" missing "$HA/.azure/atmos/team/azure-dc"
check "device-code token gone" missing "$HA/.cache/atmos/azure-device-code/azure-dc"
check "gcp provider directory gone" missing "$HA/.config/atmos/team/gcp/gcp-adc"
m=$("$PY" "$ROOT/tests/e2e/cloud_check.py" msal "$HA/.azure/msal_token_cache.json")
check "the login's account gone from the Azure CLI cache" hasnt "$m" "O1.T1"
check "the user's own az account kept" has "$m" "account O9.T9"
check "cache still the user's, mode kept" [ "$(stat -c '%U %a' "$HA/.azure/msal_token_cache.json")" = "$UA 600" ]
check "aws cleaned as well" cleaned "$HA"
end

begin "a hung cleanup is killed at the timeout; the logout goes on"
reset_home "$UA" "$HA"
# The user's own login holds atmos's lock (identity logouts rewrite under it).
setsid setpriv --reuid "$UA" --regid "$UA" --init-groups -- flock -o "$HA/$SSO/credentials.lock" sleep 30 &
holder=$!   # its own process group: killed whole below, so no process of the user outlives the test
sleep 0.3
[ -n "$SINK_PID" ] && : >"$SYSLOG"
start=$(date +%s%N)
pam quick "$UA" oc
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "#   close with a hung cleanup and timeout=1: $ms ms (the lock is held 30 s)"
check "close still succeeds" has "$OUT" "close=PAM_SUCCESS"
# Ordering, not a stopwatch: close came back while the lock was still held.
check "cut short by the timeout, not by the lock's release" kill -0 "$holder"
if [ -n "$SINK_PID" ]; then
    check "logged: killed after the 1 s timeout" grep -q "cleanup for $UA killed after the 1 s timeout" "$SYSLOG"
fi
check "the user is told, without internals" has "$OUT" "msg: Some atmos credentials could not be removed at logout"
check "no path in the message" hasnt "$OUT" "/"
check "the held file is intact" section_in "[dev-admin]" "$HA/$SSO/credentials"
pam quickquiet "$UA" oc
check "quiet: no message" hasnt "$OUT" "msg:"
pam quick "$UA" soc
check "PAM_SILENT: no message" hasnt "$OUT" "msg:"
kill -- -"$holder" 2>/dev/null; wait "$holder" 2>/dev/null
end

begin "GLib is never mapped, in the host or the child"
reset_home "$UA" "$HA"
rm -f "$TMPROOT"/ld.*
LD_DEBUG=files LD_DEBUG_OUTPUT=$TMPROOT/ld "$PAMTEST" "$CONF" plain "$UA" oc >/dev/null 2>&1
check "the module was loaded" bash -c "cat '$TMPROOT'/ld.* | grep -q pam_atmos.so"
check "no GLib anywhere" bash -c "! cat '$TMPROOT'/ld.* | grep -q -e libglib -e libsecret"
check "and it cleaned" cleaned "$HA"
end

begin "as the user already (the systemd-user stack): works without switching"
reset_home "$UA" "$HA"
OUT=$(setpriv --reuid "$UA" --regid "$UA" --init-groups -- "$PAMTEST" "$CONF" plain "$UA" c 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "cleaned" cleaned "$HA"
reset_home "$UA" "$HA"
OUT=$(setpriv --reuid "$UB" --regid "$UB" --init-groups -- "$PAMTEST" "$CONF" plain "$UA" c 2>&1); RC=$?
check "as another non-root user: ignored" has "$OUT" "close=PAM_IGNORE"
check "nothing removed" intact "$HA"
end

begin "attacks: symlinks and FIFOs planted in the user's home leave root's files alone"
reset_home "$UA" "$HA"
victim=$TMPROOT/root-victim
mkdir -p "$victim/aws-sso" "$victim/cfg/atmos/aws/partner-sso"
printf '[dev-admin]\nk=v\n' >"$victim/aws-sso/credentials"
printf '[partner-audit]\nk=v\n' >"$victim/cfg/atmos/aws/partner-sso/credentials"
echo '{"accessToken":"t","startUrl":"'"$URL"'"}' >"$victim/token.json"
chmod -R go-w "$victim"
rm -rf "$HA/$SSO"; ln -s "$victim/aws-sso" "$HA/$SSO"                          # the provider directory
rm "$HA/.aws/sso/cache/named-session.json"; ln -s "$victim/token.json" "$HA/.aws/sso/cache/named-session.json"   # a cache file
chown -h "$UA:" "$HA/$SSO" "$HA/.aws/sso/cache/named-session.json"
pam plain "$UA" oc
check "close" has "$OUT" "close=PAM_SUCCESS"
check "provider-directory link not followed" section_in "[dev-admin]" "$victim/aws-sso/credentials"
check "cache-file link not followed" exists "$victim/token.json"
reset_home "$UA" "$HA"
rm -rf "$HA/.config"; ln -s "$victim/cfg" "$HA/.config"; chown -h "$UA:" "$HA/.config"   # a parent of the base
pam plain "$UA" oc
check "parent link not followed" section_in "[partner-audit]" "$victim/cfg/atmos/aws/partner-sso/credentials"
reset_home "$UA" "$HA"
rm "$HA/$SSO/credentials"; mkfifo "$HA/$SSO/credentials"; chown "$UA:" "$HA/$SSO/credentials"
[ -n "$SINK_PID" ] && : >"$SYSLOG"
pam plain "$UA" oc
if [ -n "$SINK_PID" ]; then   # a blocked open would only end at the module's timeout
    check "a FIFO does not hang the cleanup" bash -c '! grep -q "killed after" "$1"' _ "$SYSLOG"
fi
check "close" has "$OUT" "close=PAM_SUCCESS"
end

if [ -z "$SINK_PID" ]; then
    skip "syslog contents" "this machine has its own /dev/log; the test reads syslog only through its own sink"
else
    begin "one audit line per close in syslog (LOG_AUTHPRIV), details only with debug, no secrets"
    reset_home "$UA" "$HA"
    : >"$SYSLOG"
    pam plain "$UA" oc RHOST=192.0.2.7 TTY=pts/9
    sleep 0.3
    line=$(grep 'event=' "$SYSLOG")
    check "exactly one audit line" [ "$(grep -c 'event=' "$SYSLOG")" -eq 1 ]
    check "facility authpriv, info" grep -q '^<86>' <<<"$line"
    check "fields" grep -qE "event=logout.all_devices user=$UA uid=[0-9]+ scope=all removed=7 failed=0 revoked=0 session=pts/9 rhost=192.0.2.7 duration_ms=[0-9]+" <<<"$line"
    check "debug: one line per removed item" [ "$(grep -c 'removed provider directory' "$SYSLOG")" -eq 3 ]
    check "no secret in any line" bash -c "! grep -q -e secret- -e token- -e ASIAEXAMPLE '$SYSLOG'"
    reset_home "$UA" "$HA"
    : >"$SYSLOG"
    pam dry "$UA" oc
    sleep 0.3
    check "dry_run logs the plan" grep -q "dry_run: would remove provider directory $HA/$SSO" "$SYSLOG"
    check "without debug, no per-item lines" bash -c "! grep -q 'removed provider directory' '$SYSLOG'"
    reset_home "$UA" "$HA"
    printf '  keyring:\n    type: file\n' >>"$HA/.atmos/atmos.yaml"   # the user's keychain: atmos's file keyring
    : >"$SYSLOG"
    pam keys "$UA" oc
    sleep 0.3
    check "keychain option logged loudly (warning)" grep -q "^<84>.*keychain option set: deleting $UA's keychain credentials" "$SYSLOG"
    check "keychain entry deleted with it" missing "$HA/.local/share/atmos/keyring/atmos_dev-admin"
    reset_home "$UA" "$HA"
    printf '  keyring:\n    type: file\n' >>"$HA/.atmos/atmos.yaml"
    pam plain "$UA" oc
    check "without the option the keychain entry stays" exists "$HA/.local/share/atmos/keyring/atmos_dev-admin"
    end
fi
