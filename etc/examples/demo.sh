#!/bin/bash
# make demo: atmos-logout on the bundled example in a throwaway HOME.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$here/../.." && pwd)/${BUILD:-build}/atmos-logout
home=$(mktemp -d /tmp/atmos-demo.XXXXXX)
trap 'rm -rf "$home"' EXIT
bash "$here/populate.sh" "$home"
export HOME=$home XDG_CONFIG_HOME= XDG_CACHE_HOME= ATMOS_CLI_CONFIG_PATH= ATMOS_AUTH_REALM=
cd "$home"
run() { printf '\n\033[1m$ %s\033[0m\n' "atmos-logout $*"; "$bin" --config "$here/atmos.yaml" "$@" || true; }
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
