// faultline: the command-line client. Subcommands are thin; the work lives in the libraries.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "cli/doctor.hpp"
#include "kernel/features.hpp"
#include "util/log.hpp"

namespace {

int usage(FILE* out) {
  std::fprintf(out, "usage: faultline doctor [--json] [--require FEATURE...]\n"
                    "  doctor   what this kernel supports, per fault family, and why not\n");
  return out == stderr ? 2 : 0;
}

} // namespace

int main(int argc, char** argv) {
  try {
    if (argc < 2) return usage(stderr);
    const std::string cmd = argv[1];
    if (cmd == "-h" || cmd == "--help") return usage(stdout);
    if (cmd == "doctor") {
      bool json = false;
      std::vector<std::string> require;
      for (int i = 2; i < argc; ++i) {
        if (std::strcmp(argv[i], "--json") == 0)
          json = true;
        else if (std::strcmp(argv[i], "--require") == 0 && i + 1 < argc)
          require.emplace_back(argv[++i]);
        else
          return usage(stderr);
      }
      faultline::kernel::Features features(std::make_unique<faultline::kernel::KernelFeatureProbe>());
      return faultline::cli::run_doctor(features, require, json);
    }
    std::fprintf(stderr, "faultline: unknown command '%s'\n", cmd.c_str());
    return usage(stderr);
  } catch (const std::exception& e) {
    faultline::log::error("fatal: {}", e.what());
    return 1;
  }
}
