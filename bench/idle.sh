#!/usr/bin/env bash
# Measures only the idle cost of the live token screen (CPU time and
# wake-ups of the process over IDLE, default 60s, in tmux), first with the
# Bubble Tea that cdflogin builds with (internal/third_party/bubbletea, patched),
# then with UPSTREAM=1 also with released Bubble Tea v2.1.1, so the patch's
# effect is measured on the same machine at the same time.
#
#   bench/idle.sh                 # patched only
#   UPSTREAM=1 IDLE=30s bench/idle.sh
set -euo pipefail
cd "$(dirname "$0")/.."
idle="${IDLE:-60s}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(go version | cut -d' ' -f3-)" >&2
echo "== commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (+ uncommitted changes)')" >&2

echo "== patched Bubble Tea (as built)" >&2
go run ./bench/internal/runbench -idle-only -idle "$idle"

if [[ -n "${UPSTREAM:-}" ]]; then
  # The same go.mod without the replace line: released Bubble Tea v2.1.1.
  sed '/^replace charm.land\/bubbletea\/v2 /d' go.mod >"$tmp/upstream.mod"
  cp go.sum "$tmp/upstream.sum"
  go mod download -modfile "$tmp/upstream.mod" charm.land/bubbletea/v2
  go mod tidy -modfile "$tmp/upstream.mod" >/dev/null
  echo "== released Bubble Tea v2.1.1 (no patch)" >&2
  go run ./bench/internal/runbench -idle-only -idle "$idle" -modfile "$tmp/upstream.mod"
fi
