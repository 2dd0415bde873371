#!/usr/bin/env bash
# The network benchmark, both halves, into one bench/results/net.json and net.md:
#  - on this machine: per-packet cost of faultline's cgroup_skb programs (BPF_PROG_TEST_RUN,
#    46-byte UDP, 1,000,000 runs per case; see fl_bench_net.cpp). Five rounds, the median of each
#    case is kept.
#  - in a VM (vmtests/run.sh, TCG): faultline side by side with `tc netem` and with no injector in
#    one boot (bench/net/measure_vm.sh): delay accuracy, CPU per Gbit/s of a delayed TCP flow,
#    drop-path throughput, 1 vs 1,000 armed targets. The machine itself has neither sch_netem
#    nor sch_fq, hence the VM.
#   bench/net/run.sh [BUILD_DIR] [--kernel 6.12|6.1] [--vm-log FILE]
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
echo "measuring on this machine (BPF_PROG_TEST_RUN)..."
for _ in 1 2 3 4 5; do "$build/bench/fl_bench_net"; done >"$out/net-rounds.jsonl"
if [ -z "$vm_log" ]; then
  echo "measuring in the VM (kernel $kernel, TCG: absolute figures are inflated, compare ratios)..."
  cd "$top"
  vmtests/run.sh --kernel "$kernel" --build "$build" --cases-dir bench/net --case vm >"$out/net-vm-run.log" || {
    cat "$out/net-vm-run.log"; echo "VM run failed: see vmtests/out/$kernel/"; exit 1; }
  rm -f "$out/net-vm-run.log"
  vm_log=$top/vmtests/out/$kernel/vm.log
fi
grep '^{' "$vm_log" >"$out/net-vm.jsonl"
python3 "$top/bench/net/report.py" "$out"
rm -f "$out/net-rounds.jsonl" "$out/net-vm.jsonl"
cat "$out/net.md"
