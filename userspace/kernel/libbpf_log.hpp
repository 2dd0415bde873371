#pragma once

namespace faultline::kernel {

// Routes libbpf's messages into the project logger (warnings as warn, the rest as debug, so a
// verifier log shows with FAULTLINE_LOG=debug). Idempotent.
void route_libbpf_log();

} // namespace faultline::kernel
