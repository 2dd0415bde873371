#include "observe/amplify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "faultline/abi.h"
#include "policy/names.hpp"

namespace faultline::observe {
namespace {

// rt_sigreturn "returns" the interrupted context's register, often another call's -EINTR: an
// error of that other call, not of rt_sigreturn, and not one to inject.
bool is_artifact(std::string_view syscall) { return syscall == "rt_sigreturn"; }

// "12.5%": trailing zeros dropped; `decimals` after the point at most.
std::string percent(double fraction, int decimals = 4) {
  auto text = fmt::format("{:.{}f}", fraction * 100, decimals);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text + "%";
}

// A rate or a probability to write into the policy: three significant digits however small (a fixed four
// decimals of a percent wrote a rate below 0.00005% as 0%, a fault that never fires), no
// exponent (the parser reads plain decimals), and no finer than the kernel's 2^-32 steps.
std::string precise_percent(double fraction) {
  if (!(fraction > 0.0)) return "0%";
  const int magnitude = static_cast<int>(std::floor(std::log10(fraction * 100)));
  return percent(fraction, std::clamp(2 - magnitude, 4, 11));
}

// Policy names: lowercase letters, digits and '-', 1 to 63, no '-' at either end.
std::string policy_name(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (out.size() == 63) break;
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out += c;
    else if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out;
}

// The table names every errno, also those a policy cannot (yet) name.
std::string display_errno(int err) {
  auto name = policy::errno_name(err);
  if (policy::errno_from_name(name) == err) return name;
  const char* libc = ::strerrorname_np(err);
  return libc != nullptr ? libc : name;
}

bool has_policy_name(int err) { return policy::errno_from_name(policy::errno_name(err)) == err; }

// Integer percentages of `counts` that add up to 100 (largest remainder); a share that rounds to
// 0% is dropped and the rest shared again, since a mix may not name an errno it never picks.
std::vector<std::pair<int, int>> weights(std::vector<std::pair<int, std::uint64_t>> counts) {
  while (true) {
    std::uint64_t total = 0;
    for (const auto& [err, n] : counts)
      total += n;
    std::vector<std::pair<int, int>> out;
    std::vector<std::pair<double, std::size_t>> remainders;
    int given = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      const double exact = 100.0 * static_cast<double>(counts[i].second) / static_cast<double>(total);
      const int whole = static_cast<int>(std::floor(exact));
      out.emplace_back(counts[i].first, whole);
      remainders.emplace_back(exact - whole, i);
      given += whole;
    }
    std::sort(remainders.begin(), remainders.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; given < 100; ++i, ++given)
      out[remainders[i % remainders.size()].second].second += 1;
    auto zero = std::find_if(out.begin(), out.end(), [](const auto& w) { return w.second == 0; });
    if (zero == out.end()) return out;
    counts.erase(counts.begin() + (zero - out.begin()));
  }
}

} // namespace

Observation summarize(const kernel::ObservedSyscalls& counts, policy::Arch arch, std::string cgroup,
                      std::uint64_t duration_ms) {
  Observation obs;
  obs.cgroup = std::move(cgroup);
  obs.duration_ms = duration_ms;
  obs.lost = counts.lost;
  obs.internal = counts.internal;
  for (const auto& [nr, n] : counts.calls) {
    obs.calls += n;
    ++obs.syscalls;
  }
  for (const auto& [key, n] : counts.errors) {
    const auto info = policy::find_syscall(key.first, arch);
    const auto calls = counts.calls.find(key.first);
    obs.rows.push_back({info ? std::string(info->name) : fmt::format("syscall_{}", key.first), key.second, n,
                        calls == counts.calls.end() ? n : std::max(n, calls->second)});
  }
  std::stable_sort(obs.rows.begin(), obs.rows.end(), [](const ErrorRow& a, const ErrorRow& b) {
    if (a.errors != b.errors) return a.errors > b.errors;
    return a.syscall != b.syscall ? a.syscall < b.syscall : a.err < b.err;
  });
  return obs;
}

std::string observation_text(const Observation& obs) {
  std::string out =
      fmt::format("cgroup {}, {:.1f} s: {} calls to {} syscalls, {} with errors\n", obs.cgroup,
                  static_cast<double>(obs.duration_ms) / 1000, obs.calls, obs.syscalls, obs.rows.size());
  if (obs.rows.empty()) {
    out += "no syscall returned an error\n";
  } else {
    out += fmt::format("{:<20} {:<16} {:>10} {:>10} {:>8}\n", "SYSCALL", "ERRNO", "ERRORS", "CALLS", "RATE");
    for (const auto& r : obs.rows)
      out += fmt::format(
          "{:<20} {:<16} {:>10} {:>10} {:>8}\n", r.syscall, display_errno(r.err), r.errors, r.calls,
          percent(static_cast<double>(r.errors) / static_cast<double>(std::max<std::uint64_t>(r.calls, 1)),
                  1));
  }
  if (obs.internal != 0)
    out +=
        fmt::format("{} calls were interrupted by a signal (-ERESTART*: restarted, or EINTR for the task)\n",
                    obs.internal);
  if (obs.lost != 0)
    out += fmt::format(
        "warning: {} errors not counted (more distinct syscall/errno pairs than the table holds)\n",
        obs.lost);
  return out;
}

