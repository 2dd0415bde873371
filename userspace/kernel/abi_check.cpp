// The BPF side is compiled by clang for -target bpf, this side by the host compiler: pin the
// layout of every shared struct of the core ABI so a drift fails the build rather than corrupting
// a map. Each family's part pins its own (FL_ABI_ASSERT in bpf/<family>/abi.h).
#include <cstddef>

#include "faultline/abi.h"
#include "policy/policy.hpp"

#define FL_ASSERT_SIZE(type, size) static_assert(sizeof(type) == (size), #type " size changed")
#define FL_ASSERT_OFFSET(type, field, off)                                                                   \
  static_assert(offsetof(type, field) == (off), #type "." #field " moved")

FL_ASSERT_SIZE(struct fl_peer_match, 40);
FL_ASSERT_OFFSET(struct fl_peer_match, addr, 8);
FL_ASSERT_SIZE(struct fl_path_match, 8 + FL_PATH_PREFIX_MAX);
FL_ASSERT_SIZE(struct fl_trigger, 32);
FL_ASSERT_OFFSET(struct fl_trigger, probability, 16);
FL_ASSERT_SIZE(struct fl_errno_choice, 8);
FL_ASSERT_SIZE(struct fl_effect, 8 + 8 * FL_MAX_ERRNOS);
FL_ASSERT_SIZE(struct fl_rule, 8 + 40 + 32 + FL_RULE_FAMILY_SIZE);
FL_ASSERT_OFFSET(struct fl_rule, effect, 8);
FL_ASSERT_OFFSET(struct fl_rule, trigger, 48);
FL_ASSERT_OFFSET(struct fl_rule, family, 80);
FL_ASSERT_SIZE(struct fl_rule_key, 24);
FL_ASSERT_OFFSET(struct fl_rule_key, sub, 12);
FL_ASSERT_OFFSET(struct fl_rule_key, gen, 16);
FL_ASSERT_SIZE(struct fl_rule_set, 8 + FL_RULES_PER_SET * 272);
FL_ASSERT_SIZE(struct fl_hook_key, 16);
FL_ASSERT_SIZE(struct fl_hook_levels, 8);
FL_ASSERT_SIZE(struct fl_config, 16);
FL_ASSERT_SIZE(struct fl_rule_stats, 24);
FL_ASSERT_SIZE(struct fl_trig_state, 16);
FL_ASSERT_SIZE(struct fl_event, 64);
FL_ASSERT_OFFSET(struct fl_event, comm, 48);
static_assert(FL_MAX_CGROUP_LEVEL <= 64, "level masks are 64-bit");
