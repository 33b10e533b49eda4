#!/bin/bash
# End-to-end: the browser sessions a logout ends.  An aws/user's webflow
# refresh token, the isolated console profile of `atmos auth console`,
# saml2aws's storage state (and atmos's legacy copy of it), written by this
# test in a temporary HOME in the shapes atmos and the browser leave them
# (webflow_cache.go, console.go consoleSessionDir, saml.go), then logged out
# by identity, provider and --all, with and without a realm; dry run; a
# symlink, a FIFO or a user's own file where one of them should be.
source "$(dirname "$0")/lib.sh"
unset XDG_DATA_HOME ATMOS_XDG_DATA_HOME ATMOS_XDG_CACHE_HOME

# 16 hex digits of sha256(text): how atmos names a realm and a console profile.
hex16() { printf '%s' "$1" | sha256sum | cut -c1-16; }

# browser_home [REALM_LINE]: a HOME with atmos.yaml and every kind of browser state.
browser_home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX")
    export HOME=$H
    cd "$H" || exit 1
    C=$H/.cache/atmos D=$H/.local/share/atmos/console/sessions
    cat >"$H/atmos.yaml" <<YAML
auth:
${1:-  realm: r1}
  providers:
    corp: {kind: aws/saml, url: "https://idp.example/saml", region: us-east-1}
    sso: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://x.awsapps.com/start"}
  identities:
    Web-User: {kind: aws/user}
    team/bot: {kind: aws/user}
    admin: {kind: aws/permission-set, via: {provider: sso}}
    role: {kind: aws/assume-role, via: {provider: corp}}
    amb: {kind: ambient}
