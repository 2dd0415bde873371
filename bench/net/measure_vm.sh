#!/usr/bin/env bash
# The VM half of the network benchmark, as JSON lines on stdout: faultline side by side with
# `tc netem` and with no injector, in one boot (the machine itself has neither sch_netem nor
# sch_fq). Raw samples only; bench/net/run.sh computes the statistics and the ratios.
#   delay    ICMP echo RTTs (fl_bench_traffic ping, microseconds) from a target cgroup in one
#            netns to a peer netns, with no injector, with faultline `network: {delay: X}` (EDT, fq
#            installed by faultlined) and with `tc qdisc add dev flva root netem delay X`,
#            X = 1, 20, 100 ms
#   cpu      a bulk TCP flow (fl_tcp bulk) under 20 ms of delay (and with none), CPU time read
#            from /proc/stat around it, the qdisc's counters and TCP retransmissions, per round
#   drop     an unpaced UDP flow (fl_bench_traffic send) with no injector, faultline loss 10%, netem
#            loss 10%, a faultline policy on another cgroup, and a faultline rule on the flow's
#            cgroup whose filter excludes the flow; short rounds, the order rotated per round
#   scale    the same UDP flow under a matching faultline loss rule with 1 armed target and with
#            10,000 (9,999 more cgroups in a second experiment), phases 1 / 10,000 / 1 / ...
# Usage: measure_vm.sh BUILD_DIR [--quick]   (root; a kernel with sch_fq and sch_netem)
source "$(dirname "$0")/../../tests/host/lib.sh" "$1" nb
quick=${2:-}
SOCK=$WORK/fl.sock
export FAULTLINE_STATE_DIR=$WORK/state
TCP=$BUILD/tests/fl_tcp
TRAFFIC=$BUILD/bench/fl_bench_traffic
# Sizes: --quick is for trying the script out, not for numbers.
# many: 9,999 more targets, 10,000 in all (the rule table holds 16,384 sets).
probes=300 bulk_s=6 cpu_rounds=2 flood_s=2 drop_rounds=6 many=9999 scale_phases=5 scale_s=3
[ "$quick" = --quick ] && probes=40 bulk_s=2 cpu_rounds=1 flood_s=1 drop_rounds=2 many=200 scale_phases=3 scale_s=1

emit() { echo "$1"; }
# On stderr: stdout may be redirected at the time; the case log has both.
fail() { echo "{\"kind\":\"error\",\"what\":\"$1\"}" >&2; exit 1; }
in_cgroup() { # cgroup command...: runs it in NS_A from inside the cgroup (joined first: `ip
  local cg=$1; shift # netns exec` mounts a fresh /sys that hides the cgroup tree)
  sh -c "echo \$\$ > $cg/cgroup.procs && exec ip netns exec $NS_A $*"
}
policy() { # name target-cgroup network-block [more target lines]
  {
    printf 'apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: %s}\nspec:\n' "$1"
    printf '  duration: 900s\n  targets:\n    - cgroup: %s\n' "$2"
    [ -n "${4:-}" ] && cat "$4"
    printf '  faults:\n    - name: f\n      network: %s\n' "$3"
  } >"$WORK/$1.yaml"
}
fl_apply() { "$FL" --socket "$SOCK" apply -f "$WORK/$1.yaml" >"$WORK/$1.out" 2>&1 || fail "apply $1: $(tr -d '"\n' <"$WORK/$1.out")"; }
fl_stop() { "$FL" --socket "$SOCK" stop "$1" >/dev/null 2>&1 || fail "stop $1"; }
netem_on() { tc -n "$NS_A" qdisc add dev flva root netem "$@" || fail "tc netem $*"; }
netem_off() { tc -n "$NS_A" qdisc del dev flva root; }
root_qdisc() { tc -n "$NS_A" qdisc show dev flva root | awk 'NR == 1 {print $2}'; }
json_array() { paste -sd, - | sed 's/^/[/; s/$/]/'; }
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }

