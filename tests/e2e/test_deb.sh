#!/bin/bash
# The Debian packages on this machine: `make deb` builds them (lintian clean),
# dpkg installs them, each file is where the README says, the profile stays off
# until `pam-auth-update --enable atmos`, a login over sshd through the
# system's own /etc/pam.d/sshd and common-session then cleans the session data,
# and a purge leaves no file and common-session byte for byte as before.
# Everything it changes on the machine is put back at exit, also on failure.
# It changes the host, so `make check` leaves it out: `make check-host` runs it.
source "$(dirname "$0")/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
    skip "Debian packages" "needs root to install packages and change /etc/pam.d"; exit 0
fi
if [ -n "${SAN:-}${VALGRIND:-}" ]; then
    skip "Debian packages" "the packages are built the same way in every pass; the normal pass runs this test"
    exit 0
fi
for tool in dpkg-buildpackage dh lintian hardening-check pam-auth-update /usr/sbin/sshd ssh ssh-keygen; do
    command -v "$tool" >/dev/null || { skip "Debian packages" "$tool is not installed (make deps installs it)"; exit 0; }
done
# Our own packages already installed: the test would purge them, and could not
# put them back.  It did not run, and it is not a pass: a failed set-up.
for p in libpam-atmos atmos-logout; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q installed; then
        echo "not ok - Debian packages: $p is installed on this machine; purge it first (the test would)"; exit 1
    fi
done
if [ ! -f /etc/pam.d/sshd ] || ! grep -q '^@include common-session$' /etc/pam.d/sshd; then
    skip "Debian packages" "/etc/pam.d/sshd does not include common-session"; exit 0
fi
if grep -q pam_atmos /etc/pam.d/common-session*; then
    echo "not ok - Debian packages: pam_atmos is already in /etc/pam.d/common-session*; take it out first"; exit 1
fi

# What pam-auth-update and dpkg change, saved to be put back whatever happens.
SAVED=$TMPROOT/saved
mkdir -p "$SAVED/pam.d"
cp -a /etc/pam.d/common-* "$SAVED/pam.d/"
cp -a /var/lib/pam "$SAVED/var-lib-pam"
cp -a /var/cache/debconf/config.dat "$SAVED/config.dat"
# The module's session records (the profile uses its default state_dir).
RECORDS=/run/pam_atmos; RECORDS_EXISTED=$([ -d $RECORDS ] && echo yes)
U_UID=""
restore_machine() {
    dpkg --purge atmos-logout libpam-atmos >/dev/null 2>&1
    if [ -z "$RECORDS_EXISTED" ]; then rm -rf "$RECORDS"; elif [ -n "$U_UID" ]; then rm -rf "$RECORDS/$U_UID.d"; fi
    cp -a "$SAVED"/pam.d/common-* /etc/pam.d/
    rm -rf /var/lib/pam && cp -a "$SAVED/var-lib-pam" /var/lib/pam
    cp -a "$SAVED/config.dat" /var/cache/debconf/config.dat
}
SSHD_PID=""
at_exit '[ -n "$SSHD_PID" ] && kill "$SSHD_PID" 2>/dev/null; restore_machine'
export DEBIAN_FRONTEND=noninteractive

arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
version=$(cd "$ROOT" && dpkg-parsechangelog -S Version)
# The files the README's "Installing on Debian" table names, by package.
PAM_FILES="/lib/$arch/security/pam_atmos.so /usr/lib/$arch/pam_atmos/pam_atmos_helper /usr/share/man/man8/pam_atmos.8.gz
           /usr/share/pam-configs/atmos /usr/share/doc/libpam-atmos/examples/pam.d-sshd
           /etc/security/pam_atmos.conf /usr/share/doc/libpam-atmos/README.Debian"
CLI_FILES="/usr/bin/atmos-logout /usr/share/man/man1/atmos-logout.1.gz
           /usr/share/bash-completion/completions/atmos-logout
           /usr/share/zsh/vendor-completions/_atmos-logout
           /usr/share/fish/vendor_completions.d/atmos-logout.fish
           /usr/share/doc/atmos-logout/examples/atmos.yaml
           /usr/share/doc/atmos-logout/atmos-logout.md.gz"

