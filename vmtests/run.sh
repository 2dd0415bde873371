#!/usr/bin/env bash
# Runs the declarative VM cases under QEMU (TCG) on three kernels, with the host's root (this
# checkout and its build included) shared read-only into the guest:
# Debian's 6.1 and 6.12 (apt), and 6.1-inject, Debian's 6.1 source built with function error
# injection for kprobe + bpf_override_return (vmtests/kernel/build-inject.sh, 8-10 min the first
# time on a machine, cached after). A case runs on the kernels its `kernels=` line lists
# (default "6.1 6.12"); naming both --kernel and --case runs that case there regardless.
# A case file sits beside the test it runs: every *.case under tests/ and userspace/faults/ is
# collected (userspace/faults/network/tests/host/net_tc.case runs net_tc_test.sh beside it); a case's name is its file's
# name, unique across both trees (a second case of the same name is refused).
#
#   vmtests/run.sh                          every case on each kernel it lists
#   vmtests/run.sh --kernel 6.1 --case lsm_file_open_eio
#   vmtests/run.sh --kernel 6.1-inject      the cases that list 6.1-inject
#   vmtests/run.sh --kernel 6.12 --shell    a root shell in the guest (exit ends the VM)
#   vmtests/run.sh --detached               programs are loaded but not attached: cases must FAIL
#   vmtests/run.sh --cases-dir bench/control   only the cases under that folder (benchmarks)
#   vmtests/run.sh --list                   the cases (or those named by --case): file, kernels
#   vmtests/run.sh --strict                 UNSUPPORTED counts as a failure (the Debian kernels
#                                           support every case; scripts/test.sh uses this)
#
# Exit status: 0 when every case passed (or was reported UNSUPPORTED by a kernel that lacks its
# feature), 1 when any failed or none ran, 2 on infrastructure failure (guest oops/panic/hang
# after a retry) or a bad case file. A case passes only with at least one check run: the guest
# fails "0 of 0 checks passed" whatever its expectation says. Checks a test skipped (lib.sh's
# `skip`) are listed under its case and counted in the last line, never as passed; the line and
# vmtests/out/summary ("passed failed unsupported infra skipped") give the run's totals.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${FL_BUILD:-$top/build}
kernels=()
cases=()
cases_dir=   # relative to the checkout; empty: tests/ and userspace/faults/
shell=0
list=0
detached=0
strict=0
while [ $# -gt 0 ]; do
  case "$1" in
    --kernel) kernels+=("$2"); shift 2 ;;
    --case) cases+=("$2"); shift 2 ;;
    --shell) shell=1; shift ;;
    --list) list=1; shift ;;
    --detached) detached=1; shift ;;
    --strict) strict=1; shift ;;
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --cases-dir) cases_dir=$2; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
known_kernels=" 6.1 6.12 6.1-inject "
default_case_kernels="6.1 6.12"
# Both named on the command line: the user asked for exactly this pair (e.g. trying a case on a
# kernel it does not list yet), so the kernels= filter steps aside.
explicit=0
[ ${#kernels[@]} -gt 0 ] && [ ${#cases[@]} -gt 0 ] && explicit=1
[ ${#kernels[@]} -gt 0 ] || kernels=(6.1 6.12 6.1-inject)
# Every case file, by name: path relative to the checkout. find, so a new family folder with its
# own cases needs no edit here.
declare -A case_file=()
collect_cases() {
  local roots=() f name dups=""
  if [ -n "$cases_dir" ]; then
    [ -d "$top/$cases_dir" ] || { echo "no folder $cases_dir" >&2; exit 2; }
    roots=("$cases_dir")
  else
    roots=(tests)
    [ -d "$top/userspace/faults" ] && roots+=(userspace/faults)
  fi
  while IFS= read -r f; do
    name=$(basename "$f" .case)
    if [ -n "${case_file[$name]:-}" ]; then
      dups+="  case $name twice: ${case_file[$name]} and $f"$'\n'
      continue
    fi
    case_file[$name]=$f
  done < <(cd "$top" && find "${roots[@]}" -type f -name '*.case' | sort)
  if [ -n "$dups" ]; then
    printf 'case names must be unique (a case is named by its file; rename one of each pair):\n%s' "$dups" >&2
    exit 2
  fi
  [ ${#case_file[@]} -gt 0 ] || { echo "no *.case file under ${roots[*]}" >&2; exit 2; }
}
collect_cases
if [ ${#cases[@]} -eq 0 ]; then
  mapfile -t cases < <(printf '%s\n' "${!case_file[@]}" | sort)
fi
case_key() { # case key: the value of KEY= in the case file (empty when absent)
  grep -E "^$2=" "$top/${case_file[$1]}" | head -n 1 | cut -d= -f2-
}
declare -A case_kernels=()
for c in "${cases[@]}"; do
  [ -n "${case_file[$c]:-}" ] || { echo "no case $c (no $c.case under ${cases_dir:-tests/ or userspace/faults/})" >&2; exit 2; }
  named=$(case_key "$c" name)
  [ -z "$named" ] || [ "$named" = "$c" ] || {
    echo "case ${case_file[$c]}: name=$named, but a case is named by its file ($c)" >&2; exit 2; }
  case_kernels[$c]=$(case_key "$c" kernels)
  : "${case_kernels[$c]:=$default_case_kernels}"
  # A misspelt series would silently keep the case from ever running.
  for k in ${case_kernels[$c]}; do
    [[ $known_kernels == *" $k "* ]] || {
      echo "case $c: unknown kernel '$k' in kernels= (known:$known_kernels)" >&2; exit 2; }
  done
done
if [ $list = 1 ]; then
  for c in "${cases[@]}"; do printf '%-28s %-40s %s\n' "$c" "${case_file[$c]}" "${case_kernels[$c]}"; done
  exit 0
fi
[ -x "$build/userspace/faultline" ] || { echo "build first: $build/userspace/faultline missing" >&2; exit 2; }

select_cases() { # series: sets run_cases to the cases that run on it
  run_cases=()
  local c
  for c in "${cases[@]}"; do
    if [ $explicit = 1 ] || [[ " ${case_kernels[$c]} " == *" $1 "* ]]; then run_cases+=("$c"); fi
  done
}

out_root=${FL_VM_OUT:-$top/vmtests/out}
mkdir -p "$out_root"
passed=0; failed=0; unsupported=0; infra=0; skipped=0

boot() { # kernel_dir results_dir console_log
  local kdir=$1 results=$2 console=$3 initrd cmdline
  initrd=$("$top/scripts/vm-initramfs.sh" "$kdir") || return 2
  cmdline="console=ttyS0 quiet loglevel=5 softlockup_all_cpu_backtrace=1 panic=-1 FL_TOP=$top FL_BUILD=$build FL_KDIR=$kdir"
  [ $detached = 1 ] && cmdline+=" FAULTLINE_TEST_DETACHED=1"
  [ $shell = 1 ] && cmdline+=" FL_SHELL=1"
  # qemu64, not max: the guests' CPU time is CI's largest share, and TCG emulates the baseline
  # x86-64 cheaper (glibc's AVX2 string functions, for one, cost more to emulate than SSE2):
  # 95 against 102 CPU-s for the same five cases. FL_QEMU_CPU and FL_QEMU_SMP try others.
  local qemu=(qemu-system-x86_64 -accel tcg -cpu "${FL_QEMU_CPU:-qemu64}" -m 2048 -smp "${FL_QEMU_SMP:-2}" -nographic -no-reboot
    -kernel "$kdir/vmlinuz" -initrd "$initrd"
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$results,mount_tag=results,security_model=none,multidevs=remap"
    -append "$cmdline")
  if [ $shell = 1 ]; then
    "${qemu[@]}"
    return 0
  fi
  # An oops or panic ends the guest at once (its cases cannot be trusted; the retry below runs
  # them again). A soft lockup or RCU stall report alone does not: under TCG it mostly means the
  # host left QEMU without a CPU for a while (seen in CI: both vCPUs "stuck for 22s" in the same
  # tenth of a second), and the guest goes on. Only a guest that then stops making progress (no
  # file in the results share changes for $wedged_after s) is treated as wedged and killed, so it
  # does not hold the run until the sum of every case's timeout.
  timeout --signal=KILL "$total_timeout" "${qemu[@]}" </dev/null >"$console" 2>&1 &
  local qpid=$! wedged_after=150
  while kill -0 "$qpid" 2>/dev/null; do
    local reason=
    if grep -qE 'Oops|Kernel panic' "$console" 2>/dev/null; then
      reason=oops
    elif grep -qE 'soft lockup|self-detected stall|detected stalls' "$console" 2>/dev/null; then
      local newest
      newest=$(find "$results" -type f ! -name console.log -printf '%T@\n' 2>/dev/null | sort -n | tail -n 1)
      [ -n "$newest" ] && [ $(($(date +%s) - ${newest%.*})) -gt $wedged_after ] && reason=wedged
    fi
    if [ -n "$reason" ]; then
      [ $reason = wedged ] && echo "FAULTLINE-INFRA: no progress for ${wedged_after}s after a stall report" >>"$console"
      sleep 15 # let the console print the trace (slow under TCG on a loaded host) for the log
      # QEMU first: killed first, `timeout` would leave it orphaned, running on beside the
      # retry (seen: a stalled 6.1 guest kept a core busy through the whole second attempt).
      pkill -KILL -P "$qpid" 2>/dev/null
      kill -KILL "$qpid" 2>/dev/null
      break
    fi
    sleep 2
  done
  wait "$qpid" 2>/dev/null
}

for series in "${kernels[@]}"; do
  select_cases "$series"
  # Nothing to run there: skip the boot, and for 6.1-inject the kernel build too.
  if [ ${#run_cases[@]} -eq 0 ] && [ $shell = 0 ]; then
    echo "== kernel $series: no selected case lists it (kernels= in the .case files), skipped"
    continue
  fi
  total_timeout=60
  for c in "${run_cases[@]}"; do
    t=$(case_key "$c" timeout)
    total_timeout=$((total_timeout + ${t:-120}))
  done
  line=$("$top/scripts/vm-kernels.sh" "$series") || { echo "cannot fetch kernel $series" >&2; infra=$((infra + 1)); continue; }
  kdir=${line#* }
  for attempt in 1 2; do
    results=$out_root/$series
    # The failed first attempt's console (its oops or stall trace) outlives the retry.
    [ $attempt = 2 ] && cp "$results/console.log" "$out_root/$series-attempt1-console.log" 2>/dev/null
    rm -rf "$results"; mkdir -p "$results"
    # The guest's list of cases to run, one "name path" a line (paths from the checkout): a
    # file on the results share, as the kernel command line is too short for every path.
    for c in "${run_cases[@]}"; do echo "$c ${case_file[$c]}"; done >"$results/cases.list"
    console=$results/console.log
    echo "== kernel $series ($(cat "$kdir/version")), attempt $attempt: ${run_cases[*]}"
    boot_start=$SECONDS
    boot "$kdir" "$results" "$console"
    echo "   guest ran $((SECONDS - boot_start))s"
    [ $shell = 1 ] && exit 0
    # A guest that oopsed, panicked or never finished is an infrastructure failure (seen under
    # TCG: a rare int3 oops while the kernel patches code), not a test result: retry once. So is
    # a finished guest that reported a stall and failed a case: a stall of tens of seconds breaks
    # any timing check that ran through it. A stall with every case passed is reported and kept.
    stalled=0
    grep -qE 'soft lockup|self-detected stall|detected stalls' "$console" && stalled=1
    any_failed=0
    for c in "${run_cases[@]}"; do
      grep -q '^PASS\|^UNSUPPORTED' "$results/$c.result" 2>/dev/null || any_failed=1
    done
    broken=0 # an oops, a panic, a BUG other than the soft-lockup watchdog's, or the guest's own report
    grep -E 'Oops|Kernel panic|BUG: |FAULTLINE-INFRA' "$console" | grep -vq 'soft lockup' && broken=1
    if [ $broken = 1 ] || [ ! -f "$results/done" ] ||
      { [ $stalled = 1 ] && [ $any_failed = 1 ]; }; then
      echo "!! kernel $series: guest failed before finishing or stalled (console: $console$([ $attempt = 1 ] && echo ", kept as $out_root/$series-attempt1-console.log"))"
      grep -E 'Oops|Kernel panic|BUG: |soft lockup|stall|RIP:|FAULTLINE-INFRA' "$console" | head -20
      for c in "${run_cases[@]}"; do
        [ -f "$results/$c.result" ] && printf '   %-32s %s\n' "$c" "$(cat "$results/$c.result")"
      done
      tail -n 20 "$console"
      if [ $attempt = 1 ]; then continue; fi
      infra=$((infra + 1))
      break
    fi
    if [ $stalled = 1 ]; then
      echo "   note: the guest reported a stall (TCG without a host CPU for a while) and went on; every case passed"
      grep -E 'soft lockup|stall|RIP:' "$console" | head -8 | sed 's/^/   | /'
    fi
    sed 's/^/   /' "$results/guest-info"
    for c in "${run_cases[@]}"; do
      r=$(cat "$results/$c.result" 2>/dev/null || echo "FAIL no result")
      printf '   %-32s %s\n' "$c" "$r"
      # "; N skipped)" in the result: the checks the test skipped, each with its reason in the log.
      if [[ $r =~ \;\ ([0-9]+)\ skipped\) ]]; then
        skipped=$((skipped + BASH_REMATCH[1]))
        grep -E '^skip |^\[  SKIPPED \] [^0-9]' "$results/$c.log" 2>/dev/null | head -n 20 | sed 's/^/   | /'
      fi
      case "$r" in
        PASS*) passed=$((passed + 1)) ;;
        UNSUPPORTED*) unsupported=$((unsupported + 1)) ;;
        *) failed=$((failed + 1)); echo "   --- $c output (last 30 lines):"; tail -n 30 "$results/$c.log" 2>/dev/null | sed 's/^/   | /' ;;
      esac
    done
    break
  done
done
checks=checks; [ $skipped = 1 ] && checks=check
echo "vm: $passed passed, $failed failed, $unsupported unsupported, $infra infrastructure failures, $skipped $checks skipped"
# The fifth field (skipped checks) came after the first four: read all five (scripts/test.sh).
echo "$passed $failed $unsupported $infra $skipped" >"$out_root/summary"
[ $infra -gt 0 ] && exit 2
[ $failed -gt 0 ] && exit 1
if [ $((passed + unsupported)) -eq 0 ]; then
  echo "vm: no case ran" >&2
  exit 1
fi
[ $strict = 1 ] && [ $unsupported -gt 0 ] && exit 1
exit 0
