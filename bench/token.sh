#!/usr/bin/env bash
# Measures `cdflogin token` on a warm and a cold cache against the sandbox:
# median/min/max wall time of the whole process and the HTTP requests the
# sandbox received per run (0 on a warm cache, or the script fails).
#   bench/token.sh              # 20 runs per case
#   bench/token.sh -runs 50 -json
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./bench/tokenbench "$@"
