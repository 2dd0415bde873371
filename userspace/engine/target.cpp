#include "engine/target.hpp"

#include <algorithm>

namespace faultline::engine {

bool is_ancestor(const Target& a, const Target& b) {
  if (a.is_interface() || b.is_interface()) return false; // a device is in no cgroup's subtree
  if (a.path == "/") return b.path != "/";
  return b.path.size() > a.path.size() && b.path.compare(0, a.path.size(), a.path) == 0 &&
         b.path[a.path.size()] == '/';
}

Result<std::vector<Target>> select_targets(std::vector<Target> matched, const policy::Selection& selection,
                                           std::mt19937_64& rng) {
  if (matched.empty()) return make_error(ENOENT, "no target matched");
  // The same cgroup named twice (a pid inside a named cgroup) is one target.
  std::sort(matched.begin(), matched.end(),
            [](const Target& a, const Target& b) { return a.cgroup_id < b.cgroup_id; });
  matched.erase(std::unique(matched.begin(), matched.end(),
                            [](const Target& a, const Target& b) { return a.cgroup_id == b.cgroup_id; }),
                matched.end());
  if (selection.mode == policy::Selection::Mode::all) return matched;
  if (selection.mode == policy::Selection::Mode::count && selection.value > matched.size())
    return make_error(0, "selection asks for {} targets but only {} matched", selection.value,
                      matched.size());
  const size_t want = selection.mode == policy::Selection::Mode::count
                          ? selection.value
                          : std::max<size_t>(1, (matched.size() * selection.value + 99) / 100);
  std::shuffle(matched.begin(), matched.end(), rng);
  matched.resize(want);
  return matched;
}

} // namespace faultline::engine
