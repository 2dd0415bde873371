#!/usr/bin/env bash
# The VM half of the syscall benchmark, as JSON lines on stdout: faultline side by side with its
# peers and with no injector, in one boot. Raw samples only; bench/sys/report.py computes the
# statistics and the ratios.
#   tax    untargeted syscall tax: `fl_bench_sys copy` (the loop of dd bs=1: 1-byte read from
#          /dev/zero + write to /dev/null) in a cgroup no rule targets, with no injector, with an
#          empty program on the backend's attach point (fl_bench_floor: what the mechanism costs
#          any injector), and while faultlined holds a live `syscall: {name: [read, write]}` fault
#          on another cgroup (its program runs for every call and finds no rule for the caller)
#   errno  cost per injected errno: `fl_bench_sys pwrite`, every pwrite64 failed with EIO, by
#          faultline (a syscall rule with no trigger; through faultline exec and through a policy
#          faultlined applied to the loop's cgroup), a seccomp RET_ERRNO filter, strace
#          --inject (with and without --seccomp-bpf) and libfiu's fiu-run; plus the same loop
#          with no injector (calls succeed) for scale
#   fio    a whole workload armed at probability 0: fio random read/write (psync: pread64 and
#          pwrite64) on a tmpfs file, with no injector, with the empty program, and with a rule
#          on both syscalls at `probability: 0%` (every call matched and evaluated, none
#          injected), through faultline exec and through faultlined
# faultlined runs from start to end (idle, nothing attached, in the no-injector cases).
#   progstats, profile  one more faultline run per section through faultlined, with the kernel's
#          BPF run-time statistics on, and one under `perf record` (cpu-clock samples of the
#          command, kernel and user): what the faultline figures are made of
# Cases alternate within each round and the order turns from round to round, so drift in the
# emulated machine (the host's other load) spreads over all of them.
# Usage: measure_vm.sh BUILD_DIR [--quick]   (root; a kernel with a syscall backend)
source "$(dirname "$0")/../../tests/host/lib.sh" "$1" bs
quick=${2:-}
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
HELPER=$BUILD/bench/fl_bench_sys
FLOOR=$BUILD/bench/fl_bench_floor
# Sizes: --quick is for trying the script out, not for numbers. strace gets fewer calls per run
# (each one costs two ptrace stops); every figure is per call.
rounds=7 copy_n=200000 errno_n=100000 strace_n=500 fio_io=96m
[ "$quick" = --quick ] && rounds=1 copy_n=5000 errno_n=2000 strace_n=200 fio_io=4m

