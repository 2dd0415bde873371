#!/usr/bin/env bash
# Delay and jitter by departure time (net.edt), through faultlined: the target's pings and TCP
# round trips take the configured delay (median within 5% + a TCG allowance), a control cgroup
# in the same namespace does not, jitter spreads them without reordering a TCP flow, connect
# delay slows only connect(), rate paces a bulk flow (within 10%), and faultline's qdisc tree (a
# prio whose netem band releases delayed packets into an fq that holds them) goes exactly where
# it was and back: after stop, after the deadline, and after a SIGKILLed daemon's restart. A qdisc an administrator set up is
# refused by name and left alone. Where the kernel has no sch_fq (the machine itself), delay is
# refused with that reason and nothing changes.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" shape
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
setup_net || exit 1
setup_cgroups
start_daemon
# A resident process of the target in NS_A: its namespace is where fq must go.
start_resident "$CG/target"
root_qdisc() { tc -n "$NS_A" qdisc show dev flva root | awk 'NR == 1 {print $2, $3}'; }
qdisc_is() { [ "$(root_qdisc)" = "$1" ]; }
qdisc_is_tree() { [ "$(root_qdisc)" = "prio fa19:" ]; }
# Packets sent by the tree's netem band (fa19:4), where the program sends delayed packets.
released() { tc -s -n "$NS_A" qdisc show dev flva | awk '/^qdisc netem fa1b:/ {n = 1; next} n && /Sent/ {print $4; exit}'; }
before=$(root_qdisc)

TCP=$BUILD/tests/fl_tcp
policy_with() { one_fault_policy "$1" "$2" "cgroup: $CG/target" shape "network: $3"; } # name duration network-block
in_cgroup() { # cgroup command...: runs it in NS_A from inside the cgroup
  local cg=$1; shift
  sh -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_A $*"
}
policy() { one_fault_policy "$1" "$4" "cgroup: $CG/target" slow "network: {delay: $2, jitter: $3}"; } # name delay jitter duration
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
  skip "delay, jitter, connectDelay and rate effects, the qdisc tree put back after stop, the deadline and a SIGKILL, an administrator's qdisc refused: no sch_fq in this kernel (the VM case net_shape runs them)"
  finish
  exit $?
fi

ip netns exec "$NS_B" "$TCP" serve $ADDR_B 9400 >"$WORK/tcp-server" 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
wait_for 300 grep -q ready "$WORK/tcp-server"
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
base=$(rtts "$CG/control" 20 | median)
for d in 20 100; do
  policy delay$d ${d}ms 0ms 120s
  "$FL" --socket "$SOCK" apply -f "$WORK/delay$d.yaml" >"$WORK/apply$d.out" 2>&1
  check "apply delay ${d}ms" grep -q "running" "$WORK/apply$d.out"
  check "faultline's tree is the root qdisc of the target's device while it runs ($(root_qdisc))" qdisc_is_tree
  c0=$(released)
  c=$(rtts "$CG/control" 40 | median)
  c1=$(released)
  t=$(rtts "$CG/target" 40 | median)
  t1=$(released)
  check "the target's pings pass the netem band (packets ${c1:-?} -> ${t1:-?}), the control's do not (${c0:-?} -> ${c1:-?})" \
    awk -v a="$c0" -v b="$c1" -v t="$t1" 'BEGIN { exit !(a != "" && a == b && t >= b + 40) }'
  # 5% of the delay, plus 3 ms for TCG's timer slop and the control's own RTT noise.
  check "target median RTT $t ms = control $c ms + ${d} ms (within 5% + 3 ms)" \
    awk -v t="$t" -v c="$c" -v d="$d" 'BEGIN { a = t - c; exit !(a >= d * 0.95 - 3 && a <= d * 1.05 + 3) }'
  check "control untouched: median $c ms (baseline $base ms, < 10 ms)" awk -v c="$c" 'BEGIN { exit !(c >= 0 && c < 10) }'
  tr=$(in_cgroup "$CG/target" "$TCP" probe $ADDR_B 9400 20 | field rtt_ms)
  tc_=$(in_cgroup "$CG/control" "$TCP" probe $ADDR_B 9400 20 | field rtt_ms)
  # TCG allowance for the TCP client: 10 ms. Its round trip takes more wakeups than ping's, and
  # fq releases a held packet from an hrtimer that fires late when the emulated CPU is starved: a
  # 6.12 guest showed +5 ms on this path where ping showed +0.9 ms, a 6.1 guest on a loaded host
  # +8 ms (issue #10's notes). The VM benchmark measures the delay's accuracy properly.
  check "a TCP client's median round trip $tr ms = control $tc_ ms + ${d} ms (within 5% + 10 ms)" \
    awk -v t="$tr" -v c="$tc_" -v d="$d" 'BEGIN { a = t - c; exit !(a >= d * 0.95 - 10 && a <= d * 1.05 + 10) }'
  "$FL" --socket "$SOCK" stop "delay$d" >/dev/null
  check "stop puts the device's qdisc back ($before)" qdisc_is "$before"
