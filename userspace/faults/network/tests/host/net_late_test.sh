#!/usr/bin/env bash
# Late arrivals (issue 30 part 0): a fault that needs a device setup (delay's qdisc tree, the tc
# filter of duplicate) must reach what appears after the experiment started: a process entering
# the target from another network namespace (a service restarting in its container), and a
# device added to a namespace it already reaches. faultlined rescans each such target's
# namespaces and devices once a second; the test allows 5 s (an emulated CPU under load). Until
# a device has faultline's qdisc, the delay rule counts the target's packets there as
# "unapplied", never "injected": a late device whose root qdisc an administrator set up is
# left alone and its packets stay unapplied. Stop restores every device, late ones included.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" late
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state

if [ ! -d /sys/module/sch_fq ] && ! modprobe sch_fq 2>/dev/null; then
  skip "a delay reaching late namespaces and devices: no sch_fq in this kernel (the VM case net_late runs it)"
  check "without sch_fq the kernel has no fq to install (nothing to test here)" bash -c "! modprobe -n sch_fq 2>/dev/null"
  finish
  exit $?
fi
setup_net || exit 1
setup_cgroups
start_daemon
ours='^qdisc (prio fa19:|fq )' # the tree, or a root fq where the kernel has no sch_prio/sch_netem
ours_on() { tc -n "$NS_A" qdisc show dev "$1" root | grep -Eq "$ours"; }
root_of() { tc -n "$NS_A" qdisc show dev "$1" root | awk 'NR == 1 {print $2, $3}'; }
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print -1; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
ping_median() { # cgroup address: median RTT (ms) of 10 pings from the cgroup in NS_A
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A ping -n -c 10 -i 0.05 -W 5 $2" |
    sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | median
}
stat_of() { # key: the delay fault's counter from the JSON status
  "$FL" --socket "$SOCK" --json status late >"$WORK/status.json"
  python3 -c "import json,sys; d=json.load(open('$WORK/status.json')); print(next(f for f in d['faults'] if f['name'] == 'slow').get('$1', 0))"
}

check "the target cgroup is empty before the start" bash -c "[ -z \"\$(cat $CG/target/cgroup.procs)\" ]"
before_a=$(root_of flva)
cat >"$WORK/late.yaml" <<EOF
apiVersion: faultline/v1
kind: Experiment
metadata: {name: late}
spec:
  duration: 120s
  targets: [{cgroup: $CG/target}]
  faults:
    - {name: slow, network: {delay: 50ms, protocol: icmp}}
    - {name: dup, network: {duplicate: 100%, protocol: udp, port: 9}}
EOF
"$FL" --socket "$SOCK" apply -f "$WORK/late.yaml" >"$WORK/apply.out" 2>&1
check "the policy starts on the empty cgroup" state_is late running || cat "$WORK/apply.out" >&2
check "nothing is set up on flva yet: no process of the target is in NS_A" bash -c "! tc -n $NS_A qdisc show dev flva root | grep -Eq '$ours'"

# A process of the target arrives in NS_A.
start_resident "$CG/target"
check "within 5 s faultline's qdisc is flva's root" wait_for 50 ours_on flva
check "and lo's in NS_A" wait_for 50 ours_on lo
check "and duplicate's tc filter is on flva" \
  wait_for 50 bash -c "tc -n $NS_A filter show dev flva egress | grep -q fl_tc_egress"
pt=$(ping_median "$CG/target" $ADDR_B)
pc=$(ping_median "$CG/control" $ADDR_B)
check "the late process's ping is delayed ($pt ms >= 50), the control's is not ($pc ms < 10)" \
  awk -v t="$pt" -v c="$pc" 'BEGIN { exit !(t >= 50 && c >= 0 && c < 10) }'

# A device added later to NS_A.
ip link add flvc netns "$NS_A" type veth peer name flvd netns "$NS_B" &&
  ip -n "$NS_A" addr add 198.51.100.1/24 dev flvc && ip -n "$NS_B" addr add 198.51.100.2/24 dev flvd &&
  ip -n "$NS_A" link set flvc up && ip -n "$NS_B" link set flvd up
check "within 5 s the new device flvc has faultline's qdisc" wait_for 50 ours_on flvc
check "and duplicate's tc filter" wait_for 50 bash -c "tc -n $NS_A filter show dev flvc egress | grep -q fl_tc_egress"
pt=$(ping_median "$CG/target" 198.51.100.2)
check "the target's ping over flvc is delayed ($pt ms >= 50)" awk -v t="$pt" 'BEGIN { exit !(t >= 50) }'

