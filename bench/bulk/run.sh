#!/usr/bin/env bash
# Bulk TCP under delay, faultline against tc netem (issue 30 part 1), into bench/results/bulk.json
# and bulk.md: one VM boot (vmtests/run.sh, TCG) running bench/bulk/measure_vm.sh, then
# report.py. The machine itself has neither sch_netem nor sch_fq, hence the VM.
#   bench/bulk/run.sh [BUILD_DIR] [--kernel 6.12|6.1] [--vm-log FILE]
# (root; default build/; --vm-log reuses the JSON lines of an earlier VM run instead of booting)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$top/build
kernel=6.12
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
if [ -z "$vm_log" ]; then
  echo "measuring in the VM (kernel $kernel, TCG: absolute figures are inflated, compare ratios)..."
  cd "$top"
  vmtests/run.sh --kernel "$kernel" --build "$build" --cases-dir bench/bulk --case vm >"$out/bulk-vm-run.log" || {
    cat "$out/bulk-vm-run.log"; echo "VM run failed: see vmtests/out/$kernel/"; exit 1; }
  rm -f "$out/bulk-vm-run.log"
  vm_log=${FL_VM_OUT:-$top/vmtests/out}/$kernel/vm.log
fi
grep '^{' "$vm_log" >"$out/bulk-vm.jsonl"
python3 "$top/bench/bulk/report.py" "$out"
rm -f "$out/bulk-vm.jsonl"
cat "$out/bulk.md"
