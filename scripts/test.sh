#!/usr/bin/env bash
# npm test: the type check, then the layers of tests with Vitest, then one closing line.
#
# PULUMI_NETNS_TEST_LAYERS picks the layers: a comma-separated list of
#   unit          Node.js >= 22 and the npm packages only: no root, no apt-get, no Pulumi CLI
#   integration   root (or passwordless sudo): real namespaces
#   e2e           root and the Pulumi CLI (which the set-up builds when missing)
#   reliability   root and the Pulumi CLI
#   proof         the leak check's own proof, made to fail (scripts/prove-leak-check.sh); never in "all"
# Unset, empty or "all" means unit,integration,e2e,reliability. A name not in this list is an error.
# Without root, a selection other than unit fails with a message instead of skipping those tests.
#
# Extra arguments go to Vitest (files, -t filters) in place of the layers' directories.
#
# The end: one line per layer, every failure that is not a failed test (scripts/test-summary.cjs),
# and last, alone on its line, the closing line CI reads: `N passed, N failed[, N skipped]`.
# Each selected layer must contribute at least one passed test (unless files were given).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# 1. The layers.
known=(unit integration e2e reliability proof)
requested=${PULUMI_NETNS_TEST_LAYERS:-all}
IFS=$', \t' read -r -a words <<<"$requested"
layers=()
for l in "${words[@]}"; do
  if [ "$l" = all ]; then layers+=(unit integration e2e reliability); continue; fi
  case " ${known[*]} " in
    *" $l "*) layers+=("$l") ;;
    *) echo "npm test: unknown test layer '$l' in PULUMI_NETNS_TEST_LAYERS=$requested (known: ${known[*]}, or all)" >&2; exit 2 ;;
  esac
done
[ ${#layers[@]} -gt 0 ] || layers=(unit integration e2e reliability)
# Each once, in the order given; the normal form is what Vitest's config and global setup read.
mapfile -t layers < <(printf '%s\n' "${layers[@]}" | awk '!seen[$0]++')
PULUMI_NETNS_TEST_LAYERS=$(IFS=,; echo "${layers[*]}")
export PULUMI_NETNS_TEST_LAYERS
unit_only=0
[ "$PULUMI_NETNS_TEST_LAYERS" != unit ] || unit_only=1

# 2. Root, before the set-up tries to install anything (which would need root too).
if [ "$unit_only" = 0 ] && [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
  echo "npm test: the integration and end-to-end tests create network namespaces and need root." >&2
  echo "  Run as root (sudo npm test), allow passwordless sudo, or run only the unit tests: npm run test:unit" >&2
  exit 1
fi
bash "$root/scripts/preflight.sh" test || exit 1

# 3. The set-up: only Node.js and the npm packages for the unit layer alone.
if [ "$unit_only" = 1 ]; then
  . "$root/scripts/setup.sh" --unit
else
  . "$root/scripts/setup.sh"
fi
cd "$root"

# 4. The tests.
targets=()
files_given=0
if [ $# -gt 0 ]; then
  files_given=1
else
  for l in "${layers[@]}"; do targets+=("test/$l"); done
fi
report=$(mktemp)
teardown=$(mktemp)
trap 'rm -f "$report" "$teardown"' EXIT
# The global teardown (test/support/global-setup.ts) writes the final leak check's verdict here.
export PULUMI_NETNS_TEST_TEARDOWN_REPORT=$teardown
set +e
# Vitest strips types without checking them: the type check of the code and the tests comes first.
npx --no-install tsc -p tsconfig.test.json
typecheck=$?
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$report" "${targets[@]}" "$@"
vitest=$?

# 5. The closing line, last and alone: failed tests, files that failed outside their tests, the
# global teardown, layers without a passed test, the type check, a missing report.
echo
node "$root/scripts/test-summary.cjs" "$report" "$teardown" "$PULUMI_NETNS_TEST_LAYERS" "$files_given" "$typecheck" "$vitest"
summary=$?
set -e
[ "$vitest" = 0 ] && [ "$typecheck" = 0 ] && [ "$summary" = 0 ] || exit 1
