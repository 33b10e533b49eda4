#!/bin/bash
# The last close through the real libpam, as issue 31 asks: every realm on
# disk is cleaned, and no close cleans under a live session the module did not
# record (utmp, logind's state).  This host runs no logind and has no utmp of
# its own, so the test writes them, in their real places, and removes them at
# the end; on a host that has either, those cases say skip.  Their bad inputs
# are docs/bad-input.md's B120-B125 (bad_input_sessions.sh).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sessions_lib.sh"

if ! sessions_setup; then
    skip "last close: realms and live sessions" "needs root to create a test user and /var/run/utmp"
    exit 0
fi

begin "the last close cleans every realm: the home configuration's and a project's"
reset_home
before=$(decoys)
pam plain "$UA" oc TTY=/dev/pts/9
check "close" has "$OUT" "close=PAM_SUCCESS"
check "the home configuration's realm cleaned" home_cleaned
check "the project realm's credentials and config gone" project_cleaned
check "decoys byte for byte: ~/.aws/credentials, another start URL's token, a file not atmos's" [ "$before" = "$(decoys)" ]
check "the provider directory with the user's file in it stays" exists "$P/notes.txt"
check "the project's atmos.yaml stays" exists "$HA/infra/atmos.yaml"
log_has "the audit line names the realms covered: the home configuration's and the project's" "realms=2 "
end

begin "identity=: that identity in every realm, its siblings kept"
reset_home
aws_files "$HA/.config/atmos/$R/aws/aws-sso" dev-admin        # logged in from ~/infra too
chown -R "$UA:" "$HA"
pam one "$UA" oc
check "close" has "$OUT" "close=PAM_SUCCESS"
check "gone in the home configuration's realm" no_section_in "[dev-admin]" "$HA/$SSO/credentials"
check "gone in the project's realm" no_section_in "[dev-admin]" "$HA/.config/atmos/$R/aws/aws-sso/credentials"
check "its sibling kept there" section_in "[keep]" "$HA/.config/atmos/$R/aws/aws-sso/credentials"
check "another provider's identity kept" exists "$P/credentials"
end

# --- live sessions the module has no record of ----------------------------------
if ! own_utmp; then
    skip "utmp sessions" "this host has its own $UTMP; the test writes one only where none exists"
else
    # A process of the user's, alive for the test: a session's shell.
    setpriv --reuid="$UA" --regid="$UA" --clear-groups sleep 300 &
    LIVE=$!; bg_track "$LIVE"
    sleep 300 & ROOTS=$!          # alive, root's, started before the entries written below
    at_exit 'kill $ROOTS 2>/dev/null'

    begin "utmp: a live session of the user's that was never recorded keeps everything"
    reset_home
    utmp "7:$LIVE:pts/4:$UA"
    pam plain "$UA" oc TTY=/dev/pts/9
    check "close ignored" has "$OUT" "close=PAM_IGNORE"
    check "nothing removed" untouched
    log_has "the log says why" "not recorded by pam_atmos: nothing removed"
    end

    begin "utmp: a live process of root's since before the login (sshd's entry) counts"
    reset_home
    utmp "7:$ROOTS:pts/6:$UA"
    pam plain "$UA" oc TTY=/dev/pts/9
    check "close ignored" has "$OUT" "close=PAM_IGNORE"
    check "nothing removed" untouched
    end
    rm -f "$UTMP"
fi

if ! own_logind; then
    skip "logind sessions" "logind runs here; the test writes its state files only where none runs"
else
    begin "logind: another active session of the user's keeps everything"
    reset_home
    login_state "c1 c2" c1:user:active c2:user:online
    pam plain "$UA" oc XDG_SESSION_ID=${S}1
    check "close ignored" has "$OUT" "close=PAM_IGNORE"
    check "nothing removed" untouched
    end

    begin "logind: this session, a closing one, the service manager and a background session: not counted"
    reset_home
    login_state "c1 c2 c3 c4 c5" c1:user:active c2:user:closing c3:manager:active c4:background:active
    pam plain "$UA" oc XDG_SESSION_ID=${S}1
    check "close cleans" has "$OUT" "close=PAM_SUCCESS"
    check "cleaned (c5 has no state file: gone)" home_cleaned
    rm -f "/run/systemd/users/$UID_A" /run/systemd/sessions/$S?
    end
fi

begin "tty_only: a close without a terminal never cleans; one with a terminal does"
reset_home
pam ttyonly "$UA" oc TTY=ssh
check "ssh host cmd (PAM_TTY ssh): ignored" has "$OUT" "close=PAM_IGNORE"
check "nothing removed" untouched
check "its record is gone all the same" [ -z "$(ls -A "$STATE/$UID_A.d")" ]
pam ttyonly "$UA" oc TTY=/dev/pts/3
check "a terminal: cleans" has "$OUT" "close=PAM_SUCCESS"
check "cleaned" home_cleaned
reset_home
pam plain "$UA" oc TTY=ssh
check "without tty_only a session without a terminal cleans (the default)" has "$OUT" "close=PAM_SUCCESS"
check "cleaned by default" home_cleaned
end
