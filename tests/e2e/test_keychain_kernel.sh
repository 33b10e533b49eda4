#!/bin/bash
# Keychain credentials in the real kernel keyring (a fresh session keyring,
# atmos-auth under the persistent keyring) and in atmos's file keyring.
source "$(dirname "$0")/lib.sh"

if ! command -v keyctl >/dev/null; then
    skip "kernel keyring" "keyctl is not installed (make deps installs keyutils)"; exit 0
fi
if [ -z "${ATMOS_TEST_IN_KEY_SESSION:-}" ]; then
    export ATMOS_TEST_IN_KEY_SESSION=1
    exec keyctl session - bash "$0" "$@" 2>&1 | grep -v '^Joined session keyring'
    exit "${PIPESTATUS[0]}"
fi

# The persistent keyring is per user and outlives us: every key name below
# carries a realm unique to this run, and the keys are unlinked at the end.
R=t$$x$RANDOM
P=$(keyctl get_persistent @s 2>/dev/null) || P=$(keyctl show @u >/dev/null && echo @u)
RING=$(keyctl search "$P" keyring atmos-auth 2>/dev/null) || RING=$(keyctl newring atmos-auth "$P")
added=()
kadd() { # name [keyring]
    local id; id=$(printf 'secret' | keyctl padd user "$1" "${2:-$RING}") && added+=("$id")
}
kpresent() { keyctl search "$RING" user "$1" >/dev/null 2>&1; }
kgone() { ! kpresent "$1"; }
at_exit 'for id in "${added[@]}"; do keyctl unlink "$id" >/dev/null 2>&1; keyctl invalidate "$id" >/dev/null 2>&1; done'
export ATMOS_KEYRING_TYPE=keyctl ATMOS_AUTH_REALM=$R

begin "kernel keyring: default logout preserves keys"
fresh_home
kadd "atmos_${R}_dev-admin"
run dev-admin
check "exit 0" rc_is 0
check "key kept" kpresent "atmos_${R}_dev-admin"
end

begin "kernel keyring: --keychain --force removes exactly our keys"
fresh_home
kadd "atmos_${R}_dev-org-admin"
kadd "atmos_${R}_other"                                     # not configured
sess_decoy=$(printf 'x' | keyctl padd user "atmos_${R}_dev-admin" @s)   # same name, outside atmos-auth
run --keychain --force dev-admin
check "exit 0" rc_is 0
check "reported" has "$OUT" "keychain entry atmos_${R}_dev-admin (kernel keyring)"
check "realm key gone" kgone "atmos_${R}_dev-admin"
# The legacy name atmos_<alias> has no realm: use an identity name unique to this run.
printf 'auth:\n  providers: {p: {kind: aws/saml}}\n  identities:\n    id%s: {kind: aws/assume-role, via: {provider: p}}\n' "$R" >"$H/legacy.yaml"
kadd "atmos_${R}_id$R"; kadd "atmos_id$R"
run_raw --config "$H/legacy.yaml" --keychain --force "id$R"
check "realm-named key gone" kgone "atmos_${R}_id$R"
check "legacy key gone" kgone "atmos_id$R"
check "sibling kept" kpresent "atmos_${R}_dev-org-admin"
check "unconfigured kept" kpresent "atmos_${R}_other"
check "same name outside atmos-auth kept" bash -c "keyctl describe $sess_decoy >/dev/null"
end

begin "kernel keyring: --provider and dry run"
fresh_home
kadd "atmos_${R}_aws-sso"; kadd "atmos_${R}_prod-readonly"; kadd "atmos_${R}_partner-sso"
run --keychain --dry-run --provider aws-sso
check "dry run lists" has "$OUT" "keychain entry atmos_${R}_aws-sso (kernel keyring)"
check "dry run keeps" kpresent "atmos_${R}_aws-sso"
run --keychain --force --provider aws-sso
check "provider key gone" kgone "atmos_${R}_aws-sso"
check "identity key gone" kgone "atmos_${R}_prod-readonly"
check "identity under the provider gone" kgone "atmos_${R}_dev-org-admin"
check "other provider kept" kpresent "atmos_${R}_partner-sso"
end

begin "file keyring: unlinks the entry's file, percent-encoded names"
fresh_home
kr=$H/.local/share/atmos/keyring
mkdir -p "$kr"
for f in "atmos_${R}_dev-admin" "atmos_dev-admin" "atmos_${R}_dev-org-admin" "atmos_${R}_pct%25id" unrelated; do echo enc >"$kr/$f"; done
printf 'auth:\n  providers: {p: {kind: aws/saml}}\n  identities:\n    "pct%%id": {kind: aws/assume-role, via: {provider: p}}\n' >"$H/pct.yaml"
OUT=$(ATMOS_KEYRING_TYPE=file "$BIN" --config "$EXAMPLE" --keychain --force dev-admin 2>&1); RC=$?
check "exit 0" rc_is 0
check "entry file gone" missing "$kr/atmos_${R}_dev-admin"
check "legacy file gone" missing "$kr/atmos_dev-admin"
check "sibling kept" exists "$kr/atmos_${R}_dev-org-admin"
check "unrelated kept" exists "$kr/unrelated"
OUT=$(ATMOS_KEYRING_TYPE=file "$BIN" --config "$H/pct.yaml" --keychain --force 'pct%id' 2>&1); RC=$?
check "percent-encoded name removed" missing "$kr/atmos_${R}_pct%25id"
ln -s /etc/hostname "$kr/atmos_${R}_dev-org-admin.lnk"
rm "$kr/atmos_${R}_dev-org-admin"; ln -s /etc/hostname "$kr/atmos_${R}_dev-org-admin"
OUT=$(ATMOS_KEYRING_TYPE=file "$BIN" --config "$EXAMPLE" --keychain --force dev-org-admin 2>&1); RC=$?
check "a symlink entry is refused" has "$OUT" "is a symlink"
check "its target untouched" exists /etc/hostname
end

begin "memory and noop keyrings delete nothing; an unknown type means system, as atmos has it"
fresh_home
kadd "atmos_${R}_ci-user"
OUT=$(ATMOS_KEYRING_TYPE=memory "$BIN" --config "$EXAMPLE" --keychain --force ci-user 2>&1); RC=$?
check "memory: exit 0" rc_is 0
check "memory: kernel key kept" kpresent "atmos_${R}_ci-user"
OUT=$(ATMOS_KEYRING_TYPE=vault "$BIN" --config "$EXAMPLE" ci-user 2>&1); RC=$?
check "unknown type: a warning, and the logout goes on (exit 0)" rc_is 0
check "unknown type named" has "$OUT" 'keyring type "vault" is unknown'
check "the system keyring, not the kernel's: kernel key kept" kpresent "atmos_${R}_ci-user"
end
