#!/bin/bash
# 20 atmos-login-like writers, logouts of other identities and lock-free readers at once.
source "$(dirname "$0")/lib.sh"
if [ -n "${VALGRIND:-}" ]; then skip "stress" "not under valgrind (timing is the point)"; exit 0; fi
"$PY" "$ROOT/tests/e2e/stress.py" "$BIN" 20 40
