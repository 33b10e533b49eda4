# The last close through the real libpam, for test_sessions.sh and the bad
# inputs of bad_input_sessions.sh: a test user with a throwaway home holding
# the example's files, a home configuration and a project's realm (the
# credentials of ~/infra, which has an atmos.yaml of its own), service files,
# and the witnesses of live sessions (utmp, logind's state files).
# sessions_setup (needs root) does it once; it returns 1 when it cannot.

sessions_setup() {
    [ -n "${UA:-}" ] && return 0
    [ "$(id -u)" -eq 0 ] || return 1
    MOD=$ROOT/${BUILD:-build}/pam_atmos.so
    PAMTEST=$ROOT/${BUILD:-build}/pamtest
    [ -n "${VALGRIND:-}" ] && PAMTEST=$TMPROOT/vg-pamtest
    CONF=$TMPROOT/pam.d
    STATE=$TMPROOT/state
    UTMP=/var/run/utmp
    mkdir -p "$CONF"
    UA=atmos-pam-s$$; HA=$TMPROOT/home-s
    add_test_user "$UA" "$HA" || { echo "not ok - useradd failed"; UA=""; return 1; }
    UID_A=$(id -u "$UA")
    start_syslog_sink
    service plain debug
    service ttyonly debug tty_only
    service quick debug timeout=3
    service bounded timeout=3
    service one identity=dev-admin
    return 0
}

# log_has DESC TEXT: a line of the module's reached syslog (only where the sink is ours).
log_has() {
    if [ -z "$SINK_PID" ]; then skip "$CURRENT: $1" "this host has its own /dev/log"; return; fi
    syslog_sync # every line sent so far is in $SYSLOG (a loaded machine's sink lags)
    check "$1" grep -qF -- "$2" "$SYSLOG"
}
service() {
    local name=$1; shift
    printf 'session [success=done ignore=ignore default=die] %s state_dir=%s helper=%s %s\n' "$MOD" "$STATE" "$PAM_HELPER" "$*" >"$CONF/$name"
    printf 'session required pam_debug.so open_session=cred_unavail close_session=cred_unavail\n' >>"$CONF/$name"
}
pam() { OUT=$("$PAMTEST" "$CONF" "$@" 2>&1); RC=$?; }

# The example's files, a home configuration, and a project's realm: credentials of the
# project directory ~/infra, which has an atmos.yaml of its own.
PROJ_URL=https://infra.awsapps.com/start
reset_home() {
    rm -rf "$HA"; mkdir -p "$HA/.atmos" "$HA/infra"
    bash "$ROOT/etc/examples/populate.sh" "$HA"
    cp "$EXAMPLE" "$HA/.atmos/atmos.yaml"
    printf 'auth:\n  providers:\n    infra-sso: {kind: aws/iam-identity-center, region: us-east-1, start_url: %s}\n  identities:\n    infra-admin: {kind: aws/permission-set, via: {provider: infra-sso}}\n' \
        "$PROJ_URL" >"$HA/infra/atmos.yaml"
    R=$(derived_realm "$HA/infra")
    P=$HA/.config/atmos/$R/aws/infra-sso
    aws_files "$P" infra-admin
    echo 'my notes' >"$P/notes.txt"                                   # not atmos's: stays
    printf '{"accessToken":"t","startUrl":"%s","region":"us-east-1"}\n' "$PROJ_URL" \
        >"$HA/.cache/atmos/aws-sso/sessions/$(sha1 "$PROJ_URL|us-east-1").json"
    printf '{"accessToken":"t","startUrl":"%s"}\n' "$PROJ_URL" >"$HA/.aws/sso/cache/$(sha1 "$PROJ_URL").json"
    printf '[default]\naws_access_key_id = AKIAMINE\naws_secret_access_key = mine\n' >"$HA/.aws/credentials"
    chown -R "$UA:" "$HA"; chmod 700 "$HA"
}
decoys() { snapshot "$HA/.aws" | grep -e credentials -e other.json; cat "$P/notes.txt"; }
home_cleaned() { missing "$HA/$SSO" && missing "$HA/.aws/sso/cache/named-session.json"; }
project_cleaned() {
    missing "$P/credentials" && missing "$P/config" &&
        missing "$HA/.cache/atmos/aws-sso/sessions/$(sha1 "$PROJ_URL|us-east-1").json" &&
        missing "$HA/.aws/sso/cache/$(sha1 "$PROJ_URL").json"
}
untouched() { exists "$HA/$SSO/credentials" && exists "$P/credentials"; }

utmp() { "$PY" "$ROOT/tests/e2e/utmp.py" write "$UTMP" "$@"; chmod 664 "$UTMP"; }
# logind's state files, for the test user's uid and session names of the test's own only;
# ids given as c1, c2 ... become <S>1, <S>2 ...
S=t$$
login_state() { # SESSIONS, then ID:CLASS:STATE...
    local l="" id; for id in $1; do l="$l ${id/#c/$S}"; done
    rm -f "/run/systemd/users/$UID_A"
    printf 'UID=%s\nSTATE=active\nSESSIONS=%s\n' "$UID_A" "${l# }" >"/run/systemd/users/$UID_A"; shift
    local s; for s in "$@"; do IFS=: read -r id class state <<<"$s"
        printf 'UID=%s\nCLASS=%s\nSTATE=%s\n' "$UID_A" "$class" "$state" >"/run/systemd/sessions/${id/#c/$S}"; done
}
# own_utmp: 0 when this test may write /var/run/utmp (none was there; removed at exit).
own_utmp() {
    [ -n "${UTMP_OURS:-}" ] && return 0
    { [ -e "$UTMP" ] || [ -L "$UTMP" ]; } && return 1
    UTMP_OURS=1; at_exit 'rm -f "$UTMP"'
}
# own_logind: 0 when this test may write logind's state files (no logind runs here).
own_logind() {
    [ -n "${LOGIND_OURS:-}" ] && return 0
    pgrep -x systemd-logind >/dev/null && return 1
    [ -d /run/systemd/users ] || at_exit 'rmdir /run/systemd/users /run/systemd/sessions /run/systemd 2>/dev/null'
    at_exit 'rm -f "/run/systemd/users/$UID_A" /run/systemd/sessions/$S?'
    mkdir -p /run/systemd/users /run/systemd/sessions
    LOGIND_OURS=1
}
