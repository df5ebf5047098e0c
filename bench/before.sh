#!/usr/bin/env bash
# Builds the provider of a git revision into a throwaway copy of the project, for an A/B of a
# provider change: prints the directory to pass as BENCH_BEFORE_DIR, which adds the tool
# "pulumi-before" (the star through that revision's provider) beside "pulumi" at
# BENCH_SETTINGS_N. Read-only for the repository (git archive).
#   BENCH_BEFORE_DIR=$(bash bench/before.sh HEAD~1) BENCH_N=64 bash bench/run.sh
set -euo pipefail
REV=${1:?usage: before.sh GIT-REVISION}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=$(mktemp -d "/tmp/bn-before.XXXX")
git -C "$ROOT" archive "$REV" provider tsconfig.json package.json | tar -x -C "$DIR"
mkdir -p "$DIR/node_modules" "$DIR/bench"
for e in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do
  b=$(basename "$e"); [ "$b" = pulumi-netns ] || ln -s "$e" "$DIR/node_modules/$b"
done
ln -s .. "$DIR/node_modules/pulumi-netns"           # the stored provider loads pulumi-netns/dist/...
cp -r "$ROOT/bench/star" "$ROOT/bench/lib" "$DIR/bench/"
# Only the provider is compiled (tsconfig's other inputs may not exist at that revision).
(cd "$DIR" && node "$ROOT/node_modules/typescript/bin/tsc" --outDir dist/provider --rootDir provider \
  --module nodenext --moduleResolution nodenext --target es2023 --types node --sourceMap --esModuleInterop --skipLibCheck $(find provider -name "*.ts") >&2) || true
[ -f "$DIR/dist/provider/impl.js" ] || { echo "before.sh: the provider of $REV did not compile" >&2; exit 1; }
echo "$DIR/bench/star"
