#!/usr/bin/env bash
# Builds the Dargo image without an image registry: the static binary is
# compiled here, laid out with the few files it needs in a build context,
# and the repository's Containerfile (FROM scratch) copies that context in.
#
#   deploy/image/build.sh                 # image dargo:latest
#   IMAGE=dargo:1.4 deploy/image/build.sh
#   deploy/image/build.sh --check         # then run `dargo version` in it
#
# Needs: go, buildah (apt-get install buildah), and for --check crun or
# runc (buildah's runtime; Debian's buildah package pulls in crun).
# Environment: IMAGE (dargo:latest), CONTEXT (a fresh temporary folder),
# STORAGE_DRIVER (buildah's default; vfs where overlay is not available),
# CA_BUNDLE (/etc/ssl/certs/ca-certificates.crt).
set -euo pipefail
cd "$(dirname "$0")/../.."

image=${IMAGE:-dargo:latest}
ca=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
if [ -n "${CONTEXT:-}" ]; then
  context=$CONTEXT
else
  context=$(mktemp -d)
  trap 'rm -rf "$context"' EXIT
fi
uid=65532
storage=()
[ -n "${STORAGE_DRIVER:-}" ] && storage=(--storage-driver "$STORAGE_DRIVER")

[ -r "$ca" ] || { echo "build.sh: no CA bundle at $ca (apt-get install ca-certificates)" >&2; exit 1; }

rootfs="$context/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/tmp" "$rootfs/var/lib/dargo"

echo "build.sh: compiling the static binary" >&2
CGO_ENABLED=0 go build -trimpath -buildvcs=true -ldflags='-s -w' -o "$rootfs/dargo" ./cmd/dargo

cp "$ca" "$rootfs/etc/ssl/certs/ca-certificates.crt"
printf 'root:x:0:0:root:/root:/sbin/nologin\ndargo:x:%d:%d:dargo:/var/lib/dargo:/sbin/nologin\n' $uid $uid >"$rootfs/etc/passwd"
printf 'root:x:0:\ndargo:x:%d:\n' $uid >"$rootfs/etc/group"
chmod 1777 "$rootfs/tmp"
chown "$uid:$uid" "$rootfs/var/lib/dargo"
chmod 0755 "$rootfs/dargo"
chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group" "$rootfs/etc/ssl/certs/ca-certificates.crt"

revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)

echo "build.sh: building $image" >&2
buildah "${storage[@]}" bud --isolation chroot --layers=false \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  -f Containerfile -t "$image" "$context" >&2

buildah "${storage[@]}" images --format '{{.Name}}:{{.Tag}} {{.Size}}' "$image" >&2

if [ "${1:-}" = --check ]; then
  deploy/image/check.sh "$image"
fi
