#!/usr/bin/env bash
# Benchmark (not a test): builds and tears down a star of N hosts around one router namespace
# with each tool, side by side, and writes bench/results/<time>-<prefix>/{results.json,table.md}.
# See BENCHMARKS.md. Needs root. Every name it makes starts with a per-run prefix (bnXXXX), and
# the trap below deletes every namespace, host-namespace link and Mininet node it made, whatever
# happens.
#
#   bash bench/run.sh                          # N = 4 16 64 256, 3 runs each
#   BENCH_N="4 16 64" BENCH_RUNS=5 bash bench/run.sh
#   BENCH_TOOLS="pulumi pulumi-par bash batch" bash bench/run.sh
# Settings: see the head of bench/bench.mjs.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root (network namespaces)" >&2; exit 1; }

# shellcheck source=../scripts/setup.sh
. "$ROOT/scripts/setup.sh"
set +u

# One run at a time: two runs would measure each other.
mkdir -p "$BENCH_DIR/results"
exec 9>"$BENCH_DIR/results/.lock"
flock -n 9 || { echo "bench/run.sh: another run is in progress (bench/results/.lock)" >&2; exit 1; }

BENCH_PREFIX=bn$(od -An -N2 -tx2 /dev/urandom | tr -d ' ')
OUT_DIR="$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)-$BENCH_PREFIX"
mkdir -p "$OUT_DIR"
BENCH_STATE=$(mktemp -d "/tmp/$BENCH_PREFIX-state.XXXX")
BENCH_PIDFILE="$OUT_DIR/mininet.pids"
: >"$BENCH_PIDFILE"
export BENCH_PREFIX BENCH_STATE BENCH_PIDFILE BENCH_OUT=$OUT_DIR

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  # The driver interrupts its running pulumi (SIGINT: the engine finishes the steps in flight)
  # and exits; only then is it safe to delete what is left.
  if [ -n "${DRIVER_PID:-}" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then kill -TERM "$DRIVER_PID" 2>/dev/null || true; wait "$DRIVER_PID" 2>/dev/null || true; fi
  # Mininet node shells this run started (by PID, only if still a Mininet shell).
  while read -r pid; do
    [ -n "$pid" ] && grep -qa '^mnexec\|mininet:' "/proc/$pid/cmdline" 2>/dev/null && kill -HUP "$pid" 2>/dev/null || true
  done <"$BENCH_PIDFILE"
  # Namespaces and host-namespace links with this run's prefix only.
  local ns left=0
  for ns in $(ls /run/netns 2>/dev/null | grep "^$BENCH_PREFIX-" || true); do ip netns del "$ns" 2>/dev/null || true; left=$((left + 1)); done
  for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep "^$BENCH_PREFIX" || true); do ip link del "$l" 2>/dev/null || true; left=$((left + 1)); done
  [ "$left" -gt 0 ] && echo "[bench] cleaned up $left leftover namespaces/links with prefix $BENCH_PREFIX" >&2
  rm -rf "$BENCH_STATE"
  # Stack config files of this run's stacks (left behind when a run is interrupted).
  rm -f "$BENCH_DIR"/star/Pulumi."$BENCH_PREFIX"-*.yaml "$BENCH_DIR"/command/Pulumi."$BENCH_PREFIX"-*.yaml
  [ -n "${BENCH_BEFORE_DIR:-}" ] && rm -f "$BENCH_BEFORE_DIR"/Pulumi."$BENCH_PREFIX"-*.yaml
  exit "$rc"
}
trap cleanup EXIT INT TERM

echo "[bench] prefix $BENCH_PREFIX, results in $OUT_DIR" >&2
node "$BENCH_DIR/bench.mjs" &
DRIVER_PID=$!
wait "$DRIVER_PID"
