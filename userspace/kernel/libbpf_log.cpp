#include "kernel/libbpf_log.hpp"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>

#include "util/log.hpp"

namespace faultline::kernel {
namespace {

thread_local int g_quiet = 0;
thread_local std::string g_failed_program;

// libbpf names the program the kernel refused in one fixed message: "libbpf: prog '%s': failed to
// load: %d" (the program's name its first argument). Kept whatever the log level, so the loader
// can go on without that program's backend.
void note_failed_program(const char* format, va_list args) {
  const char* at = std::strstr(format, "prog '%s': failed to load: ");
  if (at == nullptr || std::strchr(format, '%') != at + 6) return; // the name must be the first argument
  va_list copy;
  va_copy(copy, args);
  g_failed_program = va_arg(copy, const char*);
  va_end(copy);
}

int libbpf_print(enum libbpf_print_level level, const char* format, va_list args) {
  note_failed_program(format, args);
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

std::string take_failed_program() { return std::exchange(g_failed_program, {}); }

QuietLibbpf::QuietLibbpf() { ++g_quiet; }
QuietLibbpf::~QuietLibbpf() { --g_quiet; }

} // namespace faultline::kernel
