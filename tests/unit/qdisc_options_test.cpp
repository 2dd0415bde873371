// A qdisc's TCA_OPTIONS as kernel::QdiscOptions writes them: a raw struct padded to 4 bytes (prio
// and netem read one at the start), then attributes (fq reads TCA_FQ_*), each 4-byte aligned.
#include <gtest/gtest.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <cstring>

#include "kernel/qdisc.hpp"

namespace faultline::kernel {
namespace {

TEST(QdiscOptions, RawStructThenAttributes) {
  tc_netem_qopt netem{};
  netem.latency = 1;
  netem.limit = 10000;
  QdiscOptions opts;
  opts.raw(&netem, sizeof(netem)).u32(TCA_FQ_PLIMIT, 7);
  const auto& b = opts.bytes();
  ASSERT_EQ(b.size(), sizeof(netem) + RTA_LENGTH(4));
  tc_netem_qopt back{};
  std::memcpy(&back, b.data(), sizeof(back));
  EXPECT_EQ(back.latency, 1u);
  EXPECT_EQ(back.limit, 10000u);
  rtattr rta{};
  std::memcpy(&rta, b.data() + sizeof(netem), sizeof(rta));
  EXPECT_EQ(rta.rta_type, TCA_FQ_PLIMIT);
  EXPECT_EQ(rta.rta_len, RTA_LENGTH(4));
  std::uint32_t v = 0;
  std::memcpy(&v, b.data() + sizeof(netem) + sizeof(rta), sizeof(v));
  EXPECT_EQ(v, 7u);
}

TEST(QdiscOptions, OddSizedStructIsPadded) {
  const char three[3] = {1, 2, 3};
  QdiscOptions opts;
  opts.raw(three, sizeof(three)).u32(TCA_FQ_FLOW_PLIMIT, 1);
  EXPECT_EQ(opts.bytes().size(), RTA_ALIGN(3) + RTA_LENGTH(4));
  rtattr rta{};
  std::memcpy(&rta, opts.bytes().data() + RTA_ALIGN(3), sizeof(rta));
  EXPECT_EQ(rta.rta_type, TCA_FQ_FLOW_PLIMIT);
}

TEST(QdiscOptions, PrioOptionsAreTheStructAlone) {
  tc_prio_qopt prio{};
  prio.bands = 4;
  QdiscOptions opts;
  opts.raw(&prio, sizeof(prio));
  EXPECT_EQ(opts.bytes().size(), RTA_ALIGN(sizeof(prio)));
}

} // namespace
} // namespace faultline::kernel
