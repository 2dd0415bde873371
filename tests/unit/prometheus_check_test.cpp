// PromQL checks: the verdict on each shape of /api/v1/query answer (vector, scalar, empty, NaN,
// an error, a range), and a query sent to a server in this process, URL-encoded.
#include <gtest/gtest.h>
#include <httplib.h>

#include <string>
#include <thread>

#include "checks/prometheus_check.hpp"

namespace faultline::testing {
namespace {

policy::PrometheusCheck bounded(std::optional<double> min, std::optional<double> max,
                                bool empty_healthy = false) {
  policy::PrometheusCheck c;
  c.url = "http://127.0.0.1:1";
  c.query = "q";
  c.min = min;
  c.max = max;
  c.empty_healthy = empty_healthy;
  c.timeout_ns = 5'000'000'000;
  return c;
}

std::string vector_answer(const std::string& samples) {
  return R"({"status":"success","data":{"resultType":"vector","result":[)" + samples + "]}}";
}
std::string sample(const std::string& code, const std::string& value) {
  return R"({"metric":{"code":")" + code + R"("},"value":[1700000000.123,")" + value + R"("]})";
}

TEST(PrometheusCheck, EverySampleWithinTheBoundsIsHealthy) {
  const auto r = checks::judge_prometheus_answer(
      bounded(std::nullopt, 0.05), vector_answer(sample("500", "0.01") + "," + sample("503", "0.05")));
  EXPECT_TRUE(r.healthy) << r.detail;
  EXPECT_EQ(r.detail, R"(q: 0.05{code="503"} within max 0.05 (2 series))");
}

TEST(PrometheusCheck, TheSampleFurthestOutsideDecides) {
  const auto over = checks::judge_prometheus_answer(
      bounded(std::nullopt, 0.05),
      vector_answer(sample("500", "0.2") + "," + sample("503", "0.9") + "," + sample("504", "0.01")));
  EXPECT_FALSE(over.healthy);
  EXPECT_EQ(over.detail, R"(q: 0.9{code="503"} outside max 0.05 (3 series))");
  const auto under = checks::judge_prometheus_answer(bounded(1, 3), vector_answer(sample("200", "0")));
  EXPECT_FALSE(under.healthy);
  EXPECT_EQ(under.detail, R"(q: 0{code="200"} outside 1..3)");
  const auto inf =
      checks::judge_prometheus_answer(bounded(std::nullopt, 1), vector_answer(sample("x", "+Inf")));
  EXPECT_FALSE(inf.healthy) << inf.detail;
}

TEST(PrometheusCheck, AScalarIsOneSample) {
  const auto r = checks::judge_prometheus_answer(
      bounded(std::nullopt, 10),
      R"({"status":"success","data":{"resultType":"scalar","result":[1.5,"12"]}})");
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail, "q: 12 outside max 10");
}

TEST(PrometheusCheck, NoSamplesIsUnhealthyUnlessSaidOtherwise) {
  const auto strict = checks::judge_prometheus_answer(bounded(std::nullopt, 1), vector_answer(""));
  EXPECT_FALSE(strict.healthy);
  EXPECT_EQ(strict.detail, "q: no samples");
  const auto lenient = checks::judge_prometheus_answer(bounded(std::nullopt, 1, true), vector_answer(""));
  EXPECT_TRUE(lenient.healthy);
  EXPECT_EQ(lenient.detail, "q: no samples (ifEmpty: healthy)");
}

TEST(PrometheusCheck, NaNErrorsAndRangesAreNeverHealthy) {
  const auto nan = checks::judge_prometheus_answer(bounded(0, 1), vector_answer(sample("500", "NaN")));
  EXPECT_FALSE(nan.healthy);
  EXPECT_EQ(nan.detail, R"(q: NaN{code="500"})");
  const auto error = checks::judge_prometheus_answer(
      bounded(0, 1), R"({"status":"error","errorType":"bad_data","error":"parse error at char 3"})");
  EXPECT_FALSE(error.healthy);
  EXPECT_EQ(error.detail, "q: bad_data: parse error at char 3");
  const auto range = checks::judge_prometheus_answer(
      bounded(0, 1), R"({"status":"success","data":{"resultType":"matrix","result":[]}})");
  EXPECT_FALSE(range.healthy);
  EXPECT_EQ(range.detail, "q: a matrix result; the check needs a number per series (an instant vector or a "
                          "scalar, e.g. wrap a range in rate())");
  // Something else's JSON (an application's error, a URL that is not Prometheus): a failure,
  // never an exception on the watchdog's thread.
  for (const char* other :
       {R"({"status":404,"error":"Not Found"})", R"({"status":"success","data":[1]})",
        R"({"status":"success","data":{"resultType":7,"result":{"a":1}}})",
        R"({"status":"success","data":{"resultType":"vector","result":[{"value":5}]}})", R"([1,2])"}) {
    const auto r = checks::judge_prometheus_answer(bounded(0, 1), other);
    EXPECT_FALSE(r.healthy) << other;
    EXPECT_TRUE(r.detail == "q: not a Prometheus API answer" || r.detail == "q: a malformed sample" ||
                r.detail.find("result; the check needs") != std::string::npos)
        << other << " -> " << r.detail;
  }
  const auto junk = checks::judge_prometheus_answer(bounded(0, 1), "<html>");
  EXPECT_FALSE(junk.healthy);
  EXPECT_EQ(junk.detail, "q: not a Prometheus API answer");
}

TEST(PrometheusCheck, TheQueryReachesTheServerEncoded) {
  httplib::Server server;
  std::string seen;
  server.Get("/prefix/api/v1/query", [&seen](const httplib::Request& req, httplib::Response& res) {
    seen = req.get_param_value("query");
    res.set_content(
        R"({"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"7"]}]}})",
        "application/json");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  std::thread thread([&server] { server.listen_after_bind(); });
  auto check = bounded(std::nullopt, 5);
  check.url = "http://127.0.0.1:" + std::to_string(port) + "/prefix";
  check.query = R"(sum(faultline_injected_total{experiment="a b", fault=~"x.+"}) / 2 + 1)";
  const auto r = checks::run_prometheus(check);
  server.stop();
  thread.join();
  EXPECT_EQ(seen, check.query);
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail, check.query + ": 7 outside max 5");
}

TEST(PrometheusCheck, NoServerIsAFailureThatSaysSo) {
  auto check = bounded(std::nullopt, 5);
  const auto r = checks::run_prometheus(check); // port 1: nothing listens
  EXPECT_FALSE(r.healthy);
  EXPECT_EQ(r.detail.rfind("prometheus http://127.0.0.1:1: cannot connect (refused or unreachable)", 0), 0u)
      << r.detail;
}

} // namespace
} // namespace faultline::testing
