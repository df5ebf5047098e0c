#!/usr/bin/env bash
# npm test: every layer (unit, integration, end-to-end through the real Pulumi CLI).
# Integration and end-to-end tests create network namespaces and need root (or passwordless
# sudo). Without it this fails with a message instead of skipping them silently; set
# PULUMI_NETNS_TEST_LAYERS=unit (npm run test:unit) to run only the unit tests.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The root check comes first: without root, one message and exit, before the set-up tries to
# install anything (which would need root too).
if [ "${PULUMI_NETNS_TEST_LAYERS:-all}" != unit ] && [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
  echo "npm test: the integration and end-to-end tests create network namespaces and need root." >&2
  echo "  Run as root (sudo npm test), allow passwordless sudo, or run only the unit tests: npm run test:unit" >&2
  exit 1
fi
bash "$root/scripts/preflight.sh" test || exit 1
. "$root/scripts/setup.sh"
cd "$root"
targets=()
if [ "${PULUMI_NETNS_TEST_LAYERS:-all}" = unit ]; then
  targets=(test/unit)
fi
report=$(mktemp)
trap 'rm -f "$report"' EXIT
set +e
# Vitest strips types without checking them: the type check of the code and the tests comes first.
npx --no-install tsc -p tsconfig.test.json
typecheck=$?
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report" "${targets[@]}" "$@"
code=$?
[ "$typecheck" = 0 ] || code=1
set -e
# One plain closing line for whoever reads the end of the log.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" 2>/dev/null || true
[ "$typecheck" = 0 ] || echo "type check failed (tsc -p tsconfig.test.json, above)"
exit $code
