#!/bin/bash
# Azure, Google Cloud and registry logins: every scope, dry run, already
# logged out, with a realm and without, and the decoys (another account in the
# Azure CLI's cache, another registry, another realm) kept entry for entry.
# The Azure CLI's own reader (msal) and `python3 -m json.tool` judge the files.
source "$(dirname "$0")/lib.sh"

FIX=$ROOT/etc/examples/populate-clouds.py
CHK=$ROOT/tests/e2e/cloud_check.py
# No Secret Service anywhere: ambient keychain entries must read "not checked".
unset DBUS_SESSION_BUS_ADDRESS
export XDG_RUNTIME_DIR=$TMPROOT/run
mkdir -p "$XDG_RUNTIME_DIR"

CFG=$ROOT/etc/examples/clouds.yaml

# home [REALM]: a fresh HOME with the fixture; the realm also goes to atmos-logout.
home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1
    "$PY" "$FIX" "$H" "${1:-}"
    if [ -n "${1:-}" ]; then export ATMOS_AUTH_REALM=$1; else unset ATMOS_AUTH_REALM; fi
    R=${1:+$1/}
    AZ=$H/.azure; ADIR=$H/.azure/atmos/${R}azure-dc; CIDIR=$H/.azure/atmos/${R}azure-ci
    GDIR=$H/.config/atmos/${R}gcp/gcp-adc; TOKEN=$H/.cache/atmos/azure-device-code/azure-dc/token.json
    OTHER=$(snapshot "$H/.azure/atmos/other"; snapshot "$H/.config/atmos/other")
}
go() { run_raw --config "$CFG" "$@"; }
msal() { "$PY" "$CHK" msal "${1:-$AZ/msal_token_cache.json}"; }
profile() { "$PY" "$CHK" profile "$AZ/azureProfile.json"; }
sps() { "$PY" "$CHK" sp "$AZ/service_principal_entries.json"; }
docker_cfg() { "$PY" "$CHK" docker "$H/.docker/config.json"; }
other_intact() { [ "$OTHER" = "$(snapshot "$H/.azure/atmos/other"; snapshot "$H/.config/atmos/other")" ]; }
bob_intact() { # the user's own `az login` as bob, and service principal C2
    local m; m=$(msal)
    has "$m" "account O9.T9 bob@example.com" && has "$m" "access_token O9.T9" &&
        has "$m" "refresh_token O9.T9" && has "$m" "id_token O9.T9" && has "$m" "access_token - C2 T2" &&
        has "$m" "appmetadata appmetadata-login.microsoftonline.com-04b07795-8ddb-461a-bbee-02f9e1bf7b46"
}
alice_gone() { local m; m=$(msal); hasnt "$m" "O1.T1"; }
docker_decoys() { local d; d=$(docker_cfg); has "$d" "auth ghcr.io dXNlcjpnaGNy" && has "$d" 'key credsStore ""' && has "$d" "key psFormat"; }

begin "dry run --all lists every cloud and changes nothing"
home team; before=$(snapshot "$H")
go --dry-run --all
check "exit 0" rc_is 0
check "unchanged" [ "$before" = "$(snapshot "$H")" ]
for want in "  Azure" "  Google Cloud" "  Docker" "Azure CLI tokens: account O1.T1 (4 entries) in ~/.azure/msal_token_cache.json" \
    "Azure CLI tokens: service principal C1 (2 entries)" "Azure CLI subscription: subscription S1 (1 entry)" \
    "atmos MSAL cache ~/.azure/atmos/team/msal_token_cache.json" \
    "Azure CLI service principal: service principal C1 (1 entry)" "device-code token cache ~/.cache/atmos/azure-device-code/azure-dc/token.json" \
    "GCP provider directory ~/.config/atmos/team/gcp/gcp-adc" "docker login: registry myacr.azurecr.io (integration acr) (1 entry)" \
    "docker login: registry 111111111111.dkr.ecr.us-east-1.amazonaws.com"; do
    check "lists: $want" has "$OUT" "$want"
