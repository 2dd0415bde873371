#!/usr/bin/env python3
"""Turns the syscall benchmark's JSON lines (bench/sys/measure_vm.sh, from the VM) into
OUT/NAME.json and OUT/NAME.md.

Input: OUT/NAME-vm.jsonl. Usage: report.py OUT [NAME]   (NAME defaults to sys)
"""
import datetime
import json
import statistics
import sys

out = sys.argv[1]
name = sys.argv[2] if len(sys.argv) > 2 else "sys"
vm = [json.loads(l) for l in open(f"{out}/{name}-vm.jsonl")]
errors = [r for r in vm if r["kind"] == "error"]
if errors or not any(r["kind"] == "done" for r in vm):
    sys.exit(f"the VM run did not finish: {errors or 'no done line'}")
env = next(r for r in vm if r["kind"] == "env")


def rows(kind, injector=None):
    return [r for r in vm if r["kind"] == kind and r.get("round", 0) > 0
            and (injector is None or r["injector"] == injector)]


def per_round_ratio(kind, num, den, value):
    """num's value over den's in the same round, for every round both have; the median of those
    pairs is the figure (drift between rounds cancels within a pair)."""
    d = {r["round"]: value(r) for r in rows(kind, den)}
    return [value(r) / d[r["round"]] for r in rows(kind, num) if r["round"] in d]


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def met(ok):
    return "MET" if ok else "MISSED"


# --- 1. untargeted tax -----------------------------------------------------------------------------
def ns_per_iter(r):
    return r["ns"] / r["calls"]


TAX = "faultline-other-cgroup"
tax = {i: summary([ns_per_iter(r) for r in rows("tax", i)]) for i in ("none", "floor", TAX)}
tax_ratios = per_round_ratio("tax", TAX, "none", ns_per_iter)
tax_ratio = statistics.median(tax_ratios)
tax_floor_ratio = statistics.median(per_round_ratio("tax", "floor", "none", ns_per_iter))
tax_over_floor = statistics.median(per_round_ratio("tax", TAX, "floor", ns_per_iter))
tax_links = {i: sorted({r["links"] for r in rows("tax", i)}) for i in tax}
tax_ok = tax_ratio <= 1.05

# --- 2. cost per injected errno ----------------------------------------------------------------
# seccomp and strace --seccomp-bpf are left out on kernels without seccomp filters.
injectors = [i for i in ("none", "faultline", "seccomp", "strace", "strace-seccomp-bpf", "fiu") if rows("errno", i)]
errno = {}
for i in injectors:
    rs = rows("errno", i)
    # Every call of an injector's loop must have failed with EIO (and none of the bare loop's),
    # or the figure is not the cost of an injection.
    complete = all((r["ok"] == r["calls"]) if i == "none" else (r["eio"] == r["calls"]) for r in rs)
    errno[i] = {"calls_per_run": rs[0]["calls"], "rounds": len(rs), "every_call_as_expected": complete,
                "ns_per_call": summary([ns_per_iter(r) for r in rs]),
                "per_round_ns_per_call": [ns_per_iter(r) for r in rs]}
    if i == "faultline":
        errno[i]["matched"] = [r["matched"] for r in rs]
        errno[i]["injected"] = [r["injected"] for r in rs]
fl_ns = errno["faultline"]["ns_per_call"]["median"]


def vs_faultline(i):
    """How many times faultline's cost per call the injector's is (per round, then the median)."""
    return statistics.median(per_round_ratio("errno", i, "faultline", ns_per_iter))


errno_vs_fl = {i: vs_faultline(i) for i in injectors if i != "faultline"}
strace_x = errno_vs_fl["strace"]
strace_bpf_x = errno_vs_fl.get("strace-seccomp-bpf")
fl_vs_fiu = 1 / errno_vs_fl["fiu"]
strace_ok = min(x for x in (strace_x, strace_bpf_x) if x is not None) >= 100
fiu_ok = fl_vs_fiu <= 1.5

# --- 3. fio armed at probability 0 -------------------------------------------------------------


def ms_per_kio(r):
    return r["runtime_ms"] / (r["read_ios"] + r["write_ios"]) * 1000


fio = {i: summary([ms_per_kio(r) for r in rows("fio", i)]) for i in ("none", "floor", "faultline")}
fio_ratios = per_round_ratio("fio", "faultline", "none", ms_per_kio)
fio_ratio = statistics.median(fio_ratios)
fio_floor_ratio = statistics.median(per_round_ratio("fio", "floor", "none", ms_per_kio))
fio_over_floor = statistics.median(per_round_ratio("fio", "faultline", "floor", ms_per_kio))
fio_fl = rows("fio", "faultline")
fio_matched = [r["matched"] for r in fio_fl]
fio_ios = [r["read_ios"] + r["write_ios"] for r in fio_fl]
fio_injected = sum(r["injected"] for r in fio_fl)
# The no-injector runs among themselves: how far apart two runs of the same thing land here.
fio_none = [ms_per_kio(r) for r in rows("fio", "none")]
fio_noise = max(fio_none) / min(fio_none) - 1
tax_none = [ns_per_iter(r) for r in rows("tax", "none")]
tax_noise = max(tax_none) / min(tax_none) - 1
fio_ok = fio_ratio <= 1.01

