#!/usr/bin/env bash
# Resource faults (resource.cgroup) through faultlined: cpu.max, memory.high and io.max of a
# target cgroup read the policy's values while it runs, and exactly the old values again after
# stop, after the deadline, after a SIGKILLed daemon's restart and after SIGTERM. A busy loop in
# the target gets about 20% of a CPU while one in a control cgroup runs free; the target's page
# cache stays near memory.high while the control's grows; io.max holds the target's direct
# writes to a loop device to 1 MiB/s while the control writes at full speed (io skipped, with the
# reason, where the kernel has no loop devices). Refusals (a parent without the controller, a
# missing device, more CPU than the host has, a knob another experiment holds) change nothing; a
# dry run writes nothing; a cgroup removed mid-experiment is simply done. Where cgroup v2 offers
# no cpu/memory/io (the machine itself: they are bound to v1), the refusal names that.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" res
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
T=$CG/target
C=$CG/control

policy() { # name duration cgroup resource-block [dryRun]
  one_fault_policy "$1" "$2" "cgroup: $3" squeeze "resource: $4" "dryRun: ${5:-false}"
}
apply() { "$FL" --socket "$SOCK" apply -f "$WORK/$1.yaml" >"$WORK/$1.out" 2>"$WORK/$1.err"; }

offered=$(cat "$CG_ROOT/cgroup.controllers")
missing=""
for c in cpu memory io; do [[ " $offered " == *" $c "* ]] || missing+=" $c"; done
if [ "$missing" = " cpu memory io" ]; then
  setup_cgroups
  start_daemon
  policy nocontrollers 60s "$T" "{cpu: 20%}"
  apply nocontrollers
  check "without cgroup v2 controllers, a resource fault is refused" [ $? != 0 ]
  check "the refusal says the hierarchy offers none of them ($(cat "$WORK/nocontrollers.err"))" \
    grep -q "offers none of cpu, memory, io" "$WORK/nocontrollers.err"
  check "nothing was journaled" [ ! -s "$FAULTLINE_STATE_DIR/knobs.log" ]
  skip "cpu.max, memory.high and io.max set, restored (stop, deadline, restart, SIGTERM) and their effects: cgroup v2 at $CG_ROOT offers none of cpu, memory, io here (the VM case resource_knobs runs them)"
  finish
  exit $?
fi
if [ -n "$missing" ]; then
  echo "cgroup v2 at $CG_ROOT offers $offered; this test needs cpu, memory and io (missing:$missing)"
  exit 1
fi

# The root enables the controllers for its children where it does not yet (put back after).
added=""
for c in cpu memory io; do
  grep -qw "$c" "$CG_ROOT/cgroup.subtree_control" || { echo "+$c" >"$CG_ROOT/cgroup.subtree_control" && added+=" $c"; }
