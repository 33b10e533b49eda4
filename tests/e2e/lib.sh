# Helpers for the end-to-end tests: a fresh HOME populated the way atmos
# writes it, running the built binary, and TAP-like result lines
# ("ok", "not ok", "skip") that tests/run.sh counts.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# As root, each script runs in a mount namespace of its own: the syslog sink
# it starts is bound over /dev/log there (start_syslog_sink), so scripts run
# side by side (tests/run.sh), and the machine's syslog, never see each
# other's lines; mounts a script makes (sshfs, a private /etc/pam.d) are its own.
if [ "$(id -u)" -eq 0 ] && [ -z "${ATMOS_E2E_NS:-}" ] && unshare -m --propagation private true 2>/dev/null; then
    export ATMOS_E2E_NS=1
    exec unshare -m --propagation private bash "$0" "$@"
fi
BIN=$ROOT/${BUILD:-build}/atmos-logout
EXAMPLE=$ROOT/etc/examples/atmos.yaml
PY=/usr/bin/python3 # Debian's python, where python3-botocore is installed
TMPROOT=$(mktemp -d /tmp/atmos-e2e.XXXXXX)
chmod 755 "$TMPROOT"
# In that namespace, a /run of its own: the utmp, logind's state files, the
# journald and sshd's directory that scripts make are theirs alone (scripts
# run side by side, and the machine's are never touched); the machine's other
# entries of /run are bound in.
private_run() {
    local host e n
    host=$(mktemp -d /tmp/atmos-hostrun.XXXXXX) || return 1
    if mount --bind /run "$host" && mount -t tmpfs -o mode=755 atmos-run /run; then
        for e in "$host"/* "$host"/.[!.]*; do
            n=${e##*/}
            { [ -e "$e" ] || [ -L "$e" ]; } || continue
            case $n in utmp|systemd|sshd|pam_atmos|log) continue ;; esac
            if [ -L "$e" ]; then cp -P "$e" "/run/$n"
            elif [ -d "$e" ]; then mkdir -p "/run/$n" && mount --bind "$e" "/run/$n"
            else : >"/run/$n" && mount --bind "$e" "/run/$n"; fi
        done
    fi
    # Lazily: nothing of the machine's /run stays reachable under /tmp (rm -rf).
    umount -l "$host" 2>/dev/null; rmdir "$host"
    mountpoint -q /run
}
if [ -n "${ATMOS_E2E_NS:-}" ] && ! private_run; then
    echo "not ok - $(basename "$0"): no private /run in the script's mount namespace"; rm -rf "$TMPROOT"; exit 1
fi
# One exit path for every test script: its own steps (at_exit), then the test
# users it created (add_test_user), the syslog sink, the scratch directory.
AT_EXIT=()
TEST_USERS=()
at_exit() { AT_EXIT+=("$1"); }
cleanup_all() {
    local c u
    for c in "${AT_EXIT[@]}"; do eval "$c"; done
    bg_stop "${BG_PIDS[@]}"
    helper_reports
    for u in "${TEST_USERS[@]}"; do pkill -KILL -u "$u" 2>/dev/null; userdel "$u" 2>/dev/null; done
    stop_syslog_sink
    rm -rf "$TMPROOT"
}
trap cleanup_all EXIT
# Killed or interrupted, a script still cleans up: exit runs the EXIT trap.
trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM
unset XDG_CONFIG_HOME XDG_CACHE_HOME ATMOS_XDG_CONFIG_HOME ATMOS_CLI_CONFIG_PATH ATMOS_AUTH_REALM \
      ATMOS_IDENTITY IDENTITY ATMOS_LOGS_LEVEL NO_COLOR
export LC_ALL=C.UTF-8
# Nothing a test runs may reach AWS: a sign-out goes through a proxy on a
# refused local port unless the test starts its own server (test_revoke.sh).
unset AWS_ENDPOINT_URL AWS_ENDPOINT_URL_SSO AWS_CA_BUNDLE NO_PROXY no_proxy https_proxy
export HTTPS_PROXY=http://127.0.0.1:9

# VALGRIND=1: every run of the built programs goes through memcheck; an error
# or a definite/indirect leak makes it exit 99, which the checks then see.
if [ -n "${VALGRIND:-}" ]; then
    for prog in atmos-logout pamtest; do
        printf '#!/bin/sh\nexec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect "%s" "$@"\n' \
            "$ROOT/${BUILD:-build}/$prog" >"$TMPROOT/vg-$prog"
        chmod 755 "$TMPROOT/vg-$prog"
    done
    BIN=$TMPROOT/vg-atmos-logout
