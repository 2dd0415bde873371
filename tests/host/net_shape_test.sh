#!/usr/bin/env bash
# Delay and jitter by departure time (net.edt), through faultlined: the target's pings take the
# configured delay (median within 5% + a TCG allowance), a control cgroup in the same namespace
# does not, jitter spreads them, and fq goes exactly where it was and back: after stop, after
# the deadline, and after a SIGKILLed daemon's restart. A qdisc an administrator set up is
# refused by name and left alone. Where the kernel has no sch_fq (the machine itself), delay is
# refused with that reason and nothing changes.
source "$(dirname "$0")/lib.sh" "$1" shape
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
setup_net || exit 1
setup_cgroups
start_daemon() {
  "$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>>"$WORK/daemon.log" &
  DAEMON=$!
  CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
  wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
}
start_daemon
# A resident process of the target in NS_A: its namespace is where fq must go.
sh -c "echo \$\$ > $CG/target/cgroup.procs && exec ip netns exec $NS_A sleep 1000" &
wait_for 100 grep -q . "$CG/target/cgroup.procs"
root_qdisc() { tc -n "$NS_A" qdisc show dev flva root | awk 'NR == 1 {print $2, $3}'; }
qdisc_is() { [ "$(root_qdisc)" = "$1" ]; }
qdisc_is_fq() { [[ "$(root_qdisc)" == fq* ]]; }
before=$(root_qdisc)

policy() { # name delay jitter duration
  cat >"$WORK/$1.yaml" <<POLICY
apiVersion: faultline/v1
kind: Experiment
metadata: {name: $1}
spec:
  duration: $4
  targets:
    - cgroup: $CG/target
  faults:
    - name: slow
      network: {delay: $2, jitter: $3}
POLICY
}
# Per-packet RTTs (ms) of COUNT pings from CGROUP, one per line.
rtts() { # cgroup count
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A ping -n -c $2 -i 0.05 -W 5 $ADDR_B" |
    sed -n 's/.*time=\([0-9.]*\) ms/\1/p'
}
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print -1; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }

if ! grep -q sch_fq /proc/modules 2>/dev/null && [ ! -d /sys/module/sch_fq ]; then
  policy nofq 20ms 0ms 60s
  "$FL" --socket "$SOCK" apply -f "$WORK/nofq.yaml" 2>"$WORK/nofq.err"
  check "without sch_fq, delay is refused" [ $? != 0 ]
  check "the refusal names the missing fq" grep -q "sch_fq" "$WORK/nofq.err"
  check "nothing changed on the device ($(root_qdisc))" [ "$(root_qdisc)" = "$before" ]
  echo "shape: $((CHECKS - FAILURES)) of $CHECKS checks passed"
  exit $((FAILURES > 0))
fi

base=$(rtts "$CG/control" 20 | median)
for d in 20 100; do
  policy delay$d ${d}ms 0ms 120s
  "$FL" --socket "$SOCK" apply -f "$WORK/delay$d.yaml" >"$WORK/apply$d.out" 2>&1
  check "apply delay ${d}ms" grep -q "running" "$WORK/apply$d.out"
  check "fq is the root qdisc of the target's device while it runs ($(root_qdisc))" qdisc_is_fq
  t=$(rtts "$CG/target" 40 | median)
  c=$(rtts "$CG/control" 40 | median)
  # 5% of the delay, plus 3 ms for TCG's timer slop and the control's own RTT noise.
  check "target median RTT $t ms = control $c ms + ${d} ms (within 5% + 3 ms)" \
    awk -v t="$t" -v c="$c" -v d="$d" 'BEGIN { a = t - c; exit !(a >= d * 0.95 - 3 && a <= d * 1.05 + 3) }'
  check "control untouched: median $c ms (baseline $base ms, < 10 ms)" awk -v c="$c" 'BEGIN { exit !(c >= 0 && c < 10) }'
  "$FL" --socket "$SOCK" stop "delay$d" >/dev/null
  check "stop puts the device's qdisc back ($before)" qdisc_is "$before"
done

policy jitter 60ms 20ms 120s
"$FL" --socket "$SOCK" apply -f "$WORK/jitter.yaml" >/dev/null
rtts "$CG/target" 60 >"$WORK/jitter.rtt"
"$FL" --socket "$SOCK" stop jitter >/dev/null
check "jitter: every RTT within 60 +- 20 ms (+3 ms)" awk '{ if ($1 < 37 || $1 > 83 + 3) bad = 1 } END { exit bad || NR < 50 }' "$WORK/jitter.rtt"
check "jitter: the RTTs spread (sd >= 5 ms)" awk '{ s += $1; q += $1 * $1 } END { m = s / NR; exit !(sqrt(q / NR - m * m) >= 5) }' "$WORK/jitter.rtt"

# The deadline: the daemon retires the experiment and the device gets its qdisc back.
policy short 20ms 0ms 2s
"$FL" --socket "$SOCK" apply -f "$WORK/short.yaml" >/dev/null
check "the deadline puts the qdisc back" wait_for 300 qdisc_is "$before"

# A daemon killed mid-experiment: fq stays (the rule is inert past its deadline), the next start
# restores the device from the ledger.
policy killed 20ms 0ms 120s
"$FL" --socket "$SOCK" apply -f "$WORK/killed.yaml" >/dev/null
check "fq installed before the kill" qdisc_is_fq
kill -9 $DAEMON; wait $DAEMON 2>/dev/null
rm -f "$SOCK"
start_daemon
check "the next start restored the qdisc ($(root_qdisc))" [ "$(root_qdisc)" = "$before" ]
check "the daemon logged the restore" grep -q "net.edt: restored flva" "$WORK/daemon.log"

# An administrator's qdisc is never replaced: refused by device name, left exactly as it was.
tc -n "$NS_A" qdisc add dev flva root handle 1: pfifo limit 100
policy admin 20ms 0ms 60s
"$FL" --socket "$SOCK" apply -f "$WORK/admin.yaml" 2>"$WORK/admin.err"
check "a device with an administrator's qdisc is refused" [ $? != 0 ]
check "the refusal names the device and its qdisc" grep -q "device flva .* (pfifo 1:)" "$WORK/admin.err"
check "the administrator's qdisc is untouched" bash -c "tc -n $NS_A qdisc show dev flva root | grep -q 'pfifo 1:'"
check "the refused policy left no experiment" bash -c "! '$FL' --socket '$SOCK' list | grep -q admin"
tc -n "$NS_A" qdisc del dev flva root

kill -TERM $DAEMON; wait $DAEMON
check "after shutdown the device has its original qdisc ($before)" [ "$(root_qdisc)" = "$before" ]
check "no faultline program stays attached" no_faultline_programs
echo "shape: $((CHECKS - FAILURES)) of $CHECKS checks passed"
exit $((FAILURES > 0))
