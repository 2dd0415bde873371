#include <string>
#include <vector>

#include "faults/network/network_spec.hpp"
#include "policy_parser_test.hpp"

namespace faultline::policy {
namespace {

TEST(PolicyParser, Ipv6PeersAndGilbertElliott) {
  auto p =
      parse_policy(with_faults("    - name: v6\n      network: {loss: 1%, peer: \"2001:db8:0:1::/64\"}\n"
                               "    - name: bursts\n"
                               "      network: {loss: {model: gilbert-elliott, p: 1%, r: 30%, bad: 90%}}\n"),
                   "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& v6 = spec_of<faults::NetworkFault>(p->faults[0]);
  ASSERT_TRUE(v6.peer);
  EXPECT_EQ(v6.peer->family, 6);
  EXPECT_EQ(v6.peer->prefix, 64);
  EXPECT_EQ(v6.peer->addr[3], 0xb8);
  EXPECT_EQ(v6.peer->addr[7], 0x01);
  const auto& ge = spec_of<faults::NetworkFault>(p->faults[1]);
  ASSERT_TRUE(ge.loss_model);
  EXPECT_FALSE(ge.loss);
  EXPECT_DOUBLE_EQ(ge.loss_model->p, 0.01);
  EXPECT_DOUBLE_EQ(ge.loss_model->r, 0.30);
  EXPECT_DOUBLE_EQ(ge.loss_model->bad, 0.90);
  EXPECT_DOUBLE_EQ(ge.loss_model->good, 0.0) << "the good state loses nothing unless told";
}

TEST(PolicyParser, DnsNamesAreNormalised) {
  auto p = parse_policy(
      with_faults(
          "    - name: d\n      network: {dns: {names: [\"*.DB.Internal.\", api.example.com], action: delay, "
          "delay: 2s}}\n"),
      "d.yaml");
  ASSERT_TRUE(p) << p.error().message;
  const auto& n = spec_of<faults::NetworkFault>(p->faults[0]);
  ASSERT_TRUE(n.dns);
  EXPECT_EQ(n.dns->names, (std::vector<std::string>{"*.db.internal", "api.example.com"}));
  EXPECT_EQ(n.dns->action, faults::DnsFault::Action::delay);
  EXPECT_EQ(n.dns->delay_ns, 2'000'000'000u);
}

INSTANTIATE_TEST_SUITE_P(
    BadNetworkInput, PolicyParserRejects,
    ::testing::Values(
        BadCase{"duplicate_key", with_faults(kF + "      network: {loss: 1%, loss: 2%}\n"),
                "bad.yaml:11:27: spec.faults[0].network: duplicate key 'loss'"},
        BadCase{
            "loss_without_percent", with_faults(kF + "      network: {loss: 5}\n"),
            "bad.yaml:11:23: spec.faults[0].network.loss: '5' is not a percentage; write e.g. 5% or 0.5%"},
        BadCase{"loss_over_100", with_faults(kF + "      network: {loss: 150%}\n"),
                "bad.yaml:11:23: spec.faults[0].network.loss: '150%' is out of range; expected 0%..100%"},
        BadCase{
            "dns_bad_name", with_faults(kF + "      network: {dns: {names: [\"db internal\"]}}\n"),
            "bad.yaml:11:31: spec.faults[0].network.dns.names[0]: 'db internal' is not a DNS name faultline "
            "can match (letters, digits, '-', '_', dots; at most 62 characters; a leading '*.' for every "
            "name under a domain)"},
        BadCase{"dns_with_loss", with_faults(kF + "      network: {loss: 5%, dns: {names: [a.b]}}\n"),
                "bad.yaml:11:32: spec.faults[0].network.dns: dns is a fault of its own: its action says what "
                "happens to the matching queries"},
        BadCase{"dns_delay_without_delay",
                with_faults(kF + "      network: {dns: {names: [a.b], action: delay}}\n"),
                "bad.yaml:11:22: spec.faults[0].network.dns: action: delay needs a delay (e.g. delay: 2s)"},
        BadCase{"corrupt_bad_checksum",
                with_faults(kF + "      network: {corrupt: {probability: 5%, checksum: maybe}}\n"),
                "bad.yaml:11:54: spec.faults[0].network.corrupt.checksum: unknown checksum 'maybe'; expected "
                "valid (the stack accepts the damaged data) or broken (the receiver's stack drops it)"},
        BadCase{"corrupt_map_without_probability",
                with_faults(kF + "      network: {corrupt: {checksum: broken}}\n"),
                "bad.yaml:11:26: spec.faults[0].network.corrupt: missing required key 'probability'"},
        BadCase{
            "dns_unknown_action", with_faults(kF + "      network: {dns: {names: [a.b], action: refuse}}\n"),
            "bad.yaml:11:45: spec.faults[0].network.dns.action: unknown DNS action 'refuse'; expected drop, "
            "delay, nxdomain or servfail"},
        BadCase{
            "delay_past_fq_horizon", with_faults(kF + "      network: {delay: 12s}\n"),
            "bad.yaml:11:24: spec.faults[0].network.delay: '12s' is too long: at most 5s (fq, which holds "
            "delayed packets, drops what is due more than 10 s ahead; to cut a peer off, use blackhole or "
            "loss)"},
        BadCase{"network_no_effect", with_faults(kF + "      network: {port: 80}\n"),
                "bad.yaml:11:16: spec.faults[0].network: no effect given; set one of loss, blackhole, delay, "
                "rate, connectDelay, corrupt, duplicate, dns"},
        BadCase{
            "connect_delay_not_tcp",
            with_faults(kF + "      network: {connectDelay: 100ms, protocol: udp}\n"),
            "bad.yaml:11:48: spec.faults[0].network.protocol: connectDelay applies to TCP connections only"},
        BadCase{"connect_delay_with_delay",
                with_faults(kF + "      network: {delay: 5ms, connectDelay: 100ms}\n"),
                "bad.yaml:11:43: spec.faults[0].network.connectDelay: connectDelay delays only the SYN of "
                "each new "
                "TCP connection; put delay and rate in a fault of their own"},
        BadCase{
            "loss_and_blackhole", with_faults(kF + "      network: {loss: 5%, blackhole: true}\n"),
            "bad.yaml:11:16: spec.faults[0].network: loss and blackhole conflict: blackhole already drops "
            "everything"},
        BadCase{
            "blackhole_not_bool", with_faults(kF + "      network: {blackhole: yes}\n"),
            "bad.yaml:11:28: spec.faults[0].network.blackhole: 'yes' is not a boolean; write true or false"},
        BadCase{"bad_direction", with_faults(kF + "      network: {loss: 1%, direction: outbound}\n"),
                "bad.yaml:11:38: spec.faults[0].network.direction: unknown direction 'outbound'; expected "
                "egress, "
                "ingress or both"},
        BadCase{"jitter_without_delay", with_faults(kF + "      network: {jitter: 5ms, rate: 1mbit}\n"),
                "bad.yaml:11:25: spec.faults[0].network.jitter: jitter needs a delay to vary around"},
        BadCase{"jitter_over_delay", with_faults(kF + "      network: {delay: 5ms, jitter: 10ms}\n"),
                "bad.yaml:11:37: spec.faults[0].network.jitter: jitter must not exceed delay"},
        BadCase{"bad_rate", with_faults(kF + "      network: {rate: fast}\n"),
                "bad.yaml:11:23: spec.faults[0].network.rate: 'fast' is not a rate; write e.g. 1mbit, "
                "500kbit, 10mbps"},
        BadCase{"bad_peer", with_faults(kF + "      network: {loss: 1%, peer: 10.0.0.300}\n"),
                "bad.yaml:11:33: spec.faults[0].network.peer: '10.0.0.300' is not an IPv4 or IPv6 address or "
                "CIDR (e.g. "
                "10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{"cidr_host_bits", with_faults(kF + "      network: {loss: 1%, peer: 10.0.0.1/8}\n"),
                "bad.yaml:11:33: spec.faults[0].network.peer: '10.0.0.1/8' is not an IPv4 or IPv6 address or "
                "CIDR (e.g. "
                "10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{
            "ipv6_host_bits", with_faults(kF + "      network: {loss: 1%, peer: \"2001:db8::1/64\"}\n"),
            "bad.yaml:11:33: spec.faults[0].network.peer: '2001:db8::1/64' is not an IPv4 or IPv6 address or "
            "CIDR (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{
            "ipv6_prefix_too_long", with_faults(kF + "      network: {loss: 1%, peer: \"2001:db8::/129\"}\n"),
            "bad.yaml:11:33: spec.faults[0].network.peer: '2001:db8::/129' is not an IPv4 or IPv6 address or "
            "CIDR (e.g. 10.0.0.5, 10.0.0.0/8, 2001:db8::/32, host bits clear)"},
        BadCase{"unknown_loss_model",
                with_faults(kF + "      network: {loss: {model: markov, p: 1%, r: 5%}}\n"),
                "bad.yaml:11:31: spec.faults[0].network.loss.model: unknown loss model 'markov'; expected "
                "gilbert-elliott (or write loss: 5% for independent loss)"},
        BadCase{"ge_without_r", with_faults(kF + "      network: {loss: {model: gilbert-elliott, p: 1%}}\n"),
                "bad.yaml:11:23: spec.faults[0].network.loss: missing required key 'r'"},
        BadCase{
            "ge_r_zero", with_faults(kF + "      network: {loss: {model: gilbert-elliott, p: 1%, r: 0%}}\n"),
            "bad.yaml:11:58: spec.faults[0].network.loss.r: r = 0% never leaves the bad state once in it; "
            "give r > 0%"},
        BadCase{
            "ge_with_probability",
            with_faults(kF + "      network: {loss: {model: gilbert-elliott, p: 1%, r: 5%}}\n"
                             "      trigger: {probability: 5%}\n"),
            "bad.yaml:12:30: spec.faults[0].trigger.probability: a gilbert-elliott loss model decides which "
            "packets drop; trigger.probability does not combine with it (trigger.start does)"},
        BadCase{
            "port_out_of_range", with_faults(kF + "      network: {loss: 1%, port: 70000}\n"),
            "bad.yaml:11:33: spec.faults[0].network.port: '70000' is not a port or range; write e.g. 5432 or "
            "8000-8080 (1..65535)"},
        BadCase{
            "port_range_reversed", with_faults(kF + "      network: {loss: 1%, port: 90-80}\n"),
            "bad.yaml:11:33: spec.faults[0].network.port: '90-80' is not a port or range; write e.g. 5432 or "
            "8000-8080 (1..65535)"},
        BadCase{"icmp_with_port", with_faults(kF + "      network: {loss: 1%, protocol: icmp, port: 80}\n"),
                "bad.yaml:11:49: spec.faults[0].network.port: ICMP has no ports"},
        BadCase{"unknown_protocol", with_faults(kF + "      network: {loss: 1%, protocol: sctp}\n"),
                "bad.yaml:11:37: spec.faults[0].network.protocol: unknown protocol 'sctp'; expected tcp, udp "
                "or icmp"},
        BadCase{"unknown_network_key", with_faults(kF + "      network: {los: 1%}\n"),
                "bad.yaml:11:17: spec.faults[0].network: unknown key 'los' (did you mean loss?); valid keys: "
                "direction, loss, blackhole, delay, jitter, rate, corrupt, duplicate, connectDelay, "
                "dns, protocol, peer, port"},
        BadCase{"loss_and_probability",
                with_faults(kF + "      network: {loss: 5%}\n      trigger: {probability: 5%}\n"),
                "bad.yaml:12:30: spec.faults[0].trigger.probability: conflicts with network.loss, which "
                "already is "
                "the drop probability"}),
    bad_case_name);

} // namespace
} // namespace faultline::policy
