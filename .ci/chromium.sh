#!/usr/bin/env bash
# Installs Debian's Chromium for the browser end-to-end test (e2e/chromium_test.go), which
# `go test ./...` then runs: it signs in to the sandbox in a real headless browser and checks
# every page a person sees. apt is shared with other jobs on the machine, hence the lock.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "== chromium: $(chromium --version 2>/dev/null || echo present)"
  exit 0
fi

echo "== installing chromium (for e2e/chromium_test.go)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
lock=/tmp/cdflogin-apt.lock
if ! { flock "$lock" apt-get update -qq && \
       flock "$lock" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
  echo "could not install chromium with apt (needed by e2e/chromium_test.go, the real-browser sign-in test):"
  tail -20 "$log"
  exit 1
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "apt installed chromium but no chromium command is on PATH"
  exit 1
fi
echo "== chromium: $(chromium --version 2>/dev/null)"
