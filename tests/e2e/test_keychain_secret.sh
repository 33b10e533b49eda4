#!/bin/bash
# Keychain credentials in a real Secret Service: gnome-keyring-daemon with a
# throwaway keyring on a private session bus (dbus-run-session).

# Re-run on a private bus whose HOME is throwaway too: a daemon the bus might
# activate on its own then also never sees the real keyrings.
if [ -z "${ATMOS_TEST_KEYRING_DIR:-}" ]; then
    for tool in dbus-run-session dbus-send gnome-keyring-daemon secret-tool; do
        if ! command -v "$tool" >/dev/null; then
            echo "skip - Secret Service: $tool is not installed (make deps installs it)"; exit 0
        fi
    done
    kr=$(mktemp -d /tmp/atmos-keyring.XXXXXX)
    mkdir -p "$kr/data" "$kr/run"; chmod 700 "$kr/run"
    export ATMOS_TEST_KEYRING_DIR=$kr
    HOME=$kr XDG_DATA_HOME=$kr/data XDG_RUNTIME_DIR=$kr/run \
        timeout 600 dbus-run-session -- bash "$0" "$@" 2> >(grep -v 'Failed to set fd limit' >&2)
    rc=$?
    rm -rf "$kr"
    exit $rc
fi
source "$(dirname "$0")/lib.sh"
KR=$ATMOS_TEST_KEYRING_DIR
eval "$(printf 'throwaway\n' | gnome-keyring-daemon --unlock --components=secrets --daemonize 2>/dev/null | sed 's/^/export /')"
# The daemon leaves with the private bus; kill it early only if it told us its pid.
at_exit '[ -n "${GNOME_KEYRING_PID:-}" ] && kill "$GNOME_KEYRING_PID" 2>/dev/null'
owned() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}
for _ in $(seq 50); do owned && break; sleep 0.1; done

store() { # service username
    printf 'secret-%s' "$1" | secret-tool store --label="Password for '$2' on '$1'" service "$1" username "$2"
}
present() { secret-tool lookup service "$1" username "${2:-atmos-auth}" >/dev/null 2>&1; }
gone() { ! present "$@"; }
clear_all() { for s in "$@"; do secret-tool clear service "$s" 2>/dev/null; done; }
ALL_OURS="atmos_aws-sso atmos_partner-sso atmos_dev-admin atmos_dev-org-admin atmos_prod-readonly atmos_partner-audit atmos_ci-user"
seed() {
    clear_all $ALL_OURS other_app atmos_gcp atmos_gcp-id atmos_team_dev-admin atmos_other_dev-admin
    for s in $ALL_OURS; do store "$s" atmos-auth; done
    store atmos_dev-admin someone-else  # same service, other username: not ours
    store other_app atmos-auth          # other program's item
}

begin "Secret Service: the test service answers"
seed
check "secret-tool sees our item" present atmos_dev-admin
end

begin "default logout preserves the keychain"
fresh_home; seed
run dev-admin
check "exit 0" rc_is 0
check "session data removed" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "keychain item kept" present atmos_dev-admin
run --all
check "--all keeps it too" present atmos_dev-admin
end

begin "--keychain --force with an identity: exactly that entry"
fresh_home; seed
run --keychain --force dev-admin
check "exit 0" rc_is 0
check "reported" has "$OUT" "Removed keychain entry atmos_dev-admin (Secret Service)"
check "entry gone" gone atmos_dev-admin
check "other username kept" present atmos_dev-admin someone-else
check "sibling identity kept" present atmos_dev-org-admin
check "provider kept" present atmos_aws-sso
check "other program kept" present other_app
end

begin "--keychain --force --provider: the provider's and its identities' entries"
fresh_home; seed
run --keychain --force --provider aws-sso
check "exit 0" rc_is 0
for s in atmos_aws-sso atmos_dev-admin atmos_dev-org-admin atmos_prod-readonly; do check "$s gone" gone "$s"; done
for s in atmos_partner-sso atmos_partner-audit atmos_ci-user other_app; do check "$s kept" present "$s"; done
check "other username kept" present atmos_dev-admin someone-else
end

