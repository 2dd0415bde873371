// Between parser.cpp (the document: metadata, targets, triggers, the faults list) and the
// parse_<family>.cpp files, one fault family's block each, so that a family's rules read in one
// place. Internal to policy/: parse_policy() is the interface.
#pragma once

#include "policy/policy.hpp"
#include "policy/yaml_reader.hpp"

namespace faultline::policy {

NetworkFault parse_network(const Field& f);
FileFault parse_file(const Field& f);
SyscallFault parse_syscall(const Field& f);
ProcessFault parse_process(const Field& f);
ResourceFault parse_resource(const Field& f);

// Syscall faults and process faults' `on: {syscall: NAME}` accept the same names.
void check_syscall_name(const Field& name);

} // namespace faultline::policy
