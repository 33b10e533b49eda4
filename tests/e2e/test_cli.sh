#!/bin/bash
# End-to-end: the built atmos-logout against real files in a temporary HOME.
source "$(dirname "$0")/lib.sh"

begin "identity logout removes only that identity's sections"
fresh_home
run dev-admin
check "exit 0" rc_is 0
check "header" has "$OUT" "Logging out from identity: dev-admin"
check "chain" has "$OUT" "Chain: aws-sso → dev-org-admin → dev-admin"
check "item line" has "$OUT" "Removed [dev-admin] from ~/$SSO/credentials"
check "summary" has "$OUT" "Successfully logged out from 1 identity"
check "browser note" has "$OUT" "browser sessions"
check "credentials section gone" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "config section gone" no_section_in "[profile dev-admin]" "$H/$SSO/config"
check "nested block went with it" bash -c "! grep -q max_concurrent_requests '$H/$SSO/config'"
check "sibling kept" section_in "[dev-org-admin]" "$H/$SSO/credentials"
check "sibling config kept" section_in "[profile prod-readonly]" "$H/$SSO/config"
check "its atmos comment went, the others stayed" \
    [ "$(grep -c '^; atmos: expiration=' "$H/$SSO/credentials")" -eq 2 ]
check "SSO token stays" exists "$H/.aws/sso/cache/$(sha1 "$URL").json"
check "atmos session stays" exists "$H/.cache/atmos/aws-sso/sessions/$(sha1 "$URL|us-east-1").json"
check "mode kept" [ "$(stat -c %a "$H/$SSO/credentials")" = 600 ]
check "no temporaries left" bash -c "! ls -a '$H/$SSO' | grep -q atmos-tmp"
end

begin "already logged out"
run dev-admin
check "exit 0" rc_is 0
check "message" has "$OUT" "Identity \"dev-admin\" is already logged out."
end

begin "identity from -i, ATMOS_IDENTITY and IDENTITY"
fresh_home
run -i prod-readonly
check "-i" no_section_in "[prod-readonly]" "$H/$SSO/credentials"
OUT=$(ATMOS_IDENTITY=dev-admin IDENTITY=dev-org-admin "$BIN" --config "$EXAMPLE"); RC=$?
check "ATMOS_IDENTITY wins" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "IDENTITY not used" section_in "[dev-org-admin]" "$H/$SSO/credentials"
OUT=$(IDENTITY=dev-org-admin "$BIN" --config "$EXAMPLE"); RC=$?
check "IDENTITY" no_section_in "[dev-org-admin]" "$H/$SSO/credentials"
check "last one deletes the files" missing "$H/$SSO/credentials"
check "and the directory" missing "$H/$SSO"
end

begin "dry run changes nothing and lists the plan"
fresh_home
before=$(snapshot "$H")
run --dry-run --provider aws-sso
check "exit 0" rc_is 0
check "says dry run" has "$OUT" "Dry run: nothing will be removed."
check "lists directory" has "$OUT" "provider directory ~/$SSO"
check "lists token" has "$OUT" "AWS CLI SSO token ~/.aws/sso/cache/$(sha1 "$URL").json"
check "lists sso-session token" has "$OUT" "named-session.json"
check "does not list other URL" hasnt "$OUT" "other.json"
check "does not list broken" hasnt "$OUT" "broken.json"
check "files unchanged" [ "$before" = "$(snapshot "$H")" ]
run --dry-run dev-admin
check "identity dry run" has "$OUT" "[profile dev-admin] from ~/$SSO/config"
check "still unchanged" [ "$before" = "$(snapshot "$H")" ]
end

begin "provider logout removes its directory and caches, nothing else"
fresh_home
run --provider aws-sso
check "exit 0" rc_is 0
check "summary counts its identities" has "$OUT" "Successfully logged out from 3 identities"
check "directory gone" missing "$H/$SSO"
check "atmos session gone" missing "$H/.cache/atmos/aws-sso/sessions/$(sha1 "$URL|us-east-1").json"
check "provisioned gone" missing "$H/.cache/atmos/auth/aws-sso"
check "AWS CLI token gone" missing "$H/.aws/sso/cache/$(sha1 "$URL").json"
check "sso-session token gone" missing "$H/.aws/sso/cache/named-session.json"
check "other URL kept" exists "$H/.aws/sso/cache/other.json"
check "client registration kept" exists "$H/.aws/sso/cache/botocore-client-id-us-east-1.json"
check "unparseable kept" exists "$H/.aws/sso/cache/broken.json"
check "other provider kept" exists "$H/.config/atmos/aws/partner-sso/credentials"
check "aws-user kept" exists "$H/.config/atmos/aws/aws-user/credentials"
run --provider aws-sso
check "again: already logged out" has "$OUT" "Provider \"aws-sso\" is already logged out."
end