done

policy jitter 60ms 20ms 120s
"$FL" --socket "$SOCK" apply -f "$WORK/jitter.yaml" >/dev/null
rtts "$CG/target" 60 >"$WORK/jitter.rtt"
"$FL" --socket "$SOCK" stop jitter >/dev/null
# Never early: fq cannot release a packet before its departure time, so every RTT is at least
# 60 - 20 ms (-3 for the clock). Late is TCG's: a starved emulated CPU fires fq's timer late (a
# host with both cores busy once put one ping of 60 past 86 ms), so 95% must be within 80 + 3 ms
# and every one within 80 + 30 ms.
jstat=$(sort -n "$WORK/jitter.rtt" | awk 'NR == 1 {m = $1} {x = $1; if ($1 > 83) l++} END {printf "%s..%s ms, %d of %d past 83", m, x, l, NR}')
check "jitter: every RTT at least 60 - 20 ms; 95% at most 60 + 20 ms (+3), all at most +30 ($jstat)" \
  awk '{ if ($1 < 37 || $1 > 110) bad = 1; if ($1 > 83) late++ } END { exit bad || NR < 50 || late > NR * 0.05 }' "$WORK/jitter.rtt"
check "jitter: the RTTs spread (sd >= 5 ms)" awk '{ s += $1; q += $1 * $1 } END { m = s / NR; exit !(sqrt(q / NR - m * m) >= 5) }' "$WORK/jitter.rtt"
# No reordering within a TCP flow: a bulk flow under 20 +- 15 ms jitter; the receiver's
# out-of-order queue counter must not move.
policy_with reorder 120s "{delay: 20ms, jitter: 15ms}"
"$FL" --socket "$SOCK" apply -f "$WORK/reorder.yaml" >/dev/null
ofo() { ip netns exec "$NS_B" nstat -az TcpExtTCPOFOQueue | awk '/TcpExtTCPOFOQueue/ {print $2}'; }
o1=$(ofo)
in_cgroup "$CG/target" "$TCP" bulk $ADDR_B 9400 3 >"$WORK/reorder.out"
o2=$(ofo)
"$FL" --socket "$SOCK" stop reorder >/dev/null
check "jitter: a TCP bulk flow arrives in order (out-of-order queue $o1 -> $o2; $(cat "$WORK/reorder.out"))" \
  bash -c "[ -n '$o1' ] && [ '$o1' = '$o2' ] && grep -q bytes '$WORK/reorder.out'"

