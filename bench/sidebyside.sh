#!/usr/bin/env bash
# cdflogin and int128/kubelogin side by side against the sandbox: warm,
# cold client-credential token, refresh, version, a hello-world Go process,
# peak RSS and stripped size, in paired interleaved runs; prints medians
# and ratios (bench/sidebyside/main.go says how). kubelogin is built from
# the Go module proxy at the pinned version (KUBELOGIN=path uses a binary).
#   bench/sidebyside.sh             # 30 pairs per figure
#   bench/sidebyside.sh -pairs 50 -json
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/sidebyside "$@"
