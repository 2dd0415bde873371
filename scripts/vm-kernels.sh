#!/usr/bin/env bash
# Fetches and unpacks the Debian kernels the VM suite runs on, resolving package names at run
# time (versions move). Cached under $FAULTLINE_CACHE (default /var/cache/faultline).
# `6.1-inject` is not a Debian package but Debian's 6.1 source built with function error
# injection (vmtests/kernel/build-inject.sh): built on first use, then cached the same way.
# Usage: scripts/vm-kernels.sh [6.1|6.12|6.1-inject ...]   prints "<series> <kernel dir>" per
# kernel; each dir holds vmlinuz and version, and the Debian ones their modules under root/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${FAULTLINE_CACHE:-/var/cache/faultline}/kernels
mkdir -p "$cache"

resolve() {
  case "$1" in
    6.1) apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6\.1\./{print $2; exit}' ;;
    6.12) apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
            awk '{print $1}' | sort -V | tail -n 1 ;;
    *) echo "unknown kernel series $1 (use 6.1, 6.12 or 6.1-inject)" >&2; return 1 ;;
  esac
}

fetch() {
  local series=$1 pkg dir
  if [ "$series" = 6.1-inject ]; then
    dir=$("$top/vmtests/kernel/build-inject.sh") || return 1
    echo "$series $dir"
    return 0
  fi
  pkg=$(resolve "$series")
  if [ -z "$pkg" ]; then
    echo "cannot resolve a linux-image package for $series (run apt-get update?)" >&2
    return 1
  fi
  dir=$cache/$pkg
  if [ ! -f "$dir/.ready" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && apt-get download "$pkg" >/dev/null 2>&1) || {
      echo "apt-get download $pkg failed" >&2; return 1; }
    dpkg-deb -x "$dir"/*.deb "$dir/root"
    rm -f "$dir"/*.deb
    local version
    version=$(ls "$dir/root/lib/modules")
    depmod -b "$dir/root" "$version"
    ln -sf "$(ls "$dir"/root/boot/vmlinuz-*)" "$dir/vmlinuz"
    echo "$version" >"$dir/version"
    touch "$dir/.ready"
  fi
  echo "$series $dir"
}

series=("$@")
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12 6.1-inject)
for s in "${series[@]}"; do fetch "$s"; done
