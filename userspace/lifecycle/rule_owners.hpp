// Which experiment and fault each rule id serves, or served last: the events reader names the
// fault behind every event it decodes. Ids go round robin, so an event read just after its
// experiment ended still names it. Its own lock: the reader never waits behind a start or stop.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "engine/compiler.hpp"
#include "observe/event_log.hpp"

namespace faultline::lifecycle {

class RuleOwners {
public:
  // Before the rules go live: their first events may be read at once.
  void add(const std::string& experiment, const engine::CompiledExperiment& compiled);
  // Rules that never went live: their ids name no fault of that experiment any more.
  void remove(const engine::CompiledExperiment& compiled);
  std::optional<observe::RuleOwner> find(std::uint32_t rule_id) const;

private:
  mutable std::mutex mu_;
  std::map<std::uint32_t, observe::RuleOwner> owners_;
};

} // namespace faultline::lifecycle