YAML
    # Someone else's atmos: a user not configured here, a profile of another identity.
    refresh "$C/aws-webflow/stranger-r1"
    profile "$D/$(hex16 r1/stranger)"
    mkdir -p "$H/.aws/saml2aws"
    printf '{"cookies":[{"name":"SSO","value":"cookie-secret","domain":"idp.example"}],"origins":[]}' \
        >"$H/.aws/saml2aws/storageState.json"
    printf 'mine\n' >"$H/.aws/saml2aws/notes.txt"
    mkdir -p "$C/aws-saml/corp" "$C/aws-saml/elsewhere"
    cp "$H/.aws/saml2aws/storageState.json" "$C/aws-saml/corp/"
    cp "$H/.aws/saml2aws/storageState.json" "$C/aws-saml/elsewhere/"
}
# refresh DIR: a refresh.json as saveRefreshCache writes it (0600 in a 0700 directory).
refresh() {
    mkdir -p -m 700 "$1"
    printf '{\n  "refreshToken": "refresh-secret",\n  "region": "us-east-1",\n  "expiresAt": "2030-01-01T00:00:00Z",\n  "dpopKey": "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg"\n}' >"$1/refresh.json"
    chmod 600 "$1/refresh.json"
}
# profile DIR: a Chromium --user-data-dir after a console session.
profile() {
    mkdir -p "$1/Default/Cache/Cache_Data" "$1/Default/Local Storage/leveldb" "$1/ShaderCache"
    printf '{"profile":{}}' >"$1/Local State"
    printf 'SQLite format 3\0cookie-secret' >"$1/Default/Cookies"
    printf '{}' >"$1/Default/Preferences"
    printf 'x' >"$1/Default/Cache/Cache_Data/f_000001"
    printf 'x' >"$1/Default/Local Storage/leveldb/000003.log"
    ln -s "$(hostname)-424242" "$1/SingletonLock"
    ln -s "/tmp/.org.chromium.Chromium.XXXX/SingletonSocket" "$1/SingletonSocket"
    ln -s "120.0.6099.224" "$1/RunningChromeVersion"
    mkfifo "$1/Default/Cache/pipe" # anything below the profile is the browser's
}
go() { OUT=$(timeout 20 "$BIN" --config "$H/atmos.yaml" "$@" 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr"); }
# jq_ok EXPR: a Python assertion on the JSON report in $OUT (d).
jq_ok() { "$PY" -c "import json,sys; d=json.loads(sys.argv[1]); b=[i for i in d['items'] if i['browser_session']]
$1" "$OUT"; }

begin "identity logout (realm r1): its refresh token and both spellings' console profiles"
browser_home
refresh "$C/aws-webflow/web-user-r1"
for s in web-user Web-User admin; do profile "$D/$(hex16 "r1/$s")"; done
go Web-User
check "exit 0" rc_is 0
check "refresh token gone" missing "$C/aws-webflow/web-user-r1/refresh.json"
check "its directory too" missing "$C/aws-webflow/web-user-r1"
check "lowercase profile gone" missing "$D/$(hex16 r1/web-user)"
check "as-written profile gone" missing "$D/$(hex16 r1/Web-User)"
check "another identity's profile stays" exists "$D/$(hex16 r1/admin)/Default/Cookies"
check "a stranger's refresh token stays" exists "$C/aws-webflow/stranger-r1/refresh.json"
check "a stranger's profile stays" exists "$D/$(hex16 r1/stranger)/Local State"
check "saml2aws state stays" exists "$H/.aws/saml2aws/storageState.json"
check "text: ended, by kind" has "$OUT" "Ended browser session (refresh token) ~/.cache/atmos/aws-webflow/web-user-r1/refresh.json"
check "text: the profile" has "$OUT" "Ended browser session (console profile) ~/.local/share/atmos/console/sessions/$(hex16 r1/web-user)"
check "text: summary" has "$OUT" "Browser sessions ended on this machine: 3 (refresh token: 1, console profile: 2)."
check "no token in the output" hasnt "$OUT$ERR" "secret"
end

begin "identity logout as JSON: each browser session named"
browser_home
refresh "$C/aws-webflow/web-user-r1"
profile "$D/$(hex16 r1/admin)"
go --output json Web-User
check "exit 0" rc_is 0
check "JSON: the refresh token removed, the profiles absent" jq_ok '
got=sorted((i["browser_session"], i["status"], i["cloud"], i["kind"]) for i in b)
assert got==[("console profile","absent","console","directory")]*2+[("refresh token","removed","aws","cache_file")], got
assert d["browser_sessions"]==1, d["browser_sessions"]'
go --output json admin
check "JSON: an IAM Identity Center identity's profile" jq_ok '
assert [(i["browser_session"], i["status"], i["identity"]) for i in b]==[("console profile","removed","admin")], b'
check "gone" missing "$D/$(hex16 r1/admin)"
go --output json amb
check "an ambient identity: no console, no browser item" jq_ok 'assert b==[], b'
end

begin "dry run: every browser state listed, nothing changed"
browser_home
refresh "$C/aws-webflow/web-user-r1"; refresh "$C/aws-webflow/team/bot-r1"
for s in web-user Web-User admin role team/bot; do profile "$D/$(hex16 "r1/$s")"; done
before=$(snapshot "$H")
go --all --dry-run
check "exit 0" rc_is 0
check "unchanged" [ "$before" = "$(snapshot "$H")" ]
check "lists the profile" has "$OUT" "browser session (console profile) ~/.local/share/atmos/console/sessions/$(hex16 r1/role)"
check "lists saml2aws's state" has "$OUT" "browser session (IdP cookies) ~/.aws/saml2aws/storageState.json"
check "lists the nested identity's token" has "$OUT" "browser session (refresh token) ~/.cache/atmos/aws-webflow/team/bot-r1/refresh.json"
check "summary" has "$OUT" "Browser sessions to end on this machine: 9 (IdP cookies: 2, refresh token: 2, console profile: 5)."
end

begin "provider logout (aws/saml): saml2aws's state, the legacy copy, its identities' profiles"
browser_home
refresh "$C/aws-webflow/web-user-r1"
for s in role admin; do profile "$D/$(hex16 "r1/$s")"; done
go --provider corp
check "exit 0" rc_is 0
check "saml2aws state gone" missing "$H/.aws/saml2aws/storageState.json"
check "the user's file beside it stays" [ "$(cat "$H/.aws/saml2aws/notes.txt")" = mine ]
check "legacy copy gone, with its directory" missing "$C/aws-saml/corp"
check "another provider's legacy copy stays" exists "$C/aws-saml/elsewhere/storageState.json"
check "role's profile gone" missing "$D/$(hex16 r1/role)"
check "admin's profile stays (another provider)" exists "$D/$(hex16 r1/admin)/Default/Cookies"
check "the aws/user refresh token stays" exists "$C/aws-webflow/web-user-r1/refresh.json"
check "summary" has "$OUT" "Browser sessions ended on this machine: 3 (IdP cookies: 2, console profile: 1)."
end

begin "--all: every configured one; a nested identity; what is not ours stays"
browser_home
refresh "$C/aws-webflow/web-user-r1"; refresh "$C/aws-webflow/team/bot-r1"
for s in web-user admin role team/bot; do profile "$D/$(hex16 "r1/$s")"; done
printf 'mine\n' >"$C/aws-webflow/web-user-r1/notes.txt"
go --all
check "exit 0" rc_is 0
check "refresh token gone" missing "$C/aws-webflow/web-user-r1/refresh.json"
check "a user's file in its directory stays, and the directory" [ "$(cat "$C/aws-webflow/web-user-r1/notes.txt")" = mine ]
check "nested token gone, its directory too" missing "$C/aws-webflow/team/bot-r1"
for s in web-user admin role team/bot; do check "profile of $s gone" missing "$D/$(hex16 "r1/$s")"; done
check "a stranger's refresh token stays" exists "$C/aws-webflow/stranger-r1/refresh.json"
check "a stranger's profile stays" exists "$D/$(hex16 r1/stranger)/Default/Cookies"
check "saml2aws state gone" missing "$H/.aws/saml2aws/storageState.json"
check "the symlinks' targets were never followed" bash -c "[ ! -e /tmp/.org.chromium.Chromium.XXXX ]"
end

begin "no realm configured: atmos's derived realm, and the realm-less '<identity>-'"
browser_home "  keyring: {type: file}"
R=$(hex16 "$(tr 'A-Z' 'a-z' <<<"$H")")
refresh "$C/aws-webflow/web-user-$R"; refresh "$C/aws-webflow/web-user-"
profile "$D/$(hex16 "$R/web-user")"; profile "$D/$(hex16 "/web-user")"
go Web-User
check "exit 0" rc_is 0
check "the derived realm's token gone" missing "$C/aws-webflow/web-user-$R"
check "the trailing-dash token gone" missing "$C/aws-webflow/web-user-"
check "the derived realm's profile gone" missing "$D/$(hex16 "$R/web-user")"
check "no profile is planned without a realm (atmos always hashes one)" exists "$D/$(hex16 /web-user)/Local State"
end

begin "ATMOS_XDG_CACHE_HOME and ATMOS_XDG_DATA_HOME"
browser_home
refresh "$H/xc/atmos/aws-webflow/web-user-r1"; profile "$H/xd/atmos/console/sessions/$(hex16 r1/web-user)"
refresh "$C/aws-webflow/web-user-r1"
OUT=$(ATMOS_XDG_CACHE_HOME=$H/xc ATMOS_XDG_DATA_HOME=$H/xd "$BIN" --config "$H/atmos.yaml" web-user 2>&1); RC=$?
check "exit 0" rc_is 0
check "token under ATMOS_XDG_CACHE_HOME gone" missing "$H/xc/atmos/aws-webflow/web-user-r1"
check "profile under ATMOS_XDG_DATA_HOME gone" missing "$H/xd/atmos/console/sessions/$(hex16 r1/web-user)"
check "the default cache is not the one used" exists "$C/aws-webflow/web-user-r1/refresh.json"
end

begin "a symlink in place of each: refused, the target survives"
browser_home
mkdir -p "$H/elsewhere/dir" "$C/aws-webflow/web-user-r1" "$D"
printf 'precious\n' >"$H/elsewhere/file"
ln -s "$H/elsewhere/file" "$C/aws-webflow/web-user-r1/refresh.json"
ln -s "$H/elsewhere/dir" "$C/aws-webflow/team"
profile "$H/elsewhere/profile"
ln -s "$H/elsewhere/profile" "$D/$(hex16 r1/web-user)"
rm "$H/.aws/saml2aws/storageState.json"
ln -s "$H/elsewhere/file" "$H/.aws/saml2aws/storageState.json"
refresh "$H/elsewhere/dir/bot-r1"
before=$(snapshot "$H/elsewhere")
go --all
check "exit 0 (the rest went)" rc_is 0
check "targets untouched" [ "$before" = "$(snapshot "$H/elsewhere")" ]
check "the links stay" bash -c "[ -L '$C/aws-webflow/web-user-r1/refresh.json' ] && [ -L '$D/$(hex16 r1/web-user)' ] && [ -L '$H/.aws/saml2aws/storageState.json' ]"
check "says so" has "$OUT" "refresh.json is a symlink"
check "says so (profile)" grep -qF "$(hex16 r1/web-user) is a symlink" <<<"$OUT"
check "says so (a directory on the way)" has "$OUT" "aws-webflow/team is a symlink, refusing to follow it"
check "the legacy copy still went" missing "$C/aws-saml/corp"
end

begin "a FIFO refresh.json does not hang the logout"
browser_home
mkdir -p "$C/aws-webflow/web-user-r1"; mkfifo "$C/aws-webflow/web-user-r1/refresh.json"
profile "$D/$(hex16 r1/web-user)"
go web-user
check "ended before the timeout" [ "$RC" -ne 124 ]
check "exit 0 (the profile went)" rc_is 0
check "the FIFO stays" test -p "$C/aws-webflow/web-user-r1/refresh.json"
check "says so" has "$OUT" "refresh.json is a FIFO"
check "profile gone" missing "$D/$(hex16 r1/web-user)"
end

begin "a console profile holding what the browser does not write at its top stays"
browser_home
profile "$D/$(hex16 r1/web-user)"; mkfifo "$D/$(hex16 r1/web-user)/odd-fifo"
go web-user
check "exit 1 (nothing else to remove)" rc_is 1
check "the FIFO stays, and the directory" test -p "$D/$(hex16 r1/web-user)/odd-fifo"
check "the browser's files went" missing "$D/$(hex16 r1/web-user)/Default"
check "says what it kept" has "$OUT" "holds 1 entry atmos did not write (odd-fifo)"
end

begin "saml2aws's file that is not a storage state stays"
browser_home
printf '{"mine": true}\n' >"$H/.aws/saml2aws/storageState.json"
go --provider corp
check "exit 0" rc_is 0
check "kept byte for byte" [ "$(cat "$H/.aws/saml2aws/storageState.json")" = '{"mine": true}' ]
check "the legacy copy (a storage state) went" missing "$C/aws-saml/corp"
end

begin "no configuration: atmos's refresh tokens, profiles and legacy copies are discovered"
browser_home
rm "$H/atmos.yaml"
mkdir -p "$D/not-a-hash"; printf 'x' >"$D/not-a-hash/f"
OUT=$(cd "$H" && timeout 20 "$BIN" --all 2>&1); RC=$?
check "exit 0" rc_is 0
check "the refresh token" missing "$C/aws-webflow/stranger-r1"
check "the profile" missing "$D/$(hex16 r1/stranger)"
check "the legacy copies" bash -c "[ ! -e '$C/aws-saml/corp' ] && [ ! -e '$C/aws-saml/elsewhere' ]"
check "not saml2aws's own file (nothing says atmos wrote it)" exists "$H/.aws/saml2aws/storageState.json"
check "a directory not named by atmos's hash stays" exists "$D/not-a-hash/f"
end

begin "a profile of more than 100,000 entries: the walk stops, and says so"
browser_home
P=$D/$(hex16 r1/web-user)
"$PY" - "$P/Default/Cache" <<'PY'
import os, sys
d = sys.argv[1]; os.makedirs(d)
for i in range(100050):
    open(os.path.join(d, "f%06d" % i), "w").close()
PY
start=$(date +%s%N)
go web-user
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "# 100,050-entry profile: ${ms} ms"
check "ended before the timeout" [ "$RC" -ne 124 ]
check "exit 1" rc_is 1
check "says so" has "$OUT" "more than 100000 entries; the rest was left"
check "the rest left" [ "$(find "$P" -type f | wc -l)" -gt 0 ]
end

# The PAM module through the real libpam: the last session's close, as the user.
if [ "$(id -u)" -ne 0 ]; then
    skip "pam_atmos and browser sessions" "needs root to create a test user"
else
    PAMTEST=$ROOT/${BUILD:-build}/pamtest
    [ -n "${VALGRIND:-}" ] && PAMTEST=$TMPROOT/vg-pamtest
    U=atmos-pam-b$$ UH=$TMPROOT/bh-home
    mkdir -p "$UH" "$TMPROOT/pam.d"
    add_test_user "$U" "$UH" /bin/sh || echo "not ok - useradd failed"
    printf 'session [success=done ignore=ignore default=die] %s state_dir=%s helper=%s\n' \
        "$ROOT/${BUILD:-build}/pam_atmos.so" "$TMPROOT/state" "$PAM_HELPER" >"$TMPROOT/pam.d/browser"
    printf 'session required pam_debug.so open_session=cred_unavail close_session=cred_unavail\n' >>"$TMPROOT/pam.d/browser"
    # pam_home [CONFIG]: the test user's home with every browser state, and ~/.atmos/atmos.yaml.
    pam_home() {
        rm -rf "${UH:?}"/* "${UH:?}"/.[!.]*
        H=$UH C=$UH/.cache/atmos D=$UH/.local/share/atmos/console/sessions
        refresh "$C/aws-webflow/web-user-r1"; profile "$D/$(hex16 r1/web-user)"
        mkdir -p "$UH/.aws/saml2aws" "$UH/.atmos"
        printf '{"cookies":[{"name":"SSO"}],"origins":[]}' >"$UH/.aws/saml2aws/storageState.json"
        if [ -n "$1" ]; then
            printf 'auth:\n  realm: r1\n  providers:\n    corp: {kind: aws/saml, url: "https://i.example", region: us-east-1}\n  identities:\n    Web-User: {kind: aws/user}\n' >"$UH/.atmos/atmos.yaml"
        fi
        chown -R "$U:" "$UH"; chmod 700 "$UH"
    }
    begin "pam_atmos: the last session's close ends the user's browser sessions (atmos.yaml)"
    pam_home config
    OUT=$("$PAMTEST" "$TMPROOT/pam.d" browser "$U" oc 2>&1); RC=$?
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "refresh token gone" missing "$C/aws-webflow/web-user-r1"
    check "console profile gone" missing "$D/$(hex16 r1/web-user)"
    check "saml2aws state gone" missing "$UH/.aws/saml2aws/storageState.json"
    end
    begin "pam_atmos: no atmos.yaml: atmos's own browser state discovered, saml2aws's kept"
    pam_home
    OUT=$("$PAMTEST" "$TMPROOT/pam.d" browser "$U" oc 2>&1); RC=$?
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "refresh token gone" missing "$C/aws-webflow/web-user-r1"
    check "console profile gone" missing "$D/$(hex16 r1/web-user)"
    check "saml2aws state kept" exists "$UH/.aws/saml2aws/storageState.json"
    end
fi
