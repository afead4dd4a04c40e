#!/usr/bin/env bash
# Measures cdflogin as a user meets it and prints one Markdown table
# (median of RUNS runs with min/max; targets flagged, nothing fails on a
# slow machine):
#   - `cdflogin token` on a warm and a cold cache (bench/token.sh) with the
#     HTTP requests the sandbox saw per run
#   - process start of `cdflogin version` and `cdflogin profile list`
#   - HTTP requests per flow (login, warm token, refresh) against the sandbox
#   - the interactive program's first frame, in process and in tmux
#   - peak RSS of a device-code sign-in (plain and in the demo)
#   - idle CPU and terminal output of the live token screen (IDLE, 60s)
#   - binary size, stripped and not
#
#   bench/run.sh                      # RUNS=10 IDLE=60s
#   RUNS=20 IDLE=15s bench/run.sh     # a quicker idle window
#   NO_TMUX=1 bench/run.sh            # without the tmux measurements
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-10}"
idle="${IDLE:-60s}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(go version | cut -d' ' -f3-)" >&2
echo "== commit: $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (+ uncommitted changes)')" >&2

bench/token.sh -runs "$runs" -json >"$tmp/token.json"
extra=()
if [[ -n "${NO_TMUX:-}" ]]; then extra+=(-no-tmux); fi
go run ./bench/internal/runbench -runs "$runs" -idle "$idle" -token-json "$tmp/token.json" "${extra[@]}"
