#include "policy/parse_internal.hpp"

#include <fmt/format.h>

#include <regex>
#include <set>

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

// Plain HTTP to a host, IPv4 address or [IPv6], an optional port and path (with a query string
// when `query_allowed`). No credentials in the URL: they would land in the journal. `what` is
// the message's "is not ...".
std::string http_url(const Field& url, bool query_allowed, const char* what) {
  static const std::regex kWithQuery(
      R"(^http://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[^\s@]*)?$)");
  static const std::regex kNoQuery(
      R"(^http://(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?(/[^\s@?#]*)?$)");
  std::string s = url.str();
  if (!std::regex_match(s, query_allowed ? kWithQuery : kNoQuery))
    url.fail(fmt::format("'{}' is not {}", s, what));
  return s;
}

HttpCheck parse_http(const Field& f) {
  f.expect_keys({"url", "status", "maxLatency", "timeout"});
  HttpCheck h;
  h.url = http_url(f.get("url"), true,
                   "an http:// URL of a host, an optional port and a path (e.g. "
                   "http://127.0.0.1:8080/health; no https, no user@)");
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

// The server's base URL (a path prefix allowed, for a server behind --web.route-prefix) and an
// instant query; healthy while every sample is within [min, max].
PrometheusCheck parse_prometheus(const Field& f) {
  f.expect_keys({"url", "query", "min", "max", "ifEmpty", "timeout"});
  PrometheusCheck p;
  p.url = http_url(f.get("url"), false,
                   "the http:// URL of a Prometheus server (e.g. http://127.0.0.1:9090; no https, no "
                   "user@, no query string)");
  while (p.url.size() > 7 && p.url.back() == '/')
    p.url.pop_back();
  const Field query = f.get("query");
  p.query = query.str();
  if (p.query.find_first_not_of(" \t\n") == std::string::npos)
    query.fail(
        "an empty query; give a PromQL expression, e.g. sum(rate(http_requests_total{code=~\"5..\"}[1m]))");
  if (auto m = f.find("min")) p.min = m->number();
  if (auto m = f.find("max")) p.max = m->number();
  if (!p.min && !p.max)
    f.fail("a prometheus check needs a bound: max (healthy while every sample is at most it), min, or both");
  if (p.min && p.max && *p.min > *p.max)
    f.get("min").fail(fmt::format("min {} is above max {}: no value could be healthy", *p.min, *p.max));
  if (auto e = f.find("ifEmpty")) {
    if (e->str() == "healthy")
      p.empty_healthy = true;
    else if (e->str() != "unhealthy")
      e->fail(fmt::format("'{}' is not healthy or unhealthy (what a query without samples means)", e->str()));
  }
  p.timeout_ns = 1000 * kMs;
  if (auto t = f.find("timeout")) p.timeout_ns = bounded_duration(*t, kMinIntervalNs, kMaxTimeoutNs);
  return p;
}

CommandCheck parse_command(const Field& f) {
  CommandCheck c;
  c.command = f.str();
  if (c.command.find_first_not_of(" \t") == std::string::npos)
    f.fail("an empty command; give a shell command whose exit status 0 means healthy");
  return c;
}

// A counter as a stop condition (`max`: aborts past it) or, with `steady`, as a steady-state
// probe: tcpRetransmits over a sliding `window` (before the start and during recovery), or the
// run's final injected or matched count within [min, max] (after the run: that it tested anything).
CounterCheck parse_counter(const Field& f, const std::vector<Fault>& faults, bool steady) {
  if (auto m = f.find("min"); m && !steady)
    m->fail("a stop condition aborts once a count passes max; a lower bound (the run injected "
            "enough to test anything) is a steady-state probe's min");
  if (steady)
    f.expect_keys({"metric", "fault", "min", "max", "window"});
  else
    f.expect_keys({"metric", "fault", "max"});
  CounterCheck c;
  const Field metric = f.get("metric");
  if (metric.str() == "injected")
    c.metric = CounterCheck::Metric::injected;
  else if (metric.str() == "matched")
    c.metric = CounterCheck::Metric::matched;
  else if (metric.str() == "tcpRetransmits")
    c.metric = CounterCheck::Metric::tcp_retransmits;
  else
    metric.fail(
        fmt::format("unknown counter '{}'; expected injected, matched or tcpRetransmits", metric.str()));
  const bool retransmits = c.metric == CounterCheck::Metric::tcp_retransmits;
  if (auto fault = f.find("fault"); fault && retransmits)
    fault->fail("tcpRetransmits counts the targets' sockets, not a fault's injections: no fault here");
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
  if (!steady || retransmits) {
    if (auto m = f.find("min"))
      m->fail("the targets' retransmits only have a ceiling: give max (retransmits per window)");
    c.max = f.get("max").uint(UINT64_MAX >> 1);
  } else {
    if (auto w = f.find("window"))
      w->fail(fmt::format("a probe on {} reads the run's final count, once it has ended: it takes no window",
                          metric.str()));
    if (!f.has("min") && !f.has("max"))
      f.fail(fmt::format("a steady-state {} probe needs min (the run injected enough to test the "
                         "hypothesis), max, or both",
                         metric.str()));
    if (auto m = f.find("min")) c.min = m->uint(UINT64_MAX >> 1);
    c.max = UINT64_MAX >> 1;
    if (auto m = f.find("max")) c.max = m->uint(UINT64_MAX >> 1);
    if (c.min && *c.min > c.max)
      f.get("min").fail(fmt::format("min {} is above max {}: no count could hold", *c.min, c.max));
  }
  if (steady && retransmits) {
    c.window_ns = 1000 * kMs;
    if (auto w = f.find("window")) c.window_ns = bounded_duration(*w, 200 * kMs, kMaxTimeoutNs);
  }
  return c;
}

// The check of a stop condition or (`steady`) a steady-state probe: exactly one kind, with its
// timeout.
CheckSpec parse_check(const Field& f, const std::vector<Fault>& faults, bool steady, const char* what) {
  int found = 0;
  for (const char* kind : {"http", "command", "prometheus", "counter"})
    found += f.has(kind) ? 1 : 0;
  if (found != 1)
    f.fail(
        fmt::format("a {} needs exactly one of http, command, prometheus, counter (found {})", what, found));
  if (auto t = f.find("timeout"); t && !f.has("command"))
    t->fail(f.has("http") ? "an http check's timeout goes inside it: http: {url: ..., timeout: 1s}"
            : f.has("prometheus")
                ? "a prometheus check's timeout goes inside it: prometheus: {url: ..., timeout: 1s}"
                : "a counter is read, not waited for: it takes no timeout");
  if (auto h = f.find("http")) return parse_http(*h);
  if (auto p = f.find("prometheus")) return parse_prometheus(*p);
  if (auto c = f.find("counter")) return parse_counter(*c, faults, steady);
  CommandCheck command = parse_command(f.get("command"));
  command.timeout_ns = 1000 * kMs;
  if (auto t = f.find("timeout")) command.timeout_ns = bounded_duration(*t, kMinIntervalNs, kMaxTimeoutNs);
  return command;
}

const char* kind_of(const CheckSpec& check) {
  return std::holds_alternative<HttpCheck>(check)         ? "http"
         : std::holds_alternative<CommandCheck>(check)    ? "command"
         : std::holds_alternative<PrometheusCheck>(check) ? "prometheus"
                                                          : "counter";
}

std::string name_of(const Field& f, const CheckSpec& check, std::size_t index, const std::string& what) {
  if (auto n = f.find("name")) {
    check_name(*n, what);
    return n->str();
  }
  return fmt::format("{}-{}", kind_of(check), index);
}

} // namespace

