#!/usr/bin/env bash
# Bulk TCP under delay (issue 30 part 1): a bulk flow (Debian's iperf3) from the target cgroup
# under faultline `delay: 20ms` must reach at least 0.9x the throughput of the same flow under
# `tc netem delay 20ms` on the same link, in the same boot. Both must really delay (iperf3's own
# mean RTT at least the delay, a ping from the target too), and the control cgroup beside the
# target must not be delayed. Rounds alternate netem / faultline / faultline / netem so that drift
# in the emulated machine hits both alike; the ratio is of the bytes over the seconds of all rounds.
# The sender asks for a WAN's rate (FL_BULK_RATE, 200 Mbit/s: a 500 kB window at 20 ms, where the
# TCP Small Queues collapse held a flow to 2 Mbit/s). Uncapped, a flow in the emulated machine is
# bound by the CPU, and its figure would measure the load beside the test rather than the delay;
# the uncapped comparison is a benchmark (bench/bulk, on a quiet machine).
source "$(dirname "$0")/../../../../../tests/host/lib.sh" "$1" bulk
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
secs=${FL_BULK_SECONDS:-5}
rate=${FL_BULK_RATE:-200M}
PORT=5201

if ! command -v iperf3 >/dev/null; then
  check "iperf3 is installed (scripts/deps.sh installs Debian's)" false
  finish
  exit $?
fi
setup_net || exit 1
# The reference is netem on the same link: a kernel without sch_netem (the machine itself) has
# none, and the VM case net_bulk runs the comparison.
if ! tc -n "$NS_A" qdisc add dev flva root netem delay 20ms 2>"$WORK/netem.err"; then
  check "tc cannot add netem here ($(tr -d '\n' <"$WORK/netem.err")), so there is no reference" \
    bash -c "! tc -n $NS_A qdisc add dev flva root netem delay 20ms 2>/dev/null"
  skip "bulk TCP under faultline delay against netem: no sch_netem in this kernel (the VM case net_bulk runs it)"
  finish
  exit $?
fi
tc -n "$NS_A" qdisc del dev flva root
setup_cgroups
start_daemon
start_resident "$CG/target"
root_qdisc() { tc -n "$NS_A" qdisc show dev flva root | awk 'NR == 1 {print $2, $3}'; }
before=$(root_qdisc)
in_cgroup() { # cgroup command...: runs it in NS_A from inside the cgroup
  local cg=$1; shift
  sh -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_A $*"
}
median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print -1; else print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2)}'; }
ping_median() { # cgroup: median RTT (ms) of 10 pings from it
  sh -c "echo \$\$ > $1/cgroup.procs && exec ip netns exec $NS_A ping -n -c 10 -i 0.05 -W 5 $ADDR_B" |
    sed -n 's/.*time=\([0-9.]*\) ms/\1/p' | median
}

# The peer: an iperf3 server in NS_B, ready once its port listens (one client at a time).
ip netns exec "$NS_B" iperf3 -s -p $PORT >"$WORK/iperf3-server" 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
listening() { ip netns exec "$NS_B" ss -ltnH "sport = :$PORT" | grep -q LISTEN; }
check "the iperf3 server listens in the peer namespace" wait_for 300 listening || { finish; exit 1; }

# One bulk run from the target: "bits_per_second seconds bytes mean_rtt_us retransmits".
bulk() { # label
  in_cgroup "$CG/target" iperf3 -c $ADDR_B -p $PORT -t "$secs" -b "$rate" -J >"$WORK/$1.json" 2>&1
  jq -r '[.end.sum_received.bits_per_second, .end.sum_received.seconds, .end.sum_received.bytes,
          .end.streams[0].sender.mean_rtt, .end.sum_sent.retransmits] | map(tostring) | join(" ")' \
    "$WORK/$1.json" 2>/dev/null
}
mbit() { awk '{printf "%.1f", $1 / 1e6}' <<<"$1"; }

netem_round() { # round
  tc -n "$NS_A" qdisc add dev flva root netem delay 20ms || return 1
  r=$(bulk netem$1)
  tc -n "$NS_A" qdisc del dev flva root
  echo "$r"
}
fl_round() { # round
  one_fault_policy fl$1 120s "cgroup: $CG/target" slow "network: {delay: 20ms}"
  "$FL" --socket "$SOCK" apply -f "$WORK/fl$1.yaml" >"$WORK/fl$1.out" 2>&1 || { cat "$WORK/fl$1.out" >&2; return 1; }
  r=$(bulk fl$1)
  # Still delayed at the end of the flow, and only the target (sampled before the stop).
  echo "$(ping_median "$CG/target") $(ping_median "$CG/control")" >"$WORK/fl$1.ping"
  # For the log: the device's qdiscs and their counters while the policy runs.
  tc -s -n "$NS_A" qdisc show dev flva | sed 's/^/  qdisc: /' >&2
  "$FL" --socket "$SOCK" stop fl$1 >/dev/null
  echo "$r"
}

declare -A run=()
for step in "netem 1" "fl 1" "fl 2" "netem 2"; do
  set -- $step
  r=$("${1}_round" "$2")
  run[$1$2]=$r
  echo "$1 round $2: $(mbit "${r%% *}") Mbit/s (bps seconds bytes mean_rtt_us retransmits: $r)"
done
total() { # prefix: bits per second over both rounds
  awk '{b += $3; s += $2} END {if (s > 0) printf "%.0f", b * 8 / s; else print 0}' <<<"${run[${1}1]}
${run[${1}2]}"
}
fl_bps=$(total fl)
netem_bps=$(total netem)
for k in netem1 netem2 fl1 fl2; do
  rtt=$(awk '{print $4}' <<<"${run[$k]}")
  check "$k: iperf3 ran and its flow was delayed (sender mean RTT $rtt us >= 19 ms)" \
    awk -v r="$rtt" 'BEGIN { exit !(r != "" && r != "null" && r + 0 >= 19000) }'
done
for k in 1 2; do
  read -r pt pc <"$WORK/fl$k.ping" 2>/dev/null || { pt=-1; pc=-1; }
  check "faultline round $k: the target's ping is delayed ($pt ms >= 19), the control's is not ($pc ms < 10)" \
    awk -v t="$pt" -v c="$pc" 'BEGIN { exit !(t >= 19 && c >= 0 && c < 10) }'
done
ratio=$(awk -v f="$fl_bps" -v n="$netem_bps" 'BEGIN { if (n > 0) printf "%.3f", f / n; else print 0 }')
check "bulk TCP under delay 20ms at up to $rate bit/s: faultline $(mbit "$fl_bps") Mbit/s >= 0.9 x netem $(mbit "$netem_bps") Mbit/s (ratio $ratio)" \
  awk -v r="$ratio" 'BEGIN { exit !(r >= 0.9) }'
check "the device has its qdisc back after the rounds ($(root_qdisc))" [ "$(root_qdisc)" = "$before" ]
finish
