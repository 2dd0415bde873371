#include "support/fixtures.hpp"

#include "engine/abi_encode.hpp"
#include "engine/compiler.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace faultline::testing {

Result<TestCgroups> TestCgroups::create(const std::string& tag) {
  auto fs = kernel::CgroupFs::discover();
  if (!fs) return fs.error();
  TestCgroups t{*fs, {}, {}, {}, {}};
  const std::string base = fs->mount_point() + "/faultline-test-" + tag + "-" + std::to_string(::getpid());
  auto parent = kernel::ScopedCgroup::create(base);
  if (!parent) return parent.error();
  t.parent.emplace(std::move(*parent));
  auto target = kernel::ScopedCgroup::create(base + "/target");
  if (!target) return target.error();
  t.target.emplace(std::move(*target));
  auto control = kernel::ScopedCgroup::create(base + "/control");
  if (!control) return control.error();
  t.control.emplace(std::move(*control));
  auto info = fs->resolve(base + "/target");
  if (!info) return info.error();
  t.target_info = *info;
  return t;
}

bool attach_enabled() {
  const char* v = std::getenv("FAULTLINE_TEST_DETACHED");
  const bool detached = v != nullptr && std::string_view(v) == "1";
  if (detached)
    std::fprintf(stderr, "FAULTLINE_TEST_DETACHED=1: BPF programs are NOT attached; this test must fail\n");
  return !detached;
}

fl_rule make_rule(std::uint32_t rule_id, fl_action action, double probability, std::uint64_t lifetime_ns) {
  fl_rule r{};
  r.rule_id = rule_id;
  r.effect.action = action;
  const std::uint64_t now = monotonic_ns();
  r.trigger.start_ns = 0;
  r.trigger.deadline_ns = now + lifetime_ns;
  r.trigger.probability = engine::probability_threshold(probability);
  return r;
}

} // namespace faultline::testing
