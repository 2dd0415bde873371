#include "daemon/api.hpp"

#include <fmt/format.h>

#include <charconv>
#include <map>

#include "faults/registry.hpp"
#include "lifecycle/steady_state.hpp"

namespace faultline::daemon {
namespace {

ApiResponse error_response(int status, const std::string& message) { return {status, {{"error", message}}}; }

ApiResponse from_error(const Error& e) { return error_response(http_status_for(e), e.describe()); }

// "a=1&b=x" -> {a: 1, b: x}; names and values are plain (experiment names are [a-z0-9-]), so
// nothing is percent-decoded: a value that needs it is refused by the checks of its key.
std::map<std::string, std::string> parse_query(const std::string& query) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos < query.size()) {
    std::size_t end = query.find('&', pos);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(pos, end - pos);
    const std::size_t eq = pair.find('=');
    if (!pair.empty()) out[pair.substr(0, eq)] = eq == std::string::npos ? "" : pair.substr(eq + 1);
    pos = end + 1;
  }
  return out;
}

std::optional<std::uint64_t> parse_uint(const std::string& s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

} // namespace

int http_status_for(const Error& error) {
  switch (error.code) {
  case 0: return 400;     // bad input: the message says where
  case EPERM: return 403; // the safety guard refused a target
  case ENOENT: return 404;
  case EEXIST: return 409;
  case EOPNOTSUPP: return 422;
  case E2BIG:
  case ENOSPC: return 507;
  default: return 500;
  }
}

ApiResponse Api::apply(const std::string& body) {
  static const char* kShape =
      "expected a JSON object {\"policy\": \"<policy YAML>\", \"file\": \"name.yaml\"}";
  auto request = nlohmann::json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object() || !request.contains("policy") ||
      !request["policy"].is_string())
    return error_response(400, kShape);
  for (const auto& [key, value] : request.items())
    if (key != "policy" && key != "file")
      return error_response(400, std::string("unknown field '") + key + "'; " + kShape);
  if (request.contains("file") && !request["file"].is_string())
    return error_response(400, std::string("\"file\" must be a string; ") + kShape);
  const std::string file = request.value("file", "policy.yaml");
  auto policy = faults::parse_policy(request["policy"].get<std::string>(), file);
  if (!policy) return from_error(policy.error());
  if ((!policy->stop_conditions.empty() || policy->steady_state) && watchdog_ == nullptr)
    return error_response(422,
                          "this server checks no stop conditions or steady state; the experiment was not "
                          "started");
  // The hypothesis must hold before anything is injected.
  if (policy->steady_state)
    if (auto before = lifecycle::check_probes(*policy->steady_state, controller_.probe_counters(*policy));
        !before.held)
      return error_response(412, fmt::format("experiment {} not started: its steady state does not hold: {}",
                                             policy->name, before.detail));
  auto view = controller_.start(*policy);
  if (!view) return from_error(view.error());
  if (watchdog_ != nullptr)
    if (auto watched = watchdog_->watch(*policy, view->run); !watched) return from_error(watched.error());
  return {201, observe::to_json(*view)};
}

