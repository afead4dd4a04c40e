#!/usr/bin/env bash
# Runs every Go fuzz target in the module for a while each.
#   bench/fuzz.sh            # 2 minutes per target (the issue's bar)
#   FUZZTIME=2000x bench/fuzz.sh   # quick pass by count, as CI does
# CI fuzzes by count, not by duration: a duration -fuzztime races with the
# fuzzer's own shutdown and fails now and then with "context deadline
# exceeded" (golang/go#75804, fixed in Go 1.27); a count never does.
# Targets are found by grepping for "func FuzzXxx(" in _test.go files, so a
# new target is picked up without editing this script. Findings land in the
# package's testdata/fuzz/FuzzXxx/ folder; commit them as regression seeds.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime="${FUZZTIME:-2m}"
status=0
summary=()
while IFS=: read -r file _ match; do
  pkg="./$(dirname "${file#./}")"
  target="$(sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(.*/\1/' <<<"$match")"
  echo "== $pkg $target ($fuzztime)"
  start=$(date +%s)
  if go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" -parallel 2 >"/tmp/fuzz-$target.log" 2>&1; then
    summary+=("ok    $pkg $target $(( $(date +%s) - start ))s")
  else
    status=1
    summary+=("FAIL  $pkg $target (log: /tmp/fuzz-$target.log)")
    tail -20 "/tmp/fuzz-$target.log"
  fi
done < <(grep -rHn --include='*_test.go' --exclude-dir=third_party -E '^func Fuzz[A-Za-z0-9_]+\(' . | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
printf '%s\n' "${summary[@]}"
exit $status
