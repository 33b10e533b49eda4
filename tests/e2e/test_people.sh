#!/bin/bash
# atmos-logout for people: the selector driven through a pseudo-terminal,
# output styles, --user, man pages, completion and make install.
source "$(dirname "$0")/lib.sh"

DRIVE() { OUT=$("$PY" "$ROOT/tests/e2e/pty_drive.py" "$@"); RC=$?; }
restored() { has "$OUT" "terminal: canonical=1 echo=1"; }
# The screen without its terminal sequences (colour, cursor): the words as a reader sees them.
plain() { sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' <<<"$OUT"; }
L=(--config "$EXAMPLE")

begin "selector: choose an identity with j and Enter"
fresh_home
DRIVE 'expect=Choose what to log out of' 'send=j' 'send=\r' 'expect=[y/N]' 'send=y' -- "$BIN" "${L[@]}"
check "lists identities sorted" has "$OUT" "Identity: ci-user"
check "lists providers" has "$OUT" "Provider: aws-sso (and every identity it roots)"
check "lists all" has "$OUT" "All identities (complete logout)"
check "answer shown" has "$OUT" "? Choose what to log out of: Identity: dev-admin"
check "asked before removing" has "$(plain)" 'Log out of identity "dev-admin"? [y/N] yes'
check "exit 0" has "$OUT" "exit=0"
check "that identity logged out" no_section_in "[dev-admin]" "$H/$SSO/credentials"
check "sibling kept" section_in "[dev-org-admin]" "$H/$SSO/credentials"
check "terminal restored" restored
check "marks on a terminal" has "$OUT" "✓"
end

begin "selector: a digit jumps to a provider, arrows move"
fresh_home
DRIVE 'expect=Choose what' 'send=6' 'send=\x1b[B' 'send=\x1b[A' 'send=\r' 'expect=[y/N]' 'send=y' -- "$BIN" "${L[@]}"
check "provider chosen" has "$OUT" "? Choose what to log out of: Provider: aws-sso"
check "asked" has "$(plain)" 'Log out of provider "aws-sso" and every identity it roots? [y/N] yes'
check "provider logged out" missing "$H/$SSO"
check "other provider kept" exists "$H/.config/atmos/aws/partner-sso"
check "terminal restored" restored
end

begin "selector: all (k wraps to the last entry)"
fresh_home
DRIVE 'expect=Choose what' 'send=k' 'send=\r' 'expect=[y/N]' 'send=Y' -- "$BIN" "${L[@]}"
check "all chosen" has "$OUT" "? Choose what to log out of: All identities"
check "asked" has "$(plain)" "Log out of all identities? [y/N] yes"
check "everything logged out" [ -z "$(ls -A "$H/.config/atmos/aws")" ]
end

for key in q '\x03' '\x1b'; do
    begin "selector: cancel with $(printf %q "$key") removes nothing and restores the terminal"
    fresh_home
    before=$(snapshot "$H")
    DRIVE 'expect=Choose what' "send=j" "send=$key" -- "$BIN" "${L[@]}"
    if [ "$key" = '\x03' ]; then
        check "Ctrl-C: exit 130, as an interrupt" has "$OUT" "exit=130"
    else
        check "exit 0" has "$OUT" "exit=0"
    fi
    check "says cancelled" has "$OUT" "(cancelled)"
    check "nothing removed" [ "$before" = "$(snapshot "$H")" ]
    check "terminal restored" restored
    end
done

begin "selector: 30 identities in a 10-row terminal scroll; the question stays on screen"
fresh_home
{ printf 'auth:\n  providers:\n    p: {kind: aws/iam-identity-center, start_url: https://x.awsapps.com/start, region: us-east-1}\n  identities:\n'
  for i in $(seq -w 1 30); do printf '    id%s: {kind: aws/permission-set, via: {provider: p}, principal: {name: A, account: {id: "123456789012"}}}\n' "$i"; done
} >"$H/many.yaml"
OUT=$(PTY_ROWS=10 "$PY" "$ROOT/tests/e2e/pty_drive.py" 'expect=Choose what' 'send=k' 'send=q' -- "$BIN" --config "$H/many.yaml"); RC=$?
check "the first frame: 7 rows of choices, then where the cursor is" "$PY" -c '
import sys; s=sys.argv[1]; first=s[s.index("Choose what to log out of:"):s.index("(1 of 32;")]
assert first.count("Identity: ") == 7, first' "$OUT"
check "k wraps to the last choice, scrolled into view" has "$OUT" "(32 of 32;"
check "the last choice drawn" has "$OUT" "All identities (complete logout)"
check "cancelled, exit 0" has "$OUT" "exit=0"
check "terminal restored" restored
end

# The choice is confirmed before anything goes: what a dry run of it finds, then [y/N] (one
# key, default no).  At 8, 24 and 50 rows; at the question nothing is removed yet.
export -f snapshot
for case in "8|k|All identities|provider directory ~/.config/atmos/aws/aws-sso" \
            "24|2|Identity: dev-admin|[dev-admin] from ~/.config/atmos/aws/aws-sso/credentials" \
            "50|6|Provider: aws-sso|provider directory ~/.config/atmos/aws/aws-sso"; do
    IFS='|' read -r rows key want listed <<<"$case"
    begin "selector at $rows rows: '$want' is confirmed first; nothing goes before the answer"
    fresh_home
    before=$(snapshot "$H")
    OUT=$(PTY_ROWS=$rows "$PY" "$ROOT/tests/e2e/pty_drive.py" 'expect=Choose what' "send=$key" 'send=\r' \
          'expect=[y/N]' "run=snapshot '$H' >'$TMPROOT/asked'" 'send=y' -- "$BIN" "${L[@]}"); RC=$?
    check "chosen" has "$OUT" "? Choose what to log out of: $want"
    check "what goes is listed before the question" "$PY" -c '
import sys; s = sys.argv[1]
assert s.index("This removes:") < s.index(sys.argv[2]) < s.index("[y/N]"), s' "$OUT" "$listed"
    check "at the question: nothing removed yet" [ "$before" = "$(cat "$TMPROOT/asked")" ]
    check "after yes: logged out" no_section_in "[dev-admin]" "$H/$SSO/credentials"
    check "exit 0" has "$OUT" "exit=0"
    check "terminal restored" restored
    end
done
for key in n '\r' q '\x1b' '\x03' 'x'; do
    begin "selector: the confirmation answered $(printf %q "$key") removes nothing"
    fresh_home
    before=$(snapshot "$H")
    steps=('expect=Choose what' 'send=2' 'send=\r' 'expect=[y/N]' "send=$key")
    # Not an answer: the question waits; q then leaves.
    [ "$key" = x ] && steps+=('send=q')
    PTY_ROWS=24 DRIVE "${steps[@]}" -- "$BIN" "${L[@]}"
    if [ "$key" = '\x03' ]; then
        check "Ctrl-C: exit 130" has "$OUT" "exit=130"
    else
        check "exit 0" has "$OUT" "exit=0"
    fi
    check "answered no" has "$(plain)" 'Log out of identity "dev-admin"? [y/N] no'
    check "says cancelled" has "$OUT" "Logout cancelled - nothing removed"
    check "nothing removed" [ "$before" = "$(snapshot "$H")" ]
    check "terminal restored" restored
    end
done

begin "selector: keys typed together (an arrow and Enter in one read) each count; typed-ahead keys never answer the question"
fresh_home
before=$(snapshot "$H")
# Down Down Enter arrive as one write; a 'y' typed ahead with them is not the answer.
PTY_ROWS=24 DRIVE 'expect=Choose what' 'send=\x1b[B\x1b[B\ry' 'expect=[y/N]' 'send=n' -- "$BIN" "${L[@]}"
check "the third entry chosen (both arrows and Enter taken)" has "$OUT" "? Choose what to log out of: Identity: dev-org-admin"
check "the y typed ahead did not answer: no" has "$(plain)" 'Log out of identity "dev-org-admin"? [y/N] no'
check "nothing removed" [ "$before" = "$(snapshot "$H")" ]
end

begin "selector: nothing of the choice on disk: no question, the report says so"
fresh_home
"$BIN" "${L[@]}" dev-admin >/dev/null
DRIVE 'expect=Choose what' 'send=2' 'send=\r' -- "$BIN" "${L[@]}"
check "no question" hasnt "$OUT" "[y/N]"
check "already logged out" has "$OUT" 'Identity "dev-admin" is already logged out.'
check "exit 0" has "$OUT" "exit=0"
end

begin "selector: a signal while choosing still restores the terminal"
fresh_home
before=$(snapshot "$H")
DRIVE 'expect=Choose what' 'signal=TERM' -- "$BIN" "${L[@]}"
check "killed by the signal" has "$OUT" "signal=15"
check "terminal restored" restored
check "nothing removed" [ "$before" = "$(snapshot "$H")" ]
end

begin "selector with --dry-run and with --keychain (the confirmation follows the choice)"
fresh_home
before=$(snapshot "$H")
DRIVE 'expect=Choose what' 'send=2' 'send=\r' -- "$BIN" "${L[@]}" --identity --dry-run
check "--identity without a name opens it" has "$OUT" "Identity: dev-admin"
check "dry run" has "$OUT" "Dry run: 2 items would be removed"
check "a dry run asks nothing" hasnt "$OUT" "[y/N]"
check "nothing removed" [ "$before" = "$(snapshot "$H")" ]
kr=$H/.local/share/atmos/keyring; mkdir -p "$kr"; echo enc >"$kr/atmos_dev-admin"
DRIVE 'expect=Choose what' 'send=2' 'send=\r' 'expect=Log out of identity' 'send=y' 'expect=Delete keychain' 'send=y\r' -- \
    env ATMOS_KEYRING_TYPE=file "$BIN" "${L[@]}" --keychain
check "the choice confirmed, the keychain entry listed with it" has "$OUT" "keychain entry atmos_dev-admin"
check "asked after the choice" has "$OUT" "Delete keychain credentials for dev-admin? [y/N]"
check "keychain entry gone" missing "$kr/atmos_dev-admin"
check "session data gone" no_section_in "[dev-admin]" "$H/$SSO/credentials"
end

begin "no terminal: the choices, exit 2, never waits"
fresh_home
OUT=$(timeout 5 "$BIN" "${L[@]}" </dev/null 2>&1); RC=$?
check "exit 2" rc_is 2
check "how to name one" has "$OUT" "atmos-logout --provider aws-sso"
check "lists identities" has "$OUT" "atmos-logout dev-admin"
OUT=$(timeout 5 "$BIN" "${L[@]}" --identity 2>&1 </dev/null); RC=$?
check "--identity alone: exit 2" rc_is 2
printf 'auth:\n  providers: {p: {kind: aws/saml}}\n' >"$H/noid.yaml"
OUT=$("$BIN" --config "$H/noid.yaml" </dev/null 2>&1); RC=$?
check "no identities: message" has "$OUT" "No identities configured in atmos.yaml"
check "no identities: exit 0" rc_is 0
end

begin "output: plain when piped, marks on a terminal, NO_COLOR drops colour"
fresh_home
run dev-admin
check "piped: no marks" hasnt "$OUT" "✓"
check "piped: no escapes" bash -c "! grep -q $'\033' <<<\"\$1\"" _ "$OUT"
fresh_home
DRIVE -- "$BIN" "${L[@]}" dev-admin
check "terminal: marks" has "$OUT" "✓"
check "terminal: colour" has "$OUT" $'\033[32m'
fresh_home
DRIVE -- env NO_COLOR=1 "$BIN" "${L[@]}" dev-admin
check "NO_COLOR: marks stay" has "$OUT" "✓ Chain"
check "NO_COLOR: no colour" hasnt "$OUT" $'\033[32m'
fresh_home
run -q dev-admin
check "-q: silent on success" [ -z "$OUT$ERR" ]
run --version
VERSION=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$ROOT/debian/changelog")
check "--version is debian/changelog's ($VERSION)" [ "$OUT" = "atmos-logout $VERSION" ]
run --help
for flag in --identity --provider --all --dry-run --keychain --force --config --user --output \
            --quiet --list-identities --help --version ATMOS_IDENTITY ATMOS_KEYRING_TYPE NO_COLOR; do
    check "--help mentions $flag" has "$OUT" "$flag"
done
end

if [ ! -r /usr/share/bash-completion/bash_completion ]; then
    skip "completion" "bash-completion is not installed (make deps installs it)"
else
    begin "bash completion: flags, identities, providers"
    fresh_home
    mkdir -p "$H/.atmos"; cp "$EXAMPLE" "$H/.atmos/atmos.yaml"
    comp() { # words... : prints COMPREPLY
        PATH=$ROOT/${BUILD:-build}:$PATH bash -c '
            source /usr/share/bash-completion/bash_completion
            source "$1"; shift
            COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _atmos_logout; printf "%s\n" "${COMPREPLY[@]}"' _ "$ROOT/etc/bash-completion/atmos-logout.bash" "$@"
    }
    check "flags" bash -c '[[ "$1" == *--provider* ]]' _ "$(comp atmos-logout --pro)"
    check "every flag --help lists" [ "$(comp atmos-logout - | sort | tr '\n' ' ')" = \
        "--all --all-realms --config --dry-run --force --help --identity --keychain --list-identities --list-providers --list-tags --no-revoke --output --profile --provider --quiet --status --tags --timeout --user --verbose --version " ]
    check "providers" [ "$(comp atmos-logout --provider '' | tr '\n' ' ')" = "aws-sso partner-sso " ]
    check "tags: none configured, no identity offered" [ -z "$(comp atmos-logout --tags '')" ]
    sed 's|^      start_url: https://example-org.awsapps.com/start|&\n      tags: [prod, team-a]|' "$EXAMPLE" >"$H/tagged.yaml"
    check "tags of --config, after a comma" [ "$(comp atmos-logout -c "$H/tagged.yaml" --tags prod,t | tr '\n' ' ')" = "prod,team-a " ]
    check "--timeout: nothing offered" [ -z "$(comp atmos-logout --user x --timeout '')" ]
    check "identities" [ "$(comp atmos-logout dev | tr '\n' ' ')" = "dev-admin dev-org-admin " ]
    check "a second identity" [ "$(comp atmos-logout ci-user dev | tr '\n' ' ')" = "dev-admin dev-org-admin " ]
    end
fi

# zsh and fish: the same flags as --help (the option table), names through atmos-logout.
HELP_FLAGS=$("$BIN" --help | sed -n 's/^  \(-[[:alnum:]], \)\{0,1\} *\(--[[:alnum:]-]*\).*/\2/p' | sort | tr '\n' ' ')
# The example in ~/.atmos (no tags), and a copy with tags that only --config names.
ctx_home() {
    fresh_home
    mkdir -p "$H/.atmos"; cp "$EXAMPLE" "$H/.atmos/atmos.yaml"
    sed 's|^      start_url: https://example-org.awsapps.com/start|&\n      tags: [prod, team-a]|' "$EXAMPLE" >"$H/tagged.yaml"
}
if ! command -v zsh >/dev/null; then
    skip "zsh completion" "zsh is not installed (make deps installs it)"
else
    begin "zsh completion: syntax, every flag, a real completion run"
    ZF=$ROOT/etc/zsh-completion/_atmos-logout
    check "zsh -n" zsh -n "$ZF"
    check "first line #compdef" [ "$(head -1 "$ZF")" = "#compdef atmos-logout" ]
    # A flag of a spec follows a quote, a brace, a comma or a closing parenthesis; one in a
    # description follows a space.
    zflags=$(grep -oE -- "['{,)]--[a-z][a-z-]*" "$ZF" | cut -c2- | sort -u | tr '\n' ' ')
    check "every flag --help lists, no other ($zflags)" [ "$zflags" = "$HELP_FLAGS" ]
    ctx_home
    zcomp() { PATH=$ROOT/${BUILD:-build}:$PATH timeout 30 zsh -f "$ROOT/tests/e2e/zsh_complete.zsh" "$ROOT/etc/zsh-completion" "$TMPROOT/zhits" "$1"; grep . "$TMPROOT/zhits" 2>/dev/null | sort -u | tr '\n' ' '; }
    check "flags" [ "$(zcomp 'atmos-logout --all-r')" = "--all-realms " ]
    check "providers" [ "$(zcomp 'atmos-logout --provider ')" = "aws-sso partner-sso " ]
    check "identities" [ "$(zcomp 'atmos-logout dev')" = "dev-admin dev-org-admin " ]
    check "a second identity" [ "$(zcomp 'atmos-logout ci-user dev')" = "dev-admin dev-org-admin " ]
    check "-i again" [ "$(zcomp 'atmos-logout -i ci-user -i dev')" = "dev-admin dev-org-admin " ]
    check "no tags in the configuration found" [ "$(zcomp 'atmos-logout --tags ')" = "" ]
    check "--config's tags, after a comma" [ "$(zcomp "atmos-logout -c $H/tagged.yaml --tags prod,")" = "prod team-a " ]
    end
fi
if ! command -v fish >/dev/null; then
    skip "fish completion" "fish is not installed (make deps installs it)"
else
    begin "fish completion: syntax, every flag, a real completion run"
    FF=$ROOT/etc/fish-completion/atmos-logout.fish
    check "fish -n" fish -n "$FF"
    fflags=$(grep '^complete ' "$FF" | grep -oE -- ' -l [a-z-]+' | sed 's/ -l /--/' | sort -u | tr '\n' ' ')
    check "every flag --help lists, no other ($fflags)" [ "$fflags" = "$HELP_FLAGS" ]
    ctx_home
    fcomp() { PATH=$ROOT/${BUILD:-build}:$PATH fish --no-config -c "source '$FF'; complete -C \"\$argv[1]\"" "$1" | cut -f1 | sort -u | tr '\n' ' '; }
    check "flags" [ "$(fcomp 'atmos-logout --all-r')" = "--all-realms " ]
    check "providers" [ "$(fcomp 'atmos-logout --provider ')" = "aws-sso partner-sso " ]
    check "identities" [ "$(fcomp 'atmos-logout dev')" = "dev-admin dev-org-admin " ]
    check "a second identity" [ "$(fcomp 'atmos-logout ci-user dev')" = "dev-admin dev-org-admin " ]
    check "no tags in the configuration found" [ "$(fcomp 'atmos-logout --tags ')" = "" ]
    check "--config's tags, after a comma" [ "$(fcomp "atmos-logout -c $H/tagged.yaml --tags prod,")" = "prod,prod prod,team-a " ]
    end
fi

begin "docs agree: the options of --help, the man page and the three completions; --config alike"
"$BIN" --help >"$TMPROOT/help.txt"
DOCS=("$ROOT/docs/atmos-logout.1" "$ROOT/etc/bash-completion/atmos-logout.bash"
      "$ROOT/etc/zsh-completion/_atmos-logout" "$ROOT/etc/fish-completion/atmos-logout.fish")
docs_check() { "$PY" "$ROOT/tests/e2e/docs_options.py" "$TMPROOT/help.txt" "$@"; }
check "every option in each, with the same short letter ($(docs_check "${DOCS[@]}" | tr '\n' ';'))" \
    bash -c '"$@" >/dev/null' _ "$PY" "$ROOT/tests/e2e/docs_options.py" "$TMPROOT/help.txt" "${DOCS[@]}"
# The checker must see a difference: one option planted missing from each kind of source.
"$PY" - "$ROOT/docs/atmos-logout.1" "$TMPROOT/planted.1" <<'PY'
import sys
s = open(sys.argv[1]).read()
i = s.index('.TP\n.BR \\-n ", " \\-\\-dry\\-run'); j = s.index(".TP", i + 3)
open(sys.argv[2], "w").write(s[:i] + s[j:])
PY
OUT=$(docs_check "$TMPROOT/planted.1" "${DOCS[@]:1}"); RC=$?
check "a man page without --dry-run: caught" bash -c '[ "$1" = 1 ] && grep -qxF -- "man page: --dry-run is missing (--help lists it)" <<<"$2"' _ "$RC" "$OUT"
grep -v -- "--all-realms" "${DOCS[2]}" >"$TMPROOT/planted.zsh"
OUT=$(docs_check "${DOCS[0]}" "${DOCS[1]}" "$TMPROOT/planted.zsh" "${DOCS[3]}"); RC=$?
check "a zsh completion without --all-realms: caught" bash -c '[ "$1" = 1 ] && grep -qF -- "zsh completion: --all-realms is missing" <<<"$2"' _ "$RC" "$OUT"
sed 's/instead of the search path/last/' "${DOCS[3]}" >"$TMPROOT/planted.fish"
OUT=$(docs_check "${DOCS[@]:0:3}" "$TMPROOT/planted.fish"); RC=$?
check "a fish completion saying --config is read last: caught" bash -c '[ "$1" = 1 ] && grep -qF -- "fish completion: --config said to be read last" <<<"$2"' _ "$RC" "$OUT"
sed 's/^    --tags)$/    --tagz)/' "${DOCS[1]}" >"$TMPROOT/planted.bash"
OUT=$(docs_check "${DOCS[0]}" "$TMPROOT/planted.bash" "${DOCS[@]:2}"); RC=$?
check "a bash completion not completing --tags' value: caught" bash -c '[ "$1" = 1 ] && grep -qF -- "bash completion (values): --tags is missing" <<<"$2"' _ "$RC" "$OUT"
end

begin "man pages render without warnings"
for page in docs/atmos-logout.1 docs/pam_atmos.8; do
    w=$(cd "$ROOT" && LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
    check "$page: no warnings ($w)" [ -z "$w" ]
    check "$page: renders" bash -c "cd '$ROOT' && man -l '$page' 2>/dev/null | grep -q 'SEE ALSO'"
    check "$page: debian/changelog's version" grep -q "^\.TH .* \"pam_atmos $VERSION\"" "$ROOT/$page"
done
end

begin "make demo installs what the build and the demo need, not the tests' toolchain; make deps all"
# The package lists as each target's recipe has them.
demo_pkgs=$(make -s --no-print-directory -C "$ROOT" -n deps-demo | grep -o 'for p in [^;]*;' | head -1)
demo_pkgs=${demo_pkgs#for p in }; demo_pkgs=${demo_pkgs%; do*}; demo_pkgs=${demo_pkgs%;}
all_pkgs=$(make -s --no-print-directory -C "$ROOT" -n deps | grep -o 'for p in [^;]*;' | head -1)
echo "#   make deps-demo: $demo_pkgs"
check "make deps installs every package make demo does" bash -c 'for p in $1; do [[ " $2 " == *" $p "* ]] || exit 1; done' _ "$demo_pkgs" "${all_pkgs%;}"
demo_cmd=$(make -s --no-print-directory -C "$ROOT" -n demo 2>/dev/null)
check "make demo: none of the tests' toolchain" bash -c '! grep -qwE "libcmocka-dev|valgrind|clang|openssh-server|kubernetes-client|docker.io" <<<"$1"' _ "$demo_cmd"
check "make demo: the build's packages" bash -c 'grep -qw libyaml-dev <<<"$1" && grep -qw libpam0g-dev <<<"$1"' _ "$demo_cmd"
# Every header the build includes comes from make demo's packages or what they depend on.
hdr_pkgs=$(cd "$ROOT" && for f in lib/*.c util/*.c pam_atmos/*.c; do
        cc -M -std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib \
            $(pkg-config --cflags yaml-0.1 json-c nettle libkeyutils libsecret-1) "$f" 2>/dev/null
    done | tr ' \\' '\n\n' | grep '^/' | sort -u | xargs -r realpath | sort -u | xargs -r dpkg -S 2>/dev/null |
    cut -d: -f1 | tr ',' '\n' | tr -d ' ' | sort -u)
closure=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances $demo_pkgs 2>/dev/null | grep -v '^ ' | sort -u)
missing=$(comm -23 <(echo "$hdr_pkgs") <(echo "$closure"))
check "the headers' packages ($(echo $hdr_pkgs)) are make demo's or theirs; not: ($(echo $missing))" \
    bash -c '[ -n "$1" ] && [ -z "$2" ]' _ "$hdr_pkgs" "$missing"
end

begin "make install DESTDIR: files land where the docs say; uninstall removes them"
D=$TMPROOT/destdir
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr BUILD="${BUILD:-build}" >/dev/null 2>&1
arch=$(cc -print-multiarch)
for f in /usr/bin/atmos-logout "/lib/$arch/security/pam_atmos.so" /usr/share/man/man1/atmos-logout.1 \
         /usr/share/man/man8/pam_atmos.8 /usr/share/bash-completion/completions/atmos-logout \
         /usr/share/zsh/vendor-completions/_atmos-logout /usr/share/fish/vendor_completions.d/atmos-logout.fish \
         /usr/share/pam-configs/atmos /usr/share/doc/pam_atmos/examples/atmos.yaml; do
    check "installed $f" exists "$D$f"
    check "documented $f" bash -c "grep -rqF -- '${f#/usr}' '$ROOT/docs' '$ROOT/README.md' || grep -rqF -- '$(basename "$f")' '$ROOT/README.md' '$ROOT/docs'"
done
check "binary runs" bash -c "'$D/usr/bin/atmos-logout' --version | grep -qF '$VERSION'"
make -s -C "$ROOT" uninstall DESTDIR="$D" PREFIX=/usr BUILD="${BUILD:-build}" >/dev/null 2>&1
check "uninstall leaves no files" [ -z "$(find "$D" -type f)" ]
end

if [ "$(id -u)" -ne 0 ]; then
    skip "--user as root" "needs root to create a test user"
else
    begin "--user: root logs out another user, as that user"
    UA=atmos-pam-u$$; HA=$TMPROOT/user-a
    UB=atmos-pam-v$$; HB=$TMPROOT/user-b
    add_test_user "$UA" "$HA"; add_test_user "$UB" "$HB"
    for u in "$UA:$HA" "$UB:$HB"; do
        h=${u#*:}; mkdir -p "$h/.atmos"; bash "$ROOT/etc/examples/populate.sh" "$h"
        cp "$EXAMPLE" "$h/.atmos/atmos.yaml"; chown -R "${u%%:*}:" "$h"
    done
    OUT=$(cd / && "$BIN" --user "$UA" --all 2>&1); RC=$?
    check "exit 0" rc_is 0
    check "the user's files gone" missing "$HA/$SSO"
    check "the other user's kept" exists "$HB/$SSO/credentials"
    check "summary" has "$OUT" "Successfully logged out from 5 identities"
    OUT=$("$BIN" --user "no-such-user-$$" --all 2>&1); RC=$?
    check "unknown user: exit 1" rc_is 1
    OUT=$(setpriv --reuid "$UB" --regid "$UB" --init-groups -- env HOME="$HB" "$BIN" --user "$UA" --all 2>&1); RC=$?
    check "a non-root caller naming another user: exit 1" rc_is 1
    check "refusal says why" has "$OUT" "only root can log out another user"
    check "the refusing caller removed nothing of its own" exists "$HB/$SSO/credentials"
    end

    begin "--user: a stopped run of the user's is killed at --timeout; signals reach it; killed is said"
    h=$HA; rm -rf "$h"; mkdir -p "$h/.atmos"; bash "$ROOT/etc/examples/populate.sh" "$h"
    cp "$EXAMPLE" "$h/.atmos/atmos.yaml"; chown -R "$UA:" "$h"
    # The user's own login holds atmos's lock: the identity logout waits on it, as the user.
    setsid setpriv --reuid "$UA" --regid "$UA" --init-groups -- flock -o "$h/$SSO/credentials.lock" sleep 60 &
    holder=$!
    at_exit "kill -- -$holder 2>/dev/null"
    check "the user's login holds the lock" wait_for 10 lock_held "$h/$SSO/credentials.lock"
    # user_run: the user's atmos-logout (root's command's child), once it runs; "" after 10 s.
    # By its path on the command line: under valgrind the process is the checker's.
    user_run() {
        local p
        for _ in $(seq 200); do
            p=$(pgrep -u "$UA" -f -- '/atmos-logout( |$)' | head -n 1)
            [ -n "$p" ] && { echo "$p"; return; }
            sleep 0.05
        done
    }
    (cd / && exec "$BIN" --user "$UA" --timeout 2 dev-admin) >"$TMPROOT/user.out" 2>&1 &
    root_cmd=$!; bg_track "$root_cmd"
    child=$(user_run)
    start=$(date +%s%N)   # the child runs: root's command's deadline is already counting
    check "the user's run started" [ -n "$child" ]
    [ -n "$child" ] && setpriv --reuid "$UA" --regid "$UA" --init-groups -- kill -STOP "$child"
    # Bounded by the test, not the command: root's command must end on its own.
    for _ in $(seq 200); do kill -0 "$root_cmd" 2>/dev/null || break; sleep 0.05; done
    if kill -0 "$root_cmd" 2>/dev/null; then
        check "root's command ended within 10 s" false
        kill -9 "$root_cmd"
    fi
    wait "$root_cmd"; RC=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    OUT=$(cat "$TMPROOT/user.out")
    echo "#   root's command with a stopped child and --timeout 2: $ms ms"
    check "ended within the timeout plus 2 s" [ "$ms" -lt 4000 ]
    check "exit 124: killed at the timeout" rc_is 124
    check "said so" has "$OUT" "did not finish within 2 s and was killed"
    check "the stopped run is gone" bash -c '! kill -0 "$1" 2>/dev/null' _ "$child"
    check "the lock's holder is not (only the run's group was killed)" kill -0 "$holder"
    check "nothing removed under the lock" section_in "[dev-admin]" "$h/$SSO/credentials"

    # SIGTERM to root's command reaches the user's run, which is reported killed.
    "$BIN" --user "$UA" --timeout 30 dev-admin >"$TMPROOT/user.out" 2>&1 &
    root_cmd=$!; bg_track "$root_cmd"
    child=$(user_run)
    check "the user's run started again" [ -n "$child" ]
    # (no pause needed for the handler: root's command holds the signal until it is in place)
    kill -TERM "$root_cmd"
    for _ in $(seq 200); do kill -0 "$root_cmd" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$root_cmd" 2>/dev/null && { check "SIGTERM ended root's command within 10 s" false; kill -9 "$root_cmd"; }
    wait "$root_cmd"; RC=$?
    OUT=$(cat "$TMPROOT/user.out")
    check "exit 143: ended by SIGTERM, passed on" rc_is 143
    check "said: killed by signal 15" has "$OUT" "was killed by signal 15"
    check "the run is gone" bash -c '! pgrep -u "$1" -f -- "/atmos-logout( |\$)" >/dev/null' _ "$UA"
    kill -- -"$holder" 2>/dev/null; wait "$holder" 2>/dev/null

    # Not stopped and not locked: a normal run ends with its own status.
    OUT=$(cd / && "$BIN" --user "$UA" --timeout 30 dev-admin 2>&1); RC=$?
    check "within the timeout: its own exit status" rc_is 0
    check "and its work done" no_section_in "[dev-admin]" "$h/$SSO/credentials"
    OUT=$("$BIN" --timeout 5 --all 2>&1); RC=$?
    check "--timeout without --user: a usage error" rc_is 2
    OUT=$("$BIN" --user "$UA" --timeout -1 --all 2>&1); RC=$?
    check "--timeout -1: a usage error" rc_is 2
    end
fi
