// TCP retransmits of the sockets in watched cgroups (and their descendants), from the
// tcp_retransmit_skb tracepoint (bpf/retransmits.bpf.c): what a `counter: {metric:
// tcpRetransmits}` stop condition reads. Loaded once, on the first experiment that needs it.
#pragma once

#include <cstdint>
#include <memory>

#include "util/result.hpp"

namespace faultline::kernel {

class RetransmitCounter {
public:
  // Loads and attaches the program; nothing is counted until a cgroup is watched.
  static Result<RetransmitCounter> start();
  RetransmitCounter(RetransmitCounter&&) noexcept;
  RetransmitCounter& operator=(RetransmitCounter&&) noexcept;
  ~RetransmitCounter();

  // Retransmits below cgroup `id` since it was first watched; the first call starts watching
  // it (and returns 0). Past FL_RETRANS_MAX_CGROUPS watched cgroups the least recently read one
  // is dropped: its count starts again from 0 if it is read again (lifecycle::RunCount copes).
  Result<std::uint64_t> count(std::uint64_t cgroup_id);

private:
  struct Loaded;
  explicit RetransmitCounter(std::unique_ptr<Loaded> loaded);
  std::unique_ptr<Loaded> loaded_;
};

} // namespace faultline::kernel
