#!/usr/bin/env python3
"""Turns the two halves of the network benchmark into bench/results/net.json and net.md.

Inputs in OUT: net-rounds.jsonl (host, one fl_bench_net JSON per round) and net-vm.jsonl
(JSON lines of bench/net/measure_vm.sh from the VM). Usage: report.py OUT
"""
import datetime
import json
import math
import platform
import re
import statistics
import sys

out = sys.argv[1]

# --- host: ns per packet ---------------------------------------------------------------------
rounds = [json.loads(l)["ns_per_packet"] for l in open(f"{out}/net-rounds.jsonl")]
cases = list(rounds[0])
med = {c: statistics.median(r[c] for r in rounds) for c in cases}
empty = med["empty"]
host_targets = {"no-rule": ("<= empty + 15 ns", med["no-rule"] <= empty + 15),
                "loss-10": ("<= 2x empty", med["loss-10"] <= 2 * empty)}

# --- VM: side by side with netem ----------------------------------------------------------------
vm = [json.loads(l) for l in open(f"{out}/net-vm.jsonl")]
env = next(r for r in vm if r["kind"] == "env")
errors = [r for r in vm if r["kind"] == "error"]
if errors or not any(r["kind"] == "done" for r in vm):
    sys.exit(f"the VM run did not finish: {errors or 'no done line'}")
hz = env["clk_tck"]


def pct(sorted_v, q):
    """Nearest-rank percentile."""
    return sorted_v[max(0, math.ceil(q * len(sorted_v)) - 1)]


def summary(v):
    s = sorted(v)
    return {"n": len(s), "mean_ms": statistics.fmean(s), "p50_ms": pct(s, 0.5), "p99_ms": pct(s, 0.99),
            "spread_ms": pct(s, 0.99) - pct(s, 0.5), "max_ms": s[-1]}


# Delay: the no-injector RTT (runs before and after, pooled) is subtracted from the mean.
delay_runs = [r for r in vm if r["kind"] == "delay"]
base_rtts = [x for r in vm if r["kind"] == "delay" and r["injector"] == "none" for x in r["rtt_ms"]]
base = summary(base_rtts)
delay = []
for r in vm:
    if r["kind"] != "delay" or r["injector"] == "none":
        continue
    s = summary(r["rtt_ms"])
    added = s["mean_ms"] - base["mean_ms"]
    delay.append({"injector": r["injector"], "delay_ms": r["delay_ms"], **s, "added_ms": added,
                  "error_ms": added - r["delay_ms"], "error_pct": 100 * (added - r["delay_ms"]) / r["delay_ms"]})


def by(kind, injector, rows):
    return [r for r in rows if r["kind"] == kind and r["injector"] == injector]


# CPU per Gbit: rounds of each injector summed. "kernel" CPU = system + irq + softirq ticks.
cpu = {}
for inj in ("none", "faultline", "netem"):
    rs = by("cpu", inj, vm)
    gbit = sum(r["bytes"] for r in rs) * 8 / 1e9
    secs = sum(r["seconds"] for r in rs)
    t = {k: sum(r["ticks"][k] for r in rs) / hz for k in ("user", "sys", "irq", "idle")}
    kern = t["sys"] + t["irq"]
    cpu[inj] = {"rounds": len(rs), "gbit": gbit, "seconds": secs, "gbit_per_s": gbit / secs,
                "cpu_s": {k: t[k] for k in t}, "kernel_s_per_gbit": kern / gbit, "sys_s_per_gbit": t["sys"] / gbit,
                "per_round_kernel_s_per_gbit": [(r["ticks"]["sys"] + r["ticks"]["irq"]) / hz / (r["bytes"] * 8 / 1e9)
                                                for r in rs],
                "per_round_gbit_per_s": [r["bytes"] * 8 / 1e9 / r["seconds"] for r in rs],
                "retrans": sum(r["retrans"] for r in rs),
                "qdisc_dropped": sum(int(m) for r in rs for m in re.findall(r"dropped (\d+)", r["qdisc"])[:1]),
                "fq_flows_plimit": sum(int(m) for r in rs for m in re.findall(r"flows_plimit (\d+)", r["qdisc"])),
                "ss_midway": [r["ss"] for r in rs]}
