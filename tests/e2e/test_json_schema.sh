#!/bin/bash
# --output json against the schema docs/atmos-logout.md documents (json_schema.py): every
# scope, a dry run, a failure and a keychain run; and that the check fails on a document
# that breaks the schema.
source "$(dirname "$0")/lib.sh"
DOC="$ROOT/docs/atmos-logout.md"
schema_ok() { "$PY" "$ROOT/tests/e2e/json_schema.py" "$DOC" '### JSON (`--output json`)' <<<"$OUT"; }
schema_refused() { ! schema_ok >/dev/null; }

for scope in "dev-admin" "--provider aws-sso" "--all" "--all-realms" "--dry-run --all" \
    "--dry-run dev-admin" "--tags nope-never" "--keychain --force dev-admin" \
    "dev-admin prod-readonly not-configured"; do
    begin "JSON of $scope follows the documented schema"
    fresh_home
    # shellcheck disable=SC2086 # the scope is words
    OUT=$("$BIN" --config "$EXAMPLE" -o json $scope 2>/dev/null); RC=$?
    if [ "$scope" = "--tags nope-never" ]; then
        check "an error document" has "$OUT" '"error"'
    else
        check "it parses and follows the schema" schema_ok
    fi
    end
done

begin "the check can fail: an undocumented key, a status outside the list, a missing key"
fresh_home
OUT=$("$BIN" --config "$EXAMPLE" -o json dev-admin 2>/dev/null)
GOOD=$OUT
OUT=$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); d["surprise"]=1; print(json.dumps(d))' "$GOOD")
check "an undocumented key is refused" schema_refused
OUT=$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); d["status"]="fine"; print(json.dumps(d))' "$GOOD")
check "a status not listed is refused" schema_refused
OUT=$("$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); del d["items"][0]["path"]; print(json.dumps(d))' "$GOOD")
check "a missing item key is refused" schema_refused
end
