#!/bin/bash
# Run the whole suite against $BUILD: every cmocka unit binary, then the
# end-to-end scripts.  Prints one summary line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
passed=0 failed=0 skipped=0
failures=()

label="${SAN:+ (ASan+UBSan)}${VALGRIND:+ (valgrind)}"
# Under valgrind: the unit tests and every integration test that runs the
# programs itself; not sshd (it loads the module), the crash loop (it kills
# on purpose) or the stress test (timing is the point).
VALGRIND_E2E="test_atmos_configs.sh test_aws_paths.sh test_config_sources.sh test_cli.sh test_clouds.sh test_dir_contents.sh test_sso.sh test_revoke.sh test_network_home.sh test_botocore.sh test_pam.sh test_bad_input.sh test_keychain_kernel.sh test_keychain_secret.sh test_people.sh test_root_config.sh test_escape.sh test_realms_tags.sh test_sessions.sh test_browser_state.sh test_github_sts.sh test_kubeconfig.sh"
VG=()
[ -n "${VALGRIND:-}" ] && VG=(valgrind -q --error-exitcode=99 --leak-check=full
                              --errors-for-leak-kinds=definite,indirect)
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("${VG[@]}" "$t" 2>&1); rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' <<<"$out")
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    if [ "$rc" -ne 0 ]; then
        [ -n "$f" ] || failed=$((failed + 1))   # crashed before cmocka could count
        failures+=("$(basename "$t")")
        printf '%s\n' "$out" | grep -v '^\[       OK \]\|^\[ RUN      \]'
    fi
    printf 'unit %-22s %s passed, %s failed%s\n' "$(basename "$t")" "${p:-0}" "${f:-0}" "$label"
done

# The module over the fake libpam (tests/fakepam): every case, as whatever user runs this.
out=$("${VG[@]}" "$BUILD/fakepam/runner" "$BUILD/fakepam/helper" tests/fakepam/cases/*.case 2>&1); rc=$?
p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out")
passed=$((passed + p)); failed=$((failed + f))
if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
    [ "$f" -ne 0 ] || failed=$((failed + 1))
    failures+=("fakepam")
    printf '%s\n' "$out" | grep -v '^ok '
fi
printf 'pam  %-22s %s passed, %s failed%s\n' "fakepam cases" "$p" "$f" "$label"

for t in tests/e2e/test_*.sh; do
    if [ -n "${VALGRIND:-}" ] && [[ " $VALGRIND_E2E " != *" $(basename "$t") "* ]]; then
        continue
    fi
    out=$(bash "$t" 2>&1); rc=$?
    p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out"); s=$(grep -c '^skip ' <<<"$out")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
        [ "$f" -ne 0 ] || failed=$((failed + 1))
        failures+=("$(basename "$t")")
        printf '%s\n' "$out" | grep -v '^ok '
    else
        grep '^skip ' <<<"$out"
    fi
    printf 'e2e  %-22s %s passed, %s failed, %s skipped%s\n' "$(basename "$t")" "$p" "$f" "$s" "$label"
done

# The fuzz corpora, each input once, as regression tests (first pass only).
if [ -z "${SAN:-}" ] && [ -z "${VALGRIND:-}" ] && [ -z "${NOFUZZ:-}" ]; then
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
