#!/bin/bash
# Where atmos keeps AWS logins, as its code lays them out
# (docs/atmos-facts.md, sections 0 and 3; pkg/auth/cloud/aws/files.go):
#  - <root>/[<realm>/]aws/<provider>/, root being spec.files.base_path (what the
#    provider's Logout cleans) or the atmos config home (where identities write);
#  - never <base_path>/<provider>/, which no atmos wrote: with base_path ~/.aws
#    and a provider named sso that is the AWS CLI's own ~/.aws/sso;
#  - the legacy ~/.aws/atmos/<provider>/ and <cache>/aws-sso/<provider>/token.json;
#  - another realm's and another provider's files are decoys that must survive;
#  - an identity's logout cleans the integrations bound to its root provider.
# Every fixture is written here; the bytes left are checked (sha256 snapshots),
# and botocore judges the AWS INI files where a profile must be gone or kept.
source "$(dirname "$0")/lib.sh"

CFG=.config/atmos


go() { OUT=$("$BIN" --config "$H/atmos.yaml" "$@" 2>&1); RC=$?; }
same() { [ "$1" = "$(snapshot "$2")" ]; }

# Its own start URL: the example's AWS CLI tokens (fresh_home) are another login's.
SSO_YAML='auth:
  providers:
    sso:
      kind: aws/iam-identity-center
      region: us-east-1
      start_url: https://mine.awsapps.com/start
      spec: {files: {base_path: ~/.aws}}
  identities:
    dev: {kind: aws/permission-set, via: {provider: sso}}'

# The AWS CLI's own cache: a token of another start URL and its client registration.
awscli_cache() {
    mkdir -p "$H/.aws/sso/cache"
    printf '{"accessToken":"other","startUrl":"https://other.awsapps.com/start","region":"us-east-1","expiresAt":"2030-01-01T00:00:00Z"}\n' \
        >"$H/.aws/sso/cache/$(sha1 https://other.awsapps.com/start).json"
    printf '{"clientId":"x","clientSecret":"y","expiresAt":"2030-01-01T00:00:00Z"}\n' \
        >"$H/.aws/sso/cache/botocore-client-id-us-east-1.json"
}

begin "base_path ~/.aws, provider sso: ~/.aws/sso (the AWS CLI's) is never planned nor changed"
fresh_home
printf '%s\n' "$SSO_YAML" >"$H/atmos.yaml"
awscli_cache
aws_files "$H/$CFG/aws/sso" dev
aws_files "$H/.aws/aws/sso" dev
before=$(snapshot "$H/.aws/sso")
go --provider sso --dry-run
check "dry run: exit 0" rc_is 0
check "dry run: ~/.aws/sso not planned" hasnt "$OUT" "provider directory ~/.aws/sso"
check "dry run: <base_path>/aws/sso planned" has "$OUT" "provider directory ~/.aws/aws/sso"
check "dry run: <cfg>/aws/sso planned" has "$OUT" "provider directory ~/$CFG/aws/sso"
go --provider sso
check "exit 0" rc_is 0
check "never named in the report" bash -c '! grep -qE "~/\.aws/sso( |$)" <<<"$1"' _ "$OUT"
check "the AWS CLI's cache byte for byte" same "$before" "$H/.aws/sso"
check "<base_path>/aws/sso gone" missing "$H/.aws/aws/sso"
check "<cfg>/aws/sso gone" missing "$H/$CFG/aws/sso"
end

begin "base_path with a realm: <base_path>/<realm>/aws/<P>/ and <cfg>/<realm>/aws/<P>/ go; other realms, providers, layouts stay"
fresh_home
cat >"$H/atmos.yaml" <<'YAML'
auth:
  providers:
    p: {kind: aws/saml, spec: {files: {base_path: ~/custom}}}
    q: {kind: aws/saml, spec: {files: {base_path: ~/custom}}}
  identities:
    i: {kind: aws/assume-role, via: {provider: p}}