done
remove_all() {
  for d in "$T/inner" "$CG/gone" "$T" "$C" "$CG"; do
    [ -d "$d" ] || continue
    for pid in $(cat "$d/cgroup.procs" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
    for _ in $(seq 50); do rmdir "$d" 2>/dev/null && break; sleep 0.1; done
  done
  for c in $added; do echo "-$c" >"$CG_ROOT/cgroup.subtree_control"; done
}
mkdir -p "$CG"
echo "+cpu +memory +io" >"$CG/cgroup.subtree_control"
setup_cgroups

# A loop device for io.max (a block device of our own: the guest has no disk).
LOOPDEV=""
io_skip=""
if ! command -v losetup >/dev/null; then
  io_skip="no losetup"
else
  [ -e /dev/loop-control ] || modprobe ${FL_KDIR:+-d "$FL_KDIR/root"} loop 2>/dev/null
  truncate -s 384M "$WORK/disk.img"
  if LOOPDEV=$(losetup -f --show "$WORK/disk.img" 2>"$WORK/losetup.err"); then
    CLEANUP_HOOKS+=("losetup -d $LOOPDEV")
  else
    io_skip="losetup failed: $(cat "$WORK/losetup.err") (CONFIG_BLK_DEV_LOOP missing?)"
    LOOPDEV=""
  fi
fi
CLEANUP_HOOKS+=(remove_all)
if [ -n "$LOOPDEV" ]; then
  DEVNUM=$(cat "/sys/class/block/$(basename "$LOOPDEV")/dev")
  IO="{device: $LOOPDEV, rbps: 256Mi, wbps: 1Mi, riops: 100000, wiops: 100000}"
  IO_LINE="$DEVNUM rbps=268435456 wbps=1048576 riops=100000 wiops=100000"
  echo "io: on $LOOPDEV ($DEVNUM)"
else
  DEVNUM="none"
  echo "io: no loop device ($io_skip): its checks are skipped"
fi
SQUEEZE="{cpu: 20%, memory: {high: 64Mi}${IO:+, io: $IO}}"
io_line() { grep "^$DEVNUM " "$1/io.max"; }
knobs() { echo "cpu.max=$(cat "$1/cpu.max") memory.high=$(cat "$1/memory.high") io=$(io_line "$1")"; }
SET="cpu.max=20000 100000 memory.high=67108864 io=${IO_LINE:-}"
control_before=$(knobs "$C")

start_daemon

# Refusals first: each leaves every knob as it was.
mkdir "$T/inner"
before=$(knobs "$T")
policy inner 60s "$T/inner" "{cpu: 20%}"
apply inner
check "a cgroup whose parent lacks the cpu controller is refused" [ $? != 0 ]
check "the refusal names the controller and the parent ($(cat "$WORK/inner.err"))" \
  grep -q "the cpu controller is not enabled for $T/inner: its parent $T lacks it in cgroup.subtree_control" "$WORK/inner.err"
check "no controller was enabled on the way" [ -z "$(cat "$T/cgroup.subtree_control")" ]
policy nodev 60s "$T" "{cpu: 20%, io: {device: /dev/fl-no-such-disk, wbps: 1Mi}}"
apply nodev
check "a missing block device is refused by name" grep -q "no block device /dev/fl-no-such-disk" "$WORK/nodev.err"
toomuch=$(( $(nproc) * 100 + 100 ))
policy toomuch 60s "$T" "{cpu: $toomuch%}"
apply toomuch
check "cpu: $toomuch% on $(nproc) CPU(s) is refused ($(cat "$WORK/toomuch.err"))" grep -q "more than this host's $(nproc) CPU" "$WORK/toomuch.err"
check "the refusals changed no knob ($(knobs "$T"))" [ "$(knobs "$T")" = "$before" ]
check "the refusals journaled nothing" [ ! -s "$FAULTLINE_STATE_DIR/knobs.log" ]

# A dry run checks and reports, writes nothing.
policy dry 60s "$T" "$SQUEEZE" true
apply dry
check "a dry run is accepted" grep -q "running (dry run)" "$WORK/dry.out"
check "a dry run reports what it would set" grep -q "squeeze: $T: cpu.max: would set '20000 100000' (now 'max 100000')" "$WORK/dry.out"
check "a dry run writes nothing ($(knobs "$T"))" [ "$(knobs "$T")" = "$before" ]
"$FL" --socket "$SOCK" stop dry >/dev/null

# Stop: old values that are not the defaults come back exactly.
echo "max 50000" >"$T/cpu.max"
echo 1073741824 >"$T/memory.high"
old=$(knobs "$T")
policy stopped 120s "$T" "$SQUEEZE"
apply stopped
check "apply" grep -q running "$WORK/stopped.out"
check "while it runs the knobs read the policy's values ($(knobs "$T"))" [ "$(knobs "$T")" = "$SET" ]
check "the control's knobs are untouched" [ "$(knobs "$C")" = "$control_before" ]
"$FL" --socket "$SOCK" status stopped >"$WORK/status.out"
check "status shows each change and the old value" grep -q "squeeze: $T: cpu.max '20000 100000' (was 'max 50000')" "$WORK/status.out"
check "the old values are journaled before the write" grep -q '"old":"max 50000"' "$FAULTLINE_STATE_DIR/knobs.log"
policy second 120s "$T" "{cpu: 50%}"
apply second
check "a second experiment on the same knob is refused ($(cat "$WORK/second.err"))" \
  grep -q "cpu.max is already changed by experiment stopped, fault squeeze" "$WORK/second.err"

# The effects, target and control side by side.
usage() { awk '/^usage_usec/ {print $2}' "$1/cpu.stat"; }
now_us() { echo $(( $(date +%s%N) / 1000 )); }
sh -c "echo \$\$ > $T/cgroup.procs && exec yes" >/dev/null 2>&1 &
tb=$!
sh -c "echo \$\$ > $C/cgroup.procs && exec yes" >/dev/null 2>&1 &
cb=$!
CLEANUP_HOOKS+=("kill $tb $cb 2>/dev/null")
wait_for 100 grep -q . "$T/cgroup.procs"; wait_for 100 grep -q . "$C/cgroup.procs"
t0=$(now_us); ut0=$(usage "$T"); uc0=$(usage "$C")
# The window ends when the control has had 1.5 s of CPU (a loaded host only stretches it).
control_used() { [ $(( $(usage "$C") - uc0 )) -ge 1500000 ]; }
wait_for 600 control_used
t1=$(now_us); ut1=$(usage "$T"); uc1=$(usage "$C")
kill "$tb" "$cb" 2>/dev/null
share() { awk -v u="$1" -v t="$2" 'BEGIN { printf "%.3f", u / t }'; }
ts=$(share $((ut1 - ut0)) $((t1 - t0))); cs=$(share $((uc1 - uc0)) $((t1 - t0)))
check "cpu: 20%: the target's busy loop got $ts of a CPU (0.08..0.30)" awk -v s="$ts" 'BEGIN { exit !(s >= 0.08 && s <= 0.30) }'
check "the control's busy loop ran free: $cs of a CPU (>= 0.40, > 2x the target)" \
  awk -v c="$cs" -v t="$ts" 'BEGIN { exit !(c >= 0.40 && c > 2 * t) }'
run_in() { local cg=$1; shift; sh -c "echo \$\$ > $cg/cgroup.procs && exec $*"; }
if [ -n "$LOOPDEV" ]; then
  took() { local a b; a=$(now_us); run_in "$1" dd if=/dev/zero of="$LOOPDEV" bs=64k count=48 seek="$2" oflag=direct 2>/dev/null; b=$(now_us); echo $((b - a)); }
  wt=$(took "$T" 0); wc=$(took "$C" 48)
  rate() { awk -v us="$1" 'BEGIN { printf "%.2f", 3 / (us / 1e6) }'; }
  check "io wbps 1Mi: the target's direct writes ran at $(rate "$wt") MiB/s (0.3..1.3)" \
    awk -v r="$(rate "$wt")" 'BEGIN { exit !(r >= 0.3 && r <= 1.3) }'
  check "the control's direct writes ran free: $(rate "$wc") MiB/s (> 2x the target)" \
    awk -v c="$(rate "$wc")" -v t="$(rate "$wt")" 'BEGIN { exit !(c > 2 * t) }'
  # Page cache is charged to the reader: the target's stays near memory.high (64 MiB), the
  # control's grows with what it reads. (The test holds the device open meanwhile: the last
  # close of a block device drops its page cache.)
  mib() { echo $(( $(cat "$1/memory.current") / 1048576 )); }
  exec 9<"$LOOPDEV"
  run_in "$T" dd if="$LOOPDEV" of=/dev/null bs=1M count=160 2>/dev/null
  run_in "$C" dd if="$LOOPDEV" of=/dev/null bs=1M count=160 skip=160 2>/dev/null
  highs=$(awk '$1 == "high" {print $2}' "$T/memory.events")
  check "memory.high 64Mi: after reading 160 MiB the target holds $(mib "$T") MiB (<= 80), high events $highs" \
    bash -c "[ $(mib "$T") -le 80 ] && [ $highs -gt 0 ]"
  check "the control, reading as much, holds $(mib "$C") MiB (>= 120)" [ "$(mib "$C")" -ge 120 ]
  exec 9<&-
else
  skip "io.max set and restored with the other knobs (they compare cpu.max and memory.high only): $io_skip"
  skip "io wbps 1Mi holds the target's direct writes to a loop device: $io_skip"
  skip "the control's direct writes run free: $io_skip"
  skip "memory.high 64Mi holds the target's page cache (read from the loop device): $io_skip"
  skip "the control's page cache grows with what it reads: $io_skip"
fi
"$FL" --socket "$SOCK" stop stopped >/dev/null
check "after stop: exactly the old values ($(knobs "$T"))" [ "$(knobs "$T")" = "$old" ]

# The deadline: an io.max line that was there comes back as it was.
echo "max 100000" >"$T/cpu.max"
echo max >"$T/memory.high"
[ -n "$LOOPDEV" ] && echo "$DEVNUM wiops=7777" >"$T/io.max"
old=$(knobs "$T")
policy deadline 6s "$T" "$SQUEEZE"
apply deadline
check "the deadline's experiment set the knobs ($(knobs "$T"))" [ "$(knobs "$T")" = "$SET" ]
restored() { [ "$(knobs "$T")" = "$old" ]; }
check "the deadline puts back exactly the old values ($old)" wait_for 600 restored

# A daemon killed mid-experiment: nothing can restore the knobs while no faultline runs; the
# next start puts them back from the ledger.
policy killed 120s "$T" "$SQUEEZE"
apply killed
check "set before the kill" [ "$(knobs "$T")" = "$SET" ]
kill -9 $DAEMON; wait $DAEMON 2>/dev/null
rm -f "$SOCK"
check "still set while no faultline runs (documented: knobs have no in-kernel deadline)" [ "$(knobs "$T")" = "$SET" ]
start_daemon
check "the next start put back exactly the old values ($(knobs "$T"))" restored
check "the daemon logged it" grep -q "resource.cgroup: restored $T: cpu.max back to 'max 100000'" "$WORK/daemon.log"

# A cgroup removed while the experiment runs: stopping it is simply done.
mkdir "$CG/gone"
policy gone 120s "$CG/gone" "{cpu: 20%}"
apply gone
check "applied to a cgroup that will go" [ "$(cat "$CG/gone/cpu.max")" = "20000 100000" ]
rmdir "$CG/gone"
check "stopping after the cgroup went succeeds" "$FL" --socket "$SOCK" stop gone
check "and says the cgroup is gone" grep -q "$CG/gone: cpu.max: the cgroup is gone, nothing to put back" "$WORK/daemon.log"

# SIGTERM: the shutdown puts everything back.
policy term 120s "$T" "$SQUEEZE"
apply term
check "set before SIGTERM" [ "$(knobs "$T")" = "$SET" ]
kill -TERM $DAEMON; wait $DAEMON
check "after shutdown: exactly the old values ($(knobs "$T"))" restored
check "the control's knobs were never touched" [ "$(knobs "$C")" = "$control_before" ]
ledger_balanced() { awk '/"op":"set"/ {s++} /"op":"restored"/ {r++} END {exit s != r}' "$FAULTLINE_STATE_DIR/knobs.log"; }
check "the ledger holds nothing open (every set has its restore)" ledger_balanced
finish