begin "make deb: two packages, lintian without errors or warnings"
OUT=$(make -s -C "$ROOT" deb 2>&1); RC=$?
check "make deb succeeded" rc_is 0
DEBS=("$ROOT/build/deb/libpam-atmos_${version}_"*.deb "$ROOT/build/deb/atmos-logout_${version}_"*.deb)
check "both packages built" [ -f "${DEBS[0]}" -a -f "${DEBS[1]}" ]
check "no lintian error or warning" bash -c '! grep -E "^[EW]: " <<<"$1"' _ "$OUT"
check "nothing but the two and their -dbgsym" \
    [ "$(cd "$ROOT/build/deb" && ls *.deb *.ddeb 2>/dev/null | sed 's/_.*//' | sort | tr '\n' ' ')" = \
      "atmos-logout atmos-logout-dbgsym libpam-atmos libpam-atmos-dbgsym " ]
check "Depends come from dpkg-shlibdeps" bash -c \
    'dpkg-deb -f "$1" Depends | grep -q libyaml && dpkg-deb -f "$1" Depends | grep -q libjson-c' _ "${DEBS[0]}"
check "the dlopen'ed libraries are recommended" bash -c \
    'dpkg-deb -f "$1" Recommends | grep -q libcurl && dpkg-deb -f "$1" Recommends | grep -q libsecret && dpkg-deb -f "$1" Recommends | grep -q libkeyutils1' _ "${DEBS[1]}"
end
[ "$FAILED_CHECKS" -eq 0 ] || exit 0

begin "dpkg -i: every file where the README says, the profile still off"
OUT=$(dpkg -i "${DEBS[@]}" 2>&1); RC=$?
check "installed" rc_is 0
for f in $PAM_FILES; do
    check "$f in libpam-atmos" bash -c 'dpkg -L libpam-atmos | grep -qxF "$1"' _ "$f"
done
for f in $CLI_FILES; do
    check "$f in atmos-logout" bash -c 'dpkg -L atmos-logout | grep -qxF "$1"' _ "$f"
done
for f in $PAM_FILES $CLI_FILES; do
    check "$f exists" exists "$f"
    check "README names $f" grep -qF -- "${f/$arch/<multiarch>}" "$ROOT/README.md"
done
# Nothing shipped that the README does not name, but each package's copyright
# and changelog, and lintian's override file.
shipped=$(dpkg -L libpam-atmos atmos-logout | while read -r f; do [ -f "$f" ] && echo "$f"; done |
          grep -v '^/usr/share/doc/[^/]*/\(copyright\|changelog.gz\)$\|^/usr/share/lintian/overrides/' | sort)
check "no file the README does not name" \
    [ "$shipped" = "$(printf '%s\n' $PAM_FILES $CLI_FILES | sort)" ]
check "--version is debian/changelog's" [ "$(atmos-logout --version)" = "atmos-logout $version" ]
check "man pages carry that version" bash -c 'zgrep -qF "\"pam_atmos $1\"" "$2" && zgrep -qF "\"pam_atmos $1\"" "$3"' \
    _ "$version" /usr/share/man/man8/pam_atmos.8.gz /usr/share/man/man1/atmos-logout.1.gz
check "common-session unchanged" cmp -s "$SAVED/pam.d/common-session" /etc/pam.d/common-session
check "the options file is a conffile, as shipped" bash -c \
    'dpkg-query -W -f="\${Conffiles}" libpam-atmos | grep -q "^ /etc/security/pam_atmos.conf " &&
     cmp -s "$1/etc/security/pam_atmos.conf" /etc/security/pam_atmos.conf' _ "$ROOT"
check "profile registered, not enabled" grep -qx atmos /var/lib/pam/seen
# Control-flow protection is marked only when every object linked carries it;
# bookworm's glibc start files do not (its ls, sshd and pam_unix.so are
# unmarked too), so it is required only where the toolchain's Scrt1.o has it.
HC_OPTS=()
readelf -n "$(cc -print-file-name=Scrt1.o)" 2>/dev/null | grep -q 'x86 feature: IBT' || HC_OPTS+=(--nocfprotection)
HC=$(hardening-check "${HC_OPTS[@]}" /usr/bin/atmos-logout "/lib/$arch/security/pam_atmos.so" \
     /usr/lib/$arch/pam_atmos/pam_atmos_helper 2>&1); HRC=$?
