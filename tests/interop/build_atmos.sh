#!/bin/bash
# Build the real atmos at a pinned version from the Go module proxy, for the
# interop tests and make bench: build_atmos.sh VERSION OUT
#
#   go mod download github.com/cloudposse/atmos@VERSION, copy that module to
#   $OUT.src, build it with `go build` into $OUT.  Go's own caches (module and
#   build) keep the work between runs: with them warm this takes seconds.
#
# Two of atmos's dependencies are not served by the proxy reachable here:
#   inet.af/netaddr (its host is not allowed): the same code under the name it
#     is hosted at, github.com/inetaf/netaddr, at the same commit;
#   github.com/databus23/helm-diff/v3 (refused at every version): a stub
#     (tests/interop/stub-helm-diff) that makes `atmos helm diff` fail.
# Built with CGO_ENABLED=0 and the version stamped, as atmos builds its
# releases (.goreleaser.yml).
# Nothing under `atmos auth` reaches either.  Exit 0 with OUT built; 2 when Go
# or the proxy is not reachable (the caller says SKIP with the reason on stderr).
set -euo pipefail
version=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
[ -x "$out" ] && exit 0
command -v go >/dev/null || { echo "no Go toolchain (go not on PATH)" >&2; exit 2; }
mod=github.com/cloudposse/atmos@$version
json=$(go mod download -json "$mod" 2>&1) || true
dir=$(sed -n 's/^\t"Dir": "\(.*\)",$/\1/p' <<<"$json")
if [ -z "$dir" ]; then
    why=$(sed -n 's/^\t"Error": "\(.*\)",\{0,1\}$/\1/p' <<<"$json" | head -1)
    echo "go mod download $mod failed: ${why:-$(tail -1 <<<"$json")}" >&2
    exit 2
fi
src=$out.src
rm -rf "$src" && mkdir -p "$(dirname "$out")"
cp -r "$dir" "$src" && chmod -R u+w "$src"
cp -r "$here/stub-helm-diff" "$src/.stub-helm-diff"
cat >>"$src/go.mod" <<MOD

replace inet.af/netaddr => github.com/inetaf/netaddr v0.0.0-20230525184311-b8eac61e914a

replace github.com/databus23/helm-diff/v3 => ./.stub-helm-diff
MOD
cd "$src"
if ! CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
        -ldflags "-s -w -X github.com/cloudposse/atmos/pkg/version.Version=${version#v}" -o "$out.tmp" . 2>"$out.log"; then
    echo "go build of $mod failed (log: $out.log): $(grep -m1 -v '^go: downloading' "$out.log")" >&2
    exit 2
fi
mv "$out.tmp" "$out"
cd / && rm -rf "$src"
