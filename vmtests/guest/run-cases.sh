#!/bin/bash
# PID 1 in the guest, running from the overlay of the host's root. Prepares the kernel
# (filesystems, modules), runs the requested cases and writes one result file per case to the
# writable results share, then ends the VM. Nothing here decides pass/fail by itself beyond the
# case's own command and expectation; vmtests/run.sh reads the result files.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

# QEMU runs with -no-reboot, so a reboot exits it on every kernel; `poweroff -f` would only halt
# a kernel without ACPI (6.1-inject) and leave QEMU running until run.sh's timeout.
end_vm() {
  sync
  reboot -f
}

cd "$FL_TOP" || { echo "FAULTLINE-INFRA: no checkout at $FL_TOP"; end_vm; }

[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd  # devtmpfs lacks it; bash needs it
mount -t cgroup2 none /sys/fs/cgroup
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs none /sys/kernel/tracing
mount -t securityfs none /sys/kernel/security
mount -t debugfs none /sys/kernel/debug 2>/dev/null
# /tmp and /run stay the overlay's: the checkout may live under /tmp (CI clones anywhere).
mkdir -p /results
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 results /results || {
  echo "FAULTLINE-INFRA: cannot mount the results share"; end_vm; }
ip link set lo up
# Debian's kernels have these as modules under FL_KDIR/root; 6.1-inject has them built in and
# no modules tree.
if [ -d "$FL_KDIR/root/lib/modules" ]; then
  for m in veth sch_fq sch_netem sch_prio cls_bpf sch_ingress; do
    modprobe -d "$FL_KDIR/root" "$m" 2>/dev/null || echo "note: module $m not loaded"
  done
fi
echo "guest: $(uname -r), LSMs: $(cat /sys/kernel/security/lsm)" | tee /results/guest-info
# Keep the syscall tracepoints' static keys on for the whole boot. Each first attach (and last
# detach) of a program on raw_syscalls rewrites the jump in syscall_trace_enter with int3-based
# live patching, and QEMU's multi-threaded TCG sometimes keeps running the stale int3 on the
# other vCPU: every wedged or oopsed guest so far (6.1 soft lockups "stuck for 48s" with both
# RIPs at syscall_trace_enter+0xe9 and asm_exc_int3; 6.12 "Oops: int3" there) was that. An
# event for one syscall nobody makes holds a probe on both tracepoints, so the keys never flip,
# and costs every other syscall one bit test. A kernel without syscall events skips this.
for sc in kexec_load acct vhangup; do
  d=/sys/kernel/tracing/events/syscalls
  [ -w "$d/sys_enter_$sc/enable" ] && [ -w "$d/sys_exit_$sc/enable" ] || continue
  echo 1 >"$d/sys_enter_$sc/enable" && echo 1 >"$d/sys_exit_$sc/enable" &&
    echo "syscall tracepoints held on (syscalls:$sc events)"
  break
done

finish() {
  sync
  echo "FAULTLINE-GUEST-DONE"
  touch /results/done
  end_vm
}

if [ "${FL_SHELL:-0}" = 1 ]; then
  echo "faultline VM shell: checkout at $FL_TOP, build at $FL_BUILD. 'exit' ends the VM."
  setsid -c bash -i </dev/ttyS0 >/dev/ttyS0 2>&1
  finish
fi

# Busy time of the guest's CPUs so far, in USER_HZ ticks (/proc/stat: all but idle and iowait).
# Each case reports its CPU time beside its length: under TCG a guest's busy time is host CPU
# time, and CI's length on 2 cores is its CPU work over 2.
guest_busy() {
  local user nice system irq softirq steal
  read -r _ user nice system _ _ irq softirq steal _ </proc/stat
  echo $((user + nice + system + irq + softirq + steal))
}

# Case files are KEY=VALUE lines: name, requires (features, space-separated), timeout (s),
# command (run from the checkout with FL_BUILD set), expect (ERE the output must contain), and
# kernels (series the case runs on, default "6.1 6.12"), which only vmtests/run.sh reads.
# vmtests/run.sh lists the cases to run in /results/cases.list, "name path" a line.
#
# Beyond its exit status and expectation, a case passes only if its test ran something: output
# reporting no check at all ("TAG: 0 of 0 checks passed" from tests/host/lib.sh, gtest's
# "[  PASSED  ] 0 tests") fails it. The checks it skipped (lib.sh's "TAG: P of N checks passed,
# S skipped", gtest's "[  SKIPPED ] S tests") go into its result as "; S skipped)", which
# vmtests/run.sh counts.
source "$FL_TOP/vmtests/guest/case_output.sh"
mapfile -t case_lines </results/cases.list
for line in "${case_lines[@]}"; do
  name=${line%% *}
  file=${line#* }
  unset requires timeout command expect
  while IFS='=' read -r key value; do
    case "$key" in
      name|requires|timeout|command|expect) printf -v "$key" '%s' "$value" ;;
    esac
  done < <(grep -E '^[a-z]+=' "$file")
  log=/results/$name.log
  result=/results/$name.result
  echo "== case $name"
  if [ -z "${command:-}" ] || [ -z "${expect:-}" ]; then
    echo "FAIL malformed case: $file needs command= and expect=" >"$result"
    continue
  fi
  missing=""
  broken=""
  for feature in ${requires:-}; do
    out=$("$FL_BUILD/userspace/faultline" doctor --require "$feature" 2>&1)
    case $? in
      0) ;;
      1) missing+="$out; " ;;       # the probe's verdict: the kernel lacks it
      *) broken+="$out; " ;;        # doctor itself failed: a test failure, never "unsupported"
    esac
  done
  if [ -n "$broken" ]; then
    echo "FAIL cannot check features: $broken" >"$result"
    continue
  fi
  if [ -n "$missing" ]; then
    echo "UNSUPPORTED $missing" >"$result"
    continue
  fi
  start=$(date +%s)
  busy_before=$(guest_busy)
  FL_BUILD=$FL_BUILD timeout --signal=KILL "${timeout:-120}" bash -c "$command" >"$log" 2>&1
  rc=$?
  took="$(( $(date +%s) - start ))s, $(( ($(guest_busy) - busy_before) / 100 )) CPU-s"
  skipped=$(case_skipped "$log")
  [ "$skipped" -gt 0 ] && took+="; $skipped skipped"
  if [ $rc -eq 137 ]; then
    echo "FAIL timed out after ${timeout}s" >"$result"
  elif [ $rc -ne 0 ]; then
    echo "FAIL exit status $rc (${took})" >"$result"
  elif case_ran_nothing "$log"; then
    echo "FAIL its test ran no check (${took})" >"$result"
  elif [ -n "${expect:-}" ] && ! grep -Eq -- "$expect" "$log"; then
    echo "FAIL output lacks /$expect/ (${took})" >"$result"
  else
    echo "PASS (${took})" >"$result"
  fi
  sync
done
finish