begin "--all removes every provider, aws-user included"
fresh_home
run --all
check "exit 0" rc_is 0
check "summary" has "$OUT" "Successfully logged out from 5 identities"
check "base is empty" [ -z "$(ls -A "$H/.config/atmos/aws")" ]
check "decoys kept" exists "$H/.aws/sso/cache/other.json"
run --all
check "again" has "$OUT" "All identities are already logged out."
end

begin "not found lists the available names sorted"
fresh_home
run nope
check "exit 1" rc_is 1
check "message" has "$ERR" 'Error: identity "nope" not found in configuration'
check "sorted list" [ "$(sed -n '/Available identities:/,$p' <<<"$ERR" | tail -n +2 | tr -d ' -' | tr '\n' ,)" = "ciuser,devadmin,devorgadmin,partneraudit,prodreadonly," ]
run --provider nope
check "provider exit 1" rc_is 1
check "provider message" has "$ERR" 'Error: provider "nope" not found in configuration'
check "providers listed" has "$ERR" "  - partner-sso"
run dev-amdin
check "a typo: did you mean" has "$ERR" 'Did you mean "dev-admin"?'
run zzzzzz
check "nothing near: no guess" hasnt "$ERR" "Did you mean"
run dev-admiin -o json
check "json: the hint" "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["hint"]=="Did you mean \"dev-admin\"?", r' "$OUT"
run aws-sso
check "a provider given as an identity: said, with the command" has "$ERR" '"aws-sso" is a provider: atmos-logout --provider aws-sso'
run --provider dev-admin
check "an identity given as a provider: said, with the command" has "$ERR" '"dev-admin" is an identity: atmos-logout dev-admin'
end

begin "--profile given an identity (an AWS habit): atmos profiles said apart, with the next step"
fresh_home
before=$(snapshot "$H")
run --profile dev-admin
check "exit 1" rc_is 1
check "the profile error" has "$ERR" 'Error: profile "dev-admin" not found'
check "the home in it reads ~" hasnt "$ERR" "$H"
check "an identity: the next step" has "$ERR" '"dev-admin" is an identity, not an atmos profile (--profile): atmos-logout dev-admin'
check "what a profile is" has "$ERR" "(--profile names atmos profiles: profiles/NAME/ beside atmos.yaml"
run --profile Dev-Admin
check "spelt in capitals: the same identity" has "$ERR" '"dev-admin" is an identity, not an atmos profile'
run --profile dev-amdin
check "a typo of one: looks like it" has "$ERR" '"dev-amdin" looks like the identity "dev-admin", not an atmos profile (--profile): atmos-logout dev-admin'
run --profile aws-sso
check "a provider: its next step" has "$ERR" '"aws-sso" is a provider, not an atmos profile (--profile): atmos-logout --provider aws-sso'
run --profile nothing-like
check "neither: what --profile is, and how to name an identity" has "$ERR" "--profile names atmos profiles (profiles/NAME/ beside atmos.yaml, as atmos --profile), not AWS profiles; an identity is named alone: atmos-logout IDENTITY"
OUT=$(ATMOS_PROFILE=dev-admin "$BIN" --config "$EXAMPLE" -o json dev-admin 2>/dev/null); RC=$?
check "\$ATMOS_PROFILE, JSON: exit 1" rc_is 1
check "\$ATMOS_PROFILE, JSON: the hint names the variable" "$PY" -c '
import json, sys; r = json.loads(sys.argv[1])
assert r["hint"] == "\"dev-admin\" is an identity, not an atmos profile ($ATMOS_PROFILE): unset ATMOS_PROFILE; atmos-logout dev-admin", r' "$OUT"
check "nothing removed" [ "$before" = "$(snapshot "$H")" ]
# A profile that exists is loaded as before, and a broken configuration is not blamed on it.
mkdir -p "$H/cfg/profiles/ci"; cp "$EXAMPLE" "$H/cfg/atmos.yaml"
printf 'auth:\n  realm: fromprofile\n' >"$H/cfg/profiles/ci/auth.yaml"
OUT=$("$BIN" --config "$H/cfg/atmos.yaml" --profile ci --dry-run dev-admin 2>&1); RC=$?
check "a real profile: loaded" has "$OUT" "Realm: fromprofile"
printf 'auth: [\n' >"$H/cfg/atmos.yaml"
OUT=$("$BIN" --config "$H/cfg/atmos.yaml" --profile dev-admin dev-admin 2>&1); RC=$?
check "a broken atmos.yaml: its own error, no profile hint" hasnt "$OUT" "not an atmos profile"
end

