#!/bin/bash
# Run the whole suite against $BUILD: every cmocka unit binary, the module's
# cases over the fake libpam (tests/fakepam), the end-to-end scripts, then
# the fuzz corpora.  JOBS of them at a time (default: nproc), each with its
# own temporary directories and, as root, its own mount namespace and syslog
# sink (tests/e2e/lib.sh).  Prints a line per part as it ends, with its time,
# the output of each that failed, and one summary line
# "N passed, N failed, N skipped".
#   tests/run.sh [NAME...]   (NAME: test_pam.sh, test_frames, ...: only those)
# HOST_TESTS=1 (make check-host) runs only the tests that change this machine
# (test_deb.sh: dpkg -i, pam-auth-update), which put it back at exit.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
JOBS=${JOBS:-$(nproc)}
passed=0 failed=0 skipped=0
failures=()
HOST_E2E="test_deb.sh"

label="${SAN:+ (ASan+UBSan)}${VALGRIND:+ (valgrind)}"
# Under valgrind: the unit tests, the fake-libpam cases, and every
# integration test that runs the programs itself; not sshd (it loads the
# module), the crash loop (it kills on purpose) or the stress test (timing
# is the point).
VALGRIND_E2E="test_atmos_configs.sh test_aws_paths.sh test_config_sources.sh test_cli.sh test_clouds.sh test_dir_contents.sh test_sso.sh test_revoke.sh test_network_home.sh test_botocore.sh test_pam.sh test_bad_input.sh test_keychain_kernel.sh test_keychain_secret.sh test_people.sh test_root_config.sh test_escape.sh test_realms_tags.sh test_sessions.sh test_browser_state.sh test_github_sts.sh test_kubeconfig.sh test_status.sh"
VG=()
[ -n "${VALGRIND:-}" ] && VG=(valgrind -q --error-exitcode=99 --leak-check=full
                              --errors-for-leak-kinds=definite,indirect)

RUNDIR=$(mktemp -d /tmp/atmos-run.XXXXXX)
# The scripts' syslog sinks are bound over /dev/log in their own namespaces;
# where the machine has none, an empty stand-in to bind over, for this run only.
DEVLOG_MADE=""
if [ "$(id -u)" -eq 0 ] && [ ! -e /dev/log ] && [ -z "${HOST_TESTS:-}" ]; then
    : >/dev/log && DEVLOG_MADE=1
fi
cleanup() {
    local p
    for p in $(jobs -p); do kill "$p" 2>/dev/null; done
    if [ -n "$DEVLOG_MADE" ] && [ -f /dev/log ] && [ ! -s /dev/log ]; then rm -f /dev/log; fi
    rm -rf "$RUNDIR"
}
trap cleanup EXIT
trap 'exit 130' INT; trap 'exit 143' TERM

