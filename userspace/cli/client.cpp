#include "cli/client.hpp"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

namespace faultline::cli {

Result<nlohmann::json> DaemonClient::call(const std::string& method, const std::string& path,
                                          const nlohmann::json& body) {
  httplib::Client client(socket_path_);
  client.set_address_family(AF_UNIX);
  client.set_read_timeout(30, 0);
  httplib::Result res{nullptr, httplib::Error::Unknown};
  // A connect that fails while the socket exists (a burst filled the daemon's backlog: EAGAIN)
  // is retried with backoff for up to ~5 s. Only connects: a request that was sent is never
  // sent twice.
  auto delay = std::chrono::milliseconds(5);
  for (auto waited = std::chrono::milliseconds(0);;
       waited += delay, delay = std::min(delay * 2, std::chrono::milliseconds(500))) {
    if (method == "GET")
      res = client.Get(path);
    else if (method == "DELETE")
      res = client.Delete(path);
    else
      res = client.Post(path, body.dump(), "application/json");
    std::error_code ec;
    if (res || res.error() != httplib::Error::Connection || waited >= std::chrono::seconds(5) ||
        !std::filesystem::exists(socket_path_, ec))
      break;
    std::this_thread::sleep_for(delay);
  }
  if (!res)
    return make_error(ECONNREFUSED, "cannot reach faultlined at {} ({}); is it running? (sudo faultlined)",
                      socket_path_, httplib::to_string(res.error()));
  auto json = nlohmann::json::parse(res->body, nullptr, false);
  if (json.is_discarded())
    return make_error(EPROTO, "faultlined answered {} with a non-JSON body", res->status);
  if (res->status >= 300) {
    const int code = res->status == 404   ? ENOENT
                     : res->status == 409 ? EEXIST
                     : res->status == 422 ? EOPNOTSUPP
                                          : 0;
    return Error{code, json.value("error", "request failed")};
  }
  return json;
}

} // namespace faultline::cli