echo "$HC" | sed 's/^/# /'
check "hardening-check ${HC_OPTS[*]}: every applicable protection" [ "$HRC" -eq 0 ]
# hardening-check recognises only the looping form of stack clash probes; the
# one-page probes of frames just over 4 KiB are what our code has.
if [ "$arch" = x86_64-linux-gnu ]; then
    check "stack clash probes" bash -c 'objdump -d -M intel "$@" | grep -q "or  *QWORD PTR \[rsp\],0x0"' \
        _ /usr/bin/atmos-logout "/lib/$arch/security/pam_atmos.so" /usr/lib/$arch/pam_atmos/pam_atmos_helper
fi
end

# A user whose atmos session data a login over the system's sshd should clean.
U=atmos-deb-$$; UH=$TMPROOT/deb-home
add_test_user "$U" "$UH" /bin/sh || { echo "not ok - useradd failed"; exit 1; }
usermod -p '*' "$U"
U_UID=$(id -u "$U")
populate() {
    mkdir -p "$UH/.atmos" "$UH/.ssh"
    bash "$ROOT/etc/examples/populate.sh" "$UH"
    cp "$EXAMPLE" "$UH/.atmos/atmos.yaml"
    cp "$TMPROOT/id.pub" "$UH/.ssh/authorized_keys"
    chown -R "$U:" "$UH"; chmod 700 "$UH"
}
ssh-keygen -q -t ed25519 -N '' -f "$TMPROOT/id" </dev/null
ssh-keygen -q -t ed25519 -N '' -f "$TMPROOT/host" </dev/null
populate
PORT=$(( 20000 + RANDOM % 20000 ))
cat >"$TMPROOT/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
HostKey $TMPROOT/host
PidFile $TMPROOT/sshd.pid
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
AllowUsers $U
AuthorizedKeysFile .ssh/authorized_keys
EOF
mkdir -p /run/sshd && chmod 755 /run/sshd
# The PAM service is "sshd": /etc/pam.d/sshd, which includes common-session.
/usr/sbin/sshd -D -f "$TMPROOT/sshd_config" -E "$TMPROOT/sshd.log" &
SSHD_PID=$!
listening() { (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; }
wait_for 10 listening || { echo "not ok - sshd did not listen on port $PORT"; exit 1; }
login() {
    timeout 30 ssh -i "$TMPROOT/id" -p "$PORT" -o BatchMode=yes -o StrictHostKeyChecking=no \
        -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR "$U@127.0.0.1" "$@"
}
wait_gone() { wait_for 10 missing "$1"; }

begin "installed but not enabled: a login and logout leave the data"
OUT=$(login 'ls ~/.config/atmos/aws' 2>&1); RC=$?
check "logged in through the system's PAM stack" rc_is 0
check "files there during the session" has "$OUT" aws-sso
sleep 1
check "files still there after logout" exists "$UH/$SSO/credentials"
end

begin "pam-auth-update --enable atmos: common-session only; logout cleans"
OUT=$(pam-auth-update --enable atmos 2>&1); RC=$?
check "enabled" rc_is 0
check "pam_atmos in common-session" grep -q '^session[[:space:]]\+optional[[:space:]]\+pam_atmos.so' /etc/pam.d/common-session
check "common-session-noninteractive unchanged" \
    cmp -s "$SAVED/pam.d/common-session-noninteractive" /etc/pam.d/common-session-noninteractive
OUT=$(login 'ls ~/.config/atmos/aws; echo uid=$(id -u)' 2>&1); RC=$?
check "logged in" rc_is 0
check "files there during the session" has "$OUT" aws-sso
check "session data gone after logout" wait_gone "$UH/$SSO"
# The cleanup goes on after the directory is gone: wait for each item, not only the first.
check "SSO token gone" wait_gone "$UH/.aws/sso/cache/named-session.json"
check "atmos.yaml kept" exists "$UH/.atmos/atmos.yaml"
check "ssh keys kept" exists "$UH/.ssh/authorized_keys"
end

begin "dpkg --purge: no file left, common-session byte for byte as before"
files=$(dpkg -L libpam-atmos atmos-logout | while read -r f; do [ -d "$f" ] || echo "$f"; done)
OUT=$(dpkg --purge atmos-logout libpam-atmos 2>&1); RC=$?
check "purged" rc_is 0
for f in $files; do check "$f removed" missing "$f"; done
for f in "$SAVED"/pam.d/common-*; do
    check "$(basename "$f") as before" cmp -s "$f" "/etc/pam.d/$(basename "$f")"
done
check "not installed" bash -c '! dpkg-query -W -f="\${Status}" libpam-atmos 2>/dev/null | grep -q installed'
end
