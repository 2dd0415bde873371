// Resolves policy targets to cgroups on this host: a cgroup path, a pid's cgroup, a systemd
// unit's cgroup, or a container's cgroup in the docker, containerd and cri-o layouts.
#pragma once

#include <vector>

#include "kernel/cgroup.hpp"
#include "policy/policy.hpp"
#include "util/result.hpp"

namespace faultline::kernel {

class TargetResolver {
public:
  explicit TargetResolver(CgroupFs fs) : fs_(std::move(fs)) {}
  Result<std::vector<CgroupInfo>> resolve(const policy::TargetSpec& target) const;

private:
  Result<std::vector<CgroupInfo>> find_by_name(const policy::TargetSpec& target) const;
  CgroupFs fs_;
};

// Does a cgroup directory name belong to the container `id` (full id or a 12+ digit prefix)?
// docker (systemd driver): docker-<id>.scope; docker (cgroupfs driver): <id>;
// containerd/Kubernetes: cri-containerd-<id>.scope; cri-o: crio-<id>.scope.
bool is_container_cgroup_name(const std::string& dir_name, const std::string& id);

} // namespace faultline::kernel
