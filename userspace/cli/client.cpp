#include "cli/client.hpp"

#include <httplib.h>

namespace faultline::cli {

Result<nlohmann::json> DaemonClient::call(const std::string& method, const std::string& path,
                                          const nlohmann::json& body) {
  httplib::Client client(socket_path_);
  client.set_address_family(AF_UNIX);
  client.set_read_timeout(30, 0);
  httplib::Result res{nullptr, httplib::Error::Unknown};
  if (method == "GET")
    res = client.Get(path);
  else if (method == "DELETE")
    res = client.Delete(path);
  else
    res = client.Post(path, body.dump(), "application/json");
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
