#!/usr/bin/env bash
# Corrupt and duplicate (net.tc), through faultlined: the receiver counts duplicated and damaged
# datagrams from the target within the binomial bound of the configured rate, none from a
# control cgroup on the same device; the counters equal what the receiver saw; clsact and our
# filter go where they were needed and away again (stop, SIGKILLed daemon + restart), and a
# clsact someone else set up stays; a broken checksum makes the receiver's stack drop exactly the
# corrupted datagrams.
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" tc
N=2000
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
setup_net || exit 1
setup_cgroups
start_daemon
# A resident process of the target in NS_A: its namespace's devices get the tc program.
start_resident "$CG/target"
has_clsact() { tc -n "$NS_A" qdisc show dev flva | grep -q clsact; }
policy() { one_fault_policy "$1" 120s "cgroup: $CG/target" mangle "network: $2"; } # name network-block
field() { awk -v k="$1" '/received/ {for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' "$2"; }
exchange() { # port-target port-control: sends N from each; the receivers' lines stay in $WORK/rx-PORT
  start_receiver "$1" && start_receiver "$2"
  send_from "$CG/target" "$1" $N
  send_from "$CG/control" "$2" $N
  received "$1" >/dev/null
  received "$2" >/dev/null
}

check "no clsact on the device before" bash -c "! tc -n $NS_A qdisc show dev flva | grep -q clsact"
policy dup "{duplicate: 30%, protocol: udp}"
"$FL" --socket "$SOCK" apply -f "$WORK/dup.yaml" >"$WORK/apply.out" 2>&1
check "apply duplicate" grep -q running "$WORK/apply.out"
check "clsact added to the target's device" has_clsact
exchange 9501 9502
d=$(field duplicates "$WORK/rx-9501")
check "duplicates $d/$N within the binomial bound of 30%" within_binomial "${d:-0}" $N 0.30
check "every datagram arrived at least once ($(field received "$WORK/rx-9501") = $N + $d)" \
  [ "$(field received "$WORK/rx-9501")" = $((N + ${d:-0})) ]
check "the control got no duplicates ($(field duplicates "$WORK/rx-9502"))" [ "$(field duplicates "$WORK/rx-9502")" = 0 ]
"$FL" --socket "$SOCK" --json status dup >"$WORK/dup.json"
check "the injected count equals the duplicates received" grep -q "\"injected\": ${d:-x}" "$WORK/dup.json"
"$FL" --socket "$SOCK" stop dup >/dev/null
check "stop removes the clsact it added" bash -c "! tc -n $NS_A qdisc show dev flva | grep -q clsact"

policy corrupt "{corrupt: 30%, protocol: udp}"
"$FL" --socket "$SOCK" apply -f "$WORK/corrupt.yaml" >/dev/null
exchange 9503 9504
c=$(field corrupt "$WORK/rx-9503")
check "damaged datagrams $c/$N within the binomial bound of 30%" within_binomial "${c:-0}" $N 0.30
check "corruption keeps the checksum valid: all $N arrived ($(field received "$WORK/rx-9503"))" \
  [ "$(field received "$WORK/rx-9503")" = $N ]
check "the control got nothing damaged ($(field corrupt "$WORK/rx-9504"))" [ "$(field corrupt "$WORK/rx-9504")" = 0 ]
"$FL" --socket "$SOCK" stop corrupt >/dev/null

# A broken checksum: a receiver that checks it drops the datagram. veth hands offloaded packets
# on unchecked, so checksums are computed by the sender's stack and checked by the receiver's here.
ip netns exec "$NS_A" ethtool -K flva tx off >/dev/null && ip netns exec "$NS_B" ethtool -K flvb rx off >/dev/null
csum_errors() { ip netns exec "$NS_B" nstat -az UdpInCsumErrors | awk '/UdpInCsumErrors/ {print $2}'; }
before=$(csum_errors)
policy broken "{corrupt: {probability: 30%, checksum: broken}, protocol: udp}"
"$FL" --socket "$SOCK" apply -f "$WORK/broken.yaml" >/dev/null
exchange 9505 9506
"$FL" --socket "$SOCK" --json status broken >"$WORK/broken.json"
"$FL" --socket "$SOCK" stop broken >/dev/null
b=$(jq '[.faults[].injected] | add' "$WORK/broken.json")
r=$(field received "$WORK/rx-9505")
check "broken checksums on $b/$N within the binomial bound of 30%" within_binomial "${b:-0}" $N 0.30
check "the receiver dropped exactly those ($r received = $N - $b)" [ "$r" = $((N - ${b:-0})) ]
check "its stack counted them as checksum errors ($(($(csum_errors) - before)))" [ $(($(csum_errors) - before)) = "$b" ]
check "nothing damaged got through ($(field corrupt "$WORK/rx-9505"))" [ "$(field corrupt "$WORK/rx-9505")" = 0 ]
check "the control lost nothing ($(field received "$WORK/rx-9506"))" [ "$(field received "$WORK/rx-9506")" = $N ]
ip netns exec "$NS_A" ethtool -K flva tx on >/dev/null && ip netns exec "$NS_B" ethtool -K flvb rx on >/dev/null

# A daemon killed mid-experiment: the next start removes what it added.
"$FL" --socket "$SOCK" apply -f "$WORK/dup.yaml" >/dev/null
check "clsact present before the kill" has_clsact
kill -9 $DAEMON; wait $DAEMON 2>/dev/null
rm -f "$SOCK"
start_daemon
check "the next start removed the clsact (ledger)" bash -c "! tc -n $NS_A qdisc show dev flva | grep -q clsact"
check "the daemon logged it" grep -q "net.tc: restored flva" "$WORK/daemon.log"

# Someone else's clsact stays: only our filter comes and goes.
tc -n "$NS_A" qdisc add dev flva clsact
"$FL" --socket "$SOCK" apply -f "$WORK/dup.yaml" >/dev/null
check "our filter sits in the existing clsact" bash -c "tc -n $NS_A filter show dev flva egress | grep -q fl_tc_egress"
"$FL" --socket "$SOCK" stop dup >/dev/null
check "stop removes our filter" bash -c "! tc -n $NS_A filter show dev flva egress | grep -q fl_tc_egress"
check "and keeps the clsact it did not add" has_clsact
tc -n "$NS_A" qdisc del dev flva clsact

kill -TERM $DAEMON; wait $DAEMON
check "no faultline program stays attached" no_faultline_programs
finish
