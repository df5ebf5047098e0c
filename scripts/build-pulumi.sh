#!/usr/bin/env bash
# Builds the Pulumi CLI, the Node.js language host and the dynamic provider launcher from
# Go modules into DEST (a per-user cache keyed by version). Used by scripts/setup.sh when no
# recent enough `pulumi` is on PATH. Takes minutes the first time; prints progress.
#
# Why a wrapper module: `go install MODULE@VERSION` refuses pkg/v3 because its go.mod has
# replace directives. A main module of our own that requires it is not bound by them.
set -euo pipefail

: "${PULUMI_VERSION:?}" "${LANGUAGE_HOST_SDK_VERSION:?}" "${DEST:?}"
command -v go >/dev/null || { echo "setup: Go is needed to build the Pulumi CLI (apt-get install golang-go, or install Pulumi from pulumi.com)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$DEST/bin.partial"
ldflags_for() { echo "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$1"; }
export CGO_ENABLED=0 GOFLAGS=-mod=mod

step() { printf '[setup] %s  %s\n' "$(date +%T)" "$*"; }
# go build -v names each package as it compiles it: turn that into a progress line every 100.
progress() { awk -v what="$1" '/ / { print; next } { n++; if (n % 100 == 0) { printf "[setup]   %s: %d packages compiled\n", what, n; fflush() } } END { printf "[setup]   %s: %d packages compiled\n", what, n }'; }
build() { # build WHAT DIR VERSION OUT PKG
  (cd "$2" && go build -v -trimpath -tags osusergo,grpcnotrace -ldflags "$(ldflags_for "$3")" -o "$4" "$5" 2>&1) | progress "$1"
}

# 1. The CLI: pkg/v3/cmd/pulumi and sdk/v3 at the same release.
step "building pulumi v$PULUMI_VERSION (pkg/v3/cmd/pulumi): module download and compile take several minutes"
mkdir -p "$work/cli"
cat >"$work/cli/go.mod" <<EOF
module pulumi-netns.local/build/cli

go 1.25

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
build pulumi "$work/cli" "$PULUMI_VERSION" "$DEST/bin.partial/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

# 2. The Node.js language host (see scripts/versions.env for why this version).
step "building pulumi-language-nodejs (sdk/v3 v$LANGUAGE_HOST_SDK_VERSION)"
mkdir -p "$work/host"
cat >"$work/host/go.mod" <<EOF
module pulumi-netns.local/build/host

go 1.25

require github.com/pulumi/pulumi/sdk/v3 v$LANGUAGE_HOST_SDK_VERSION
EOF
cat >"$work/host/tools.go" <<'EOF'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
EOF
(cd "$work/host" && go mod tidy -e >/dev/null 2>"$work/tidy.log" || { cat "$work/tidy.log" >&2; exit 1; })
build pulumi-language-nodejs "$work/host" "$LANGUAGE_HOST_SDK_VERSION" "$DEST/bin.partial/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs

# 3. The dynamic provider launcher, a small script shipped in the SDK module.
step "installing the dynamic provider launcher pulumi-resource-pulumi-nodejs"
sdkdir=$(cd "$work/cli" && go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)
install -m 0755 "$sdkdir/nodejs/dist/pulumi-resource-pulumi-nodejs" "$DEST/bin.partial/pulumi-resource-pulumi-nodejs"

rm -rf "$DEST/bin"
mv "$DEST/bin.partial" "$DEST/bin"
step "done: $DEST/bin"
