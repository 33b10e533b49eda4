#!/bin/bash
# atmos-logout --status: what session data is on disk and when it expires.
# Fixtures (tests/e2e/status_fixture.py) are the files atmos and the tools
# write, with known expirations (live: in two hours; expired: three hours
# ago) and a secret, $CANARY, in every place a token, key or secret goes:
# it must appear nowhere in text, JSON or stderr (at debug level too).  The
# JSON is checked against the schema in docs/atmos-logout.md by the real
# python3 json module; nothing on disk may change; a symlink planted under
# HOME is never followed.
. "$(dirname "$0")/lib.sh"

CANARY=CANARY-$$-5ec4e7
FIX=$ROOT/tests/e2e/status_fixture.py

write_config() {
    cat >"$H/atmos.yaml" <<'EOF'
auth:
  realm: r1
  providers:
    aws-sso: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://example-org.awsapps.com/start"}
    azure-dc: {kind: azure/device-code, spec: {tenant_id: T1}}
    gcp-adc: {kind: gcp/adc}
  identities:
    dev-admin: {kind: aws/permission-set, via: {provider: aws-sso}}
    prod-ro: {kind: aws/permission-set, via: {provider: aws-sso}}
    ci-user: {kind: aws/user}
    az-sub: {kind: azure/subscription, via: {provider: azure-dc}, principal: {subscription_id: S1}}
    gcp-sa: {kind: gcp/service-account, via: {provider: gcp-adc}}
    gcp-sa2: {kind: gcp/service-account, via: {provider: gcp-adc}}
  integrations:
    ecr: {kind: aws/ecr, via: {identity: dev-admin}, spec: {registry: {account_id: "111111111111", region: us-east-1}}}
    ci: {kind: github/sts, via: {identity: dev-admin}}
EOF
}
# home [only-expired]: a fresh HOME (no example files) with the fixture and the configuration.
home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX")
    export HOME=$H
    cd "$H" || exit 1
    "$PY" "$FIX" "$H" "$CANARY" "$@" || exit 1
    write_config
}
status() { OUT=$("$BIN" --config "$H/atmos.yaml" --status "$@" 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr"); }
no_canary() { ! grep -qF -- "$CANARY" <<<"$1"; }
# line_after WHO TEXT: the entry whose first line names WHO states TEXT, and its next line says where.
entry() { grep -A1 -F -- "$1 $DASH" <<<"$OUT" | grep -qF -- "$2"; }
DASH=—

# The schema of docs/atmos-logout.md ("--status"), and what the fixture's files say.
json_check() { # JSON, then python assertions over d (the document) and by(identity or provider, label)
    "$PY" - "$1" "$2" <<'PYEOF'
import json, re, sys
d = json.loads(sys.argv[1])
TOP = {"checked_at": str, "discovered": bool, "realm": (str, type(None)), "realms": list,
       "items": list, "live": int, "no_expiry": int, "expired": int, "no_credential": int,
       "not_checked": int, "exit_code": int}
assert set(d) == set(TOP), sorted(set(d) ^ set(TOP))
for k, t in TOP.items():
    assert isinstance(d[k], t), (k, d[k])
RFC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
assert RFC.match(d["checked_at"]), d["checked_at"]
ITEM = {"cloud", "kind", "label", "identity", "provider", "realm", "path", "section", "what",
        "state", "expires", "expires_in", "expiry_field", "error"}
STATES = {"live", "no_expiry", "expired", "no_credential", "not_checked"}
for it in d["items"]:
    assert set(it) == ITEM, sorted(set(it) ^ ITEM)
    assert it["state"] in STATES, it
    for k in ("cloud", "kind", "label"):
        assert isinstance(it[k], str), it
    for k in ("identity", "provider", "realm", "path", "section", "what", "expiry_field", "error"):
        assert it[k] is None or isinstance(it[k], str), (k, it)
    assert (it["expires"] is None) == (it["expires_in"] is None), it
    if it["expires"] is not None:
        assert RFC.match(it["expires"]) and isinstance(it["expires_in"], int), it
    if it["state"] == "live":
        assert it["expires_in"] > 0, it
    if it["state"] == "expired":
        assert it["expires_in"] <= 0, it
    assert (it["error"] is not None) == (it["state"] == "not_checked"), it
for s in STATES:
    assert d[s] == sum(1 for it in d["items"] if it["state"] == s), s
assert d["exit_code"] == (1 if d["live"] + d["no_expiry"] else 2 if d["not_checked"] else 0), d
def by(who, label):
    m = [it for it in d["items"] if who in (it["identity"], it["provider"]) and it["label"] == label]
    assert len(m) == 1, (who, label, m)
    return m[0]
exec(sys.argv[2])
PYEOF
}

begin "text: each identity and provider with session data, where, when it expires; expired marked"
home
before=$(snapshot "$H")
status
check "exit 1: live session data remains" rc_is 1
check "configured realm first" has "$OUT" "Realm r1 (this configuration's)"
check "dev-admin live" entry "identity dev-admin (provider aws-sso)" "live, expires"
check "dev-admin where" has "$OUT" "[dev-admin] in ~/.config/atmos/r1/aws/aws-sso/credentials"
check "prod-ro expired" entry "identity prod-ro (provider aws-sso)" "EXPIRED"
check "ci-user: credentials with no expiry written" entry "identity ci-user (provider aws-user)" "live: no expiry written"
check "ci-user's refresh token expired" entry "identity ci-user" "EXPIRED"
check "atmos SSO session expired (Go's time with fractions)" grep -qF -B1 "atmos SSO session ~/.cache/atmos/aws-sso/sessions/" <<<"$(grep -B1 'atmos SSO session' <<<"$OUT" | grep -F EXPIRED -A1)"
check "AWS CLI token live" grep -qF "AWS CLI SSO token ~/.aws/sso/cache/" <<<"$(grep -F 'live, expires' -A1 <<<"$OUT")"
check "Azure credentials live" grep -qF "provider directory ~/.azure/atmos/r1/azure-dc" <<<"$(grep -F 'live, expires' -A1 <<<"$OUT")"
check "MSAL expires_on expired" grep -qF "atmos MSAL cache ~/.azure/atmos/r1/msal_token_cache.json" <<<"$(grep -F EXPIRED -A1 <<<"$OUT")"
check "Azure CLI: the login's token (expired), not bob's (live)" grep -qF "Azure CLI tokens: account O1.T1" <<<"$(grep -F EXPIRED -A1 <<<"$OUT")"
check "device-code cache expired" grep -qF "device-code token cache" <<<"$(grep -F EXPIRED -A1 <<<"$OUT")"
check "gcp-sa live" entry "identity gcp-sa (provider gcp-adc)" "live, expires"
check "gcp-sa2 expired" entry "identity gcp-sa2 (provider gcp-adc)" "EXPIRED"
check "github tokens: the latest is live" grep -qF "github/sts tokens ~/.local/share/atmos/auth/github-sts/r1/ci/state.json" <<<"$(grep -F 'live, expires' -A1 <<<"$OUT")"
check "docker login: no expiry written" grep -qF "docker login: registry 111111111111" <<<"$(grep -F 'no expiry written' -A1 <<<"$OUT")"
check "realm on disk, not configured" has "$OUT" "Realm r2"
check "its identity live" entry "identity other-id (provider other-sso)" "live, expires"
check "shared files apart" has "$OUT" "In no realm"
check "summary" has "$OUT" "Expired: 7."
check "every label has its expiry declared" hasnt "$OUT" "no expiry is declared"
check "nothing not checked" has "$OUT" "Not checked: 0."
check "never the secret (stdout)" no_canary "$OUT"
check "never the secret (stderr)" no_canary "$ERR"
check "nothing changed on disk" [ "$before" = "$(snapshot "$H")" ]
end

begin "debug level: still never a secret on stderr; -q: nothing on stdout, the exit status only"
home
OUT=$(ATMOS_LOGS_LEVEL=Debug "$BIN" --config "$H/atmos.yaml" --status 2>"$TMPROOT/stderr"); RC=$?
ERR=$(cat "$TMPROOT/stderr")
check "debug lines were written" [ -n "$ERR" ]
check "never the secret (stderr)" no_canary "$ERR"
check "never the secret (stdout)" no_canary "$OUT"
status -q
check "exit 1" rc_is 1
check "quiet" [ -z "$OUT" ]
end

begin "JSON: the schema, the states, never a secret"
home
before=$(snapshot "$H")
status -o json
check "exit 1" rc_is 1
check "schema and states" json_check "$OUT" '
assert d["realm"] == "r1" and d["realms"] == ["r1", "r2"] and not d["discovered"], d
assert by("dev-admin", "provider directory")["state"] == "live"
assert by("dev-admin", "provider directory")["section"] == "dev-admin"
assert by("dev-admin", "provider directory")["expiry_field"] == "; atmos: expiration="
assert by("prod-ro", "provider directory")["state"] == "expired"
assert by("ci-user", "provider directory")["state"] == "no_expiry"
assert by("ci-user", "browser session (refresh token)")["state"] == "expired"
assert by("aws-sso", "atmos SSO session")["state"] == "expired"
assert by("aws-sso", "AWS CLI SSO token")["state"] == "live"
assert by("azure-dc", "atmos MSAL cache")["expiry_field"] == "expires_on"
assert by("azure-dc", "atmos MSAL cache")["state"] == "expired"
assert by("azure-dc", "Azure CLI tokens")["state"] == "expired"
assert by("azure-dc", "device-code token cache")["state"] == "expired"
assert by("gcp-sa", "GCP provider directory")["state"] == "live"
assert by("gcp-sa2", "GCP provider directory")["state"] == "expired"
assert by("other-id", "provider directory")["realm"] == "r2"
assert by("other-id", "provider directory")["state"] == "live"
assert abs(by("dev-admin", "provider directory")["expires_in"] - 7200) < 120
assert d["not_checked"] == 0 and d["exit_code"] == 1
'
check "never the secret" no_canary "$OUT$ERR"
check "nothing changed on disk" [ "$before" = "$(snapshot "$H")" ]
end

begin "exit 0 when everything on disk has expired; 0 and a sentence when nothing is there"
home only-expired
status
check "exit 0" rc_is 0
check "said" has "$OUT" "Nothing live: what remains has expired"
check "no live entry" hasnt "$OUT" "live, expires"
status -o json
check "json: exit_code 0, nothing live" json_check "$OUT" 'assert d["live"] == 0 and d["no_expiry"] == 0 and d["expired"] > 5 and d["exit_code"] == 0, d'
check "never the secret" no_canary "$OUT$ERR"
H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1; write_config
status
check "empty: exit 0" rc_is 0
check "empty: said" has "$OUT" "No atmos session data on disk."
end

begin "a symlink under HOME is never followed"
H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1; write_config
outside=$(mktemp -d "$TMPROOT/outside.XXXXXX")
mkdir -p "$outside/aws/x" "$H/.config/atmos/r1/aws/aws-sso"
printf '; atmos: expiration=2041-01-01T00:00:00Z\n[dev-admin]\naws_secret_access_key = %s\n' "$CANARY" >"$outside/credentials"
cp "$outside/credentials" "$outside/aws/x/credentials"
chmod 700 "$H/.config/atmos" "$H/.config/atmos/r1"
ln -s "$outside/credentials" "$H/.config/atmos/r1/aws/aws-sso/credentials"   # a file
ln -s "$outside" "$H/.config/atmos/r9"                                        # a realm
before=$(snapshot "$H")
status
check "the linked file is not read: not checked, saying why" grep -qi "not checked: .*symlink\|not checked: .*link" <<<"$OUT"
check "its time never shown" hasnt "$OUT" "2041"
check "a linked realm is no realm" hasnt "$OUT" "r9"
check "exit 2: nothing live, something not checked" rc_is 2
check "never the secret" no_canary "$OUT$ERR"
check "nothing changed" [ "$before" = "$(snapshot "$H")" ]
status -o json
check "json says not_checked" json_check "$OUT" 'assert d["not_checked"] >= 1 and d["exit_code"] == 2 and "2041" not in sys.argv[1], d'
end

begin "no atmos.yaml: what atmos wrote on disk, every realm"
home
rm "$H/atmos.yaml"
OUT=$("$BIN" --status 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "exit 1" rc_is 1
check "said" has "$OUT" "No atmos.yaml found"
check "realms r1 and r2 found" has "$OUT" "Realms on disk: r1, r2"
check "dev-admin live" entry "identity dev-admin (provider aws-sso)" "live, expires"
check "never the secret" no_canary "$OUT$ERR"
end

begin "usage and configuration errors: exit 2 (1 means live)"
home
status dev-admin
check "with an identity: 2" rc_is 2
status --dry-run
check "with --dry-run: 2" rc_is 2
status --provider aws-sso
check "with --provider: 2" rc_is 2
status --keychain
check "with --keychain: 2" rc_is 2
printf 'auth:\n  providers: [\n' >"$H/bad.yaml"
OUT=$("$BIN" --config "$H/bad.yaml" --status 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "broken configuration: 2" rc_is 2
OUT=$("$BIN" --config "$H/bad.yaml" --status -o json 2>"$TMPROOT/stderr"); RC=$?
check "broken configuration, JSON: an error document, 2" "$PY" -c 'import json,sys; assert "error" in json.loads(sys.argv[1])' "$OUT"
check "broken configuration, JSON: 2" rc_is 2
status --all-realms
check "--all-realms is what it shows anyway" rc_is 1
end

begin "the example logins: every item has its expiry declared"
fresh_home
bash "$ROOT/etc/examples/populate.sh" "$H" >/dev/null
"$PY" "$ROOT/etc/examples/populate-clouds.py" "$H" >/dev/null
OUT=$("$BIN" --config "$EXAMPLE" --status 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "none undeclared (example)" hasnt "$OUT" "no expiry is declared"
OUT=$("$BIN" --config "$ROOT/etc/examples/clouds.yaml" --status 2>"$TMPROOT/stderr"); RC=$?
check "none undeclared (clouds)" hasnt "$OUT" "no expiry is declared"
check "not empty" has "$OUT" "Google Cloud"
check "exit 1" rc_is 1
end

if [ "$(id -u)" -ne 0 ]; then
    skip "--status --user" "needs root to create a test user"
else
    begin "--status --user: root sees another user's session data, as that user; the exit status passes"
    UA=atmos-pam-s$$; HA=$TMPROOT/user-s
    add_test_user "$UA" "$HA"
    mkdir -p "$HA"; "$PY" "$FIX" "$HA" "$CANARY"
    H=$HA write_config; mkdir -p "$HA/.atmos"; mv "$HA/atmos.yaml" "$HA/.atmos/atmos.yaml"
    chown -R "$UA:" "$HA"
    before=$(snapshot "$HA")
    OUT=$(cd / && "$BIN" --user "$UA" --status 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
    check "exit 1 from the user's run" rc_is 1
    check "the user's identities" entry "identity dev-admin (provider aws-sso)" "live, expires"
    check "paths under the user's home" has "$OUT" "[dev-admin] in ~/.config/atmos/r1/aws/aws-sso/credentials"
    check "never the secret" no_canary "$OUT$ERR"
    check "nothing changed" [ "$before" = "$(snapshot "$HA")" ]
    OUT=$("$BIN" --user "no-such-user-$$" --status 2>&1); RC=$?
    check "unknown user: 2, never the 1 of live" rc_is 2
    end
fi