# ss -i needs the sock_diag modules for more than /proc/net/tcp's few fields (best effort).
[ -n "${FL_KDIR:-}" ] && modprobe -d "$FL_KDIR/root" tcp_diag 2>/dev/null
setup_net || fail "setup_net"
setup_cgroups
# The daemon with the per-experiment target cap raised for the many-target case (default 64).
echo "maxTargets: 16384" >"$WORK/faultlined.yaml"
# (faultlined raises its own open-file limit: it holds a descriptor per attached cgroup program.)
"$FLD" --config "$WORK/faultlined.yaml" --socket "$SOCK" --journal "$WORK/journal.jsonl" 2>>"$WORK/daemon.log" &
DAEMON=$!
CLEANUP_HOOKS+=("kill -TERM $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null")
wait_for_daemon "$SOCK" || fail "faultlined did not answer"
# A resident process of the target in NS_A: that namespace's devices are where fq goes.
start_resident "$CG/target"
before=$(root_qdisc)
emit "{\"kind\":\"env\",\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc),\"clk_tck\":$(getconf CLK_TCK),\"root_qdisc\":\"$before\",\"quick\":$([ "$quick" = --quick ] && echo true || echo false)}"

# --- delay accuracy -------------------------------------------------------------------------
# Per-probe RTTs in ms, 20 ms apart (ICMP: the peer's kernel answers, no process wakes up there).
# One probe first, not counted: it may wait for ARP, which netem delays too.
rtts() {
  in_cgroup "$CG/target" "$TRAFFIC" ping "$ADDR_B" 1 1 >/dev/null
  in_cgroup "$CG/target" "$TRAFFIC" ping "$ADDR_B" "$probes" 20 >"$WORK/rtt"
  grep -q '^lost 0$' "$WORK/rtt" || fail "rtt probes without a reply: $(grep lost "$WORK/rtt")"
  grep -v lost "$WORK/rtt"
}
emit "{\"kind\":\"delay\",\"injector\":\"none\",\"delay_ms\":0,\"rtt_ms\":$(rtts | json_array)}"
for d in 1 20 100; do
  policy delay$d "$CG/target" "{delay: ${d}ms}"
  fl_apply delay$d
  [ "$(root_qdisc)" = prio ] || fail "faultline delay: root qdisc is $(root_qdisc), not faultline's prio tree"
  emit "{\"kind\":\"delay\",\"injector\":\"faultline\",\"delay_ms\":$d,\"rtt_ms\":$(rtts | json_array)}"
  fl_stop delay$d
  [ "$(root_qdisc)" = "$before" ] || fail "faultline stop left $(root_qdisc)"
  netem_on delay ${d}ms
  emit "{\"kind\":\"delay\",\"injector\":\"netem\",\"delay_ms\":$d,\"rtt_ms\":$(rtts | json_array)}"
  netem_off
done
emit "{\"kind\":\"delay\",\"injector\":\"none\",\"delay_ms\":0,\"rtt_ms\":$(rtts | json_array)}"

