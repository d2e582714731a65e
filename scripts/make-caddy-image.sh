#!/usr/bin/env bash
# Builds the local Caddy image the proxy's tests run as a Swarm service (no registry can be reached here): the host's
# /usr/bin/caddy (Debian's `caddy` package), the libraries ldd lists, and busybox-static's applets for a shell and nc,
# imported as an image. Cached by content: the image carries the hash of its inputs (this script, the binaries and
# libraries) and is rebuilt only when they change, e.g. after an upgrade of the caddy package.
#
#   bash scripts/make-caddy-image.sh [image]     (default image: slipway/caddy:test)
set -euo pipefail

image="${1:-slipway/caddy:test}"
caddy_bin=/usr/bin/caddy
busybox_bin=/bin/busybox
hash_label=org.slipway.caddy-image.inputs

for bin in "$caddy_bin" "$busybox_bin"; do
  if [[ ! -x "$bin" ]]; then
    echo "[caddy-image] ${bin} is missing: apt-get install -y caddy busybox-static" >&2
    exit 1
  fi
done

mapfile -t libraries < <(ldd "$caddy_bin" | grep -oE '/[^ ]+\.so[^ ]*' | sort -u)
inputs="$(sha256sum "${BASH_SOURCE[0]}" "$caddy_bin" "$busybox_bin" "${libraries[@]}" | sha256sum | cut -c1-32)"

present() {
  [[ "$(docker image inspect --format "{{ index .Config.Labels \"${hash_label}\" }}" "$image" 2>/dev/null)" == "$inputs" ]]
}

if present; then
  echo "[caddy-image] ${image} present (${inputs})"
  exit 0
fi

# Parallel test workers may call this at the same time: build once, the others wait and find it.
exec 9>/tmp/slipway-make-caddy-image.lock
flock 9
if present; then
  echo "[caddy-image] ${image} present (${inputs})"
  exit 0
fi

workdir="$(mktemp -d)"
trap 'rm -rf -- "$workdir"' EXIT
rootfs="${workdir}/rootfs"
mkdir -p "${rootfs}/bin" "${rootfs}/usr/bin" "${rootfs}/etc" "${rootfs}/tmp" "${rootfs}/data" "${rootfs}/config"
chmod 1777 "${rootfs}/tmp"
cp "$caddy_bin" "${rootfs}/usr/bin/caddy"
for library in "${libraries[@]}"; do
  mkdir -p "${rootfs}$(dirname "$library")"
  cp -L "$library" "${rootfs}${library}"
done
cp "$busybox_bin" "${rootfs}/bin/busybox"
available="$("${rootfs}/bin/busybox" --list)"
for applet in sh nc cat ls nslookup wget sleep; do
  if grep -qxF -- "$applet" <<<"$available"; then
    ln -s busybox "${rootfs}/bin/${applet}"
  fi
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
  >"${rootfs}/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"${rootfs}/etc/group"
printf '%s\n' 'hosts: files dns' >"${rootfs}/etc/nsswitch.conf"

tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV XDG_DATA_HOME=/data XDG_CONFIG_HOME=/config' \
    --change 'CMD ["/usr/bin/caddy", "run"]' \
    --change "LABEL ${hash_label}=${inputs}" \
    - "$image" >/dev/null
echo "[caddy-image] built ${image} (${inputs})"
