#!/usr/bin/env bash
# CI lane: the release. Runs the release command that docs/install.md documents
# (a snapshot: nothing is published), then checks what it made from the outside:
# the archives and their contents, checksums.txt, the stamped version of the
# linux/amd64 binary taken from its archive, the man page and completions
# (driven in real bash and fish), the Homebrew cask and Scoop manifest, a
# second build of the same commit elsewhere with an empty build cache (same
# bytes), a plain `go build` reading the VCS revision, and the container image
# (built with buildah, no daemon) running `token -p ci` against the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
lane_start=$SECONDS

fail() { echo "release: FAIL: $*" >&2; exit 1; }
step() { echo "== release: $* ($((SECONDS - lane_start)) s)"; }

tmp=$(mktemp -d)
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "run as root (as CI does): buildah builds and runs the image, and the test volume is given to another user"

# ---- what the checks need, from Debian's packages
need=()
command -v buildah >/dev/null || need+=(buildah)
[ -f /usr/share/bash-completion/bash_completion ] || need+=(bash-completion)
command -v fish >/dev/null || need+=(fish)
command -v zsh >/dev/null || need+=(zsh)
command -v groff >/dev/null || need+=(groff-base)
command -v unzip >/dev/null || need+=(unzip)
command -v ruby >/dev/null || need+=(ruby)
command -v jq >/dev/null || need+=(jq)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  if ! (flock /tmp/cdflogin-apt.lock apt-get update -qq &&
        flock /tmp/cdflogin-apt.lock apt-get install -y -qq "${need[@]}") >"$tmp/apt.log" 2>&1; then
    tail -20 "$tmp/apt.log"; fail "could not install ${need[*]} with apt-get"
  fi
fi

# Reproducibility is checked against the commit, so the commit must be what is built.
git diff --quiet HEAD -- || fail "the work tree has uncommitted changes to tracked files: commit them first (the lane checks that the commit rebuilds to the same bytes)"
commit=$(git rev-parse HEAD)
commit_date=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)

# GoReleaser reads the remote's URL; a checkout without a remote (a git
# worktree, a local copy) gets the project's, for this process only.
if ! git ls-remote --get-url >/dev/null 2>&1 || [ -z "$(git remote)" ]; then
  export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=remote.origin.url GIT_CONFIG_VALUE_0=https://github.com/cognite-tools/cdflogin.git
fi

# ---- the tool: pinned in internal/tools/go.mod, built once into the build cache
step "GoReleaser (internal/tools/go.mod), from the build cache or built into it"
t0=$SECONDS
goreleaser=$(go tool -n -modfile=internal/tools/go.mod goreleaser)
"$goreleaser" --version >/dev/null || fail "the pinned GoReleaser does not run"
echo "tool ready in $((SECONDS - t0)) s: $("$goreleaser" --version 2>/dev/null | sed -n 's/^GitVersion: *//p')"

# ---- the documented command
step "go tool -modfile=internal/tools/go.mod goreleaser release --snapshot --clean"
t0=$SECONDS
go tool -modfile=internal/tools/go.mod goreleaser release --snapshot --clean >"$tmp/goreleaser.log" 2>&1 ||
  { tail -40 "$tmp/goreleaser.log"; fail "the snapshot release failed (log above)"; }
echo "snapshot release took $((SECONDS - t0)) s"

version=$(jq -r .version dist/metadata.json)
[ -n "$version" ] && [ "$version" != null ] || fail "dist/metadata.json names no version"
case "$version" in *"${commit:0:7}"*) ;; *) fail "snapshot version $version does not name commit ${commit:0:7}" ;; esac
echo "version $version, commit $commit, commit date $commit_date"

# ---- six archives and the checksums
step "archives and checksums.txt"
want=()
for os in darwin linux windows; do
  for arch in amd64 arm64; do
    ext=tar.gz; [ $os = windows ] && ext=zip
    want+=("cdflogin_${version}_${os}_${arch}.${ext}")
  done
