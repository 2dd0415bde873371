#include "util/log.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace faultline::log {
namespace {

Level initial_level() {
  // FAULTLINE_LOG=debug|info|warn|error|off lets tests and users turn up verbosity without flags.
  const char* env = std::getenv("FAULTLINE_LOG");
  if (env == nullptr) return Level::info;
  const std::string v(env);
  if (v == "debug") return Level::debug;
  if (v == "warn") return Level::warn;
  if (v == "error") return Level::error;
  if (v == "off") return Level::off;
  return Level::info;
}

std::atomic<Level> g_level{initial_level()};
std::mutex g_write_mutex;

const char* tag(Level level) {
  switch (level) {
  case Level::debug: return "debug";
  case Level::info: return "info";
  case Level::warn: return "warn";
  case Level::error: return "error";
  case Level::off: break;
  }
  return "";
}

} // namespace

void set_level(Level level) { g_level.store(level); }
Level level() { return g_level.load(); }
bool enabled(Level l) { return l >= g_level.load() && l != Level::off; }

void write(Level l, std::string_view message) {
  std::lock_guard lock(g_write_mutex);
  fmt::print(stderr, "faultline {}: {}\n", tag(l), message);
}

} // namespace faultline::log