# Every line carries the guest's uptime (s) when it was written: where the run's time goes.
emit() { echo "${1%\}},\"uptime\":$(cut -d' ' -f1 /proc/uptime)}"; }
# On stderr: stdout may be redirected at the time; the case log has both.
fail() { echo "{\"kind\":\"error\",\"what\":\"$(tr -d '"\\' <<<"$1" | tr '\n' ' ')\"}" >&2; exit 1; }
in_cgroup() { # cgroup command...: runs it from inside the cgroup
  local cg=$1; shift
  sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@"
}
policy() { # name target-cgroup syscall-block trigger
  cat >"$WORK/$1.yaml" <<YAML
apiVersion: faultline/v1
kind: Experiment
metadata: {name: $1}
spec:
  duration: 900s
  targets: [{cgroup: $2}]
  faults:
    - name: f
      syscall: $3
      trigger: $4
YAML
}
fl_apply() { "$FL" --socket "$SOCK" apply -f "$WORK/$1.yaml" >"$WORK/$1.out" 2>&1 || fail "apply $1: $(cat "$WORK/$1.out")"; }
fl_stop() { "$FL" --socket "$SOCK" stop "$1" >/dev/null 2>&1 || fail "stop $1"; }
# BPF links in the whole guest (nothing but faultline makes any here): 0 means no program of
# ours is attached, whatever is loaded.
bpf_links() { bpftool link show --json 2>/dev/null | jq length; }
# A report's per-fault counters as JSON fields.
counters() { jq -c '{matched: (.faults[0].matched // 0), injected: (.faults[0].injected // 0)}' "$1" | sed 's/^{//; s/}$//'; }
json_str() { tr -d '"\\' | tr -s ' \t\n' ' ' | sed 's/ $//'; }

mkdir -p "$WORK/tmpfs"
mount -t tmpfs -o size=256m none "$WORK/tmpfs" || fail "mount tmpfs"
CLEANUP_HOOKS+=("umount $WORK/tmpfs")
setup_cgroups

# Which backend serves syscall faults here: the first of syscall.kprobe, syscall.lsm that the
# kernel can run (the same order of preference the engine uses).
"$FL" doctor >"$WORK/doctor" 2>&1 || fail "faultline doctor: $(cat "$WORK/doctor")"
backend=$(awk '$1 ~ /^syscall\./ && $2 == "syscall" && $3 == "yes" {print $1; exit}' "$WORK/doctor")
[ -n "$backend" ] || fail "no syscall backend on this kernel: $(grep syscall "$WORK/doctor")"
fiu_version=$(dpkg-query -W -f='${Version}' fiu-utils 2>/dev/null)
# Seccomp filters (CONFIG_SECCOMP_FILTER; the tiny 6.1-inject kernel has none): without them the
# seccomp case cannot run and strace --seccomp-bpf would quietly trace every syscall.
seccomp=false
grep -q '^Seccomp_filters:' /proc/self/status && seccomp=true
emit "{\"kind\":\"env\",\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"backend\":\"$backend\",\"doctor\":\"$(grep -E '^  syscall\.' "$WORK/doctor" | json_str)\",\"lsms\":\"$(cat /sys/kernel/security/lsm)\",\"strace\":\"$(strace -V | head -1 | json_str)\",\"fiu_utils\":\"$fiu_version\",\"fio\":\"$(fio --version)\",\"clocksource\":\"$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)\",\"clocksources\":\"$(cat /sys/devices/system/clocksource/clocksource0/available_clocksource | json_str)\",\"seccomp_filters\":$seccomp,\"quick\":$([ "$quick" = --quick ] && echo true || echo false)}"

# What a syscall and a clock read cost in this guest, for scale (no injector).
for loop in getppid clock; do
  out=$(in_cgroup "$CG/control" "$HELPER" "$loop" "$errno_n") || fail "$loop: $out"
  emit "{\"kind\":\"scale\",${out#\{}"
done

# The empty program on the attach point this backend uses for the given syscalls, held while
# the caller runs its case (floor_on SYSCALL...; floor_off).
floor_on() {
  local -a args=(lsm)
  [ "$backend" = syscall.kprobe ] && args=(kprobe "$@")
  "$FLOOR" "${args[@]}" >"$WORK/floor.out" 2>&1 &
  FLOOR_PID=$!
  wait_for 600 grep -q attached "$WORK/floor.out" || fail "fl_bench_floor ${args[*]}: $(cat "$WORK/floor.out")"
}
floor_off() { kill -TERM "$FLOOR_PID"; wait "$FLOOR_PID" || fail "fl_bench_floor: $(cat "$WORK/floor.out")"; }

# Run time and run count of every faultline program (the kernel counts them only while
# kernel.bpf_stats_enabled is 1), to say what the figures above are made of.
prog_stats() {
  bpftool prog show --json | jq -r '[.[] | select(.name | startswith("fl_"))] |
    "\(map(.run_time_ns // 0) | add // 0) \(map(.run_cnt // 0) | add // 0)"'
}
# One more run of a section's faultline case through faultlined (exec's programs are gone before
# anything could read them) with the programs' statistics on; not part of the comparison (the
# statistics cost two clock reads per program run).
diag() { # section policy cgroup command...
  local section=$1 pol=$2 cg=$3 t0 c0 t1 c1 out
  shift 3
  fl_apply "$pol"
  read -r t0 c0 <<<"$(prog_stats)"
  out=$(in_cgroup "$cg" "$@" 2>"$WORK/diag.err") || fail "diag $section: $(cat "$WORK/diag.err")"
  read -r t1 c1 <<<"$(prog_stats)"
  fl_stop "$pol"
  if [ "$section" = fio ]; then
    out=$(fio_json <<<"$out" | jq -c '.jobs[0] | {runtime_ms: .job_runtime, read_ios: .read.total_ios, write_ios: .write.total_ios}') ||
      fail "diag fio: no JSON from fio"
  fi
  emit "{\"kind\":\"progstats\",\"section\":\"$section\",\"prog_run_ns\":$((t1 - t0)),\"prog_runs\":$((c1 - c0)),${out#\{}"
}

# --- untargeted syscall tax ---------------------------------------------------------------------
start_daemon
policy tax "$CG/target" "{name: [read, write], errno: EIO}" "{}"
tax() { # injector round
  local out
  out=$(in_cgroup "$CG/control" "$HELPER" copy "$copy_n") || fail "copy ($1): $out"
  [ "$(jq .other <<<"$out")" = 0 ] && [ "$(jq .eio <<<"$out")" = 0 ] || fail "copy ($1) saw errors: $out"
  emit "{\"kind\":\"tax\",\"injector\":\"$1\",\"round\":$2,\"links\":$3,${out#\{}"
}
tax_case() { # index round
  case $1 in
    0) tax none "$2" "$(bpf_links)" ;;
    1) floor_on read write; tax floor "$2" "$(bpf_links)"; floor_off ;;
    2) fl_apply tax; tax faultline-other-cgroup "$2" "$(bpf_links)"; fl_stop tax ;;
  esac
}
in_cgroup "$CG/control" "$HELPER" copy "$copy_n" >/dev/null # warm-up, not counted
for r in $(seq "$rounds"); do
  for i in 0 1 2; do tax_case $(((i + r) % 3)) "$r"; done
