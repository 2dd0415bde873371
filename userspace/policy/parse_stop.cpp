#include "policy/parse_internal.hpp"

#include <fmt/format.h>

#include <regex>

#include "policy/names.hpp"

namespace faultline::policy {
namespace {

constexpr std::uint64_t kMs = 1000000;
constexpr std::uint64_t kMinIntervalNs = 10 * kMs; // a tighter loop is a busy loop, not a check
constexpr std::uint64_t kMaxTimeoutNs = 60000 * kMs;

std::uint64_t bounded_duration(const Field& f, std::uint64_t min_ns, std::uint64_t max_ns) {
  const std::uint64_t v = f.duration_ns();
  if (v < min_ns || v > max_ns)
    f.fail(fmt::format("'{}' is out of range; expected {}ms to {}s", f.str(), min_ns / kMs,
                       max_ns / 1000 / kMs));
  return v;
}

HttpCheck parse_http(const Field& f) {
  f.expect_keys({"url", "status", "maxLatency", "timeout"});
  HttpCheck h;
  const Field url = f.get("url");
  h.url = url.str();
  // Plain HTTP to a host, IPv4 address or [IPv6], an optional port and path: what a health
  // endpoint is. No credentials in the URL (they would land in the journal).
  static const std::regex kUrl(R"(^http://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[^\s@]*)?$)");
  if (!std::regex_match(h.url, kUrl))
    url.fail(fmt::format("'{}' is not an http:// URL of a host, an optional port and a path (e.g. "
                         "http://127.0.0.1:8080/health; no https, no user@)",
                         h.url));
  if (auto st = f.find("status")) {
    h.status = static_cast<int>(st->uint(599));
    if (h.status < 100) st->fail(fmt::format("'{}' is not an HTTP status (100..599)", st->str()));
  }
  h.timeout_ns = 1000 * kMs;
  if (auto t = f.find("timeout")) h.timeout_ns = bounded_duration(*t, kMinIntervalNs, kMaxTimeoutNs);
  if (auto l = f.find("maxLatency")) {
    h.max_latency_ns = bounded_duration(*l, 1 * kMs, kMaxTimeoutNs);
    if (h.max_latency_ns > h.timeout_ns)
      l->fail(fmt::format("maxLatency {} is longer than the timeout ({} ms): it could never be seen",
                          l->str(), h.timeout_ns / kMs));
  }
  return h;
}

CommandCheck parse_command(const Field& f) {
  CommandCheck c;
  c.command = f.str();
  if (c.command.find_first_not_of(" \t") == std::string::npos)
    f.fail("an empty command; give a shell command whose exit status 0 means healthy");
  return c;
}

CounterCheck parse_counter(const Field& f, const std::vector<Fault>& faults) {
  f.expect_keys({"metric", "fault", "max"});
  CounterCheck c;
  const Field metric = f.get("metric");
  if (metric.str() == "injected")
    c.metric = CounterCheck::Metric::injected;
  else if (metric.str() == "matched")
    c.metric = CounterCheck::Metric::matched;
  else
    metric.fail(fmt::format("unknown counter '{}'; expected injected or matched", metric.str()));
  if (auto fault = f.find("fault")) {
    c.fault = fault->str();
    bool known = false;
    std::vector<std::string> names;
    for (const auto& x : faults) {
      known = known || x.name == c.fault;
      names.push_back(x.name);
    }
    if (!known) {
      const std::string guess = closest(c.fault, names);
      fault->fail(fmt::format("no fault named '{}' in this experiment{}", c.fault,
                              guess.empty() ? "" : " (did you mean " + guess + "?)"));
    }
  }
  c.max = f.get("max").uint(UINT64_MAX >> 1);
  return c;
}

} // namespace

StopCondition parse_stop_condition(const Field& f, std::size_t index, const std::vector<Fault>& faults) {
  f.expect_keys({"name", "http", "command", "counter", "interval", "timeout", "failures"});
  StopCondition s;
  s.location = f.location();
  int kinds = 0;
  for (const char* kind : {"http", "command", "counter"})
    kinds += f.has(kind) ? 1 : 0;
  if (kinds != 1)
    f.fail(fmt::format("a stop condition needs exactly one of http, command, counter (found {})", kinds));
  const char* kind = f.has("http") ? "http" : f.has("command") ? "command" : "counter";
  if (auto h = f.find("http")) s.check = parse_http(*h);
  if (auto c = f.find("command")) {
    CommandCheck command = parse_command(*c);
    command.timeout_ns = 1000 * kMs;
    if (auto t = f.find("timeout")) command.timeout_ns = bounded_duration(*t, kMinIntervalNs, kMaxTimeoutNs);
    s.check = command;
  } else if (auto t = f.find("timeout")) {
    t->fail(f.has("http") ? "an http check's timeout goes inside it: http: {url: ..., timeout: 1s}"
                          : "a counter is read, not waited for: it takes no timeout");
  }
  if (auto c = f.find("counter")) s.check = parse_counter(*c, faults);
  // Defaults that keep an abort within 100 ms of a breach (bench/results/stop.md): a check is
  // due every interval, and a command or request takes a few ms itself. Counters are map reads.
  s.interval_ns = f.has("counter") ? 20 * kMs : 50 * kMs;
  if (auto i = f.find("interval")) s.interval_ns = bounded_duration(*i, kMinIntervalNs, kMaxTimeoutNs);
  if (auto n = f.find("failures")) {
    s.failures = static_cast<std::uint32_t>(n->uint(1000));
    if (s.failures == 0) n->fail("must be at least 1 (1 = the first failed check aborts)");
  }
  if (auto n = f.find("name")) {
    check_name(*n, "stop condition");
    s.name = n->str();
  } else {
    s.name = fmt::format("{}-{}", kind, index);
  }
  return s;
}

} // namespace faultline::policy
