#!/usr/bin/env bash
# Tries to build the provider plugin of (e), pulumi-resource-command, from its Go module at the
# version of @pulumi/command in package.json, into the same kind of per-user cache as
# scripts/build-pulumi.sh: ~/.cache/pulumi-netns/pulumi-resource-command-v<version>/bin, which
# bench/bench.mjs puts on PATH (the engine uses a plugin found on PATH). The usual source, a
# download from GitHub / get.pulumi.com by `pulumi plugin install`, is unreachable here.
# Exits 1, and says why, when the module cannot be had.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VERSION=$(node -p 'require(process.argv[1]).dependencies["@pulumi/command"]' "$HERE/package.json")
CACHE=${PULUMI_NETNS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-netns}
DEST=$CACHE/pulumi-resource-command-v$VERSION
[ -x "$DEST/bin/pulumi-resource-command" ] && { echo "$DEST/bin/pulumi-resource-command"; exit 0; }
command -v go >/dev/null || { echo "build-plugin: Go is needed" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cat >"$work/go.mod" <<MOD
module pulumi-netns.local/build/command

go 1.25
MOD
cat >"$work/tools.go" <<'SRC'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command"
SRC
cd "$work"
if ! out=$(GOFLAGS=-mod=mod go get "github.com/pulumi/pulumi-command/provider@v$VERSION" 2>&1); then
  echo "build-plugin: the Go module proxy does not serve github.com/pulumi/pulumi-command/provider@v$VERSION:" >&2
  echo "$out" | sed 's/^/  /' >&2
  exit 1
fi
mkdir -p "$DEST/bin.partial"
CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -ldflags "-s -w -X github.com/pulumi/pulumi-command/provider/pkg/version.Version=v$VERSION" \
  -o "$DEST/bin.partial/pulumi-resource-command" github.com/pulumi/pulumi-command/provider/cmd/pulumi-resource-command
rm -rf "$DEST/bin"; mv "$DEST/bin.partial" "$DEST/bin"
echo "$DEST/bin/pulumi-resource-command"
