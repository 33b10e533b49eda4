#!/bin/bash
# The real atmos as the judge (issue 33): atmos itself, built from the Go module
# proxy at the version the Makefile pins (ATMOS_PIN), logs in, then its logout
# and ours run on copies of the same HOME (interop.py), and its view of each
# configuration is compared with ours (config_diff.py).
source "$(dirname "$0")/lib.sh"

pin=${ATMOS_PIN:-$(sed -n 's/^ATMOS_PIN *:= *//p' "$ROOT/Makefile")}
ATMOS=$ROOT/build/interop/atmos-$pin
# The Go module proxy is a registry this machine reaches: not through lib.sh's refused proxy.
gonet() { env -u HTTPS_PROXY -u https_proxy -u HTTP_PROXY -u http_proxy "$@"; }
if ! why=$(gonet bash "$ROOT/tests/interop/build_atmos.sh" "$pin" "$ATMOS" 2>&1 >/dev/null); then
    skip "the real atmos $pin" "not built: ${why:-build_atmos.sh failed} (needs Go and the Go module proxy)"
    exit 0
fi

# judged MIN SCRIPT ARGS...: the script prints an ok/not ok line per case, which run.sh
# counts; a crash, or fewer than MIN cases, is a failure of its own.
judged() {
    local min=$1 script=$2 out rc cases; shift 2
    out=$(timeout -k 10 600 "$PY" "$ROOT/tests/e2e/$script" "$@" 2>&1); rc=$?
    printf '%s\n' "$out"
    cases=$(grep -c '^\(not \)\?ok - ' <<<"$out")
    if [ "$rc" -gt 1 ] || [ "$cases" -lt "$min" ]; then
        echo "not ok - $script: exit $rc after $cases cases ($min at least expected)"
    fi
}

# interop.py: 42 cases.
judged 42 interop.py "$ATMOS" "$BIN" "$TMPROOT/interop" "$ROOT/docs/interop.md" "$TMPROOT/interop-table.md"

begin "the credential variables atmos warns of after a logout, warned of as atmos does"
proj=$TMPROOT/interop/proj/default
warn() { (cd "$proj" && HOME=$TMPROOT/warn-home TMPDIR=$TMPROOT ATMOS_TELEMETRY_ENABLED=false NO_COLOR=1 \
          GOOGLE_APPLICATION_CREDENTIALS=/srv/adc.json AZURE_CERTIFICATE_PATH=/srv/sp.pem \
          AWS_SHARED_CREDENTIALS_FILE=/srv/credentials "$@" --all </dev/null 2>&1); }
A_OUT=$(warn "$ATMOS" auth logout); OUT=$(warn "$BIN"); RC=0
for v in GOOGLE_APPLICATION_CREDENTIALS=/srv/adc.json AZURE_CERTIFICATE_PATH=/srv/sp.pem \
         AWS_SHARED_CREDENTIALS_FILE=/srv/credentials; do
    check "atmos warns of $v" has "$A_OUT" "• $v"
    check "so do we" has "$OUT" "• $v"
done
end

begin "centralized auth: providers from a remote import, read from atmos's own copy (never fetched)"
proj=$TMPROOT/central; ch=$TMPROOT/central-home
mkdir -p "$proj" "$ch/.cache/atmos/stack-imports"
uri='https://config.example.com/auth/central.yaml?ref=v1'
printf 'import:\n  - %s\nauth:\n  identities:\n    dev:\n      kind: aws/permission-set\n      via: {provider: central-sso}\n      principal: {name: Admin, account: {id: "123456789012"}}\n' "$uri" >"$proj/atmos.yaml"
hex=$(printf '%s' "$uri" | sha256sum | cut -c1-16)
printf 'auth:\n  providers:\n    central-sso:\n      kind: aws/iam-identity-center\n      start_url: https://central.awsapps.com/start\n      region: us-east-1\n' \
    >"$ch/.cache/atmos/stack-imports/$hex.yaml"
view() { (cd "$proj" && HOME=$ch ATMOS_TELEMETRY_ENABLED=false "$@" 2>/dev/null) |
         "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(sorted(d["providers"]), sorted(d["identities"]))'; }
A_OUT=$(view "$ATMOS" auth list --format json); OUT=$(view "$BIN" --list-identities -o json); RC=0
check "atmos reads its copy" [ "$A_OUT" = "['central-sso'] ['dev']" ]
check "so do we: the same providers and identities" [ "$OUT" = "$A_OUT" ]
rm "$ch/.cache/atmos/stack-imports/$hex.yaml"
OUT=$(cd "$proj" && HOME=$ch "$BIN" --list-identities 2>&1)
check "no copy: the import named, nothing fetched" has "$OUT" "is remote and atmos has no copy of it"
end

# config_diff.py: an ok/not ok line per configuration with auth (atmos's examples and
# fixtures, from the module cache, and 60 generated), then a line of counts.
src=$(cd "$ROOT" && gonet go mod download -json "github.com/cloudposse/atmos@$pin" 2>/dev/null |
      sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -d "$src/examples" ]; then
    skip "atmos $pin's view of its own configurations" "its source is not in the Go module cache"
    exit 0
fi
judged 80 config_diff.py "$ATMOS" "$BIN" "$TMPROOT/config-diff" "$src" "$ROOT/docs/interop.md"