YAML
aws_files "$H/custom/team-a/aws/p" i
aws_files "$H/$CFG/team-a/aws/p" i
aws_files "$H/custom/team-b/aws/p" i   # another realm
aws_files "$H/$CFG/team-b/aws/p" i
aws_files "$H/custom/team-a/aws/q" j   # another provider
aws_files "$H/custom/p" i              # <base_path>/<P>: not atmos's layout
aws_files "$H/$CFG/aws/p" i            # realm-less: a pinned realm is the only one
decoys() { for d in custom/team-b custom/team-a/aws/q custom/p $CFG/team-b $CFG/aws; do snapshot "$H/$d"; done; }
before=$(decoys)
OUT=$(ATMOS_AUTH_REALM=team-a "$BIN" --config "$H/atmos.yaml" i 2>&1); RC=$?
check "identity: exit 0" rc_is 0
check "identity: its sections gone from <cfg>/team-a (botocore)" boto "$H/$CFG/team-a/aws/p" keep keep
check "identity: and from <base_path>/team-a (botocore)" boto "$H/custom/team-a/aws/p" keep keep
check "identity: decoys byte for byte" [ "$before" = "$(decoys)" ]
check "identity: [i] kept in the other realm (botocore)" boto "$H/custom/team-b/aws/p" i,keep i,keep
OUT=$(ATMOS_AUTH_REALM=team-a "$BIN" --config "$H/atmos.yaml" --provider p 2>&1); RC=$?
check "provider: exit 0" rc_is 0
check "provider: <base_path>/team-a/aws/p gone" missing "$H/custom/team-a/aws/p"
check "provider: <cfg>/team-a/aws/p gone" missing "$H/$CFG/team-a/aws/p"
check "provider: decoys byte for byte" [ "$before" = "$(decoys)" ]
check "provider: <base_path>/p kept (botocore)" boto "$H/custom/p" i,keep i,keep
end

begin "base_path without a realm: <base_path>/aws/<P>/, with a user's file in it kept"
fresh_home
printf 'auth:\n  providers:\n    p: {kind: aws/saml, spec: {files: {base_path: ~/custom}}}\n' >"$H/atmos.yaml"
aws_files "$H/custom/aws/p"
echo "mine" >"$H/custom/aws/p/notes.txt"
go --provider p
check "exit 1: something kept" rc_is 1
check "atmos's files gone" missing "$H/custom/aws/p/credentials"
check "the user's file kept" [ "$(cat "$H/custom/aws/p/notes.txt")" = mine ]
check "says so" has "$OUT" "~/custom/aws/p was not removed: it holds 1 entry atmos did not write (notes.txt)"
end

LEGACY_YAML='auth:
  providers:
    sso:
      kind: aws/iam-identity-center
      region: us-east-1
      start_url: https://example-org.awsapps.com/start
    other: {kind: aws/saml}
  identities:
    dev: {kind: aws/permission-set, via: {provider: sso}}
    ops: {kind: aws/permission-set, via: {provider: other}}'
legacy_home() {
    fresh_home
    printf '%s\n' "$LEGACY_YAML" >"$H/atmos.yaml"
    # atmos 96a7852034..1eda3a2ef5: ~/.aws/atmos/<P>/; 08cacb1e39..5813c33a6d: <cache>/aws-sso/<P>/token.json.
    aws_files "$H/.aws/atmos/sso" dev
    aws_files "$H/.aws/atmos/other" ops
    mkdir -p "$H/.cache/atmos/aws-sso/sso" "$H/.cache/atmos/aws-sso/other"
    printf '{"accessToken":"legacy","expiresAt":"2030-01-01T00:00:00Z","region":"us-east-1","startUrl":"https://example-org.awsapps.com/start"}\n' \
        >"$H/.cache/atmos/aws-sso/sso/token.json"
    printf '{"accessToken":"keep"}\n' >"$H/.cache/atmos/aws-sso/other/token.json"
}

begin "legacy ~/.aws/atmos/<P>/: an identity logout takes its sections, the other provider's stay"
legacy_home
before=$(snapshot "$H/.aws/atmos/other")
go dev
check "exit 0" rc_is 0
check "[dev] gone, [keep] kept (botocore)" boto "$H/.aws/atmos/sso" keep keep
check "the other provider's legacy files byte for byte" same "$before" "$H/.aws/atmos/other"
check "the legacy token stays at an identity logout" exists "$H/.cache/atmos/aws-sso/sso/token.json"
end

