#include "util/result.hpp"

#include <cstring>

namespace faultline {

std::string Error::describe() const {
  if (code == 0) return message;
  return fmt::format("{}: {} ({})", message, std::strerror(code), code);
}

} // namespace faultline
