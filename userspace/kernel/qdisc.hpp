// Root qdiscs over rtnetlink, in one network namespace: what EDT shaping needs. A departure
// time (skb->tstamp) is honoured only by fq, so delay and rate need fq as the root qdisc of each
// device the target's packets leave by. No tc binary, no libmnl: three messages.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::kernel {

struct NetDevice {
  int ifindex = 0;
  std::string name;
};

struct RootQdisc {
  std::string kind;         // "noqueue", "pfifo_fast", "mq", "fq", ...
  std::uint32_t handle = 0; // 0 = the kernel's default, attached when the device came up
};

// An rtnetlink socket in the calling thread's network namespace at the time of open().
class Rtnetlink {
public:
  static Result<Rtnetlink> open();

  Result<std::vector<NetDevice>> devices();
  // The device's root qdisc; kind "" when it has none.
  Result<RootQdisc> root_qdisc(int ifindex);
  // Makes fq (default parameters) the root qdisc; returns the handle the kernel gave it.
  Result<std::uint32_t> install_root_fq(int ifindex);
  // Deletes the root qdisc: the kernel puts the device's default back (noqueue on virtual
  // devices, pfifo_fast or mq on real ones), exactly what a handle-0 root was before.
  Status delete_root(int ifindex);

private:
  explicit Rtnetlink(UniqueFd fd) : fd_(std::move(fd)) {}
  Status request(void* msg, std::uint32_t len);
  Result<std::vector<std::vector<char>>> dump(void* msg, std::uint32_t len);

  UniqueFd fd_;
  std::uint32_t seq_ = 1;
};

// Inode of a network namespace file (/proc/PID/ns/net): its identity while it exists.
Result<std::uint64_t> netns_inode(const std::string& ns_path);

// Runs `fn` on a thread that joined the network namespace at `ns_path` (setns affects only the
// calling thread, so the daemon's other threads never change namespace).
Status in_netns(const std::string& ns_path, const std::function<Status()>& fn);

} // namespace faultline::kernel
