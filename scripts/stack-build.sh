#!/usr/bin/env bash
# Builds the dyno stack image (Debian bookworm with python3, python3-venv, nodejs, npm, bash,
# ca-certificates) with debootstrap and imports it into the local Docker engine.
#
#   scripts/stack-build.sh [image]      default image: $PAAS_STACK_IMAGE or paas/stack:bookworm
#
# The root filesystem tarball is cached under $PAAS_STACK_CACHE (default /var/cache/paas-stack),
# so a rebuild after `docker rmi` only re-imports it. Delete the tarball to rebuild from scratch.
# Settings: PAAS_STACK_MIRROR (default http://deb.debian.org/debian), FORCE=1 to re-import.
set -euo pipefail

IMAGE="${1:-${PAAS_STACK_IMAGE:-paas/stack:bookworm}}"
CACHE="${PAAS_STACK_CACHE:-/var/cache/paas-stack}"
MIRROR="${PAAS_STACK_MIRROR:-http://deb.debian.org/debian}"
PACKAGES="python3,python3-venv,nodejs,npm,bash,ca-certificates"
TARBALL="$CACHE/bookworm-rootfs.tar"

log() { printf '[stack] %s\n' "$*" >&2; }

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already exists"
  exit 0
fi
[ "$(id -u)" = 0 ] || { log "debootstrap needs root: run as root (sudo npm run stack:build)"; exit 1; }
command -v debootstrap >/dev/null || { log "debootstrap is missing: apt-get install -y debootstrap"; exit 1; }

mkdir -p "$CACHE"
# One build at a time (the dyno-manager and CI may both ask).
exec 9>"$CACHE/.lock"
flock 9
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE was built meanwhile"
  exit 0
fi

if [ ! -s "$TARBALL" ]; then
  ROOT="$(mktemp -d "$CACHE/rootfs.XXXXXX")"
  trap 'umount "$ROOT/proc" 2>/dev/null; rm -rf "$ROOT" "$TARBALL.partial"' EXIT
  log "debootstrap bookworm from $MIRROR into $ROOT (a few minutes, once)"
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >&2
  # The stack's packages through apt in the new system: debootstrap's own resolver
  # configures npm's many dependencies in the wrong order.
  echo "deb $MIRROR bookworm main" >"$ROOT/etc/apt/sources.list"
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  mount -t proc proc "$ROOT/proc"
  log "installing ${PACKAGES//,/ }"
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${PACKAGES//,/ } >&2
  umount "$ROOT/proc"
  : >"$ROOT/etc/resolv.conf"
  chroot "$ROOT" apt-get clean
  rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/*.bin "$ROOT"/tmp/* "$ROOT"/var/log/*.log
  # The dyno user (uid/gid 1000): dynos never run as root.
  chroot "$ROOT" groupadd --gid 1000 dyno
  chroot "$ROOT" useradd --uid 1000 --gid 1000 --home-dir /app --no-create-home --shell /bin/bash dyno
  mkdir -p "$ROOT/app"
  chown 1000:1000 "$ROOT/app"
  tar --numeric-owner -C "$ROOT" -cf "$TARBALL.partial" .
  mv "$TARBALL.partial" "$TARBALL"
  rm -rf "$ROOT"
  trap - EXIT
fi

log "importing $TARBALL as $IMAGE"
docker import \
  --change 'ENV PATH=/app/.heroku/python/bin:/app/.heroku/node/bin:/app/bin:/app/node_modules/.bin:/usr/local/bin:/usr/bin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV HOME=/app' \
  --change 'WORKDIR /app' \
  --change 'USER 1000:1000' \
  --change 'CMD ["bash"]' \
  --change 'LABEL paas.stack=heroku-bookworm' \
  "$TARBALL" "$IMAGE" >&2
log "$IMAGE ready"
