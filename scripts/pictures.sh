#!/usr/bin/env bash
# npm run pictures [LESSON ...]: brings each lesson up under a prefix of its own (in a throwaway
# state directory), draws it into docs/lessons/LESSON.svg, and destroys it (graph/pictures.ts).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/setup.sh"
if [ "$(id -u)" != 0 ] && ! sudo -n true 2>/dev/null; then
  echo "pictures: the lessons create network namespaces, which needs root: run as root (sudo npm run pictures) or allow passwordless sudo" >&2
  exit 1
fi
exec node "$root/dist/graph/pictures.js" "$@"
