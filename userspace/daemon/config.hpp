// faultlined's own configuration, /etc/faultline/faultlined.yaml by default (docs/daemon.md):
// where it listens and journals, and the operator's safety limits. Unknown keys and wrong types
// are errors with file:line:col, like policies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lifecycle/journal.hpp"
#include "lifecycle/safety.hpp"
#include "util/result.hpp"

namespace faultline::daemon {

inline constexpr const char* kDefaultConfigPath = "/etc/faultline/faultlined.yaml";

struct DaemonConfig {
  std::string socket_path = "/run/faultline/faultline.sock";
  std::string journal_path = "/var/lib/faultline/journal.jsonl";
  std::uint64_t journal_max_bytes = lifecycle::Journal::kDefaultMaxBytes;
  lifecycle::SafetyOptions safety;
};

Result<DaemonConfig> parse_daemon_config(std::string_view text, const std::string& file);
// A missing file is the defaults unless `required` (the operator named it explicitly).
Result<DaemonConfig> load_daemon_config(const std::string& path, bool required);

} // namespace faultline::daemon
