#!/usr/bin/env bash
# Interface targets (host-level drills), through faultlined running in its own network namespace
# NS_A: every packet of the device flva is faulted whatever process sends it, a second device
# (flva2) is untouched; refused without spec.safety.allowHostWide; loss within the binomial
# bound with injected == lost, ingress loss, delay by departure time with fq on that device
# only (where sch_fq exists; refused with the reason where not); tc and fq restored after stop
# and after a SIGKILLed daemon's restart.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" iface
N=2000
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
setup_net || exit 1
setup_cgroups
# The control device: a second pair, on its own subnet.
ADDR2_B=198.51.100.2
ip link add flva2 netns "$NS_A" type veth peer name flvb2 netns "$NS_B" &&
  ip -n "$NS_A" addr add 198.51.100.1/24 dev flva2 && ip -n "$NS_B" addr add $ADDR2_B/24 dev flvb2 &&
  ip -n "$NS_A" link set flva2 up && ip -n "$NS_B" link set flvb2 up || exit 1
wait_for 300 ip netns exec "$NS_A" ping -c1 -W1 $ADDR2_B >/dev/null
wait_for 300 ip netns exec "$NS_A" ping -c1 -W1 $ADDR_B >/dev/null
start_iface_daemon() { # faultlined inside NS_A: its namespace's devices are the ones it can target
  # nsenter, not `ip netns exec`: that remounts /sys, and with it the cgroup hierarchy
  nsenter --net=/run/netns/"$NS_A" "$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>>"$WORK/daemon.log" &
  DAEMON=$!
  CLEANUP_HOOKS+=("kill -9 $DAEMON 2>/dev/null")
  wait_for_daemon "$SOCK" || { echo "faultlined did not answer"; cat "$WORK/daemon.log"; exit 1; }
}
start_iface_daemon
policy() { # name network-block [unguarded]
  local safety=("safety: {allowHostWide: true}")
  [ "${3:-}" = unguarded ] && safety=()
  one_fault_policy "$1" 120s "interface: flva" drill "network: $2" "${safety[@]}"
}
send_to() { # addr port: N datagrams from the control cgroup (no cgroup is targeted)
  sh -c "echo \$\$ > $CG/control/cgroup.procs && exec ip netns exec $NS_A $UDP send $1 $2 $N" >/dev/null
}
recv_on() { # addr port
  ip netns exec "$NS_B" "$UDP" recv "$1" "$2" >"$WORK/rx-$2" 2>&1 &
  wait_for 600 grep -q ready "$WORK/rx-$2"
}
count() { # addr port: ends the count (after the experiment stopped) and prints it
  ip netns exec "$NS_A" "$UDP" end "$1" "$2" >/dev/null
  wait_for 1300 grep -q 'received\|no end marker' "$WORK/rx-$2"
  awk '/received/ {print $2}' "$WORK/rx-$2"
}
has_clsact_a() { tc -n "$NS_A" qdisc show dev flva | grep -q clsact; }
injected() { jq '[.faults[].injected] | add' "$WORK/status.json"; }

policy guarded "{loss: 30%}" unguarded
"$FL" --socket "$SOCK" apply -f "$WORK/guarded.yaml" 2>"$WORK/guarded.err"
check "refused without allowHostWide" grep -q "an interface target faults every packet of the device" "$WORK/guarded.err"
check "and nothing was set up on the device" bash -c "! tc -n $NS_A qdisc show dev flva | grep -q clsact"
policy missing "{loss: 30%}"
sed -i 's/interface: flva/interface: flnone/' "$WORK/missing.yaml"
"$FL" --socket "$SOCK" apply -f "$WORK/missing.yaml" 2>"$WORK/missing.err"
check "a missing device is refused by name" grep -q "no network device 'flnone'" "$WORK/missing.err"

# A cgroup experiment's tc program (net.tc) on the same device runs first: it must hand every
# packet on to the drill's program, not end the filter chain.
start_resident "$CG/target"
cat >"$WORK/cg.yaml" <<POLICY
apiVersion: faultline/v1
kind: Experiment
metadata: {name: cg}
spec:
  duration: 120s
  targets:
    - cgroup: $CG/target
  faults:
    - name: dup
      network: {duplicate: 1%, protocol: tcp}
