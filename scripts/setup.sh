#!/usr/bin/env bash
# Makes this host ready for the lessons and the tests, installing only what is missing:
#   - the Debian tools the lessons use (iproute2, ping, traceroute, tracepath, tcpdump, sysctl);
#   - Node.js >= 22 when the host's node is older (from the npm package node-linux-<arch>);
#   - the Pulumi CLI with the Node.js language host: a `pulumi` already on PATH when recent enough,
#     else a build from Go modules cached per user and version (scripts/build-pulumi.sh);
#   - the npm dependencies and the compiled TypeScript (dist/).
# Then it exports the environment for a local, offline Pulumi: a file:// state backend in the
# project, a passphrase secrets provider, no update checks, no plugin downloads.
#
# Source it (`. scripts/setup.sh`) to get the environment; `bash scripts/setup.sh --print-env`
# prints the exports instead. `. scripts/setup.sh --unit` (npm run test:unit) does only what the
# unit tests need: Node.js >= 22, the npm dependencies and the compiled code; no Debian packages,
# no Pulumi CLI, nothing that needs root.
set -euo pipefail
unit_only=0
for arg in "$@"; do [ "$arg" != --unit ] || unit_only=1; done

NETNS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=versions.env
. "$NETNS_ROOT/scripts/versions.env"
NETNS_CACHE=${PULUMI_NETNS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-netns}
say() { printf '[setup] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
as_root() { if is_root; then "$@"; else sudo -n "$@"; fi; }

# 1. Debian tools (not for --unit).
need_debs=()
[ "$unit_only" = 1 ] ||
for pair in ip:iproute2 ping:iputils-ping traceroute:traceroute tracepath:iputils-tracepath tcpdump:tcpdump sysctl:procps; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "${pair%%:*}" >/dev/null 2>&1 || need_debs+=("${pair#*:}")
done
if [ ${#need_debs[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_debs[*]}"
  as_root apt-get update -qq >&2 || { say "apt-get update failed: install ${need_debs[*]} by hand (as root)"; exit 1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_debs[@]}" >&2
fi
export PATH="$PATH:/usr/sbin:/sbin"

# 2. Node.js >= 22.
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt "$NODE_MAJOR" ]; then
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) say "no Node.js binary package for $(uname -m): install Node.js >= $NODE_MAJOR"; exit 1 ;; esac
  node_ver=${NODE_NPM_PACKAGE#node@}
  node_dir="$NETNS_CACHE/node-v$node_ver"
  node_bin="$node_dir/node_modules/node-linux-$arch/bin"
  if [ ! -x "$node_bin/node" ]; then
    command -v npm >/dev/null || { say "npm is needed to fetch Node.js $node_ver: apt-get install npm"; exit 1; }
    say "installing Node.js $node_ver (npm package node-linux-$arch) into $node_dir"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-$arch@$node_ver" >&2
  fi
  export PATH="$node_bin:$PATH"
  [ "$(node_major)" -ge "$NODE_MAJOR" ] || { say "Node.js $node_ver did not install; install Node.js >= $NODE_MAJOR"; exit 1; }
fi

# 3. The Pulumi CLI and the Node.js language host (not for --unit).
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
pulumi_ok() {
  command -v pulumi >/dev/null 2>&1 && command -v pulumi-language-nodejs >/dev/null 2>&1 || [ -x "$(dirname "$(command -v pulumi 2>/dev/null || echo /x)")/pulumi-language-nodejs" ] || return 1
  local v; v=$(PULUMI_SKIP_UPDATE_CHECK=true pulumi version 2>/dev/null) || return 1
  version_ge "${v#v}" "$PULUMI_VERSION"
}
cli_dir="$NETNS_CACHE/pulumi-v$PULUMI_VERSION-host-v$LANGUAGE_HOST_SDK_VERSION"
if [ "$unit_only" = 0 ] && ! pulumi_ok; then
  if [ ! -x "$cli_dir/bin/pulumi" ] || [ ! -x "$cli_dir/bin/pulumi-language-nodejs" ]; then
    say "no Pulumi CLI >= $PULUMI_VERSION on PATH: building it from Go modules into $cli_dir (minutes, once)"
    start=$(date +%s)
    PULUMI_VERSION=$PULUMI_VERSION LANGUAGE_HOST_SDK_VERSION=$LANGUAGE_HOST_SDK_VERSION DEST=$cli_dir bash "$NETNS_ROOT/scripts/build-pulumi.sh" >&2
    say "Pulumi CLI built in $(( $(date +%s) - start ))s"
  fi
  export PATH="$cli_dir/bin:$PATH"
fi

# 4. npm dependencies and the compiled program.
cd "$NETNS_ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
# The provider stored in the state loads its implementation by package name (provider/dynamic.ts):
# make this checkout resolvable as `pulumi-netns` from the program directory.
[ "$(readlink node_modules/pulumi-netns 2>/dev/null)" = ".." ] || ln -sfn .. node_modules/pulumi-netns
if [ ! -f dist/.built ] || [ -n "$(find provider stacks lab tsconfig.json package.json -newer dist/.built -name '*.ts' -o -newer dist/.built -name '*.json' 2>/dev/null | head -n1)" ]; then
  say "compiling TypeScript (tsc)"
  npx --no-install tsc -p tsconfig.json >&2
  touch dist/.built
fi

# 5. A local, offline Pulumi.
export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$NETNS_ROOT/.pulumi-state}
export PULUMI_CONFIG_PASSPHRASE=${PULUMI_CONFIG_PASSPHRASE-lessons}
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p "$NETNS_ROOT/.pulumi-state"

if [ "${1:-}" = "--print-env" ]; then
  for v in PATH PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_SKIP_UPDATE_CHECK PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
fi