begin "several identities: one plan, one report; a name not configured is named, the others go, exit 1"
fresh_home
before=$(snapshot "$H")
run --dry-run dev-admin ci-user
check "dry run: exit 0" rc_is 0
check "dry run: one report naming both" has "$OUT" "Logging out from 2 identities: ci-user, dev-admin"
check "dry run: each one's items" bash -c 'grep -qF "[dev-admin] from ~/.config/atmos/aws/aws-sso/credentials" <<<"$1" &&
    grep -qF "[ci-user] from ~/.config/atmos/aws/aws-user/credentials" <<<"$1"' _ "$OUT"
check "dry run: one summary" [ "$(grep -c '^Dry run: .* would be removed' <<<"$OUT")" = 1 ]
check "dry run: nothing removed" [ "$before" = "$(snapshot "$H")" ]
run DEV-AMDIN -i prod-readonly prod-readonly
check "exit 1: a name not configured" rc_is 1
check "the unknown one named in the report" has "$OUT" '    Not found: identity "dev-amdin"'
check "its error" has "$OUT" '  • identity "dev-amdin" not found in configuration'
check "the next step for the typo" has "$OUT" 'Did you mean "dev-admin" for "dev-amdin"?'
check "summary: with errors" has "$OUT" "Logged out with errors (2/3 successful)"
check "the other went" bash -c '! grep -q "^\[prod-readonly\]" "$1" && ! grep -q "profile prod-readonly\]" "$2"' _ "$H/$SSO/credentials" "$H/$SSO/config"
check "the typo's look-alike untouched" section_in "[dev-admin]" "$H/$SSO/credentials"
check "one report: one summary" [ "$(grep -c "successful)" <<<"$OUT")" = 1 ]
run dev-admin dev-amdin
check "with the look-alike: exit 1" rc_is 1
check "with the look-alike: both went their way" bash -c 'grep -qF "Not found: identity \"dev-amdin\"" <<<"$1" && ! grep -q "^\[dev-admin\]" "$2"' _ "$OUT" "$H/$SSO/credentials"
check "with the look-alike logged out: no guess" hasnt "$OUT" "Did you mean"
check "a sibling kept" section_in "[dev-org-admin]" "$H/$SSO/credentials"
run dev-admin prod-readonly
check "again: exit 0" rc_is 0
check "again: both already logged out" has "$OUT" 'Identities "dev-admin", "prod-readonly" are already logged out.'
fresh_home
run -o json ci-user nope dev-admin
check "JSON: exit 1" rc_is 1
check "JSON: one document; the unknown one an item; the others removed; exit_code 1" "$PY" -c '
import json, sys; r = json.loads(sys.argv[1])
assert r["scope"] == "identity" and r["target"] is None, r
assert r["identities"] == ["ci-user", "dev-admin"], r["identities"]
nf = [i for i in r["items"] if i["kind"] == "not_found"]
assert len(nf) == 1 and nf[0]["what"] == "nope" and nf[0]["status"] == "failed", nf
assert nf[0]["error"] == "identity \"nope\" not found in configuration", nf
assert r["removed"] == 3 and r["failed"] == 1, r
assert r["status"] == "partial" and r["exit_code"] == 1, r' "$OUT"
check "JSON: the others went" no_section_in "[dev-admin]" "$H/$SSO/credentials"
run -o json nope1 nope2
check "JSON, none configured: exit 1" rc_is 1
check "JSON, none configured: both named, failed" "$PY" -c '
import json, sys; r = json.loads(sys.argv[1])
assert sorted(i["what"] for i in r["items"] if i["kind"] == "not_found") == ["nope1", "nope2"], r
assert r["status"] == "failed" and r["exit_code"] == 1, r' "$OUT"
fresh_home
run dev-admin ci-user
check "all configured: exit 0" rc_is 0
check "all configured: logged out" has "$OUT" "Successfully logged out from 2 identities"
check "all configured: both gone" bash -c '! grep -q "^\[dev-admin\]" "$1" && [ ! -e "$2" ]' _ "$H/$SSO/credentials" "$H/.config/atmos/aws/aws-user/credentials"
run dev-admin --provider aws-sso;  check "several with --provider: usage error" rc_is 2
run --all dev-admin ci-user;       check "several with --all: usage error" rc_is 2
end

