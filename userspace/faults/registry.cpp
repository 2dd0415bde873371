// The one place a fault family is plugged in: one line each. Its folder holds everything else
// (section parser, compile step, backends, BPF programs in bpf/<family>/, tests, doc page).
#include "faults/registry.hpp"

namespace faultline::faults {

const Family& network_family();
const Family& file_family();
const Family& syscall_family();
const Family& process_family();
const Family& resource_family();

const std::vector<const Family*>& families() {
  static const std::vector<const Family*> kFamilies = {
      &network_family(), &file_family(), &syscall_family(), &process_family(), &resource_family(),
  };
  return kFamilies;
}

} // namespace faultline::faults
