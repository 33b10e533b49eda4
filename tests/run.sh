#!/bin/bash
# Run the whole suite against $BUILD: every cmocka unit binary, then the
# end-to-end scripts.  Prints one summary line "N passed, N failed[, N skipped]".
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
passed=0 failed=0 skipped=0
failures=()

label="${SAN:+ (ASan+UBSan)}"
for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    out=$("$t" 2>&1); rc=$?
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

for t in tests/e2e/test_*.sh; do
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

[ ${#failures[@]} -eq 0 ] || echo "failing: ${failures[*]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
