#include "kernel/libbpf_log.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "util/log.hpp"

namespace faultline::kernel {
namespace {

int libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  const log::Level ours = level == LIBBPF_WARN ? log::Level::warn : log::Level::debug;
  if (!log::enabled(ours)) return 0;
  char buf[4096];
  const int n = std::vsnprintf(buf, sizeof(buf), format, args);
  std::string line(buf, n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof(buf) - 1));
  while (!line.empty() && line.back() == '\n') line.pop_back();
  log::write(ours, "libbpf: " + line);
  return n;
}

}  // namespace

void route_libbpf_log() { libbpf_set_print(libbpf_print); }

}  // namespace faultline::kernel
