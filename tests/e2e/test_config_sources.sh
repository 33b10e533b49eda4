#!/bin/bash
# Where atmos reads its configuration from, and so which names atmos-logout
# must know (docs/atmos-facts.md §1, lib/config/load.c): atmos.d/ and
# .atmos.d/ beside an atmos.yaml, local imports (files, globs, directories,
# names without an extension, nested, cyclic; remote ones never fetched),
# profiles, provisioned identities, entries atmos would refuse only when used,
# names as atmos lowercases them, and the XDG data directory.
# Every fixture is written here; each case checks the bytes left on disk
# (botocore judges the AWS INI files where it is installed, sha256 snapshots
# the decoys: the AWS CLI's ~/.aws/sso/cache, another realm's and another
# provider's files).
source "$(dirname "$0")/lib.sh"

CFG=.config/atmos

# home: an empty HOME with the AWS CLI's own cache in it, the CWD $H/work
# (no atmos.yaml there unless a case writes one).
home() {
    H=$(mktemp -d "$TMPROOT/home.XXXXXX")
    export HOME=$H
    mkdir -p "$H/work" "$H/.aws/sso/cache"
    printf '{"accessToken":"other","startUrl":"https://other.awsapps.com/start","region":"us-east-1","expiresAt":"2030-01-01T00:00:00Z"}\n' \
        >"$H/.aws/sso/cache/$(sha1 https://other.awsapps.com/start).json"
    printf '{"clientId":"x","clientSecret":"y","expiresAt":"2030-01-01T00:00:00Z"}\n' \
        >"$H/.aws/sso/cache/botocore-client-id-us-east-1.json"
    cd "$H/work" || exit 1
}
# kept DIR ID...: botocore still reads [ID] and [keep] there; gone DIR: only [keep].
kept() { local d=$1; shift; local l; l=$(printf '%s,' "$@" keep); boto "$d" "${l%,}" "${l%,}"; }
gone() { boto "$1" keep keep; }
# The decoys every case keeps: the AWS CLI's cache, and what the case adds.
DECOYS=()
decoys() { local d; for d in "$H/.aws/sso/cache" "${DECOYS[@]}"; do snapshot "$d"; done; }
same_decoys() { [ "$BEFORE" = "$(decoys)" ]; }
# lo ARGS...: atmos-logout from the CWD, no --config: $OUT $ERR $RC.
lo() { run_raw "$@"; }
SAML='{kind: aws/saml, url: "https://idp.example.com/saml", region: us-east-1}'

# --- 1 -----------------------------------------------------------------------
begin ".atmos.d/ beside ~/.atmos/atmos.yaml defines the provider and identity; run from a directory with no atmos.yaml"
home
mkdir -p "$H/.atmos/.atmos.d"
printf 'settings: {list_merge_strategy: replace}\n' >"$H/.atmos/atmos.yaml"
printf 'auth:\n  providers:\n    p: %s\n  identities:\n    i: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" \
    >"$H/.atmos/.atmos.d/auth.yaml"
R=$(derived_realm "$H/.atmos")
aws_files "$H/$CFG/$R/aws/p" i
aws_files "$H/$CFG/aws/p" i          # the realm-less layout: cleaned too
aws_files "$H/$CFG/team-b/aws/p" i   # another realm
aws_files "$H/$CFG/$R/aws/q" i       # another provider
DECOYS=("$H/$CFG/team-b" "$H/$CFG/$R/aws/q"); BEFORE=$(decoys)
lo i
check "exit 0" rc_is 0
check "[i] gone from <cfg>/<realm of ~/.atmos>/aws/p (botocore)" gone "$H/$CFG/$R/aws/p"
check "[i] gone from the realm-less layout (botocore)" gone "$H/$CFG/aws/p"
check "decoys byte for byte" same_decoys
check "[i] kept in the other realm (botocore)" kept "$H/$CFG/team-b/aws/p" i
end

# --- 2 -----------------------------------------------------------------------
begin "atmos.d/: nested files read, foo.yaml beats foo.yml, .atmos.d beats atmos.d, the file beats both (providers key by key)"
home
mkdir -p atmos.d/sub/deep .atmos.d
R=$(derived_realm "$H/work")
cat >atmos.yaml <<'YAML'
auth:
  providers:
    q: {spec: {files: {base_path: ~/q-main}}}
YAML
cat >atmos.d/a.yaml <<YAML
auth:
  providers:
    p: {kind: aws/saml, url: "https://idp.example.com/saml", region: us-east-1, spec: {files: {base_path: ~/p-atmos-d}}}
    q: {kind: aws/saml, url: "https://idp.example.com/saml", region: us-east-1, spec: {files: {base_path: ~/q-atmos-d}}}
    o: $SAML
