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

begin "the module exports only the two session entry points and links libpam and libc alone"
exported=$(nm -D --defined-only "$MOD" | awk '$2 == "T" {print $3}' | sort | tr '\n' ' ')
check "exports" [ "$exported" = "pam_sm_close_session pam_sm_open_session " ]
# (ldd also lists libpam's own libaudit and libcap-ng: the module's NEEDED entries are what it links.)
needed=$(readelf -d "$MOD" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -v -e '^libasan' -e '^libubsan' | sort | tr '\n' ' ')
check "NEEDED: libc and libpam only (no yaml, json-c, nettle, keyutils, GLib)" [ "$needed" = "libc.so.6 libpam.so.0 " ]
check "nothing of the engine's parsers inside" bash -c "! nm -D '$MOD' | grep -q -e yaml_ -e json_ -e nettle_ -e keyctl"
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

begin "identities from ~/.atmos/atmos.d/ and a local import are cleaned at the last close"
reset_home "$UA" "$HA"
# The user's configuration, split as atmos allows: the provider and one identity in
# atmos.d/, another identity in a file the main file imports (relative to its directory).
mkdir -p "$HA/.atmos/atmos.d/team" "$HA/.atmos/more"
printf 'import:\n  - more/extra.yaml\n' >"$HA/.atmos/atmos.yaml"
printf 'auth:\n  providers:\n    corp: {kind: aws/saml}\n  identities:\n    from-d: {kind: aws/assume-role, via: {provider: corp}}\n' >"$HA/.atmos/atmos.d/team/auth.yaml"
printf 'auth:\n  identities:\n    from-import: {kind: aws/assume-role, via: {provider: corp}}\n' >"$HA/.atmos/more/extra.yaml"
# atmos's default realm for ~/.atmos/atmos.yaml: sha256 of the lowercased directory, 16 hex.
R=$(derived_realm "$HA/.atmos")
D=$HA/.config/atmos/$R/aws/corp
mkdir -p "$D" "$HA/.config/atmos/$R/aws/other"
printf '[from-d]\naws_access_key_id = A\n\n[from-import]\naws_access_key_id = B\n' >"$D/credentials"
printf '[profile from-d]\nregion = us-east-1\n\n[profile from-import]\nregion = us-east-1\n' >"$D/config"
printf '[someone]\naws_access_key_id = C\n' >"$HA/.config/atmos/$R/aws/other/credentials"
chown -R "$UA:" "$HA"
pam plain "$UA" oc RHOST=192.0.2.7 TTY=ssh
check "close" has "$OUT" "close=PAM_SUCCESS"
check "the atmos.d identity's and the imported identity's files gone" missing "$D"
# Every realm at the last close: what atmos wrote there goes, whichever configuration wrote it.
check "a provider the configuration does not name, in its realm: gone too" missing "$HA/.config/atmos/$R/aws/other"
check "the configuration kept" exists "$HA/.atmos/more/extra.yaml"
end

begin "the configuration's env: !include .env moves atmos's root and realm: the last close cleans there"
reset_home "$UA" "$HA"
# atmos promotes the dotenv file's ATMOS_* variables (load.go promoteAtmosEnvFromConfig): the
# helper, which has none of its own, takes them as atmos run by the user would.
printf 'env: !include .env\nauth:\n  providers:\n    corp: {kind: aws/saml}\n  identities:\n    pinned: {kind: aws/assume-role, via: {provider: corp}}\n' >"$HA/.atmos/atmos.yaml"
printf 'export ATMOS_AUTH_REALM=team-x\nATMOS_XDG_CONFIG_HOME=%s/alt\n' "$HA" >"$HA/.atmos/.env"
D=$HA/alt/atmos/team-x/aws/corp
R=$(derived_realm "$HA/.atmos")
mkdir -p "$D" "$HA/.config/atmos/$R/aws/corp"
printf '[pinned]\naws_access_key_id = A\n' >"$D/credentials"
printf '[pinned]\naws_access_key_id = B\n' >"$HA/.config/atmos/$R/aws/corp/credentials"
default_before=$(sha256sum <"$HA/.config/atmos/$R/aws/corp/credentials")
chown -R "$UA:" "$HA"
pam plain "$UA" oc RHOST=192.0.2.7 TTY=ssh
check "close" has "$OUT" "close=PAM_SUCCESS"
check "<ATMOS_XDG_CONFIG_HOME>/atmos/<ATMOS_AUTH_REALM>/aws/corp gone" missing "$D"
check "the default root's realm: byte for byte" [ "$default_before" = "$(sha256sum <"$HA/.config/atmos/$R/aws/corp/credentials")" ]
end

begin "the last close removes atmos's kubeconfig entries (kubectl judges) and an aws/user's refresh token"
if ! command -v kubectl >/dev/null; then
    skip "kubeconfig through PAM" "no kubectl (make deps installs Debian's kubernetes-client)"
else
    reset_home "$UA" "$HA"
    cat >"$HA/.atmos/atmos.yaml" <<'YAML'
auth:
  realm: r1
  providers:
    aws-sso: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://example-org.awsapps.com/start"}
  identities:
    dev-admin: {kind: aws/permission-set, via: {provider: aws-sso}}
    web: {kind: aws/user}
  integrations:
    eks: {kind: aws/eks, via: {identity: dev-admin}, spec: {cluster: {name: prod, region: us-east-1}}}