# Connect delay: only the SYN waits, so connect() takes the delay and later round trips do not.
# The median of three connects per cgroup, the target's against the control's. Upper allowance
# 30 ms: fq releases the SYN from an hrtimer that fires late on a starved emulated CPU (one
# connect took 200 + 13 ms on 6.12 in CI, 200 + 33 ms on a loaded host); a lost SYN's
# retransmission would take a second, a doubled delay 400 ms.
policy_with connect 120s "{connectDelay: 200ms}"
"$FL" --socket "$SOCK" apply -f "$WORK/connect.yaml" >/dev/null
for i in 1 2 3; do
  in_cgroup "$CG/target" "$TCP" probe $ADDR_B 9400 5 >>"$WORK/connect.out"
  in_cgroup "$CG/control" "$TCP" probe $ADDR_B 9400 5 >>"$WORK/connect-control.out"
done
"$FL" --socket "$SOCK" stop connect >/dev/null
cm=$(field connect_ms <"$WORK/connect.out" | median); rm_=$(field rtt_ms <"$WORK/connect.out" | median)
cc=$(field connect_ms <"$WORK/connect-control.out" | median)
# The bounds do not subtract the control's time: on a starved CPU the control's own connect
# took 22 ms (6.12 guest, host with both cores busy and two builds beside), which is noise the
# target's connect need not share. At least the delay (-5%), at most the delay, +5% + 30 ms, plus
# whatever the control took.
check "connectDelay: connect() took $cm ms: 200 ms (-5%) to 200 ms + 5% + 30 ms + control $cc ms" \
  awk -v t="$cm" -v c="$cc" 'BEGIN { exit !(t >= 200 * 0.95 && t <= 200 * 1.05 + 30 + c) }'
# Later round trips: far below the 200 ms delay; on a starved CPU they share the control's noise
# (13.5 ms seen beside a loaded CI run, with the control's connect at 5.6 ms).
check "connectDelay: later round trips are not delayed ($rm_ ms < 10 ms + control $cc ms)" \
  awk -v t="$rm_" -v c="$cc" 'BEGIN { exit !(t >= 0 && t < 10 + c) }'
# Not delayed: far below the 200 ms the target waits (scheduling noise is tens of ms at worst).
check "connectDelay: the control is not delayed ($cc ms < 100 ms)" awk -v t="$cc" 'BEGIN { exit !(t >= 0 && t < 100) }'

# Rate: a bulk TCP flow from the target is paced to 8 mbit/s (within 10%), the control is not.
policy_with rate 120s "{rate: 8mbit}"
"$FL" --socket "$SOCK" apply -f "$WORK/rate.yaml" >/dev/null
in_cgroup "$CG/target" "$TCP" bulk $ADDR_B 9400 4 >"$WORK/rate.out"
"$FL" --socket "$SOCK" stop rate >/dev/null
mbit=$(field mbit <"$WORK/rate.out")
check "rate: the target's bulk flow ran at $mbit mbit/s (8 within 10%)" \
  awk -v m="$mbit" 'BEGIN { exit !(m >= 7.2 && m <= 8.8) }'

# The deadline: the daemon retires the experiment and the device gets its qdisc back.
policy short 20ms 0ms 2s
"$FL" --socket "$SOCK" apply -f "$WORK/short.yaml" >/dev/null
check "the deadline puts the qdisc back" wait_for 300 qdisc_is "$before"

# A daemon killed mid-experiment: fq stays (the rule is inert past its deadline), the next start
# restores the device from the ledger.
policy killed 20ms 0ms 120s
"$FL" --socket "$SOCK" apply -f "$WORK/killed.yaml" >/dev/null
check "the tree installed before the kill" qdisc_is_tree
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
check "the refusal names the device and its qdisc" grep -q "device flva.*(pfifo 1:)" "$WORK/admin.err"
check "the administrator's qdisc is untouched" bash -c "tc -n $NS_A qdisc show dev flva root | grep -q 'pfifo 1:'"
check "the refused policy left no experiment" bash -c "! '$FL' --socket '$SOCK' list | grep -q admin"
tc -n "$NS_A" qdisc del dev flva root

kill -TERM $DAEMON; wait $DAEMON
check "after shutdown the device has its original qdisc ($before)" [ "$(root_qdisc)" = "$before" ]
check "no faultline program stays attached" no_faultline_programs
finish
