#include "kernel/libbpf_log.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <string>

#include "util/log.hpp"

namespace faultline::kernel {
namespace {

thread_local int g_quiet = 0;

int libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  const log::Level ours = level == LIBBPF_WARN && g_quiet == 0 ? log::Level::warn : log::Level::debug;
  if (!log::enabled(ours)) return 0;
  // Verifier logs arrive as one message of many kilobytes: size the buffer to fit.
  va_list copy;
  va_copy(copy, args);
  const int n = std::vsnprintf(nullptr, 0, format, copy);
  va_end(copy);
  if (n <= 0) return 0;
  std::string line(static_cast<size_t>(n) + 1, '\0');
  std::vsnprintf(line.data(), line.size(), format, args);
  line.resize(static_cast<size_t>(n));
  while (!line.empty() && line.back() == '\n')
    line.pop_back();
  log::write(ours, line); // libbpf prefixes its own lines
  return n;
}

} // namespace

void route_libbpf_log() { libbpf_set_print(libbpf_print); }

QuietLibbpf::QuietLibbpf() { ++g_quiet; }
QuietLibbpf::~QuietLibbpf() { --g_quiet; }

} // namespace faultline::kernel
