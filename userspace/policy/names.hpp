// Names users write in policies (errnos, signals; syscalls are in syscalls.hpp) and their values, with
// "did you mean" suggestions for typos.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::policy {

std::optional<int> errno_from_name(std::string_view name);
std::string errno_name(int err);
std::optional<int> signal_from_name(std::string_view name);
std::string signal_name(int sig);

// The closest candidate within a small edit distance, or empty.
std::string closest(std::string_view word, const std::vector<std::string>& candidates);
std::vector<std::string> errno_names();
std::vector<std::string> signal_names();

} // namespace faultline::policy
