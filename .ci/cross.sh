#!/usr/bin/env bash
# Cross-platform lane: every package, test files included, vets and builds for the platforms cdflogin
# ships to, so that a Linux-only call (a syscall field, a build tag left out) fails here and not on a
# user's Windows or Mac. The binaries themselves run elsewhere: Windows under Wine (.ci/wine.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# -trimpath, as the release builds (.goreleaser.yaml) and the Wine lane do: the packages compiled here
# are then the ones the release reuses from the build cache, instead of compiling every platform twice.
targets=(windows/amd64 windows/arm64 darwin/amd64 darwin/arm64 linux/arm64)
for t in "${targets[@]}"; do
  export GOOS="${t%/*}" GOARCH="${t#*/}"
  echo "== $t: go vet (test files included) and go build"
  if ! go vet -trimpath ./... ; then
    echo "cross lane: go vet failed for $t (see above): a platform file or build tag is missing"; exit 1
  fi
  if ! go build -trimpath -o /dev/null ./... ; then
    echo "cross lane: go build failed for $t (see above)"; exit 1
  fi
  (cd internal/third_party/bubbletea && go vet ./...) || { echo "cross lane: the patched Bubble Tea does not vet for $t"; exit 1; }
done
echo "cross lane: ${#targets[@]} platforms vet and build"