# Arguments: run only the parts of these names (test_pam.sh, test_frames, "fakepam cases").
ONLY=("$@")
# The parts: KIND NAME COMMAND..., longest first (by the last run's times) so
# that the slowest does not start last.
KIND=() NAME=() CMD=()
part() {
    if [ ${#ONLY[@]} -gt 0 ] && [[ " ${ONLY[*]} " != *" $2 "* ]]; then return; fi
    KIND+=("$1"); NAME+=("$2"); CMD+=("$3")
}
if [ -z "${HOST_TESTS:-}" ]; then
    for t in "$BUILD"/tests/test_*; do
        [ -x "$t" ] && part unit "$(basename "$t")" "$(printf '%q ' "${VG[@]}" "$t")"
    done
    part pam "fakepam cases" "$(printf '%q ' "${VG[@]}" "$BUILD/fakepam/runner" "$BUILD/fakepam/helper" tests/fakepam/cases/*.case)"
fi
for t in tests/e2e/test_*.sh; do
    name=$(basename "$t")
    if [ -n "${HOST_TESTS:-}" ]; then
        [[ " $HOST_E2E " == *" $name "* ]] || continue
    elif [[ " $HOST_E2E " == *" $name "* ]]; then
        continue   # make check-host
    fi
    if [ -n "${VALGRIND:-}" ] && [[ " $VALGRIND_E2E " != *" $name "* ]]; then
        continue
    fi
    part e2e "$name" "bash $(printf '%q' "$t")"
done
TIMES=$BUILD/test-times${SAN:+-asan}${VALGRIND:+-valgrind}
order=$(for i in "${!NAME[@]}"; do
    ms=$(awk -v n="${NAME[$i]}" '$2 == n { print $1 }' "$TIMES" 2>/dev/null | tail -n 1)
    echo "${ms:-999999999} $i"
done | sort -rn | cut -d' ' -f2)

# One line per part, and the output of one that failed (ok lines left out).
report() {
    local i=$1 out rc ms p f s time
    out=$(cat "$RUNDIR/$i.out"); rc=$(cat "$RUNDIR/$i.rc"); ms=$(cat "$RUNDIR/$i.ms")
    time=$(printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)))
    echo "$ms ${NAME[$i]}" >>"$RUNDIR/times"
    if [ "${KIND[$i]}" = unit ]; then
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
        passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
        if [ "$rc" -ne 0 ]; then
            [ -n "$f" ] || failed=$((failed + 1))   # crashed before cmocka could count
            failures+=("${NAME[$i]}")
            printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]'
        fi
        printf 'unit %-22s %s passed, %s failed%s (%s)\n' "${NAME[$i]}" "${p:-0}" "${f:-0}" "$label" "$time"
        return
    fi
    p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out"); s=$(grep -c '^skip ' <<<"$out")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
        [ "$f" -ne 0 ] || failed=$((failed + 1))
        failures+=("${NAME[$i]}")
        printf '%s\n' "$out" | grep -v '^ok '
    else
        grep '^skip ' <<<"$out"
    fi
    printf '%-4s %-22s %s passed, %s failed, %s skipped%s (%s)\n' "${KIND[$i]}" "${NAME[$i]}" "$p" "$f" "$s" "$label" "$time"
}

declare -A running=()   # index -> pid
start_part() {
    local i=$1
    (
        t0=$(date +%s%N)
        eval "${CMD[$i]}" </dev/null >"$RUNDIR/$i.out" 2>&1
        rc=$?
        echo $(( ($(date +%s%N) - t0) / 1000000 )) >"$RUNDIR/$i.ms"
        echo "$rc" >"$RUNDIR/$i.rc"   # last: its presence says the part ended
    ) &
    running[$i]=$!
}
reap() { # report every part that ended
    local i
    for i in "${!running[@]}"; do
        if [ -e "$RUNDIR/$i.rc" ]; then
            wait "${running[$i]}" 2>/dev/null
            unset "running[$i]"
            report "$i"
        fi
    done
}
for i in $order; do
    while [ "${#running[@]}" -ge "$JOBS" ]; do
        wait -n 2>/dev/null
        reap
    done
    start_part "$i"
done
while [ "${#running[@]}" -gt 0 ]; do
    wait -n 2>/dev/null
    reap
done
[ -s "$RUNDIR/times" ] && cp "$RUNDIR/times" "$TIMES" 2>/dev/null

# The fuzz corpora, each input once, as regression tests (first pass only).
if [ -z "${SAN:-}" ] && [ -z "${VALGRIND:-}" ] && [ -z "${NOFUZZ:-}" ] && [ -z "${HOST_TESTS:-}" ] && [ ${#ONLY[@]} -eq 0 ]; then
    for f in "$BUILD"/fuzz/fuzz_*; do
        [ -x "$f" ] || { skipped=$((skipped + 1)); echo "skip - fuzz corpora: $BUILD/fuzz not built (make fuzz-build)"; break; }
        name=${f##*/fuzz_}
        n=$(ls tests/fuzz/corpus_"$name" | wc -l)
        if out=$("$f" tests/fuzz/corpus_"$name"/* 2>&1); then
            passed=$((passed + n))
        else
            failed=$((failed + 1)); failures+=("fuzz_$name")
            printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|Running' | head -5
        fi
        printf 'fuzz %-22s %s inputs replayed\n' "fuzz_$name" "$n"
    done
fi

[ ${#failures[@]} -eq 0 ] || echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