begin "--keychain --force --all: every configured entry"
fresh_home; seed
run --keychain --force --all
check "exit 0" rc_is 0
for s in $ALL_OURS; do check "$s gone" gone "$s"; done
check "other program kept" present other_app
check "other username kept" present atmos_dev-admin someone-else
run --keychain --force --all
check "already logged out counts the keychain" has "$OUT" "All identities are already logged out."
end

begin "--keychain without a terminal refuses before removing anything"
fresh_home; seed
before=$(snapshot "$H")
OUT=$("$BIN" --config "$EXAMPLE" --keychain dev-admin </dev/null 2>&1); RC=$?
check "exit 1" rc_is 1
check "says --force" has "$OUT" "--force"
check "keychain intact" present atmos_dev-admin
check "session data intact" [ "$before" = "$(snapshot "$H")" ]
end

begin "--keychain on a terminal: answering no removes nothing"
fresh_home; seed
before=$(snapshot "$H")
OUT=$("$PY" "$ROOT/tests/e2e/pty_run.py" n "[y/N]" -- "$BIN" --config "$EXAMPLE" --keychain dev-admin); RC=$?
check "exit 0" rc_is 0
check "lists what goes" has "$OUT" "keychain entry atmos_dev-admin (Secret Service)"
check "asks" has "$OUT" "Delete keychain credentials for dev-admin? [y/N]"
check "cancelled" has "$OUT" "Logout cancelled - credentials preserved"
check "keychain intact" present atmos_dev-admin
check "session data intact" [ "$before" = "$(snapshot "$H")" ]
end

begin "--keychain on a terminal: answering yes removes it"
fresh_home; seed
OUT=$("$PY" "$ROOT/tests/e2e/pty_run.py" y "[y/N]" -- "$BIN" --config "$EXAMPLE" --keychain dev-admin); RC=$?
check "exit 0" rc_is 0
check "entry gone" gone atmos_dev-admin
check "session data gone" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "sibling kept" present atmos_dev-org-admin
end

begin "--keychain with stdout redirected (-o json to a file): asked on the terminal, the report intact"
fresh_home; seed
OUT=$("$PY" "$ROOT/tests/e2e/pty_run.py" y "[y/N]" -- sh -c '"$0" --config "$1" --keychain -o json dev-admin >"$2"' \
      "$BIN" "$EXAMPLE" "$TMPROOT/report.json"); RC=$?
check "exit 0" rc_is 0
check "asked on the terminal (stderr)" has "$OUT" "Delete keychain credentials for dev-admin? [y/N]"
check "entry gone" gone atmos_dev-admin
check "the file is the JSON report alone" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["status"]=="success", d' "$TMPROOT/report.json"
fresh_home; seed
OUT=$("$BIN" --config "$EXAMPLE" --keychain -o json dev-admin </dev/null 2>/dev/null); RC=$?
check "no terminal, -o json: exit 1 with a JSON error" "$PY" -c 'import json,sys; d=json.loads(sys.argv[1]); assert "--force" in d["error"], d' "$OUT"
check "keychain intact" present atmos_dev-admin
end

begin "--keychain --dry-run lists entries, asks nothing, removes nothing"
fresh_home; seed
run --keychain --dry-run --provider aws-sso </dev/null
check "exit 0" rc_is 0
check "lists provider entry" has "$OUT" "keychain entry atmos_aws-sso (Secret Service)"
check "lists identity entry" has "$OUT" "keychain entry atmos_prod-readonly (Secret Service)"
check "no question" hasnt "$OUT" "[y/N]"
check "nothing removed" present atmos_aws-sso
end

begin "ambient providers: entries deleted without --keychain"
fresh_home; seed
store atmos_gcp atmos-auth; store atmos_gcp-id atmos-auth
cat >"$H/ambient.yaml" <<'YAML'
auth:
  providers:
    gcp: {kind: gcp/adc}
  identities:
    gcp-id: {kind: gcp/service-account, via: {provider: gcp}}
YAML
run_raw --config "$EXAMPLE" --config "$H/ambient.yaml" gcp-id
check "identity's entry gone" gone atmos_gcp-id
check "provider's entry kept on identity logout" present atmos_gcp
run_raw --config "$H/ambient.yaml" --provider gcp
check "provider logout: provider entry gone" gone atmos_gcp
run_raw --config "$EXAMPLE" --all
check "non-ambient entries still kept" present atmos_dev-admin
end

