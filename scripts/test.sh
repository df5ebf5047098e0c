#!/usr/bin/env bash
# npm test: every layer (unit, integration, end-to-end through the real Pulumi CLI).
# Integration and end-to-end tests create network namespaces and need root (or passwordless
# sudo). Without it this fails with a message instead of skipping them silently; set
# PULUMI_NETNS_TEST_LAYERS=unit (npm run test:unit) to run only the unit tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/setup.sh"
cd "$root"
if [ "${PULUMI_NETNS_TEST_LAYERS:-all}" = unit ]; then
  exec npx --no-install vitest run test/unit "$@"
fi
if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
  echo "npm test: the integration and end-to-end tests create network namespaces and need root." >&2
  echo "  Run as root (sudo npm test), allow passwordless sudo, or run only the unit tests: npm run test:unit" >&2
  exit 1
fi
exec npx --no-install vitest run "$@"