# A late namespace with a device whose root qdisc an administrator set up (made before any
# process of the target is there, so no rescan can race the administrator): left alone, its
# packets unapplied.
NS_C=fl-late-c
ip netns del "$NS_C" 2>/dev/null
ip netns add "$NS_C" && CLEANUP_HOOKS+=("ip netns del $NS_C")
ip link add flve netns "$NS_C" type veth peer name flvf netns "$NS_B" &&
  tc -n "$NS_C" qdisc add dev flve root handle 1: pfifo limit 100 &&
  ip -n "$NS_C" addr add 203.0.113.1/24 dev flve && ip -n "$NS_B" addr add 203.0.113.2/24 dev flvf &&
  ip -n "$NS_C" link set flve up && ip -n "$NS_B" link set flvf up && ip -n "$NS_C" link set lo up
root_c() { tc -n "$NS_C" qdisc show dev "$1" root | awk 'NR == 1 {print $2, $3}'; }
sh -c "echo \$\$ > $CG/target/cgroup.procs && exec ip netns exec $NS_C sleep 1000" &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
check "the log names the device it left alone (within 5 s)" \
  wait_for 50 grep -q "flve.*root qdisc set up by someone else" "$WORK/daemon.log"
check "and the late namespace's lo has faultline's qdisc" \
  wait_for 50 bash -c "tc -n $NS_C qdisc show dev lo root | grep -Eq '$ours'"
unapplied0=$(stat_of unapplied)
injected0=$(stat_of injected)
pt=$(sh -c "echo \$\$ > $CG/target/cgroup.procs && exec ip netns exec $NS_C ping -n -c 10 -i 0.05 -W 5 203.0.113.2" |
  sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | median)
check "the target's ping over flve (an administrator's pfifo 1:) is not delayed ($pt ms < 10)" \
  awk -v t="$pt" 'BEGIN { exit !(t >= 0 && t < 10) }'
unapplied1=$(stat_of unapplied)
injected1=$(stat_of injected)
check "its 10 echo requests are counted unapplied ($unapplied0 -> $unapplied1), not injected ($injected0 -> $injected1)" \
  bash -c "[ $((unapplied1 - unapplied0)) -ge 10 ] && [ $injected1 = $injected0 ]"
check "the administrator's qdisc stays ($(root_c flve))" bash -c "[ '$(root_c flve)' = 'pfifo 1:' ]"

"$FL" --socket "$SOCK" stop late >/dev/null
check "stop puts flva's qdisc back ($(root_of flva))" bash -c "[ '$(root_of flva)' = '$before_a' ]"
check "and takes faultline's qdisc off the late device flvc ($(root_of flvc))" bash -c "! tc -n $NS_A qdisc show dev flvc root | grep -Eq '$ours'"
check "and its tc filter" bash -c "! tc -n $NS_A filter show dev flvc egress | grep -q fl_tc_egress"
check "and off lo" bash -c "! tc -n $NS_A qdisc show dev lo root | grep -Eq '$ours'"
check "and off the late namespace's lo" bash -c "! tc -n $NS_C qdisc show dev lo root | grep -Eq '$ours'"
check "the administrator's qdisc on flve is still there ($(root_c flve))" bash -c "[ '$(root_c flve)' = 'pfifo 1:' ]"

# A daemon killed after a late device got the tree: the next start restores it (the ledger).
# At a start every device of the target's namespaces must take the tree, so an administrator's
# root refuses the start (net_shape tests that): flve goes first.
ip -n "$NS_C" link del flve
"$FL" --socket "$SOCK" apply -f "$WORK/late.yaml" >"$WORK/apply2.out" 2>&1
check "applied again (the target is resident now)" state_is late running || cat "$WORK/apply2.out" >&2
ip link add flvg netns "$NS_A" type veth peer name flvh netns "$NS_B" && ip -n "$NS_A" link set flvg up
check "within 5 s the late device flvg has faultline's qdisc" wait_for 50 ours_on flvg
kill -9 "$DAEMON"; wait "$DAEMON" 2>/dev/null
rm -f "$SOCK"
start_daemon
check "after a SIGKILL the next start took it off flvg ($(root_of flvg))" bash -c "! tc -n $NS_A qdisc show dev flvg root | grep -Eq '$ours'"
check "and off flva ($(root_of flva))" bash -c "[ '$(root_of flva)' = '$before_a' ]"
finish
