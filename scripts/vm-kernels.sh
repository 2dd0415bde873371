#!/usr/bin/env bash
# Fetches and unpacks the Debian kernels the VM suite runs on, resolving package names at run
# time (versions move). Cached under $FAULTLINE_CACHE (default /var/cache/faultline).
# Usage: scripts/vm-kernels.sh [6.1|6.12 ...]   prints "<series> <unpacked dir>" per kernel.
set -euo pipefail
cache=${FAULTLINE_CACHE:-/var/cache/faultline}/kernels
mkdir -p "$cache"

resolve() {
  case "$1" in
    6.1) apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-6\.1\./{print $2; exit}' ;;
    6.12) apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
            awk '{print $1}' | sort -V | tail -n 1 ;;
    *) echo "unknown kernel series $1 (use 6.1 or 6.12)" >&2; return 1 ;;
  esac
}

fetch() {
  local series=$1 pkg dir
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
[ ${#series[@]} -gt 0 ] || series=(6.1 6.12)
for s in "${series[@]}"; do fetch "$s"; done
