# Sourced by scripts that run podman on this kind of machine (no Docker engine, no systemd, no
# registry): a containers.conf without default ulimits, runc, and cgroupfs.
conf_dir="${XDG_RUNTIME_DIR:-/tmp}/autotls-podman"
mkdir -p "$conf_dir"
printf '[containers]\ndefault_ulimits = []\n' > "$conf_dir/containers.conf"
export CONTAINERS_CONF="$conf_dir/containers.conf"
podman() { command podman --runtime /usr/sbin/runc --cgroup-manager=cgroupfs "$@"; }
