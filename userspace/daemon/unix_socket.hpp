// faultlined's listening socket, made without a window in which anyone but root could reach it
// and without touching the mode of a directory it did not create.
#pragma once

#include <string>

#include "kernel/unique_fd.hpp"
#include "util/result.hpp"

namespace faultline::daemon {

// Creates the socket's directory if missing (0750; an existing one is left as it is), refuses
// when another daemon answers on `path`, binds in a private 0700 directory, chmods the socket
// 0600 and renames it into place (replacing a stale one), then listens with a backlog sized for
// bursts (SOMAXCONN).
Result<kernel::UniqueFd> listen_unix_socket(const std::string& path);

} // namespace faultline::daemon