done
check "never 'could not remove' in a dry run" hasnt "$OUT" "Could not remove"
check "no error lines" hasnt "$OUT" "Errors encountered"
end

begin "identity az-sub: its subscription, its credentials, its registry; siblings keep working"
home team; msal_before=$(sha256sum <"$AZ/msal_token_cache.json")
go az-sub
check "exit 0" rc_is 0
p=$(profile)
check "S1 of alice gone" hasnt "$p" "subscription S1 T1 alice@example.com"
check "S2 of alice kept" has "$p" "subscription S2 T1 alice@example.com"
check "bob's S1 and S9 kept" bash -c "grep -q 'subscription S1 T9 bob' <<<'$p' && grep -q 'subscription S9 T9 bob' <<<'$p'"
check "BOM kept" [ "$(head -c3 "$AZ/azureProfile.json" | od -An -tx1 | tr -d ' ')" = efbbbf ]
check "credentials.json (written for S1) gone" missing "$ADIR/credentials.json"
d=$(docker_cfg)
check "ACR login gone" hasnt "$d" "myacr.azurecr.io"
check "ECR login of another identity kept" has "$d" "111111111111.dkr.ecr.us-east-1.amazonaws.com"
check "docker decoys kept" docker_decoys
check "MSAL cache untouched (the provider's session)" [ "$msal_before" = "$(sha256sum <"$AZ/msal_token_cache.json")" ]
check "device-code token kept" exists "$TOKEN"
check "mode kept" [ "$(stat -c %a "$AZ/azureProfile.json")" = 600 ]
check "other realm intact" other_intact
end

begin "identity gcp-sa: its ADC and configuration only"
home team
go gcp-sa
check "exit 0" rc_is 0
check "adc gone" missing "$GDIR/adc/gcp-sa"
check "config gone" missing "$GDIR/config/gcp-sa"
check "sibling kept" exists "$GDIR/adc/gcp-sa2/application_default_credentials.json"
check "sibling config kept" exists "$GDIR/config/gcp-sa2/properties"
check "other realm intact" other_intact
end

begin "provider azure-dc: the account's entries everywhere, decoys kept entry for entry"
home team
go --provider azure-dc
check "exit 0" rc_is 0
check "alice gone from az's cache (msal reads it)" alice_gone
check "bob and C2 intact (msal reads it)" bob_intact
check "service principal C1 kept" has "$(msal)" "access_token - C1 T1"
check "the realm's MSAL cache gone whole: azure-dc is its only device-code provider" missing "$AZ/atmos/team/msal_token_cache.json"
p=$(profile)
check "S1 and S2 of alice gone" bash -c "! grep -q 'T1 alice' <<<'$p'"
check "S3 and bob's kept" bash -c "grep -q 'subscription S3 T1 C1' <<<'$p' && grep -q 'subscription S1 T9 bob' <<<'$p' && grep -q 'subscription S9' <<<'$p'"
check "installationId kept" has "$p" "installationId inst-1"
check "service principal entries kept" [ "$(sps | wc -l)" = 2 ]
check "provider directory gone" missing "$ADIR"
check "device-code token and its directory gone" missing "$(dirname "$TOKEN")"
check "ACR login gone" hasnt "$(docker_cfg)" "myacr"
check "azure-ci untouched" exists "$CIDIR/credentials.json"
check "other realm intact" other_intact
end

begin "provider azure-ci (service principal): its tokens, its store entry, its subscription"
home team
go --provider azure-ci
check "exit 0" rc_is 0
m=$(msal)
check "C1 token gone" hasnt "$m" "C1"
check "C1 app metadata gone" hasnt "$m" "appmetadata-login.microsoftonline.com-c1"
check "alice, bob and C2 kept" bash -c "grep -q 'account O1.T1' <<<'$m' && grep -q 'account O9.T9' <<<'$m' && grep -q 'access_token - C2 T2' <<<'$m'"
s=$(sps)
check "C1 entry gone, C2 kept" bash -c "! grep -q C1 <<<'$s' && grep -q 'sp C2 T2' <<<'$s'"
check "S3 gone" hasnt "$(profile)" "subscription S3"
check "provider directory gone" missing "$CIDIR"
end

