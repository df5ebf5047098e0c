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
# prints the exports instead. With PULUMI_NETNS_SETUP=node (or `. scripts/setup.sh --unit`) only
# Node.js, the npm dependencies and the compiled program are set up: what `npm run lab -- list`
# and the unit tests need. No Debian tools, no Pulumi CLI, nothing that needs root.
# scripts/preflight.sh has decided beforehand whether the run can succeed; the CLI checks are
# repeated here right before a build, for whoever sources this file directly.
set -euo pipefail
for arg in "$@"; do [ "$arg" != --unit ] || PULUMI_NETNS_SETUP=node; done

NETNS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# versions.env, NETNS_CACHE, NETNS_CLI_DIR and the netns_cli_* checks.
# shellcheck source=preflight.sh
. "$NETNS_ROOT/scripts/preflight.sh"
setup_parts=${PULUMI_NETNS_SETUP:-all}
say() { printf '[setup] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }
as_root() { if is_root; then "$@"; else sudo -n "$@"; fi; }

# 1. Debian tools (not for --unit).
need_debs=()
[ "$setup_parts" = node ] ||
for pair in ip:iproute2 ping:iputils-ping traceroute:traceroute tracepath:iputils-tracepath tcpdump:tcpdump sysctl:procps; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin:/sbin command -v "${pair%%:*}" >/dev/null 2>&1 || need_debs+=("${pair#*:}")
done
if [ ${#need_debs[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_debs[*]} (apt-get update and install: usually under a minute)"
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
    say "installing Node.js $node_ver (npm package node-linux-$arch, a 52 MB download: usually 10 to 30 s) into $node_dir"
    mkdir -p "$node_dir"
    npm install --prefix "$node_dir" --no-save --no-package-lock --no-audit --no-fund --loglevel=error "node-linux-$arch@$node_ver" >&2
  fi
  export PATH="$node_bin:$PATH"
  [ "$(node_major)" -ge "$NODE_MAJOR" ] || { say "Node.js $node_ver did not install; install Node.js >= $NODE_MAJOR"; exit 1; }
fi

# 3. The Pulumi CLI and the Node.js language host (not with PULUMI_NETNS_SETUP=node).
# The cached build's language host runs behind scripts/pulumi-language-nodejs.sh, which passes
# the project's runtime options as flags. A build made before the wrapper has the real host in
# bin/: it moves to libexec/. Each step is a rename, so a concurrent run always finds a host.
install_host_wrapper() {
  local dir=$1
  if [ ! -x "$dir/libexec/pulumi-language-nodejs" ]; then
    mkdir -p "$dir/libexec"
    cp "$dir/bin/pulumi-language-nodejs" "$dir/libexec/.pulumi-language-nodejs.$$"
    mv -f "$dir/libexec/.pulumi-language-nodejs.$$" "$dir/libexec/pulumi-language-nodejs"
  fi
  if ! cmp -s "$NETNS_ROOT/scripts/pulumi-language-nodejs.sh" "$dir/bin/pulumi-language-nodejs"; then
    install -m 0755 "$NETNS_ROOT/scripts/pulumi-language-nodejs.sh" "$dir/bin/.pulumi-language-nodejs.$$"
    mv -f "$dir/bin/.pulumi-language-nodejs.$$" "$dir/bin/pulumi-language-nodejs"
  fi
}
cli_dir=$NETNS_CLI_DIR
if [ "$setup_parts" != node ] && ! netns_pulumi_on_path_ok; then
  if ! netns_cli_cached; then
    netns_cli_preflight || exit 1
    say "no Pulumi CLI >= $PULUMI_VERSION on PATH: building it from Go modules into $cli_dir"
    say "this usually takes 8 to 10 minutes on two idle cores (15 minutes of CPU) and up to 5.2 GB of disk while it runs, once (docs/operations.md \"Set-up\")"
    start=$(date +%s)
    PULUMI_VERSION=$PULUMI_VERSION LANGUAGE_HOST_SDK_VERSION=$LANGUAGE_HOST_SDK_VERSION DEST=$cli_dir bash "$NETNS_ROOT/scripts/build-pulumi.sh" >&2
    say "Pulumi CLI built in $(( $(date +%s) - start ))s"
  fi
  install_host_wrapper "$cli_dir"
  export PATH="$cli_dir/bin:$PATH"
fi

# 4. npm dependencies and the compiled program.
cd "$NETNS_ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm dependencies (npm ci: usually 20 to 60 s)"
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
# The provider stored in the state loads its implementation by package name (provider/engine/dynamic.ts):
# make this checkout resolvable as `pulumi-netns` from the program directory.
[ "$(readlink node_modules/pulumi-netns 2>/dev/null)" = ".." ] || ln -sfn .. node_modules/pulumi-netns
if [ ! -f dist/.built ] || [ -n "$(find provider stacks lab graph tsconfig.json package.json -newer dist/.built -name '*.ts' -o -newer dist/.built -name '*.json' 2>/dev/null | head -n1)" ]; then
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
# Node's on-disk code cache (Node >= 22.1; Node checks each entry against the source and ignores
# a stale or broken one): every CLI run starts Node for the program and again for the provider,
# and each compiles @pulumi/pulumi and its gRPC stack afresh without it (BENCHMARKS.md "Lab
# latency"). Per user, in the cache; a NODE_COMPILE_CACHE of your own wins;
# NODE_DISABLE_COMPILE_CACHE=1 turns it off.
export NODE_COMPILE_CACHE=${NODE_COMPILE_CACHE:-$NETNS_CACHE/node-compile-cache}

if [ "${1:-}" = "--print-env" ]; then
  for v in PATH PULUMI_BACKEND_URL PULUMI_CONFIG_PASSPHRASE PULUMI_SKIP_UPDATE_CHECK PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION NODE_COMPILE_CACHE; do
    printf 'export %s=%q\n' "$v" "${!v}"
  done
fi
