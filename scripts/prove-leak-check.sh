#!/usr/bin/env bash
# The proof that the leak checks can fail (not part of npm test): runs npm test's own script on
# test/proof/leak.test.ts, which leaks on purpose (a namespace with the file's prefix, a veth end
# in the host namespace, a namespace with the run's prefix only), and asserts that
#   - the run fails (exit status not 0);
#   - the file's leak check, before its clean-up, named the leaked namespaces and the host-side
#     veth end, and the global teardown named the namespace that survived the file;
#   - the closing line, last and alone, reads "3 passed, 2 failed" (the file, the teardown);
#   - the clean-up did delete the host-side end (with its peer's namespace): a check after the
#     clean-up would have seen nothing.
# At the very end, whatever happened, it removes what the proof made: the host-side end
# `<prefix>leak` and the namespaces with the run's prefix (a prefix this script chose, so nobody
# else's). Needs root, like the integration tests.
#
#   bash scripts/prove-leak-check.sh
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$PATH:/usr/sbin:/sbin"
prefix="nt$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')-"
out=$(mktemp)

cleanup() {
  if ip link show dev "${prefix}leak" >/dev/null 2>&1; then
    ip link del dev "${prefix}leak" && echo "prove-leak-check: removed the host-side end ${prefix}leak"
  fi
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}"); do
    ip netns del "$ns" && echo "prove-leak-check: removed namespace $ns"
  done
  rm -f "$out"
}
trap cleanup EXIT

echo "prove-leak-check: run prefix $prefix; the run below must FAIL"
PULUMI_NETNS_TEST_LAYERS=proof PULUMI_NETNS_TEST_RUN_PREFIX=$prefix bash "$root/scripts/test.sh" 2>&1 | tee "$out"
code=${PIPESTATUS[0]}
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$out")

failures=0
expect() { # expect DESCRIPTION COMMAND...: one line of verdict per assertion
  if "${@:2}"; then echo "prove-leak-check: ok: $1"; else echo "prove-leak-check: NOT OK: $1"; failures=$((failures + 1)); fi
}
has() { grep -qF -- "$1" <<<"$plain"; }
last=$(tail -n 1 <<<"$plain")
echo
expect "the run failed (exit $code)" test "$code" != 0
expect "the file's leak check named the leaked namespaces" has "leak check of the file's prefix ${prefix}proof- (before any clean-up): namespaces left behind: "
expect "... ${prefix}proof-ns" has "${prefix}proof-ns"
expect "... ${prefix}proof-far" has "${prefix}proof-far"
expect "the file's leak check, before its clean-up, named the host-side veth end ${prefix}leak" has "new links in the host namespace: ${prefix}leak"
expect "the global teardown named ${prefix}stray, which survived the file" has "FAILED: global teardown: leak check failed after the run: namespaces left behind: ${prefix}stray"
expect "the closing line, last and alone, is \"3 passed, 2 failed\" (it is \"$last\")" test "$last" = "3 passed, 2 failed"
expect "the file's clean-up deleted the host-side end with its peer's namespace (a check after it would have missed the leak)" \
  bash -c "! ip link show dev '${prefix}leak' >/dev/null 2>&1"
if [ "$failures" = 0 ]; then
  echo "prove-leak-check: PASSED: the leak checks fail the run, and the closing line counts it"
  exit 0
fi
echo "prove-leak-check: FAILED: $failures assertion(s) above"
exit 1
