#!/bin/bash
# Signing out of IAM Identity Center before the token files go: against a
# local stand-in for the SSO portal (tests/e2e/sso_server.py) reached as an
# HTTPS proxy with a throwaway CA, next to the real `aws sso logout`.
source "$(dirname "$0")/lib.sh"

tls_pki portal.sso.us-east-1.amazonaws.com portal.sso.cn-north-1.amazonaws.com.cn sso.example.test

# tokens: the AWS CLI's token (legacy name) and a sso-session token of the same
# value, both with a region; atmos's own session holds another token ("tok").
tokens() {
    printf '{"accessToken":"tok-A","startUrl":"%s","region":"%s","expiresAt":"2099-01-01T00:00:00Z"}\n' "$URL" "${1:-us-east-1}" \
        >"$H/.aws/sso/cache/$(sha1 "$URL").json"
    printf '{"accessToken":"tok-A","startUrl":"%s","region":"%s"}\n' "$URL" "${1:-us-east-1}" >"$H/.aws/sso/cache/named-session.json"
}
with_proxy() { HTTPS_PROXY=$PROXY AWS_CA_BUNDLE=$PKI/trusted.pem "$@"; }
logout() { OUT=$(with_proxy "$BIN" --config "$EXAMPLE" "$@" 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr"); }
local_gone() { missing "$H/$SSO" && missing "$H/.aws/sso/cache/named-session.json" && missing "$H/.aws/sso/cache/$(sha1 "$URL").json"; }

if needs_tls "--provider signs each distinct token out once, then removes the files"; then
begin "--provider signs each distinct token out once, then removes the files"
fresh_home; tokens; serve ok
logout --provider aws-sso
check "exit 0" rc_is 0
check "two distinct tokens, two requests (tok-A is in two files)" [ "$(requests)" = 2 ]
check "POST /logout" [ "$(field method | sort -u)$(field path | sort -u)" = "POST/logout" ]
check "to the portal of the token's region" [ "$(field host | sort -u)" = "portal.sso.us-east-1.amazonaws.com" ]
check "the token header" [ "$(field token | tr '\n' ' ')" = "tok tok-A " ]
check "no body" [ "$(field body | sort -u)" = 0 ]
check "reported" has "$OUT" "Signed out of the IAM Identity Center session (us-east-1)"
check "local cleanup complete" local_gone
check "no token in any output" bash -c '! grep -q -e tok-A -e "\"tok\"" <<<"$1"' _ "$OUT$ERR"
end
fi

if needs_tls "JSON: an item per sign-out and the revoked count"; then
begin "JSON: an item per sign-out and the revoked count"
fresh_home; tokens; serve ok
logout --output json --provider aws-sso
check "revoked 2, signed_out items" "$PY" -c '
import json,sys; r=json.loads(sys.argv[1])
s=[i["signout"] for i in r["items"] if i["kind"]=="sso_signout"]
assert r["revoked"]==2 and s.count("signed_out")==2, (r["revoked"], s)
assert "tok" not in json.dumps(r).replace("token", ""), "a token in the report"' "$OUT"
end
fi

if needs_tls "401: already signed out, not a failure"; then
begin "401: already signed out, not a failure"
fresh_home; tokens; serve 401
logout --provider aws-sso
check "exit 0" rc_is 0
check "reported" has "$OUT" "Already signed out of the IAM Identity Center session (us-east-1)"
check "no warnings" has "$OUT" "Successfully logged out"
check "local cleanup complete" local_gone
end
fi

begin "unreachable: the local cleanup is complete and the exit status unchanged"
fresh_home; tokens
OUT=$(HTTPS_PROXY=http://127.0.0.1:1 "$BIN" --config "$EXAMPLE" --provider aws-sso 2>&1); RC=$?
check "exit 0" rc_is 0
check "reported" has "$OUT" "Not signed out of the IAM Identity Center session (us-east-1)"
check "still a successful logout" has "$OUT" "Successfully logged out"
check "local cleanup complete" local_gone
end

begin "a server that never answers: bounded at 5 s, the local cleanup complete"
fresh_home; tokens; serve hang
start=$(date +%s%N); logout --provider aws-sso; ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "#   a hung endpoint: the whole logout took $ms ms"
# The server would answer after 60 s: ending well before that, by curl's
# per-request timeout or the 5 s bound over all requests (whichever fires
# first), is the bound at work.  A ceiling near 5 s would fail on a slow
# machine (6.3-6.7 s under valgrind); the figure above is for the reader.
check "did not wait for the server" [ "$ms" -lt 30000 ]
check "ended by the timeout" grep -qE "Timeout was reached|no answer within 5 s" <<<"$OUT"
check "exit 0" rc_is 0
check "reported" has "$OUT" "Not signed out"
check "local cleanup complete" local_gone
end

if needs_tls "an untrusted certificate: no token is sent"; then
begin "an untrusted certificate: no token is sent"
fresh_home; tokens; serve ok evil
logout --provider aws-sso
check "TLS refused" grep -q tls_failed "$LOG"
check "no request reached the server" [ "$(requests)" = 0 ]
check "exit 0" rc_is 0
check "reported" has "$OUT" "Not signed out"
check "local cleanup complete" local_gone
end
fi

begin "a token file that cannot be read: its reason printed whole, not cut after one letter"
fresh_home; tokens; serve ok
T=$H/.aws/sso/cache/$(sha1 "$URL").json
mv "$T" "$TMPROOT/real-token.json" && ln -s "$TMPROOT/real-token.json" "$T"
logout --provider aws-sso
check "exit 0" rc_is 0
TS="~${T#"$H"}"   # as the report shows a path under the home
check "the reason as it is" has "$OUT" "$TS"
check "reported as a sentence" has "$OUT" "Not signed out of the IAM Identity Center session: $TS is a symlink"
check "no first letter dropped (\"N${T#?}\")" bash -c '! grep -qF -- "N${1#?}" <<<"$2"' _ "$T" "$OUT"
check "no mangled line" hasnt "$OUT" "    N${T#/}"
check "the link itself left alone" [ -L "$T" ]
end

begin "--no-revoke and identity logout: nothing sent, libcurl and TLS never loaded"
fresh_home; tokens; serve ok
with_proxy env LD_DEBUG=files LD_DEBUG_OUTPUT="$TMPROOT/ldr" "$BIN" --config "$EXAMPLE" --no-revoke --provider aws-sso >/dev/null 2>&1; RC=$?
check "no-revoke: exit 0" rc_is 0
check "no-revoke: local cleanup complete" local_gone
fresh_home; tokens
with_proxy env LD_DEBUG=files LD_DEBUG_OUTPUT="$TMPROOT/ldi" "$BIN" --config "$EXAMPLE" dev-admin >/dev/null 2>&1
check "nothing sent" [ "$(grep -c connect "$LOG")" = 0 ]
check "libcurl not mapped" bash -c "! cat '$TMPROOT'/ldr.* '$TMPROOT'/ldi.* | grep -q -e libcurl -e libssl -e libgnutls"
check "the LD_DEBUG probe works (libyaml seen)" bash -c "cat '$TMPROOT'/ldi.* | grep -q libyaml"
with_proxy env LD_DEBUG=files LD_DEBUG_OUTPUT="$TMPROOT/ldp" "$BIN" --config "$EXAMPLE" --provider aws-sso >/dev/null 2>&1
check "a provider logout does load it" bash -c "cat '$TMPROOT'/ldp.* | grep -q libcurl"
end

begin "dry run: listed, nothing sent"
fresh_home; tokens; serve ok
logout --dry-run --provider aws-sso
check "listed" has "$OUT" "Would sign out of the IAM Identity Center session (us-east-1)"
check "nothing sent" [ "$(grep -c connect "$LOG")" = 0 ]
check "files kept" exists "$H/.aws/sso/cache/named-session.json"
end

if needs_tls "AWS_ENDPOINT_URL_SSO replaces the endpoint; China regions use amazonaws.com.cn"; then
begin "AWS_ENDPOINT_URL_SSO replaces the endpoint; China regions use amazonaws.com.cn"
fresh_home; tokens; serve ok
OUT=$(AWS_ENDPOINT_URL_SSO=https://sso.example.test with_proxy "$BIN" --config "$EXAMPLE" --provider aws-sso 2>&1)
check "endpoint override" [ "$(field host | sort -u)" = "sso.example.test" ]
fresh_home; tokens cn-north-1; rm "$H"/.cache/atmos/aws-sso/sessions/*; serve ok
logout --provider aws-sso
check "cn partition" [ "$(field host | sort -u)" = "portal.sso.cn-north-1.amazonaws.com.cn" ]
end
fi

if [ -n "${VALGRIND:-}" ]; then
    needs_tls "the request matches the real AWS CLI's aws sso logout"
elif [ -x /usr/bin/aws ] && /usr/bin/aws --version 2>&1 | grep -q '^aws-cli/2'; then
    begin "the request matches the real AWS CLI's aws sso logout"
    fresh_home; rm -rf "$H/.aws/sso/cache"/* "$H/.cache/atmos/aws-sso"; tokens; rm "$H/.aws/sso/cache/named-session.json"
    cp "$H/.aws/sso/cache/$(sha1 "$URL").json" "$TMPROOT/token.json"
    serve ok
    aws_out=$(HOME=$H AWS_CONFIG_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true with_proxy /usr/bin/aws sso logout 2>&1); aws_rc=$?
    theirs=$("$PY" -c 'import json,sys; print([{k: json.loads(l)[k] for k in ("method","path","host","token")} for l in open(sys.argv[1]) if "method" in l])' "$LOG")
    check "aws sso logout ran (rc $aws_rc: $aws_out)" [ "$aws_rc" = 0 ]
    cp "$TMPROOT/token.json" "$H/.aws/sso/cache/$(sha1 "$URL").json"
    serve ok
    logout --provider aws-sso
    ours=$("$PY" -c 'import json,sys; print([{k: json.loads(l)[k] for k in ("method","path","host","token")} for l in open(sys.argv[1]) if "method" in l])' "$LOG")
    echo "#   aws sso logout sent: $theirs"
    check "same method, host, path and token header ($ours)" [ -n "$ours" -a "$theirs" = "$ours" ]
    end
else
    skip "the request matches the real AWS CLI's aws sso logout" "Debian's awscli (v2) is not installed (make deps installs it)"
fi

if [ "$(id -u)" -ne 0 ]; then
    skip "pam_atmos revoke" "needs root to create a test user with a throwaway home"
    exit 0
fi
# The PAM cases' user, home and services.
U=atmos-pam-r$$; HU=$TMPROOT/home-r
add_test_user "$U" "$HU" || { echo "not ok - useradd failed"; exit 1; }
user_home() {
    rm -rf "$HU"; mkdir -p "$HU"; bash "$ROOT/etc/examples/populate.sh" "$HU"; H=$HU; tokens
    mkdir -p "$HU/.atmos"; cp "$EXAMPLE" "$HU/.atmos/atmos.yaml"; chown -R "$U:" "$HU"; chmod 700 "$HU"
}
pam_tls
# No proxy of the administrator's would mean a real connection: a refused local port stands in.
pam_service userenv revoke revoke_proxy=http://127.0.0.1:9

if needs_tls "pam_atmos revoke: signed out by the helper, as the user, through the administrator's proxy and CA"; then
begin "pam_atmos revoke: signed out by the helper, as the user, through the administrator's proxy and CA"
user_home; serve ok
pam_service rev revoke "revoke_proxy=$PROXY" "revoke_ca_bundle=$PKI/trusted.pem"
OUT=$("$PAMTEST" "$TMPROOT/pam.d" rev "$U" oc 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "both tokens signed out" [ "$(requests)" = 2 ]
check "local cleanup complete" local_gone
end
fi

begin "pam_atmos revoke: the user's PAM environment cannot redirect the sign-out"
# What ~/.pam_environment (pam_env user_readenv=1) would put there: the user's own proxy and CA.
user_home; serve ok evil
OUT=$("$PAMTEST" "$TMPROOT/pam.d" userenv "$U" oc "HTTPS_PROXY=$PROXY" "AWS_CA_BUNDLE=$PKI/rogue.pem" \
      "AWS_ENDPOINT_URL_SSO=https://sso.example.test" 2>&1); RC=$?
check "close" has "$OUT" "close=PAM_SUCCESS"
check "no token reached the user's server" [ "$(requests)" = 0 ]
check "local cleanup complete all the same" local_gone
end

begin "pam_atmos revoke offline: each failed sign-out logged once, and counted by the audit (signout_failed=)"
# The administrator's proxy is a closed local port: no sign-out can happen.  The
# files still go, so nothing failed (failed=0), but the audit says how many
# sessions stay valid at the provider.
start_syslog_sink
if [ -z "$SINK_PID" ]; then
    skip "$CURRENT" "this machine has its own /dev/log outside a mount namespace; the test reads syslog only through its own sink"
else
    user_home
    pam_service offline revoke debug revoke_proxy=http://127.0.0.1:9
    : >"$SYSLOG"
    OUT=$("$PAMTEST" "$TMPROOT/pam.d" offline "$U" oc TTY=pts/3 2>&1); RC=$?
    check "syslog reached the sink" syslog_sync
    check "close" has "$OUT" "close=PAM_SUCCESS"
    check "local cleanup complete all the same" local_gone
    check "no message to the user: nothing local was left" hasnt "$OUT" "msg:"
    ev=$(grep -E "pam_atmos\\([^)]*\\): event=[a-z._]+ user=$U " "$SYSLOG")
    echo "#   audit: ${ev#*: }"
    check "one audit event" [ "$(grep -c . <<<"$ev")" -eq 1 ]
    check "it counts the two failed sign-outs apart from failed=" \
        grep -qE "event=logout.success user=$U uid=[0-9]+ scope=all removed=[1-9][0-9]* failed=0 revoked=0 signout_failed=2 realms=" <<<"$ev"
    nso=$(grep -c 'helper: "not signed out of the IAM Identity Center session (us-east-1): ' "$SYSLOG")
    check "each failed sign-out logged once, as the engine's sentence ($nso lines)" [ "$nso" -eq 2 ]
    check "never as a removal that failed" bash -c '! grep -q "could not remove: not signed out" "$1"' _ "$SYSLOG"
    check "no token in the log" bash -c '! grep -q -e tok-A -e "\"tok\"" "$1"' _ "$SYSLOG"
fi
end
