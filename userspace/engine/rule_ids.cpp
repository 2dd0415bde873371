#include "engine/rule_ids.hpp"

namespace faultline::engine {

Result<std::uint32_t> RuleIdAllocator::take() {
  for (std::uint32_t i = 0; i < FL_MAX_RULES; ++i) {
    const std::uint32_t id = (next_ + i) % FL_MAX_RULES;
    if (!used_.test(id)) {
      used_.set(id);
      next_ = (id + 1) % FL_MAX_RULES;
      return id;
    }
  }
  return make_error(ENOSPC, "all {} rule slots are in use; stop an experiment first", FL_MAX_RULES);
}

void RuleIdAllocator::give_back(std::uint32_t id) {
  if (id < FL_MAX_RULES) used_.reset(id);
}

} // namespace faultline::engine