cpu_ratio = cpu["faultline"]["kernel_s_per_gbit"] / cpu["netem"]["kernel_s_per_gbit"]
cpu_ratio_sys = cpu["faultline"]["sys_s_per_gbit"] / cpu["netem"]["sys_s_per_gbit"]
# What each injector adds over the same flow with no injector (per Gbit).
over = {i: cpu[i]["kernel_s_per_gbit"] - cpu["none"]["kernel_s_per_gbit"] for i in ("faultline", "netem")}
cpu_over_ratio = over["faultline"] / over["netem"] if over["netem"] > 0 else None


def flow(kind, injector, rows):
    rs = by(kind, injector, rows)
    secs = sum(r["seconds"] for r in rs)
    sent = sum(r["sent"] for r in rs)
    return {"rounds": len(rs), "sent_pps": sent / secs, "delivered_pps": sum(r["delivered"] for r in rs) / secs,
            "lost_fraction": 1 - sum(r["delivered"] for r in rs) / sent if sent else None,
            "errors": sum(r["errors"] for r in rs), "per_round_sent_pps": [r["sent"] / r["seconds"] for r in rs],
            **({"flow_cgroup_skb_progs": rs[0]["flow_cgroup_skb_progs"]} if "flow_cgroup_skb_progs" in rs[0] else {})}


drop_kinds = ["none", "faultline-loss10", "netem-loss10", "faultline-other-cgroup", "faultline-filtered-out"]
drop = {k: flow("drop", k, vm) for k in drop_kinds}
none_by_round = {r["round"]: r["sent"] / r["seconds"] for r in by("drop", "none", vm)}
for k in drop_kinds:
    # Each case against the no-injector flow of the same round, then the median over rounds.
    per_round = [r["sent"] / r["seconds"] / none_by_round[r["round"]] for r in by("drop", k, vm)]
    drop[k]["per_round_vs_none"] = per_round
    drop[k]["median_vs_none"] = statistics.median(per_round)

scale_rows = [r for r in vm if r["kind"] == "scale"]
many_n = max(r["targets"] for r in scale_rows)
scale = {}
for n in (1, many_n):
    scale[n] = flow("scale", "faultline", [r for r in scale_rows if r["targets"] == n])


def phase_pps(p):
    rs = [r for r in scale_rows if r["round"] == p]
    return sum(r["sent"] for r in rs) / sum(r["seconds"] for r in rs)


def phase_ns(p):
    rs = [r for r in scale_rows if r["round"] == p]
    runs = sum(r["prog_runs"] for r in rs)
    return sum(r["prog_run_ns"] for r in rs) / runs if runs else float("nan")


phases = sorted({r["round"] for r in scale_rows})
# Each many-target phase against the mean of the 1-target phases before and after it.
scale_phase_ratios = [phase_pps(p) / ((phase_pps(p - 1) + phase_pps(p + 1)) / 2)
                      for p in phases if p % 2 == 0 and p + 1 in phases]
scale_ratio = statistics.fmean(scale_phase_ratios)
# The egress program's ns per run, same comparison (a cost: above 1 is slower with many).
scale_ns_ratios = [phase_ns(p) / ((phase_ns(p - 1) + phase_ns(p + 1)) / 2)
                   for p in phases if p % 2 == 0 and p + 1 in phases]
scale_ns_ratio = statistics.fmean(scale_ns_ratios)
apply_ms = [r["apply_ms"] for r in vm if r["kind"] == "scale_apply"]
stop_ms = [r["stop_ms"] for r in vm if r["kind"] == "scale_stop"]

result = {
    "host": {"kernel": platform.release(), "rounds": rounds, "median_ns": med},
    "vm": {"env": env, "delay": {"baseline": base, "rows": delay},
           "cpu": {"by_injector": cpu, "faultline_vs_netem_kernel_s_per_gbit": cpu_ratio,
                   "faultline_vs_netem_sys_s_per_gbit": cpu_ratio_sys, "added_over_none_kernel_s_per_gbit": over,
                   "faultline_vs_netem_added": cpu_over_ratio},
           "drop": drop,
           "scale": {"targets": {str(k): v for k, v in scale.items()}, "phase_pps": {p: phase_pps(p) for p in phases},
                     "phase_ratios": scale_phase_ratios, "ratio": scale_ratio,
                     "phase_prog_ns": {p: phase_ns(p) for p in phases}, "prog_ns_phase_ratios": scale_ns_ratios,
                     "prog_ns_ratio": scale_ns_ratio,
                     "apply_ms": apply_ms, "stop_ms": stop_ms},
           "raw": vm},
}
json.dump(result, open(f"{out}/net.json", "w"), indent=1)


def met(ok):
    return "met" if ok else "MISSED"


