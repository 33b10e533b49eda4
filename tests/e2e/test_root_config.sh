#!/bin/bash
# Root never reads configuration it does not own (issue 21, break 1): a
# user's ./atmos.yaml, a root-owned file others can write or swap, a file
# under a user's directory.  Each hostile file points base_path at a decoy in
# a root-owned temporary tree (never /etc) that must survive.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "root's configuration" "needs root (the rule applies to effective uid 0; chown needs root)"
    exit 0
fi

U=atmos-pam-rc$$
UH=$TMPROOT/user-home
add_test_user "$U" "$UH" || { echo "not ok - root's configuration: useradd failed"; exit 1; }
UID_U=$(id -u "$U")

# A root-owned tree holding the decoy a hostile file aims at: <decoy>/x.
DECOY=$TMPROOT/decoy
# Made anew for each case, so that each shows its own result.
new_decoy() { mkdir -p "$DECOY/x" && echo precious >"$DECOY/x/keep" && chmod -R go-w "$DECOY"; }
decoy_kept() { [ "$(cat "$DECOY/x/keep" 2>/dev/null)" = precious ]; }
# hostile FILE: an atmos.yaml whose only provider would remove $DECOY/x.
hostile() {
    printf 'auth:\n  providers:\n    x:\n      kind: aws/saml\n      spec: {files: {base_path: %s}}\n' \
        "$DECOY" >"$1"
}
# root_home: a root HOME with the example's files and its own ~/.atmos/atmos.yaml.
root_home() {
    fresh_home
    new_decoy
    mkdir -p "$H/.atmos" && cp "$EXAMPLE" "$H/.atmos/atmos.yaml"
}

begin "root in a user's directory: the user's ./atmos.yaml is refused, root's own still used"
root_home
UD=$TMPROOT/user-dir; mkdir -p "$UD"; hostile "$UD/atmos.yaml"; chown -R "$U:" "$UD"
OUT=$(cd "$UD" && "$BIN" --all 2>"$TMPROOT/stderr"); RC=$?; ERR=$(cat "$TMPROOT/stderr")
check "decoy untouched" decoy_kept
check "the message names the file and the reason" \
    has "$ERR" "$UD/atmos.yaml: not read as root: its directory $UD is owned by uid $UID_U"
check "root's own configuration still used: its sessions gone" missing "$H/$SSO"
check "exit 0" rc_is 0
rm -f "$UD/atmos.yaml"; hostile "$UD/atmos.yaml" # the file itself root's, in the user's directory
OUT=$(cd "$UD" && "$BIN" --all 2>&1); RC=$?
check "the file is root's" [ "$(stat -c %u "$UD/atmos.yaml")" = 0 ]
check "a root-owned file in a user-owned directory: refused" \
    has "$OUT" "$UD/atmos.yaml: not read as root: its directory $UD is owned by uid $UID_U"
check "decoy untouched" decoy_kept
end

begin "root in a sticky directory (as /tmp): a user's atmos.yaml there is refused"
root_home
ST=$TMPROOT/sticky; mkdir -p "$ST"; chmod 1777 "$ST"
setpriv --reuid "$U" --regid "$U" --clear-groups -- bash -c "$(declare -f hostile); DECOY=$DECOY; hostile $ST/atmos.yaml"
OUT=$(cd "$ST" && "$BIN" --all 2>&1); RC=$?
check "the user's file was planted" [ "$(stat -c %u "$ST/atmos.yaml")" = "$UID_U" ]
check "refused: owned by the user" has "$OUT" "$ST/atmos.yaml: not read as root: owned by uid $UID_U"
check "decoy untouched" decoy_kept
check "root's own configuration still used" missing "$H/$SSO"
end

begin "a root-owned file others can write is refused (found, or named with --config)"
root_home
RD=$TMPROOT/root-dir; mkdir -p "$RD"; chmod 755 "$RD"; hostile "$RD/atmos.yaml"; chmod 664 "$RD/atmos.yaml"
OUT=$(cd "$RD" && "$BIN" --all 2>&1); RC=$?
check "found in the current directory: refused, says why" \
    has "$OUT" "$RD/atmos.yaml: not read as root: writable by group or others"
check "decoy untouched" decoy_kept
check "root's own configuration still used" missing "$H/$SSO"
run_raw --config "$RD/atmos.yaml" --all
check "named with --config: exit 1" rc_is 1
check "named with --config: refused, says why" \
    has "$ERR" "Error: $RD/atmos.yaml: not read as root: writable by group or others"
check "decoy untouched" decoy_kept
chmod 644 "$RD/atmos.yaml"; chmod 775 "$RD"
run_raw --config "$RD/atmos.yaml" --all
check "a group-writable directory above: refused" \
    has "$ERR" "its directory $RD is writable by group or others"