YAML
printf 'auth:\n  providers:\n    p: {spec: {files: {base_path: ~/p-dot}}}\n    q: {spec: {files: {base_path: ~/q-dot}}}\n' >.atmos.d/b.yaml
printf 'auth:\n  identities:\n    n: {kind: aws/assume-role, via: {provider: p}}\n' >atmos.d/sub/deep/n.yaml
# The twins: foo.yml would put t under o (read after foo.yaml, it would replace it).
printf 'auth:\n  identities:\n    t: {kind: aws/assume-role, via: {provider: p}}\n' >atmos.d/foo.yaml
printf 'auth:\n  identities:\n    t: {kind: aws/assume-role, via: {provider: o}}\n' >atmos.d/foo.yml
aws_files "$H/$CFG/$R/aws/p" n t
aws_files "$H/$CFG/$R/aws/o" t
aws_files "$H/p-dot/$R/aws/p" n
aws_files "$H/p-atmos-d/$R/aws/p" n
aws_files "$H/q-main/$R/aws/q" n
aws_files "$H/q-dot/$R/aws/q" n
aws_files "$H/q-atmos-d/$R/aws/q" n
DECOYS=("$H/$CFG/$R/aws/o" "$H/p-atmos-d" "$H/q-dot" "$H/q-atmos-d"); BEFORE=$(decoys)
lo n
check "nested atmos.d/sub/deep/n.yaml read: exit 0" rc_is 0
check "nested: [n] gone from <cfg>/<realm>/aws/p (botocore)" boto "$H/$CFG/$R/aws/p" keep,t keep,t
check "nested: and from .atmos.d's base_path (botocore)" gone "$H/p-dot/$R/aws/p"
lo t
check "twin: exit 0" rc_is 0
check "twin: foo.yaml's t (via p) logged out (botocore)" gone "$H/$CFG/$R/aws/p"
check "twin: foo.yml's (via o) never read: o's files byte for byte" same_decoys
lo --provider p
check "provider p: exit 0" rc_is 0
check "provider p: .atmos.d's base_path cleaned" missing "$H/p-dot/$R/aws/p"
check "provider p: atmos.d's base_path (overridden) byte for byte" same_decoys
lo --provider q
check "provider q: exit 0" rc_is 0
check "provider q: the main file's base_path cleaned" missing "$H/q-main/$R/aws/q"
check "provider q: kind from atmos.d, base_path from the file: the others byte for byte" same_decoys
end

