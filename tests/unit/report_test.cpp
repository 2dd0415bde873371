// Reports: the timeline's bounded sampling, the verdict, JSON round trips, the text and the SVG
// plot, and the controller keeping an experiment's timeline past its end.
#include <gtest/gtest.h>

#include <regex>

#include "fake_host.hpp"
#include "faults/registry.hpp"
#include "lifecycle/controller.hpp"
#include "observe/experiment_report.hpp"
#include "observe/plot_svg.hpp"
#include "policy/parser.hpp"

namespace faultline::testing {
namespace {

observe::CounterSample counter_sample(std::int64_t t, std::uint64_t injected) {
  return {t, {injected}, {injected * 2}};
}

TEST(Timeline, PastItsBudgetKeepsEveryOtherSampleAndDoublesThePeriod) {
  observe::Timeline t(100, 8);
  for (int i = 0; i < 7; ++i)
    t.add(counter_sample(i * 100, static_cast<std::uint64_t>(i)));
  EXPECT_EQ(t.samples().size(), 7u);
  t.add(counter_sample(700, 7)); // the eighth fills the budget
  EXPECT_EQ(t.period_ms(), 200);
  ASSERT_EQ(t.samples().size(), 5u); // 0, 2, 4, 6 and the last
  EXPECT_EQ(t.samples().front().t_ms, 0);
  EXPECT_EQ(t.samples()[1].t_ms, 200);
  EXPECT_EQ(t.samples().back().t_ms, 700);
  EXPECT_FALSE(t.due(800)); // 100 ms after the last: the period is 200 ms now
  EXPECT_TRUE(t.due(900));
}

TEST(Timeline, ThinsHealthyChecksButKeepsEveryFailure) {
  observe::Timeline t(100, 10);
  for (int i = 0; i < 100; ++i)
    t.add(observe::CheckSample{i, "up", i % 10 != 7, 1000});
  std::size_t failed = 0;
  for (const auto& c : t.checks())
    failed += c.healthy ? 0 : 1;
  EXPECT_EQ(failed, 10u);
  EXPECT_LT(t.checks().size(), 40u);
}

observe::ExperimentReport finished_report(const std::string& state, const std::string& reason) {
  observe::ExperimentReport r;
  r.view.name = "checkout <db> & co";
  r.view.state = state;
  r.view.reason = reason;
  r.view.started_at_ms = 1'000'000;
  r.view.ended_at_ms = 1'010'000;
  r.view.duration_ms = 60'000;
  r.view.faults = {{"db-loss", "network", 900, 180, {}}, {"slow", "network", 900, 90, {}, 12}};
  r.view.stop_conditions = {"up"};
  r.timeline.add(observe::CounterSample{1'005'000, {100, 50}, {500, 500}});
  r.timeline.add(observe::CheckSample{1'004'000, "up", true, 2'500});
  r.timeline.add(observe::CheckSample{1'009'900, "up", false, 12'000});
  return r;
}

TEST(Report, VerdictFollowsHowItEnded) {
  auto r = finished_report("aborted", "stop condition 'up' breached: exit status 1 in 3 ms");
  EXPECT_EQ(observe::verdict(r.view), "aborted: stop condition 'up' breached: exit status 1 in 3 ms");
  r.view.state = "completed";
  EXPECT_EQ(observe::verdict(r.view), "held: no stop condition was breached (completed)");
  r.view.steady_state = true;
  r.view.recovery = "not known: faultline shut down before the steady state was back (x)";
  EXPECT_EQ(
      observe::verdict(r.view),
      "unknown: the steady state is not known: faultline shut down before the steady state was back (x)");
  r.view.steady_state = false;
  r.view.recovery.clear();
  r.view.stop_conditions.clear();
  EXPECT_EQ(observe::verdict(r.view),
            "no hypothesis: the experiment had no steady state and no stop conditions");
  r.view.state = "running";
  EXPECT_EQ(observe::verdict(r.view), "running");
}

TEST(Report, RoundTripsThroughJsonWithItsTimeline) {
  const auto r = finished_report("aborted", "why");
  const auto back = observe::report_from_json(observe::to_json(r));
  EXPECT_EQ(back.view.stop_conditions, r.view.stop_conditions);
  ASSERT_EQ(back.view.faults.size(), 2u);
  EXPECT_EQ(back.view.faults[1].unapplied, 12u);
  EXPECT_EQ(back.view.faults[0].unapplied, 0u);
  ASSERT_EQ(back.timeline.samples().size(), 1u);
  EXPECT_EQ(back.timeline.samples()[0].injected, (std::vector<std::uint64_t>{100, 50}));
  ASSERT_EQ(back.timeline.checks().size(), 2u);
  EXPECT_FALSE(back.timeline.checks()[1].healthy);
  EXPECT_EQ(back.timeline.checks()[1].took_us, 12'000u);
  EXPECT_EQ(observe::to_json(r)["verdict"], "aborted: why");
}

TEST(Report, TextSummarisesEachConditionAndTheVerdict) {
  const auto text = observe::to_text(finished_report("aborted", "why"));
  EXPECT_NE(text.find("  stop condition up: 2 check(s) recorded, 1 failed, slowest 12.0 ms\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  verdict: aborted: why\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  slow: 12 matched where the fault could not be made (not injected)"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("  db-loss: 0 matched where"), std::string::npos) << text;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
    ++n;
  return n;
}

TEST(PlotSvg, DrawsEachFaultEachCheckAndTheWindowWithTheNameEscaped) {
  const auto svg = observe::plot_svg(finished_report("aborted", "stop condition 'up' breached"));
  EXPECT_EQ(
      svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"", 0),
      0u);
  EXPECT_NE(svg.find("</svg>\n"), std::string::npos);
  EXPECT_NE(svg.find("<title>faultline experiment checkout &lt;db&gt; &amp; co</title>"), std::string::npos);
  EXPECT_EQ(svg.find("<db>"), std::string::npos); // never raw
  EXPECT_EQ(count(svg, "<polyline"), 2u);         // one line per fault
  EXPECT_EQ(count(svg, "<circle cx"), 2u + 2u);   // two checks, two legend marks
  EXPECT_NE(svg.find("<title>injection window</title>"), std::string::npos);
  EXPECT_NE(svg.find("aborted: stop condition &apos;up&apos; breached"), std::string::npos);
  EXPECT_NE(svg.find("<title>up: FAILED in 12.0 ms</title>"), std::string::npos);
  // Every number in a coordinate is finite: a zero-length window must not divide by zero.
  auto empty = finished_report("running", "");
  empty.view.ended_at_ms = 0;
  empty.view.duration_ms = 0;
  empty.timeline = {};
  const auto svg2 = observe::plot_svg(empty);
  EXPECT_EQ(svg2.find("nan"), std::string::npos);
  EXPECT_EQ(svg2.find("inf"), std::string::npos);
}

TEST(ControllerReport, KeepsTheTimelinePastTheEnd) {
  FakeHost host;
  lifecycle::Controller controller(host);
  auto p = faults::parse_policy("apiVersion: faultline/v1\nkind: Experiment\nmetadata: {name: web}\nspec:\n"
                                "  duration: 60s\n  targets: [{cgroup: /web}]\n"
                                "  faults: [{name: drop, network: {loss: 5%}}]\n"
                                "  stopConditions: [{name: up, command: 'exit 0'}]\n",
                                "w.yaml");
  ASSERT_TRUE(p) << p.error().message;
  auto started = controller.start(*p);
  ASSERT_TRUE(started);
  host.stats[0] = {10, 4};
  controller.tick(); // the first tick samples at once
  controller.record_check("web", started->run, {1, "up", true, 900});
  controller.record_check("web", started->run + 1, {2, "up", false, 900}); // another run's: dropped
  ASSERT_TRUE(controller.stop("web"));
  auto r = controller.report("web");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->view.state, "stopped");
  EXPECT_EQ(r->view.stop_conditions, std::vector<std::string>{"up"});
  ASSERT_EQ(r->timeline.samples().size(), 1u);
  EXPECT_EQ(r->timeline.samples()[0].injected, std::vector<std::uint64_t>{4});
  ASSERT_EQ(r->timeline.checks().size(), 1u);
  EXPECT_TRUE(r->timeline.checks()[0].healthy);
  EXPECT_EQ(controller.report("nosuch").error().code, ENOENT);
}

} // namespace
} // namespace faultline::testing
