#!/bin/bash
# The rewritten files still parse with botocore and give every remaining
# profile exactly the values it had before.
source "$(dirname "$0")/lib.sh"

if ! "$PY" -c 'import botocore' 2>/dev/null; then
    skip "botocore round trip" "python3-botocore is not installed (make deps installs it)"
    exit 0
fi

# expect_roundtrip NAME IDENTITY: logout IDENTITY, compare botocore's view.
expect_roundtrip() {
    local dir=$H/$SSO
    local before after
    before=$("$PY" "$ROOT/tests/e2e/botocore_profiles.py" "$dir") || { check "botocore parses the input" false; return; }
    check "the identity is there before" "$PY" -c '
import json,sys; d=json.loads(sys.argv[1]); n=sys.argv[2]
assert n in d["credentials"] or n in d["config"], d' "$before" "$2"
    run "$2"
    check "exit 0" rc_is 0
    after=$("$PY" "$ROOT/tests/e2e/botocore_profiles.py" "$dir") || { check "botocore parses the output" false; return; }
    check "only $2 is gone; every other profile is identical" "$PY" -c '
import json,sys; b=json.loads(sys.argv[1]); a=json.loads(sys.argv[2]); n=sys.argv[3]
for k in ("credentials","config"):
    b[k].pop(n, None)
assert a == b, (a, b)' "$before" "$after" "$2"
}

begin "botocore: comments, nested blocks, [default], sso-session, no final newline"
fresh_home
cat >"$H/$SSO/credentials" <<'INI'
# managed by atmos
[default]
aws_access_key_id = DEFAULTKEY

; atmos: expiration=2030-01-01T00:00:00Z
[dev-org-admin]
aws_access_key_id = A
aws_secret_access_key = SA

; atmos: expiration=2030-01-01T00:00:00Z
[dev-admin]
aws_access_key_id = B
# a comment inside
aws_secret_access_key = SB

# this one is about prod
; atmos: expiration=2030-01-01T00:00:00Z
[prod-readonly]
aws_access_key_id = C
INI
printf '[default]\nregion = us-east-1\n\n[profile dev-admin]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 20\n  addressing_style = path\n\n[sso-session corp]\nsso_start_url = https://x\n\n[profile prod-readonly]\nregion = us-west-2\ns3 =\n  max_bandwidth = 50MB/s' >"$H/$SSO/config"
expect_roundtrip x dev-admin
end

begin "botocore: CRLF line ends and the last section"
fresh_home
printf '[dev-org-admin]\r\naws_access_key_id = A\r\n\r\n; atmos: expiration=2030-01-01T00:00:00Z\r\n[prod-readonly]\r\naws_access_key_id = C\r\n' >"$H/$SSO/credentials"
printf '[profile dev-org-admin]\r\nregion = us-east-1\r\n\r\n[profile prod-readonly]\r\nregion = us-west-2\r\ns3 =\r\n  max_concurrent_requests = 5\r\n' >"$H/$SSO/config"
expect_roundtrip x prod-readonly
check "CRLF kept" grep -q $'\r$' "$H/$SSO/credentials"
end

begin "botocore: quoted and spaced profile headers"
fresh_home
printf '[dev-admin]\naws_access_key_id = B\n' >"$H/$SSO/credentials"
printf '[profile "dev-org-admin"]\nregion = a\n\n[profile "dev-admin"]\nregion = b\n\n[profile   prod-readonly]\nregion = c\n' >"$H/$SSO/config"
expect_roundtrip x dev-admin
check "quoted sibling header kept verbatim" section_in '[profile "dev-org-admin"]' "$H/$SSO/config"
end

begin "botocore: [DEFAULT] survives and the file with only [DEFAULT] goes"
fresh_home
printf '[DEFAULT]\nregion = x\n\n[dev-admin]\naws_access_key_id = B\n' >"$H/$SSO/credentials"
printf '[profile dev-org-admin]\nregion = a\n\n[profile dev-admin]\nregion = b\n' >"$H/$SSO/config"
run dev-admin
check "credentials with only [DEFAULT] left is deleted" missing "$H/$SSO/credentials"
check "config still parses" bash -c "\"$PY\" \"$ROOT/tests/e2e/botocore_profiles.py\" \"$H/$SSO\" >/dev/null"
end
