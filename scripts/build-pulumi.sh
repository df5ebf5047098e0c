#!/usr/bin/env bash
# Builds the Pulumi CLI, the Node.js language host and the dynamic provider launcher from
# Go modules into DEST (a per-user cache keyed by version). Used by scripts/setup.sh when no
# recent enough `pulumi` is on PATH, after scripts/preflight.sh has checked Go and the free disk.
# Takes minutes the first time; prints progress.
#
# Everything is made in one temporary directory next to DEST (.build-PID.XXXXXX): the Go module
# cache, the build cache and the binaries. Only a finished build is renamed to DEST, so an
# interrupted one (Ctrl-C, a kill) leaves no DEST that the next run would trust; the temporary
# directory is removed when the build ends, however it ends (a trap), and a later build removes
# the ones left by builds that were killed outright (their PID is gone). The user's own Go caches
# (~/go, ~/.cache/go-build) are neither read nor filled.
#
# Layout of DEST: bin/pulumi, bin/pulumi-resource-pulumi-nodejs, libexec/pulumi-language-nodejs
# (the real host; scripts/setup.sh puts the wrapper that passes the project's runtime options
# at bin/pulumi-language-nodejs).
#
# Why a wrapper module: `go install MODULE@VERSION` refuses pkg/v3 because its go.mod has
# replace directives. A main module of our own that requires it is not bound by them.
set -euo pipefail

: "${PULUMI_VERSION:?}" "${LANGUAGE_HOST_SDK_VERSION:?}" "${DEST:?}"
command -v go >/dev/null || { echo "setup: Go is needed to build the Pulumi CLI (https://go.dev/dl/, or install Pulumi from pulumi.com)" >&2; exit 1; }

parent=$(dirname "$DEST")
mkdir -p "$parent"
# Left by builds killed without a chance to clean up (SIGKILL, a power cut): their PID is gone.
for old in "$parent"/.build-*; do
  [ -d "$old" ] || continue
  pid=${old##*/.build-}; pid=${pid%%.*}
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then continue; fi
  echo "[setup] removing $old, left by an interrupted build" >&2
  chmod -R u+w "$old" 2>/dev/null || true
  rm -rf "$old"
done

work=$(mktemp -d "$parent/.build-$$.XXXXXX")
cleanup() { chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
trap 'echo "[setup] build interrupted: nothing kept" >&2; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
mkdir -p "$work/out/bin" "$work/out/libexec" "$work/tmp"
# A throwaway GOPATH, module cache and build cache inside $work (-modcacherw: removable without
# chmod); GOTMPDIR too, so the build uses one file system, the one preflight measured.
export GOPATH="$work/gopath" GOMODCACHE="$work/gopath/pkg/mod" GOCACHE="$work/gocache" GOTMPDIR="$work/tmp"
export CGO_ENABLED=0 GOFLAGS="-mod=mod -modcacherw" GOTOOLCHAIN=local
ldflags_for() { echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$1"; }

step() { printf '[setup] %s  %s\n' "$(date +%T)" "$*"; }
# go build -v names each package as it compiles it: turn that into a progress line every 100.
progress() { awk -v what="$1" '/ / { print; next } { n++; if (n % 100 == 0) { printf "[setup]   %s: %d packages compiled\n", what, n; fflush() } } END { printf "[setup]   %s: %d packages compiled\n", what, n }'; }
build() { # build WHAT DIR VERSION OUT PKG
  (cd "$2" && go build -v -trimpath -tags osusergo,grpcnotrace -ldflags "$(ldflags_for "$3")" -o "$4" "$5" 2>&1) | progress "$1"
}
# The wrapper module's go line: the highest of its requirements' (go mod tidy raises it anyway).
go_line() { (cd "$work" && go list -m -f '{{.GoVersion}}' "$@" | sort -V | tail -n1); }

# 1. The CLI: pkg/v3/cmd/pulumi and sdk/v3 at the same release.
step "building pulumi v$PULUMI_VERSION (pkg/v3/cmd/pulumi): module download and compile take several minutes"
mkdir -p "$work/cli"
cli_go=$(go_line "github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION")
cat >"$work/cli/go.mod" <<EOF
module pulumi-netns.local/build/cli

go $cli_go

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)
EOF
cat >"$work/cli/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
EOF
(cd "$work/cli" && go mod tidy -e >/dev/null 2>"$work/tidy.log" || { cat "$work/tidy.log" >&2; exit 1; })
step "modules resolved; compiling pulumi"
build pulumi "$work/cli" "$PULUMI_VERSION" "$work/out/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# 2. The Node.js language host (see scripts/versions.env for why this version).
step "building pulumi-language-nodejs (sdk/v3 v$LANGUAGE_HOST_SDK_VERSION)"
mkdir -p "$work/host"
host_go=$(go_line "github.com/pulumi/pulumi/sdk/v3@v$LANGUAGE_HOST_SDK_VERSION")
cat >"$work/host/go.mod" <<EOF
module pulumi-netns.local/build/host

go $host_go

require github.com/pulumi/pulumi/sdk/v3 v$LANGUAGE_HOST_SDK_VERSION
EOF
cat >"$work/host/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
EOF
(cd "$work/host" && go mod tidy -e >/dev/null 2>"$work/tidy.log" || { cat "$work/tidy.log" >&2; exit 1; })
build pulumi-language-nodejs "$work/host" "$LANGUAGE_HOST_SDK_VERSION" "$work/out/libexec/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs

# 3. The dynamic provider launcher, a small script shipped in the SDK module.
step "installing the dynamic provider launcher pulumi-resource-pulumi-nodejs"
sdkdir=$(cd "$work/cli" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdkdir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$work/out/bin/pulumi-resource-pulumi-nodejs"
for b in bin/pulumi bin/pulumi-resource-pulumi-nodejs libexec/pulumi-language-nodejs; do
  [ -x "$work/out/$b" ] || { echo "setup: the build did not produce $b" >&2; exit 1; }
done

# 4. Into place in one rename. An existing DEST is either incomplete (left by a build made before
#    this script renamed whole directories: replaced) or complete, made by a concurrent build
#    that finished first (kept: it may be in use).
complete() { [ -x "$1/bin/pulumi" ] && [ -x "$1/bin/pulumi-resource-pulumi-nodejs" ] && { [ -x "$1/libexec/pulumi-language-nodejs" ] || [ -x "$1/bin/pulumi-language-nodejs" ]; }; }
if complete "$DEST"; then
  step "$DEST was completed by another build meanwhile: keeping it"
  exit 0
fi
[ ! -e "$DEST" ] || mv "$DEST" "$work/incomplete"
mv "$work/out" "$DEST"
step "done: $DEST ($(du -sh "$DEST" | cut -f1)); removing the build's module and build caches ($(du -sh "$work" | cut -f1))"
