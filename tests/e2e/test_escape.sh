#!/bin/bash
# A user's bytes never reach a sink raw (issue 21, break 2): a realm, an
# identity name and a base_path holding a line break, ESC (\x1b[2J clears a
# terminal), a C1 CSI (\xc2\x9b) and an invalid byte (\xff) come out as \xNN
# on the terminal report, in --output json (valid JSON, escaped form inside),
# on stderr (errors and log lines) and in the syslog audit line.
source "$(dirname "$0")/lib.sh"

BAD=$'\x1b[2J\xc2\x9b\xff'   # in base_path: ESC, a C1 CSI, an invalid byte
NB=$'\xc2\x9b\xff'           # in a name (names refuse C0 controls outright)
ESC_BAD='\x1b[2J\xc2\x9b\xff' # what each must read as
ESC_NB='\xc2\x9b\xff'
# YAML cannot carry a raw \xff, but !env reads a variable's bytes as they are.
export T_BP T_ID

# clean FILE: valid UTF-8, no control byte but the line ends, no C1, no U+FFFD
# (the syslog sink decodes with errors="replace": an invalid byte becomes one).
clean() {
    "$PY" - "$1" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit(f"invalid UTF-8 at byte {e.start}")
bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) <= 0x9f or c == "\ufffd"]
sys.exit(f"raw bytes: {bad!r}" if bad else 0)
PY
}
# json_has FILE NEEDLE: FILE parses as JSON and some string in it contains NEEDLE.
json_has() {
    "$PY" - "$1" "$2" <<'PY'
import json, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
def strings(o):
    if isinstance(o, str):
        yield o
    elif isinstance(o, dict):
        for v in o.values():
            yield from strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from strings(v)
sys.exit(0 if any(sys.argv[2] in s for s in strings(doc)) else "not found in any JSON string")
PY
}
file_has() { grep -qF -- "$2" "$1"; }

# hostile_home [NAME]: HOME with a provider directory under an odd base_path (<base_path>/aws/p)
# and an identity with an odd name (id\xc2\x9b\xff, or NAME), and the
# atmos.yaml that names them.
hostile_home() {
    fresh_home
    T_BP=$H/b$BAD T_ID=${1:-id$NB}
    mkdir -p "$T_BP/aws/p"
    printf '[%s]\nk=v\n[keep]\nk=v\n' "$T_ID" >"$T_BP/aws/p/credentials"
    printf 'auth:\n  providers:\n    p:\n      kind: aws/saml\n      spec: {files: {base_path: !env T_BP}}\n  identities:\n    !env T_ID: {kind: aws/assume-role, via: {provider: p}}\n' >"$H/esc.yaml"
}
# go ARGS...: atmos-logout with that file; stdout and stderr in files.
go() {
    "$BIN" --config "$H/esc.yaml" "$@" >"$TMPROOT/out" 2>"$TMPROOT/err"; RC=$?
    OUT=$(cat "$TMPROOT/out"); ERR=$(cat "$TMPROOT/err")
}

begin "terminal report and stderr log lines: names and paths escaped"
hostile_home
ATMOS_LOGS_LEVEL=Debug go "id$NB"
check "exit 0" rc_is 0
check "the section was removed (the engine kept the real bytes)" no_section_in "[id$NB]" "$T_BP/aws/p/credentials"
check "sibling kept" section_in "[keep]" "$T_BP/aws/p/credentials"
check "report: no raw byte" clean "$TMPROOT/out"
check "report: the identity escaped" file_has "$TMPROOT/out" "Logging out from identity: id$ESC_NB"
check "report: the chain escaped" file_has "$TMPROOT/out" "p → id$ESC_NB"
check "report: the path escaped" file_has "$TMPROOT/out" "from ~/b$ESC_BAD/aws/p/credentials"
check "log lines: no raw byte" clean "$TMPROOT/err"
check "log lines: the path escaped" file_has "$TMPROOT/err" "DEBUG Removing section [id$ESC_NB] path=$H/b$ESC_BAD/aws/p/credentials"
go "nosuch"
check "not found: the list of names escaped" file_has "$TMPROOT/err" "  - id$ESC_NB"
check "not found: no raw byte" clean "$TMPROOT/err"
go --list-identities
check "--list-identities escaped" [ "$OUT" = "id$ESC_NB" ]
go --provider p --dry-run
check "provider directory escaped" file_has "$TMPROOT/out" "provider directory ~/b$ESC_BAD/aws/p"
check "dry run: no raw byte" clean "$TMPROOT/out"
end

begin "--output json: valid JSON, the escaped form inside"
hostile_home
go --output json "id$NB"
check "exit 0" rc_is 0
check "valid UTF-8, no raw byte" clean "$TMPROOT/out"
check "target escaped" json_has "$TMPROOT/out" "id$ESC_NB"
check "path escaped" json_has "$TMPROOT/out" "b$ESC_BAD/aws/p/credentials"
go --output json --provider p --dry-run
check "provider plan: no raw byte" clean "$TMPROOT/out"
check "provider directory escaped" json_has "$TMPROOT/out" "b$ESC_BAD/aws/p"
end

begin "errors on stderr and in JSON: a line break, ESC, C1 and \\xff in a realm and a name"
hostile_home
ATMOS_AUTH_REALM=$'r\n'$BAD go "id$NB"
check "bad realm: exit 1" rc_is 1
check "stderr: no raw byte" clean "$TMPROOT/err"
check "stderr: one line" [ "$(wc -l <"$TMPROOT/err")" -eq 1 ]
check "stderr: the realm escaped" file_has "$TMPROOT/err" "realm \"r\\x0a$ESC_BAD\" is invalid"
ATMOS_AUTH_REALM=$'r\n'$BAD go --output json "id$NB"
check "JSON error: no raw byte" clean "$TMPROOT/out"
check "JSON error: the realm escaped" json_has "$TMPROOT/out" "realm \"r\\x0a$ESC_BAD\" is invalid"
export T_REALM=$'r\n'$BAD
sed -i 's/^auth:$/auth:\n  realm: !env T_REALM/' "$H/esc.yaml"
go "id$NB"
check "auth.realm from the file: escaped" file_has "$TMPROOT/err" "realm \"r\\x0a$ESC_BAD\" is invalid"
check "auth.realm: no raw byte" clean "$TMPROOT/err"
hostile_home $'i\n'"$BAD"
go --all
# That identity is skipped, by name; the rest is still logged out (atmos refuses it only where used).
check "a name with a line break: skipped, the rest done: exit 0" rc_is 0
check "the name escaped in the error" file_has "$TMPROOT/err" "identity name \"i\\x0a$ESC_BAD\" contains a control character"
check "no raw byte" clean "$TMPROOT/err"
end

# The audit line: through this script's own sink (lib.sh).
if ! start_syslog_sink; then
    skip "audit line escaped" "needs root (the test reads syslog through a sink of its own)"
else
    AUDIT=$SYSLOG
    begin "syslog audit line: the target escaped, no raw byte"
    hostile_home
    "$BIN" --config "$H/esc.yaml" "id$NB" >/dev/null 2>&1; RC=$?
    check "syslog reached the sink" syslog_sync
    check "exit 0" rc_is 0
    check "one audit line, target escaped" \
        grep -qE "atmos-logout\[[0-9]+\]: event=logout.success user=$(id -un) uid=$(id -u) scope=identity target=\"id\\\\xc2\\\\x9b\\\\xff\" removed=1 failed=0 revoked=0$" "$AUDIT"
    check "no raw byte (C1, or \\xff as U+FFFD)" clean "$AUDIT"
    end
fi
