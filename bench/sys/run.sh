#!/usr/bin/env bash
# The syscall benchmark into bench/results/sys.json and sys.md: in one VM boot (vmtests/run.sh,
# TCG), faultline side by side with its peers and with no injector (bench/sys/measure_vm.sh):
#  1. untargeted syscall tax: a read/write loop in a cgroup no rule targets while a syscall fault
#     is live on another cgroup, vs no injector (target <= 1.05x)
#  2. cost per injected errno: every pwrite64 failed with EIO by faultline, strace --inject (with
#     and without --seccomp-bpf), libfiu's fiu-run and a seccomp RET_ERRNO filter (targets:
#     strace >= 100x slower than faultline, faultline <= 1.5x libfiu)
#  3. fio random read/write armed at probability 0 on its own cgroup vs no injector (<= 1.01x)
# The machine itself cannot load BPF-LSM programs and has no kprobes, hence the VM: Debian's 6.1
# and 6.12 serve syscall faults by BPF-LSM (syscall.lsm), 6.1-inject by kprobe +
# bpf_override_return (syscall.kprobe); sys.md names the backend that served.
#   bench/sys/run.sh [BUILD_DIR] [--kernel 6.1|6.12|6.1-inject] [--vm-log FILE]
# (root; default build/ and 6.1; --vm-log reuses the JSON lines of an earlier VM run instead of
# booting). Installs strace, fiu-utils and fio when missing: the guest runs the host's binaries.
# Writes sys.json/sys.md for 6.1, sys-KERNEL.json/.md for another kernel.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
kernel=6.1
vm_log=
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) kernel=$2; shift 2 ;;
    --vm-log) vm_log=$(realpath "$2"); shift 2 ;;
    *) build=$(cd "$1" && pwd); shift ;;
  esac
done
out=$top/bench/results
mkdir -p "$out"
name=sys
[ "$kernel" = 6.1 ] || name=sys-$kernel
if [ -z "$vm_log" ]; then
  missing=()
  for p in strace fiu-utils fio jq linux-perf; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  for t in fl_bench_sys fl_bench_floor; do
    [ -x "$build/bench/$t" ] || { echo "build first: $build/bench/$t missing" >&2; exit 2; }
  done
  echo "measuring in the VM (kernel $kernel, TCG: absolute figures are inflated, compare ratios)..."
  cd "$top"
  vmtests/run.sh --kernel "$kernel" --build "$build" --cases-dir bench/sys --case vm >"$out/$name-vm-run.log" || {
    cat "$out/$name-vm-run.log"; echo "VM run failed: see vmtests/out/$kernel/"; exit 1; }
  rm -f "$out/$name-vm-run.log"
  vm_log=$top/vmtests/out/$kernel/vm.log
fi
grep '^{' "$vm_log" >"$out/$name-vm.jsonl"
python3 "$top/bench/sys/report.py" "$out" "$name"
rm -f "$out/$name-vm.jsonl"
cat "$out/$name.md"