StopCondition parse_stop_condition(const Field& f, std::size_t index, const std::vector<Fault>& faults) {
  f.expect_keys({"name", "http", "command", "prometheus", "counter", "interval", "timeout", "failures"});
  StopCondition s;
  s.location = f.location();
  s.check = parse_check(f, faults, false, "stop condition");
  // Defaults that keep an abort within 100 ms of a breach (bench/results/stop.md): a check is
  // due every interval, and a command or request takes a few ms itself. Counters are map reads.
  // A Prometheus query sees data only as fresh as the last scrape (seconds): once a second.
  s.interval_ns = f.has("counter") ? 20 * kMs : f.has("prometheus") ? 1000 * kMs : 50 * kMs;
  if (auto i = f.find("interval")) s.interval_ns = bounded_duration(*i, kMinIntervalNs, kMaxTimeoutNs);
  if (auto n = f.find("failures")) {
    s.failures = static_cast<std::uint32_t>(n->uint(1000));
    if (s.failures == 0) n->fail("must be at least 1 (1 = the first failed check aborts)");
  }
  s.name = name_of(f, s.check, index, "stop condition");
  return s;
}

SteadyState parse_steady_state(const Field& f, const std::vector<Fault>& faults) {
  f.expect_keys({"probes", "recoveryTimeout"});
  SteadyState st;
  st.location = f.location();
  const Field probes = f.get("probes");
  std::set<std::string> names;
  for (const auto& item : probes.items()) {
    item.expect_keys({"name", "http", "command", "prometheus", "counter", "timeout"});
    StopCondition probe;
    probe.location = item.location();
    probe.check = parse_check(item, faults, true, "steady-state probe");
    probe.name = name_of(item, probe.check, st.probes.size(), "probe");
    if (!names.insert(probe.name).second) item.fail(fmt::format("duplicate probe name '{}'", probe.name));
    st.probes.push_back(std::move(probe));
  }
  if (st.probes.empty()) probes.fail("at least one probe: the hypothesis is what they check");
  if (st.probes.size() > 16) probes.fail("at most 16 probes");
  st.recovery_timeout_ns = 30000 * kMs;
  if (auto t = f.find("recoveryTimeout"))
    st.recovery_timeout_ns = bounded_duration(*t, 1000 * kMs, 600000 * kMs);
  return st;
}

} // namespace faultline::policy