done
got=$(cd dist && ls -1 ./*.tar.gz ./*.zip 2>/dev/null | sed 's|^\./||' | sort)
[ "$got" = "$(printf '%s\n' "${want[@]}" | sort)" ] || fail "dist/ has these archives:
$got
want exactly:
$(printf '%s\n' "${want[@]}")"
[ "$(awk '{print $2}' dist/checksums.txt | sort)" = "$got" ] || fail "checksums.txt does not list exactly the six archives:
$(cat dist/checksums.txt)"
(cd dist && sha256sum --strict -c checksums.txt) || fail "checksums.txt does not verify"
awk 'length($1) != 64 { exit 1 }' dist/checksums.txt || fail "checksums.txt has a checksum that is not SHA-256"

contents_want="LICENSE
README.md
completions/_cdflogin
completions/cdflogin.bash
completions/cdflogin.fish
completions/cdflogin.ps1
man/cdflogin.1"
for a in "${want[@]}"; do
  case "$a" in
    *.zip) list=$(unzip -Z1 "dist/$a"); bin=cdflogin.exe ;;
    *) list=$(tar -tzf "dist/$a"); bin=cdflogin ;;
  esac
  [ "$(sort <<<"$list")" = "$(sort <<<"$contents_want"$'\n'"$bin")" ] || fail "$a holds:
$list
want the binary $bin and:
$contents_want"
done
echo "6 archives, each with the binary, README.md, LICENSE, man/cdflogin.1 and 4 completions; checksums.txt verifies"

# ---- the linux/amd64 binary, from its archive, as a user gets it
step "the linux/amd64 binary from its archive"
x=$tmp/linux_amd64
mkdir -p "$x"
tar -xzf "dist/cdflogin_${version}_linux_amd64.tar.gz" -C "$x"
"$x/cdflogin" version >"$tmp/version.txt"
cat "$tmp/version.txt"
[ "$(head -1 "$tmp/version.txt")" = "cdflogin $version" ] || fail "cdflogin version does not print the stamped version $version"
grep -qx "commit:   $commit" "$tmp/version.txt" || fail "cdflogin version does not print commit $commit"
grep -qx "date:     $commit_date" "$tmp/version.txt" || fail "cdflogin version does not print the commit date $commit_date"
cmp -s "$tmp/version.txt" <("$x/cdflogin" --version) || fail "cdflogin --version differs from cdflogin version"
"$x/cdflogin" version --json >"$tmp/version.json"
jq -e --arg v "$version" --arg c "$commit" --arg d "$commit_date" \
  '.version == $v and .commit == $c and .date == $d and .modified == false and .source == "release" and .platform == "linux/amd64"' \
  "$tmp/version.json" >/dev/null || fail "version --json is not the stamped build: $(cat "$tmp/version.json")"
go version -m "$x/cdflogin" >"$tmp/buildinfo.txt"
grep -q 'build[[:space:]]CGO_ENABLED=0' "$tmp/buildinfo.txt" || fail "the binary was not built with CGO_ENABLED=0"
grep -q 'build[[:space:]]-trimpath=true' "$tmp/buildinfo.txt" || fail "the binary was not built with -trimpath"
# (-trimpath leaves -ldflags out of the build information, so look at the symbols.)
if go tool nm "$x/cdflogin" >/dev/null 2>&1; then fail "the binary has a symbol table: it is not stripped (-s -w)"; fi
if grep -q 'vcs.revision' "$tmp/buildinfo.txt"; then fail "the release binary carries Go's VCS stamp (-buildvcs=false keeps a worktree and a clone alike)"; fi
if grep -q "$root" "$x/cdflogin"; then fail "the binary holds the checkout's path ($root)"; fi
echo "static (CGO_ENABLED=0), -trimpath, stripped; version, commit and date stamped"
unzip -Z1 "dist/cdflogin_${version}_windows_amd64.zip" | grep -qx cdflogin.exe || fail "the windows/amd64 zip holds no cdflogin.exe"
unzip -Z1 "dist/cdflogin_${version}_windows_arm64.zip" | grep -qx cdflogin.exe || fail "the windows/arm64 zip holds no cdflogin.exe"

# ---- man page and completions: one source, and they work
step "man page and completions"
cmp -s "$x/man/cdflogin.1" docs/reference/man/cdflogin.1 || fail "the shipped man page is not docs/reference/man/cdflogin.1"
warnings=$(groff -man -ww -z -Tutf8 "$x/man/cdflogin.1" 2>&1) || fail "groff cannot read the man page: $warnings"
[ -z "$warnings" ] || fail "groff warns about the man page:
$warnings"
MANWIDTH=80 man -l "$x/man/cdflogin.1" 2>/dev/null | grep -q 'cdflogin token' || fail "man does not show the token command"
for pair in bash:cdflogin.bash zsh:_cdflogin fish:cdflogin.fish powershell:cdflogin.ps1; do
  shell=${pair%%:*} file=${pair#*:}
  cmp -s "$x/completions/$file" <("$x/cdflogin" completion "$shell") ||
    fail "completions/$file in the archive differs from: cdflogin completion $shell (regenerate: go run ./internal/gendocs)"
done
zsh -n "$x/completions/_cdflogin" || fail "zsh cannot parse completions/_cdflogin"
home=$tmp/home
CDFLOGIN_HOME=$home "$x/cdflogin" profile add dev --tenant contoso.onmicrosoft.com --client-id 1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d \
  --cluster westeurope-1 --project acme-dev --flow browser --default 2>/dev/null
CDFLOGIN_HOME=$home "$x/cdflogin" profile add ci --tenant contoso.onmicrosoft.com --client-id 1b2c3d4e-5f60-4a1b-8c9d-0e1f2a3b4c5d \
  --cluster westeurope-1 --project acme-prod --flow secret --secret-env IDP_CLIENT_SECRET 2>/dev/null
# bash with bash-completion, as a person's shell has it: cdflogin token -p <TAB>
bash_got=$(CDFLOGIN_HOME=$home PATH="$x:$PATH" bash -c '
  source /usr/share/bash-completion/bash_completion
  source "$1"
  COMP_WORDS=(cdflogin token -p ""); COMP_CWORD=3; COMP_LINE="cdflogin token -p "; COMP_POINT=${#COMP_LINE}
  __start_cdflogin cdflogin "" -p 2>/dev/null # compopt: not in a real completion
  printf "%s\n" "${COMPREPLY[@]}"' _ "$x/completions/cdflogin.bash" | sort)
[ "$bash_got" = "$(printf 'ci\ndev')" ] || fail "bash: cdflogin token -p <TAB> offers:
$bash_got
want ci and dev"
bash_prefix=$(CDFLOGIN_HOME=$home PATH="$x:$PATH" bash -c '
  source /usr/share/bash-completion/bash_completion
  source "$1"
  COMP_WORDS=(cdflogin login --profile d); COMP_CWORD=3; COMP_LINE="cdflogin login --profile d"; COMP_POINT=${#COMP_LINE}
  __start_cdflogin cdflogin d --profile 2>/dev/null
  printf "%s\n" "${COMPREPLY[@]}"' _ "$x/completions/cdflogin.bash")
[ "$bash_prefix" = dev ] || fail "bash: cdflogin login --profile d<TAB> offers: $bash_prefix (want dev)"
fish_got=$(CDFLOGIN_HOME=$home PATH="$x:$PATH" fish --no-config -c "source $x/completions/cdflogin.fish; complete -C 'cdflogin token -p '" | sort)
[ "$fish_got" = "$(printf 'ci\tacme-prod on westeurope-1 (secret)\ndev\tacme-dev on westeurope-1 (browser), default')" ] ||
  fail "fish: cdflogin token -p <TAB> offers:
$fish_got"
# zsh: the shipped _cdflogin function itself, in zsh, asking the binary; only _describe (zsh's
# menu, which needs a terminal) is replaced by one that prints what it was given.
zsh_got=$(CDFLOGIN_HOME=$home PATH="$x:$PATH" zsh -f -c '
  compdef() { : }
  _describe() { local name=$2; [[ $1 == -V ]] && name=$3; print -rl -- "${(@P)name}" }
  source "$1"
  words=(cdflogin token -p ""); CURRENT=4
  _cdflogin' _ "$x/completions/_cdflogin" | sort)
[ "$zsh_got" = "$(printf 'ci:acme-prod on westeurope-1 (secret)\ndev:acme-dev on westeurope-1 (browser), default')" ] ||
  fail "zsh: cdflogin token -p <TAB> offers:
$zsh_got"
echo "man page lints clean with groff; bash, zsh and fish complete -p with the profiles (ci, dev)"

# ---- package managers
step "Homebrew cask and Scoop manifest"
cask=dist/homebrew/Casks/cdflogin.rb
[ -f "$cask" ] || fail "no Homebrew cask in dist/homebrew/Casks"
ruby -c "$cask" >/dev/null || fail "$cask is not valid Ruby"
grep -q "version \"$version\"" "$cask" || fail "$cask does not name version $version"
for a in darwin_amd64 darwin_arm64 linux_amd64 linux_arm64; do
  sum=$(awk -v f="cdflogin_${version}_${a}.tar.gz" '$2 == f {print $1}' dist/checksums.txt)
  grep -q "sha256 \"$sum\"" "$cask" || fail "$cask lacks the checksum of the $a archive"
done
for line in 'binary "cdflogin"' 'manpage "man/cdflogin.1"' 'bash_completion "completions/cdflogin.bash"' \
             'zsh_completion "completions/_cdflogin"' 'fish_completion "completions/cdflogin.fish"'; do
  grep -qF "$line" "$cask" || fail "$cask lacks: $line"
done
scoop=dist/scoop/cdflogin.json
jq -e --arg v "$version" \
  --arg a64 "$(awk -v f="cdflogin_${version}_windows_amd64.zip" '$2 == f {print $1}' dist/checksums.txt)" \
  --arg arm "$(awk -v f="cdflogin_${version}_windows_arm64.zip" '$2 == f {print $1}' dist/checksums.txt)" \
  '.version == $v and .architecture["64bit"].hash == $a64 and .architecture.arm64.hash == $arm
   and .architecture["64bit"].bin == ["cdflogin.exe"] and (.architecture["64bit"].url | endswith("_windows_amd64.zip"))' \
  "$scoop" >/dev/null || fail "$scoop does not match the Windows archives: $(cat "$scoop")"
echo "cask: valid Ruby, version, 4 checksums, binary, man page, 3 completions; scoop: 2 checksums and cdflogin.exe"

# ---- reproducible: the same commit, another folder, an empty build cache -> the same bytes
step "a second build of $commit elsewhere with an empty build cache"
t0=$SECONDS
git clone -q --no-hardlinks "$root" "$tmp/again"
git -C "$tmp/again" checkout -q --detach "$commit"
(cd "$tmp/again" && GOCACHE="$tmp/gocache" GOOS=linux GOARCH=amd64 \
  "$goreleaser" build --snapshot --clean --single-target --id cdflogin --skip=before >"$tmp/again.log" 2>&1) ||
  { tail -20 "$tmp/again.log"; fail "the second build failed"; }
again=$tmp/again/dist/cdflogin_linux_amd64_v1/cdflogin
echo "first:  $(sha256sum "$x/cdflogin" | cut -c1-64) (archive)"
echo "second: $(sha256sum "$again" | cut -c1-64) ($((SECONDS - t0)) s, empty GOCACHE, other path)"
cmp "$x/cdflogin" "$again" || fail "the same commit built twice gave different binaries: the release is not reproducible"

# ---- a plain go build from a checkout reads Go's VCS stamp
step "plain go build from a clone"
# -buildvcs=true: a machine may set GOFLAGS=-buildvcs=false; a person's go build stamps by default.
(cd "$tmp/again" && go build -buildvcs=true -o "$tmp/plain" .) || fail "go build in a clone failed"
"$tmp/plain" version --json >"$tmp/plain.json"
jq -e --arg c "$commit" '.commit == $c and .modified == false and .source == "go" and (.version | startswith("v0.0.0-"))' \
  "$tmp/plain.json" >/dev/null || fail "a plain go build does not report the VCS revision: $(cat "$tmp/plain.json")"
"$tmp/plain" version

# ---- the container image: scratch + CA bundle + binary; token -p ci with a mounted profile and env: secret
step "container image (buildah, no daemon) running token -p ci against the sandbox"
bah=(buildah --root "$tmp/containers" --runroot "$tmp/containers-run" --storage-driver vfs)
ctx=$tmp/image-context
mkdir -p "$ctx/linux/amd64"
cp "$x/cdflogin" "$ctx/linux/amd64/cdflogin"
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
"${bah[@]}" bud -q --isolation chroot --build-arg TARGETPLATFORM=linux/amd64 -f Dockerfile -t "localhost/cdflogin:$version" "$ctx" >/dev/null 2>"$tmp/bud.log" ||
  { cat "$tmp/bud.log"; fail "buildah could not build the Dockerfile"; }
cfg=$("${bah[@]}" inspect --type image "localhost/cdflogin:$version" | jq .OCIv1.config)
jq -e '.User == "65532:65532" and .Entrypoint == ["/usr/local/bin/cdflogin"] and (.Env | index("HOME=/home/cdflogin"))' <<<"$cfg" >/dev/null ||
  fail "the image's config is not the Dockerfile's: $cfg"
cid=$("${bah[@]}" from -q "localhost/cdflogin:$version")
mnt=$("${bah[@]}" mount "$cid")
files=$(cd "$mnt" && find . -type f | sort)
[ "$files" = "$(printf './etc/ssl/certs/ca-certificates.crt\n./usr/local/bin/cdflogin')" ] || fail "the image holds more than the binary and the CA bundle:
$files"
"${bah[@]}" umount "$cid" >/dev/null
# The sandbox (a local Entra tenant and CDF) on loopback, started from the same binary.
cihome=$tmp/ci-home
mkdir -p "$cihome"
"$x/cdflogin" sandbox --write-ca "$cihome/sandbox-ca.pem" --write-settings "$tmp/sandbox.json" >"$tmp/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 100); do [ -s "$tmp/sandbox.json" ] && break; sleep 0.2; done
[ -s "$tmp/sandbox.json" ] || { cat "$tmp/sandbox.log"; fail "the sandbox did not start"; }
s=$tmp/sandbox.json
cat >"$cihome/profiles.yaml" <<EOF
profiles:
  ci:
    tenant: $(jq -r .tenant_id "$s")
    client_id: $(jq -r '.apps[] | select(.key == "secret") | .client_id' "$s")
    cluster: westeurope-1
    project: $(jq -r .project "$s")
    flow: secret
    client_secret: env:IDP_CLIENT_SECRET
    authority: $(jq -r .authority "$s")
    cdf_url: $(jq -r .cdf_url "$s")
    ca_file: /cdflogin/sandbox-ca.pem
EOF
# As in CI: the folder belongs to the job's user (not the image's), 0700/0600.
chown -R 1234:1234 "$cihome"; chmod 700 "$cihome"; chmod 600 "$cihome/profiles.yaml"
run_token() {
  # buildah run shares the host's network, as docker run --network host does.
  "${bah[@]}" run --isolation chroot --user 1234:1234 --volume "$cihome:/cdflogin" \
    --env CDFLOGIN_HOME=/cdflogin --env IDP_CLIENT_SECRET='sandbox-secret~Q8x7.Fq2-local-only' \
    "$cid" -- /usr/local/bin/cdflogin token -p ci
}
run_token >"$tmp/token1.out" 2>"$tmp/token1.err" || { cat "$tmp/token1.err"; fail "token -p ci failed in the container"; }
grep -Eq '^eyJ[A-Za-z0-9_.-]+$' "$tmp/token1.out" || fail "token -p ci in the container printed no token: $(cat "$tmp/token1.out")"
[ ! -s "$tmp/token1.err" ] || fail "token -p ci in the container said on stderr: $(cat "$tmp/token1.err")"
[ -n "$(find "$cihome/cache" -type f 2>/dev/null)" ] || fail "the token cache was not written to the mounted CDFLOGIN_HOME"
run_token >"$tmp/token2.out" 2>"$tmp/token2.err" || { cat "$tmp/token2.err"; fail "the second token -p ci failed"; }
cmp -s "$tmp/token1.out" "$tmp/token2.out" || fail "the second run did not use the cached token"
"${bah[@]}" rm "$cid" >/dev/null
echo "image: 2 files, user 65532; token -p ci with the profile on a volume and the secret from env: printed a token, cached it in the volume, reused it"

step "passed in $((SECONDS - lane_start)) s"
