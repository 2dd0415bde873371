// libFuzzer target for the policy parser: any input must come back as a Policy or an Error,
// never a crash, a hang, a leak, an uncaught exception or undefined behaviour.
// Built and run by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "faults/registry.hpp"
#include "policy/parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = faultline::faults::parse_policy(text, "fuzz.yaml");
  if (!policy && policy.error().message.empty()) __builtin_trap(); // every refusal says why
  return 0;
}