md = []
w = md.append
w(f"# Network benchmark\n")
w(f"Generated by `bench/net/run.sh` on {datetime.date.today()}. Raw data and per-round figures: net.json.\n")
w(f"## Fault path: ns per packet (BPF_PROG_TEST_RUN, this machine, kernel {platform.release()})\n")
w("Median of 5 rounds of 1,000,000 runs each, all cases in one process.\n")
w("| case | ns/packet | x empty | target |\n|---|---|---|---|")
for c in cases:
    t = host_targets.get(c)
    verdict = "" if not t else f"{t[0]}: {met(t[1])}"
    w(f"| {c} | {med[c]:.0f} | {med[c] / empty:.2f} | {verdict} |")
w("""
What the path pays (issue #10 keeps the matched-path target open while it is missed):
- **no-rule**: config read, the attachment's cgroup storage, and one bit of a per-generation
  cgroup-id bitmap (`fl_cg_filter`) before the rule hash lookup (62 ns before the bitmap existed:
  a 24-byte-key hash lookup on every packet of a cgroup without rules).
- **matched** (filtered, loss, every, gilbert, delay): two `bpf_skb_load_bytes` (IP header,
  transport header), per-CPU counters for matched and injected, a random draw, and for
  injections the event ring buffer reservation (rate limited). The event is the largest single
  part; emitting events only while a consumer is attached (issue #12) and parsing only the fields
  some live rule filters on are the next steps. Probability triggers take no shared atomics
  (every-10, exact and atomic, costs the same here: one CPU, no contention).
""")

w(f"## Side by side with `tc netem` and no injector (VM, kernel {env['kernel']}, {env['cpus']} CPUs, TCG)\n")
w("One boot of a Debian kernel under QEMU software emulation (`bench/net/measure_vm.sh`): absolute")
w("times and rates are inflated by emulation, so the comparisons are ratios within this boot. A veth")
w("pair joins two network namespaces; every flow and probe runs in the target cgroup in the first.")
w("faultline: `faultlined` with a policy on that cgroup (delay by departure time, fq installed by the")
w("daemon; loss in cgroup_skb egress). netem: `tc qdisc add dev flva root netem ...` on the same veth.\n")

w(f"### 1. Delay accuracy (ICMP echo RTT, `fl_bench_traffic ping`: {len(delay_runs[0]['rtt_ms'])} probes per run, 20 ms apart, µs resolution)\n")
w(f"No-injector RTT: mean {base['mean_ms']:.3f} ms, p50 {base['p50_ms']:.3f}, p99 {base['p99_ms']:.3f} "
  f"(p99-p50 {base['spread_ms']:.3f} ms, {base['n']} samples before and after); its mean is subtracted.\n")
w("| delay | injector | added (mean - baseline) ms | mean error ms | error % | p50 ms | p99 ms | p99-p50 ms |")
w("|---:|---|---:|---:|---:|---:|---:|---:|")
for d in sorted({r["delay_ms"] for r in delay}):
    for inj in ("faultline", "netem"):
        for r in (x for x in delay if x["delay_ms"] == d and x["injector"] == inj):
            w(f"| {d} ms | {inj} | {r['added_ms']:.3f} | {r['error_ms']:+.3f} | {r['error_pct']:+.1f} | "
              f"{r['p50_ms']:.3f} | {r['p99_ms']:.3f} | {r['spread_ms']:.3f} |")
w("")

w(f"### 2. CPU per Gbit of a bulk TCP flow under 20 ms of delay\n")
w("`fl_tcp bulk` (16 KiB writes) from the target to a sink in the peer namespace, "
  f"{cpu['none']['rounds']} rounds per injector, alternated; CPU time from `/proc/stat` around each")
w("run, whole VM (sender, receiver and softirq all run in it). Kernel CPU = system + irq + softirq.\n")
w("| injector | Gbit/s | kernel CPU-s per Gbit | system-only CPU-s per Gbit | user CPU-s | TCP retransmits | qdisc drops |")
w("|---|---:|---:|---:|---:|---:|---:|")
for inj in ("none", "faultline", "netem"):
    c = cpu[inj]
    w(f"| {inj}{' (no delay)' if inj == 'none' else ''} | {c['gbit_per_s']:.4f} | {c['kernel_s_per_gbit']:.3f} | "
      f"{c['sys_s_per_gbit']:.3f} | {c['cpu_s']['user']:.2f} | {c['retrans']} | {c['qdisc_dropped']} |")