begin "legacy paths at provider logout: ~/.aws/atmos/<P>/ and <cache>/aws-sso/<P>/token.json go"
legacy_home
before=$(snapshot "$H/.aws/atmos/other"; snapshot "$H/.cache/atmos/aws-sso/other")
go --provider sso --dry-run
check "dry run lists the legacy directory" has "$OUT" "legacy provider directory ~/.aws/atmos/sso"
check "dry run lists the legacy token" has "$OUT" "legacy atmos SSO token ~/.cache/atmos/aws-sso/sso/token.json"
go --provider sso
check "exit 0" rc_is 0
check "legacy directory gone" missing "$H/.aws/atmos/sso"
check "legacy token and its directory gone" missing "$H/.cache/atmos/aws-sso/sso"
check "the other provider's byte for byte" [ "$before" = "$(snapshot "$H/.aws/atmos/other"; snapshot "$H/.cache/atmos/aws-sso/other")" ]
end

begin "no configuration: the legacy locations are discovered"
legacy_home
mkdir -p "$H/empty"
OUT=$(cd "$H/empty" && "$BIN" --all --dry-run 2>&1); RC=$?
check "exit 0" rc_is 0
check "legacy directories" has "$OUT" "~/.aws/atmos/other"
check "legacy token" has "$OUT" "~/.cache/atmos/aws-sso/sso/token.json"
end

begin "identity logout: integrations bound to its root provider go, another provider's stay"
fresh_home
mkdir -p "$H/.docker"
printf '{"auths": {"111111111111.dkr.ecr.us-east-1.amazonaws.com": {"auth": "eDpw"}, "222222222222.dkr.ecr.us-east-1.amazonaws.com": {"auth": "eTpw"}, "ghcr.io": {"auth": "ejpw"}}}\n' \
    >"$H/.docker/config.json"
cat >"$H/atmos.yaml" <<'YAML'
auth:
  providers:
    p: {kind: aws/saml}
    q: {kind: aws/saml}
  identities:
    org: {kind: aws/permission-set, via: {provider: p}}
    dev: {kind: aws/assume-role, via: {identity: org}}
    other: {kind: aws/permission-set, via: {provider: q}}
  integrations:
    mine: {kind: aws/ecr, via: {provider: p}, spec: {registry: {account_id: "111111111111", region: us-east-1}}}
    theirs: {kind: aws/ecr, via: {provider: q}, spec: {registry: {account_id: "222222222222", region: us-east-1}}}
YAML
go dev
check "exit 0" rc_is 0
check "the root provider's registry login gone" bash -c '! grep -q 111111111111 "$1"' _ "$H/.docker/config.json"
check "another provider's kept" grep -q 222222222222 "$H/.docker/config.json"
check "the user's own kept" grep -q ghcr.io "$H/.docker/config.json"
end

# --- atmos's derived realm (needs cfg->realm_derived from the loader) ---------
begin "derived realm (atmos's default, no realm configured): the realm's files and the realm-less legacy layout both go"
fresh_home
printf 'auth:\n  providers:\n    p: {kind: aws/saml}\n  identities:\n    i: {kind: aws/assume-role, via: {provider: p}}\n' >"$H/atmos.yaml"
R=$(derived_realm "$H")
aws_files "$H/$CFG/$R/aws/p" i
aws_files "$H/$CFG/aws/p" i
aws_files "$H/$CFG/team-b/aws/p" i   # another realm
before=$(snapshot "$H/$CFG/team-b")
go i
check "identity: exit 0" rc_is 0
check "identity: gone from the derived realm (botocore)" boto "$H/$CFG/$R/aws/p" keep keep
check "identity: gone from the realm-less layout (botocore)" boto "$H/$CFG/aws/p" keep keep
check "identity: no line of the report twice" [ -z "$(sort <<<"$OUT" | uniq -d | grep ' from ')" ]
go --provider p
check "provider: exit 0" rc_is 0
check "provider: the derived realm's directory gone" missing "$H/$CFG/$R/aws/p"
check "provider: the realm-less directory gone" missing "$H/$CFG/aws/p"
check "provider: another realm byte for byte" same "$before" "$H/$CFG/team-b"
end

[ "$HAVE_BOTO" = 1 ] || skip "botocore as the judge" "python3-botocore is not installed (make deps installs it)"