begin "the realm's MSAL cache: whole with its last device-code provider, even with token.json gone; entries only while another stays"
home team
rm -f "$TOKEN" "$ADIR/credentials.json"     # nothing left to learn the account from
go --provider azure-dc
check "exit 0" rc_is 0
check "the realm's MSAL cache gone whole" missing "$AZ/atmos/team/msal_token_cache.json"
check "az's own cache: bob intact" bob_intact
home team
sed 's/^    azure-dc: {kind: azure\/device-code, spec: {tenant_id: T1}}$/&\n    azure-dc2: {kind: azure\/device-code, spec: {tenant_id: T2}}/' "$CFG" >"$H/two-dc.yaml"
check "the variant names a second device-code provider" grep -q 'azure-dc2: {kind: azure/device-code' "$H/two-dc.yaml"
run_raw --config "$H/two-dc.yaml" --provider azure-dc
check "exit 0 (two)" rc_is 0
check "the realm's MSAL cache stays: azure-dc2's tokens share it" exists "$AZ/atmos/team/msal_token_cache.json"
check "alice's entries gone from it" bash -c "! '$PY' '$CHK' msal '$AZ/atmos/team/msal_token_cache.json' | grep -q O1"
check "the cache still reads (msal)" "$PY" "$CHK" msal "$AZ/atmos/team/msal_token_cache.json"
run_raw --config "$H/two-dc.yaml" --all
check "--all: whole" missing "$AZ/atmos/team/msal_token_cache.json"
end

begin "--all with a realm: everything atmos wrote, no decoy touched; then the other realm named"
home team
go --all
check "exit 0" rc_is 0
check "says logged out" has "$OUT" "Successfully logged out"
# The ambient keychain entries (no --keychain) could not be checked: no problem, so not said.
check "keychain not checked: not said without --verbose" hasnt "$OUT" "not checked"
check "nor listed" hasnt "$OUT" "keychain entry"
check "alice gone" alice_gone
check "bob and C2 intact" bob_intact
check "C1 gone" hasnt "$(msal)" "C1"
check "only bob's subscriptions left" [ "$(profile | grep -c subscription)" = 2 ]
check "only C2 left" [ "$(sps)" = "sp C2 T2" ]
check "registry logins gone, decoys kept" bash -c "! '$PY' '$CHK' docker '$H/.docker/config.json' | grep -q -e myacr -e dkr.ecr"
check "docker decoys kept" docker_decoys
check "azure provider directories gone" bash -c "[ ! -e '$ADIR' ] && [ ! -e '$CIDIR' ]"
check "gcp provider directory gone" missing "$GDIR"
check "other realm intact" other_intact
go --all
# Realm "other" still holds atmos's data: never "already logged out" while it does.
check "again: exit 1" rc_is 1
check "again: the other realm named" has "$OUT" "atmos session data remains in other realms:"$'\n'"  • realm other"
check "again: the command offered" has "$OUT" "Run 'atmos-logout --all-realms'"
check "again: not 'already logged out'" hasnt "$OUT" "already logged out"
go --all -o json
check "json: status elsewhere, the realm named" "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); assert r["status"]=="elsewhere" and [e["realm"] for e in r["elsewhere"]]==["other"] and r["realms"]==["team"], r' "$OUT"
check "still intact after both" other_intact
end

