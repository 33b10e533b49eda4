#!/bin/bash
# Configurations atmos accepts that atmos-logout used to refuse as a whole:
# emulator identities (standalone, no via), an integration named with '/',
# a keyring type atmos does not know.  Each case writes atmos's files the way
# atmos's code does (docs/atmos-facts.md, section 4), with decoys around
# them, and checks the bytes left on disk.  The AWS files are judged by
# botocore where it is installed.
source "$(dirname "$0")/lib.sh"

CFG=.config/atmos
emulators_home() {
    fresh_home
    # aws/emulator: [<id>] in <cfg>/aws/<id>/ (emulator/aws.go PostAuthenticate); every
    # emulator: <cfg>/emulator/<id>.kubeconfig (emulator/identity.go kubeconfigPath).
    mkdir -p "$H/$CFG/aws/ls-dev" "$H/$CFG/emulator"
    printf '[ls-dev]\naws_access_key_id = test\naws_secret_access_key = test\n' >"$H/$CFG/aws/ls-dev/credentials"
    printf '[profile ls-dev]\nregion = us-east-1\n' >"$H/$CFG/aws/ls-dev/config"
    for id in kind-dev ls-dev; do
        printf 'apiVersion: v1\nkind: Config\nclusters: []\n' >"$H/$CFG/emulator/$id.kubeconfig"
    done
    printf 'apiVersion: v1\nkind: Config\n' >"$H/$CFG/emulator/not-configured.kubeconfig"   # a decoy
    cat >"$H/atmos.yaml" <<'YAML'
auth:
  identities:
    ls-dev: {kind: aws/emulator, emulator: localstack}
    kind-dev: {kind: kubernetes/emulator, emulator: kind}
    gcs: {kind: gcp/emulator, emulator: fake-gcs}
    azurite: {kind: azure/emulator, emulator: azurite}
YAML
}
emu() { OUT=$("$BIN" --config "$H/atmos.yaml" "$@" 2>&1); RC=$?; }

begin "emulator identities: accepted without via; --dry-run lists their files and changes nothing"
emulators_home
before=$(snapshot "$H")
emu --all --dry-run
check "exit 0" rc_is 0
check "the emulator's AWS files" has "$OUT" "~/$CFG/aws/ls-dev"
check "the kubeconfigs" has "$OUT" "~/$CFG/emulator/kind-dev.kubeconfig"
check "nothing changed" [ "$before" = "$(snapshot "$H")" ]
end

begin "an aws/emulator identity's logout: its profile and kubeconfig go, nothing else"
emulators_home
emu ls-dev
check "exit 0" rc_is 0
check "credentials profile gone" no_section_in "[ls-dev]" "$H/$CFG/aws/ls-dev/credentials"
check "its directory gone once empty" missing "$H/$CFG/aws/ls-dev"
check "its kubeconfig gone" missing "$H/$CFG/emulator/ls-dev.kubeconfig"
check "the other emulator's kubeconfig kept" exists "$H/$CFG/emulator/kind-dev.kubeconfig"
check "the example's AWS files kept" section_in "[dev-admin]" "$H/$SSO/credentials"
end

begin "--all with emulators: every emulator file goes; a kubeconfig of no configured identity stays"
emulators_home
emu --all
check "exit 0" rc_is 0
check "aws/emulator directory gone" missing "$H/$CFG/aws/ls-dev"
check "kubernetes/emulator kubeconfig gone" missing "$H/$CFG/emulator/kind-dev.kubeconfig"
check "the decoy kept" exists "$H/$CFG/emulator/not-configured.kubeconfig"
check "gcp/azure emulators: nothing on disk, nothing unknown" hasnt "$OUT" "unknown kind"
end

begin "an integration named with '/' (atmos's own example: dev/ecr/primary): its registry login goes"
fresh_home
mkdir -p "$H/.docker"
printf '{"auths": {"111111111111.dkr.ecr.us-east-1.amazonaws.com": {"auth": "eDpw"}, "ghcr.io": {"auth": "eTpw"}}}\n' \
    >"$H/.docker/config.json"
cp "$EXAMPLE" "$H/atmos.yaml"
cat >>"$H/atmos.yaml" <<'YAML'
  integrations:
    dev/ecr/primary:
      kind: aws/ecr
      via: {identity: dev-admin}
      spec: {registry: {account_id: "111111111111", region: us-east-1}}
YAML
emu dev-admin
check "exit 0" rc_is 0
check "the login named" has "$OUT" "integration dev/ecr/primary"
check "docker's config still JSON" bash -c '"$1" -m json.tool "$2" >/dev/null' _ "$PY" "$H/.docker/config.json"
check "the registry login gone" bash -c '! grep -q dkr.ecr "$1"' _ "$H/.docker/config.json"
check "the user's other login kept" grep -q ghcr.io "$H/.docker/config.json"
end