begin "usage errors exit 2"
fresh_home
run dev-admin --provider aws-sso;  check "identity + provider" rc_is 2
run --all dev-admin;               check "all + identity" rc_is 2
run --all --provider aws-sso;      check "all + provider" rc_is 2
run --bogus;                       check "unknown option" rc_is 2
check "unknown option named" has "$ERR" 'Error: unknown option "--bogus"'
run;                               check "no target" rc_is 2
run --output yaml dev-admin;       check "bad output" rc_is 2
check "nothing removed by usage errors" section_in "[dev-admin]" "$H/$SSO/credentials"
run --help;                        check "help exits 0" rc_is 0
check "help lists --dry-run" has "$OUT" "--dry-run"
# The option lines come from one table, sorted by name.
names=$(sed -n 's/^  \(-[[:alnum:]], \)\{0,1\} *--\([[:alnum:]-]*\).*/\2/p' <<<"$OUT")
check "help: the options sorted by name" [ "$names" = "$(LC_ALL=C sort <<<"$names")" ]
check "help: every option ($(echo $names))" [ "$(echo $names)" = "all all-realms config dry-run force help identity keychain list-identities list-providers list-tags no-revoke output profile provider quiet status tags timeout user verbose version" ]
end

begin "a failing item: best-effort summary, exit status"
fresh_home
rm "$H/$SSO/credentials"; mkdir "$H/$SSO/credentials"   # not a file
run dev-admin
check "exit 0 (one item removed)" rc_is 0
check "warnings" has "$OUT" "Logged out with warnings (1/2 successful)"
check "errors header" has "$OUT" "Errors encountered:"
check "reason" has "$OUT" "is a directory, not a regular file"
check "cross mark" has "$OUT" "Could not remove [dev-admin]"
# Every path under the home reads ~/..., in the items and in the errors alike; JSON keeps it whole.
check "the error's path abbreviated" has "$OUT" "  • ~/.config/atmos/aws/aws-sso/credentials is a directory"
check "no line shows the home itself ($H)" hasnt "$OUT" "$H"
OUT=$("$BIN" --config "$EXAMPLE" -q dev-admin 2>&1)
check "-q: the error's path abbreviated too" has "$OUT" "Error: ~/.config/atmos/aws/aws-sso/credentials is a directory"
run -o json dev-admin
check "JSON: the error's path whole" "$PY" -c '
import json, sys; r = json.loads(sys.argv[1])
assert any(i["error"] and i["error"].startswith(sys.argv[2] + "/.config/") for i in r["items"]), r' "$OUT" "$H"
check "config section removed anyway" no_section_in "[profile dev-admin]" "$H/$SSO/config"
rmdir "$H/$SSO/credentials"; printf '[dev-admin]\nk=v\n' >"$H/$SSO/credentials"
printf '[profile dev-admin]\n' >>"$H/$SSO/config"
ln -sfn /etc "$H/$SSO.victim"; rm -rf "$H/$SSO"; ln -s "$H/$SSO.victim" "$H/$SSO"
run dev-admin
check "exit 1 when every removal failed" rc_is 1
check "failed summary" has "$OUT" "Logout failed (0/2 successful)"
check "symlink named" has "$OUT" "is a symlink, refusing to follow it"
end