ApiResponse Api::events(const std::string& query) {
  if (events_.log == nullptr) return error_response(404, "this faultlined keeps no events");
  std::uint64_t after = 0;
  std::uint64_t wait_ms = 0;
  std::uint64_t max = 1000;
  std::string experiment;
  for (const auto& [key, value] : parse_query(query)) {
    if (key == "experiment") {
      if (value.empty() ||
          value.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)
        return error_response(
            400, fmt::format("experiment: an experiment name ([a-z0-9-]) was expected, got '{}'", value));
      experiment = value;
      continue;
    }
    if (key != "after" && key != "waitMs" && key != "max")
      return error_response(400, fmt::format("unknown parameter '{}' (after, experiment, waitMs, max)", key));
    const auto n = parse_uint(value);
    if (!n)
      return error_response(400,
                            fmt::format("{}: a non-negative integer was expected, got '{}'", key, value));
    if (key == "after") {
      after = *n;
    } else if (key == "waitMs") {
      if (*n > 10000) return error_response(400, "waitMs: at most 10000 (a follower asks again)");
      wait_ms = *n;
    } else {
      if (*n < 1 || *n > 10000) return error_response(400, "max: 1 to 10000 events per page");
      max = *n;
    }
  }
  // A slot among the waiting followers, or an answer now: 503, not a wait that would take the
  // worker a stop request needs.
  struct Slot {
    std::atomic<int>* waiting = nullptr;
    ~Slot() {
      if (waiting != nullptr) waiting->fetch_sub(1);
    }
  } slot;
  if (wait_ms > 0) {
    if (waiting_.fetch_add(1) >= events_.max_waiting) {
      waiting_.fetch_sub(1);
      return error_response(503,
                            fmt::format("{} followers are waiting for events already, the most faultlined "
                                        "allows at once; try again when one has ended",
                                        events_.max_waiting));
    }
    slot.waiting = &waiting_;
  }
  auto page = events_.log->read(after, experiment, max, std::chrono::milliseconds(wait_ms));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : page.events)
    list.push_back(observe::to_json(e));
  return {200,
          {{"events", std::move(list)},
           {"next", page.next},
           {"lost", page.lost},
           {"droppedInKernel", events_.dropped_in_kernel ? events_.dropped_in_kernel() : 0}}};
}

ApiResponse Api::handle(const std::string& method, const std::string& path, const std::string& body,
                        const Caller& caller) {
  ApiResponse r = route(method, path, body);
  if (journal_ != nullptr && method != "GET")
    journal_->record("request", r.body.is_object() ? r.body.value("name", "") : "",
                     {{"caller", {{"uid", caller.uid}, {"pid", caller.pid}}},
                      {"method", method},
                      {"path", path},
                      {"status", r.status}});
  return r;
}

ApiResponse Api::route(const std::string& method, const std::string& target, const std::string& body) {
  static const std::string kPrefix = "/v1/experiments/";
  // Only /v1/events reads a query; elsewhere it is ignored, as it always was.
  const std::size_t q = target.find('?');
  const std::string path = target.substr(0, q);
  if (path == "/v1/events") {
    if (method != "GET") return error_response(405, "use GET on /v1/events");
    return events(q == std::string::npos ? "" : target.substr(q + 1));
  }
  if (path == "/v1/health" && method == "GET") return {200, {{"status", "ok"}}};
  if (path == "/v1/doctor" && method == "GET") return {200, doctor_()};
  if (path == "/v1/experiments") {
    if (method == "POST") return apply(body);
    if (method == "GET") {
      nlohmann::json list = nlohmann::json::array();
      for (const auto& v : controller_.list())
        list.push_back(observe::to_json(v));
      return {200, list};
    }
    return error_response(405, "use GET or POST on /v1/experiments");
  }
  static const std::string kReport = "/report";
  if (path.rfind(kPrefix, 0) == 0 && path.size() > kPrefix.size() + kReport.size() &&
      path.compare(path.size() - kReport.size(), kReport.size(), kReport) == 0) {
    if (method != "GET") return error_response(405, "use GET on /v1/experiments/NAME/report");
    auto r = controller_.report(path.substr(kPrefix.size(), path.size() - kPrefix.size() - kReport.size()));
    return r ? ApiResponse{200, observe::to_json(*r)} : from_error(r.error());
  }
  if (path.rfind(kPrefix, 0) == 0 && path.size() > kPrefix.size()) {
    const std::string name = path.substr(kPrefix.size());
    if (method == "GET") {
      auto v = controller_.get(name);
      return v ? ApiResponse{200, observe::to_json(*v)} : from_error(v.error());
    }
    if (method == "DELETE") {
      auto v = controller_.stop(name);
      return v ? ApiResponse{200, observe::to_json(*v)} : from_error(v.error());
    }
    return error_response(405, "use GET or DELETE on /v1/experiments/NAME");
  }
  if (path == "/v1/stop-all" && method == "POST") {
    size_t n = 0;
    for (const auto& v : controller_.list())
      n += v.state == "running" ? 1 : 0;
    auto st = controller_.stop_all();
    if (!st) return from_error(st.error());
    return {200, {{"stopped", n}}};
  }
  return error_response(404, "no such endpoint: " + method + " " + path);
}

} // namespace faultline::daemon
