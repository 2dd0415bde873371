#include "daemon/api.hpp"

#include "policy/parser.hpp"

namespace faultline::daemon {
namespace {

ApiResponse error_response(int status, const std::string& message) { return {status, {{"error", message}}}; }

ApiResponse from_error(const Error& e) { return error_response(http_status_for(e), e.describe()); }

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
  auto policy = policy::parse_policy(request["policy"].get<std::string>(), file);
  if (!policy) return from_error(policy.error());
  auto view = controller_.start(*policy);
  if (!view) return from_error(view.error());
  return {201, observe::to_json(*view)};
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

ApiResponse Api::route(const std::string& method, const std::string& path, const std::string& body) {
  static const std::string kPrefix = "/v1/experiments/";
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
