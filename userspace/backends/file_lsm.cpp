#include "backends/file_open.hpp"

namespace faultline::backends {

const KernelBackend& file_lsm() {
  static const FileOpenBackend kBackend("file.lsm", "file-open errors under a path prefix, BPF-LSM file_open",
                                        kernel::Feature::lsm, "fl_lsm_file_open");
  return kBackend;
}

} // namespace faultline::backends