# --- CPU per Gbit/s of a delayed bulk TCP flow ------------------------------------------------
ip netns exec "$NS_B" "$TCP" serve "$ADDR_B" 9400 >"$WORK/tcp-server" 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
wait_for 300 grep -q ready "$WORK/tcp-server" || fail "fl_tcp serve not ready"
# /proc/stat's aggregate cpu line: user+nice, system, irq+softirq, idle+iowait (ticks).
cpu_ticks() { awk '/^cpu / {print $2 + $3, $4, $7 + $8, $5 + $6}' /proc/stat; }
retrans() { ip netns exec "$NS_A" nstat -asz TcpRetransSegs | awk '/TcpRetransSegs/ {print $2}'; }
oneline() { tr -s ' \t\n' ' ' | tr -d '"\\'; }
bulk() { # injector round
  local t0 t1 out r0 ss
  t0=$(cpu_ticks); r0=$(retrans)
  in_cgroup "$CG/target" "$TCP" bulk "$ADDR_B" 9400 "$bulk_s" >"$WORK/bulk" &
  local pid=$!
  # One look at the connection halfway (a sample point, not a readiness wait): cwnd, pacing
  # rate, bytes in flight, what limits it.
  sleep $((bulk_s / 2)); ss=$(ip netns exec "$NS_A" ss -tin dst "$ADDR_B" | oneline)
  wait $pid
  out=$(cat "$WORK/bulk")
  [ -n "$(field bytes <<<"$out")" ] || fail "fl_tcp bulk ($1): $out"
  t1=$(cpu_ticks)
  read -r u0 s0 i0 d0 <<<"$t0"; read -r u1 s1 i1 d1 <<<"$t1"
  emit "{\"kind\":\"cpu\",\"injector\":\"$1\",\"round\":$2,\"bytes\":$(field bytes <<<"$out"),\"seconds\":$(field seconds <<<"$out"),\"ticks\":{\"user\":$((u1 - u0)),\"sys\":$((s1 - s0)),\"irq\":$((i1 - i0)),\"idle\":$((d1 - d0))},\"retrans\":$(($(retrans) - r0)),\"qdisc\":\"$(tc -s -n "$NS_A" qdisc show dev flva root | oneline)\",\"ss\":\"$ss\"}"
}
policy cpu20 "$CG/target" "{delay: 20ms}"
for r in $(seq "$cpu_rounds"); do
  bulk none "$r"
  fl_apply cpu20; bulk faultline "$r"; fl_stop cpu20
  netem_on delay 20ms; bulk netem "$r"; netem_off
done

# --- drop path throughput -----------------------------------------------------------------------
# Sender on CPU 0 (its softirq delivers on the same CPU through veth), receiver on CPU 1.
ip netns exec "$NS_B" taskset -c 1 "$TRAFFIC" sink "$ADDR_B" 9500 >"$WORK/sink" 2>&1 &
CLEANUP_HOOKS+=("kill $! 2>/dev/null")
wait_for 300 grep -q ready "$WORK/sink" || fail "fl_bench_traffic sink not ready"
udp_in() { ip netns exec "$NS_B" awk '/^Udp:/ && $2 ~ /^[0-9]/ {print $2; exit}' /proc/net/snmp; }
flood() { # kind label round [extra json]
  local in0 out
  in0=$(udp_in)
  out=$(in_cgroup "$CG/target" taskset -c 0 "$TRAFFIC" send "$ADDR_B" 9500 "${FLOOD_S:-$flood_s}" 64)
  [ -n "$(field sent <<<"$out")" ] || fail "fl_bench_traffic send ($2): $out"
  # Datagrams still in flight when the sender stops arrive within a moment: wait for the
  # receiver's counter to stop moving rather than for a fixed time.
  local prev=-1 cur
  for _ in $(seq 50); do cur=$(udp_in); [ "$cur" = "$prev" ] && break; prev=$cur; sleep 0.1; done
  emit "{\"kind\":\"$1\",\"injector\":\"$2\",\"round\":$3,\"sent\":$(field sent <<<"$out"),\"errors\":$(field errors <<<"$out"),\"seconds\":$(field seconds <<<"$out"),\"delivered\":$((cur - in0))${4:-}}"
}
# Run time and run count of faultline's egress program, summed over its loaded instances (the
# kernel counts them only while kernel.bpf_stats_enabled is 1).
prog_stats() {
  bpftool prog show --json | jq -r '[.[] | select(.name == "fl_skb_egress")] |
    "\(map(.run_time_ns // 0) | add // 0) \(map(.run_cnt // 0) | add // 0)"'
}
# A flow with the egress program's ns per run measured around it.
flood_bpf() { # kind label round extra-json
  local t0 c0 t1 c1
  read -r t0 c0 <<<"$(prog_stats)"
  flood "$1" "$2" "$3" "$4" >"$WORK/flood.json"
  read -r t1 c1 <<<"$(prog_stats)"
  sed "s/}\$/,\"prog_run_ns\":$((t1 - t0)),\"prog_runs\":$((c1 - c0))}/" "$WORK/flood.json"
}
# How many programs the flow's own cgroup runs when the policy targets another cgroup (the
# attachment is per target cgroup, so the answer should be none).
cg_progs() { bpftool cgroup show "$CG/target" 2>/dev/null | grep -c skb; }
policy loss10 "$CG/target" "{loss: 10%}"
policy other "$CG/control" "{loss: 10%}"
policy filtered "$CG/target" "{loss: 10%, protocol: udp, port: 9}"
drop_case() { # index round
  case $1 in
    0) flood drop none "$2" ;;
    1) fl_apply loss10; flood drop faultline-loss10 "$2"; fl_stop loss10 ;;
    2) netem_on loss 10%; flood drop netem-loss10 "$2"; netem_off ;;
    3) fl_apply other; flood drop faultline-other-cgroup "$2" ",\"flow_cgroup_skb_progs\":$(cg_progs)"; fl_stop other ;;
    4) fl_apply filtered; flood drop faultline-filtered-out "$2" ",\"flow_cgroup_skb_progs\":$(cg_progs)"; fl_stop filtered ;;
  esac
}
# Every case once per round, starting one case later each round (drift in the emulated machine
# spreads over all cases).
for r in $(seq "$drop_rounds"); do
  for i in 0 1 2 3 4; do drop_case $(((i + r) % 5)) "$r"; done
