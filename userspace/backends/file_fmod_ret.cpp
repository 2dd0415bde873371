#include "backends/file_open.hpp"

namespace faultline::backends {

const KernelBackend& file_fmod_ret() {
  static const FileOpenBackend kBackend(
      "file.fmod_ret", "file-open errors under a path prefix, fmod_ret on security_file_open",
      kernel::Feature::fmod_ret_security, "fl_fmod_file_open");
  return kBackend;
}

} // namespace faultline::backends
