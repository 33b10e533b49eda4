#!/bin/bash
# Memory of JSON editing: an Azure logout on a 16 MiB MSAL cache (thousands
# of other accounts besides the one atmos logged in) peaks at no more than
# 16 times the file's size, and msal still reads every other account back.
# Peak RSS from GNU time (%M, KiB); meaningless under ASan, so only the
# effects are checked there.
source "$(dirname "$0")/lib.sh"

FIX=$ROOT/etc/examples/populate-clouds.py
CHK=$ROOT/tests/e2e/cloud_check.py
CFG=$ROOT/etc/examples/clouds.yaml
TIME=/usr/bin/time
unset DBUS_SESSION_BUS_ADDRESS ATMOS_AUTH_REALM
export XDG_RUNTIME_DIR=$TMPROOT/run
mkdir -p "$XDG_RUNTIME_DIR"

# grow FILE BYTES: add other users' MSAL entries until FILE holds BYTES.  The
# shape az writes, without whitespace (as MSAL for Go and .NET write it), the
# tokens short, and each account with the tenant profiles MSAL.NET records:
# many small values, the costly case for a parser that builds a tree (json-c
# spends some 800 bytes on each object).
grow() {
    "$PY" - "$1" "$2" <<'EOF'
import json, os, sys
path, want = sys.argv[1], int(sys.argv[2])
with open(path) as f:
    cache = json.load(f)
env, client = "login.microsoftonline.com", "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
scope = "https://management.core.windows.net//.default"
def add(i):
    hid, tid = "D%06d.TD" % i, "TD"
    common = {"home_account_id": hid, "environment": env, "client_id": client}
    secret = ("eyJ0eXAiOiJKV1Qi.%06d." % i) + "x" * 64
    cache["AccessToken"]["%s-%s-accesstoken-%s-%s-%s" % (hid, env, client, tid, scope)] = dict(
        common, credential_type="AccessToken", secret=secret, realm=tid, target=scope,
        token_type="Bearer", cached_at="1700000000", expires_on="4102444800",
        extended_expires_on="4102444800")
    cache["RefreshToken"]["%s-%s-refreshtoken-%s--" % (hid, env, client)] = dict(
        common, credential_type="RefreshToken", secret="rt-" + secret, family_id="1")
    cache["IdToken"]["%s-%s-idtoken-%s-%s-" % (hid, env, client, tid)] = dict(
        common, credential_type="IdToken", secret="id-" + secret, realm=tid)
    cache["Account"]["%s-%s-%s" % (hid, env, tid)] = {
        "home_account_id": hid, "environment": env, "realm": tid, "local_account_id": hid[:7],
        "username": "user%06d@example.com" % i, "authority_type": "MSSTS",
        "tenant_profiles": {"T%d" % t: {"h": t == 0} for t in range(40)}}
# A hundred accounts tell what one costs; then as many as fit, and exactly
# `want` bytes with padding at the end.
dump = lambda: json.dumps(cache, separators=(",", ":"))
size0 = len(dump().encode())
for i in range(100):
    add(i)
each = (len(dump().encode()) - size0) / 100
n = 100 + max(0, int((want - size0) / each) - 105)
for i in range(100, n):
    add(i)
text = dump()
body = text[:-1].rstrip()
pad = want - len(body.encode()) - len(',"Pad":""}')
if pad >= 0:
    text = body + ',"Pad":"' + "p" * pad + '"}'
with open(path, "w") as f:
    f.write(text)
print(n)
EOF
}

# peak ARGS...: runs atmos-logout under GNU time; sets $OUT $RC and $KIB (peak RSS).
peak() {
    OUT=$("$TIME" -f %M -o "$TMPROOT/rss" "$BIN" --config "$CFG" "$@" 2>"$TMPROOT/stderr"); RC=$?
    ERR=$(cat "$TMPROOT/stderr")
    KIB=$(tail -n1 "$TMPROOT/rss")
}

if [ ! -x "$TIME" ] || ! "$TIME" -f %M true >/dev/null 2>&1; then
    skip "16 MiB MSAL cache" "GNU time is not installed (apt-get install time)"
    exit 0
fi

begin "Azure logout on a 16 MiB MSAL cache: peak RSS at most 16x the file, other accounts kept"
H=$(mktemp -d "$TMPROOT/home.XXXXXX"); export HOME=$H; cd "$H" || exit 1
"$PY" "$FIX" "$H" ""
MSAL=$H/.azure/msal_token_cache.json
# The same logout on the small fixture first: the program's own footprint.
cp -a "$H" "$TMPROOT/small"
HOME=$TMPROOT/small peak --provider azure-dc
BASE=$KIB
check "small: exit 0" rc_is 0
export HOME=$H
BYTES=$((16 * 1024 * 1024))
others=$(grow "$MSAL" "$BYTES")
SIZE=$(stat -c %s "$MSAL")
check "the cache is 16 MiB" [ "$SIZE" -eq "$BYTES" ]
peak --provider azure-dc
check "exit 0" rc_is 0
check "reported the account's entries" has "$OUT" "Azure CLI tokens: account O1.T1 (4 entries)"
m=$("$PY" "$CHK" msal "$MSAL" 2>&1)
check "msal reads the cache" [ "$(grep -c '^account ' <<<"$m")" -gt 0 ]
check "alice gone" hasnt "$m" "O1.T1"
check "bob kept" has "$m" "account O9.T9 bob@example.com"
check "every other account kept" [ "$(grep -c '^account D' <<<"$m")" -eq "$others" ]
check "their tokens kept" [ "$(grep -c '^access_token D' <<<"$m")" -eq "$others" ]
check "json.tool reads it" "$PY" -m json.tool "$MSAL" /dev/null
check "padding kept" "$PY" -c "import json,sys; assert len(json.load(open(sys.argv[1]))['Pad']) > 0" "$MSAL"
LIMIT=$((16 * SIZE / 1024))
echo "# file $SIZE bytes, $others other accounts; peak RSS ${KIB} KiB (the small fixture ${BASE} KiB), limit ${LIMIT} KiB"
end

begin "peak RSS of the 16 MiB edit at most 16x the file"
if [ -n "${SAN:-}" ]; then
    skip "peak RSS of the 16 MiB edit at most 16x the file" "ASan's shadow memory and quarantine make RSS meaningless (measured ${KIB} KiB)"
else
    check "measured" [ "${KIB:-0}" -gt 0 ]
    check "peak ${KIB} KiB <= ${LIMIT} KiB" [ "${KIB:-0}" -le "$LIMIT" ]
    end
fi
