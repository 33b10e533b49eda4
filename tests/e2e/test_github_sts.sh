#!/bin/bash
# github/sts: the installation tokens atmos keeps in
# <data>/auth/github-sts/[<realm>/]<integration>/{state.json,git.config},
# revoked as atmos's Cleanup does (DELETE /installation/token at
# api.github.com, the token as Bearer), then both files removed.  Against a
# local stand-in (tests/e2e/sso_server.py) reached as an HTTPS proxy with a
# throwaway CA, as the AWS sign-out is tested (test_revoke.sh).
source "$(dirname "$0")/lib.sh"

tls_pki api.github.com github.example.test portal.sso.us-east-1.amazonaws.com

# The configuration: ci is bound to identity i, team:deploy to provider p (the
# root of i and j), other to identity k of provider q.
DATA=.local/share/atmos/auth/github-sts
config() { # [REALM LINE]
    cat >"$H/atmos.yaml" <<EOF
auth:
${1:-  realm: corp}
  providers:
    p: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://p.awsapps.com/start"}
    q: {kind: aws/iam-identity-center, region: us-east-1, start_url: "https://q.awsapps.com/start"}
  identities:
    i: {kind: aws/permission-set, via: {provider: p}}
    j: {kind: aws/permission-set, via: {provider: p}}
    k: {kind: aws/permission-set, via: {provider: q}}
  integrations:
    ci: {kind: github/sts, via: {identity: i}, spec: {git_config_mode: file}}
    "team:deploy": {kind: github/sts, via: {provider: p}}
    other: {kind: github/sts, via: {identity: k}}
EOF
}
# sts DIR TOKEN...: atmos's state.json (and git.config, the tokens in its URLs) in DIR.
sts() {
    local d=$1 t sep="" i=0; shift
    mkdir -p "$d"; chmod 700 "$d"
    { printf '{"tokens":['
      for t in "$@"; do i=$((i + 1))
          printf '%s{"host":"github.com","owner":"org%d","token":"%s","expiresAt":"2099-01-01T00:00:00Z","permissions":{"contents":"read"}}' "$sep" "$i" "$t"; sep=,
      done
      printf ']}'; } >"$d/state.json"
    i=0; : >"$d/git.config"
    for t in "$@"; do i=$((i + 1))
        printf '[url "https://x-access-token:%s@github.com/org%d/"]\n\tinsteadOf = https://github.com/org%d/\n\tinsteadOf = git@github.com:org%d/\n' "$t" "$i" "$i" "$i" >>"$d/git.config"
    done
    chmod 600 "$d/state.json" "$d/git.config"
}
# home: a fresh HOME with all three integrations' files in realm corp; ci and
# team:deploy share one token (ghs_shared), sent once.
home() {
    fresh_home; config "$@"
    sts "$H/$DATA/corp/ci" ghs_ci1 ghs_shared
    sts "$H/$DATA/corp/team_deploy" ghs_shared ghs_team
    rm "$H/$DATA/corp/team_deploy/git.config"   # git_config_mode env: no git.config
    sts "$H/$DATA/corp/other" ghs_other
}
gone() { local d; for d in "$@"; do missing "$H/$DATA/$d/state.json" && missing "$H/$DATA/$d/git.config" || return 1; done; }
kept() { local d; for d in "$@"; do exists "$H/$DATA/$d/state.json" || return 1; done; }
with_proxy() { HTTPS_PROXY=$PROXY SSL_CERT_FILE=$PKI/trusted.pem "$@"; }
logout() { OUT=$(with_proxy "$BIN" --config "$H/atmos.yaml" "$@" 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr"); }
no_token_in() { ! grep -q ghs_ <<<"$1"; }

if needs_tls "identity logout: each distinct token revoked once, exactly as atmos asks, then both files removed"; then
begin "identity logout: each distinct token revoked once, exactly as atmos asks, then both files removed"
home; serve 204
logout i
check "exit 0" rc_is 0
check "three distinct tokens, three requests (ghs_shared is in two files)" [ "$(requests)" = 3 ]
check "DELETE" [ "$(field method | sort -u)" = DELETE ]
check "/installation/token" [ "$(field path | sort -u)" = /installation/token ]
check "at api.github.com" [ "$(field host | sort -u)" = api.github.com ]
check "each token as Bearer" [ "$(field authorization | tr '\n' ' ')" = "Bearer ghs_ci1 Bearer ghs_shared Bearer ghs_team " ]
check "the Accept header" [ "$(field accept | sort -u)" = "application/vnd.github+json" ]
check "no body, no Content-Length" [ "$(field body | sort -u)$(field content_length | sort -u)" = 0None ]
check "reported" has "$OUT" "Signed out of the GitHub App installation tokens (integration ci, 2 tokens)"
check "the provider's integration too" has "$OUT" "Signed out of the GitHub App installation tokens (integration team:deploy, 2 tokens)"
check "ci and team:deploy gone" gone corp/ci corp/team_deploy
check "the directories stay, as atmos leaves them" [ -d "$H/$DATA/corp/ci" ]
check "another identity's integration kept" kept corp/other
check "no token in any output" no_token_in "$OUT$ERR"
end
fi

if needs_tls "JSON: a github_sts_signout item per integration, the revoked count, no token"; then
begin "JSON: a github_sts_signout item per integration, the revoked count, no token"
home; serve 204
logout --output json i
check "exit 0" rc_is 0
check "signed_out, revoked 2, the files removed" "$PY" -c '
import json,sys; r=json.loads(sys.argv[1])
s=[i for i in r["items"] if i["kind"]=="github_sts_signout"]
assert [i["signout"] for i in s]==["signed_out"]*2, s
assert sorted(i["what"] for i in s)==["integration ci, 2 tokens","integration team:deploy, 2 tokens"], s
assert all(i["cloud"]=="github" for i in s), s
f=[i for i in r["items"] if i["cloud"]=="github" and i["kind"]=="cache_file"]
assert sorted((i["path"].split("/")[-2], i["path"].split("/")[-1], i["status"]) for i in f)==[
    ("ci","git.config","removed"),("ci","state.json","removed"),
    ("team_deploy","git.config","absent"),("team_deploy","state.json","removed")], f
assert r["revoked"]==2, r["revoked"]
assert "ghs_" not in json.dumps(r), "a token in the report"' "$OUT"
end
fi

for st in 401 404; do
if needs_tls "$st: the token was already invalid (as atmos counts it), not a warning"; then
begin "$st: the token was already invalid (as atmos counts it), not a warning"
home; serve $st
logout i
check "exit 0" rc_is 0
check "requests made" [ "$(requests)" = 3 ]
check "reported" has "$OUT" "Already signed out of the GitHub App installation tokens (integration ci, 2 tokens)"
check "no warning" hasnt "$OUT$ERR" "Not revoked"
check "files gone" gone corp/ci corp/team_deploy
end
fi
done

if needs_tls "500: a warning; the files are removed all the same, the exit status unchanged"; then
begin "500: a warning; the files are removed all the same, the exit status unchanged"
home; serve 500
logout i
check "exit 0" rc_is 0
check "warned" has "$OUT" "Not revoked: 2 of 2 GitHub installation tokens of integration ci (the server answered HTTP 500)"
check "still a successful logout" has "$OUT" "Successfully logged out"
check "files gone" gone corp/ci corp/team_deploy
check "no token in any output" no_token_in "$OUT$ERR"
end
fi

for m in hang silent; do
begin "a server that $([ $m = hang ] && echo "reads the request and" || echo "accepts the connection and") never answers: bounded, the files removed"
home; serve $m
start=$(date +%s%N); logout i; ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "#   $m: the whole logout took $ms ms"
# The server would answer after 60 s (never, for silent): ending well before
# is the bound at work; the figure above is for the reader.
check "did not wait for the server" [ "$ms" -lt 30000 ]
check "the server was reached" [ "$(connects)" -ge 1 ]
check "ended by the bound" grep -qE "Timeout was reached|no answer within 5 s|Connection timed out" <<<"$OUT"
check "exit 0" rc_is 0
check "files gone" gone corp/ci corp/team_deploy
end
done

if needs_tls "an untrusted certificate: no token is sent"; then
begin "an untrusted certificate: no token is sent"
home; serve 204 evil
logout i
check "TLS refused" grep -q tls_failed "$LOG"
check "no request reached the server" [ "$(requests)" = 0 ]
check "exit 0" rc_is 0
check "reported" has "$OUT" "Not revoked: 2 of 2 GitHub installation tokens of integration ci"
check "files gone" gone corp/ci corp/team_deploy
end
fi

begin "--no-revoke: nothing sent, libcurl never loaded, the files removed"
home; serve 204
with_proxy env LD_DEBUG=files LD_DEBUG_OUTPUT="$TMPROOT/ldn" "$BIN" --config "$H/atmos.yaml" --no-revoke i >/dev/null 2>&1; RC=$?
check "exit 0" rc_is 0
check "nothing sent" [ "$(connects)" = 0 ]
check "files gone" gone corp/ci corp/team_deploy
check "libcurl not mapped" bash -c "! cat '$TMPROOT'/ldn.* | grep -q -e libcurl -e libssl -e libgnutls"
check "the LD_DEBUG probe works (libyaml seen)" bash -c "cat '$TMPROOT'/ldn.* | grep -q libyaml"
end

begin "dry run: the sign-out and both files listed, nothing sent, nothing changed"
home; serve 204
before=$(snapshot "$H")
logout --dry-run i
check "exit 0" rc_is 0
check "the sign-out listed" has "$OUT" "Would sign out of the GitHub App installation tokens (integration ci, 2 tokens)"
check "state.json listed" has "$OUT" "github/sts tokens ~/$DATA/corp/ci/state.json"
check "git.config listed" has "$OUT" "github/sts git config (tokens in its URLs) ~/$DATA/corp/ci/git.config"
check "nothing sent" [ "$(connects)" = 0 ]
check "nothing changed" [ "$before" = "$(snapshot "$H")" ]
end

begin "a state.json that is a FIFO: refused at once, nothing blocks, git.config still removed"
home; serve 204
rm "$H/$DATA/corp/ci/state.json"; mkfifo "$H/$DATA/corp/ci/state.json"
OUT=$(with_proxy timeout 60 "$BIN" --config "$H/atmos.yaml" i 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "no hang" [ "$RC" != 124 ]
check "exit 0 (the rest removed)" rc_is 0
check "refused by name" has "$OUT" "~/$DATA/corp/ci/state.json is a FIFO, not a regular file"
check "the FIFO left as it is" [ -p "$H/$DATA/corp/ci/state.json" ]
check "git.config removed" missing "$H/$DATA/corp/ci/git.config"
end

# --- which logouts include an integration (docker's rule), --no-revoke for speed ---
begin "scopes: identity (via.identity, or via.provider its root), provider, --all"
home
logout --no-revoke j
check "j: its root provider's integration gone" gone corp/team_deploy
check "j: ci (via identity i) and other kept" kept corp/ci corp/other
home
logout --no-revoke --provider p
check "--provider p: ci (i is p's) and team:deploy gone" gone corp/ci corp/team_deploy
check "--provider p: other kept" kept corp/other
home
logout --no-revoke --provider q
check "--provider q: other gone" gone corp/other
check "--provider q: the rest kept" kept corp/ci corp/team_deploy
home
logout --no-revoke --all
check "--all: every integration's files gone" gone corp/ci corp/team_deploy corp/other
check "exit 0" rc_is 0
end

begin "realms: a derived realm and the realm-less layout both go; another realm, and no realm under a pinned one, stay"
home " "   # no realm configured: atmos derives one from the config's directory
R=$(derived_realm "$H")
sts "$H/$DATA/$R/ci" ghs_r1; sts "$H/$DATA/ci" ghs_r2; sts "$H/$DATA/team-b/ci" ghs_r3
logout --no-revoke i
check "the derived realm's gone" gone "$R/ci"
check "the realm-less layout's gone" gone ci
check "another realm's kept" kept team-b/ci
check "realm corp (not this config's realm) kept" kept corp/ci
home
sts "$H/$DATA/ci" ghs_r2
logout --no-revoke i
check "pinned realm corp: its files gone" gone corp/ci
check "pinned realm corp: the realm-less layout kept" kept ci
end

begin "ATMOS_XDG_DATA_HOME, then XDG_DATA_HOME, is atmos's data directory"
home
sts "$H/x1/atmos/auth/github-sts/corp/ci" ghs_x1; sts "$H/x2/atmos/auth/github-sts/corp/ci" ghs_x2
OUT=$(ATMOS_XDG_DATA_HOME=$H/x1 XDG_DATA_HOME=$H/x2 "$BIN" --config "$H/atmos.yaml" --no-revoke i 2>&1)
check "ATMOS_XDG_DATA_HOME's gone" missing "$H/x1/atmos/auth/github-sts/corp/ci/state.json"
check "XDG_DATA_HOME's kept" exists "$H/x2/atmos/auth/github-sts/corp/ci/state.json"
check "~/.local/share's kept" kept corp/ci
OUT=$(XDG_DATA_HOME=$H/x2 "$BIN" --config "$H/atmos.yaml" --no-revoke i 2>&1)
check "XDG_DATA_HOME's gone" missing "$H/x2/atmos/auth/github-sts/corp/ci/state.json"
end

begin "no configuration (discovered): every integration directory atmos made, with and without a realm"
fresh_home   # no atmos.yaml anywhere on the search path
sts "$H/$DATA/corp/ci" ghs_d1; sts "$H/$DATA/team_deploy" ghs_d2
mkdir -p "$H/$DATA/notes"; echo mine >"$H/$DATA/notes/todo.txt"   # neither: left alone
mkdir -p "$H/empty"
OUT=$(cd "$H/empty" && "$BIN" --all --no-revoke 2>&1); RC=$?
check "exit 0" rc_is 0
check "a realm's integration gone" gone corp/ci
check "a realm-less integration gone" gone team_deploy
check "anything else kept" exists "$H/$DATA/notes/todo.txt"
if needs_tls "discovered: revoked too"; then
    fresh_home; sts "$H/$DATA/corp/ci" ghs_d1; mkdir -p "$H/empty"; serve 204
    OUT=$(cd "$H/empty" && with_proxy "$BIN" --all 2>&1); RC=$?
    check "discovered: revoked (integration named by its directory)" has "$OUT" "Signed out of the GitHub App installation tokens (integration ci, 1 token)"
    check "discovered: the request" [ "$(field authorization)" = "Bearer ghs_d1" ]
fi
end

# --- the endpoint and what is sent ---------------------------------------------
if needs_tls "ATMOS_LOGOUT_GITHUB_API_URL replaces the API's base URL"; then
begin "ATMOS_LOGOUT_GITHUB_API_URL replaces the API's base URL"
home; serve 204
OUT=$(ATMOS_LOGOUT_GITHUB_API_URL=https://github.example.test/api/v3/ with_proxy "$BIN" --config "$H/atmos.yaml" i 2>&1); RC=$?
check "exit 0" rc_is 0
check "to that host" [ "$(field host | sort -u)" = github.example.test ]
check "below its path, the trailing / trimmed" [ "$(field path | sort -u)" = /api/v3/installation/token ]
check "revoked" has "$OUT" "Signed out of the GitHub App installation tokens (integration ci, 2 tokens)"
end
fi

begin "an endpoint that is not https://: no token sent, the files removed"
home; serve 204
OUT=$(ATMOS_LOGOUT_GITHUB_API_URL=http://github.example.test with_proxy "$BIN" --config "$H/atmos.yaml" i 2>&1); RC=$?
check "exit 0" rc_is 0
check "nothing sent" [ "$(connects)" = 0 ]
check "said why" has "$OUT" "the endpoint is not an https:// URL; not sent"
check "files gone" gone corp/ci corp/team_deploy
end

if needs_tls "a token that would end its header (CR LF) is never sent; the file's other token is"; then
begin "a token that would end its header (CR LF) is never sent; the file's other token is"
home; serve 204
printf '{"tokens":[{"token":"ghs_ok"},{"token":"ghs_x\\r\\nX-Injected: 1"}]}' >"$H/$DATA/corp/ci/state.json"
logout i
check "exit 0" rc_is 0
check "refused" has "$OUT" "Not revoked: 1 of the tokens in ~/$DATA/corp/ci/state.json is not a token"
check "the good token sent" grep -q '"Bearer ghs_ok"' "$LOG"
check "no injected header, no request with it" bash -c '! grep -q -e Injected -e ghs_x "$1"' _ "$LOG"
check "files gone" gone corp/ci
end
fi

begin "a state.json listing more than 100 tokens (atmos mints one per owner): none sent, bounded"
home; serve 204
sts "$H/$DATA/corp/ci" $(seq -f 'ghs_many%g' 150)
rm "$H/$DATA/corp/team_deploy/state.json"
logout i
check "exit 0" rc_is 0
check "said why" has "$OUT" "Not revoked: ~/$DATA/corp/ci/state.json lists more than 100 tokens; none sent"
check "nothing sent" [ "$(connects)" = 0 ]
check "files gone" gone corp/ci
end

if needs_tls "more than 100 distinct tokens in one logout: the first 100 sent, the rest reported"; then
begin "more than 100 distinct tokens in one logout: the first 100 sent, the rest reported"
home; serve 204
sts "$H/$DATA/corp/ci" $(seq -f 'ghs_a%g' 60); sts "$H/$DATA/corp/team_deploy" $(seq -f 'ghs_b%g' 60)
logout i
check "exit 0" rc_is 0
# A hundred handshakes at once: on a loaded machine some may miss the 2 s
# connect bound, so the counts are bounds; what is checked exactly is the cap.
check "at most 100 requests, most of them made ($(requests))" [ "$(requests)" -le 100 -a "$(requests)" -ge 50 ]
check "none of the tokens past the 100th" bash -c '! grep -qE "ghs_b(4[1-9]|5[0-9]|60)\"" "$1"' _ "$LOG"
check "the rest said, with the reason that is ours" grep -qE "Not revoked: (2[0-9]|[3-5][0-9]|60) of 60 GitHub installation tokens of integration team:deploy \(more than 100 tokens in one logout; not sent\)" <<<"$OUT"
check "files gone" gone corp/ci corp/team_deploy
end
fi

# IAM Identity Center's Logout and GitHub's revocations share one 5 s bound:
# in turn, a server that never answers would hold the logout 10 s.
if needs_tls "both sign-out kinds go out together: one bound for the phase"; then
begin "both sign-out kinds go out together: one bound for the phase"
home; serve hang
mkdir -p "$H/.aws/sso/cache"
printf '{"accessToken":"tok-P","startUrl":"https://p.awsapps.com/start","region":"us-east-1","expiresAt":"2099-01-01T00:00:00Z"}\n' \
    >"$H/.aws/sso/cache/$(sha1 https://p.awsapps.com/start).json"
start=$(date +%s%N); AWS_CA_BUNDLE=$PKI/trusted.pem logout --provider p; ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "#   an SSO Logout and three GitHub revocations to a hung server: $ms ms"
check "both kinds reached the server" bash -c 'grep -q "\"connect\": \"api.github.com\"" "$1" && grep -q "\"connect\": \"portal.sso.us-east-1.amazonaws.com\"" "$1"' _ "$LOG"
check "neither signed out" [ "$(grep -c 'Not revoked\|Not signed out' <<<"$OUT")" = 3 ]
check "one bound, not one per kind (under 9 s)" [ "$ms" -lt 9000 ]
check "the SSO token gone" missing "$H/.aws/sso/cache/$(sha1 https://p.awsapps.com/start).json"
check "the SSO request was read too (hung after it, not refused)" grep -q '"x-amz-sso_bearer_token"\|"token": "tok-P"' "$LOG"
check "files gone" gone corp/ci corp/team_deploy
end
fi

# --- the PAM module: revoke enables it, with the administrator's proxy and CA only ---
if [ "$(id -u)" -ne 0 ]; then
    skip "pam_atmos revoke of GitHub tokens" "needs root to create a test user with a throwaway home"
    exit 0
fi
U=atmos-pam-g$$; HU=$TMPROOT/home-g
add_test_user "$U" "$HU" || { echo "not ok - useradd failed"; exit 1; }
user_home() {
    rm -rf "$HU"; mkdir -p "$HU/.atmos"; H=$HU; config
    mv "$H/atmos.yaml" "$HU/.atmos/atmos.yaml"
    sts "$H/$DATA/corp/ci" ghs_ci1 ghs_shared
    chown -R "$U:" "$HU"; chmod 700 "$HU"
}
pam_tls

if needs_tls "pam_atmos revoke: the helper revokes the user's GitHub tokens through the administrator's proxy and CA"; then
begin "pam_atmos revoke: the helper revokes the user's GitHub tokens through the administrator's proxy and CA"
user_home; serve 204
pam_service rev revoke "revoke_proxy=$PROXY" "revoke_ca_bundle=$PKI/trusted.pem"
OUT=$("$PAMTEST" "$TMPROOT/pam.d" rev "$U" oc 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "both tokens revoked" [ "$(field authorization | tr '\n' ' ')" = "Bearer ghs_ci1 Bearer ghs_shared " ]
check "at api.github.com" [ "$(field host | sort -u)" = api.github.com ]
check "files gone" gone corp/ci
end
fi

begin "pam_atmos without revoke: nothing sent, the files removed"
user_home; serve 204
pam_service norev "revoke_proxy=$PROXY" "revoke_ca_bundle=$PKI/trusted.pem"
OUT=$("$PAMTEST" "$TMPROOT/pam.d" norev "$U" oc 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "nothing sent" [ "$(connects)" = 0 ]
check "files gone" gone corp/ci
end

begin "pam_atmos revoke: the user's PAM environment cannot redirect the revocation"
user_home; serve 204 evil
pam_service userenv revoke revoke_proxy=http://127.0.0.1:9
OUT=$("$PAMTEST" "$TMPROOT/pam.d" userenv "$U" oc "HTTPS_PROXY=$PROXY" "SSL_CERT_FILE=$PKI/rogue.pem" \
      "ATMOS_LOGOUT_GITHUB_API_URL=https://github.example.test" 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "no token reached the user's server" [ "$(connects)" = 0 ]
check "files gone all the same" gone corp/ci
end