# --- 3 -----------------------------------------------------------------------
begin "local imports (file, glob, directory, no extension, nested, a cycle) read; remote ones warned and never fetched"
home
mkdir -p rel nested imports dir/sub cyc
R=$(derived_realm "$H/work")
cat >atmos.yaml <<YAML
import:
  - rel/one.yaml
  - imports/*.yaml
  - dir
  - noext
  - cyc/a.yaml
  - https://example.com/x.yaml
  - github.com/o/r//x.yaml
auth:
  providers:
    p: $SAML
YAML
ident() { printf 'auth:\n  identities:\n    %s: {kind: aws/assume-role, via: {provider: p}}\n' "$1"; }
{ printf 'import: [nested/two.yaml]\n'; ident i-rel; } >rel/one.yaml
ident i-nested >nested/two.yaml
ident i-g1 >imports/g1.yaml
ident i-g2 >imports/g2.yaml
ident i-notglob >imports/other.yml      # imports/*.yaml does not match it
ident i-dir1 >dir/x.yaml
ident i-dir2 >dir/sub/y.yml
ident i-noext >noext.yaml
{ printf 'import: [cyc/b.yaml]\n'; ident i-a; } >cyc/a.yaml
{ printf 'import: [cyc/a.yaml]\n'; ident i-b; } >cyc/b.yaml
ALL="i-rel i-nested i-g1 i-g2 i-dir1 i-dir2 i-noext i-a i-b"
# shellcheck disable=SC2086
aws_files "$H/$CFG/$R/aws/p" $ALL i-notglob
aws_files "$H/$CFG/team-b/aws/p" i-rel
DECOYS=("$H/$CFG/team-b"); BEFORE=$(decoys)
# Each identity alone: the imports made it known.
# shellcheck disable=SC2086
for id in $ALL; do
    lo "$id"
    check "$id: exit 0" rc_is 0
done
check "every imported identity gone, [i-notglob] kept (botocore)" kept "$H/$CFG/$R/aws/p" i-notglob
check "i-notglob not an identity: exit 1" bash -c '"$1" i-notglob >/dev/null 2>&1; [ $? -eq 1 ]' _ "$BIN"
check "warned: import cycle" has "$ERR" "import cycle: $H/work/cyc/b.yaml imports $H/work/cyc/a.yaml again"
check "warned: https remote not read" has "$ERR" 'import "https://example.com/x.yaml" is remote and atmos has no copy of it: not read'
check "warned: github.com remote not read" has "$ERR" 'import "github.com/o/r//x.yaml" is remote and atmos has no copy of it by that name: not read'
check "decoys byte for byte" same_decoys
# No network: not one connect(2) to an internet address while the whole plan runs.
if command -v strace >/dev/null && strace -f -qq -e trace=none true 2>/dev/null; then
    aws_files "$H/$CFG/$R/aws/p" i-g1
    # LeakSanitizer cannot run under ptrace: leaks are checked by the runs above.
    ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
        strace -f -qq -e trace=connect -o "$TMPROOT/connects" "$BIN" i-g1 >/dev/null 2>&1; RC=$?
    check "strace wrote its trace" [ -e "$TMPROOT/connects" ]
    check "under strace: exit 0" rc_is 0
    check "under strace: [i-g1] gone (botocore)" gone "$H/$CFG/$R/aws/p"
    check "no connect(2) to AF_INET/AF_INET6 (strace)" bash -c '! grep -E "AF_INET6?" "$1"' _ "$TMPROOT/connects"
else
    skip "remote imports never fetched (strace)" "strace is not installed or cannot trace here"
fi
end

# --- 4 -----------------------------------------------------------------------
profiles_home() {
    home
    R=$(derived_realm "$H/work")
    mkdir -p .atmos/profiles/a profiles/a profiles/b
    printf 'auth:\n  providers:\n    p: {kind: aws/saml, url: "https://x", region: us-east-1, spec: {files: {base_path: ~/pb-main}}}\n    q: %s\n  identities:\n    m: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >atmos.yaml
    # a: in <configdir>/.atmos/profiles (found first); b: in <configdir>/profiles.
    printf 'auth:\n  providers:\n    p: {spec: {files: {base_path: ~/pb-a}}}\n  identities:\n    ida: {kind: aws/assume-role, via: {provider: p}}\n' >.atmos/profiles/a/auth.yaml
    printf 'auth:\n  providers:\n    p: {spec: {files: {base_path: ~/pb-b}}}\n  identities:\n    idb: {kind: aws/assume-role, via: {provider: p}}\n' >profiles/b/auth.yaml
    # A later location's a/ is never read (the first location holding a/ wins): it would put ida under q.
    printf 'auth:\n  identities:\n    ida: {kind: aws/assume-role, via: {provider: q}}\n' >profiles/a/auth.yaml
    aws_files "$H/$CFG/$R/aws/p" ida idb m
    aws_files "$H/$CFG/$R/aws/q" ida
    aws_files "$H/pb-b/$R/aws/p" ida
    aws_files "$H/pb-a/$R/aws/p" ida
    aws_files "$H/pb-main/$R/aws/p" ida
}
begin "ATMOS_PROFILE=a,b: identities of both; b overrides a for a provider's field; a later location's a/ unread"
profiles_home
DECOYS=("$H/$CFG/$R/aws/q" "$H/pb-a" "$H/pb-main"); BEFORE=$(decoys)
OUT=$(ATMOS_PROFILE=a,b "$BIN" ida 2>&1); RC=$?
check "ida (profile a): exit 0" rc_is 0
OUT=$(ATMOS_PROFILE=a,b "$BIN" idb 2>&1); RC=$?
check "idb (profile b): exit 0" rc_is 0
check "[ida] [idb] gone, [m] kept (botocore)" kept "$H/$CFG/$R/aws/p" m
check "ida is a's (via p), b's base_path wins: q's files, a's and the file's base_path byte for byte" same_decoys
OUT=$(ATMOS_PROFILE=a,b "$BIN" --provider p 2>&1); RC=$?
check "provider: exit 0" rc_is 0
check "provider: b's base_path cleaned" missing "$H/pb-b/$R/aws/p"
check "provider: a's and the file's base_path byte for byte" same_decoys
OUT=$("$BIN" idb 2>&1); RC=$?
check "without ATMOS_PROFILE, idb is unknown: exit 1" rc_is 1
end

begin "ATMOS_PROFILE naming a missing profile: exit 1, the profile named, nothing changed"
profiles_home
BEFORE=$(snapshot "$H")
OUT=$(ATMOS_PROFILE=a,ghost "$BIN" m 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "exit 1" rc_is 1
check "names the profile" has "$ERR" 'profile "ghost" not found'
check "HOME byte for byte" [ "$BEFORE" = "$(snapshot "$H")" ]
printf 'profiles: {default: nowhere}\n' >>atmos.yaml
BEFORE=$(snapshot "$H")
lo m
check "profiles.default naming a missing one: exit 1" rc_is 1
check "profiles.default: names it" has "$ERR" 'profile "nowhere" not found'
check "profiles.default: HOME byte for byte" [ "$BEFORE" = "$(snapshot "$H")" ]
end

# --- 5 -----------------------------------------------------------------------
PROV='auth:
  identities:
    "acct/role": {kind: aws/permission-set, provider: sso, via: {provider: sso}, principal: {name: role, account: {name: acct, id: "111111111111"}}}
  _metadata: {provisioned_at: "2030-01-01T00:00:00Z", source: aws-sso, provider: sso}'
provisioned_home() { # $1: atmos's <cache>, else ~/.cache/atmos of the new HOME
    home
    set -- "${1:-$H/.cache/atmos}"
    R=$(derived_realm "$H/work")
    printf 'auth:\n  providers:\n    sso: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://mine.awsapps.com/start"}\n' >atmos.yaml
    mkdir -p "$1/auth/sso" "$1/auth/other"
    printf '%s\n' "$PROV" >"$1/auth/sso/provisioned-identities.yaml"
    # Another provider's provisioned identities: no provider "other" is configured.
    printf '%s\n' "$PROV" | sed 's/acct\/role/acct\/x/; s/sso/other/g' >"$1/auth/other/provisioned-identities.yaml"
    aws_files "$H/$CFG/$R/aws/sso" acct/role acct/x
    aws_files "$H/$CFG/$R/aws/other" acct/x
}
begin "provisioned identities: <cache>/auth/<provider>/provisioned-identities.yaml names acct/role"
provisioned_home
DECOYS=("$H/$CFG/$R/aws/other" "$H/.cache/atmos/auth/other"); BEFORE=$(decoys)
lo acct/role
check "exit 0" rc_is 0
check "[acct/role] gone, [acct/x] kept (botocore)" kept "$H/$CFG/$R/aws/sso" acct/x
check "the provisioned file stays at an identity logout" exists "$H/.cache/atmos/auth/sso/provisioned-identities.yaml"
check "decoys byte for byte" same_decoys
lo acct/x
check "an unconfigured provider's provisioned identity is unknown: exit 1" rc_is 1
check "says so" has "$ERR" 'identity "acct/x" not found'
end

begin "provisioned identities with --all: the identity's keyring entry goes with the provider's files"
provisioned_home
KR=$H/.local/share/atmos/keyring
mkdir -p "$KR"
printf '  keyring: {type: file}\n' >>atmos.yaml
for k in "atmos_${R}_acct%2Frole" "atmos_${R}_sso" "atmos_${R}_acct%2Fx"; do echo enc >"$KR/$k"; done
DECOYS=("$H/$CFG/$R/aws/other" "$H/.cache/atmos/auth/other"); BEFORE=$(decoys)
lo --all --keychain --force
check "exit 0" rc_is 0
check "the provisioned identity's keyring entry gone" missing "$KR/atmos_${R}_acct%2Frole"
check "the provider's keyring entry gone" missing "$KR/atmos_${R}_sso"
check "an unprovisioned name's entry kept" exists "$KR/atmos_${R}_acct%2Fx"
check "the provider's directory gone" missing "$H/$CFG/$R/aws/sso"
check "its provisioned file gone" missing "$H/.cache/atmos/auth/sso/provisioned-identities.yaml"
check "decoys byte for byte" same_decoys
end

begin "provisioned identities under ATMOS_XDG_CACHE_HOME; the copy in ~/.cache is not read"
XC=$TMPROOT/xc$RANDOM
provisioned_home "$XC/atmos"
mkdir -p "$H/.cache/atmos/auth/sso"
printf '%s\n' "$PROV" | sed 's/acct\/role/acct\/x/' >"$H/.cache/atmos/auth/sso/provisioned-identities.yaml"
DECOYS=("$H/$CFG/$R/aws/other" "$H/.cache"); BEFORE=$(decoys)
OUT=$(ATMOS_XDG_CACHE_HOME=$XC "$BIN" acct/role 2>&1); RC=$?
check "exit 0" rc_is 0
check "[acct/role] gone (botocore)" kept "$H/$CFG/$R/aws/sso" acct/x
OUT=$(ATMOS_XDG_CACHE_HOME=$XC "$BIN" acct/x 2>&1); RC=$?
check "~/.cache's provisioned identity unknown: exit 1" rc_is 1
check "[acct/x] kept (botocore)" kept "$H/$CFG/$R/aws/sso" acct/x
check "decoys byte for byte" same_decoys
end

# --- 6 -----------------------------------------------------------------------
BAD='    unknown: {kind: someday/new-kind, via: {provider: p}}
    novia: {kind: aws/assume-role, provider: p}
    dangling: {kind: aws/assume-role, via: {identity: ghost}}
    nokind: {via: {provider: p}}'
begin "best effort: --all cleans the good identities and names each bad one (exit 0, with warnings)"
home
R=$(derived_realm "$H/work")
printf 'auth:\n  providers:\n    p: %s\n  identities:\n    good: {kind: aws/assume-role, via: {provider: p}}\n%s\n' "$SAML" "$BAD" >atmos.yaml
aws_files "$H/$CFG/$R/aws/p" good unknown novia dangling nokind
aws_files "$H/$CFG/team-b/aws/p" good
DECOYS=("$H/$CFG/team-b"); BEFORE=$(decoys)
lo --all
check "exit 0" rc_is 0
check "Logged out with warnings" has "$OUT" "Logged out with warnings"
check "the good identity's provider directory gone" missing "$H/$CFG/$R/aws/p"
check "report: unknown kind named" has "$OUT" "identity of an unknown kind unknown (kind someday/new-kind)"
# The three atmos cannot log in with (no chain, no kind) only warn: not failures of the logout.
check "report: those left nothing, not listed as failures" bash -c '! grep -qE "Could not .*(novia|dangling|nokind)" <<<"$1"' _ "$OUT"
OUT=$("$BIN" --all --dry-run --output json 2>/dev/null)
check "JSON: each skipped with its reason and where" "$PY" -c '
import json,sys; d=json.loads(sys.argv[1]); h=sys.argv[2]
s={i.get("identity"):i for i in d["items"] if i["status"]=="skipped"}
assert set(s)=={"novia","dangling","nokind"}, s
assert (h+"/work/atmos.yaml:7:5: identity \"novia\": has provider: but no via.provider") in s["novia"]["error"]
assert "via.identity \"ghost\" is not a configured identity" in s["dangling"]["error"]
assert (h+"/work/atmos.yaml:9:5: identity \"nokind\": kind is required") in s["nokind"]["error"]' "$OUT" "$H"
for l in 7:5:novia 8:[0-9]+:dangling 9:5:nokind; do
    check "stderr names ${l##*:}, where" grep -qE "WARN identity skipped: $H/work/atmos.yaml:${l%:*}: identity \"${l##*:}\"" <<<"$ERR"
done
check "decoys byte for byte" same_decoys
end

begin "best effort: nothing else to remove: exit 1; each bad identity alone: exit 1 with its reason, unchanged"
home
printf 'auth:\n  providers:\n    p: %s\n  identities:\n%s\n' "$SAML" "$BAD" >atmos.yaml
R=$(derived_realm "$H/work")
aws_files "$H/$CFG/$R/aws/q" novia   # another provider's: no directory of p exists
BEFORE=$(snapshot "$H")
lo --all
check "--all: exit 1" rc_is 1
check "--all: Logout failed" has "$OUT" "Logout failed"
check "--all: unchanged" [ "$BEFORE" = "$(snapshot "$H")" ]
while read -r id why; do
    lo "$id"
    check "$id: exit 1" rc_is 1
    check "$id: $why" has "$OUT" "$why"
done <<'EOF'
unknown unknown kind unknown (kind someday/new-kind)
novia has provider: but no via.provider
dangling via.identity "ghost" is not a configured identity
nokind kind is required
EOF
check "unchanged" [ "$BEFORE" = "$(snapshot "$H")" ]
end

# --- 7 -----------------------------------------------------------------------
begin "mixed case: Dev-Admin of provider Corp in atmos.yaml; atmos wrote [dev-admin] in aws/corp"
home
R=$(derived_realm "$H/work")
printf 'auth:\n  providers:\n    Corp: %s\n  identities:\n    Dev-Admin: {kind: aws/assume-role, via: {provider: Corp}}\n' "$SAML" >atmos.yaml
aws_files "$H/$CFG/$R/aws/corp" dev-admin
aws_files "$H/$CFG/$R/aws/Corp" dev-admin   # not atmos's: it lowercases
DECOYS=("$H/$CFG/$R/aws/Corp"); BEFORE=$(decoys)
lo Dev-Admin
check "exit 0" rc_is 0
check "[dev-admin] gone from aws/corp (botocore)" gone "$H/$CFG/$R/aws/corp"
check "aws/Corp byte for byte" same_decoys
end

# --- 8 -----------------------------------------------------------------------
# The data directory holds only the file keyring (lib/plan/keyring.c file_keyring_dir).
begin "ATMOS_XDG_DATA_HOME: the file keyring (set in .atmos.d/) is found there; XDG_DATA_HOME's and ~/.local/share's kept"
home
R=$(derived_realm "$H/work")
mkdir -p .atmos.d
printf 'auth:\n  providers:\n    p: %s\n  identities:\n    i: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >atmos.yaml
printf 'auth:\n  keyring: {type: file}\n' >.atmos.d/keyring.yaml
XD=$TMPROOT/xd$RANDOM
for d in "$XD/atmos/keyring" "$H/xdg-data/atmos/keyring" "$H/.local/share/atmos/keyring"; do
    mkdir -p "$d"; echo enc >"$d/atmos_${R}_i"; echo enc >"$d/atmos_i"; echo enc >"$d/atmos_${R}_j"
done
DECOYS=("$H/xdg-data" "$H/.local/share"); BEFORE=$(decoys)
OUT=$(ATMOS_XDG_DATA_HOME=$XD XDG_DATA_HOME=$H/xdg-data "$BIN" --keychain --force i 2>&1); RC=$?
check "exit 0" rc_is 0
check "atmos_<realm>_i gone" missing "$XD/atmos/keyring/atmos_${R}_i"
check "the realm-less atmos_i gone" missing "$XD/atmos/keyring/atmos_i"
check "another identity's entry kept" exists "$XD/atmos/keyring/atmos_${R}_j"
check "XDG_DATA_HOME's and ~/.local/share's byte for byte" same_decoys
end

# --- 9 -----------------------------------------------------------------------
# Providers merge key by key (atmos's viper): a later file's kind replaces an earlier unusable one,
# and with it that file's problem.
begin "merging: a later file mends a provider's kind; a bad import said once; problems named where; lists skip bad entries"
home
R=$(derived_realm "$H/work")
mkdir -p atmos.d
printf 'auth:\n  providers:\n    p: {kind: [not, a, scalar]}\n    q: {kind: [still, bad]}\n' >atmos.d/early.yaml
printf 'auth: [not, a, mapping]\n' >bad-import.yaml
cat >atmos.yaml <<YAML
import: [bad-import.yaml]
auth:
  providers:
    p: $SAML
  identities:
    i: {kind: aws/assume-role, via: {provider: p}}
    broken: {kind: aws/assume-role}
    leans: {kind: aws/assume-role, via: {identity: broken}}
    onq: {kind: aws/assume-role, via: {provider: q}}
YAML
aws_files "$H/$CFG/$R/aws/p" i
lo --provider p
check "provider p: exit 0 (its kind from atmos.yaml replaced atmos.d's)" rc_is 0
check "p's files gone" missing "$H/$CFG/$R/aws/p/credentials"
check "no word of p's earlier kind" bash -c '! grep -q "atmos.d/early.yaml:2:" <<<"$1"' _ "$ERR"
check "the bad import said once" [ "$(grep -c "bad-import.yaml:1:7: auth must be a mapping" <<<"$ERR")" -eq 1 ]
lo --provider q
check "provider q, kind never mended: exit 1" rc_is 1
check "q's problem where it is" has "$ERR" "atmos.d/early.yaml:4:15: kind must be a scalar"
lo onq
check "an identity via the skipped provider: exit 1" rc_is 1
check "says so, where" grep -qE "atmos.yaml:[0-9]+:[0-9]+: identity \"onq\": via.provider \"q\" is skipped" <<<"$ERR"
lo leans
check "an identity via a skipped one: exit 1" rc_is 1
check "named with file:line:col" grep -qE "$H/work/atmos.yaml:[0-9]+:[0-9]+: .*broken" <<<"$ERR"
lo --list-providers
check "--list-providers: p, not q" [ "$OUT" = "p" ]
lo --list-identities
check "--list-identities: i alone (broken, leans and onq are skipped)" [ "$OUT" = "i" ]
end

# --- 10 ----------------------------------------------------------------------
# load.go steps 4 and 5: from a directory without configuration, the nearest parent's atmos.yaml,
# then the git root's; the realm is the last one's directory.
begin "from a subdirectory: the nearest parent's atmos.yaml, then the git root's; ATMOS_GIT_ROOT_BASEPATH=false; local config stops both"
home
mkdir -p repo/.git repo/sub/deeper/leaf
printf 'auth:\n  providers:\n    p: %s\n  identities:\n    i-root: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >repo/atmos.yaml
printf 'auth:\n  providers:\n    p: %s\n  identities:\n    i-parent: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >repo/sub/atmos.yaml
R=$(derived_realm "$H/work/repo")
aws_files "$H/$CFG/$R/aws/p" i-root i-parent
cd repo/sub/deeper || exit 1
lo --list-identities
check "both files read" [ "$OUT" = "$(printf 'i-parent\ni-root')" ]
lo i-parent
check "i-parent: exit 0" rc_is 0
check "[i-parent] gone from the git root's realm (botocore)" kept "$H/$CFG/$R/aws/p" i-root
OUT=$(ATMOS_GIT_ROOT_BASEPATH=false "$BIN" --list-identities 2>&1); RC=$?
check "ATMOS_GIT_ROOT_BASEPATH=false: the git root's file not read" [ "$OUT" = "i-parent" ]
mkdir leaf/atmos.d; cd leaf || exit 1
lo --list-identities
check "a local atmos.d/ stops both searches: nothing configured" [ -z "$OUT" ]
cd "$H/work" || exit 1
if [ "$(id -u)" -eq 0 ]; then
    mkdir -p other/below; chmod 755 other other/below
    printf 'auth:\n  providers:\n    p: %s\n  identities:\n    planted: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >other/atmos.yaml
    chown 65534:65534 other/atmos.yaml
    OUT=$(cd other/below && "$BIN" --list-identities 2>&1); RC=$?
    check "a parent's file of another user's: not read" bash -c '! grep -qx planted <<<"$1"' _ "$OUT"
    check "said so" has "$OUT" "other/atmos.yaml: not read: owned by uid 65534, not by you or root"
else
    skip "a parent's file of another user's" "not root: cannot make a file of another user's"
fi
end

# --- 11 ----------------------------------------------------------------------
begin "--config replaces the search path (atmos mergeConfigFromCLIArgs): --all of that file leaves ~/.atmos's identities alone"
home
mkdir -p "$H/.atmos"
printf 'auth:\n  providers:\n    p: %s\n  identities:\n    home-only: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >"$H/.atmos/atmos.yaml"
printf 'auth:\n  providers:\n    q: %s\n  identities:\n    team: {kind: aws/assume-role, via: {provider: q}}\n' "$SAML" >"$H/team.yaml"
RH=$(derived_realm "$H/.atmos"); RT=$(derived_realm "$H")
aws_files "$H/$CFG/$RH/aws/p" home-only
aws_files "$H/$CFG/$RT/aws/q" team
DECOYS=("$H/$CFG/$RH"); BEFORE=$(decoys)
lo --config "$H/team.yaml" --all
check "exit 0" rc_is 0
check "the file's provider q logged out" missing "$H/$CFG/$RT/aws/q/credentials"
check "~/.atmos's provider p byte for byte" same_decoys
lo --config "$H/team.yaml" home-only
check "an identity of ~/.atmos only: not found with --config" rc_is 1
check "says so" has "$ERR" 'identity "home-only" not found'
end

# --- 12 ----------------------------------------------------------------------
# atmos sets the ATMOS_* variables of the base configuration's env: section that
# the environment does not set, before it picks the profiles (load.go
# promoteAtmosEnvFromConfig): a mapping, a dotenv file through !include, or both
# through the merge key, the mapping's own keys winning.
begin "env: sets ATMOS_PROFILE, ATMOS_AUTH_REALM and ATMOS_XDG_CONFIG_HOME as atmos promotes them; the environment wins"
profiles_home
printf 'env:\n  ATMOS_PROFILE: a\n' >>atmos.yaml
DECOYS=("$H/$CFG/$R/aws/q" "$H/pb-main" "$H/pb-b"); BEFORE=$(decoys)
lo ida
check "profile a from env: ida logged out: exit 0" rc_is 0
check "[ida] gone, [idb] [m] kept (botocore)" kept "$H/$CFG/$R/aws/p" idb m
check "decoys byte for byte" same_decoys
OUT=$(ATMOS_PROFILE= "$BIN" m --dry-run 2>&1); RC=$?
check "ATMOS_PROFILE set (empty) in the environment wins: profile a unread" has "$OUT" "[m] from"
OUT=$(ATMOS_PROFILE= "$BIN" ida 2>&1); RC=$?
check "... and ida unknown: exit 1" rc_is 1
end

begin "env: !include .env (a dotenv file beside atmos.yaml) moves the realm and the config root; <<: merges it under the mapping's own keys"
home
printf 'env: !include .env\nauth:\n  providers:\n    p: %s\n  identities:\n    i: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >atmos.yaml
printf '# atmos pins these\nexport ATMOS_AUTH_REALM=team-x\nATMOS_XDG_CONFIG_HOME=%s/alt\nOTHER=1\n' "$H" >.env
R=$(derived_realm "$H/work")
aws_files "$H/alt/atmos/team-x/aws/p" i
aws_files "$H/$CFG/$R/aws/p" i         # the derived realm, the default root: not where atmos looks
aws_files "$H/$CFG/team-x/aws/p" i     # the realm under the default root
aws_files "$H/alt/atmos/team-y/aws/p" i
DECOYS=("$H/$CFG" "$H/alt/atmos/team-y"); BEFORE=$(decoys)
lo i
check "exit 0" rc_is 0
check "[i] gone from <ATMOS_XDG_CONFIG_HOME>/atmos/<ATMOS_AUTH_REALM>/aws/p (botocore)" gone "$H/alt/atmos/team-x/aws/p"
check "the default root and the other realm byte for byte" same_decoys
OUT=$(ATMOS_AUTH_REALM=team-y "$BIN" i 2>&1); RC=$?
check "ATMOS_AUTH_REALM in the environment wins: team-y's [i] gone" gone "$H/alt/atmos/team-y/aws/p"
aws_files "$H/alt/atmos/team-x/aws/p" i
aws_files "$H/alt/atmos/team-z/aws/p" i
printf 'env:\n  <<: !include .env\n  ATMOS_AUTH_REALM: team-z\nauth:\n  providers:\n    p: %s\n  identities:\n    i: {kind: aws/assume-role, via: {provider: p}}\n' "$SAML" >atmos.yaml
DECOYS=("$H/$CFG" "$H/alt/atmos/team-x"); BEFORE=$(decoys)
lo i
check "<<: !include under the mapping: exit 0" rc_is 0
check "the mapping's ATMOS_AUTH_REALM wins over the file's, its ATMOS_XDG_CONFIG_HOME applies (botocore)" gone "$H/alt/atmos/team-z/aws/p"
check "team-x and the default root byte for byte" same_decoys
end

begin "env: of a profile is not promoted (atmos promotes before it reads the profiles); an !include it cannot read is named, the rest loads"
profiles_home
printf 'env:\n  ATMOS_AUTH_REALM: from-profile\n' >>.atmos/profiles/a/auth.yaml
printf 'env: !include vars.json\n' >>atmos.yaml
aws_files "$H/$CFG/from-profile/aws/p" ida
DECOYS=("$H/$CFG/from-profile" "$H/$CFG/$R/aws/q" "$H/pb-main" "$H/pb-b"); BEFORE=$(decoys)
OUT=$(ATMOS_PROFILE=a "$BIN" ida 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "exit 0" rc_is 0
check "[ida] gone from the derived realm (botocore)" kept "$H/$CFG/$R/aws/p" idb m
check "the profile's realm never used: byte for byte" same_decoys
check "the include that is not a dotenv file named" has "$ERR" "atmos.yaml:7:6: env: !include of a file that is not a dotenv file is not read"
printf 'env: !include missing.env\n' >atmos.yaml.new && grep -v '^env:' atmos.yaml >>atmos.yaml.new && mv atmos.yaml.new atmos.yaml
lo m
check "a missing dotenv file: exit 0 (m logged out)" rc_is 0
check "named" has "$ERR" "env: !include not read: $H/work/missing.env: no such file"
printf 'env:\n  ATMOS_AUTH_REALM: !exec "touch %s/ran; echo planted"\n' "$H" >atmos.yaml.new && grep -v '^env:' atmos.yaml >>atmos.yaml.new && mv atmos.yaml.new atmos.yaml
aws_files "$H/$CFG/$R/aws/p" m
lo m
check "!exec in env: m logged out in the derived realm (botocore)" gone "$H/$CFG/$R/aws/p"
check "never run" missing "$H/ran"
check "named" has "$ERR" "atmos.yaml:2:21: env: ATMOS_AUTH_REALM is a YAML function atmos-logout does not evaluate: left out"
end

[ "$HAVE_BOTO" = 1 ] || skip "botocore as the judge" "python3-botocore is not installed (make deps installs it)"
