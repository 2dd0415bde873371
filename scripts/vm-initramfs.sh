#!/usr/bin/env bash
# Builds the initramfs for one unpacked kernel (scripts/vm-kernels.sh): busybox-static, the
# modules needed to reach the host root (9p over virtio, overlay) with their dependencies in load
# order, decompressed (busybox insmod cannot read .ko.xz), and vmtests/guest/init. A kernel
# without a modules tree (6.1-inject has everything built in) gets an empty module list.
# Usage: scripts/vm-initramfs.sh KERNEL_DIR   (writes KERNEL_DIR/initrd.img, cached by content)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$1
version=$(cat "$kdir/version")
moddir=$kdir/root/lib/modules/$version
out=$kdir/initrd.img
stamp=$(cat "$top/vmtests/guest/init" "$0" /bin/busybox | sha256sum | cut -c1-16)
if [ -f "$out" ] && [ "$(cat "$kdir/initrd.stamp" 2>/dev/null)" = "$stamp" ]; then
  echo "$out"; exit 0
fi

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,proc,sys,dev,modules,lower,upper,newroot}
cp /bin/busybox "$work/bin/busybox"

declare -A seen=()
order=()
# Depth-first over modules.dep so every module follows its dependencies.
add_module() {
  local name=$1 line path deps d
  [ -n "${seen[$name]:-}" ] && return 0
  seen[$name]=1
  line=$(grep -E "/${name}\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | head -n 1 || true)
  [ -n "$line" ] || return 0   # built in (or absent): nothing to load
  path=${line%%:*}
  deps=${line#*:}
  for d in $deps; do
    d=$(basename "$d"); d=${d%%.ko*}
    add_module "$d"
  done
  case "$path" in
    *.xz) xz -dc "$moddir/$path" >"$work/modules/$name.ko" ;;
    *.zst) zstd -dcq "$moddir/$path" >"$work/modules/$name.ko" ;;
    *) cp "$moddir/$path" "$work/modules/$name.ko" ;;
  esac
  order+=("$name")
}
if [ -f "$moddir/modules.dep" ]; then
  for m in virtio_pci 9pnet_virtio 9p overlay; do add_module "$m"; done
fi
: >"$work/modules/order"
[ ${#order[@]} -eq 0 ] || printf '%s\n' "${order[@]}" >"$work/modules/order"
install -m 0755 "$top/vmtests/guest/init" "$work/init"
(cd "$work" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
echo "$stamp" >"$kdir/initrd.stamp"
echo "$out"
