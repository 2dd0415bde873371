#include "checks/prometheus_check.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "checks/http_get.hpp"

namespace faultline::checks {
namespace {

struct Sample {
  std::string series; // {job="x",code="500"}, empty for a scalar
  double value = 0;
};

// A query is often long: the detail names enough of it to recognise.
std::string short_query(const std::string& q) {
  constexpr std::size_t kMax = 80;
  return q.size() <= kMax ? q : q.substr(0, kMax - 3) + "...";
}

std::string series_of(const nlohmann::json& metric) {
  if (!metric.is_object() || metric.empty()) return "";
  std::string s = "{";
  for (const auto& [k, v] : metric.items()) {
    if (s.size() > 1) s += ",";
    s += fmt::format("{}=\"{}\"", k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  return s + "}";
}

// [unix time, "value"]: Prometheus sends the value as a string ("NaN", "+Inf" included).
bool value_of(const nlohmann::json& pair, double& out) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string()) return false;
  const std::string s = pair[1].get<std::string>();
  char* end = nullptr;
  out = std::strtod(s.c_str(), &end);
  return end != s.c_str() && *end == '\0';
}

std::string bounds(const policy::PrometheusCheck& c) {
  if (c.min && c.max) return fmt::format("{}..{}", *c.min, *c.max);
  if (c.max) return fmt::format("max {}", *c.max);
  return fmt::format("min {}", *c.min);
}

CheckResult verdict(bool healthy, std::string detail) { return {healthy, std::move(detail), 0}; }

// A member of an object, or null when it is missing: an answer from something that is not
// Prometheus (an application's own JSON error) must give a failed check, not an exception.
nlohmann::json member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() ? nlohmann::json() : *it;
}
std::string string_member(const nlohmann::json& object, const char* key, const std::string& fallback) {
  const auto m = member(object, key);
  return m.is_string() ? m.get<std::string>() : fallback;
}

} // namespace

CheckResult judge_prometheus_answer(const policy::PrometheusCheck& check, const std::string& body) {
  const std::string q = short_query(check.query);
  const auto doc = nlohmann::json::parse(body, nullptr, false);
  const std::string status = doc.is_discarded() ? "" : string_member(doc, "status", "");
  if (status == "error")
    return verdict(false, fmt::format("{}: {}: {}", q, string_member(doc, "errorType", "error"),
                                      string_member(doc, "error", "no reason given")));
  const auto data = member(doc, "data");
  if (status != "success" || !data.is_object())
    return verdict(false, fmt::format("{}: not a Prometheus API answer", q));
  const std::string type = string_member(data, "resultType", "");
  const auto result = member(data, "result");
  std::vector<Sample> samples;
  if (type == "scalar") {
    Sample s;
    if (!value_of(result, s.value)) return verdict(false, fmt::format("{}: a malformed scalar", q));
    samples.push_back(s);
  } else if (type == "vector" && result.is_array()) {
    for (const auto& item : result) {
      Sample s;
      if (!value_of(member(item, "value"), s.value))
        return verdict(false, fmt::format("{}: a malformed sample", q));
      s.series = series_of(member(item, "metric"));
      samples.push_back(std::move(s));
    }
  } else {
    return verdict(false, fmt::format("{}: a {} result; the check needs a number per series (an instant "
                                      "vector or a scalar, e.g. wrap a range in rate())",
                                      q, type.empty() ? "malformed" : type));
  }
  if (samples.empty())
    return verdict(check.empty_healthy,
                   fmt::format("{}: no samples{}", q, check.empty_healthy ? " (ifEmpty: healthy)" : ""));
  // The worst sample decides: NaN, then the one furthest outside the bounds.
  const Sample* worst = nullptr;
  double worst_by = 0;
  for (const auto& s : samples) {
    if (std::isnan(s.value)) {
      worst = &s;
      break;
    }
    const double by =
        std::max(check.max ? s.value - *check.max : -INFINITY, check.min ? *check.min - s.value : -INFINITY);
    if (worst == nullptr || by > worst_by) {
      worst = &s;
      worst_by = by;
    }
  }
  const std::string count = samples.size() == 1 ? "" : fmt::format(" ({} series)", samples.size());
  if (std::isnan(worst->value)) return verdict(false, fmt::format("{}: NaN{}{}", q, worst->series, count));
  if (worst_by > 0)
    return verdict(
        false, fmt::format("{}: {}{} outside {}{}", q, worst->value, worst->series, bounds(check), count));
  return verdict(true,
                 fmt::format("{}: {}{} within {}{}", q, worst->value, worst->series, bounds(check), count));
}

CheckResult run_prometheus(const policy::PrometheusCheck& check) {
  const std::string url = check.url + "/api/v1/query?query=" + url_encode(check.query);
  const HttpAnswer a = http_get(url, check.timeout_ns);
  CheckResult r;
  r.took_ns = a.took_ns;
  if (!a.answered) {
    r.detail = fmt::format("prometheus {}: {} ({} ms)", check.url, a.failure, a.took_ns / 1000000);
    return r;
  }
  // The API answers errors (a bad query: 400, a timeout: 503) with a JSON body naming them.
  if (a.status != 200 && a.body.find("\"status\"") == std::string::npos) {
    r.detail = fmt::format("prometheus {}: HTTP {}", check.url, a.status);
    return r;
  }
  r = judge_prometheus_answer(check, a.body);
  r.took_ns = a.took_ns;
  return r;
}

} // namespace faultline::checks
