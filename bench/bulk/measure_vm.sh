#!/usr/bin/env bash
# Bulk TCP under delay (issue 30 part 1), as JSON lines on stdout: faultline and `tc netem` side
# by side in one boot, on the same veth, from the same target cgroup.
#   bulk   Debian's iperf3 (one flow, SECONDS each) under {delay 20ms, 20ms +- 5ms, 20ms + rate
#          200mbit} and with no injector; faultline and netem alternated per round (netem,
#          faultline, then faultline, netem, ...). Per run: bits/s, retransmits, iperf3's mean
#          RTT, the receiver's out-of-order queue count (TcpExtTCPOFOQueue) and the qdisc
#          counters of the device.
#   rr     request/response under delay 20ms (and none), faultline and netem alternated over 4
#          rounds: 5 connections per round with `fl_tcp probe` (the connect time, and the median
#          of 20 one-byte echo round trips on it) and ICMP echo RTTs (`fl_bench_traffic ping`,
#          microseconds).
# Usage: measure_vm.sh BUILD_DIR [--quick]   (root; a kernel with sch_fq, sch_prio and sch_netem)
source "$(dirname "$0")/../../tests/host/lib.sh" "$1" bb
quick=${2:-}
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
TCP=$BUILD/tests/fl_tcp
TRAFFIC=$BUILD/bench/fl_bench_traffic
secs=5 rounds=2 probes=150 rr_n=20 connects=5 rr_rounds=4
[ "$quick" = --quick ] && secs=2 rounds=1 probes=30 rr_n=10 connects=2 rr_rounds=2

emit() { echo "$1"; }
fail() { echo "{\"kind\":\"error\",\"what\":\"$1\"}" >&2; exit 1; }
in_cgroup() { # cgroup command...: joins the cgroup first, then the netns
  local cg=$1; shift
  sh -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_A $*"
}
policy() { # name network-block
  printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: %s}\nspec:\n  duration: 900s\n  targets:\n    - cgroup: %s\n  faults:\n    - name: f\n      network: %s\n' \
    "$1" "$CG/target" "$2" >"$WORK/$1.yaml"
}
fl_apply() { "$FL" --socket "$SOCK" apply -f "$WORK/$1.yaml" >"$WORK/$1.out" 2>&1 || fail "apply $1: $(tr -d '"\n' <"$WORK/$1.out")"; }
fl_stop() { "$FL" --socket "$SOCK" stop "$1" >/dev/null 2>&1 || fail "stop $1"; }
netem_on() { tc -n "$NS_A" qdisc add dev flva root netem "$@" || fail "tc netem $*"; }
netem_off() { tc -n "$NS_A" qdisc del dev flva root; }
root_qdisc() { tc -n "$NS_A" qdisc show dev flva root | awk 'NR == 1 {print $2}'; }
json_array() { paste -sd, - | sed 's/^/[/; s/$/]/'; }
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
oneline() { tr -s ' \t\n' ' ' | tr -d '"\\'; }
ofo() { ip netns exec "$NS_B" nstat -az TcpExtTCPOFOQueue | awk '/TcpExtTCPOFOQueue/ {print $2}'; }

command -v iperf3 >/dev/null || fail "no iperf3 (scripts/deps.sh installs it)"
setup_net || fail "setup_net"
setup_cgroups
"$FLD" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -TERM $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || fail "faultlined did not answer"
start_resident "$CG/target"
before=$(root_qdisc)
emit "{\"kind\":\"env\",\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"root_qdisc\":\"$before\",\"seconds\":$secs,\"rounds\":$rounds,\"quick\":$([ "$quick" = --quick ] && echo true || echo false)}"

ip netns exec "$NS_B" iperf3 -s -p 5201 >"$WORK/iperf3-server" 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
ip netns exec "$NS_B" "$TCP" serve "$ADDR_B" 9400 >"$WORK/tcp-server" 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
listening() { ip netns exec "$NS_B" ss -ltnH "sport = :5201" | grep -q LISTEN; }
wait_for 300 listening || fail "iperf3 server not listening"
wait_for 300 grep -q ready "$WORK/tcp-server" || fail "fl_tcp serve not ready"

# --- bulk ---------------------------------------------------------------------------------------
bulk() { # case injector round
  local o0 o1 qd
  o0=$(ofo)
  in_cgroup "$CG/target" iperf3 -c "$ADDR_B" -p 5201 -t "$secs" -J >"$WORK/iperf.json" 2>&1
  o1=$(ofo)
  qd=$(tc -s -n "$NS_A" qdisc show dev flva | oneline)
  jq -c --arg c "$1" --arg i "$2" --argjson r "$3" --argjson ofo "$((o1 - o0))" --arg q "$qd" \
    '{kind: "bulk", case: $c, injector: $i, round: $r, bps: .end.sum_received.bits_per_second,
      seconds: .end.sum_received.seconds, bytes: .end.sum_received.bytes,
      retransmits: .end.sum_sent.retransmits, mean_rtt_us: .end.streams[0].sender.mean_rtt,
      receiver_ofo: $ofo, qdisc: $q}' "$WORK/iperf.json" ||
    fail "iperf3 ($1 $2): $(head -c 300 "$WORK/iperf.json" | oneline)"
}
fl_bulk() { # case round network-block
  policy "$1$2" "$3"
  fl_apply "$1$2"
  [ "$(root_qdisc)" = prio ] || fail "faultline $1: root qdisc $(root_qdisc), not faultline's prio tree"
  bulk "$1" faultline "$2"
  fl_stop "$1$2"
  [ "$(root_qdisc)" = "$before" ] || fail "faultline stop left $(root_qdisc)"
}
netem_bulk() { # case round netem-args...
  local c=$1 r=$2; shift 2
  netem_on "$@"; bulk "$c" netem "$r"; netem_off
}
# BULK_SKIP=1: request/response only (e.g. against a build from before the tree, which has fq as
# the root and would fail the tree check above).
[ "${BULK_SKIP:-0}" = 1 ] && rounds=0
[ "${BULK_SKIP:-0}" = 1 ] || bulk none none 0
for r in $(seq "$rounds"); do
  for order in 1 2; do
    if [ $(((order + r) % 2)) = 0 ]; then
      netem_bulk delay20 "$r" delay 20ms
      fl_bulk delay20 "$r" "{delay: 20ms}"
    else
      fl_bulk delay20 "$r" "{delay: 20ms}"
      netem_bulk delay20 "$r" delay 20ms
    fi
  done