YAML
    ARN=arn:aws:eks:us-east-1:111122223333:cluster/prod
    KC=$HA/.config/atmos/kube/config
    mkdir -p "${KC%/*}" "$HA/.cache/atmos/aws-webflow/web-r1"
    # atmos's entries (client-go's block style) between a kind cluster of the user's own.
    cat >"$KC" <<KUBE
apiVersion: v1
clusters:
- cluster:
    server: https://eks.example:443
  name: $ARN
- cluster:
    server: https://127.0.0.1:6443
  name: kind-kind
contexts:
- context:
    cluster: $ARN
    user: atmos-eks-prod-us-east-1
  name: $ARN
- context:
    cluster: kind-kind
    user: kind-kind
  name: kind-kind
current-context: $ARN
kind: Config
preferences: {}
users:
- name: atmos-eks-prod-us-east-1
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      args: [eks, token, --cluster-name, prod, --region, us-east-1]
      command: atmos
      interactiveMode: Never
- name: kind-kind
  user:
    token: kind-token
KUBE
    chmod 600 "$KC"
    printf '{"refreshToken":"rt","region":"us-east-1","expiresAt":"2030-01-01T00:00:00Z"}\n' \
        >"$HA/.cache/atmos/aws-webflow/web-r1/refresh.json"
    chown -R "$UA:" "$HA"
    pam plain "$UA" oc RHOST=192.0.2.7 TTY=ssh
    check "close" has "$OUT" "close=PAM_SUCCESS"
    V=$(kubectl --kubeconfig "$KC" config view -o json 2>&1)
    names() { "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(sorted(x["name"] for x in d.get(sys.argv[1]) or []), repr(d.get("current-context")))' "$1" <<<"$V"; }
    check "kubectl: only the kind cluster" [ "$(names clusters)" = "['kind-kind'] ''" ]
    check "kubectl: only the kind context, current-context cleared" [ "$(names contexts)" = "['kind-kind'] ''" ]
    check "kubectl: only the kind user" [ "$(names users)" = "['kind-kind'] ''" ]
    check "the file is still the user's, mode 0600" [ "$(stat -c '%U %a' "$KC")" = "$UA 600" ]
    check "no lock left" missing "$KC.lock"
    check "the refresh token gone" missing "$HA/.cache/atmos/aws-webflow/web-r1/refresh.json"
fi
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
check "stale record pruned" [ -z "$(ls -A "$STATE/$(id -u "$UA").d")" ]
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
check "and every realm: the example's files, which no configuration read names, too" missing "$HA/$SSO"
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
holder=$!; bg_track "$holder"   # its own process group: killed whole below, so no process of the user outlives the test
check "the user's login holds the lock" wait_for 10 lock_held "$HA/$SSO/credentials.lock"
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
# The helper's whole process group went with it: no process of the user's is
# left but the lock holder (in a session of its own).
check "nothing of the cleanup outlives the close" \
    bash -c '! ps -u "$1" -o sid=,stat= | awk -v s="$2" "\$1 != s && \$2 !~ /^Z/" | grep -q .' _ "$UA" "$holder"
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
check "the host maps none of the engine's parsers (the helper does, as the user)" \
    bash -c "! cat '$TMPROOT'/ld.* | grep -q -e libyaml -e libjson-c -e libnettle -e libkeyutils"
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
    check "syslog reached the sink" syslog_sync
    line=$(grep "event=[a-z._]* user=$UA " "$SYSLOG")   # this user's: the sink is the machine's /dev/log
    check "exactly one audit line" [ "$(grep -c "event=[a-z._]* user=$UA " "$SYSLOG")" -eq 1 ]
    check "facility authpriv, info" grep -q '^<86>' <<<"$line"
    check "fields" grep -qE "event=logout.success user=$UA uid=[0-9]+ scope=all removed=7 failed=0 revoked=0 signout_failed=0 realms=[0-9]+ session=pts/9 rhost=192.0.2.7 duration_ms=[0-9]+" <<<"$line"
    check "debug: one line per removed item" [ "$(grep -c 'removed provider directory' "$SYSLOG")" -eq 3 ]
    # Each item once, in one style: as many of the helper's lines as the audit counts removed.
    check "debug: 7 lines of the helper's for removed=7" [ "$(grep -c ': helper: "' "$SYSLOG")" -eq 7 ]
    check "debug: no path named twice" \
        bash -c '[ -z "$(grep -o ": helper: \".*" "$1" | grep -oE "/[^ \"]+" | sort | uniq -d)" ]' _ "$SYSLOG"
    check "debug: not the engine's step trace too" bash -c '! grep -q -e "helper: \"Removing " -e " path=/" "$1"' _ "$SYSLOG"
    check "no secret in any line" bash -c "! grep -q -e secret- -e token- -e ASIAEXAMPLE '$SYSLOG'"
    reset_home "$UA" "$HA"
    : >"$SYSLOG"
    pam dry "$UA" oc
    check "syslog reached the sink" syslog_sync
    check "dry_run logs the plan" grep -q "dry_run: would remove provider directory $HA/$SSO" "$SYSLOG"
    check "without debug, no per-item lines" bash -c "! grep -q 'removed provider directory' '$SYSLOG'"
    reset_home "$UA" "$HA"
    printf '  keyring:\n    type: file\n' >>"$HA/.atmos/atmos.yaml"   # the user's keychain: atmos's file keyring
    : >"$SYSLOG"
    pam keys "$UA" oc
    check "syslog reached the sink" syslog_sync
    check "keychain option logged loudly (warning)" grep -q "^<84>.*keychain option set: deleting $UA's keychain credentials" "$SYSLOG"
    check "keychain entry deleted with it" missing "$HA/.local/share/atmos/keyring/atmos_dev-admin"
    reset_home "$UA" "$HA"
    printf '  keyring:\n    type: file\n' >>"$HA/.atmos/atmos.yaml"
    pam plain "$UA" oc
    check "without the option the keychain entry stays" exists "$HA/.local/share/atmos/keyring/atmos_dev-admin"
    end
fi

# Issue 36: options from /etc/security/pam_atmos.conf, which pam-auth-update never
# rewrites; the module's arguments override it.  (Its bad inputs: docs/bad-input.md
# B150-B156.)
service bare
service bare_low minimum_uid=1000
if [ -z "$SINK_PID" ]; then
    skip "options from /etc/security/pam_atmos.conf" "this machine has its own /dev/log; the test reads syslog only through its own sink"
elif ! pam_conf ''; then
    skip "options from /etc/security/pam_atmos.conf" "no mount namespace of the script's own to put the file in (the machine's /etc/security is never written)"
else
    begin "options from /etc/security/pam_atmos.conf: honoured with no argument for them, the arguments override them"
    reset_home "$UA" "$HA"
    pam_conf '# as an administrator writes it\ndebug   # one line per item\n'
    : >"$SYSLOG"
    pam bare "$UA" oc
    check "syslog reached the sink" syslog_sync
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "cleaned" cleaned "$HA"
    check "debug from the file: one line per removed item" [ "$(grep -c 'removed provider directory' "$SYSLOG")" -eq 3 ]
    check "the file read in silence" bash -c '! grep -q "pam_atmos.conf" "$1"' _ "$SYSLOG"
    reset_home "$UA" "$HA"
    pam_conf 'minimum_uid = 4000000000\n'
    pam bare "$UA" oc
    check "the file's minimum_uid skips the user" has "$OUT" "close=PAM_IGNORE"
    check "nothing removed" intact "$HA"
    pam bare_low "$UA" oc
    check "the argument minimum_uid=1000 overrides it" has "$OUT" "close=PAM_SUCCESS"
    check "cleaned" cleaned "$HA"
    reset_home "$UA" "$HA"
    no_pam_conf
    : >"$SYSLOG"
    pam bare "$UA" oc
    check "syslog reached the sink" syslog_sync
    check "no file: the defaults (no debug), nothing said of it" \
        bash -c '! grep -q -e "removed provider directory" -e "pam_atmos.conf" "$1"' _ "$SYSLOG"
    check "cleaned" cleaned "$HA"
    end

    begin "the shipped etc/security/pam_atmos.conf: the defaults as it is; every option it shows, uncommented, is known and valid"
    reset_home "$UA" "$HA"
    pam_conf "$(cat "$ROOT/etc/security/pam_atmos.conf")\n"
    : >"$SYSLOG"
    pam bare "$UA" oc
    check "syslog reached the sink" syslog_sync
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "cleaned, no debug lines: every option commented out" \
        bash -c '! grep -q "removed provider directory" "$1"' _ "$SYSLOG"
    check "nothing said of the file" bash -c '! grep -q "pam_atmos.conf" "$1"' _ "$SYSLOG"
    shown=$(sed -nE 's/^#([a-z_]+)( = .*)?$/\1/p' "$ROOT/etc/security/pam_atmos.conf" | sort -u)
    synopsis=$(sed -n '/^.SH SYNOPSIS/,/^.SH DESCRIPTION/p' "$ROOT/docs/pam_atmos.8" | sed -nE 's/^\.R[BI] \[ ([a-z_]+)=?.*/\1/p' | sort -u)
    check "it shows every option of pam_atmos(8)'s synopsis ($(wc -w <<<"$shown")), no other" \
        [ -n "$shown" -a "$shown" = "$synopsis" ]
    pam_conf "$(sed -E 's/^#([a-z_]+( = .*)?)$/\1/' "$ROOT/etc/security/pam_atmos.conf")\n"
    reset_home "$UA" "$HA"
    : >"$SYSLOG"
    pam bare "$UA" oc
    check "syslog reached the sink" syslog_sync
    check "uncommented: no unknown option, no bad value, no bad line" \
        bash -c '! grep -e "pam_atmos.conf" -e "unknown option" -e "bad value" "$1"' _ "$SYSLOG"
    no_pam_conf
    end
fi

# fake_sessions N: N live processes recorded as the user's open sessions, in
# the records' own form (an empty file "<pid>.<start time>"), as N logins would leave them.
SLEEPERS=()
fake_sessions() {
    local i
    SLEEPERS=()
    for i in $(seq "$1"); do sleep 600 & SLEEPERS+=($!); done
    rm -rf "$STATE/$(id -u "$UA").d"   # and the records of earlier fake sessions
    mkdir -p "$STATE/$(id -u "$UA").d"; chmod 700 "$STATE" "$STATE/$(id -u "$UA").d"
    "$PY" - "$STATE/$(id -u "$UA").d" "${SLEEPERS[@]}" <<'PY'
import sys
out, pids = sys.argv[1], sys.argv[2:]
for p in pids:
    # field 22 of /proc/PID/stat, counted after the command name's ")"
    st = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[19]
    open(f"{out}/{p}.{st}", "w").close()
PY
}
end_sessions() { # [N]: end all but the last N fake sessions
    local keep=${1:-0} n=${#SLEEPERS[@]}
    [ "$n" -gt "$keep" ] || return 0   # (a bare `wait` would wait for the syslog sink)
    kill "${SLEEPERS[@]:0:$((n - keep))}" 2>/dev/null
    wait "${SLEEPERS[@]:0:$((n - keep))}" 2>/dev/null
    SLEEPERS=("${SLEEPERS[@]:$((n - keep))}")
}
at_exit 'end_sessions'
# held STEPS N: a session of pamtest held open at "w" while there are N others;
# sets RECORDED (lines in the record file then), then lets it go on with all
# but 5 others ended, and sets LAST (what its close returned).
held() {
    fake_sessions "$2"
    coproc HELD { "$PAMTEST" "$CONF" plain "$UA" "$1"; }
    read -r _ <&"${HELD[0]}"; read -r _ <&"${HELD[0]}"   # open=..., waiting
    RECORDED=$(ls "$STATE/$(id -u "$UA").d" | wc -l)
    end_sessions 5
    echo go >&"${HELD[1]}"
    read -r LAST <&"${HELD[0]}"
    wait "$HELD_PID" 2>/dev/null
    end_sessions
}

begin "1,030 open sessions: every record kept; the cleanup waits for the last session"
reset_home "$UA" "$HA"
held owc 1030
check "all 1,031 sessions recorded" [ "$RECORDED" -eq 1031 ]
check "a close with 5 sessions still open removes nothing" [ "$LAST" = "close=PAM_IGNORE" ]
check "nothing removed" intact "$HA"
end

begin "a file-size limit in the host (pam_limits fsize=1) loses no record"
reset_home "$UA" "$HA"
held fowc 100
check "all 101 sessions recorded, past the 1 KiB limit" [ "$RECORDED" -eq 101 ]
check "a close with 5 sessions still open removes nothing" [ "$LAST" = "close=PAM_IGNORE" ]
check "nothing removed" intact "$HA"
end

begin "state_dir must be root's with mode 0700; an unrecorded session's close removes nothing"
reset_home "$UA" "$HA"
mkdir -p "$TMPROOT/open-state"; chmod 755 "$TMPROOT/open-state"
service loose "state_dir=$TMPROOT/open-state"
[ -n "$SINK_PID" ] && : >"$SYSLOG"
pam loose "$UA" oc
check "open still succeeds" has "$OUT" "open=PAM_SUCCESS"
check "close ignored" has "$OUT" "close=PAM_IGNORE"
check "nothing removed" intact "$HA"
check "no record written there" [ -z "$(ls "$TMPROOT/open-state")" ]
if [ -n "$SINK_PID" ]; then
    check "the open says what happens" grep -q "session not recorded; its close will remove nothing" "$SYSLOG"
    check "the close says why" grep -q "this session was not recorded at open: nothing removed" "$SYSLOG"
fi
end

begin "maximum_uid: uids above it (nobody is 65534) are ignored"
reset_home "$UA" "$HA"
service lowmax "maximum_uid=$(( $(id -u "$UA") - 1 ))"
pam lowmax "$UA" oc
check "ignored" has "$OUT" "close=PAM_IGNORE"
check "nothing removed" intact "$HA"
end

begin "the helper: missing or replaceable by a user, it is not run and the logout goes on"
reset_home "$UA" "$HA"
service nohelper helper=/nonexistent/pam_atmos_helper
[ -n "$SINK_PID" ] && : >"$SYSLOG"
pam nohelper "$UA" oc
check "close ignored" has "$OUT" "close=PAM_IGNORE"
check "nothing removed" intact "$HA"
check "nothing said to the user" hasnt "$OUT" "msg:"
if [ -n "$SINK_PID" ]; then
    check "syslog reached the sink" syslog_sync
    check "one clear line" grep -q "helper /nonexistent/pam_atmos_helper is not installed" "$SYSLOG"
    check "exactly one audit event, a failure" [ "$(grep -cE "pam_atmos\\([^)]*\\): event=[a-z._]+ user=$UA " "$SYSLOG")" -eq 1 ]
    check "the event says nothing was removed" grep -qE "event=logout.failed user=$UA uid=[0-9]+ scope=all removed=0 failed=1 " "$SYSLOG"
fi
mkdir -p "$TMPROOT/userbin"; cp "$ROOT/${BUILD:-build}/pam_atmos_helper" "$TMPROOT/userbin/"
chown "$UA" "$TMPROOT/userbin"
service userhelper "helper=$TMPROOT/userbin/pam_atmos_helper"
pam userhelper "$UA" oc
check "a helper in the user's directory is not run" intact "$HA"
chown root "$TMPROOT/userbin"; chown "$UA" "$TMPROOT/userbin/pam_atmos_helper"
pam userhelper "$UA" oc
check "nor a helper the user owns" intact "$HA"
end

begin "the child cannot start the helper as the user (RLIMIT_NPROC 0): the step pipe says so, one audit event"
reset_home "$UA" "$HA"
# Root's host may fork; the child, once it is the user, may not: its step pipe reports it.
[ -n "$SINK_PID" ] && : >"$SYSLOG"
OUT=$(prlimit --nproc=0:0 -- "$PAMTEST" "$CONF" plain "$UA" oc 2>&1); RC=$?
check "close ignored (a helper that would not start)" has "$OUT" "close=PAM_IGNORE"
check "nothing removed" intact "$HA"
if [ -n "$SINK_PID" ]; then
    check "syslog reached the sink" syslog_sync
    check "the module's own line, from its step pipe" \
        grep -qE "pam_atmos\\([^)]*\\): cannot run the helper .* as $UA \\(execveat: Resource temporarily unavailable\\): nothing removed" "$SYSLOG"
    check "exactly one audit event, a failure" [ "$(grep -cE "pam_atmos\\([^)]*\\): event=logout.failed user=$UA .* removed=0 failed=1 " "$SYSLOG")" -eq 1 ]
fi
end

begin "the host's SIGCHLD handling is left alone: a SIG_IGN host, a host with a handler"
# The close must outlast the host's own child (0.3 s): the user's login holds
# atmos's lock, so the cleanup runs until the 1 s timeout.
reset_home "$UA" "$HA"
setsid setpriv --reuid "$UA" --regid "$UA" --init-groups -- flock -o "$HA/$SSO/credentials.lock" sleep 30 &
holder=$!; bg_track "$holder"
check "the user's login holds the lock" wait_for 10 lock_held "$HA/$SSO/credentials.lock"
pam quickquiet "$UA" iocr
check "close" has "$OUT" "close=PAM_SUCCESS"
check "SIG_IGN host: its child exiting during the close is still reaped by the kernel" \
    has "$OUT" "host child: reaped by the kernel"
pam quickquiet "$UA" hocr
check "close" has "$OUT" "close=PAM_SUCCESS"
check "handler host: its own child's SIGCHLD arrives, and no other (not ours)" \
    has "$OUT" "host handler: 1 signal(s), own child seen=1"
kill -- -"$holder" 2>/dev/null; wait "$holder" 2>/dev/null
end

begin "a threaded host (a thread always inside syslog()): no close is cut off"
reset_home "$UA" "$HA"
# Under valgrind each helper run takes a second or more: fewer closes there.
closes=150; [ -n "${VALGRIND:-}" ] && closes=8
[ -n "$SINK_PID" ] && : >"$SYSLOG"
pam plain "$UA" "t$(printf 'oc%.0s' $(seq $closes))"
check "$closes closes, each PAM_SUCCESS" [ "$(grep -c '^close=PAM_SUCCESS$' <<<"$OUT")" -eq "$closes" ]
check "cleaned" cleaned "$HA"
check "no message to the user" hasnt "$OUT" "msg:"
if [ -n "$SINK_PID" ]; then
    check "syslog reached the sink" syslog_sync
    check "none killed at the timeout" \
        bash -c '! grep -q -e "cleanup for $2 killed after" -e "cleanup for $2 ended .*without a result" "$1"' _ "$SYSLOG" "$UA"
    check "$closes audit events, none failed" [ "$(grep -c "event=logout.success user=$UA " "$SYSLOG")" -eq "$closes" ]
fi
# (a zombie is no process: one whose parent went, and that init has yet to reap, is not ours)
check "no process of the user left" bash -c "! ps -u '$UA' -o stat= | grep -qv '^Z'"
end

if [ -n "$SINK_PID" ]; then
    begin "log injection: a realm with a newline and ESC reaches syslog escaped"
    reset_home "$UA" "$HA"
    # The user's YAML, crafted to forge an audit line of another user's.
    printf 'auth:\n  realm: "x\\nJan  1 00:00:00 host sshd[1]: pam_atmos(sshd:session): event=logout.all_devices user=victim\\e[2J\\u009b31m"\n' \
        >"$HA/.atmos/atmos.yaml"
    chown "$UA:" "$HA/.atmos/atmos.yaml"
    : >"$SYSLOG"
    pam plain "$UA" oc
    check "syslog reached the sink" syslog_sync
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "no forged line" bash -c '! grep -q "^Jan  1 00:00:00 host" "$1"' _ "$SYSLOG"
    check "the forged event only ever inside an escaped value" \
        bash -c '! grep -E "^<[0-9]+>[^\\\\]*event=logout.all_devices user=victim" "$1"' _ "$SYSLOG"
    check "no raw ESC or CSI byte" bash -c '! grep -qP "\x1b|\xc2\x9b" "$1"' _ "$SYSLOG"
    check "the escaped form is logged" grep -qF 'x\x0aJan  1 00:00:00 host' "$SYSLOG"
    check "audited as a failure with no scope" grep -q "event=logout.failed user=$UA uid=[0-9]* scope=none" "$SYSLOG"
    end
fi

# Issue 32: what the user's processes can reach must not speak for the module.

# attacked_close PAM_ENV...: the last close of $UA, while a process of the
# user's copies the helper's result pipe (pidfd_getfd) and writes FORGED as an
# L frame, then a D frame (tests/e2e/frame_attack.py).  The user's own login
# holds atmos's lock, so the helper waits while the attacker attaches; the lock
# goes when the attacker is done (or after 10 s).  Sets OUT, and how (the
# attacker's report: injected, nosys, denied ERRNO, no-helper).
# What the user forges: an audit event of its own, a quote to end the value early, a new line.
FORGED="x\" event=logout.all_devices user=$UA uid=0 scope=all removed=99 failed=0 revoked=0 realms=0 session=- rhost=- duration_ms=1
forged-line event=logout.all_devices user=$UA removed=98"
attacked_close() {
    local holder attacker ATK=$TMPROOT/attack
    reset_home "$UA" "$HA"
    service slowone timeout=20 identity=dev-admin
    rm -rf "$ATK"; mkdir -p "$ATK"; chown "$UA:" "$ATK"
    setsid setpriv --reuid "$UA" --regid "$UA" --init-groups -- flock -o "$HA/$SSO/credentials.lock" \
        sh -c 'i=0; while [ ! -s "$1" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done' _ "$ATK/result" &
    holder=$!
    setsid setpriv --reuid "$UA" --regid "$UA" --init-groups -- "$PY" "$ROOT/tests/e2e/frame_attack.py" "$ATK/result" 15 "$FORGED" &
    attacker=$!
    at_exit "kill -- -$holder -$attacker 2>/dev/null"
    # The helper must be waiting on the user's lock while the attacker looks for it.
    check "the user's login holds the lock" wait_for 10 lock_held "$HA/$SSO/credentials.lock"
    [ -n "$SINK_PID" ] && : >"$SYSLOG"
    pam slowone "$UA" oc RHOST=192.0.2.8 "$@"
    wait "$attacker" 2>/dev/null; wait "$holder" 2>/dev/null
    kill -- -"$holder" -"$attacker" 2>/dev/null
    check "syslog reached the sink" syslog_sync
    how=$(cat "$ATK/result" 2>/dev/null)
    echo "#   attacker: ${how:-no report}"
}
if [ -z "$SINK_PID" ]; then
    skip "the helper's pipe taken by a process of the user's" "this machine has its own /dev/log; the test reads syslog only through its own sink"
    skip "helper= through a flipping symlink" "this machine has its own /dev/log; the test reads syslog only through its own sink"
else
    begin "a process of the user's takes the helper's pipe (pidfd_getfd) and writes frames: the module's word stays its own"
    attacked_close TTY=pts/7
    case $how in
    nosys*)
        skip "the helper's pipe taken by a process of the user's" "no pidfd_getfd(2) in this kernel" ;;
    *)
        check "the attacker took the descriptor and wrote its frames" [ "$how" = injected ]
        check "the PAM return of a normal close" has "$OUT" "close=PAM_SUCCESS"
        genuine="^<[0-9]+>.*pam_atmos\\([^)]*\\): event=[a-z._]+ user=$UA "
        check "exactly one audit event, the module's" [ "$(grep -cE "$genuine" "$SYSLOG")" -eq 1 ]
        check "its fields are the module's" grep -qE "$genuine.*session=pts/7 rhost=192.0.2.8 duration_ms=[0-9]+" "$SYSLOG"
        check "the forged text only behind the marker, escaped and quoted" \
            grep -qF "): helper: \"x\\x22 event=logout.all_devices user=$UA uid=0 scope=all removed=99" "$SYSLOG"
        check "its new line escaped inside the same value" grep -qF '\x0aforged-line event=logout.all_devices' "$SYSLOG"
        check "no line carries the forged fields but behind the marker" \
            bash -c '! grep -e "removed=99" -e "removed=98" "$1" | grep -qv "): helper: \"x\\\\x22 event="' _ "$SYSLOG"
        check "no forged line of its own" bash -c '! grep -q "^forged-line" "$1"' _ "$SYSLOG"
        check "the D frame is not the module's word: no privilege-drop failure claimed" \
            bash -c '! grep -q "cannot run the helper" "$1"' _ "$SYSLOG"
        check "it is a protocol error of the helper's pipe" grep -q "the helper's pipe for $UA carried something unreadable" "$SYSLOG"
        check "the helper still finished its work (the pipe is drained)" no_section_in "[dev-admin]" "$HA/$SSO/credentials"
        ;;
    esac
    end

    begin "one audit event per close, whatever the helper does: silent, garbage, killed, hung"
    reset_home "$UA" "$HA"
    HS=$TMPROOT/helpers; mkdir -p "$HS"; chmod 755 "$HS"
    # Root's scripts (run through the module's descriptor, as a script is: see pam_atmos(8)).
    printf '#!/bin/sh\nexit 0\n' >"$HS/silent"
    printf '#!/bin/sh\nprintf "garbage, not a frame" >&3\n' >"$HS/garbage"
    printf '#!/bin/sh\nkill -9 $$\n' >"$HS/killed"
    printf '#!/bin/sh\nexec sleep 30\n' >"$HS/hung"
    chmod 755 "$HS"/*
    for h in silent garbage killed hung; do
        service "h-$h" "helper=$HS/$h" timeout=1
        : >"$SYSLOG"
        pam "h-$h" "$UA" oc TTY="pts/$h"
        check "syslog reached the sink" syslog_sync
        check "$h: a normal close" has "$OUT" "close=PAM_SUCCESS"
        check "$h: exactly one audit event, a failure" \
            [ "$(grep -cE "pam_atmos\\([^)]*\\): event=logout.failed user=$UA .* failed=1 .*session=pts/$h " "$SYSLOG")" -eq 1 ]
        check "$h: and no other" [ "$(grep -cE "event=[a-z._]+ user=$UA " "$SYSLOG")" -eq 1 ]
        case $h in
        silent) why="cleanup for $UA ended with status 0 without a result" ;;
        garbage) why="the helper's pipe for $UA carried something unreadable" ;;
        killed) why="cleanup for $UA ended by signal 9 without a result" ;;
        hung) why="cleanup for $UA killed after the 1 s timeout" ;;
        esac
        check "$h: the log says why" grep -qF "$why" "$SYSLOG"
    done
    check "nothing removed" intact "$HA"
    end

    begin "helper= through a symlink flipping between root's directory and the user's, 300 closes: the user's program never runs"
    reset_home "$UA" "$HA"
    FL=$TMPROOT/flip; rm -rf "$FL"
    mkdir -p "$FL/rootbin" "$FL/sticky" "$FL/mine"; chmod 1777 "$FL/sticky"
    printf '#!/bin/sh\nexit 0\n' >"$FL/rootbin/pam_atmos_helper"; chmod 755 "$FL/rootbin/pam_atmos_helper"
    printf '#!/bin/sh\necho ran >>"%s/mine/ran"\n' "$FL" >"$FL/mine/pam_atmos_helper"
    chmod 755 "$FL/mine/pam_atmos_helper"; chown -R "$UA:" "$FL/mine"
    setpriv --reuid "$UA" --regid "$UA" --init-groups -- ln -s "$FL/rootbin" "$FL/sticky/bin"
    setsid setpriv --reuid "$UA" --regid "$UA" --init-groups -- "$PY" "$ROOT/tests/e2e/symlink_flip.py" \
        "$FL/sticky/bin" "$FL/rootbin" "$FL/mine" "$FL/mine/stop" "$FL/mine/flips" &
    flipper=$!
    at_exit "kill -- -$flipper 2>/dev/null"
    service flip "helper=$FL/sticky/bin/pam_atmos_helper"
    : >"$SYSLOG"
    pam flip "$UA" "$(printf 'oc%.0s' $(seq 300))"
    setpriv --reuid "$UA" --regid "$UA" --init-groups -- touch "$FL/mine/stop"
    for _ in $(seq 100); do [ -s "$FL/mine/flips" ] && break; sleep 0.1; done
    wait "$flipper" 2>/dev/null
    check "syslog reached the sink" syslog_sync
    echo "#   the link flipped $(cat "$FL/mine/flips" 2>/dev/null) times during 300 closes"
    # It flipped from before the first close to after the last; the count only shows it was busy.
    check "the link flipped all along (at least 100 times)" [ "$(cat "$FL/mine/flips" 2>/dev/null || echo 0)" -ge 100 ]
    check "300 closes, each ignored" [ "$(grep -c '^close=PAM_IGNORE$' <<<"$OUT")" -eq 300 ]
    check "the user's program never ran" missing "$FL/mine/ran"
    check "every close says why" [ "$(grep -c "helper $FL/sticky/bin/pam_atmos_helper: $FL/sticky/bin is a symbolic link" "$SYSLOG")" -eq 300 ]
    check "and has its one audit event" [ "$(grep -cE "pam_atmos\\([^)]*\\): event=logout.failed user=$UA " "$SYSLOG")" -eq 300 ]
    check "nothing removed" intact "$HA"
    kill -- -"$flipper" 2>/dev/null
    end
fi

# The journal: where journald runs (here, started for the test when the
# machine has it but no journal of its own).
JD_PID=""
# Only the journald this script started is stopped, and only what it created removed.
stop_journal() {
    [ -n "$JD_PID" ] || return 0
    kill "$JD_PID" 2>/dev/null; wait "$JD_PID" 2>/dev/null; JD_PID=""
    [ -z "$JOURNAL_DIRS" ] && rm -rf /run/systemd/journal /run/log/journal
}
if [ ! -S /run/systemd/journal/socket ] && [ -x /lib/systemd/systemd-journald ]; then
    JOURNAL_DIRS=$(ls -d /run/systemd/journal /run/log/journal 2>/dev/null)
    /lib/systemd/systemd-journald >/dev/null 2>&1 &
    JD_PID=$!
    at_exit stop_journal
    for _ in $(seq 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
fi
if [ ! -S /run/systemd/journal/socket ] || ! command -v journalctl >/dev/null; then
    skip "audit event in the journal" "no systemd-journald on this machine (the syslog line is checked above)"
else
    begin "audit event in the journal: MESSAGE_ID and ATMOS_* fields"
    reset_home "$UA" "$HA"
    pam plain "$UA" oc RHOST=192.0.2.9 TTY=pts/4
    ev=""
    for _ in $(seq 50); do
        ev=$(journalctl -o json --no-pager MESSAGE_ID=e0f9e4750ec74c7bb30f9b9bde774e13 ATMOS_USER="$UA" 2>/dev/null | tail -n 1)
        [ -n "$ev" ] && break; sleep 0.1
    done
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "one structured event" "$PY" - "$ev" "$UA" "$(id -u "$UA")" <<'PY'
import json, sys
e = json.loads(sys.argv[1])
want = {"ATMOS_EVENT": "logout.success", "ATMOS_USER": sys.argv[2], "ATMOS_UID": sys.argv[3],
        "ATMOS_SESSION": "pts/4", "ATMOS_RHOST": "192.0.2.9", "ATMOS_SCOPE": "all",
        "ATMOS_REMOVED": "7", "ATMOS_FAILED": "0", "ATMOS_REVOKED": "0", "ATMOS_SIGNOUT_FAILED": "0", "SYSLOG_FACILITY": "10",
        "PRIORITY": "6", "_UID": "0"}
bad = {k: (e.get(k), v) for k, v in want.items() if e.get(k) != v}
assert not bad, bad
assert int(e["ATMOS_DURATION_MS"]) >= 0 and "event=logout.success" in e["MESSAGE"] and "ATMOS_REALMS" in e
PY
    if [ -n "$SINK_PID" ]; then
        check "not also sent to syslog" bash -c "! grep -q 'event=.*user=$UA.*session=pts/4' '$SYSLOG'"
    fi
    end

    begin "the journal, with the helper's pipe taken by a process of the user's: one event, the module's"
    attacked_close TTY=pts/5
    evs=""
    for _ in $(seq 50); do
        evs=$(journalctl -o json --no-pager MESSAGE_ID=e0f9e4750ec74c7bb30f9b9bde774e13 ATMOS_USER="$UA" ATMOS_SESSION=pts/5 2>/dev/null)
        [ -n "$evs" ] && break; sleep 0.1
    done
    case $how in
    nosys*) skip "the journal with the helper's pipe taken" "no pidfd_getfd(2) in this kernel" ;;
    *)
        check "the attacker wrote its frames" [ "$how" = injected ]
        check "the PAM return of a normal close" has "$OUT" "close=PAM_SUCCESS"
        check "exactly one event for this close, with the module's fields" "$PY" - "$evs" <<'PY'
import json, sys
evs = [json.loads(l) for l in sys.argv[1].splitlines() if l.strip()]
assert len(evs) == 1, len(evs)
e = evs[0]
assert e["ATMOS_EVENT"] in ("logout.success", "logout.failed"), e["ATMOS_EVENT"]
assert e["ATMOS_RHOST"] == "192.0.2.8" and e["_UID"] == "0", e
assert "removed=99" not in e["MESSAGE"] and "forged" not in e["MESSAGE"], e["MESSAGE"]
assert e["MESSAGE"].startswith("pam_atmos(slowone:session): event=" + e["ATMOS_EVENT"] + " user="), e["MESSAGE"]
PY
        check "no journal event claims logout.all_devices" \
            bash -c '[ -z "$(journalctl -o cat --no-pager MESSAGE_ID=e0f9e4750ec74c7bb30f9b9bde774e13 ATMOS_EVENT=logout.all_devices 2>/dev/null)" ]'
        ;;
    esac
    end
fi
stop_journal   # the tests below read the audit line in syslog

if [ -n "${VALGRIND:-}${SAN:-}" ]; then
    skip "memory_limit: a hostile file ends in a clear error" "the checker's wrapper lifts the helper's address-space limit"
else
    begin "memory_limit: a hostile file ends in a clear error, not at the timeout"
    reset_home "$UA" "$HA"
    rm -rf "$HA/.atmos"   # no configuration: what atmos wrote is found on disk, Azure included
    "$PY" "$ROOT/etc/examples/populate-clouds.py" "$HA" team
    # A 44 MiB Azure CLI token cache: valid JSON, below the editor's 64 MiB cap.
    "$PY" - "$HA/.azure/msal_token_cache.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["Padding"] = {f"k{i}": "x" * 100 for i in range(400000)}
open(sys.argv[1], "w").write(json.dumps(d))
PY
    chown -R "$UA:" "$HA"
    service small memory_limit=24
    [ -n "$SINK_PID" ] && : >"$SYSLOG"
    pam small "$UA" oc
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "the user is told" has "$OUT" "msg: Some atmos credentials could not be removed"
    check "everything else cleaned" cleaned "$HA"
    check "the cache left as it was" grep -q Padding "$HA/.azure/msal_token_cache.json"
    if [ -n "$SINK_PID" ]; then
        check "syslog reached the sink" syslog_sync
        check "said: out of memory" grep -q "could not remove: .*msal_token_cache.json: out of memory" "$SYSLOG"
        check "not killed at the timeout" bash -c '! grep -q "killed after" "$1"' _ "$SYSLOG"
        check "audited as failed" grep -q "event=logout.failed user=$UA .*failed=[1-9]" "$SYSLOG"
    fi
    end
fi

begin "after an upgrade from 0.1.0: its still-open sessions keep counting"
reset_home "$UA" "$HA"
fake_sessions 1
# 0.1.0's record: a file per uid, one "<pid> <start time>" line per session.
"$PY" - "$STATE/$(id -u "$UA")" "${SLEEPERS[0]}" <<'PY'
import sys
st = open(f"/proc/{sys.argv[2]}/stat").read().rsplit(")", 1)[1].split()[19]
open(sys.argv[1], "w").write(f"{sys.argv[2]} {st}\n")
PY
rm -rf "$STATE/$(id -u "$UA").d"
pam plain "$UA" oc
check "close with the old session open is ignored" has "$OUT" "close=PAM_IGNORE"
check "nothing removed" intact "$HA"
end_sessions
pam plain "$UA" oc
check "once it ended, the close cleans" has "$OUT" "close=PAM_SUCCESS"
check "cleaned" cleaned "$HA"
rm -f "$STATE/$(id -u "$UA")"
end