fi

# The PAM module's helper, named in every test service (helper=), since the
# default is where make install puts it.  Under valgrind or ASan it runs
# through a wrapper that lifts the module's soft address-space limit (both
# reserve far more than they use) and keeps the checker's report in
# $TMPROOT/helper-logs, which a script's exit turns into a failure line.
PAM_HELPER=$ROOT/${BUILD:-build}/pam_atmos_helper
HELPER_LOGS=$TMPROOT/helper-logs
if [ -n "${VALGRIND:-}" ] || [ -n "${SAN:-}" ]; then
    mkdir -p "$HELPER_LOGS"; chmod 1777 "$HELPER_LOGS"
    if [ -n "${VALGRIND:-}" ]; then
        run_helper="exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect --log-file=$HELPER_LOGS/vg.%p \"$ROOT/${BUILD:-build}/pam_atmos_helper\" \"\$@\""
    else
        run_helper="ASAN_OPTIONS=log_path=$HELPER_LOGS/asan UBSAN_OPTIONS=log_path=$HELPER_LOGS/ubsan:print_stacktrace=1 exec \"$ROOT/${BUILD:-build}/pam_atmos_helper\" \"\$@\""
    fi
    printf '#!/bin/sh\nulimit -S -v unlimited\n%s\n' "$run_helper" >"$TMPROOT/helper"
    chmod 755 "$TMPROOT/helper"
    PAM_HELPER=$TMPROOT/helper
