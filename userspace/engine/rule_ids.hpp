// Rule ids index the kernel's per-rule counters; each live fault holds its ids until it stops.
#pragma once

#include <bitset>
#include <cstdint>

#include "faultline/abi.h"
#include "util/result.hpp"

namespace faultline::engine {

class RuleIdAllocator {
public:
  Result<std::uint32_t> take();
  void give_back(std::uint32_t id);
  std::size_t in_use() const { return used_.count(); }

private:
  std::bitset<FL_MAX_RULES> used_;
  std::uint32_t next_ = 0; // round robin, so a freed id is not reused at once
};

} // namespace faultline::engine
