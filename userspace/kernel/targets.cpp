#include "kernel/targets.hpp"

#include <filesystem>

namespace faultline::kernel {
namespace {

std::string strip(const std::string& name, const std::string& prefix, const std::string& suffix) {
  if (name.size() < prefix.size() + suffix.size()) return {};
  if (name.compare(0, prefix.size(), prefix) != 0) return {};
  if (name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) return {};
  return name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
}

} // namespace

bool is_container_cgroup_name(const std::string& dir_name, const std::string& id) {
  for (const auto& [prefix, suffix] : {std::pair<std::string, std::string>{"docker-", ".scope"},
                                       {"cri-containerd-", ".scope"},
                                       {"crio-", ".scope"},
                                       {"", ""}}) {
    const std::string full = strip(dir_name, prefix, suffix);
    if (full.size() == 64 && full.compare(0, id.size(), id) == 0) return true;
  }
  return false;
}

Result<std::vector<CgroupInfo>> TargetResolver::find_by_name(const policy::TargetSpec& target) const {
  std::vector<CgroupInfo> found;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(fs_.mount_point(), ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec)) continue;
    const std::string name = it->path().filename().string();
    const bool match = target.kind == policy::TargetSpec::Kind::systemd
                           ? name == target.value
                           : is_container_cgroup_name(name, target.value);
    if (!match) continue;
    auto info = fs_.resolve(it->path().string());
    if (!info) return info.error();
    found.push_back(*info);
    it.disable_recursion_pending();
  }
  if (found.empty())
    return make_error(ENOENT, "no cgroup for {} '{}' under {}",
                      target.kind == policy::TargetSpec::Kind::systemd ? "systemd unit" : "container",
                      target.value, fs_.mount_point());
  return found;
}

Result<std::vector<CgroupInfo>> TargetResolver::resolve(const policy::TargetSpec& target) const {
  switch (target.kind) {
  case policy::TargetSpec::Kind::cgroup: {
    auto info = fs_.resolve(target.value);
    if (!info) return info.error();
    return std::vector<CgroupInfo>{*info};
  }
  case policy::TargetSpec::Kind::pid: {
    auto path = fs_.path_of_pid(static_cast<pid_t>(std::stol(target.value)));
    if (!path) return path.error();
    auto info = fs_.resolve(*path);
    if (!info) return info.error();
    return std::vector<CgroupInfo>{*info};
  }
  case policy::TargetSpec::Kind::systemd:
  case policy::TargetSpec::Kind::container: return find_by_name(target);
  case policy::TargetSpec::Kind::interface: break; // a device, not a cgroup: the host resolves it
  }
  return make_error(EINVAL, "unknown target kind");
}

} // namespace faultline::kernel
