#!/bin/sh
# Installed by scripts/setup.sh as bin/pulumi-language-nodejs in the CLI that the set-up builds
# (never in an official install). The Node.js language host built there (sdk/v3 v3.68.0, see
# scripts/versions.env) reads the project's runtime options only as flags before the engine
# address (-typescript=, -tsconfig=, -nodeargs=); the CLI sends them over gRPC, which that host
# ignores, so it would register ts-node for every program, compiled ones included. This wrapper
# reads `runtime.options` from the project's Pulumi.yaml and passes them as those flags.
#
# The CLI starts the host in the program's directory (the directory of `main`), at or below the
# project root: the nearest Pulumi.yaml (or Pulumi.yml) upwards is the project's.
real="$(dirname "$(readlink -f "$0")")/../libexec/pulumi-language-nodejs"

dir=$PWD
project=
while :; do
  for f in "$dir/Pulumi.yaml" "$dir/Pulumi.yml"; do
    if [ -f "$f" ]; then project=$f; break 2; fi
  done
  [ "$dir" = / ] && break
  dir=$(dirname "$dir")
done

# The keys under runtime: options: in block style (the form `pulumi new` writes), one per line
# as key=value, quotes and comments removed. Any other form passes no flag: the host's defaults.
options() {
  awk '
    function value(v) {
      sub(/^[ \t]+/, "", v)
      if (v ~ /^"/) { sub(/^"/, "", v); sub(/".*$/, "", v); return v }
      if (v ~ /^\047/) { sub(/^\047/, "", v); sub(/\047.*$/, "", v); return v }
      sub(/[ \t]+#.*$/, "", v); sub(/[ \t]+$/, "", v); return v
    }
    /^[ \t]*(#.*)?$/ { next }
    {
      match($0, /^ */); indent = RLENGTH; line = substr($0, indent + 1)
      if (indent == 0) { runtime = (line ~ /^runtime:[ \t]*(#.*)?$/); inoptions = 0; next }
      if (!runtime) next
      if (inoptions && indent <= optionsindent) inoptions = 0
      if (!inoptions) {
        if (line ~ /^options:[ \t]*(#.*)?$/) { inoptions = 1; optionsindent = indent; keyindent = -1 }
        next
      }
      if (keyindent < 0) keyindent = indent
      if (indent == keyindent && match(line, /^[A-Za-z_]+:/)) print substr(line, 1, RLENGTH - 1) "=" value(substr(line, RLENGTH + 1))
    }
  ' "$1"
}

if [ -n "$project" ]; then
  opts=$(options "$project")
  # Prepended in reverse: the CLI's own flags and the engine address stay last.
  while IFS='=' read -r key value; do
    case $key in
      typescript) case $value in false | False | FALSE) set -- -typescript=false "$@" ;; esac ;;
      tsconfig) [ -z "$value" ] || set -- "-tsconfig=$value" "$@" ;;
      nodeargs) [ -z "$value" ] || set -- "-nodeargs=$value" "$@" ;;
    esac
  done <<EOF
$opts
EOF
fi
exec "$real" "$@"
