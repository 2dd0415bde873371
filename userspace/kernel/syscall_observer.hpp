// Counts the syscalls a cgroup's tasks (and its descendants') make and the errors those calls
// return, from the raw sys_exit tracepoint (bpf/observe.bpf.c): what `faultline observe` reports
// and amplifies. It only counts; nothing is injected.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <utility>

#include "kernel/cgroup.hpp"
#include "util/result.hpp"

struct observe_bpf;

namespace faultline::kernel {

struct ObservedSyscalls {
  std::map<int, std::uint64_t> calls;                  // syscall number -> calls
  std::map<std::pair<int, int>, std::uint64_t> errors; // (syscall number, errno) -> calls
  std::uint64_t lost = 0;     // errors not counted: more distinct (syscall, errno) pairs than fit
  std::uint64_t internal = 0; // -ERESTART* exits, which the task never sees as such
};

class SyscallObserver {
public:
  // Loads and attaches the counter for this cgroup; counting starts on return.
  static Result<SyscallObserver> start(const CgroupInfo& target);
  SyscallObserver(SyscallObserver&&) noexcept;
  SyscallObserver& operator=(SyscallObserver&&) noexcept;
  ~SyscallObserver();

  // The counts so far (summed over CPUs).
  Result<ObservedSyscalls> read() const;

private:
  struct Loaded;
  explicit SyscallObserver(std::unique_ptr<Loaded> loaded);
  std::unique_ptr<Loaded> loaded_;
};

} // namespace faultline::kernel
