#!/usr/bin/env bash
# npm run lab -- <verb> [lesson]: decides first whether the run can succeed (scripts/preflight.sh:
# root, and Go and free disk when the CLI must be built), then installs whatever is missing
# (scripts/setup.sh) and runs lab/cli.ts. `list` needs neither root nor the CLI, and `graph` no root (it only reads a stack's state): only Node.js, the
# npm packages and the compiled program.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [ "${1:-}" = env ]; then
  echo "# pulumi-netns: paste these exports into your shell, or: eval \"\$(npm run -s lab -- env)\""
  exec bash "$root/scripts/setup.sh" --print-env
fi
bash "$root/scripts/preflight.sh" lab "$@" || exit 1
case "${1:-list}" in list | help) export PULUMI_NETNS_SETUP=node ;; esac
. "$root/scripts/setup.sh"
exec node "$root/dist/lab/cli.js" "$@"