# --- what the faultline cases are made of -------------------------------------------------------
progstats = {}
for r in (x for x in vm if x["kind"] == "progstats"):
    units = r["calls"] if "calls" in r else r["read_ios"] + r["write_ios"]
    loop_ns = r["ns"] / r["calls"] if "ns" in r else r["runtime_ms"] * 1e6 / units
    progstats[r["section"]] = {"prog_ns_per_run": r["prog_run_ns"] / r["prog_runs"] if r["prog_runs"] else None,
                               "runs_per_unit": r["prog_runs"] / units, "prog_ns_per_unit": r["prog_run_ns"] / units,
                               "loop_ns_per_unit": loop_ns, **r}
profiles = {r["section"]: r["top"] for r in vm if r["kind"] == "profile"}
profile_dsos = {r["section"]: r.get("dsos", []) for r in vm if r["kind"] == "profile"}
scale = {r["loop"]: r["ns"] / r["calls"] for r in vm if r["kind"] == "scale"}
# A clock_gettime that cannot use the vDSO is a syscall plus one clocksource read.
clock_read_ns = scale["clock"] - scale["getppid"] if {"clock", "getppid"} <= scale.keys() else None


def bpf_share(top):
    """Percent of samples in JIT-compiled BPF programs, trampolines and BPF helpers/run-time."""
    return sum(t["pct"] for t in top if "bpf" in t["sym"].lower())


result = {
    "env": env,
    "tax": {"ns_per_iteration": tax, "per_round_ratio": tax_ratios, "ratio": tax_ratio, "target": "<= 1.05",
            "met": tax_ok, "floor_over_none": tax_floor_ratio, "faultline_over_floor": tax_over_floor,
            "bpf_links": tax_links, "noise_none_max_over_min": tax_noise},
    "errno": {"by_injector": errno, "x_faultline": errno_vs_fl, "strace_over_faultline": strace_x,
              "strace_seccomp_bpf_over_faultline": strace_bpf_x, "faultline_over_fiu": fl_vs_fiu,
              "targets": {"strace >= 100x faultline": strace_ok, "faultline <= 1.5x fiu": fiu_ok}},
    "fio": {"ms_per_1000_ios": fio, "per_round_ratio": fio_ratios, "ratio": fio_ratio, "target": "<= 1.01",
            "met": fio_ok, "floor_over_none": fio_floor_ratio, "faultline_over_floor": fio_over_floor,
            "matched": fio_matched, "ios": fio_ios, "injected": fio_injected, "noise_none_max_over_min": fio_noise},
    "progstats": progstats, "profiles": profiles, "profile_objects": profile_dsos, "scale_ns": scale, "clock_read_ns": clock_read_ns,
    "raw": vm,
}
json.dump(result, open(f"{out}/{name}.json", "w"), indent=1)

nrounds = max(r.get("round", 0) for r in vm)
floor_what = ("an empty BPF-LSM program on `file_permission`" if env["backend"] == "syscall.lsm"
              else "an empty kprobe on each syscall's `__x64_sys_*` wrapper")
md = []
w = md.append
w("# Syscall fault benchmark\n")
w(f"Generated by `bench/sys/run.sh` on {datetime.date.today()}. Raw data and per-round figures: {name}.json.\n")
w(f"One boot of kernel {env['kernel']} under QEMU software emulation (TCG, {env['cpus']} CPUs, clocksource "
  f"{env.get('clocksource', '?')}): absolute times are inflated by emulation (a syscall costs microseconds here), so "
  "the comparisons are ratios within this boot.")
w(f"Syscall faults served by **{env['backend']}** (`faultline doctor`; active LSMs: {env['lsms']}). Peers: "
  f"{env['strace']}, fiu-utils {env['fiu_utils']}, {env['fio']}. {nrounds} rounds; within a round the cases "
  "alternate and the order turns each round; each ratio is the median over rounds of the case against the "
  "reference case **of the same round** (drift between rounds cancels within a pair).\n")

w("| # | measure | faultline | reference | ratio | target | verdict |")
w("|---|---|---:|---:|---:|---|---|")
w(f"| 1 | untargeted syscall tax (ns per read+write pair, cgroup not targeted) | {tax[TAX]['median']:.0f} | "
  f"{tax['none']['median']:.0f} (no injector) | {tax_ratio:.3f}x | <= 1.05x | {met(tax_ok)} |")