done
for r in $(seq "$rounds"); do
  netem_bulk jitter "$r" delay 20ms 5ms
  fl_bulk jitter "$r" "{delay: 20ms, jitter: 5ms}"
  fl_bulk rate "$r" "{delay: 20ms, rate: 200mbit}"
  netem_bulk rate "$r" delay 20ms rate 200mbit
done

# --- request/response ---------------------------------------------------------------------------
rr() { # injector delay_ms: CONNECTS connections (connect time, median echo RTT of each), ICMP
  local out icmp c conn="" echo=""
  for c in $(seq "$connects"); do
    out=$(in_cgroup "$CG/target" "$TCP" probe "$ADDR_B" 9400 "$rr_n")
    conn+="${conn:+,}$(field connect_ms <<<"$out")"; echo+="${echo:+,}$(field rtt_ms <<<"$out")"
  done
  in_cgroup "$CG/target" "$TRAFFIC" ping "$ADDR_B" 1 1 >/dev/null # ARP first, not counted
  in_cgroup "$CG/target" "$TRAFFIC" ping "$ADDR_B" "$probes" 20 >"$WORK/rtt"
  grep -q '^lost 0$' "$WORK/rtt" || fail "ping lost probes under $1: $(grep lost "$WORK/rtt")"
  icmp=$(grep -v lost "$WORK/rtt" | json_array)
  emit "{\"kind\":\"rr\",\"injector\":\"$1\",\"delay_ms\":$2,\"connect_ms\":[$conn],\"tcp_rtt_ms\":[$echo],\"icmp_rtt_ms\":$icmp}"
}
rr none 0
for r in $(seq "$rr_rounds"); do
  policy rr$r "{delay: 20ms}"
  if [ $((r % 2)) = 1 ]; then
    fl_apply rr$r; rr faultline 20; fl_stop rr$r
    netem_on delay 20ms; rr netem 20; netem_off
  else
    netem_on delay 20ms; rr netem 20; netem_off
    fl_apply rr$r; rr faultline 20; fl_stop rr$r
  fi
done
rr none 0
emit '{"kind":"done"}'
