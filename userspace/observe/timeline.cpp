#include "observe/timeline.hpp"

namespace faultline::observe {
namespace {

// Keeps every other element (the first and the last always).
template <typename T> void halve(std::vector<T>& v) {
  if (v.size() < 3) return;
  std::vector<T> kept;
  kept.reserve(v.size() / 2 + 2);
  for (std::size_t i = 0; i + 1 < v.size(); i += 2)
    kept.push_back(std::move(v[i]));
  kept.push_back(std::move(v.back()));
  v = std::move(kept);
}

} // namespace

void Timeline::add(CounterSample sample) {
  samples_.push_back(std::move(sample));
  if (samples_.size() < budget_) return;
  halve(samples_);
  period_ms_ *= 2;
}

void Timeline::add(CheckSample check) {
  // Failures always stay: they are what the report is read for.
  if (check.healthy && checks_seen_++ % check_stride_ != 0) return;
  checks_.push_back(std::move(check));
  if (checks_.size() < budget_) return;
  std::vector<CheckSample> kept;
  std::size_t healthy = 0;
  for (auto& c : checks_)
    if (!c.healthy || healthy++ % 2 == 0) kept.push_back(std::move(c));
  checks_ = std::move(kept);
  check_stride_ *= 2;
}

nlohmann::json Timeline::to_json() const {
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& s : samples_)
    samples.push_back({{"t", s.t_ms}, {"injected", s.injected}, {"matched", s.matched}});
  nlohmann::json checks = nlohmann::json::array();
  for (const auto& c : checks_)
    checks.push_back(
        {{"t", c.t_ms}, {"condition", c.condition}, {"healthy", c.healthy}, {"tookUs", c.took_us}});
  return {{"periodMs", period_ms_}, {"samples", samples}, {"checks", checks}};
}

Timeline Timeline::from_json(const nlohmann::json& j) {
  Timeline t;
  t.period_ms_ = j.value("periodMs", std::int64_t{100});
  for (const auto& s : j.value("samples", nlohmann::json::array()))
    t.samples_.push_back({s.value("t", std::int64_t{0}), s.value("injected", std::vector<std::uint64_t>{}),
                          s.value("matched", std::vector<std::uint64_t>{})});
  for (const auto& c : j.value("checks", nlohmann::json::array()))
    t.checks_.push_back({c.value("t", std::int64_t{0}), c.value("condition", ""), c.value("healthy", false),
                         c.value("tookUs", std::uint64_t{0})});
  return t;
}

} // namespace faultline::observe