POLICY
"$FL" --socket "$SOCK" apply -f "$WORK/cg.yaml" >/dev/null 2>&1
check "a cgroup tc experiment holds flva too" bash -c "tc -n $NS_A filter show dev flva egress | grep -q fl_tc_egress"
policy loss "{loss: 30%, protocol: udp}"
"$FL" --socket "$SOCK" apply -f "$WORK/loss.yaml" >"$WORK/apply.out" 2>&1
check "apply loss on the interface" grep -q running "$WORK/apply.out"
check "clsact with faultline's filters on flva" bash -c "tc -n $NS_A filter show dev flva egress | grep -q fl_iface_egress"
check "no drill filter on flva2" bash -c "! tc -n $NS_A filter show dev flva2 egress | grep -q fl_iface_egress"
recv_on $ADDR_B 9601 && recv_on $ADDR2_B 9602
send_to $ADDR_B 9601
send_to $ADDR2_B 9602
"$FL" --socket "$SOCK" --json status loss >"$WORK/status.json"
"$FL" --socket "$SOCK" stop loss >/dev/null
got=$(count $ADDR_B 9601)
lost=$((N - ${got:-0}))
check "lost $lost/$N on flva, from a cgroup no policy names, within the binomial bound of 30%" within_binomial $lost $N 0.30
check "injected ($(injected)) == lost ($lost)" [ "$(injected)" = $lost ]
check "flva2 lost nothing ($(count $ADDR2_B 9602))" [ "$(awk '/received/ {print $2}' "$WORK/rx-9602")" = $N ]
check "the clsact stays while the cgroup experiment uses it" has_clsact_a
"$FL" --socket "$SOCK" stop cg >/dev/null
check "stop removes the clsact once no faultline filter is left" bash -c "! tc -n $NS_A qdisc show dev flva | grep -q clsact"

policy deaf "{blackhole: true, direction: ingress, protocol: icmp}"
"$FL" --socket "$SOCK" apply -f "$WORK/deaf.yaml" >/dev/null
check "ingress blackhole: no ping reply comes in on flva" bash -c "! ip netns exec $NS_A ping -c2 -W1 -q $ADDR_B >/dev/null"
check "flva2 answers" bash -c "ip netns exec $NS_A ping -c1 -W2 -q $ADDR2_B >/dev/null"
"$FL" --socket "$SOCK" --json status deaf >"$WORK/status.json"
check "the dropped replies are counted ($(injected) >= 2)" [ "$(injected)" -ge 2 ]
"$FL" --socket "$SOCK" stop deaf >/dev/null
check "after stop flva answers" bash -c "ip netns exec $NS_A ping -c1 -W2 -q $ADDR_B >/dev/null"

policy slow "{delay: 50ms, protocol: icmp}"
if [ -d /sys/module/sch_fq ]; then
  "$FL" --socket "$SOCK" apply -f "$WORK/slow.yaml" >/dev/null
  # faultline's tree (prio fa19: with a netem band, so bulk TCP survives the delay), or a root
  # fq where the kernel has no sch_prio or sch_netem.
  ours='^qdisc (prio fa19:|fq )'
  check "faultline's qdisc is flva's root ($(tc -n $NS_A qdisc show dev flva root | head -1))" \
    bash -c "tc -n $NS_A qdisc show dev flva root | grep -Eq '$ours'"
  if [ -d /sys/module/sch_prio ] && [ -d /sys/module/sch_netem ]; then
    check "and it is the tree: prio fa19: with netem and fq below" \
      bash -c "tc -n $NS_A qdisc show dev flva | grep -q '^qdisc prio fa19:' &&
               tc -n $NS_A qdisc show dev flva | grep -q '^qdisc netem fa1b:'"
  fi
  check "flva2 keeps its qdisc" bash -c "! tc -n $NS_A qdisc show dev flva2 root | grep -Eq '$ours'"
  rtt() { ip netns exec "$NS_A" ping -c5 -i0.2 -q "$1" | awk -F/ '/^rtt/ {print $5}'; }
  slow=$(rtt $ADDR_B)
  fast=$(rtt $ADDR2_B)
  check "ping over flva is delayed (median-ish avg $slow ms >= 50)" awk -v t="$slow" 'BEGIN { exit !(t >= 50 && t < 200) }'
  check "ping over flva2 is not ($fast ms < 20)" awk -v t="$fast" 'BEGIN { exit !(t != "" && t < 20) }'
  kill -9 $DAEMON; wait $DAEMON 2>/dev/null
  rm -f "$SOCK"
  start_iface_daemon
  check "after a SIGKILL the next start restored flva's qdisc" \
    bash -c "! tc -n $NS_A qdisc show dev flva root | grep -Eq '$ours'"
  check "and removed the clsact" bash -c "! tc -n $NS_A qdisc show dev flva | grep -q clsact"
else
  "$FL" --socket "$SOCK" apply -f "$WORK/slow.yaml" 2>"$WORK/slow.err"
  check "without sch_fq delay is refused with the reason" grep -q "fq" "$WORK/slow.err"
  check "and leaves no clsact behind" bash -c "! tc -n $NS_A qdisc show dev flva | grep -q clsact"
  skip "delay on flva with fq there only, flva2 untouched, both restored after a SIGKILL: no sch_fq in this kernel (the VM case net_iface runs them)"
fi

kill -TERM $DAEMON; wait $DAEMON
check "no faultline program stays attached" bash -c "! bpftool prog show 2>/dev/null | grep -q fl_iface_"
finish