check "decoy untouched" decoy_kept
chmod 755 "$RD"
end

begin "a symbolic link, or a second hard link in a sticky directory, is refused"
root_home
LD=$TMPROOT/links; mkdir -p "$LD"; chmod 755 "$LD"; hostile "$LD/real.yaml"
ln -s "$LD/real.yaml" "$LD/link.yaml"
run_raw --config "$LD/link.yaml" --all
check "symlink: exit 1" rc_is 1
check "symlink: says so" has "$ERR" "$LD/link.yaml: not read as root: it is a symbolic link"
mkdir -p "$LD/s"; chmod 1777 "$LD/s"; ln "$LD/real.yaml" "$LD/s/atmos.yaml"
run_raw --config "$LD/s/atmos.yaml" --all
check "hard link in a sticky directory: says so" \
    has "$ERR" "$LD/s/atmos.yaml: not read as root: has 2 links in a directory others can write"
check "decoy untouched" decoy_kept
end

begin "a proper root-owned file is still used (in a root-owned directory, and in a sticky one)"
fresh_home
GD=$TMPROOT/good; mkdir -p "$GD/s"; chmod 755 "$GD"; chmod 1777 "$GD/s"
cp "$EXAMPLE" "$GD/atmos.yaml"; chmod 644 "$GD/atmos.yaml"
run_raw --config "$GD/atmos.yaml" dev-admin
check "exit 0" rc_is 0
check "identity logged out" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "no refusal" hasnt "$ERR" "not read as root"
cp "$EXAMPLE" "$GD/s/atmos.yaml"; chmod 644 "$GD/s/atmos.yaml"
OUT=$(cd "$GD/s" && "$BIN" prod-readonly 2>&1); RC=$?
check "./atmos.yaml of root's in a sticky directory: used" no_section_in "[prod-readonly]" "$H/$SSO/credentials"
check "exit 0" rc_is 0
check "sibling kept" section_in "[dev-org-admin]" "$H/$SSO/credentials"
end

begin "directories checked for one file are not trusted past what the next file must pass"
# One load walks from / once and reuses the directories it checked (config/trust.c);
# each import below them is still checked: its own directories, its owner, its mode.
root_home
WD=$TMPROOT/walk; mkdir -p "$WD/okay" "$WD/ok/deep"; chmod 755 "$WD" "$WD/ok" "$WD/ok/deep"
chown "$U:" "$WD/okay"
{ cat "$EXAMPLE"; printf 'import: [ok/a.yaml, okay/b.yaml, gw.yaml, ok/deep/c.yaml]\n'; } >"$WD/atmos.yaml"
printf 'auth:\n  providers:\n    walk-a: {kind: aws/iam-identity-center, region: us-east-1, start_url: https://a.awsapps.com/start}\n' >"$WD/ok/a.yaml"
hostile "$WD/okay/b.yaml"; hostile "$WD/gw.yaml"; chmod 666 "$WD/gw.yaml"
printf 'auth:\n  providers:\n    walk-c: {kind: aws/iam-identity-center, region: us-east-1, start_url: https://c.awsapps.com/start}\n' >"$WD/ok/deep/c.yaml"
chmod 644 "$WD/atmos.yaml" "$WD/ok/a.yaml" "$WD/okay/b.yaml" "$WD/ok/deep/c.yaml"
run_raw --config "$WD/atmos.yaml" --list-providers
check "exit 0" rc_is 0
check "an import in a checked directory: read" has "$OUT" "walk-a"
check "an import two levels below a checked one: read" has "$OUT" "walk-c"
check "an import in a user's directory below a checked one: refused" \
    has "$ERR" "$WD/okay/b.yaml: not read as root: its directory $WD/okay is owned by uid $UID_U"
check "a writable import beside checked ones: refused" \
    has "$ERR" "$WD/gw.yaml: not read as root: writable by group or others"
check "the providers: the example's and the two read, not the hostile one" \
    [ "$(sort <<<"$OUT" | tr '\n' ' ')" = "aws-sso partner-sso walk-a walk-c " ]
run_raw --config "$WD/atmos.yaml" --all
check "decoy untouched" decoy_kept
end

begin "--user: root logs out a user with the user's own configuration, as that user"
mkdir -p "$UH/.atmos"; bash "$ROOT/etc/examples/populate.sh" "$UH"
cp "$EXAMPLE" "$UH/.atmos/atmos.yaml"; chown -R "$U:" "$UH"
OUT=$(cd / && "$BIN" --user "$U" --all 2>&1); RC=$?
check "exit 0" rc_is 0
check "the user's files gone" missing "$UH/$SSO"
check "no refusal (the user's files are the user's)" hasnt "$OUT" "not read as root"
check "summary" has "$OUT" "Successfully logged out from 5 identities"
end
