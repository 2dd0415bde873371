// libFuzzer target for the policy parser: any input must come back as a Policy or an Error,
// never a crash, a hang, a leak, an uncaught exception or undefined behaviour.
// Built and run by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "policy/fault_section.hpp"
#include "policy/parser.hpp"

// Every family's section (scripts/fuzz.sh writes it from the family folders): the parser alone,
// without the backends and the kernel layer the registry brings.
faultline::policy::FaultSections fuzz_sections();

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const faultline::policy::FaultSections sections = fuzz_sections();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto policy = faultline::policy::parse_policy(text, "fuzz.yaml", sections);
  if (!policy && policy.error().message.empty()) __builtin_trap(); // every refusal says why
  return 0;
}
