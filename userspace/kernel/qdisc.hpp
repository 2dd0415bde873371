// Qdiscs over rtnetlink, in one network namespace: read a device's root, replace it by a qdisc
// (or a tree of them, one add per node), delete it. No tc binary, no libmnl: a few messages.
#pragma once

#include <cstddef>
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

// A qdisc's options (TCA_OPTIONS): some qdiscs take a fixed struct (prio, netem), others
// attributes of their own (fq); both are written here as bytes.
class QdiscOptions {
public:
  // Appends the raw bytes of a struct (the kernel reads it at the start of TCA_OPTIONS).
  QdiscOptions& raw(const void* data, std::size_t len);
  // Appends one attribute (type, 4-byte value) inside TCA_OPTIONS.
  QdiscOptions& u32(unsigned short type, std::uint32_t value);
  const std::vector<char>& bytes() const { return bytes_; }

private:
  std::vector<char> bytes_;
};

// One qdisc to add: under `parent` (TC_H_ROOT or a class "major:minor"), with its own handle.
struct QdiscSpec {
  std::uint32_t parent = 0;
  std::uint32_t handle = 0; // major:0
  std::string kind;
  QdiscOptions options;
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
  // Adds the qdisc; at the root it replaces what is there (the caller checked what that was).
  Status add_qdisc(int ifindex, const QdiscSpec& spec);
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
