#!/bin/bash
# A differential test of the editors of other tools' files (issue 37): some
# 190 generated kubeconfigs, docker configs and MSAL caches (editors_cases.py),
# each judged by its own tool -- kubectl, docker and Python's json, msal --
# before and after a real logout in a throwaway HOME (editors_diff.py).
source "$(dirname "$0")/lib.sh"

missing=""
command -v kubectl >/dev/null || missing="$missing kubectl"
command -v docker >/dev/null || missing="$missing docker"
"$PY" -c 'import msal' 2>/dev/null || missing="$missing python3-msal"
if [ -n "$missing" ]; then
    skip "editors judged by their tools" "missing:$missing (make deps installs them)"
    exit 0
fi
unset DBUS_SESSION_BUS_ADDRESS KUBECONFIG DOCKER_CONFIG
export XDG_RUNTIME_DIR=$TMPROOT/run
mkdir -p "$XDG_RUNTIME_DIR"
# Every case runs under its own deadline (editors_diff.py); the whole suite under one more.
timeout -k 10 900 "$PY" "$ROOT/tests/e2e/editors_diff.py" "$BIN" "$TMPROOT" "$ROOT" ||
    echo "# editors_diff.py: exit $?"
