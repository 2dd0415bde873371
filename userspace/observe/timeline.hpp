// What an experiment's counters and stop-condition checks did over time: the report's timeline
// and its plot. Counters are sampled on a period; when the samples fill their budget, every
// other one is dropped and the period doubles, so a 24-hour experiment costs what a minute does.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace faultline::observe {

struct CounterSample {
  std::int64_t t_ms = 0;               // unix time
  std::vector<std::uint64_t> injected; // per fault, in the experiment's order
  std::vector<std::uint64_t> matched;
};

struct CheckSample {
  std::int64_t t_ms = 0;
  std::string condition;
  bool healthy = false;
  std::uint64_t took_us = 0;
};

class Timeline {
public:
  Timeline() = default; // a sample every 100 ms, 1,200 kept
  Timeline(std::int64_t period_ms, std::size_t budget) : period_ms_(period_ms), budget_(budget) {}

  bool due(std::int64_t now_ms) const {
    return samples_.empty() || now_ms - samples_.back().t_ms >= period_ms_;
  }
  void add(CounterSample sample);
  // Every check while few; thinned like the counters past the budget, but a failed check is kept.
  void add(CheckSample check);

  const std::vector<CounterSample>& samples() const { return samples_; }
  const std::vector<CheckSample>& checks() const { return checks_; }
  std::int64_t period_ms() const { return period_ms_; }

  // {"periodMs", "samples": [{"t", "injected": [..], "matched": [..]}], "checks": [{"t",
  // "condition", "healthy", "tookUs"}]}
  nlohmann::json to_json() const;
  static Timeline from_json(const nlohmann::json& j);

private:
  std::int64_t period_ms_ = 100;
  std::size_t budget_ = 1200;
  std::vector<CounterSample> samples_;
  std::vector<CheckSample> checks_;
  std::size_t checks_seen_ = 0; // healthy checks offered, for thinning
  std::size_t check_stride_ = 1;
};

} // namespace faultline::observe
