// The BPF side is compiled by clang for -target bpf, this side by the host compiler: pin the
// layout of every shared struct so a drift fails the build rather than corrupting a map.
#include <cstddef>

#include "faultline/abi.h"
#include "policy/policy.hpp"

#define FL_ASSERT_SIZE(type, size) static_assert(sizeof(type) == (size), #type " size changed")
#define FL_ASSERT_OFFSET(type, field, off)                                                                   \
  static_assert(offsetof(type, field) == (off), #type "." #field " moved")

FL_ASSERT_SIZE(struct fl_net_match, 44 + FL_DNS_NAME_MAX);
FL_ASSERT_OFFSET(struct fl_net_match, dns_name, 44);
static_assert(sizeof(struct fl_net_match) <= sizeof(struct fl_file_match), "the rule union grew");
FL_ASSERT_OFFSET(struct fl_net_match, peer, 8);
FL_ASSERT_SIZE(struct fl_loss_model, 24);
FL_ASSERT_SIZE(struct fl_net_slot, 16);
FL_ASSERT_SIZE(struct fl_attach_state, 16 + 16 * 2 * FL_RULES_PER_SET);
FL_ASSERT_SIZE(struct fl_file_match, 136);
FL_ASSERT_SIZE(struct fl_trigger, 32);
FL_ASSERT_OFFSET(struct fl_trigger, probability, 16);
FL_ASSERT_SIZE(struct fl_errno_choice, 8);
FL_ASSERT_SIZE(struct fl_effect, 8 + 8 * FL_MAX_ERRNOS + 24 + 24 + 8);
FL_ASSERT_OFFSET(struct fl_effect, dns_rcode, 8 + 8 * FL_MAX_ERRNOS + 48);
FL_ASSERT_OFFSET(struct fl_effect, loss, 8 + 8 * FL_MAX_ERRNOS + 24);
FL_ASSERT_OFFSET(struct fl_effect, delay_ns, 8 + 8 * FL_MAX_ERRNOS);
FL_ASSERT_SIZE(struct fl_rule, 8 + 96 + 32 + 136);
FL_ASSERT_OFFSET(struct fl_rule, effect, 8);
FL_ASSERT_OFFSET(struct fl_rule, trigger, 104);
FL_ASSERT_OFFSET(struct fl_rule, net, 136);
FL_ASSERT_OFFSET(struct fl_rule, file, 136);
FL_ASSERT_OFFSET(struct fl_rule, sys, 136);
FL_ASSERT_SIZE(struct fl_sys_match, 12 + FL_SYS_PATH_MAX);
FL_ASSERT_OFFSET(struct fl_sys_match, net, 12);
FL_ASSERT_OFFSET(struct fl_sys_match, path, 12);
static_assert(sizeof(struct fl_net_match) <= FL_SYS_PATH_MAX, "the path union member sizes the match");
static_assert(sizeof(struct fl_sys_match) <= sizeof(struct fl_file_match), "the rule union grew");
FL_ASSERT_OFFSET(struct fl_effect, signal, 8 + 8 * FL_MAX_ERRNOS + 52);
FL_ASSERT_SIZE(struct fl_rule_key, 24);
FL_ASSERT_OFFSET(struct fl_rule_key, sub, 12);
FL_ASSERT_OFFSET(struct fl_rule_key, gen, 16);
FL_ASSERT_SIZE(struct fl_rule_set, 8 + FL_RULES_PER_SET * 272);
FL_ASSERT_SIZE(struct fl_hook_key, 16);
FL_ASSERT_SIZE(struct fl_hook_levels, 8);
FL_ASSERT_SIZE(struct fl_config, 16);
FL_ASSERT_SIZE(struct fl_rule_stats, 16);
FL_ASSERT_SIZE(struct fl_trig_state, 16);
FL_ASSERT_SIZE(struct fl_event, 64);
FL_ASSERT_OFFSET(struct fl_event, comm, 48);
static_assert(FL_MAX_CGROUP_LEVEL <= 64, "level masks are 64-bit");