fi
helper_reports() {
    local f
    for f in "$HELPER_LOGS"/*; do
        [ -s "$f" ] || continue
        echo "not ok - the PAM helper under ${VALGRIND:+valgrind}${SAN:+ASan}: $(basename "$f")"
        sed 's/^/#   /' "$f" | head -40
    done
}

CURRENT=""
FAILED_CHECKS=0

# fresh_home: a new HOME with the example's files; sets $H and exports HOME.
fresh_home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX")
    bash "$ROOT/etc/examples/populate.sh" "$H"
    export HOME=$H
    cd "$H" || exit 1
}

# run ARGS...: runs atmos-logout with the example config; sets $OUT $ERR $RC.
run() {
    OUT=$("$BIN" --config "$EXAMPLE" "$@" 2>"$TMPROOT/stderr"); RC=$?
    ERR=$(cat "$TMPROOT/stderr")
}

# run_raw ARGS...: without the --config argument.
run_raw() {
    OUT=$("$BIN" "$@" 2>"$TMPROOT/stderr"); RC=$?
    ERR=$(cat "$TMPROOT/stderr")
}

begin() { CURRENT=$1; FAILED_CHECKS=0; }
# A judge that cannot judge here (a tool missing) exits 77 with SKIP_REASON
# set: that check says skip, never ok.
SKIP_REASON=""
check() { # description, then a command that must succeed
    local what=$1 rc; shift
    "$@"; rc=$?
    if [ "$rc" -eq 77 ]; then
        skip "$CURRENT: $what" "${SKIP_REASON:-its judge cannot run here}"
    elif [ "$rc" -ne 0 ]; then
        echo "#   $CURRENT: check failed: $what"
        FAILED_CHECKS=$((FAILED_CHECKS + 1))
    fi
}
end() {
    if [ "$FAILED_CHECKS" -eq 0 ]; then echo "ok - $CURRENT"; else
        echo "not ok - $CURRENT"
        echo "#   rc=$RC"; sed 's/^/#   out: /' <<<"$OUT"; sed 's/^/#   err: /' <<<"$ERR"
    fi
}
skip() { echo "skip - $1: $2"; }

# wait_for SECONDS CMD...: poll CMD until it succeeds (0) or SECONDS pass (1).
# Never a fixed sleep: a loaded machine only makes the poll take longer.
wait_for() {
    local deadline=$(( $(date +%s%N) / 1000000 + $1 * 1000 )); shift
    until "$@"; do
        [ $(( $(date +%s%N) / 1000000 )) -lt "$deadline" ] || return 1
        sleep 0.02
    done
}
# lock_held FILE: another process holds an flock on FILE.  Never creates it: a
# lock file of root's made before the holder's is one the user cannot open.
# Only a conflict (exit 75) counts, not a file flock could not open.
lock_held() { [ -e "$1" ] || return 1; flock -n -E 75 "$1" true; [ $? -eq 75 ]; }

# Every background process a script starts is ended when it exits: bg_track
# PID registers it; bg_stop PID... ends it and its children now (flock and
# setpriv run their command as a child, which a kill of theirs would orphan).
BG_PIDS=()
bg_track() { BG_PIDS+=("$1"); }
bg_stop() {
    local p
    for p in "$@"; do
        [ -n "$p" ] || continue
        pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null
    done
    return 0
}

has() { grep -qF -- "$2" <<<"$1"; }
hasnt() { ! grep -qF -- "$2" <<<"$1"; }
exists() { [ -e "$1" ] || [ -L "$1" ]; }
missing() { ! exists "$1"; }
rc_is() { [ "$RC" -eq "$1" ]; }
section_in() { grep -qxF -- "$1" "$2" 2>/dev/null; }
no_section_in() { ! grep -qxF -- "$1" "$2" 2>/dev/null; }
snapshot() { (cd "$1" && find . -print0 | sort -z | xargs -0 stat -c '%n %s %a' && find . -type f -print0 | sort -z | xargs -0 sha256sum); }
sha1() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }

SSO=.config/atmos/aws/aws-sso
URL=https://example-org.awsapps.com/start

# Test users of a run that was killed before its cleanup: their homes were
# under a /tmp/atmos-e2e.* directory that no longer exists.
remove_stale_test_users() {
    getent passwd | while IFS=: read -r name _ _ _ _ home _; do
        case "$name:$home" in
        atmos-pam-*:/tmp/atmos-e2e.*|atmos-ssh-*:/tmp/atmos-e2e.*)
            [ -e "$(dirname "$home")" ] || userdel "$name" 2>/dev/null ;;
        esac
    done
}

# A throwaway syslog on /dev/log, only where the machine has none (and we are
# root): sets SYSLOG (the file lines go to) and SINK_PID; stop_syslog_sink undoes it.
# add_test_user NAME HOME [SHELL]: a user (uid >= 2000) with a throwaway home,
# removed when the script exits.  Needs root.
add_test_user() {
    [ ${#TEST_USERS[@]} -gt 0 ] || remove_stale_test_users
    # Scripts run side by side: another's useradd may hold /etc/passwd's lock a moment.
    wait_for 30 useradd -M -d "$2" -s "${3:-/usr/sbin/nologin}" -K UID_MIN=2000 "$1" 2>/dev/null || return 1
    TEST_USERS+=("$1")
}

# In this script's mount namespace, over the machine's /dev/log (or over the
# stand-in tests/run.sh makes where there is none); a script run alone on a
# machine without /dev/log makes it there.  1 when it cannot (not root).
SINK_PID="" SINK_HOW=""
start_syslog_sink() {
    SYSLOG=$TMPROOT/syslog
    [ "$(id -u)" -eq 0 ] || return 1
    local sock=/dev/log t
    # A /dev/log that points into /run (journald's) points into this script's own /run: make the name.
    if [ -n "${ATMOS_E2E_NS:-}" ] && [ -L /dev/log ] && [ ! -e /dev/log ]; then
        t=$(readlink -f /dev/log)
        case $t in /run/*) mkdir -p "${t%/*}" && : >"$t" ;; esac
    fi
    if [ -n "${ATMOS_E2E_NS:-}" ] && [ -e /dev/log ]; then sock=$TMPROOT/log.sock; SINK_HOW=bind;
    elif [ ! -e /dev/log ]; then SINK_HOW=own; else return 1; fi
    "$PY" "$ROOT/tests/e2e/syslog_sink.py" "$sock" "$SYSLOG" &
    SINK_PID=$!
    if ! wait_for 10 grep -qs ready "$SYSLOG" ||
        { [ "$SINK_HOW" = bind ] && ! mount --bind "$sock" /dev/log; }; then
        echo "not ok - the syslog sink did not start"
        stop_syslog_sink; exit 1
    fi
}
stop_syslog_sink() {
    [ -n "$SINK_PID" ] || return 0
    kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null
    if [ "$SINK_HOW" = bind ]; then umount /dev/log 2>/dev/null; else rm -f /dev/log; fi
    SINK_PID="" SINK_HOW=""
}
# syslog_sync: every line sent to the sink so far is in $SYSLOG.  A marker
# sent now comes out after them (one socket, read in order): wait for it.
syslog_sync() {
    local m="atmos-e2e-sync-$BASHPID-$RANDOM"
    logger -u /dev/log -- "$m" && wait_for 10 grep -qsF -- "$m" "$SYSLOG"
}

# --- atmos's AWS files and botocore as their judge (test_aws_paths.sh, test_config_sources.sh) ---
HAVE_BOTO=0
"$PY" -c 'import botocore' 2>/dev/null && HAVE_BOTO=1
# aws_files DIR ID...: atmos's credentials and config in DIR, a section per ID and [keep].
aws_files() {
    local d=$1 id; shift
    mkdir -p "$d"
    : >"$d/credentials"; : >"$d/config"
    for id in "$@" keep; do
        printf '; atmos: expiration=2030-01-01T00:00:00Z\n[%s]\naws_access_key_id = AKIA%s\naws_secret_access_key = s\n\n' \
            "$id" "$id" >>"$d/credentials"
        printf '[profile %s]\nregion = us-east-1\n\n' "$id" >>"$d/config"
    done
}
# boto DIR CREDS CONFIG: botocore reads exactly these profiles (comma-separated, sorted).
boto() {
    [ "$HAVE_BOTO" = 1 ] || { SKIP_REASON="python3-botocore is not installed (make deps installs it)"; return 77; }
    "$PY" - "$ROOT/tests/e2e/botocore_profiles.py" "$@" <<'PY'
import json, subprocess, sys
got = json.loads(subprocess.check_output(["/usr/bin/python3", sys.argv[1], sys.argv[2]]))
want_c = sorted(p for p in sys.argv[3].split(",") if p)
want_p = sorted(p for p in sys.argv[4].split(",") if p)
assert sorted(got["credentials"]) == want_c, (sorted(got["credentials"]), want_c)
assert sorted(got["config"]) == want_p, (sorted(got["config"]), want_p)
PY
}
# atmos's default realm: sha256 of the lowercased config directory, 16 hex digits
# (pkg/config/auth_realm.go hashRealmFromPath); --config FILE makes it FILE's directory.
derived_realm() { "$PY" -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].lower().encode()).hexdigest()[:16])' "$1"; }

# --- a local HTTPS stand-in with a throwaway CA (test_revoke.sh, test_github_sts.sh) ---
PKI=$TMPROOT/pki
SPID=""
# tls_req NAME ARGS...: openssl req making the key NAME.key.  EC keys: a
# hundred handshakes at once stay well inside the 2 s connect bound.
tls_req() {
    local name=$1; shift
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$PKI/$name.key" "$@" 2>/dev/null
}
# tls_cert CA NAME SAN CN: a server certificate NAME signed by CA.
tls_cert() {
    tls_req "$2" -out "$PKI/$2.csr" -subj "/CN=$4" &&
        printf 'subjectAltName=%s\n' "$3" >"$PKI/ext" &&
        openssl x509 -req -in "$PKI/$2.csr" -CA "$PKI/$1.pem" -CAkey "$PKI/$1.key" -CAcreateserial \
            -out "$PKI/$2.pem" -days 2 -extfile "$PKI/ext" 2>/dev/null
}
# tls_pki HOST...: in $PKI the CA "trusted" and its server certificate "srv",
# the CA "rogue" and its "evil" (CN the first HOST, every HOST a DNS name);
# the stand-in (serve) stops when the script exits.
tls_pki() {
    local san="" h ca
    for h in "$@"; do san+=${san:+,}DNS:$h; done
    mkdir -p "$PKI"
    for ca in trusted rogue; do
        tls_req $ca -x509 -out "$PKI/$ca.pem" -days 2 -subj "/CN=$ca" ||
            { echo "not ok - openssl could not make the test CA"; exit 1; }
    done
    tls_cert trusted srv "$san" "$1" && tls_cert rogue evil "$san" "$1" ||
        { echo "not ok - openssl could not make the test certificates"; exit 1; }
    at_exit stop_server
}
# serve MODE [CERT]: start tests/e2e/sso_server.py as an HTTPS proxy answering
# MODE, with certificate CERT (default srv); sets PROXY and LOG (its requests).
serve() {
    stop_server
    LOG=$TMPROOT/requests.$RANDOM; : >"$LOG"; rm -f "$TMPROOT/port"
    "$PY" "$ROOT/tests/e2e/sso_server.py" "$TMPROOT/port" "$LOG" "$PKI/${2:-srv}.pem" "$PKI/${2:-srv}.key" "$1" &
    SPID=$!
    wait_for 10 test -s "$TMPROOT/port" || { echo "not ok - tests/e2e/sso_server.py did not start"; exit 1; }
    PROXY=http://127.0.0.1:$(cat "$TMPROOT/port")
}
stop_server() { [ -n "$SPID" ] && { kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null; SPID=""; }; }
requests() { grep -c '"method"' "$LOG"; }
connects() { grep -c -e '"connect"' -e '"accepted"' "$LOG"; }
# needs_tls CASE: whether CASE runs here, else a skip line.  A completed
# sign-out needs a TLS handshake within the 2 s connect bound (the product's
# policy); under valgrind the handshake alone can take longer, so the cases
# that need one (or a handshake's failure) run in the normal and ASan passes,
# and the valgrind pass keeps those whose outcome does not depend on it
# (refused, hung, unreadable, dry run, --no-revoke, the PAM environment refused).
needs_tls() {
    [ -z "${VALGRIND:-}" ] && return 0
    skip "$1" "under valgrind a TLS handshake can outlast the sign-out's 2 s connect bound; the normal and ASan passes run it"
    return 1
}
# pam_tls: for the PAM cases against the stand-in, as the test user: $PKI's
# CAs readable by its helper, the services' directory $TMPROOT/pam.d, PAMTEST.
pam_tls() {
    chmod 755 "$PKI"; chmod 644 "$PKI/trusted.pem" "$PKI/rogue.pem"
    mkdir -p "$TMPROOT/pam.d"
    PAMTEST=$ROOT/${BUILD:-build}/pamtest
    [ -n "${VALGRIND:-}" ] && PAMTEST=$TMPROOT/vg-pamtest
}
# pam_service NAME OPTIONS...: $TMPROOT/pam.d/NAME, pam_atmos with OPTIONS and the PAM_IGNORE marker.
pam_service() {
    local name=$1; shift
    printf 'session [success=done ignore=ignore default=die] %s state_dir=%s helper=%s %s\n' \
        "$ROOT/${BUILD:-build}/pam_atmos.so" "$TMPROOT/state" "$PAM_HELPER" "$*" >"$TMPROOT/pam.d/$name"
    printf 'session required pam_debug.so open_session=cred_unavail close_session=cred_unavail\n' >>"$TMPROOT/pam.d/$name"
}
# pam_conf TEXT [MODE [OWNER]]: TEXT (printf %b) as /etc/security/pam_atmos.conf, the
# module's options file, in this script's mount namespace only: a copy of
# /etc/security is bound over it the first time.  1 when that cannot be (no
# namespace of its own, not root), and then nothing is written.
# no_pam_conf: no such file again.
pam_conf() {
    [ -n "${ATMOS_E2E_NS:-}" ] && [ -d /etc/security ] || return 1
    if [ -z "${PAM_CONF_DIR:-}" ]; then
        PAM_CONF_DIR=$TMPROOT/etc-security
        cp -a /etc/security "$PAM_CONF_DIR" && rm -f "$PAM_CONF_DIR/pam_atmos.conf" &&
            mount --bind "$PAM_CONF_DIR" /etc/security || { PAM_CONF_DIR=""; return 1; }
    fi
    # Only ever the copy: never the machine's /etc/security.
    [ "$(stat -c %d:%i /etc/security)" = "$(stat -c %d:%i "$PAM_CONF_DIR")" ] || return 1
    rm -rf /etc/security/pam_atmos.conf
    printf '%b' "$1" >/etc/security/pam_atmos.conf
    chmod "${2:-644}" /etc/security/pam_atmos.conf
    chown "${3:-root}:root" /etc/security/pam_atmos.conf
}
no_pam_conf() {
    [ -n "${PAM_CONF_DIR:-}" ] && [ "$(stat -c %d:%i /etc/security)" = "$(stat -c %d:%i "$PAM_CONF_DIR")" ] &&
        rm -rf /etc/security/pam_atmos.conf
}
# field NAME: that field of every request, one a line, sorted.
field() { "$PY" -c 'import json,sys; print("\n".join(sorted(str(json.loads(l).get(sys.argv[2])) for l in open(sys.argv[1]) if "method" in l)))' "$LOG" "$1"; }
