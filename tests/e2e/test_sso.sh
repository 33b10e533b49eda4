#!/bin/bash
# The AWS CLI's role credentials derived from an SSO login (~/.aws/cli/cache):
# removed with the provider's session, found through botocore's own cache key.
source "$(dirname "$0")/lib.sh"

# role_cache HOME: ~/.aws/config with SSO profiles of both forms and decoys, and
# the cache files botocore itself names for them (its _create_cache_key).
role_cache() {
    mkdir -p "$1/.aws/cli/cache"
    cat >"$1/.aws/config" <<CFG
[default]
region = us-east-1

[profile direct]
sso_start_url = $URL
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Admin

[profile viasession]
sso_session = corp
sso_account_id = 222222222222
sso_role_name = ReadOnly

[sso-session corp]
sso_start_url = $URL
sso_region = us-east-1

[profile unicode]
sso_start_url = $URL
sso_region = us-east-1
sso_account_id = 444444444444
sso_role_name = Rôle-"quoted"-😀

[profile other]
sso_start_url = https://other.awsapps.com/start
sso_region = us-east-1
sso_account_id = 333333333333
sso_role_name = Admin
CFG
    "$PY" - "$1" <<'PY'
import json, sys
from botocore.credentials import SSOCredentialFetcher
home = sys.argv[1]
def key(url, account, role, session=None):
    f = SSOCredentialFetcher(url, "us-east-1", role, account, client_creator=None,
                             sso_session_name=session)
    return f._create_cache_key()
creds = {"ProviderType": "sso", "Credentials": {"AccessKeyId": "ASIA", "SecretAccessKey": "s",
         "SessionToken": "t", "Expiration": "2099-01-01T00:00:00Z"}}
url = "https://example-org.awsapps.com/start"
names = {"direct": key(url, "111111111111", "Admin"),
         "viasession": key(url, "222222222222", "ReadOnly", "corp"),
         "unicode": key(url, "444444444444", 'Rôle-"quoted"-😀'),
         "other": key("https://other.awsapps.com/start", "333333333333", "Admin")}
for n, k in names.items():
    json.dump(creds, open("%s/.aws/cli/cache/%s.json" % (home, k), "w"))
# Not SSO: an assume-role cache entry, and one under an SSO profile's name but of another kind.
json.dump({"ProviderType": "assume-role", "Credentials": {}}, open(home + "/.aws/cli/cache/0123abcd.json", "w"))
open(home + "/names", "w").write(json.dumps(names))
PY
}
name_of() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$H/names" "$1"; }
cache() { echo "$H/.aws/cli/cache/$(name_of "$1").json"; }

begin "--provider: the role credentials of its start URL, both profile forms, nothing else"
fresh_home; role_cache "$H"; cfg_sum=$(sha256sum <"$H/.aws/config")
run --dry-run --provider aws-sso
check "dry run lists them" has "$OUT" "AWS CLI role credentials ~/.aws/cli/cache/$(name_of direct).json"
check "dry run changes nothing" exists "$(cache direct)"
run --provider aws-sso
check "exit 0" rc_is 0
check "sso_start_url profile" missing "$(cache direct)"
check "sso_session profile" missing "$(cache viasession)"
check "non-ASCII role name (botocore's escaping)" missing "$(cache unicode)"
check "another start URL kept" exists "$(cache other)"
check "non-SSO cache file kept" exists "$H/.aws/cli/cache/0123abcd.json"
check "AWS CLI config only read" [ "$cfg_sum" = "$(sha256sum <"$H/.aws/config")" ]
end

begin "identity logout leaves the provider's derived credentials"
fresh_home; role_cache "$H"
run dev-admin
check "exit 0" rc_is 0
check "kept" exists "$(cache direct)"
end

begin "a cache file under an SSO name that is not SSO role credentials is kept"
fresh_home; role_cache "$H"
printf '{"ProviderType": "assume-role"}' >"$(cache direct)"
run --provider aws-sso
check "kept" exists "$(cache direct)"
check "the others removed" missing "$(cache viasession)"
end

begin "a malformed AWS config file: reported, the rest still read, nothing else lost"
fresh_home; role_cache "$H"
printf 'this line is not INI\n' >>"$H/.aws/config"; cfg_sum=$(sha256sum <"$H/.aws/config")
run --all
check "exit 0" rc_is 0
check "reported with its line" has "$ERR" ".aws/config:30: not an INI line"
check "profiles read" missing "$(cache direct)"
check "decoy kept" exists "$(cache other)"
check "config unchanged" [ "$cfg_sum" = "$(sha256sum <"$H/.aws/config")" ]
check "session data removed too" missing "$H/$SSO"
end

begin "AWS_CONFIG_FILE names the config file"
fresh_home; role_cache "$H"; mv "$H/.aws/config" "$H/awscfg"
OUT=$(AWS_CONFIG_FILE=$H/awscfg "$BIN" --config "$EXAMPLE" --provider aws-sso 2>&1); RC=$?
check "exit 0" rc_is 0
check "found through it" missing "$(cache viasession)"
end