begin "no Secret Service: ambient keychain entries in JSON and with --verbose, never in plain text"
home team
go --dry-run --all
check "dry run text: no keychain line" hasnt "$OUT" "keychain"
go --dry-run --all --verbose
check "--verbose: said once" [ "$(grep -c "not checked: no Secret Service here" <<<"$OUT")" = 1 ]
check "--verbose: each entry listed" has "$OUT" "Not checked: keychain entry atmos_team_"
go --dry-run --all -o json
check "JSON: counted and listed" "$PY" -c '
import json, sys; r = json.loads(sys.argv[1])
keys = [i["key"] for i in r["items"] if i["kind"] == "keychain_entry" and i["status"] == "not_checked"]
assert r["not_checked"] > 0 and r["not_checked"] == len(keys), r["not_checked"]
assert "atmos_team_gcp-adc" in keys, keys' "$OUT"
# Asked for with --keychain, an entry that cannot be reached is a failure, said as one.
go --all --keychain --force --dry-run
check "--keychain: said" has "$OUT" "Secret Service unavailable: no session bus (keychain entry atmos_team_gcp-adc)"
end

begin "without a realm: atmos's legacy paths"
home ""
go --provider azure-dc
check "exit 0" rc_is 0
check "provider directory gone" missing "$H/.azure/atmos/azure-dc"
check "alice gone, bob intact" bash -c "! '$PY' '$CHK' msal '$AZ/msal_token_cache.json' | grep -q O1.T1"
check "bob intact" bob_intact
go --provider gcp-adc
check "gcp: exit 0" rc_is 0
check "gcp provider directory gone" missing "$H/.config/atmos/gcp/gcp-adc"
check "other realm intact" other_intact
end

begin "JSON report names each item's cloud and counts entries"
home team
OUT=$("$BIN" --config "$CFG" --output json --provider azure-dc 2>/dev/null); RC=$?
check "exit 0" rc_is 0
check "clouds" "$PY" -c '
import json,sys; r=json.loads(sys.argv[1]); items=r["items"]
assert {i["cloud"] for i in items} >= {"azure","docker"}, items
e=[i for i in items if i["kind"]=="file_entries" and i["label"]=="Azure CLI tokens"]
assert e and e[0]["entries"]==4 and e[0]["status"]=="removed", e
assert "O1" not in json.dumps([i for i in items if i["kind"]!="file_entries"])
' "$OUT"
end

begin "no atmos.yaml: what atmos wrote for Azure and Google Cloud is found and removed"
home team; unset ATMOS_AUTH_REALM; docker_before=$(sha256sum <"$H/.docker/config.json")
run_raw --all
check "exit 0" rc_is 0
check "azure provider directories of every realm gone" bash -c "[ ! -e '$ADIR' ] && [ ! -e '$CIDIR' ] && [ ! -e '$H/.azure/atmos/other/azure-dc' ]"
check "realm MSAL cache gone" missing "$AZ/atmos/team/msal_token_cache.json"
check "device-code token gone" missing "$TOKEN"
check "gcp gone" bash -c "[ ! -e '$GDIR' ] && [ ! -e '$H/.config/atmos/other/gcp/gcp-adc' ]"
check "alice and C1 gone from az's cache" bash -c "! '$PY' '$CHK' msal '$AZ/msal_token_cache.json' | grep -q -e O1.T1 -e C1"
check "bob intact" bob_intact
check "docker untouched (no configuration names a registry)" [ "$docker_before" = "$(sha256sum <"$H/.docker/config.json")" ]
end

begin "a provider kind we do not know is named, not treated as AWS"
home team
printf 'auth:\n  providers:\n    future: {kind: someday/cloud}\n' >"$H/u.yaml"
mkdir -p "$H/.config/atmos/team/aws/future"; echo '[f]' >"$H/.config/atmos/team/aws/future/credentials"
run_raw --config "$H/u.yaml" --provider future
check "exit 1" rc_is 1
check "named" has "$OUT" "provider of an unknown kind future (kind someday/cloud)"
check "not removed as if AWS" exists "$H/.config/atmos/team/aws/future/credentials"
check "not 'logged out'" hasnt "$OUT" "Successfully"
end
