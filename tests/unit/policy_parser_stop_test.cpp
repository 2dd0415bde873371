#include "policy_parser_test.hpp"

namespace faultline::policy {
namespace {

// A loss fault named f (lines 10-11), then spec.stopConditions from line 12; its first item is
// on line 13.
std::string with_stops(const std::string& stops) {
  return with_faults(kF + "      network: {loss: 5%}\n") + "  stopConditions:\n" + stops;
}

TEST(PolicyParser, StopConditionsOfEachKindWithDefaults) {
  auto p = parse_policy(
      with_stops("    - command: curl -fs http://127.0.0.1:8080/health\n"
                 "      interval: 50ms\n"
                 "      timeout: 2s\n"
                 "    - name: slow-api\n"
                 "      http: {url: 'http://[::1]:8080/v1/ping', status: 204, maxLatency: 200ms}\n"
                 "      failures: 3\n"
                 "    - counter: {metric: injected, fault: f, max: 500}\n"),
      "s.yaml");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->stop_conditions.size(), 3u);
  const auto& cmd = p->stop_conditions[0];
  EXPECT_EQ(cmd.name, "command-0");
  EXPECT_EQ(cmd.location.line, 13);
  EXPECT_EQ(cmd.interval_ns, 50'000'000u);
  EXPECT_EQ(cmd.failures, 1u);
  EXPECT_EQ(std::get<CommandCheck>(cmd.check).command, "curl -fs http://127.0.0.1:8080/health");
  EXPECT_EQ(std::get<CommandCheck>(cmd.check).timeout_ns, 2'000'000'000u);
  const auto& http = p->stop_conditions[1];
  EXPECT_EQ(http.name, "slow-api");
  EXPECT_EQ(http.interval_ns, 50'000'000u); // the default for checks that start something
  EXPECT_EQ(http.failures, 3u);
  const auto& h = std::get<HttpCheck>(http.check);
  EXPECT_EQ(h.url, "http://[::1]:8080/v1/ping");
  EXPECT_EQ(h.status, 204);
  EXPECT_EQ(h.max_latency_ns, 200'000'000u);
  EXPECT_EQ(h.timeout_ns, 1'000'000'000u);
  const auto& counter = p->stop_conditions[2];
  EXPECT_EQ(counter.name, "counter-2");
  EXPECT_EQ(counter.interval_ns, 20'000'000u); // a map read: checked often
  const auto& c = std::get<CounterCheck>(counter.check);
  EXPECT_EQ(c.metric, CounterCheck::Metric::injected);
  EXPECT_EQ(c.fault, "f");
  EXPECT_EQ(c.max, 500u);
}

TEST(PolicyParser, PrometheusChecksWithBoundsAndDefaults) {
  auto p = parse_policy(
      with_stops("    - prometheus:\n"
                 "        url: http://127.0.0.1:9090/\n"
                 "        query: 'sum(rate(http_requests_total{code=~\"5..\"}[1m]))'\n"
                 "        max: 0.05\n"
                 "    - prometheus: {url: 'http://prom:9090/prefix', query: up, min: 1, max: 1e3, "
                 "ifEmpty: healthy, timeout: 3s}\n"
                 "      interval: 200ms\n"),
      "s.yaml");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->stop_conditions.size(), 2u);
  const auto& first = p->stop_conditions[0];
  EXPECT_EQ(first.name, "prometheus-0");
  EXPECT_EQ(first.interval_ns, 1'000'000'000u); // data is only as fresh as the last scrape
  const auto& a = std::get<PrometheusCheck>(first.check);
  EXPECT_EQ(a.url, "http://127.0.0.1:9090"); // the trailing / dropped: /api/v1/query is appended
  EXPECT_EQ(a.query, "sum(rate(http_requests_total{code=~\"5..\"}[1m]))");
  EXPECT_FALSE(a.min.has_value());
  EXPECT_EQ(a.max, 0.05);
  EXPECT_FALSE(a.empty_healthy);
  EXPECT_EQ(a.timeout_ns, 1'000'000'000u);
  const auto& b = std::get<PrometheusCheck>(p->stop_conditions[1].check);
  EXPECT_EQ(p->stop_conditions[1].interval_ns, 200'000'000u);
  EXPECT_EQ(b.url, "http://prom:9090/prefix");
  EXPECT_EQ(b.min, 1.0);
  EXPECT_EQ(b.max, 1000.0);
  EXPECT_TRUE(b.empty_healthy);
  EXPECT_EQ(b.timeout_ns, 3'000'000'000u);
}

TEST(PolicyParser, NoStopConditionsByDefault) {
  auto p = parse_policy(with_faults(kF + "      network: {loss: 5%}\n"), "s.yaml");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_TRUE(p->stop_conditions.empty());
}

INSTANTIATE_TEST_SUITE_P(
    BadStopConditions, PolicyParserRejects,
    ::testing::Values(
        BadCase{"stop_two_kinds",
                with_stops("    - {command: 'true', counter: {metric: injected, max: 1}}\n"),
                "bad.yaml:13:7: spec.stopConditions[0]: a stop condition needs exactly one of http, command, "
                "prometheus, counter (found 2)"},
        BadCase{"stop_no_kind", with_stops("    - {interval: 1s}\n"),
                "bad.yaml:13:7: spec.stopConditions[0]: a stop condition needs exactly one of http, command, "
                "prometheus, counter (found 0)"},
        BadCase{
            "stop_empty_command", with_stops("    - {command: ' '}\n"),
            "bad.yaml:13:17: spec.stopConditions[0].command: an empty command; give a shell command whose "
            "exit status 0 means healthy"},
        BadCase{
            "stop_https", with_stops("    - http: {url: 'https://svc/health'}\n"),
            "bad.yaml:13:19: spec.stopConditions[0].http.url: 'https://svc/health' is not an http:// URL of "
            "a host, an optional port and a path (e.g. http://127.0.0.1:8080/health; no https, no user@)"},
        BadCase{"stop_credentials", with_stops("    - http: {url: 'http://u:p@svc/health'}\n"),
                "bad.yaml:13:19: spec.stopConditions[0].http.url: 'http://u:p@svc/health' is not an http:// "
                "URL of a host, an optional port and a path (e.g. http://127.0.0.1:8080/health; no https, no "
                "user@)"},
        BadCase{"stop_status", with_stops("    - http: {url: 'http://svc/', status: 42}\n"),
                "bad.yaml:13:42: spec.stopConditions[0].http.status: '42' is not an HTTP status (100..599)"},
        BadCase{"stop_latency_over_timeout",
                with_stops("    - http: {url: 'http://svc/', timeout: 100ms, maxLatency: 1s}\n"),
                "bad.yaml:13:62: spec.stopConditions[0].http.maxLatency: maxLatency 1s is longer than the "
                "timeout (100 ms): it could never be seen"},
        BadCase{
            "stop_http_timeout_outside", with_stops("    - {http: {url: 'http://svc/'}, timeout: 1s}\n"),
            "bad.yaml:13:45: spec.stopConditions[0].timeout: an http check's timeout goes inside it: http: "
            "{url: ..., timeout: 1s}"},
        BadCase{"stop_prometheus_no_bound",
                with_stops("    - prometheus: {url: 'http://127.0.0.1:9090', query: up}\n"),
                "bad.yaml:13:19: spec.stopConditions[0].prometheus: a prometheus check needs a bound: max "
                "(healthy while every sample is at most it), min, or both"},
        BadCase{"stop_prometheus_not_number",
                with_stops("    - prometheus: {url: 'http://127.0.0.1:9090', query: up, max: 5%}\n"),
                "bad.yaml:13:66: spec.stopConditions[0].prometheus.max: '5%' is not a number; write e.g. "
                "0.05, 100 or 1e6"},
        BadCase{"stop_prometheus_min_over_max",
                with_stops("    - prometheus: {url: 'http://127.0.0.1:9090', query: up, min: 2, max: 1}\n"),
                "bad.yaml:13:66: spec.stopConditions[0].prometheus.min: min 2 is above max 1: no value could "
                "be healthy"},
        BadCase{"stop_prometheus_query_string",
                with_stops("    - prometheus: {url: 'http://p:9090/api?x=1', query: up, max: 1}\n"),
                "bad.yaml:13:25: spec.stopConditions[0].prometheus.url: 'http://p:9090/api?x=1' is not the "
                "http:// URL of a Prometheus server (e.g. http://127.0.0.1:9090; no https, no user@, no "
                "query string)"},
        BadCase{"stop_prometheus_if_empty",
                with_stops("    - prometheus: {url: 'http://p:9090', query: up, max: 1, ifEmpty: ok}\n"),
                "bad.yaml:13:70: spec.stopConditions[0].prometheus.ifEmpty: 'ok' is not healthy or unhealthy "
                "(what a query without samples means)"},
        BadCase{"stop_counter_unknown_fault",
                with_stops("    - counter: {metric: injected, fault: g, max: 5}\n"),
                "bad.yaml:13:42: spec.stopConditions[0].counter.fault: no fault named 'g' in this experiment "
                "(did "
                "you mean f?)"},
        BadCase{"stop_counter_metric", with_stops("    - counter: {metric: dropped, max: 5}\n"),
                "bad.yaml:13:25: spec.stopConditions[0].counter.metric: unknown counter 'dropped'; expected "
                "injected, matched or tcpRetransmits"},
        BadCase{"stop_retransmits_of_a_fault",
                with_stops("    - counter: {metric: tcpRetransmits, fault: f, max: 5}\n"),
                "bad.yaml:13:48: spec.stopConditions[0].counter.fault: tcpRetransmits counts the targets' "
                "sockets, not a fault's injections: no fault here"},
        BadCase{
            "stop_counter_min", with_stops("    - counter: {metric: injected, min: 1, max: 5}\n"),
            "bad.yaml:13:40: spec.stopConditions[0].counter.min: a stop condition aborts once a count passes "
            "max; a lower bound (the run injected enough to test anything) is a steady-state probe's min"},
        BadCase{"stop_counter_no_max", with_stops("    - counter: {metric: injected}\n"),
                "bad.yaml:13:16: spec.stopConditions[0].counter: missing required key 'max'"},
        BadCase{
            "stop_interval_too_short", with_stops("    - {command: 'true', interval: 1ms}\n"),
            "bad.yaml:13:35: spec.stopConditions[0].interval: '1ms' is out of range; expected 10ms to 60s"},
        BadCase{"stop_zero_failures", with_stops("    - {command: 'true', failures: 0}\n"),
                "bad.yaml:13:35: spec.stopConditions[0].failures: must be at least 1 (1 = the first failed "
                "check aborts)"},
        BadCase{"stop_duplicate_name",
                with_stops("    - {name: up, command: 'true'}\n    - {name: up, command: 'false'}\n"),
                "bad.yaml:14:7: spec.stopConditions[1]: duplicate stop condition name 'up'"},
        BadCase{
            "stop_bad_name", with_stops("    - {name: Up, command: 'true'}\n"),
            "bad.yaml:13:14: spec.stopConditions[0].name: 'Up' is not a valid stop condition name: use 1-63 "
            "lowercase letters, digits and '-', starting and ending with a letter or digit"},
        BadCase{
            "stop_unknown_key", with_stops("    - {command: 'true', every: 1s}\n"),
            "bad.yaml:13:25: spec.stopConditions[0]: unknown key 'every'; valid keys: name, http, command, "
            "prometheus, counter, interval, timeout, failures"}),
    bad_case_name);

} // namespace
} // namespace faultline::policy

namespace faultline::policy {
namespace {

TEST(PolicyParser, SteadyStateProbesAndRecoveryTimeout) {
  auto p =
      parse_policy(with_faults(kF + "      network: {loss: 5%}\n") +
                       "  steadyState:\n"
                       "    probes:\n"
                       "      - {name: up, http: {url: 'http://127.0.0.1:8080/health', maxLatency: 300ms}}\n"
                       "      - {command: 'pg_isready -q', timeout: 2s}\n"
                       "    recoveryTimeout: 45s\n",
                   "s.yaml");
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_TRUE(p->steady_state.has_value());
  const auto& st = *p->steady_state;
  ASSERT_EQ(st.probes.size(), 2u);
  EXPECT_EQ(st.probes[0].name, "up");
  EXPECT_EQ(std::get<HttpCheck>(st.probes[0].check).max_latency_ns, 300'000'000u);
  EXPECT_EQ(st.probes[1].name, "command-1");
  EXPECT_EQ(std::get<CommandCheck>(st.probes[1].check).timeout_ns, 2'000'000'000u);
  EXPECT_EQ(st.recovery_timeout_ns, 45'000'000'000u);
  auto defaults = parse_policy(with_faults(kF + "      network: {loss: 5%}\n") +
                                   "  steadyState: {probes: [{command: 'true'}]}\n",
                               "s.yaml");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->steady_state->recovery_timeout_ns, 30'000'000'000u);
}

std::string with_steady(const std::string& steady) {
  return with_faults(kF + "      network: {loss: 5%}\n") + "  steadyState:\n" + steady;
}

TEST(PolicyParser, SteadyStateCounterProbes) {
  auto p =
      parse_policy(with_steady("    probes:\n"
                               "      - {name: quiet, counter: {metric: tcpRetransmits, max: 3}}\n"
                               "      - {name: slow, counter: {metric: tcpRetransmits, max: 9, window: 5s}}\n"
                               "      - {name: tested, counter: {metric: injected, fault: f, min: 100}}\n"
                               "      - {name: few, counter: {metric: matched, max: 7}}\n"),
                   "s.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& probes = p->steady_state->probes;
  ASSERT_EQ(probes.size(), 4u);
  const auto& quiet = std::get<CounterCheck>(probes[0].check);
  EXPECT_EQ(quiet.metric, CounterCheck::Metric::tcp_retransmits);
  EXPECT_EQ(quiet.max, 3u);
  EXPECT_EQ(quiet.window_ns, 1'000'000'000u); // the default window
  EXPECT_EQ(std::get<CounterCheck>(probes[1].check).window_ns, 5'000'000'000u);
  const auto& tested = std::get<CounterCheck>(probes[2].check);
  EXPECT_EQ(tested.fault, "f");
  EXPECT_EQ(tested.min, 100u);
  EXPECT_EQ(tested.max, UINT64_MAX >> 1); // no ceiling
  const auto& few = std::get<CounterCheck>(probes[3].check);
  EXPECT_EQ(few.metric, CounterCheck::Metric::matched);
  EXPECT_FALSE(few.min.has_value());
  EXPECT_EQ(few.max, 7u);
}

INSTANTIATE_TEST_SUITE_P(
    BadSteadyState, PolicyParserRejects,
    ::testing::Values(
        BadCase{"steady_counter_window_on_injected",
                with_steady("    probes: [{counter: {metric: injected, min: 1, window: 5s}}]\n"),
                "bad.yaml:13:59: spec.steadyState.probes[0].counter.window: a probe on injected reads the "
                "run's final count, once it has ended: it takes no window"},
        BadCase{"steady_counter_no_bound", with_steady("    probes: [{counter: {metric: injected}}]\n"),
                "bad.yaml:13:24: spec.steadyState.probes[0].counter: a steady-state injected probe needs "
                "min (the run injected enough to test the hypothesis), max, or both"},
        BadCase{"steady_counter_min_on_retransmits",
                with_steady("    probes: [{counter: {metric: tcpRetransmits, min: 1, max: 5}}]\n"),
                "bad.yaml:13:54: spec.steadyState.probes[0].counter.min: the targets' retransmits only "
                "have a ceiling: give max (retransmits per window)"},
        BadCase{"steady_counter_min_above_max",
                with_steady("    probes: [{counter: {metric: matched, min: 10, max: 5}}]\n"),
                "bad.yaml:13:47: spec.steadyState.probes[0].counter.min: min 10 is above max 5: no count "
                "could hold"},
        BadCase{"steady_counter_short_window",
                with_steady("    probes: [{counter: {metric: tcpRetransmits, max: 0, window: 50ms}}]\n"),
                "bad.yaml:13:65: spec.steadyState.probes[0].counter.window: '50ms' is out of range; "
                "expected 200ms to 60s"},
        BadCase{"steady_counter_unknown_fault",
                with_steady("    probes: [{counter: {metric: injected, fault: g, min: 1}}]\n"),
                "bad.yaml:13:50: spec.steadyState.probes[0].counter.fault: no fault named 'g' in this "
                "experiment (did you mean f?)"},
        BadCase{
            "steady_no_probes", with_steady("    probes: []\n"),
            "bad.yaml:13:13: spec.steadyState.probes: at least one probe: the hypothesis is what they check"},
        BadCase{"steady_interval", with_steady("    probes: [{command: 'true', interval: 1s}]\n"),
                "bad.yaml:13:32: spec.steadyState.probes[0]: unknown key 'interval'; valid keys: name, http, "
                "command, prometheus, counter, timeout"},
        BadCase{"steady_recovery_too_long",
                with_steady("    probes: [{command: 'true'}]\n    recoveryTimeout: 1h\n"),
                "bad.yaml:14:22: spec.steadyState.recoveryTimeout: '1h' is out of range; expected 1000ms to "
                "600s"},
        BadCase{"steady_two_kinds",
                with_steady("    probes: [{command: 'true', http: {url: 'http://x/'}}]\n"),
                "bad.yaml:13:14: spec.steadyState.probes[0]: a steady-state probe needs exactly one of http, "
                "command, prometheus, counter (found 2)"}),
    bad_case_name);

} // namespace
} // namespace faultline::policy