w("")
w(f"- faultline / netem, kernel CPU per Gbit: **{cpu_ratio:.2f}** (target ≤ 0.2: {met(cpu_ratio <= 0.2)}); "
  f"system time only: {cpu_ratio_sys:.2f}.")
if cpu_over_ratio is not None:
    w(f"- CPU per Gbit added over the undelayed flow: faultline {over['faultline']:+.3f} s, netem "
      f"{over['netem']:+.3f} s (ratio {cpu_over_ratio:.2f}).")
else:
    w(f"- CPU per Gbit added over the undelayed flow: faultline {over['faultline']:+.3f} s, netem "
      f"{over['netem']:+.3f} s (netem adds nothing measurable, no ratio).")
w("")

w(f"### 3. Drop path: an unpaced UDP flow (64-byte datagrams, `fl_bench_traffic send`)\n")
w(f"{drop['none']['rounds']} rounds of {by('drop', 'none', vm)[0]['seconds']:.0f} s per case, the order rotated each round; "
  "x no injector is the median over rounds of the case's rate over the no-injector rate of the same round.\n")
w("| case | sent pps | x no injector | per-round range | delivered pps | lost |")
w("|---|---:|---:|---:|---:|---:|")
labels = {"none": "no injector", "faultline-loss10": "faultline `loss: 10%`", "netem-loss10": "netem `loss 10%`",
          "faultline-other-cgroup": "faultline policy on another cgroup",
          "faultline-filtered-out": "faultline rule on this cgroup, filter excludes the flow (udp port 9)"}
for k in drop_kinds:
    d = drop[k]
    w(f"| {labels[k]} | {d['sent_pps']:.0f} | {d['median_vs_none']:.3f} | "
      f"{min(d['per_round_vs_none']):.2f}-{max(d['per_round_vs_none']):.2f} | {d['delivered_pps']:.0f} | "
      f"{100 * d['lost_fraction']:.1f}% |")
w("")
w(f"- faultline loss / netem loss, sent pps: {drop['faultline-loss10']['median_vs_none'] / drop['netem-loss10']['median_vs_none']:.3f}.")
w(f"- With the policy on another cgroup, the flow's cgroup has "
  f"{drop['faultline-other-cgroup']['flow_cgroup_skb_progs']} cgroup_skb program(s) attached "
  "(`bpftool cgroup show`): faultline attaches per target cgroup, so this row is the cost of nothing.")
w("")

w(f"### 4. 1 vs {many_n:,} armed targets\n")
w(f"The same UDP flow from the target under a matching `loss: 10%` rule; {many_n - 1:,} more target cgroups")
w("(same fault, a second experiment) applied for the even phases and stopped after them, so the two cases")
w("alternate: phases 1, 3, 5... have 1 armed target, 2, 4... have all of them.\n")
w("| phase | armed targets | sent pps (two flows) | `fl_skb_egress` ns per run (`kernel.bpf_stats_enabled`) |")
w("|---:|---:|---:|---:|")
for p in phases:
    w(f"| {p} | {1 if p % 2 else many_n:,} | {phase_pps(p):.0f} | {phase_ns(p):.0f} |")
w("")
w(f"- each {many_n:,}-target phase over the mean of the 1-target phases around it: "
  f"{', '.join(f'{x:.3f}' for x in scale_phase_ratios)}; mean **{scale_ratio:.3f}** "
  f"(target ≥ 0.97: {met(scale_ratio >= 0.97)}).")
one_phases = [phase_pps(p) for p in phases if p % 2]
w(f"- noise: the 1-target phases alone differ by up to {100 * (max(one_phases) / min(one_phases) - 1):.0f}% "
  "in rate, far more than the 3% the target resolves; a verdict here says only that no large effect showed.")
w(f"- the egress program's ns per run, same comparison: {', '.join(f'{x:.3f}' for x in scale_ns_ratios)}; "
  f"mean **{scale_ns_ratio:.3f}** (a cost: ≤ 1/0.97 = 1.031 is the same target: {met(scale_ns_ratio <= 1 / 0.97)}).")
w(f"- applying the {many_n - 1:,}-target experiment took {', '.join(f'{x / 1000:.1f}' for x in apply_ms)} s; "
  f"stopping it {', '.join(f'{x / 1000:.2f}' for x in stop_ms)} s.")
w("")


def delay_row(inj, d):
    return next(r for r in delay if r["injector"] == inj and r["delay_ms"] == d)


