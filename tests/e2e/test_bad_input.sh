#!/bin/bash
# Every row of docs/bad-input.md, as a test: clear error (file and line where
# it applies), the documented exit status, no crash, no hang, nothing lost,
# nothing outside the plan touched.
source "$(dirname "$0")/lib.sh"

CRED=.config/atmos/aws/aws-sso/credentials
snap() { BEFORE=$(snapshot "$H"); }
unchanged() { [ "$BEFORE" = "$(snapshot "$H")" ]; }
# yaml_case TEXT EXPECTED: that atmos.yaml makes `atmos-logout dev-admin` fail with EXPECTED.
yaml_case() {
    fresh_home
    printf '%b' "$1" >"$H/bad.yaml"
    snap
    run_raw --config "$H/bad.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: $2" has "$ERR" "$2"
    check "unchanged" unchanged
}
as_user() { # run as nobody when root, so permissions apply
    if [ "$(id -u)" -eq 0 ]; then
        chown -R 65534:65534 "$H"
        setpriv --reuid 65534 --regid 65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}
victim() { # a directory outside the user's files, with a [dev-admin] section
    V=$TMPROOT/victim$RANDOM; mkdir -p "$V"
    printf '[dev-admin]\nk = v\n' >"$V/credentials"; cp "$V/credentials" "$V/orig"
}
victim_intact() { cmp -s "$V/credentials" "$V/orig"; }
# run_bounded ARGS...: run_raw, killed after HANG_S.  What it guards ends in
# well under a second (make bench prints how long); only a hang reaches
# HANG_S, exit 124.  How fast is make bench's business, not a test's.
HANG_S=120
run_bounded() {
    OUT=$(timeout "$HANG_S" "$BIN" "$@" 2>"$TMPROOT/stderr"); RC=$?
    ERR=$(cat "$TMPROOT/stderr")
}
no_hang() { [ "$RC" -ne 124 ]; }
bomb() { # nine levels of nine aliases
    printf 'a0: &a0 [x,x,x,x,x,x,x,x,x]\n'
    for i in 1 2 3 4 5 6 7 8; do
        printf 'a%d: &a%d [' "$i" "$i"; for _ in 1 2 3 4 5 6 7 8; do printf '*a%d,' $((i - 1)); done
        printf '*a%d]\n' $((i - 1))
    done
}