done

# --- 1 vs 1,000 armed targets --------------------------------------------------------------------
# "one" targets the flow's cgroup and stays armed; "many" adds $many more targets with the same
# fault. Phases alternate 1 / all / 1 / ..., two flows each, so that drift in the emulated
# machine hits both alike; report.py compares each "all" phase with the 1-target phases around it.
mkdir -p "$CG/many"
CLEANUP_HOOKS+=("rmdir $CG/many/t* $CG/many 2>/dev/null")
rel=${CG#"$CG_ROOT"/}
seq 1 "$many" | sed "s|^|$CG/many/t|" | xargs mkdir -p
seq 2 "$many" | sed "s|^|    - cgroup: $rel/many/t|" >"$WORK/many.targets"
policy one "$CG/target" "{loss: 10%}"
policy many "$CG/many/t1" "{loss: 10%}" "$WORK/many.targets"
fl_apply one
# Program run time: the per-packet cost of the injector itself, far less noisy under TCG than a
# flow's rate (which the host's other load moves by tens of percent). Costs two clock reads per
# run, in both cases alike; only for this section.
sysctl -qw kernel.bpf_stats_enabled=1
CLEANUP_HOOKS+=("sysctl -qw kernel.bpf_stats_enabled=0")
now_ms() { echo $(($(date +%s%N) / 1000000)); }
FLOOD_S=$scale_s
for phase in $(seq "$scale_phases"); do
  if [ $((phase % 2)) = 1 ]; then
    flood_bpf scale faultline "$phase" ",\"targets\":1"; flood_bpf scale faultline "$phase" ",\"targets\":1"
  else
    t0=$(now_ms); fl_apply many; t1=$(now_ms)
    emit "{\"kind\":\"scale_apply\",\"targets\":$many,\"phase\":$phase,\"apply_ms\":$((t1 - t0))}"
    flood_bpf scale faultline "$phase" ",\"targets\":$((many + 1))"; flood_bpf scale faultline "$phase" ",\"targets\":$((many + 1))"
    t0=$(now_ms); fl_stop many; t1=$(now_ms)
    emit "{\"kind\":\"scale_stop\",\"targets\":$many,\"phase\":$phase,\"stop_ms\":$((t1 - t0))}"
  fi
done
fl_stop one
emit '{"kind":"done"}'