def first(pattern, texts):
    for t in texts:
        m = re.search(pattern, t)
        if m:
            return m.group(1)
    return "?"


fl_ss = cpu["faultline"]["ss_midway"]
fl_qdisc = [r["qdisc"] for r in by("cpu", "faultline", vm)]
fq_latency = first(r"latency (\S+)", fl_qdisc)
fl_cwnd = first(r"cwnd:(\d+)", fl_ss)
netem_cwnd = first(r"cwnd:(\d+)", cpu["netem"]["ss_midway"])
fl_pacing = first(r"pacing_rate (\S+)", fl_ss)
fl_unacked = first(r"unacked:(\d+)", fl_ss)
w("### What the VM figures say, misses included\n")
w("- **Delay**: both injectors add the configured delay plus up to about a millisecond "
  + ", ".join(f"({d} ms: faultline {delay_row('faultline', d)['error_ms']:+.2f}, netem {delay_row('netem', d)['error_ms']:+.2f})"
              for d in sorted({r['delay_ms'] for r in delay}))
  + ". Both release held packets from a qdisc watchdog hrtimer, which fires late under TCG; fq's "
  f"own counter of how late it dequeued past a packet's time read `latency {fq_latency}` "
  "after the faultline bulk flow. That lateness is the likely source of the error and of faultline's "
  "tail where it is wider than netem's (not traced further); no target in issue #10 bounds the spread, "
  "so it is reported, not judged.")
w(f"- **CPU per Gbit: MISSED by far, and the cause is throughput, not per-packet cost.** Under a 20 ms "
  f"faultline delay the bulk TCP flow ran at {cpu['faultline']['gbit_per_s'] * 1000:.1f} Mbit/s against netem's "
  f"{cpu['netem']['gbit_per_s'] * 1000:.0f}, with {cpu['faultline']['retrans']} retransmissions and "
  f"{cpu['faultline']['qdisc_dropped']} qdisc drops; halfway through, `ss -ti` showed cwnd "
  f"{fl_cwnd} with only {fl_unacked} packets in flight (netem: cwnd {netem_cwnd}), pacing_rate {fl_pacing}, unsent data queued. A sender that has data, no loss "
  "and a congestion window it does not fill is held back by TCP Small Queues: TSQ lets a socket have only "
  "about 1 ms of its pacing rate (at least two packets) in qdiscs and devices, and with EDT the packets sit "
  "in fq, still charged to the socket, for the whole 20 ms. So only a few packets leave per round trip, "
  "the flow is never cwnd-limited and cwnd never grows. netem does not hit this because it calls "
  "`skb_orphan_partial()` on the packets it delays, releasing the socket's budget at enqueue. This is an "
  "inference from those counters, not a kernel trace. The CPU ratio above is therefore dominated by the "
  "machine's fixed kernel time spread over a collapsed flow; it says little about what each packet costs. The fix "
  "belongs in the delay backend, not here (leads: the kernel's own EDT-delay socket option `TCP_TX_DELAY` "
  "raises the TSQ budget by pacing rate x delay, if a BPF program may set it on the target's sockets; or "
  "delaying at a point where the skb is already orphaned).")
w(f"- **Drop path**: with `loss: 10%` the sender runs at {drop['faultline-loss10']['median_vs_none']:.2f}x the "
  f"no-injector rate, netem at {drop['netem-loss10']['median_vs_none']:.2f}x; a rule whose filter excludes the "
  f"flow {drop['faultline-filtered-out']['median_vs_none']:.2f}x; a policy on another cgroup "
  f"{drop['faultline-other-cgroup']['median_vs_none']:.2f}x (no program runs for the flow at all). Round to "
  "round the same case moves by tens of percent (the range column; per-round figures in net.json): the "
  "host's other load reaches the emulated CPUs. faultline's loss path below netem's is consistent with "
  "the matched path's cost on the machine itself (section above: loss-10 is several times an empty "
  "program, the open target), but at this noise it is a hint, not a measurement.")
w(f"- **Scale**: section 4 arms {many_n:,} targets. The first run of this benchmark found two limits that "
  "made 10,000 impossible, both fixed since: the rule table held 1,024 (cgroup, hook) sets (now 16,384, "
  "allocated on use; the cgroup-id bitmap in front of it grew from 4,096 to 65,536 bits so it stays sparse), "
  "and faultlined kept the default open-file limit of 1,024 while holding a descriptor per attached program "
  "(it now raises its own limit).")
w("")
open(f"{out}/net.md", "w").write("\n".join(md))