case_B01() { yaml_case 'auth:\n  providers: [\n    p\n' "bad.yaml:"; check "line and column" grep -qE 'bad.yaml:[0-9]+:[0-9]+:' <<<"$ERR"; }
case_B02() { yaml_case 'auth:\n\tproviders: {}\n' "bad.yaml:2:"; }
case_B03() {
    fresh_home; { bomb; printf 'auth:\n  providers: *a8\n'; } >"$H/bad.yaml"; snap
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 1" rc_is 1; check "reason" has "$ERR" "auth.providers must be a mapping"
    check "unchanged" unchanged
}
case_B04() {
    fresh_home; { bomb; cat "$EXAMPLE"; } >"$H/bad.yaml"
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 0" rc_is 0; check "logged out" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B05() {
    fresh_home; "$PY" -c 'print("auth: " + "[" * 10000 + "]" * 10000)' >"$H/bad.yaml"; snap
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 1" rc_is 1
    check "reason, where" has "$ERR" "bad.yaml:1:70: nested deeper than 64 levels"; check "unchanged" unchanged
}
case_B61() { # libyaml's cost grows with the square of the depth: days for this one unbounded
    fresh_home; "$PY" -c 'print("auth:\n  providers: " + "[" * (8 * 1024 * 1024 - 100))' >"$H/bad.yaml"; snap
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 1" rc_is 1
    check "reason, where" has "$ERR" "bad.yaml:2:76: nested deeper than 64 levels"; check "unchanged" unchanged
}
case_B62() { # four million nodes: about 680 MiB in libyaml's document model
    fresh_home; "$PY" -c 'print("auth:\n  providers: [" + "a," * (4 * 1024 * 1024 - 100) + "]")' >"$H/bad.yaml"; snap
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 1" rc_is 1
    check "reason, where" has "$ERR" "bad.yaml:2:500005: more than 250000 YAML nodes"; check "unchanged" unchanged
}
case_B06() {
    fresh_home; truncate -s 100M "$H/bad.yaml"; snap
    run_raw --config "$H/bad.yaml" dev-admin
    check "exit 1" rc_is 1; check "reason" has "$ERR" "file is larger than 8388608 bytes"; check "unchanged" unchanged
}
case_B07() { yaml_case 'auth:\n  realm: a\0b\n' "bad.yaml:2:11: a NUL byte is not allowed"; }
case_B160() { yaml_case 'auth:\n\tproviders: {}\n' "bad.yaml:2:1: while scanning for the next token: found character that cannot start any token at 2:1 (a tab, '@' or '\`' cannot start one: YAML indents with spaces)"; }
case_B161() {
    yaml_case 'auth:\n  identities:\n    dev-admin: {kind: aws/user}\n    "dev-admin": {kind: aws/user}\n' 'bad.yaml:4:5: mapping key "dev-admin" already defined at line 3 (atmos refuses the file too)'
}
case_B08() { yaml_case 'auth:\n  realm: \xff\xfe\n' "bad.yaml:"; }
case_B09() { yaml_case 'auth:\n  identities:\n    ../evil: {kind: aws/user}\n' "must not start with '.'"; }
case_B10() { yaml_case 'auth:\n  providers:\n    a/b: {kind: aws/saml}\n' "must not contain '/'"; }
case_B11() { yaml_case 'auth:\n  identities:\n    "a\\nb": {kind: aws/user}\n' "contains a control character"; }
case_B12() { yaml_case "auth:\n  identities:\n    $(printf 'x%.0s' $(seq 300)): {kind: aws/user}\n" "longer than 255 bytes"; }
case_B13() { yaml_case 'auth:\n  identities:\n    a: {kind: aws/assume-role, via: {identity: b}}\n    b: {kind: aws/assume-role, via: {identity: a}}\n' "via cycle a → b → a"; }
case_B14() {
    fresh_home
    printf 'auth:\n  providers: {aws-sso: {kind: aws/iam-identity-center}}\n  identities:\n    dev-admin: {kind: someday/new-kind, via: {provider: aws-sso}}\n' >"$H/k.yaml"
    snap
    run_raw --config "$H/k.yaml" dev-admin
    check "exit 1" rc_is 1; check "named" has "$OUT" "dev-admin (kind someday/new-kind)"
    check "not treated as AWS" unchanged
}
case_B15() {
    fresh_home; snap
    OUT=$(env -u HOME "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
    check "exit 1" rc_is 1; check "reason" has "$OUT" "HOME is not set to an absolute path"; check "unchanged" unchanged
}
case_B16() {
    fresh_home; snap
    OUT=$(HOME=relative/home "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
    check "exit 1" rc_is 1; check "reason" has "$OUT" "HOME is not set to an absolute path"; check "unchanged" unchanged
}
case_B17() { yaml_case 'auth:\n  providers:\n    p: {kind: aws/saml, spec: {files: {base_path: rel/dir}}}\n' "must be absolute or start with ~/"; }
case_B18() {
    yaml_case 'auth:\n  providers:\n    tmp: {kind: aws/saml, spec: {files: {base_path: /}}}\n' "must not be the root directory"
    run_raw --config "$H/bad.yaml" --provider tmp
    check "--provider tmp refused too" rc_is 1; check "/tmp still there" [ -d /tmp ]
}
case_B19() { yaml_case 'auth:\n  providers:\n    p: {kind: aws/saml, spec: {files: {base_path: ~/x/../../etc}}}\n' "must not contain '..'"; }
case_B20() {
    fresh_home; victim; rm -rf "$H/.config/atmos/aws/aws-sso"; ln -s "$V" "$H/.config/atmos/aws/aws-sso"
    run dev-admin
    check "refused" has "$OUT" "is a symlink, refusing to follow it"; check "victim intact" victim_intact
}
case_B21() {
    fresh_home; victim; mkdir -p "$V/aws-sso"; cp "$V/credentials" "$V/aws-sso/credentials"
    rm -rf "$H/.config/atmos/aws"; ln -s "$V" "$H/.config/atmos/aws"
    run --all
    check "refused" has "$OUT" "is a symlink, refusing to follow it"; check "victim intact" victim_intact
    check "victim provider intact" section_in "[dev-admin]" "$V/aws-sso/credentials"
}
case_B22() {
    fresh_home; victim; mkdir -p "$V/atmos/aws/aws-sso"; cp "$V/credentials" "$V/atmos/aws/aws-sso/"
    rm -rf "$H/.config"; ln -s "$V" "$H/.config"
    run --all
    check "refused" has "$OUT" ".config is a symlink"; check "victim intact" section_in "[dev-admin]" "$V/atmos/aws/aws-sso/credentials"
}
case_B23() {
    fresh_home; victim; rm "$H/$CRED"; ln -s "$V/credentials" "$H/$CRED"
    run dev-admin
    check "refused" has "$OUT" "is a symlink"; check "victim intact" victim_intact
    check "config section still removed" no_section_in "[profile dev-admin]" "$H/.config/atmos/aws/aws-sso/config"
}
case_B24() {
    fresh_home; rm "$H/$CRED"; mkfifo "$H/$CRED"
    OUT=$(timeout 5 "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
    check "no hang" [ "$RC" -ne 124 ]; check "refused" has "$OUT" "is a FIFO"
}
case_B25() {
    fresh_home; mkfifo "$H/fifo.yaml"; snap
    OUT=$(timeout 5 "$BIN" --config "$H/fifo.yaml" dev-admin 2>&1); RC=$?
    check "exit 1 (no hang)" rc_is 1; check "reason" has "$OUT" "not a regular file"; check "unchanged" unchanged
}
case_B26() {
    fresh_home; rm "$H/$CRED"; mkdir "$H/$CRED"
    run dev-admin
    check "refused" has "$OUT" "is a directory, not a regular file"
    check "other item done" no_section_in "[profile dev-admin]" "$H/.config/atmos/aws/aws-sso/config"
}
case_B27() {
    fresh_home; chmod 400 "$H/$CRED"
    run dev-admin
    check "removed" no_section_in "[dev-admin]" "$H/$CRED"; check "mode kept" [ "$(stat -c %a "$H/$CRED")" = 400 ]
}
case_B28() {
    fresh_home; chmod 500 "$H/.config/atmos/aws/aws-sso"
    OUT=$(HOME=$H as_user "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
    chmod 700 "$H/.config/atmos/aws/aws-sso"
    check "Permission denied" has "$OUT" "Permission denied"; check "intact" section_in "[dev-admin]" "$H/$CRED"
    check "no temporary" bash -c "! ls -a '$H/.config/atmos/aws/aws-sso' | grep -q atmos-tmp"
}
case_B29() {
    fresh_home
    "$PY" -c 'print("[padding]\nk = " + "x" * 8000)' >>"$H/$CRED"; cp "$H/$CRED" "$TMPROOT/orig-cred"
    OUT=$(ulimit -f 4; "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
    check "no crash" [ "$RC" -lt 128 ]; check "File too large" has "$OUT" "File too large"
    check "original intact" cmp -s "$H/$CRED" "$TMPROOT/orig-cred"
    check "no temporary" bash -c "! ls -a '$H/.config/atmos/aws/aws-sso' | grep -q atmos-tmp"
}
case_B30() {
    fresh_home; printf '[dev-admin]\nk = 1\n[keep]\nk = 2\n[dev-admin]\nk = 3\n' >"$H/$CRED"
    run dev-admin
    check "both gone" no_section_in "[dev-admin]" "$H/$CRED"; check "other intact" bash -c "[ \"\$(cat '$H/$CRED')\" = \"\$(printf '[keep]\nk = 2')\" ]"
}
case_B31() {
    fresh_home; printf '\xef\xbb\xbf[dev-admin]\nk = 1\n[keep]\nk = 2\n' >"$H/$CRED"
    run dev-admin
    check "exact result" bash -c "[ \"\$(od -c '$H/$CRED' | head -1)\" = \"\$(printf '\xef\xbb\xbf[keep]\nk = 2\n' | od -c | head -1)\" ]"
}
case_B32() {
    fresh_home; "$PY" -c 'print("[big]\nk = " + "v" * (1 << 20))' >"$TMPROOT/big"; cat "$TMPROOT/big" >>"$H/$CRED"
    run dev-admin
    check "removed" no_section_in "[dev-admin]" "$H/$CRED"
    check "the long line intact" bash -c "grep -a '^k = vvvv' '$H/$CRED' | cmp -s - <(sed -n 2p '$TMPROOT/big')"
}
case_B33() {
    fresh_home; flock -o "$H/$CRED.lock" sleep 30 & holder=$!; bg_track "$holder"
    check "another process holds the lock" wait_for 10 lock_held "$H/$CRED.lock"
    run dev-admin; bg_stop "$holder"
    check "timeout named" has "$OUT" "waiting for the lock"; check "intact" section_in "[dev-admin]" "$H/$CRED"
    check "other item done" no_section_in "[profile dev-admin]" "$H/.config/atmos/aws/aws-sso/config"
}
sso_case() { # FILE CONTENT: a cache file that must survive --provider aws-sso
    fresh_home; printf '%s' "$2" >"$H/.aws/sso/cache/$1"; cp "$H/.aws/sso/cache/$1" "$TMPROOT/orig-$1"
    run --provider aws-sso
    check "untouched" cmp -s "$H/.aws/sso/cache/$1" "$TMPROOT/orig-$1"
    check "matching tokens still removed" missing "$H/.aws/sso/cache/named-session.json"
}
case_B34() { sso_case junk.json 'startUrl accessToken https://example-org.awsapps.com/start'; }
case_B35() { sso_case array.json '["accessToken", "https://example-org.awsapps.com/start"]'; }
case_B36() { sso_case huge.json "{\"accessToken\":\"t\",\"startUrl\":\"$URL\",\"pad\":\"$(head -c 1100000 /dev/zero | tr '\0' x)\"}"; }
case_B37() {
    fresh_home; printf '{"accessToken":"t","startUrl":"%s"}' "$URL" >"$TMPROOT/token.json"
    ln -s "$TMPROOT/token.json" "$H/.aws/sso/cache/link.json"
    run --provider aws-sso
    check "target untouched" exists "$TMPROOT/token.json"
}
case_B38() {
    fresh_home; mv "$H/.aws/sso/cache" "$TMPROOT/cache"; ln -s "$TMPROOT/cache" "$H/.aws/sso/cache"
    run --provider aws-sso
    check "not searched" exists "$TMPROOT/cache/named-session.json"
}
case_B39() { yaml_case 'auth:\n  identities:\n    dev-admin: {kind: aws/assume-role, via: {identity: ghost}}\n' "is not a configured identity"; }
case_B40() { yaml_case 'auth:\n  providers: {p: {kind: k}}\n  identities:\n    dev-admin: {kind: x, via: {provider: p, identity: q}}\n    q: {kind: aws/user}\n' "both via.provider and via.identity"; }
case_B41() { yaml_case 'auth:\n  realm: Team A\n' 'realm "Team A" is invalid'; }
case_B42() { yaml_case 'auth:\n  providers:\n    p: {kind: k, spec: {files: {base_path: "/x\\ry"}}}\n' "contains a line break"; }
case_B43() { yaml_case '' 'identity "dev-admin" not found'; check "lists" has "$ERR" "Available identities:"; }
case_B44() { yaml_case '- a\n- b\n' "the top level must be a mapping"; }
case_B45() {
    fresh_home; printf '# a comment\n; another\n' >"$H/$CRED"; printf '# only comments\n' >"$H/.config/atmos/aws/aws-sso/config"; snap
    run dev-admin
    check "exit 0" rc_is 0; check "already logged out" has "$OUT" "already logged out"; check "unchanged" unchanged
}
case_B46() {
    fresh_home; "$PY" -c 'import sys,random; r=random.Random(7); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(8192)).replace(b"[", b"("))' >"$H/$CRED"
    sum=$(sha256sum <"$H/$CRED")
    run dev-admin
    check "exit 0" rc_is 0; check "credentials unchanged" [ "$sum" = "$(sha256sum <"$H/$CRED")" ]
    check "no crash" [ "$RC" -lt 128 ]
}
case_B47() {
    fresh_home
    if [ "$(id -u)" -ne 0 ]; then skip "B47" "not root: cannot give a provider directory to another user (chown)"; return; fi
    chown -R 65534:65534 "$H/.config/atmos/aws/aws-sso"
    run dev-admin
    check "refused" has "$OUT" "is owned by uid 65534"; check "untouched" section_in "[dev-admin]" "$H/$CRED"
}
case_B48() {
    fresh_home; snap
    OUT=$(ATMOS_KEYRING_TYPE=vault "$BIN" --config "$EXAMPLE" dev-admin 2>&1); RC=$?
    # As atmos does (pkg/auth/credentials/store.go): a warning, and the system keyring.
    check "exit 0" rc_is 0; check "warned" has "$OUT" 'keyring type "vault" is unknown'
    check "as the system keyring" has "$OUT" "using the system keyring"
    check "logged out all the same" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B49() {
    fresh_home; snap
    OUT=$(ATMOS_CLI_CONFIG_PATH=/nonexistent/x.yaml "$BIN" dev-admin 2>&1); RC=$?
    check "exit 1" rc_is 1; check "names it" has "$OUT" "/nonexistent/x.yaml"; check "unchanged" unchanged
}
case_B50() {
    fresh_home; echo partial >"$H/.config/atmos/aws/aws-sso/.credentials.atmos-tmp.0123456789abcdef"
    run dev-admin
    check "temporary gone" missing "$H/.config/atmos/aws/aws-sso/.credentials.atmos-tmp.0123456789abcdef"
}
case_B51() {
    fresh_home; printf '[x]\nk = 1\n[dev-admin]\n  [b]\nm = 2\n' >"$H/$CRED"; cp "$H/$CRED" "$TMPROOT/orig-cred"
    run dev-admin
    check "refused" has "$OUT" "would change how the lines after it are read"
    check "unchanged" cmp -s "$H/$CRED" "$TMPROOT/orig-cred"
}

case_B60() {
    yaml_case 'auth:\n  providers:\n    p: [unclosed\n' "bad.yaml:3:8: while parsing a flow sequence: did not find expected ',' or ']' at 4:1 (the end of the file)"
}

# Azure, GCP and docker files: the HOME of etc/examples/populate-clouds.py, realm "team".
cloud_home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1
    "$PY" "$ROOT/etc/examples/populate-clouds.py" "$H" team
    export ATMOS_AUTH_REALM=team
    MSAL=$H/.azure/msal_token_cache.json; PROF=$H/.azure/azureProfile.json; DOCK=$H/.docker/config.json
}
cloud() { run_raw --config "$ROOT/etc/examples/clouds.yaml" "$@"; unset ATMOS_AUTH_REALM; }
case_B52() {
    cloud_home; head -c 300 "$MSAL" >"$TMPROOT/trunc"; cp "$TMPROOT/trunc" "$MSAL"
    cloud --provider azure-dc
    check "exit 0" rc_is 0; check "reported" has "$OUT" "msal_token_cache.json does not parse as JSON"
    check "byte-identical" cmp -s "$MSAL" "$TMPROOT/trunc"
    check "the rest done" missing "$H/.azure/atmos/team/azure-dc"
}
case_B53() {
    cloud_home; victim; cp "$MSAL" "$V/msal"; cp "$MSAL" "$V/orig-msal"; ln -sf "$V/msal" "$MSAL"
    cloud --provider azure-dc
    check "refused" has "$OUT" "msal_token_cache.json is a symlink"
    check "target untouched" cmp -s "$V/msal" "$V/orig-msal"
}
case_B54() {
    cloud_home; rm "$DOCK"; mkfifo "$DOCK"
    run_bounded --config "$ROOT/etc/examples/clouds.yaml" az-sub; unset ATMOS_AUTH_REALM
    check "no hang" no_hang; check "refused" has "$OUT" "is a FIFO"
    check "the rest done" hasnt "$("$PY" "$ROOT/tests/e2e/cloud_check.py" profile "$PROF")" "S1 T1"
}
case_B55() {
    cloud_home; cp "$PROF" "$TMPROOT/prof"
    flock "$PROF.lock" sleep 13 & holder=$!; bg_track "$holder"
    check "another process holds the lock" wait_for 10 lock_held "$PROF.lock"
    cloud az-sub; bg_stop "$holder"
    check "timed out" has "$OUT" "timed out after 10.0 s waiting for the lock ~/.azure/azureProfile.json.lock"
    check "intact" cmp -s "$PROF" "$TMPROOT/prof"
    check "other items done" hasnt "$("$PY" "$ROOT/tests/e2e/cloud_check.py" docker "$DOCK")" "myacr"
}
case_B56() {
    cloud_home; { printf '{"auths":{"myacr.azurecr.io":{"auth":"eA=="}},"pad":"'; head -c 67108864 /dev/zero | tr '\0' a; printf '"}'; } >"$DOCK"
    sum=$(sha256sum <"$DOCK")
    cloud az-sub
    check "refused" has "$OUT" "larger than"; check "intact" [ "$sum" = "$(sha256sum <"$DOCK")" ]
}
case_B57() {
    cloud_home; echo "4242 /usr/bin/az" >"$MSAL.lockfile"
    start=$(date +%s%N); cloud --provider azure-dc; ms=$(( ($(date +%s%N) - start) / 1000000 ))
    check "exit 0" rc_is 0; check "waited msal-extensions' 5 s (${ms} ms)" [ "$ms" -ge 5000 ]
    check "entries removed" hasnt "$("$PY" "$ROOT/tests/e2e/cloud_check.py" msal "$MSAL")" "O1.T1"
    check "lock file gone" missing "$MSAL.lockfile"
}
case_B58() {
    cloud_home; G=$H/.config/atmos/team/gcp/gcp-adc/adc
    V=$TMPROOT/victim$RANDOM; mv "$G/gcp-sa" "$V"; ln -s "$V" "$G/gcp-sa"
    cloud gcp-sa
    check "refused" has "$OUT" "is a symlink"; check "target untouched" exists "$V/application_default_credentials.json"
}
case_B59() {
    cloud_home; printf '{"installationId":"x","subscriptions":{"id":"S1"}}' >"$PROF"; cp "$PROF" "$TMPROOT/prof"
    cloud az-sub
    check "exit 0" rc_is 0; check "byte-identical" cmp -s "$PROF" "$TMPROOT/prof"
}

case_B63() { # a tree parser recursing 8 million levels, or json-c's 32-level limit
    cloud_home
    "$PY" - "$MSAL" <<'EOF'
import sys
p = sys.argv[1]
t = open(p).read().rstrip()
open(p, "w").write(t[:-1] + ',"Deep":{"x":' + "[" * (8 << 20) + "]" * (8 << 20) + "}}")
EOF
    cp "$MSAL" "$TMPROOT/deep"
    cloud --provider azure-dc
    check "exit 0" rc_is 0; check "reported" has "$OUT" "msal_token_cache.json does not parse as JSON (line"
    check "says why" has "$OUT" "nested too deep); left as it is"
    check "byte-identical" cmp -s "$MSAL" "$TMPROOT/deep"
    check "the rest done" missing "$H/.azure/atmos/team/azure-dc"
}

# The configuration's sources (lib/config/load.c): the example's atmos.yaml with
# more in front of it, named with --config; its identities are in aws-sso.
src_yaml() { { printf '%b' "$1"; cat "$EXAMPLE"; } >"$H/bad.yaml"; }
via_sso() { printf 'auth:\n  identities:\n    %s: {kind: aws/permission-set, via: {provider: aws-sso}}\n' "$1"; }
add_sections() { local id; for id in "$@"; do printf '[%s]\naws_access_key_id = A\naws_secret_access_key = s\n\n' "$id" >>"$H/$CRED"; done; }
case_B64() {
    fresh_home; src_yaml 'import: [a.yaml]\n'
    { printf 'import: [b.yaml]\n'; via_sso ia; } >"$H/a.yaml"
    { printf 'import: [a.yaml]\n'; via_sso ib; } >"$H/b.yaml"
    add_sections ia ib
    run_bounded --config "$H/bad.yaml" ia
    check "no hang" no_hang; check "ia: exit 0" rc_is 0
    check "warned" has "$ERR" "import cycle: $H/b.yaml imports $H/a.yaml again: not read twice"
    run_bounded --config "$H/bad.yaml" ib
    check "ib: exit 0" rc_is 0
    check "both logged out" bash -c '! grep -qE "^\[(ia|ib)\]$" "$1"' _ "$H/$CRED"
    check "the rest kept" section_in "[dev-admin]" "$H/$CRED"
}
case_B65() {
    fresh_home; src_yaml 'import: [fifo.yaml, pipe]\n'
    mkfifo "$H/fifo.yaml" "$H/pipe.yaml"
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "fifo.yaml refused by name" has "$ERR" "$H/fifo.yaml: not a regular file"
    check "pipe (no extension) refused by name" has "$ERR" "$H/pipe.yaml: not a regular file"
    check "logged out" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B66() {
    fresh_home
    mkdir -p "$H/rootcfg" "$H/real-d"; chmod 755 "$H/rootcfg" "$H/real-d"
    cp "$EXAMPLE" "$H/rootcfg/atmos.yaml"
    via_sso only-d >"$H/real-d/x.yaml"
    ln -s "$H/real-d" "$H/rootcfg/atmos.d"
    add_sections only-d
    if [ "$(id -u)" -ne 0 ]; then
        skip "B66 as root" "not root: the symlinked atmos.d is refused only as root; checked that a user's is followed"
        OUT=$(ATMOS_CLI_CONFIG_PATH=$H/rootcfg "$BIN" only-d 2>&1); RC=$?
        check "as a user the link is followed: exit 0" rc_is 0
        check "as a user: [only-d] gone" no_section_in "[only-d]" "$H/$CRED"
        return
    fi
    OUT=$(ATMOS_CLI_CONFIG_PATH=$H/rootcfg "$BIN" only-d 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
    check "only-d: exit 1" rc_is 1
    check "only-d: not found" has "$ERR" 'identity "only-d" not found'
    check "warned, once" [ "$(grep -cF "$H/rootcfg/atmos.d: not read as root: it is a symbolic link" <<<"$ERR")" -eq 1 ]
    check "[only-d] kept" section_in "[only-d]" "$H/$CRED"
    OUT=$(ATMOS_CLI_CONFIG_PATH=$H/rootcfg "$BIN" dev-admin 2>&1); RC=$?
    check "the main file's identity: exit 0" rc_is 0
    check "the main file's identity logged out" no_section_in "[dev-admin]" "$H/$CRED"
    check "[only-d] still kept" section_in "[only-d]" "$H/$CRED"
}
case_B67() {
    fresh_home; src_yaml 'import: ["many/*.yaml"]\n'
    "$PY" - "$H/many" <<'PY'
import os, sys
os.mkdir(sys.argv[1])
for i in range(10000):
    with open(os.path.join(sys.argv[1], "f%05d.yaml" % i), "w") as f:
        f.write("auth:\n  identities:\n    id%05d: {kind: aws/permission-set, via: {provider: aws-sso}}\n" % i)
PY
    add_sections id09999
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "warned" grep -qE "more than 1000 configuration files: $H/many/f0[0-9]{4}\.yaml and those after it are not read" <<<"$ERR"
    check "the main file's identity logged out" no_section_in "[dev-admin]" "$H/$CRED"
    run_bounded --config "$H/bad.yaml" id09999
    check "a file not read: its identity not found, exit 1" rc_is 1
    check "says so" has "$ERR" 'identity "id09999" not found'
    check "its section kept" section_in "[id09999]" "$H/$CRED"
}
case_B68() {
    fresh_home; snap
    OUT=$(ATMOS_PROFILE=ghost "$BIN" --config "$EXAMPLE" dev-admin 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
    check "exit 1" rc_is 1; check "names it" has "$ERR" 'profile "ghost" not found (looked in '
    check "unchanged" unchanged
}
case_B69() {
    if [ "$(id -u)" -ne 0 ]; then skip "B69" "not root: the device is only a danger when root opens it"; return; fi
    command -v strace >/dev/null || { skip "B69" "strace is not installed: cannot see how the file was opened"; return; }
    fresh_home; local d=$TMPROOT/rootdev$RANDOM; mkdir -m 755 "$d"
    mknod -m 600 "$d/atmos.yaml" c 1 3 2>/dev/null || { skip "B69" "mknod refused here (no CAP_MKNOD)"; return; }
    snap
    OUT=$(timeout "$HANG_S" strace -f -qq -e trace=open,openat -o "$TMPROOT/strace.log" \
        "$BIN" --config "$d/atmos.yaml" dev-admin 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
    check "exit 1" rc_is 1
    check "refused by name" has "$ERR" "$d/atmos.yaml: not a regular file"
    check "opened at all (the trace sees it)" grep -q 'atmos.yaml' "$TMPROOT/strace.log"
    check "only ever opened O_PATH, never for reading" bash -c '! grep "\"atmos.yaml\"" "$1" | grep -v O_PATH' _ "$TMPROOT/strace.log"
    check "unchanged" unchanged
}
case_B95() {
    fresh_home
    "$PY" - "$H" <<'PY'
import sys
h = sys.argv[1]
with open(h + "/big.yaml", "w") as f:
    f.write("auth:\n  identities:\n")
    i = 0
    while f.tell() < 1000000:
        f.write("    big%06d: {kind: aws/permission-set, via: {provider: aws-sso}}\n" % i)
        i += 1
with open(h + "/bad.yaml", "w") as f:
    f.write("import:\n" + "  - big.yaml\n" * 1000)
PY
    cat "$EXAMPLE" >>"$H/bad.yaml"
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "warned, once" [ "$(grep -c "configuration files hold more than 33554432 bytes or 1000000 YAML nodes in all: $H/big.yaml and those after it are not read" <<<"$ERR")" -eq 1 ]
    check "the main file's identity logged out" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B96() {
    if [ "$(id -u)" -ne 0 ]; then skip "B96" "not root: as a user every .git is one's own"; return; fi
    fresh_home
    local t=$TMPROOT/sticky$RANDOM; mkdir -m 1777 "$t"; mkdir -m 755 "$t/proj"
    mkdir "$t/.git"; chown 65534:65534 "$t/.git"              # planted by another user above the CWD
    printf 'import: [extra.yaml]\n' >"$t/proj/atmos.yaml"; cat "$EXAMPLE" >>"$t/proj/atmos.yaml"
    via_sso only-extra >"$t/proj/extra.yaml"
    via_sso planted >"$t/extra.yaml"; chown 65534:65534 "$t/extra.yaml"
    add_sections only-extra planted
    OUT=$(cd "$t/proj" && "$BIN" only-extra 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
    check "exit 0: extra.yaml read beside atmos.yaml, not from the planted git root" rc_is 0
    check "[only-extra] gone" no_section_in "[only-extra]" "$H/$CRED"
    check "no word of the planted file" bash -c '! grep -qF "$1" <<<"$2"' _ "$t/extra.yaml" "$ERR"
    check "[planted] kept" section_in "[planted]" "$H/$CRED"
}
case_B97() {
    fresh_home; mkdir -p "$H/cfgdir/atmos.d"; cp "$EXAMPLE" "$H/cfgdir/atmos.yaml"
    mkfifo "$H/cfgdir/atmos.d/pipe.yaml"; via_sso only-d >"$H/cfgdir/atmos.d/x.yaml"; add_sections only-d
    OUT=$(ATMOS_CLI_CONFIG_PATH=$H/cfgdir timeout "$HANG_S" "$BIN" only-d 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "the FIFO named" has "$ERR" "$H/cfgdir/atmos.d/pipe.yaml: not a regular file: not read"
    check "the rest of atmos.d read: [only-d] gone" no_section_in "[only-d]" "$H/$CRED"
}

# env: !include of a dotenv file (lib/config/load.c read_dotenv): refused by name, the rest loads.
case_B98() {
    fresh_home; src_yaml 'env: !include pipe.env\n'; mkfifo "$H/pipe.env"
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "the FIFO named" has "$ERR" "env: !include not read: $H/pipe.env: not a regular file"
    check "logged out" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B99() {
    fresh_home; src_yaml 'env: !include big.env\n'
    { printf 'ATMOS_AUTH_REALM=elsewhere\n'; head -c 300000 /dev/zero | tr '\0' '#'; printf '\n'; } >"$H/big.env"
    run_bounded --config "$H/bad.yaml" dev-admin
    check "exit 0" rc_is 0
    check "refused by its size" has "$ERR" "env: !include not read: $H/big.env: larger than 262144 bytes"
    check "its realm not taken: logged out where the realm-less layout is" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B100() {
    fresh_home; src_yaml 'env: !include bad.env\n'
    printf 'ATMOS_XDG_CONFIG_HOME=%s/elsewhere\nATMOS_AUTH_REALM="s3cr3t-never-shown\n' "$H" >"$H/bad.env"
    run_bounded --config "$H/bad.yaml" dev-admin
    check "exit 0" rc_is 0
    check "named, with its line" has "$ERR" "env: !include not read: $H/bad.env:2:"
    check "no byte of its values shown" bash -c '! grep -q "s3cr3t\|elsewhere" <<<"$1$2"' _ "$OUT" "$ERR"
    check "none of its variables taken: logged out where the realm-less layout is" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B101() {
    fresh_home
    if [ "$(id -u)" -ne 0 ]; then
        skip "B101 as root" "not root: cannot make a dotenv file of another user's"
        return
    fi
    mkdir -p "$H/rootcfg"; chmod 755 "$H/rootcfg"
    { printf 'env: !include .env\n'; cat "$EXAMPLE"; } >"$H/rootcfg/atmos.yaml"
    printf 'ATMOS_AUTH_REALM=planted\nATMOS_XDG_CONFIG_HOME=%s/planted\n' "$H" >"$H/rootcfg/.env"
    chown 65534:65534 "$H/rootcfg/.env"
    run_bounded --config "$H/rootcfg/atmos.yaml" dev-admin
    check "exit 0" rc_is 0
    check "refused as root, by name" has "$ERR" "env: !include not read: $H/rootcfg/.env: not read as root: owned by uid 65534"
    check "not taken: logged out in the realm-less layout" no_section_in "[dev-admin]" "$H/$CRED"
}
case_B102() {
    fresh_home
    "$PY" - "$H" <<'PY'
import sys
h = sys.argv[1]
with open(h + "/big.env", "w") as f:
    i = 0
    while f.tell() < 250000:
        f.write("V%d=%0200d\n" % (i % 900, i))
        i += 1
with open(h + "/bad.yaml", "w") as f:
    f.write("env:\n  <<: [" + ", ".join(["!include big.env"] * 100000) + "]\n")
PY
    cat "$EXAMPLE" >>"$H/bad.yaml"
    run_bounded --config "$H/bad.yaml" dev-admin
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "warned, once" [ "$(grep -c "env: !include not read: configuration files hold more than 33554432 bytes in all, with the dotenv files they include: $H/big.env and the files after it are not read" <<<"$ERR")" -eq 1 ]
    check "the main file's identity logged out" no_section_in "[dev-admin]" "$H/$CRED"
}

# --all-realms (lib/plan/realms.c): what is not a real directory of the user's is never a realm.
realm_files() { mkdir -p "$1/aws/p"; printf '[x]\naws_access_key_id = A\n' >"$1/aws/p/credentials"; }
case_B90() {
    fresh_home; realm_files "$TMPROOT/b90-target"
    ln -s "$TMPROOT/b90-target" "$H/.config/atmos/linked"
    local t; t=$(snapshot "$TMPROOT/b90-target"); snap
    run --all-realms --dry-run -o json
    check "exit 0" rc_is 0
    check "not a realm" "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); assert "linked" not in r["realms"]' "$OUT"
    check "never named" hasnt "$OUT" "linked"
    run --all-realms
    check "exit 0" rc_is 0
    check "the link stays" [ -L "$H/.config/atmos/linked" ]
    check "its target unchanged" [ "$t" = "$(snapshot "$TMPROOT/b90-target")" ]
}
case_B91() {
    fresh_home; realm_files "$TMPROOT/b91-target"
    mkdir -p "$H/.config/atmos/r91"; ln -s "$TMPROOT/b91-target/aws" "$H/.config/atmos/r91/aws"
    mkdir -p "$H/.config/atmos/r91b/aws"; ln -s "$TMPROOT/b91-target/aws/p" "$H/.config/atmos/r91b/aws/p"
    local t; t=$(snapshot "$TMPROOT/b91-target")
    run --all-realms --dry-run -o json
    check "exit 0" rc_is 0
    check "neither is a realm" "$PY" -c 'import json,sys; r=json.loads(sys.argv[1]); assert not {"r91","r91b"} & set(r["realms"])' "$OUT"
    run --all-realms
    check "exit 0" rc_is 0
    check "the links stay" [ -L "$H/.config/atmos/r91/aws" ] && [ -L "$H/.config/atmos/r91b/aws/p" ]
    check "their target unchanged" [ "$t" = "$(snapshot "$TMPROOT/b91-target")" ]
}
case_B92() {
    fresh_home; mkdir -p "$H/.config/atmos/r92/emulator"
    mkfifo "$H/.config/atmos/r92/emulator/k.kubeconfig"
    echo mine >"$TMPROOT/b92-file"; ln -s "$TMPROOT/b92-file" "$H/.config/atmos/r92/emulator/l.kubeconfig"
    local t; t=$(snapshot "$H/.config/atmos/r92")
    run_bounded --config "$EXAMPLE" --all-realms
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "not a realm: nothing of it named" hasnt "$OUT$ERR" "r92"
    check "the realm-shaped directory unchanged" [ "$t" = "$(snapshot "$H/.config/atmos/r92")" ]
    check "the link's target unchanged" [ "$(cat "$TMPROOT/b92-file")" = mine ]
}
case_B93() {
    # The tag comes from an import (one atmos.yaml saying auth: twice is a file atmos refuses).
    fresh_home; src_yaml 'import: [tags.yaml]\n'
    printf '%b' 'auth:\n  providers:\n    aws-sso:\n      tags: ["\\e]0;pwned\\a\\e[31mred"]\n' >"$H/tags.yaml"
    snap
    OUT=$("$BIN" --config "$H/bad.yaml" --tags nope 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
    check "not found: exit 1" rc_is 1
    check "no escape byte in the error" [ "$(printf '%s' "$ERR" | tr -d -c '\033\007' | wc -c)" -eq 0 ]
    check "the tag shown escaped" has "$ERR" 'red'
    OUT=$("$BIN" --config "$H/bad.yaml" --list-tags 2>&1); RC=$?
    check "--list-tags: no escape byte" [ "$(printf '%s' "$OUT" | tr -d -c '\033\007' | wc -c)" -eq 0 ]
    check "unchanged" unchanged
}

# Browser sessions (test_browser_state.sh has the rest): an aws/user and an aws/saml
# provider in realm r1; B_PROFILE is the aws/user's console profile.
browser_yaml() {
    fresh_home; unset ATMOS_XDG_DATA_HOME XDG_DATA_HOME ATMOS_XDG_CACHE_HOME
    printf 'auth:\n  realm: r1\n  providers:\n    corp: {kind: aws/saml, url: "https://i.example", region: us-east-1}\n  identities:\n    web: {kind: aws/user}\n' >"$H/b.yaml"
    B_WEBFLOW=$H/.cache/atmos/aws-webflow/web-r1
    B_PROFILE=$H/.local/share/atmos/console/sessions/$(printf r1/web | sha256sum | cut -c1-16)
    B_STATE=$H/.aws/saml2aws/storageState.json
    mkdir -p "$B_WEBFLOW" "$(dirname "$B_PROFILE")" "$(dirname "$B_STATE")"
}
case_B85() {
    browser_yaml; mkfifo "$B_WEBFLOW/refresh.json"
    run_bounded --config "$H/b.yaml" web
    check "no hang" no_hang; check "refused by name" has "$OUT" "refresh.json is a FIFO"
    check "the FIFO stays" test -p "$B_WEBFLOW/refresh.json"
}
case_B86() {
    browser_yaml; mkdir -p "$H/mine/Default"; printf 'keep' >"$H/mine/Default/Cookies"
    ln -s "$H/mine" "$B_PROFILE"
    run_bounded --config "$H/b.yaml" web
    check "no hang" no_hang; check "refused" has "$OUT" "is a symlink"
    check "the target untouched" [ "$(cat "$H/mine/Default/Cookies")" = keep ]; check "the link stays" test -L "$B_PROFILE"
}
case_B87() {
    browser_yaml; mkdir -p "$B_PROFILE" "$H/Documents"; printf 'keep' >"$H/Documents/thesis"
    ln -s "$H/Documents" "$B_PROFILE/Default"; ln -s "$H/Documents/thesis" "$B_PROFILE/Local State"
    run_bounded --config "$H/b.yaml" web
    check "exit 0" rc_is 0; check "the profile gone" missing "$B_PROFILE"
    check "the targets untouched" [ "$(cat "$H/Documents/thesis")" = keep ]
}
case_B88() {
    browser_yaml; printf '{"mine": [1, 2]}' >"$B_STATE"; printf 'not json' >"$B_STATE.bak"
    run_bounded --config "$H/b.yaml" --provider corp
    check "exit 0" rc_is 0; check "byte-identical" [ "$(cat "$B_STATE")" = '{"mine": [1, 2]}' ]
    printf 'cookies but not json [' >"$B_STATE"
    run_bounded --config "$H/b.yaml" --provider corp
    check "not JSON: kept too" [ "$(cat "$B_STATE")" = 'cookies but not json [' ]
}
case_B89() {
    browser_yaml; truncate -s 9M "$B_STATE"; sum=$(sha256sum <"$B_STATE")
    run_bounded --config "$H/b.yaml" --provider corp
    check "no hang" no_hang; check "refused" has "$OUT" "storageState.json is larger than 8388608 bytes; not touched"
    check "intact" [ "$(sha256sum <"$B_STATE")" = "$sum" ]
}

# --- github/sts state (B80-B84): an integration ci of identity i, realm corp ---
GHD=.local/share/atmos/auth/github-sts/corp/ci
gh_home() { # a fresh HOME with ci's git.config and the atmos.yaml naming it
    fresh_home
    printf 'auth:\n  realm: corp\n  providers:\n    p: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://p.awsapps.com/start"}\n  identities:\n    i: {kind: aws/permission-set, via: {provider: p}}\n  integrations:\n    ci: {kind: github/sts, via: {identity: i}}\n' >"$H/gh.yaml"
    mkdir -p "$H/$GHD"
    printf '[url "https://x-access-token:ghs_cfg@github.com/o/"]\n\tinsteadOf = https://github.com/o/\n' >"$H/$GHD/git.config"
}
gh_run() { run_bounded --config "$H/gh.yaml" i; }
not_sent() { hasnt "$OUT$ERR" "Couldn't connect"; } # lib.sh's proxy refuses: a request would say so
case_B80() {
    gh_home; mkfifo "$H/$GHD/state.json"
    gh_run
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "refused by name" has "$OUT" "~/$GHD/state.json is a FIFO, not a regular file"
    check "the FIFO left" [ -p "$H/$GHD/state.json" ]
    check "git.config removed" missing "$H/$GHD/git.config"
}
case_B81() {
    gh_home; printf '{"tokens":[{"token":"ghs_elsewhere"}]}' >"$TMPROOT/outside.json"; cp "$TMPROOT/outside.json" "$TMPROOT/outside.orig"
    ln -s "$TMPROOT/outside.json" "$H/$GHD/state.json"
    gh_run
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "not followed" has "$OUT" "~/$GHD/state.json is a symlink"
    check "nothing sent" not_sent
    check "the link left" [ -L "$H/$GHD/state.json" ]
    check "its target intact" cmp -s "$TMPROOT/outside.json" "$TMPROOT/outside.orig"
    check "git.config removed" missing "$H/$GHD/git.config"
}
case_B82() {
    gh_home; "$PY" -c 'import sys; open(sys.argv[1],"w").write("{\"tokens\":[{\"token\":\"ghs_big\",\"pad\":\"" + "x"*(2<<20) + "\"}]}")' "$H/$GHD/state.json"
    gh_run
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "not read" has "$OUT" "~/$GHD/state.json is larger than 1048576 bytes"
    check "nothing sent" not_sent
    check "removed, as atmos's file" missing "$H/$GHD/state.json"
}
case_B83() {
    gh_home; printf '{"tokens": "ghs_notalist"}' >"$H/$GHD/state.json"
    gh_run
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "says why" has "$OUT" "Not revoked: ~/$GHD/state.json is not the JSON atmos writes"
    check "nothing sent" not_sent
    check "removed" missing "$H/$GHD/state.json"
    check "no token in the output" hasnt "$OUT$ERR" ghs_
}
case_B84() {
    gh_home; printf '{"tokens":[{"token":"ghs_x\\r\\nX-Injected: 1"},{"token":"ghs_two words"}]}' >"$H/$GHD/state.json"
    gh_run
    check "no hang" no_hang; check "exit 0" rc_is 0
    check "refused" has "$OUT" "Not revoked: 2 of the tokens in ~/$GHD/state.json are not a token"
    check "nothing sent" not_sent
    check "removed" missing "$H/$GHD/state.json"
    check "no token in the output" hasnt "$OUT$ERR" ghs_
}

# kube_case: an EKS integration of dev-admin's whose kubeconfig (atmos's default) the case makes bad.
kube_case() { # a HOME with nothing else of atmos's: the kubeconfig item is the only removal
    H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1
    KC=$H/.config/atmos/kube/config; mkdir -p "${KC%/*}"
    KCS='~/.config/atmos/kube/config'   # as the report shows it: the home as ~
    cat >"$H/kube.yaml" <<'YAML'
auth:
  providers:
    aws-sso: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://example-org.awsapps.com/start"}
  identities:
    dev-admin: {kind: aws/permission-set, via: {provider: aws-sso}}
  integrations:
    eks: {kind: aws/eks, via: {identity: dev-admin}, spec: {cluster: {name: prod, region: us-east-1}}}
YAML
}
kube_atmos_entries() { # what atmos's writer leaves for that integration, in account $1
    printf 'apiVersion: v1\nclusters:\n- cluster:\n    server: https://%s\n  name: arn:aws:eks:us-east-1:%s:cluster/prod\n' "$1" "$1"
}
case_B70() {
    kube_case; victim
    kube_atmos_entries 111122223333 >"$V/kubeconfig"; cp "$V/kubeconfig" "$V/korig"
    ln -s "$V/kubeconfig" "$KC"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1; check "says: is a symlink" has "$OUT" "$KCS is a symlink"
    check "target untouched" cmp -s "$V/kubeconfig" "$V/korig"; check "unchanged" unchanged
}
case_B71() {
    kube_case; printf 'apiVersion: v1\nclusters: [unclosed\n' >"$KC"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: not YAML, where" has "$OUT" "$KCS is not a kubeconfig atmos can edit exactly (line 3, column 1: not YAML"
    check "unchanged" unchanged
}
case_B72() {
    kube_case; kube_atmos_entries 111122223333 >"$KC"; truncate -s 100M "$KC"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: larger than" has "$OUT" "$KCS is larger than a kubeconfig atmos edits (104857600 bytes, at most 16 MiB); left as it is"
    check "unchanged" unchanged
}
case_B73() {
    kube_case; kube_atmos_entries 111122223333 >"$KC"; : >"$KC.lock"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: another program is writing" has "$OUT" "$KCS.lock exists: another program is writing $KCS; left as it is"
    check "unchanged, the lock too" unchanged
}
case_B74() {
    kube_case; { kube_atmos_entries 111122223333; kube_atmos_entries 444455556666 | sed 1,2d; } >"$KC"; snap
    run_bounded --config "$H/kube.yaml" dev-admin
    check "exit 1" rc_is 1
    check "says: ambiguous" has "$OUT" "2 EKS clusters named prod in us-east-1 (other accounts), none told apart by the context atmos wrote"
    check "unchanged" unchanged
}

case_B132() {
    local v
    fresh_home; snap
    for v in -1 0 +5 5s " 5" 86401 99999999999999999999; do
        run_bounded --user "$(id -un)" --timeout "$v" --all
        check "--timeout '$v': exit 2" rc_is 2
        check "--timeout '$v': says what it takes" has "$ERR" "--timeout takes a whole number of seconds, 1 to 86400"
    done
    check "unchanged" unchanged
}

# The last close's bad inputs (B120-B126), through the real libpam.
source "$(dirname "$0")/bad_input_sessions.sh"
source "$(dirname "$0")/bad_input_editors.sh"

# Every row has a test and every test a row.
rows=$(grep -oE '^\| B[0-9]+ ' "$ROOT/docs/bad-input.md" | tr -d '| ')
funcs=$(declare -F | awk '{print $3}' | grep '^case_B' | sed 's/^case_//')
begin "docs/bad-input.md and its tests match"
check "at least 40 rows ($(wc -w <<<"$rows"))" [ "$(wc -w <<<"$rows")" -ge 40 ]
check "same IDs" [ "$(sort <<<"$rows")" = "$(sort <<<"$funcs")" ]
end
for id in $rows; do
    desc=$(grep -E "^\| $id " "$ROOT/docs/bad-input.md" | cut -d'|' -f3 | sed 's/^ *//;s/ *$//')
    begin "$id: $desc"
    if declare -F "case_$id" >/dev/null; then "case_$id"; else check "has a test" false; fi
    end
done
