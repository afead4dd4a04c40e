#!/usr/bin/env bash
# Wine lane: the real Windows binary, end to end against the sandbox, as a Windows user with no setup
# would run it (no HOME, no CDFLOGIN_HOME): e2e/wine_test.go drives cdflogin.exe under Wine from this
# Linux side (profile add, login --plain with the device code and in a browser opened by rundll32,
# token, env --format powershell, inspect, doctor, import, logout) and checks that files land under
# AppData and that no warning is printed. Windows-only unit tests run here too, as .exe files.
#
# Debian's Wine 8 has no bcryptprimitives.dll, whose ProcessPrng every Go >= 1.22 program calls at
# start: .ci/wine/processprng.c is built with MinGW into the prefix's system32.
set -euo pipefail
cd "$(dirname "$0")/.."

wine=""
for w in /usr/lib/wine/wine64 "$(command -v wine64 || true)"; do
  if [ -n "$w" ] && [ -x "$w" ]; then wine="$w"; break; fi
done
if [ -z "$wine" ] || ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  echo "== installing wine64 and gcc-mingw-w64-x86-64"
  if ! { flock /tmp/cdflogin-apt.lock apt-get update -qq &&
         DEBIAN_FRONTEND=noninteractive flock /tmp/cdflogin-apt.lock apt-get install -y -qq --no-install-recommends wine64 gcc-mingw-w64-x86-64; } >/tmp/cdflogin-ci-wine-apt.log 2>&1; then
    echo "wine lane: could not install wine64 and gcc-mingw-w64-x86-64 with apt:"; tail -20 /tmp/cdflogin-ci-wine-apt.log; exit 1
  fi
  wine=/usr/lib/wine/wine64
fi
wineserver="$(dirname "$wine")/wineserver"
[ -x "$wineserver" ] || wineserver="$(command -v wineserver)"

work="$(mktemp -d)"
export WINEPREFIX="$work/prefix" WINEDEBUG=-all
cleanup() { "$wineserver" -k >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

echo "== Wine prefix ($("$wine" --version))"
# The environment of a Windows user: no HOME (Wine gives the program USERPROFILE and AppData).
if ! env -u HOME "$wine" wineboot --init >"$work/wineboot.log" 2>&1; then
  echo "wine lane: wineboot failed:"; tail -20 "$work/wineboot.log"; exit 1
fi
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  .ci/wine/processprng.c -ladvapi32

echo "== cdflogin.exe (GOOS=windows GOARCH=amd64)"
GOOS=windows GOARCH=amd64 go build -trimpath -o "$work/cdflogin.exe" .
# Wine's server and services outlive the first command and keep its output open: start them here
# with output to a file (never a pipe someone waits on), and keep the server for the whole lane.
"$wineserver" -w
"$wineserver" -p >/dev/null 2>&1 </dev/null
env -u HOME "$wine" "$work/cdflogin.exe" version >"$work/version.txt" 2>&1 </dev/null || true
if ! grep -q 'windows/amd64' "$work/version.txt"; then
  echo "wine lane: cdflogin.exe does not start under Wine:"; cat "$work/version.txt"; exit 1
fi
cat "$work/version.txt"

echo "== Windows-only tests under Wine (internal/privatefs: replacing a file another reader holds open)"
GOOS=windows GOARCH=amd64 go test -c -o "$work/privatefs.test.exe" ./internal/privatefs
if ! "$wine" "$work/privatefs.test.exe" -test.run '^TestReplaceWhileOpen$' -test.v >"$work/privatefs.log" 2>&1 </dev/null ||
   ! grep -q -- '--- PASS: TestReplaceWhileOpen' "$work/privatefs.log"; then
  cat "$work/privatefs.log"; echo "wine lane: internal/privatefs failed under Wine (above)"; exit 1
fi
grep -- '--- PASS' "$work/privatefs.log"

echo "== the Windows binary end to end under Wine (e2e/wine_test.go)"
out="$work/test.log"
# (The test gives cdflogin.exe an environment of its own: no HOME, no CDFLOGIN_HOME.)
if ! CDFLOGIN_WINE_EXE="$work/cdflogin.exe" CDFLOGIN_WINE="$wine" \
     go test -count=1 -v -run '^TestWindowsBinaryUnderWine$' ./e2e >"$out" 2>&1; then
  cat "$out"; echo "wine lane: the Windows binary failed end to end (above)"; exit 1
fi
if ! grep -q -- '--- PASS: TestWindowsBinaryUnderWine' "$out"; then
  cat "$out"; echo "wine lane: the test did not run (skipped?)"; exit 1
fi
tail -3 "$out"