nlohmann::json observation_json(const Observation& obs) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : obs.rows)
    rows.push_back(
        {{"syscall", r.syscall}, {"errno", display_errno(r.err)}, {"errors", r.errors}, {"calls", r.calls}});
  return {{"cgroup", obs.cgroup}, {"durationMs", obs.duration_ms},
          {"calls", obs.calls},   {"syscalls", obs.syscalls},
          {"errors", rows},       {"interrupted", obs.internal},
          {"lost", obs.lost}};
}

std::string AmplifiedFault::yaml() const {
  std::string mix;
  for (const auto& e : errs)
    mix += fmt::format("{}{}: {}", mix.empty() ? "" : ", ", policy::errno_name(e.err), percent(e.weight));
  return fmt::format("    - name: {}\n      syscall: {{name: {}, errno: {{{}}}}}\n"
                     "      trigger: {{probability: {}}}\n",
                     name, syscall, mix, precise_percent(probability));
}

std::vector<AmplifiedFault> amplified_faults(const Observation& obs, const AmplifyOptions& options) {
  // Per syscall, in the order of the table (most errors first).
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ErrorRow*>> by_syscall;
  for (const auto& r : obs.rows) {
    if (is_artifact(r.syscall) || !has_policy_name(r.err) || !policy::is_known_syscall(r.syscall)) continue;
    auto& rows = by_syscall[r.syscall];
    if (rows.empty()) order.push_back(r.syscall);
    rows.push_back(&r);
  }
  std::vector<AmplifiedFault> faults;
  for (const auto& syscall : order) {
    const auto& rows = by_syscall[syscall];
    std::uint64_t errors = 0;
    std::vector<std::pair<int, std::uint64_t>> counts;
    for (const auto* r : rows) {
      errors += r->errors;
      if (counts.size() < FL_MAX_ERRNOS) counts.emplace_back(r->err, r->errors);
    }
    if (errors < options.min_errors) continue;
    const std::uint64_t calls = std::max<std::uint64_t>(rows.front()->calls, 1);
    AmplifiedFault fault;
    fault.name = policy_name(syscall);
    fault.syscall = syscall;
    for (const auto& [err, weight] : weights(counts))
      fault.errs.push_back({err, weight / 100.0});
    fault.probability =
        std::min(1.0, options.factor * static_cast<double>(errors) / static_cast<double>(calls));
    faults.push_back(std::move(fault));
  }
  return faults;
}

AmplifiedPolicy amplified_policy(const Observation& obs, const AmplifyOptions& options,
                                 const Refusal& refusal) {
  const std::string cgroup_base = obs.cgroup.substr(obs.cgroup.find_last_of('/') + 1);
  std::string name = options.name.empty() ? policy_name("amplify-" + cgroup_base) : options.name;
  if (name.empty()) name = "amplify";
  std::string out = fmt::format(
      "# Written by `faultline observe`: the syscall errors cgroup {} met on its own in {:.1f} s\n"
      "# ({} calls), each injected at {}x its natural rate (at most every call).\n",
      obs.cgroup, static_cast<double>(obs.duration_ms) / 1000, obs.calls, options.factor);
  out += fmt::format("apiVersion: faultline/v1\nkind: Experiment\nmetadata:\n  name: {}\n"
                     "  labels: {{kind: amplify}}\nspec:\n  duration: {}\n  targets:\n    - cgroup: {}\n",
                     name, options.duration, obs.cgroup.empty() ? "/" : obs.cgroup);
  const auto faults = amplified_faults(obs, options);
  std::string body;
  AmplifiedPolicy result;
  for (const auto& fault : faults) {
    // The same errors the probability was computed from; those with an errno a policy cannot
    // name are not amplified, and said apart.
    std::uint64_t errors = 0;
    std::uint64_t unnamed = 0;
    std::uint64_t calls = 0;
    for (const auto& r : obs.rows)
      if (r.syscall == fault.syscall) {
        (has_policy_name(r.err) ? errors : unnamed) += r.errors;
        calls = r.calls;
      }
    std::string text =
        fmt::format("    # seen: {} of {} calls failed ({}){}\n", errors, calls,
                    precise_percent(static_cast<double>(errors) / static_cast<double>(calls)),
                    unnamed == 0 ? "" : fmt::format("; {} more with errnos a policy cannot name", unnamed)) +
        fault.yaml();
    if (auto why = refusal ? refusal(fault) : std::nullopt) {
      body += fmt::format("    # not served by this kernel: {}\n", *why);
      std::string commented;
      std::size_t start = 0;
      while (start < text.size()) {
        const auto end = text.find('\n', start);
        const auto line = text.substr(start, end - start);
        commented += line.starts_with("    #") ? line + "\n" : "    # " + line.substr(4) + "\n";
        start = end + 1;
      }
      body += commented;
      ++result.refused;
    } else {
      body += text;
      ++result.faults;
    }
  }
  // No fault this kernel serves: the YAML is written for the record, but would not apply.
  result.yaml = out + (result.faults == 0 ? "  faults: []\n" : "  faults:\n") + body;
  return result;
}

} // namespace faultline::observe
