#!/usr/bin/env bash
# npm run lab -- <verb> [lesson]: installs whatever is missing (scripts/setup.sh), then runs lab/cli.ts.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "${1:-}" = env ]; then
  echo "# pulumi-netns: paste these exports into your shell, or: eval \"\$(npm run -s lab -- env)\""
  exec bash "$root/scripts/setup.sh" --print-env
fi
. "$root/scripts/setup.sh"
# list and graph need no root: graph only reads the stack's state.
if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null && [ "${1:-list}" != list ] && [ "${1:-}" != graph ]; then
  echo "lab: lessons create network namespaces, which needs root: run as root (sudo npm run lab -- $*) or allow passwordless sudo" >&2
  exit 1
fi
exec node "$root/dist/lab/cli.js" "$@"