w(f"| 2a | cost per injected errno (ns per failed pwrite64) vs strace --inject | {fl_ns:.0f} | "
  f"{errno['strace']['ns_per_call']['median']:.0f} | strace {strace_x:.0f}x slower | >= 100x | {met(strace_x >= 100)} |")
if strace_bpf_x is not None:
    w(f"| 2b | same, vs strace --inject --seccomp-bpf | {fl_ns:.0f} | "
      f"{errno['strace-seccomp-bpf']['ns_per_call']['median']:.0f} | strace {strace_bpf_x:.0f}x slower | >= 100x | "
      f"{met(strace_bpf_x >= 100)} |")
else:
    w("| 2b | same, vs strace --inject --seccomp-bpf | | | not measured: no seccomp filters in this kernel | >= 100x | n/a |")
w(f"| 2c | same, vs libfiu fiu-run | {fl_ns:.0f} | {errno['fiu']['ns_per_call']['median']:.0f} | "
  f"faultline {fl_vs_fiu:.2f}x fiu | <= 1.5x | {met(fiu_ok)} |")
w(f"| 3 | fio random read/write armed at probability 0 (ms per 1000 I/Os) | {fio['faultline']['median']:.1f} | "
  f"{fio['none']['median']:.1f} (no injector) | {fio_ratio:.3f}x | <= 1.01x | {met(fio_ok)} |")
w("")

w("## 1. Untargeted syscall tax\n")
w(f"`fl_bench_sys copy {rows('tax')[0]['calls']}`: the loop of `dd if=/dev/zero of=/dev/null bs=1 count=N` (a 1-byte "
  "`read` and `write` per iteration, timed inside the process) in a cgroup no rule targets. Three cases: no injector; "
  f"{floor_what} (`fl_bench_floor`: what this attach mechanism costs any injector before it decides anything); and "
  "faultlined holding `syscall: {name: [read, write], errno: EIO}` on another cgroup, so faultline's program runs on "
  f"every call and finds no rule for the caller. BPF links attached during the runs: no injector {tax_links['none']}, "
  f"empty program {tax_links['floor']}, faultline {tax_links[TAX]}.\n")
w("| case | ns per iteration, median | min | max | x no injector |\n|---|---:|---:|---:|---:|")
for i, label, x in (("none", "no injector", 1.0), ("floor", "empty program (mechanism floor)", tax_floor_ratio),
                    (TAX, "faultline, live fault on another cgroup", tax_ratio)):
    w(f"| {label} | {tax[i]['median']:.0f} | {tax[i]['min']:.0f} | {tax[i]['max']:.0f} | {x:.3f} |")
w(f"\nfaultline over the empty program: {tax_over_floor:.3f}x. Per-round faultline / no injector: "
  f"{', '.join(f'{x:.3f}' for x in tax_ratios)}; the no-injector runs alone spread by {100 * tax_noise:.1f}%.\n")

w("## 2. Cost per injected errno\n")
w(f"`fl_bench_sys pwrite FILE N`: N x `pwrite(fd, 1 byte, 0)` through libc on a tmpfs file, every call failed with "
  "EIO, timed inside the process (so faultline exec's program loading, strace's attach and fiu-run's preload are not "
  "counted). faultline: `faultline exec` with `syscall: {name: pwrite64, errno: EIO}` and no trigger. seccomp: a "
  "hand-written filter returning `SECCOMP_RET_ERRNO | EIO` for pwrite64 (installed by the helper before the clock "
  "starts). strace: `strace -f -o /dev/null -e trace=pwrite64 -e inject=pwrite64:error=EIO` (and with "
  "`--seccomp-bpf`). libfiu: `fiu-run -x -f '' -c 'enable name=posix/io/rw/pwrite,failinfo=5'` (fails libc's "
  "`pwrite` wrapper in the process, no syscall made). no injector: the same loop with every call succeeding.\n")
w("| injector | calls per run | every call EIO | ns per call, median | min | max | x faultline |")
w("|---|---:|---|---:|---:|---:|---:|")
labels = {"none": "no injector (calls succeed)", "faultline": "faultline", "seccomp": "seccomp RET_ERRNO",
          "strace": "strace --inject", "strace-seccomp-bpf": "strace --inject --seccomp-bpf", "fiu": "libfiu fiu-run"}
