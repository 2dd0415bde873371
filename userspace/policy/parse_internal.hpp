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
// spec.stopConditions[i]; `faults` are the experiment's fault names (a counter names one).
StopCondition parse_stop_condition(const Field& f, std::size_t index, const std::vector<Fault>& faults);
SteadyState parse_steady_state(const Field& f, const std::vector<Fault>& faults);

// Experiment, fault and stop condition names: 1-63 of [a-z0-9-], starting and ending with [a-z0-9].
void check_name(const Field& f, const std::string& what);
// Syscall faults and process faults' `on: {syscall: NAME}` accept the same names.
void check_syscall_name(const Field& name);

} // namespace faultline::policy