begin "a realm deletes the realm entry and the legacy one"
fresh_home; seed
store atmos_team_dev-admin atmos-auth; store atmos_other_dev-admin atmos-auth
OUT=$(ATMOS_AUTH_REALM=team "$BIN" --config "$EXAMPLE" --keychain --force dev-admin 2>&1); RC=$?
check "exit 0" rc_is 0
check "realm entry gone" gone atmos_team_dev-admin
check "legacy entry gone" gone atmos_dev-admin
check "other realm kept" present atmos_other_dev-admin
end

begin "no session bus: reported, session data still removed, no hang"
fresh_home; seed
OUT=$(timeout 120 env -u DBUS_SESSION_BUS_ADDRESS -u XDG_RUNTIME_DIR "$BIN" --config "$EXAMPLE" --keychain --force dev-admin 2>&1); RC=$?
check "exit 0 (session data removed)" rc_is 0
# Said at once, without trying a bus (an autolaunch or a wait would say "timed out").
check "reason" has "$OUT" "Secret Service unavailable: no session bus"
check "session data removed" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "warnings summary" has "$OUT" "Logged out with warnings"
end

begin "a Secret Service that never answers times out"
fresh_home; seed
"$PY" -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(5); time.sleep(30)' "$TMPROOT/mute.sock" &
mute=$!; bg_track "$mute"
check "the mute service listens" wait_for 10 test -S "$TMPROOT/mute.sock"
start=$(date +%s)
OUT=$(DBUS_SESSION_BUS_ADDRESS=unix:path=$TMPROOT/mute.sock "$BIN" --config "$EXAMPLE" --keychain --force dev-admin 2>&1); RC=$?
waited=$(( $(date +%s) - start ))
# It gave up while the mute service still listened (30 s): its own 5 s bound.
check "gave up while the service was still mute" kill -0 $mute
kill $mute 2>/dev/null; wait $mute 2>/dev/null
check "waited the 5 s (${waited} s)" [ "$waited" -ge 4 ]
check "timed out reported" has "$OUT" "Secret Service timed out"
check "session data removed anyway" no_section_in "[dev-admin]" "$H/$SSO/credentials"
end

begin "GLib is never mapped unless a Secret Service item is touched"
fresh_home; seed
check "not linked" bash -c "! ldd '$BIN' | grep -q -e glib -e libsecret"
# LD_DEBUG_OUTPUT: one file per process, so the Secret Service child is seen too.
rm -f "$TMPROOT"/ld.*
LD_DEBUG=files LD_DEBUG_OUTPUT=$TMPROOT/ld "$BIN" --config "$EXAMPLE" --all >/dev/null 2>&1
check "the dynamic loader was observed" bash -c "cat '$TMPROOT'/ld.* | grep -q libyaml"
check "default logout loads no GLib" bash -c "! cat '$TMPROOT'/ld.* | grep -q libglib-2.0"
rm -f "$TMPROOT"/ld.*
LD_DEBUG=files LD_DEBUG_OUTPUT=$TMPROOT/ld "$BIN" --config "$EXAMPLE" --keychain --force dev-admin >/dev/null 2>&1
check "a keychain logout does load libsecret (so the check above can fail)" bash -c "cat '$TMPROOT'/ld.* | grep -q libsecret-1.so.0"
end

# Last: unlocking again would need a prompt.
begin "a locked collection: reported, never a prompt, never a hang"
fresh_home; seed
timeout 10 dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null
start=$(date +%s)
run --keychain --force dev-admin
check "did not wait for a prompt" [ $(( $(date +%s) - start )) -le 3 ]
check "reported locked" has "$OUT" "locked"
# SearchItems answers (unlocked, locked): the item must still be among the locked ones.
check "entry not removed" bash -c "timeout 10 dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets org.freedesktop.Secret.Service.SearchItems \
    dict:string:string:service,atmos_dev-admin,username,atmos-auth | grep -q 'collection/login/'"
check "session data removed" no_section_in "[dev-admin]" "$H/$SSO/credentials"
end