for i in injectors:
    e = errno[i]
    ok = ("yes" if e["every_call_as_expected"] else "**NO**") if i != "none" else (
        "n/a (all ok)" if e["every_call_as_expected"] else "**NO: some failed**")
    x = "1" if i == "faultline" else f"{errno_vs_fl[i]:.2f}"
    w(f"| {labels[i]} | {e['calls_per_run']} | {ok} | {e['ns_per_call']['median']:.0f} | {e['ns_per_call']['min']:.0f} | "
      f"{e['ns_per_call']['max']:.0f} | {x} |")
w(f"\nfaultline's counters per run: matched {sorted(set(errno['faultline']['matched']))}, injected "
  f"{sorted(set(errno['faultline']['injected']))} (for {errno['faultline']['calls_per_run']} calls).\n")

fio_cfg = rows("fio")[0]
w("## 3. A whole workload armed at probability 0\n")
w(f"fio, one job, `--rw=randrw --bs=4k --ioengine=psync --size=16m --gtod_reduce=1` (fio's own timestamps cut to "
  "the minimum: in a guest whose clocksource the vDSO cannot read, each is a syscall), "
  f"{fio_cfg['read_ios'] + fio_cfg['write_ios']} I/Os "
  "per run on a tmpfs file (`pread64`/`pwrite64`: page-cache copies, the cheapest real I/O, so the largest share for "
  f"any per-call cost). Three cases: no injector; {floor_what}; `faultline exec` with "
  "`syscall: {name: [pread64, pwrite64], errno: EIO}` and `trigger: {probability: 0%}` (every call matched and its "
  "trigger drawn, none injected). Time per I/O from fio's own job runtime (excludes fio's start and faultline's "
  "set-up).\n")
w("| case | ms per 1000 I/Os, median | min | max | x no injector |\n|---|---:|---:|---:|---:|")
for i, label, x in (("none", "no injector", 1.0), ("floor", "empty program (mechanism floor)", fio_floor_ratio),
                    ("faultline", "faultline, probability 0%", fio_ratio)):
    w(f"| {label} | {fio[i]['median']:.2f} | {fio[i]['min']:.2f} | {fio[i]['max']:.2f} | {x:.3f} |")
w(f"\nfaultline over the empty program: {fio_over_floor:.3f}x. Per-round faultline / no injector: "
  f"{', '.join(f'{x:.3f}' for x in fio_ratios)}; the no-injector runs alone spread by {100 * fio_noise:.1f}%. "
  f"faultline's rule matched {sorted(set(fio_matched))} calls for {sorted(set(fio_ios))} I/Os and injected "
  f"{fio_injected}.\n")

if progstats or profiles:
    w("## What the faultline figures are made of\n")
    if clock_read_ns is not None:
        w(f"For scale, in this guest: a `getppid()` costs {scale['getppid']:.0f} ns; a `clock_gettime(CLOCK_MONOTONIC)` "
          f"{scale['clock']:.0f} ns (clocksource {env.get('clocksource', '?')}: the vDSO cannot read it, so each is a "
          f"syscall plus one clocksource read), so one clock read costs about **{clock_read_ns:.0f} ns** here. "
          "`bpf_ktime_get_ns()` in a BPF program reads the same clocksource.\n")
    w("One more faultline run per section through faultlined (same policy, the workload in a target or control cgroup "
      "as above), with `kernel.bpf_stats_enabled=1`: the kernel's own run time of faultline's programs (it adds two "
      "clock reads per run, so these runs are slower than the rows above). Unit: one loop iteration (tax: a read and "
      "a write), one failed call (errno), one I/O (fio).\n")
    w("| section | program runs per unit | ns per program run | program ns per unit | whole unit ns (this run) | program share |")
    w("|---|---:|---:|---:|---:|---:|")
    for sec in ("tax", "errno", "fio"):
        if sec in progstats:
            p = progstats[sec]
            w(f"| {sec} | {p['runs_per_unit']:.2f} | {p['prog_ns_per_run']:.0f} | {p['prog_ns_per_unit']:.0f} | "
              f"{p['loop_ns_per_unit']:.0f} | {100 * p['prog_ns_per_unit'] / p['loop_ns_per_unit']:.0f}% |")
    w("")
    if profiles:
        w("`perf record -e cpu-clock` of one more such run (stats off), symbols with at least 1% of the samples; "
          "`bpf_prog_*` are faultline's JIT-compiled programs, `bpf_trampoline_*` the BPF-LSM trampoline:\n")
        for sec in ("tax", "errno", "fio"):
            top = profiles.get(sec)
            if top is None:
                continue
            w(f"- **{sec}** (BPF-related symbols: {bpf_share(top):.0f}%): "
              + ", ".join(f"{t['sym']} {t['pct']:.1f}%" for t in top[:14])
              + "; by object: " + ", ".join(f"{d['dso']} {d['pct']:.1f}%" for d in profile_dsos.get(sec, [])))
        w("")
open(f"{out}/{name}.md", "w").write("\n".join(md))
