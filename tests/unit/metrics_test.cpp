// The Prometheus text faultlined serves at /metrics: the same counters as the views (status),
// one state series per possible state, label values escaped, the kernel's own counters.
#include <gtest/gtest.h>

#include "observe/metrics.hpp"

namespace faultline::observe {
namespace {

ExperimentView experiment(std::string name, std::string state) {
  ExperimentView v;
  v.name = std::move(name);
  v.state = std::move(state);
  v.remaining_ms = 1500;
  return v;
}

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(Metrics, CountersPerFaultEqualTheViews) {
  auto a = experiment("checkout-loss", "running");
  a.faults.push_back({"drop", "network", 1200, 130, {}});
  a.faults.push_back({"slow-disk", "file", 7, 0, {}});
  a.faults.push_back({"slow", "network", 50, 40, {}, 10});
  auto b = experiment("old", "completed");
  b.dry_run = true;
  b.faults.push_back({"err", "syscall", 4, 4, {}});
  const std::string text = prometheus_text({a, b}, {3, 5, 0});
  EXPECT_TRUE(has_line(
      text, R"(faultline_matched_total{experiment="checkout-loss",fault="drop",family="network"} 1200)"));
  EXPECT_TRUE(has_line(
      text, R"(faultline_injected_total{experiment="checkout-loss",fault="drop",family="network"} 130)"));
  EXPECT_TRUE(has_line(
      text, R"(faultline_matched_total{experiment="checkout-loss",fault="slow-disk",family="file"} 7)"));
  EXPECT_TRUE(has_line(text, R"(faultline_injected_total{experiment="old",fault="err",family="syscall"} 4)"));
  EXPECT_TRUE(has_line(
      text, R"(faultline_unapplied_total{experiment="checkout-loss",fault="slow",family="network"} 10)"));
  EXPECT_TRUE(
      has_line(text, R"(faultline_unapplied_total{experiment="old",fault="err",family="syscall"} 0)"));
  EXPECT_TRUE(has_line(text, R"(faultline_experiment_state{experiment="checkout-loss",state="running"} 1)"));
  EXPECT_TRUE(
      has_line(text, R"(faultline_experiment_state{experiment="checkout-loss",state="completed"} 0)"));
  EXPECT_TRUE(has_line(text, R"(faultline_experiment_state{experiment="old",state="completed"} 1)"));
  EXPECT_TRUE(has_line(text, R"(faultline_experiment_state{experiment="old",state="aborted"} 0)"));
  EXPECT_TRUE(has_line(text, R"(faultline_experiment_dry_run{experiment="old"} 1)"));
  EXPECT_TRUE(has_line(text, R"(faultline_experiment_remaining_seconds{experiment="old"} 1.500)"));
  EXPECT_TRUE(has_line(text, "faultline_events_dropped_total 3"));
  EXPECT_TRUE(has_line(text, "faultline_deadline_expired_total 5"));
  EXPECT_TRUE(has_line(text, "faultline_hook_mismatch_total 0"));
  EXPECT_TRUE(has_line(text, "# TYPE faultline_injected_total counter"));
  EXPECT_TRUE(has_line(text, "# TYPE faultline_experiment_state gauge"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(Metrics, LabelValuesAreEscaped) {
  auto a = experiment("a\"b\\c\nd", "stopped");
  a.faults.push_back({"f", "network", 1, 1, {}});
  const std::string text = prometheus_text({a}, {});
  EXPECT_TRUE(has_line(text, R"(faultline_experiment_state{experiment="a\"b\\c\nd",state="stopped"} 1)"))
      << text;
}

TEST(Metrics, NoExperimentsStillGivesTheKernelCounters) {
  const std::string text = prometheus_text({}, {0, 0, 9});
  EXPECT_TRUE(has_line(text, "faultline_hook_mismatch_total 9"));
  EXPECT_EQ(text.find("faultline_matched_total{"), std::string::npos);
}

} // namespace
} // namespace faultline::observe
