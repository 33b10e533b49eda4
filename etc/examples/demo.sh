#!/bin/bash
# make demo: atmos-logout on the bundled example in a throwaway HOME.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$here/../.." && pwd)/${BUILD:-build}/atmos-logout
home=$(mktemp -d /tmp/atmos-demo.XXXXXX)
trap 'rm -rf "$home"' EXIT
bash "$here/populate.sh" "$home"
export HOME=$home XDG_CONFIG_HOME= XDG_CACHE_HOME= ATMOS_CLI_CONFIG_PATH= ATMOS_AUTH_REALM=
# The example's tokens are made up: signing them out goes to a refused local
# port, so nothing leaves this machine (the report says "Not signed out").
export HTTPS_PROXY=http://127.0.0.1:9 https_proxy= NO_PROXY= no_proxy= AWS_ENDPOINT_URL= AWS_ENDPOINT_URL_SSO=
cd "$home"
# Bold command lines on a terminal only: piped output stays plain text.
if [ -t 1 ]; then b=$'\033[1m' n=$'\033[0m'; else b='' n=''; fi
run() { printf '\n%s$ %s%s\n' "$b" "atmos-logout $*" "$n"; "$bin" --config "${CFG:-$here/atmos.yaml}" "$@" || true; }
tree() { (cd "$home" && find .config .cache .aws -type f | sort | sed 's/^/  ~\//'); }

echo "A throwaway HOME ($home) holding what 'atmos auth login' writes:"
tree
run --dry-run dev-admin
run dev-admin
echo; echo "~/.config/atmos/aws/aws-sso/credentials now holds:"
grep '^\[' "$home/.config/atmos/aws/aws-sso/credentials" | sed 's/^/  /'
run --dry-run --provider aws-sso
run --provider aws-sso
run --all
echo; echo "What is left (none of it ours: other start URLs, client registrations, broken files):"
tree

echo; echo "Azure, Google Cloud and registry logins ($here/clouds.yaml, realm team):"
/usr/bin/python3 "$here/populate-clouds.py" "$home" team
# The file keyring in the throwaway HOME: a demo never touches your real keychain.
export ATMOS_AUTH_REALM=team CFG=$here/clouds.yaml ATMOS_KEYRING_TYPE=file XDG_DATA_HOME=
(cd "$home" && find .azure .config/atmos/team .cache/atmos/azure-device-code .docker -type f | sort | sed 's/^/  ~\//')
run --dry-run --provider azure-dc
run az-sub
run --all
echo; echo "Left in the Azure CLI's and docker's files (the user's own logins, not atmos's):"
/usr/bin/python3 - "$home" <<'PY'
import json, sys
h = sys.argv[1]
cache = json.load(open(h + "/.azure/msal_token_cache.json"))
print("  Azure CLI accounts:", ", ".join(a["username"] for a in cache["Account"].values()))
subs = json.load(open(h + "/.azure/azureProfile.json", encoding="utf-8-sig"))["subscriptions"]
print("  Azure CLI subscriptions:", ", ".join("%s (%s)" % (s["id"], s["user"]["name"]) for s in subs))
print("  docker logins:", ", ".join(json.load(open(h + "/.docker/config.json"))["auths"]))
PY
