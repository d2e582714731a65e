#!/usr/bin/env bash
# Builds the local base image that test apps start FROM (no registry can be reached here):
# a static busybox with its applets, imported as an image. Skips the work when the image exists.
#
#   bash scripts/make-base-image.sh [image]     (default image: slipway/busybox:test)
set -euo pipefail

image="${1:-slipway/busybox:test}"
busybox_bin=/bin/busybox

if docker image inspect "$image" >/dev/null 2>&1; then
  echo "[base-image] ${image} present"
  exit 0
fi

if [[ ! -x "$busybox_bin" ]]; then
  echo "[base-image] ${busybox_bin} is missing: apt-get install -y busybox-static" >&2
  exit 1
fi

# Parallel test workers may call this at the same time: build once, the others wait and find it.
exec 9>/tmp/slipway-make-base-image.lock
flock 9
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "[base-image] ${image} present"
  exit 0
fi

workdir="$(mktemp -d)"
trap 'rm -rf -- "$workdir"' EXIT
rootfs="${workdir}/rootfs"
mkdir -p "${rootfs}/bin" "${rootfs}/usr/bin" "${rootfs}/etc" "${rootfs}/www" "${rootfs}/tmp" \
  "${rootfs}/root" "${rootfs}/var/www"
chmod 1777 "${rootfs}/tmp"
cp "$busybox_bin" "${rootfs}/bin/busybox"

applets=(
  sh ash httpd wget nc echo sleep cat ls mkdir env true false printf test '[' grep egrep sed tr date id
  awk basename dirname cp mv rm rmdir ln touch chmod head tail wc sort uniq cut tee xargs find expr seq
  ps kill pwd hostname uname whoami timeout which readlink nslookup ping tar gzip gunzip stat md5sum
  sha256sum base64 vi less mktemp
)
available="$("${rootfs}/bin/busybox" --list)"
for applet in "${applets[@]}"; do
  if grep -qxF -- "$applet" <<<"$available"; then
    ln -s busybox "${rootfs}/bin/${applet}"
  fi
done
# For scripts starting with #!/usr/bin/env sh.
ln -s ../../bin/busybox "${rootfs}/usr/bin/env"

printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
  >"${rootfs}/etc/passwd"
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"${rootfs}/etc/group"
printf '%s\n' '<!doctype html><title>slipway</title><p>slipway base image</p>' >"${rootfs}/www/index.html"

tar -C "$rootfs" --numeric-owner --owner=0 --group=0 -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' \
    --change 'LABEL org.slipway.base-image=test' \
    - "$image" >/dev/null
echo "[base-image] built ${image}"
