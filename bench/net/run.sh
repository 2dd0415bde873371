#!/usr/bin/env bash
# Per-packet cost of faultline's cgroup_skb programs on this machine (BPF_PROG_TEST_RUN, 46-byte
# UDP, 1,000,000 runs per case; see fl_bench_net.cpp for the cases). Five rounds, the median of
# each case is kept. Writes bench/results/net.json and bench/results/net.md.
#   bench/net/run.sh [BUILD_DIR]     (root; default build/)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
out=$top/bench/results
mkdir -p "$out"
for i in 1 2 3 4 5; do "$build/bench/fl_bench_net"; done >"$out/net-rounds.jsonl"
python3 - "$out" <<'PY'
import json, statistics, sys, platform
out = sys.argv[1]
rounds = [json.loads(l)["ns_per_packet"] for l in open(f"{out}/net-rounds.jsonl")]
cases = list(rounds[0])
med = {c: statistics.median(r[c] for r in rounds) for c in cases}
empty = med["empty"]
json.dump({"kernel": platform.release(), "rounds": rounds, "median_ns": med}, open(f"{out}/net.json", "w"), indent=2)
targets = {"no-rule": ("<= empty + 15 ns", med["no-rule"] <= empty + 15),
           "loss-10": ("<= 2x empty", med["loss-10"] <= 2 * empty)}
with open(f"{out}/net.md", "w") as f:
    f.write(f"# Network fault path: ns per packet (BPF_PROG_TEST_RUN, kernel {platform.release()})\n\n")
    f.write("Median of 5 rounds of 1,000,000 runs each, all cases in one process (`bench/net/run.sh`).\n\n")
    f.write("| case | ns/packet | x empty | target |\n|---|---|---|---|\n")
    for c in cases:
        t = targets.get(c)
        verdict = "" if not t else f"{t[0]}: {'met' if t[1] else 'MISSED'}"
        f.write(f"| {c} | {med[c]:.0f} | {med[c] / empty:.2f} | {verdict} |\n")
PY
rm -f "$out/net-rounds.jsonl"
cat "$out/net.md"
