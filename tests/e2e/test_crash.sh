#!/bin/bash
# SIGKILL atmos-logout at many points during a rewrite (CRASH_RUNS, default 1,000).
source "$(dirname "$0")/lib.sh"
if [ -n "${VALGRIND:-}" ]; then skip "crash loop" "not under valgrind (a kill ends memcheck too)"; exit 0; fi
"$PY" "$ROOT/tests/e2e/crash_loop.py" "$BIN" "${CRASH_RUNS:-1000}"
