// The BPF side is compiled by clang for -target bpf, this side by the host compiler: pin the
// layout of every shared struct so a drift fails the build rather than corrupting a map.
#include <cstddef>

#include "faultline/abi.h"

#define FL_ASSERT_SIZE(type, size) static_assert(sizeof(type) == (size), #type " size changed")
#define FL_ASSERT_OFFSET(type, field, off)                                                                   \
  static_assert(offsetof(type, field) == (off), #type "." #field " moved")

FL_ASSERT_SIZE(struct fl_net_match, 16);
FL_ASSERT_SIZE(struct fl_file_match, 136);
FL_ASSERT_SIZE(struct fl_trigger, 32);
FL_ASSERT_OFFSET(struct fl_trigger, probability, 16);
FL_ASSERT_SIZE(struct fl_rule, 184);
FL_ASSERT_OFFSET(struct fl_rule, trigger, 16);
FL_ASSERT_OFFSET(struct fl_rule, net, 48);
FL_ASSERT_OFFSET(struct fl_rule, file, 48);
FL_ASSERT_SIZE(struct fl_rule_key, 16);
FL_ASSERT_OFFSET(struct fl_rule_key, gen, 12);
FL_ASSERT_SIZE(struct fl_rule_set, 8 + FL_RULES_PER_SET * 184);
FL_ASSERT_SIZE(struct fl_config, 8 + 8 * FL_HOOK_MAX);
FL_ASSERT_OFFSET(struct fl_config, level_mask, 8);
FL_ASSERT_SIZE(struct fl_rule_stats, 16);
FL_ASSERT_SIZE(struct fl_trig_state, 16);
FL_ASSERT_SIZE(struct fl_event, 64);
FL_ASSERT_OFFSET(struct fl_event, comm, 48);
static_assert(FL_MAX_CGROUP_LEVEL <= 64, "level masks are 64-bit");
