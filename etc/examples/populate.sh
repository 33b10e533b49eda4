#!/bin/bash
# Write the files `atmos auth login` leaves behind for etc/examples/atmos.yaml
# into the HOME given as $1 (used by the demo and the end-to-end tests).
set -euo pipefail
home=$1
base=$home/.config/atmos/aws
sha1() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }

mkdir -p "$base/aws-sso" "$base/partner-sso" "$base/aws-user" \
         "$home/.cache/atmos/aws-sso/sessions" "$home/.cache/atmos/auth/aws-sso" \
         "$home/.aws/sso/cache"
chmod 700 "$home/.config/atmos" "$base"

creds() { # name
    printf '; atmos: expiration=2030-01-01T00:00:00Z\n[%s]\n' "$1"
    printf 'aws_access_key_id = ASIAEXAMPLE%s\naws_secret_access_key = secret-%s\n' "${1//-/}" "$1"
    printf 'aws_session_token = token-%s\n\n' "$1"
}
{ creds dev-org-admin; creds dev-admin; creds prod-readonly; } > "$base/aws-sso/credentials"
cat > "$base/aws-sso/config" <<CFG
[profile dev-org-admin]
region = us-east-1
output = json

[profile dev-admin]
region = us-east-1
s3 =
  max_concurrent_requests = 20

[profile prod-readonly]
region = us-east-1
CFG
creds partner-audit > "$base/partner-sso/credentials"
printf '[profile partner-audit]\nregion = eu-west-1\n' > "$base/partner-sso/config"
creds ci-user > "$base/aws-user/credentials"
chmod 600 "$base"/*/credentials "$base"/*/config

url=https://example-org.awsapps.com/start
printf '{"accessToken":"tok","startUrl":"%s","region":"us-east-1"}\n' "$url" \
    > "$home/.cache/atmos/aws-sso/sessions/$(sha1 "$url|us-east-1").json"
printf 'identities: [dev-org-admin]\n' > "$home/.cache/atmos/auth/aws-sso/provisioned-identities.yaml"
printf '{"accessToken":"tok","startUrl":"%s","expiresAt":"2030-01-01T00:00:00Z"}\n' "$url" \
    > "$home/.aws/sso/cache/$(sha1 "$url").json"
printf '{"accessToken":"tok","startUrl":"%s"}\n' "$url" > "$home/.aws/sso/cache/named-session.json"
# Not ours: another start URL, a client registration, and a file that is not JSON.
printf '{"accessToken":"other","startUrl":"https://other.awsapps.com/start"}\n' \
    > "$home/.aws/sso/cache/other.json"
printf '{"clientId":"x","clientSecret":"y"}\n' > "$home/.aws/sso/cache/botocore-client-id-us-east-1.json"
printf 'not json' > "$home/.aws/sso/cache/broken.json"
