#include "daemon/config.hpp"

#include "faultline/abi.h"

#include <fstream>
#include <sstream>

#include "policy/yaml_reader.hpp"

namespace faultline::daemon {

Result<DaemonConfig> parse_daemon_config(std::string_view text, const std::string& file) {
  DaemonConfig config;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return config; // an empty file: the defaults
    const policy::Field f(&file, root, "");
    if (!f.is_map()) f.fail("expected a map of settings");
    f.expect_keys({"socket", "journal", "journalMaxBytes", "protectedCgroups", "maxTargets"});
    if (auto s = f.find("socket")) config.socket_path = s->str();
    if (auto j = f.find("journal")) config.journal_path = j->str();
    if (auto m = f.find("journalMaxBytes")) {
      config.journal_max_bytes = m->size_bytes();
      if (config.journal_max_bytes < 4096) m->fail("must be at least 4Ki");
    }
    if (auto p = f.find("protectedCgroups")) {
      if (!p->is_sequence()) p->fail("expected a list of cgroup paths");
      for (const auto& item : p->items()) {
        const std::string path = item.str();
        if (path.empty()) item.fail("must not be empty");
        config.safety.protected_cgroups.push_back(path);
      }
    }
    if (auto t = f.find("maxTargets")) {
      // The kernel's rule table holds FL_MAX_RULE_KEYS (cgroup, hook) sets for all experiments.
      config.safety.max_targets = static_cast<std::uint32_t>(t->uint(FL_MAX_RULE_KEYS));
      if (config.safety.max_targets == 0) t->fail("must be at least 1");
    }
  } catch (const policy::PolicyError& e) {
    return Error{0, e.what()};
  } catch (const YAML::Exception& e) {
    return make_error(0, "{}:{}:{}: invalid YAML: {}", file, e.mark.line + 1, e.mark.column + 1, e.msg);
  }
  return config;
}

Result<DaemonConfig> load_daemon_config(const std::string& path, bool required) {
  std::ifstream in(path);
  if (!in) {
    if (!required && errno == ENOENT) return DaemonConfig{};
    return make_error(errno, "cannot read the daemon config {}", path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_daemon_config(ss.str(), path);
}

} // namespace faultline::daemon
