#!/usr/bin/env bash
# One measurement pass of the control-plane benchmark, as JSON lines on stdout. Runs on the
# machine itself or in the VM (where netem exists). Usage: measure.sh BUILD_DIR [--netem]
set -uo pipefail
B=$(cd "$1" && pwd)
netem=${2:-}
FL=$B/userspace/faultline; FLD=$B/userspace/faultlined; BENCH=$B/bench/fl_bench_control
W=$(mktemp -d /tmp/faultline-bench-XXXXXX)
SOCK=$W/fl.sock
source "$(dirname "$0")/../../scripts/lib/cgroup.sh"
CG_ROOT=$(cgroup2_root)
cleanup() {
  [ -n "${DAEMON:-}" ] && kill -TERM "$DAEMON" 2>/dev/null && wait "$DAEMON" 2>/dev/null
  ip netns del fl-bench 2>/dev/null
  rmdir "$CG_ROOT/faultline-bench-cli" 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
now_us() { echo $(( $(date +%s%N) / 1000 )); }
# Percentiles of microsecond samples (one per line) as JSON.
stats() {
  sort -n | awk '{ a[NR] = $1 }
    function at(q,  i) { i = int(NR * q) + 1; if (i > NR) i = NR; return a[i] }
    END { printf "{\"n\":%d,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d,\"max_us\":%d}", NR, at(0.5), at(0.9), at(0.99), a[NR] }'
}

echo "{\"kind\":\"env\",\"kernel\":\"$(uname -r)\",\"cpus\":$(nproc)}"
# The 1,000-target case needs the operator's cap raised (the default maxTargets is 64).
echo "maxTargets: 2000" >"$W/faultlined.yaml"
"$FLD" --config "$W/faultlined.yaml" --socket "$SOCK" --journal "$W/journal.jsonl" 2>/dev/null &
DAEMON=$!
for _ in $(seq 600); do "$FL" --socket "$SOCK" list >/dev/null 2>&1 && break; sleep 0.1; done

for rules in 1 1000; do
  # 1,000 samples for one rule: with 200 the p99 is the second-largest sample, i.e. noise.
  iters=$([ $rules = 1 ] && echo 1000 || echo 10)
  echo "{\"kind\":\"faultline_api\",\"result\":$("$BENCH" --socket "$SOCK" --rules $rules --iterations $iters)}"
  echo "{\"kind\":\"faultline_kernel\",\"result\":$("$BENCH" --in-process --rules $rules --iterations $((iters * 2)))}"
done

# CLI against CLI: `faultline apply` + `faultline stop --all` vs `tc qdisc add/del ... netem`,
# each a process spawned per call, as an operator or a chaos platform would run them.
mkdir -p "$CG_ROOT/faultline-bench-cli"
cat >"$W/p.yaml" <<POLICY
apiVersion: faultline/v1
kind: Experiment
metadata: {name: cli}
spec:
  duration: 60s
  targets:
    - cgroup: faultline-bench-cli
  faults:
    - name: drop
      network: {loss: 30%}
POLICY
: >"$W/apply"; : >"$W/stop"
for _ in $(seq 30); do
  t0=$(now_us); "$FL" --socket "$SOCK" apply -f "$W/p.yaml" >/dev/null; t1=$(now_us)
  "$FL" --socket "$SOCK" stop --all >/dev/null; t2=$(now_us)
  echo $((t1 - t0)) >>"$W/apply"; echo $((t2 - t1)) >>"$W/stop"
done
echo "{\"kind\":\"faultline_cli\",\"apply\":$(stats <"$W/apply"),\"stop_all\":$(stats <"$W/stop")}"

if [ "$netem" = --netem ]; then
  ip netns add fl-bench
  ip -n fl-bench link add nb0 type veth peer name nb1
  : >"$W/add"; : >"$W/del"
  for _ in $(seq 30); do
    t0=$(now_us); ip netns exec fl-bench tc qdisc add dev nb0 root netem loss 30%; t1=$(now_us)
    ip netns exec fl-bench tc qdisc del dev nb0 root; t2=$(now_us)
    echo $((t1 - t0)) >>"$W/add"; echo $((t2 - t1)) >>"$W/del"
  done
  echo "{\"kind\":\"netem_cli\",\"apply\":$(stats <"$W/add"),\"stop_all\":$(stats <"$W/del")}"
  # 1000 netem qdiscs (one per interface: netem has no per-cgroup scope) in one tc -batch.
  for i in $(seq 0 499); do echo "link add b$i type veth peer name c$i"; done >"$W/links"
  ip -n fl-bench -batch "$W/links"
  for i in $(seq 0 499); do echo "qdisc add dev b$i root netem loss 30%"; echo "qdisc add dev c$i root netem loss 30%"; done >"$W/add1000"
  sed 's/qdisc add \(dev [bc][0-9]*\) root .*/qdisc del \1 root/' "$W/add1000" >"$W/del1000"
  : >"$W/a"; : >"$W/d"
  for _ in $(seq 5); do
    t0=$(now_us); ip netns exec fl-bench tc -batch "$W/add1000"; t1=$(now_us)
    ip netns exec fl-bench tc -batch "$W/del1000"; t2=$(now_us)
    echo $((t1 - t0)) >>"$W/a"; echo $((t2 - t1)) >>"$W/d"
  done
  echo "{\"kind\":\"netem_1000\",\"apply\":$(stats <"$W/a"),\"stop_all\":$(stats <"$W/d")}"
fi
