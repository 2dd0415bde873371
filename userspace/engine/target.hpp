// A resolved target: one cgroup, by path, id and depth. Produced by the kernel layer's resolver,
// consumed by the compiler; a plain value so the engine never touches the kernel.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::engine {

struct Target {
  std::string path; // canonical: absolute, no "." / ".." / symlink / trailing '/'; "interface:eth0"
  std::uint64_t cgroup_id = 0; // for an interface: FL_IFACE_TARGET_BIT | ifindex (the rules' key)
  std::uint32_t level = 0;
  policy::Location origin;   // the policy target it came from, for messages
  std::string spec;          // that target as written ("cgroup: x", "pid: 1")
  std::uint32_t ifindex = 0; // an interface target's device (faultlined's namespace); 0 = a cgroup

  bool is_interface() const { return ifindex != 0; }
};

// Is `a` a strict ancestor of `b`? (canonical paths, compared on component boundaries)
bool is_ancestor(const Target& a, const Target& b);

// Applies spec.selection to the matched targets: all, count N (random N), percent P (random
// ceil(P% of them), at least one).
Result<std::vector<Target>> select_targets(std::vector<Target> matched, const policy::Selection& selection,
                                           std::mt19937_64& rng);

} // namespace faultline::engine