if "$PY" -c 'import botocore' 2>/dev/null; then
    begin "botocore reads what an emulator logout leaves of a shared credentials file"
    emulators_home
    printf '[other]\naws_access_key_id = keep\naws_secret_access_key = keep\n' >>"$H/$CFG/aws/ls-dev/credentials"
    emu ls-dev
    check "exit 0" rc_is 0
    check "botocore: only [other] left" "$PY" - "$H/$CFG/aws/ls-dev/credentials" <<'PY'
import sys
from botocore.configloader import raw_config_parse
c = raw_config_parse(sys.argv[1])
assert list(c) == ["other"] and c["other"]["aws_access_key_id"] == "keep", c
PY
    end
else
    skip "botocore reads what an emulator logout leaves" "python3-botocore is not installed (make deps installs it)"
fi

begin "ATMOS_XDG_CACHE_HOME: atmos's caches are found where atmos put them"
fresh_home
mkdir -p "$TMPROOT/xc"
# The example's SSO session and provisioned identities, moved where ATMOS_XDG_CACHE_HOME puts them.
mv "$H/.cache/atmos" "$TMPROOT/xc/atmos"
mkdir -p "$H/.cache/atmos/auth/aws-sso"; echo decoy >"$H/.cache/atmos/auth/aws-sso/provisioned-identities.yaml"
check "there first: a session and provisioned identities" bash -c \
    'ls "$1"/atmos/aws-sso/sessions/*.json >/dev/null && [ -e "$1"/atmos/auth/aws-sso/provisioned-identities.yaml ]' _ "$TMPROOT/xc"
OUT=$(ATMOS_XDG_CACHE_HOME=$TMPROOT/xc XDG_CACHE_HOME=$H/.cache "$BIN" --config "$EXAMPLE" --provider aws-sso 2>&1); RC=$?
check "exit 0" rc_is 0
check "the SSO session gone from ATMOS_XDG_CACHE_HOME" bash -c '! ls "$1"/atmos/aws-sso/sessions/*.json 2>/dev/null | grep -q .' _ "$TMPROOT/xc"
check "its provisioned identities gone" missing "$TMPROOT/xc/atmos/auth/aws-sso/provisioned-identities.yaml"
check "XDG_CACHE_HOME's copy not ours then: kept" exists "$H/.cache/atmos/auth/aws-sso/provisioned-identities.yaml"
end

begin "the file keyring's directory: ATMOS_KEYRING_FILE_PATH, auth.keyring.spec.path (a file name means its directory)"
fresh_home
mkdir -p "$TMPROOT/kr1" "$TMPROOT/kr2" "$H/.local/share/atmos/keyring"
for d in "$TMPROOT/kr1" "$TMPROOT/kr2" "$H/.local/share/atmos/keyring"; do echo enc >"$d/atmos_dev-admin"; done
cp "$EXAMPLE" "$H/atmos.yaml"
printf '  keyring:\n    type: file\n    spec: {path: %s/kr2/keyring.json}\n' "$TMPROOT" >>"$H/atmos.yaml"
OUT=$("$BIN" --config "$H/atmos.yaml" --keychain --force dev-admin 2>&1); RC=$?
check "exit 0" rc_is 0
check "spec.path with an extension: its directory's entry gone" missing "$TMPROOT/kr2/atmos_dev-admin"
check "the default directory's kept" exists "$H/.local/share/atmos/keyring/atmos_dev-admin"
OUT=$(ATMOS_KEYRING_FILE_PATH=$TMPROOT/kr1 "$BIN" --config "$H/atmos.yaml" --keychain --force dev-admin 2>&1); RC=$?
check "ATMOS_KEYRING_FILE_PATH wins over spec.path" missing "$TMPROOT/kr1/atmos_dev-admin"
check "still the default's kept" exists "$H/.local/share/atmos/keyring/atmos_dev-admin"
end

begin "aws/credential-process (newer than the pinned atmos): its own provider directory, as aws/user's"
fresh_home
D=$H/$CFG/r1/aws/aws-credential-process
mkdir -p "$D"
printf '[vault]\naws_access_key_id = ASIAVAULT\n[other]\naws_access_key_id = ASIAOTHER\n' >"$D/credentials"
printf '[profile vault]\nregion = us-east-1\n' >"$D/config"
printf 'auth:\n  realm: r1\n  identities:\n    vault:\n      kind: aws/credential-process\n      credential_process: /usr/local/bin/vault-creds\n' >"$H/cp.yaml"
OUT=$("$BIN" --config "$H/cp.yaml" vault 2>&1); RC=$?
check "exit 0" rc_is 0
check "not an unknown kind" hasnt "$OUT" "unknown"
check "its sections gone" no_section_in "[vault]" "$D/credentials"
check "a section it does not own stays" section_in "[other]" "$D/credentials"
OUT=$("$BIN" --config "$H/cp.yaml" --all 2>&1); RC=$?
check "--all: exit 0" rc_is 0
check "--all: never 'already logged out' with its files there" hasnt "$OUT" "already logged out"
end