begin "an unwritable directory fails that item only"
fresh_home
if [ "$(id -u)" -eq 0 ]; then
    # root ignores permissions: run as nobody, as the PAM module's child would.
    chown -R 65534:65534 "$H"
    as_user() { setpriv --reuid 65534 --regid 65534 --clear-groups -- "$@"; }
else
    as_user() { "$@"; }
fi
chmod 500 "$H/$SSO"
OUT=$(HOME=$H as_user "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
chmod 700 "$H/$SSO"
check "exit 1: every removal failed" rc_is 1
check "reason" has "$OUT" "Permission denied"
check "file intact" section_in "[dev-admin]" "$H/$SSO/credentials"
check "no temporary left" bash -c "! ls -a '$H/$SSO' | grep -q atmos-tmp"
end

begin "the lock held by another process"
fresh_home
flock -o "$H/$SSO/credentials.lock" sleep 30 &
holder=$!; bg_track "$holder"
check "another process holds the lock" wait_for 10 lock_held "$H/$SSO/credentials.lock"
start=$(date +%s)
run dev-admin
waited=$(( $(date +%s) - start ))
# Ordering, not a stopwatch, for the upper side: it gave up while the lock
# was still held (30 s), so its own bound ended the wait.
check "gave up while the lock was still held" kill -0 "$holder"
bg_stop "$holder"
check "timeout named" has "$OUT" "timed out after 10.0 s waiting for the lock"
check "waited the 10 s (${waited} s)" [ "$waited" -ge 9 ]
check "credentials untouched" section_in "[dev-admin]" "$H/$SSO/credentials"
check "config done" no_section_in "[profile dev-admin]" "$H/$SSO/config"
check "warnings" has "$OUT" "Logged out with warnings (1/2 successful)"
# A holder that lets go in time (3 s, within the 10 s bound): we wait and succeed.
flock -o "$H/$SSO/credentials.lock" sleep 3 &
holder=$!; bg_track "$holder"
check "another process holds the lock again" wait_for 10 lock_held "$H/$SSO/credentials.lock"
run dev-admin
wait "$holder"
check "released lock: removed" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "exit 0" rc_is 0
end

begin "waiting for one file's lock, holds no other"
# Both rewrites are staged together when both locks are free; when the second
# is busy, the first is finished and its lock let go before waiting (a holder
# of config.lock that wanted credentials.lock next would otherwise wait on us).
# Polled, not slept on: a slow run (valgrind) reaches the wait later.  The
# holder keeps config.lock until the state is seen (or 8 s, before the
# logout's own 10 s lock timeout), so the logout is waiting throughout.
fresh_home
flock -o "$H/$SSO/config.lock" sleep 60 &
holder=$!; bg_track "$holder"
check "another process holds config.lock" wait_for 10 lock_held "$H/$SSO/config.lock"
"$BIN" --config "$EXAMPLE" dev-admin >"$TMPROOT/wait.out" 2>&1 &
logout=$!; bg_track "$logout"
seen=""
credentials_done() { no_section_in "[dev-admin]" "$H/$SSO/credentials" && flock -n "$H/$SSO/credentials.lock" true; }
wait_for 8 credentials_done && seen=yes
check "still waiting for config.lock" kill -0 "$logout"
check "meanwhile credentials rewritten and credentials.lock free" [ -n "$seen" ]
bg_stop "$holder"
wait "$logout"; RC=$?
check "exit 0" rc_is 0
check "config done after the wait" no_section_in "[profile dev-admin]" "$H/$SSO/config"
check "no temporaries left" bash -c "! ls -a '$H/$SSO' | grep -q atmos-tmp"
end

begin "no target with -o json: a JSON error naming the identities, on stdout, never a selector"
fresh_home
OUT=$("$BIN" --config "$EXAMPLE" -o json </dev/null 2>"$TMPROOT/err"); RC=$?
check "exit 2" rc_is 2
check "stdout is the JSON error with the names" "$PY" -c '
import json,sys; d=json.loads(sys.argv[1]); assert "no identity given" in d["error"] and "dev-admin" in d["identities"], d' "$OUT"
check "nothing on stderr" [ ! -s "$TMPROOT/err" ]
end

begin "LC_ALL=C: ASCII glyphs only (the bullets, the marks)"
fresh_home
OUT=$(LC_ALL=C "$BIN" --config "$EXAMPLE" --dry-run --all 2>&1); RC=$?
check "exit 0" rc_is 0
check "lists items" has "$OUT" "  - "
check "no byte above 0x7f" bash -c "! LC_ALL=C grep -q \$'[\x80-\xff]' <<<\"\$1\"" _ "$OUT"
OUT=$(LC_ALL=C.UTF-8 "$BIN" --config "$EXAMPLE" --dry-run --all 2>&1)
check "UTF-8 locale: the bullet" has "$OUT" "  • "
end

begin "--output json --dry-run: nothing removed, what would be counted as such"
fresh_home
before=$(snapshot "$H")
run --output json --dry-run dev-admin
check "exit 0" rc_is 0
check "removed 0, would_remove 2, status dry_run" "$PY" -c '
import json,sys; d=json.loads(sys.argv[1])
assert d["dry_run"] is True and d["removed"]==0 and d["would_remove"]==2 and d["status"]=="dry_run", d' "$OUT"
check "nothing changed" [ "$before" = "$(snapshot "$H")" ]
run --output json dev-admin
check "the real run: removed 2, would_remove 0" "$PY" -c '
import json,sys; d=json.loads(sys.argv[1]); assert d["removed"]==2 and d["would_remove"]==0 and d["status"]=="success", d' "$OUT"
end

begin "--output json"
fresh_home
run --output json dev-admin
check "exit 0" rc_is 0
check "valid JSON with the report" "$PY" -c '
import json,sys; d=json.loads(sys.argv[1])
assert d["scope"]=="identity" and d["target"]=="dev-admin" and d["dry_run"] is False
assert d["chain"]==["aws-sso","dev-org-admin","dev-admin"]
assert d["removed"]==2 and d["failed"]==0 and d["status"]=="success" and d["exit_code"]==0
# The copies of the two sections in the default realm of atmos (a hash of the config directory)
# and in the legacy ~/.aws/atmos/aws-sso/ are looked for, and absent.
# Its console profile (an IAM Identity Center identity) is looked for too, and absent.
b=[i for i in d["items"] if i["browser_session"] is not None]
assert [(i["browser_session"],i["status"],i["cloud"]) for i in b]==[("console profile","absent","console")], b
assert d["browser_sessions"]==0
items=[i for i in d["items"] if i["browser_session"] is None]
st=[i["status"] for i in items]
assert st.count("removed")==2 and set(st)=={"removed","absent"} and len(st)==6, st
assert all(i["kind"]=="file_section" for i in items)' "$OUT"
run --output json nope
check "not found as JSON" "$PY" -c '
import json,sys; d=json.loads(sys.argv[1])
assert "not found" in d["error"] and d["available_identities"][0]=="ci-user"' "$OUT"
end

begin "debug log: timestamped lines on stderr, no secrets"
fresh_home
OUT=$(ATMOS_LOGS_LEVEL=Debug "$BIN" --config "$EXAMPLE" dev-admin 2>"$TMPROOT/err"); RC=$?
ERR=$(cat "$TMPROOT/err")
check "timestamped" grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z DEBUG Removing section \[dev-admin\] path=/' "$TMPROOT/err"
check "no secret" hasnt "$ERR" "secret-dev-admin"
check "no token" hasnt "$ERR" "token-dev-admin"
run dev-admin
check "quiet without the variable" [ -z "$ERR" ]
end

begin "configuration search path and errors"
fresh_home
mkdir -p "$H/.atmos" "$H/proj" "$H/envdir"
cp "$EXAMPLE" "$H/.atmos/atmos.yaml"
(cd "$H/proj" && "$BIN" dev-admin >/dev/null 2>&1)
check "~/.atmos/atmos.yaml is read" no_section_in "[dev-admin]" "$H/$SSO/credentials"
printf 'auth:\n  identities:\n    local-id: {kind: aws/user}\n' >"$H/proj/atmos.yaml"
printf '[local-id]\nk=v\n' >>"$H/.config/atmos/aws/aws-user/credentials"
(cd "$H/proj" && "$BIN" local-id >/dev/null 2>&1)
check "./atmos.yaml merges in" no_section_in "[local-id]" "$H/.config/atmos/aws/aws-user/credentials"
printf 'auth:\n  identities:\n    x: {kind: aws/assume-role, via: {identity: y}}\n    y: {kind: aws/assume-role, via: {identity: x}}\n' >"$H/envdir/atmos.yaml"
OUT=$(cd "$H/proj" && ATMOS_CLI_CONFIG_PATH=$H/envdir "$BIN" dev-org-admin 2>&1); RC=$?
check "ATMOS_CLI_CONFIG_PATH directory read" has "$OUT" "via cycle"
# The two identities of the cycle are skipped by name; the rest is still used (issue 23).
check "a via cycle skips its identities only: exit 0" rc_is 0
check "the rest logged out" no_section_in "[dev-org-admin]" "$H/$SSO/credentials"
printf 'auth:\n  providers:\n    p: {kind: [x}\n' >"$H/bad.yaml"
run_raw --config "$H/bad.yaml" dev-admin
check "YAML error names file:line:column" grep -qE "bad.yaml:3:[0-9]+: " <<<"$ERR"
run_raw --config "$H/none.yaml" dev-admin
check "missing --config is an error" rc_is 1
check "names it" has "$ERR" "none.yaml"
rm -rf "$H/.atmos"
OUT=$(cd / && "$BIN" dev-admin 2>&1); RC=$?
check "no config at all" has "$OUT" "no atmos.yaml found"
check "and the next step: cd to the project, or --config" has "$OUT" "Run it from the project directory that holds atmos.yaml, or name the file with --config PATH"
end

begin "realm and base_path"
fresh_home
mkdir -p "$H/.config/atmos/team-a/aws/aws-sso"
printf '[dev-admin]\nk=v\n[keep]\nk=v\n' >"$H/.config/atmos/team-a/aws/aws-sso/credentials"
OUT=$(ATMOS_AUTH_REALM=team-a "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
check "realm file rewritten" no_section_in "[dev-admin]" "$H/.config/atmos/team-a/aws/aws-sso/credentials"
check "realm sibling kept" section_in "[keep]" "$H/.config/atmos/team-a/aws/aws-sso/credentials"
check "non-realm file untouched" section_in "[dev-admin]" "$H/$SSO/credentials"
OUT=$(ATMOS_AUTH_REALM=Bad "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
check "bad realm rejected" has "$OUT" 'realm "Bad" is invalid'
# base_path is a root: atmos's provider logout cleans <base_path>/[realm/]aws/<P>/
# (pkg/auth/cloud/aws/files.go Cleanup); <base_path>/<P>/ is no layout of atmos's.
mkdir -p "$H/custom/aws/p" "$H/custom/p"
printf '[i]\nk=v\n' >"$H/custom/aws/p/credentials"
printf '[i]\nk=v\n' >"$H/custom/p/credentials"
printf 'auth:\n  providers:\n    p:\n      kind: aws/saml\n      spec: {files: {base_path: ~/custom}}\n  identities:\n    i: {kind: aws/assume-role, via: {provider: p}}\n' >"$H/bp.yaml"
run_raw --config "$H/bp.yaml" i
check "base_path honoured: <base_path>/aws/p" missing "$H/custom/aws/p/credentials"
check "<base_path>/p is not atmos's: kept" section_in "[i]" "$H/custom/p/credentials"
end

if start_syslog_sink; then
    begin "one syslog event per real logout (LOG_AUTHPRIV), none for a dry run, no secrets"
    fresh_home
    run --dry-run dev-admin
    run dev-admin
    run --all
    check "syslog reached the sink" syslog_sync
    check "identity event" grep -qE "^<86>.*atmos-logout\[[0-9]+\]: event=logout.success user=$(id -un) uid=$(id -u) scope=identity target=\"dev-admin\" removed=2 failed=0 revoked=0$" "$SYSLOG"
    check "--all event" grep -qE "event=logout.success .* scope=all removed=[0-9]+ failed=0 revoked=0$" "$SYSLOG"
    check "exactly two events (the dry run sent none)" [ "$(grep -c 'event=' "$SYSLOG")" -eq 2 ]
    check "no secret" bash -c "! grep -q -e secret- -e token- '$SYSLOG'"
    end
    stop_syslog_sink
else
    skip "syslog events" "needs root and a machine without /dev/log (the test reads syslog through its own sink)"
fi
