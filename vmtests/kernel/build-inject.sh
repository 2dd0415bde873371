#!/usr/bin/env bash
# Builds the `6.1-inject` VM kernel: Debian's linux-source-6.1 with CONFIG_FUNCTION_ERROR_INJECTION
# and CONFIG_BPF_KPROBE_OVERRIDE, which Debian's own kernels lack, so that kprobe +
# bpf_override_return can be tested. `make tinyconfig`, then kernel-tiny-base.config,
# kernel-override.config and kernel-trim.config merged on top, everything built in (the
# initramfs loads no modules).
#
# The result is cached in $FAULTLINE_CACHE/kernels/linux-6.1-inject-<key> (default cache
# /var/cache/faultline), where <key> hashes the options of the three config files (not their
# comments; "# CONFIG_X is not set" lines count), the linux-source-6.1, dwarves and gcc package
# versions and the recipe revision below: a machine builds it once (8-10 min on 2 cores) and
# again only when one of those changes. That directory looks like the Debian kernels'
# (scripts/vm-kernels.sh): vmlinuz and version, plus the final .config as config and the build
# log.
#
# Usage: vmtests/kernel/build-inject.sh   prints the kernel directory on stdout; progress on stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${FAULTLINE_CACHE:-/var/cache/faultline}/kernels
fragments=("$here/kernel-tiny-base.config" "$here/kernel-override.config" "$here/kernel-trim.config")
source_tar=/usr/src/linux-source-6.1.tar.xz
# Bump when a change below alters the kernel that comes out, so caches built the old way are
# not reused (the config files and the source version are hashed already).
recipe=2
# Debug information only for BTF (pahole turns the DWARF types into the BTF that CO-RE, fentry,
# fmod_ret and BPF-LSM need): variable locations (var tracking) are of no use to it and cost a
# sixth of each compile (kernel/ and mm/: 244 against 292 CPU-s, measured).
kcflags="-fno-var-tracking-assignments -fno-var-tracking"

say() { echo "build-inject: $*" >&2; }
elapsed() { printf '%dm%02ds' $(((SECONDS - start) / 60)) $(((SECONDS - start) % 60)); }

# Build dependencies, installed only when missing (scripts/deps.sh lists them too, for CI).
deps=(linux-source-6.1 build-essential bc flex bison libssl-dev libelf-dev dwarves)
missing=()
for p in "${deps[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing build dependencies: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; } >&2
fi
source_version=$(dpkg-query -W -f='${Version}' linux-source-6.1)
# The tools that shape the result count too: pahole writes the BTF every BPF program here is
# checked against (a newer one leaves out functions it did not before), gcc the code.
tool_versions=$(dpkg-query -W -f='${Package} ${Version}\n' dwarves gcc)

key=$({
  grep -hE '^(# )?CONFIG_' "${fragments[@]}"
  echo "linux-source-6.1 $source_version"
  echo "$tool_versions"
  echo "recipe $recipe"
} | sha256sum | cut -c1-16)
kdir=$cache/linux-6.1-inject-$key
if [ -f "$kdir/.ready" ]; then echo "$kdir"; exit 0; fi

# One build at a time per machine: a second run waits for the first and then uses its result.
# This lock is the script's own (not the callers' VM lock), so holding both cannot deadlock.
mkdir -p "$cache"
exec 9>"$cache/linux-6.1-inject.lock"
if ! flock -n 9; then
  say "another build of this kernel is running; waiting for it"
  flock 9
fi
if [ -f "$kdir/.ready" ]; then echo "$kdir"; exit 0; fi

start=$SECONDS
build=$cache/build-6.1-inject-$key
build_log=$build.log
# Builds are serialised by the lock, so any tree left here is a failed earlier one (any key).
rm -rf "$cache"/build-6.1-inject-* "$kdir"
mkdir -p "$build"
: >"$build_log"
failed() {
  say "FAILED after $(elapsed): $1 (log: $build_log; source tree kept in $build until the next build)"
  tail -n 30 "$build_log" >&2
  exit 1
}
say "building linux-source-6.1 $source_version into $kdir (key $key, log $build_log)"
say "unpacking $source_tar"
tar -xJf "$source_tar" -C "$build" --strip-components=1 || failed "unpacking"
cd "$build"
say "configuring: tinyconfig + ${fragments[*]##*/}"
{
  make tinyconfig &&
    scripts/kconfig/merge_config.sh -m .config "${fragments[@]}" &&
    make olddefconfig
} >>"$build_log" 2>&1 || failed "configuring"
# olddefconfig silently drops an option whose dependencies are off (e.g. KPROBES without
# MODULES on 6.1): insist that every line of both files survived, so a kernel without the
# override chain, BTF or BPF-LSM is never cached.
dropped=()
while read -r line; do
  grep -qxF -- "$line" .config || dropped+=("$line")
done < <(grep -hE '^CONFIG_' "${fragments[@]}")
# And every option the trim turns off stayed off (another option selecting it would bring it
# back, with its files).
while read -r option; do
  grep -q "^$option=" .config && dropped+=("# $option is not set")
done < <(sed -nE 's/^# (CONFIG_[A-Z0-9_]+) is not set$/\1/p' "${fragments[@]}")
if [ ${#dropped[@]} -gt 0 ]; then
  printf 'build-inject: not as requested in the final .config: %s\n' "${dropped[@]}" >&2
  failed "configuring (${#dropped[@]} requested options not as asked)"
fi

jobs=$(nproc)
say "make -j$jobs KCFLAGS='$kcflags' bzImage ($(elapsed) so far)"
make -j"$jobs" KCFLAGS="$kcflags" bzImage >>"$build_log" 2>&1 &
make_pid=$!
# Progress every minute: the build takes several, and a silent one looks hung.
while kill -0 "$make_pid" 2>/dev/null; do
  for _ in $(seq 60); do kill -0 "$make_pid" 2>/dev/null || break; sleep 1; done
  kill -0 "$make_pid" 2>/dev/null && say "$(elapsed): $(grep -c '^  CC ' "$build_log") files compiled"
done
wait "$make_pid" || failed "make bzImage"

staging=$kdir.tmp
rm -rf "$staging" && mkdir -p "$staging"
cp arch/x86/boot/bzImage "$staging/vmlinuz"
cp .config "$staging/config"
make -s kernelrelease >"$staging/version"
cd /
mv "$build_log" "$staging/build.log"
mv "$staging" "$kdir"
touch "$kdir/.ready"
# Only the bzImage is needed to boot: the source and object tree (several GB) would only
# take disk space, and the cache key never looks at it.
rm -rf "$build"
say "built $(cat "$kdir/version") in $(elapsed): $kdir"
echo "$kdir"
