#!/usr/bin/env bash
# Runs the built image the way production does and checks what is in it:
# `dargo version` under podman (runtime runc), as the image's user, with
# no network; the files in the image (the binary, passwd, group, the CA
# bundle, /tmp, /var/lib/dargo and no shell); the user and entrypoint.
#
#   deploy/image/check.sh [IMAGE]        # default dargo:latest
#
# Needs podman and runc (apt-get install podman runc). runc, not crun:
# crun refuses hosts whose cgroups are in hybrid mode, as this CI machine's
# are. The --ulimit flags set small limits, enough for a command that exits
# at once: podman's defaults (1048576 files) are above what a sandboxed
# root may set.
set -euo pipefail

image=${1:-dargo:latest}
podman=(podman --runtime runc)
limits=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
fail() { echo "check.sh: $*" >&2; exit 1; }

user=$("${podman[@]}" image inspect --format '{{.Config.User}}' "$image")
[ "$user" = 65532:65532 ] || fail "image user is '$user', want 65532:65532"
entry=$("${podman[@]}" image inspect --format '{{json .Config.Entrypoint}}' "$image")
[ "$entry" = '["/dargo"]' ] || fail "entrypoint is $entry, want [\"/dargo\"]"

ctr=$("${podman[@]}" create "$image")
files=$("${podman[@]}" export "$ctr" | tar -t | sed 's,/$,,' | sort | tr '\n' ' ')
"${podman[@]}" rm "$ctr" >/dev/null
want='dargo etc etc/group etc/passwd etc/ssl etc/ssl/certs etc/ssl/certs/ca-certificates.crt tmp var var/lib var/lib/dargo '
[ "$files" = "$want" ] || fail "image files: $files; want: $want"

out=$("${podman[@]}" run --rm --network none "${limits[@]}" "$image" version 2>&1) || {
  # Until `dargo version` exists, the binary answers "unknown command" and
  # its usage; help proves the same (the binary runs in the image).
  case $out in
  *'unknown command "version"'*)
    echo "check.sh: this dargo has no version command; running help instead" >&2
    out=$("${podman[@]}" run --rm --network none "${limits[@]}" "$image" help 2>&1) ||
      fail "dargo help failed in the image: $out"
    ;;
  *) fail "dargo version failed in the image: $out" ;;
  esac
}
echo "$out" | head -n 3
if "${podman[@]}" run --rm --network none "${limits[@]}" --entrypoint /bin/sh "$image" -c true >/dev/null 2>&1; then
  fail "the image has a shell"
fi
echo "check.sh: $image runs as 65532 under podman (runc); $("${podman[@]}" image inspect --format '{{.Size}}' "$image") bytes"