done

# --- cost per injected errno --------------------------------------------------------------------
FILE=$WORK/tmpfs/pwrite
policy errno unused "{name: pwrite64, errno: EIO}" "{}"
policy errno-d "$CG/target" "{name: pwrite64, errno: EIO}" "{}"
errno_case() { # index round
  local name n=$errno_n extra="" out
  local -a cmd=("$HELPER" pwrite "$FILE")
  case $1 in
    0) name=none ;;
    1) name=faultline
       cmd=("$FL" exec -q -p "$WORK/errno.yaml" --report "$WORK/errno.json" -- "${cmd[@]}") ;;
    2) name=seccomp ;;
    3) name=strace; n=$strace_n
       cmd=(strace -f -qq -o /dev/null -e trace=pwrite64 -e inject=pwrite64:error=EIO "${cmd[@]}") ;;
    4) name=strace-seccomp-bpf; n=$strace_n
       cmd=(strace -f -qq --seccomp-bpf -o /dev/null -e trace=pwrite64 -e inject=pwrite64:error=EIO "${cmd[@]}") ;;
    5) name=fiu
       cmd=(fiu-run -x -f "" -c 'enable name=posix/io/rw/pwrite,failinfo=5' "${cmd[@]}") ;;
    6) name=faultline-daemon ;;
  esac
  cmd+=("$n")
  [ "$name" = seccomp ] && cmd+=(seccomp)
  # faultline exec makes its own fresh cgroup; faultlined's policy targets CG/target; the
  # others run in CG/control (the same depth).
  case $name in
    faultline) ;;
    faultline-daemon) cmd=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/target" "${cmd[@]}") ;;
    *) cmd=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/control" "${cmd[@]}") ;;
  esac
  rm -f "$WORK/errno.json"
  [ "$name" = faultline-daemon ] && fl_apply errno-d
  out=$("${cmd[@]}" 2>&1)
  [ "$name" = faultline-daemon ] && fl_stop errno-d
  out=$(grep '^{"loop"' <<<"$out") || fail "pwrite under $name: $out"
  [ "$name" = faultline ] && extra=",$(counters "$WORK/errno.json")"
  emit "{\"kind\":\"errno\",\"injector\":\"$name\",\"round\":$2$extra,${out#\{}"
}
errno_cases=(0 1 6 3 5)
[ "$seccomp" = true ] && errno_cases=(0 1 6 2 3 4 5)
for i in "${errno_cases[@]}"; do errno_case "$i" 0 >/dev/null; done # warm-up (binaries, page cache)
for r in $(seq "$rounds"); do
  for i in $(seq 0 $((${#errno_cases[@]} - 1))); do
    errno_case "${errno_cases[$(((i + r) % ${#errno_cases[@]}))]}" "$r"
  done
done

# --- a whole workload armed at probability 0 ----------------------------------------------------
policy fio unused "{name: [pread64, pwrite64], errno: EIO}" "{probability: 0%}"
policy fio-d "$CG/target" "{name: [pread64, pwrite64], errno: EIO}" "{probability: 0%}"
# --thread: fio's job table in its own memory, not System V shared memory (6.1-inject's tinyconfig
# kernel has no SYSVIPC: shmget fails there).
fio_job=(fio --thread --name=randrw --filename="$WORK/tmpfs/fio.dat" --size=16m --io_size="$fio_io" --bs=4k
  --rw=randrw --ioengine=psync --randrepeat=1 --gtod_reduce=1 --output-format=json)
# fio prints notes ("fio: ...") on stdout ahead of its JSON on some kernels: the JSON is from
# the first line that opens an object on.
fio_json() { sed -n '/^{/,$p'; }
fio_case() { # injector round
  local extra=""
  local -a cmd=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/control" "${fio_job[@]}")
  rm -f "$WORK/fio-report.json"
  [ "$1" = faultline ] && cmd=("$FL" exec -q -p "$WORK/fio.yaml" --report "$WORK/fio-report.json" -- "${fio_job[@]}")
  [ "$1" = faultline-daemon ] && cmd=(sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$CG/target" "${fio_job[@]}")
  [ "$1" = floor ] && floor_on pread64 pwrite64
  [ "$1" = faultline-daemon ] && fl_apply fio-d
  "${cmd[@]}" >"$WORK/fio.out" 2>"$WORK/fio.err" || fail "fio ($1): $(cat "$WORK/fio.err")"
  [ "$1" = floor ] && floor_off
  [ "$1" = faultline-daemon ] && fl_stop fio-d
  fio_json <"$WORK/fio.out" >"$WORK/fio.json"
  jq -e '.jobs[0].error == 0' "$WORK/fio.json" >/dev/null ||
    fail "fio ($1) job error: $(head -c 2000 "$WORK/fio.out" "$WORK/fio.err" | json_str)"
  [ "$1" = faultline ] && extra=",$(counters "$WORK/fio-report.json")"
  emit "{\"kind\":\"fio\",\"injector\":\"$1\",\"round\":$2$extra,$(jq -c '.jobs[0] | {runtime_ms: .job_runtime,
    read_ios: .read.total_ios, write_ios: .write.total_ios, usr_cpu, sys_cpu}' "$WORK/fio.json" | sed 's/^{//')"
}
fio_case none 0 >/dev/null # lays the file out; not counted
fio_cases=(none floor faultline faultline-daemon)
for r in $(seq "$rounds"); do
  for i in 0 1 2 3; do fio_case "${fio_cases[$(((i + r) % 4))]}" "$r"; done
done

# --- what the faultline cases are made of --------------------------------------------------------
# The programs' own run time (kernel.bpf_stats_enabled), then where the guest's CPU time goes
# (perf, cpu-clock samples of the command and its children, kernel and user, by symbol; JIT-compiled BPF
# programs and trampolines show as bpf_prog_* / bpf_trampoline_*).
profile() { # section policy cgroup command...
  local section=$1 pol=$2 cg=$3
  shift 3
  fl_apply "$pol"
  perf record -q -e cpu-clock -F 2000 -o "$WORK/perf.data" -- \
    sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@" >/dev/null 2>"$WORK/perf.err" ||
    fail "perf record ($section): $(cat "$WORK/perf.err")"
  fl_stop "$pol"
  # By symbol, and by object (a BPF program perf cannot name still counts under its object).
  perf report -i "$WORK/perf.data" --stdio --no-children --sort sym -q --percent-limit 1 2>/dev/null |
    jq -R -s -c '[split("\n")[] | capture("^\\s*(?<pct>[0-9.]+)%\\s+\\[(?<where>.)\\]\\s+(?<sym>.*\\S)\\s*$")? |
      .pct |= tonumber]' >"$WORK/perf.sym"
  perf report -i "$WORK/perf.data" --stdio --no-children --sort dso -q --percent-limit 0.5 2>/dev/null |
    jq -R -s -c '[split("\n")[] | capture("^\\s*(?<pct>[0-9.]+)%\\s+(?<dso>.*\\S)\\s*$")? | .pct |= tonumber]' >"$WORK/perf.dso"
  emit "{\"kind\":\"profile\",\"section\":\"$section\",\"top\":$(cat "$WORK/perf.sym"),\"dsos\":$(cat "$WORK/perf.dso")}"
}
sysctl -qw kernel.bpf_stats_enabled=1
CLEANUP_HOOKS+=("sysctl -qw kernel.bpf_stats_enabled=0")
diag tax tax "$CG/control" "$HELPER" copy "$copy_n"
diag errno errno-d "$CG/target" "$HELPER" pwrite "$FILE" "$errno_n"
diag fio fio-d "$CG/target" "${fio_job[@]}"
sysctl -qw kernel.bpf_stats_enabled=0
if command -v perf >/dev/null; then
  profile tax tax "$CG/control" "$HELPER" copy "$copy_n"
  profile errno errno-d "$CG/target" "$HELPER" pwrite "$FILE" "$errno_n"
  profile fio fio-d "$CG/target" "${fio_job[@]}"
fi
emit '{"kind":"done"}'
