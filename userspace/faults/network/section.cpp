#include "faults/network/section.hpp"

#include <any>

#include "faults/network/network_spec.hpp"

#include <fmt/format.h>

#include <cctype>

namespace faultline::faults {

using policy::Field;
namespace {

Direction parse_direction(const Field& f) {
  const std::string s = f.str();
  if (s == "egress") return Direction::egress;
  if (s == "ingress") return Direction::ingress;
  if (s == "both") return Direction::both;
  f.fail(fmt::format("unknown direction '{}'; expected egress, ingress or both", s));
}

Protocol parse_protocol(const Field& f) {
  const std::string s = f.str();
  if (s == "tcp") return Protocol::tcp;
  if (s == "udp") return Protocol::udp;
  if (s == "icmp") return Protocol::icmp;
  f.fail(fmt::format("unknown protocol '{}'; expected tcp, udp or icmp", s));
}

// loss: {model: gilbert-elliott, p: 1%, r: 30%, bad: 100%, good: 0%}
GilbertElliott parse_loss_model(const Field& f) {
  f.expect_keys({"model", "p", "r", "bad", "good"});
  const Field model = f.get("model");
  if (model.str() != "gilbert-elliott")
    model.fail(fmt::format("unknown loss model '{}'; expected gilbert-elliott (or write loss: 5% for "
                           "independent loss)",
                           model.str()));
  GilbertElliott ge;
  ge.p = f.get("p").percent();
  ge.r = f.get("r").percent();
  if (auto b = f.find("bad")) ge.bad = b->percent();
  if (auto g = f.find("good")) ge.good = g->percent();
  if (ge.p == 0) f.get("p").fail("p = 0% never enters the bad state; use loss: N% for independent loss");
  if (ge.r == 0) f.get("r").fail("r = 0% never leaves the bad state once in it; give r > 0%");
  return ge;
}

// Delays are held by fq, which drops what is due more than 10 s ahead (its horizon); 5 s leaves
// room for jitter and pacing, and is already past every TCP and DNS retry timer.
constexpr std::uint64_t kMaxDelayNs = 5'000'000'000ull;
std::uint64_t max_delay(const Field& f) {
  const std::uint64_t ns = f.duration_ns();
  if (ns > kMaxDelayNs)
    f.fail(fmt::format("'{}' is too long: at most 5s (fq, which holds delayed packets, drops what is due "
                       "more than 10 s ahead; to cut a peer off, use blackhole or loss)",
                       f.str()));
  return ns;
}

// dns: {names: ["*.db.internal"], action: drop | delay | nxdomain | servfail, delay: 2s}
DnsFault parse_dns(const Field& f) {
  f.expect_keys({"names", "action", "delay"});
  DnsFault d;
  const Field names = f.get("names");
  if (!names.is_sequence()) names.fail("must be a list of names, e.g. [\"*.db.internal\"]");
  for (const auto& item : names.items()) {
    std::string name = item.str();
    for (auto& c : name)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!name.empty() && name.back() == '.') name.pop_back();
    const bool wildcard = name.rfind("*.", 0) == 0;
    const std::string rest = wildcard ? name.substr(2) : name;
    if (rest.empty() || rest.size() > 62 ||
        rest.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-._") != std::string::npos ||
        rest.front() == '.' || rest.back() == '.' || rest.find("..") != std::string::npos)
      item.fail(fmt::format("'{}' is not a DNS name faultline can match (letters, digits, '-', '_', dots; "
                            "at most 62 characters; a leading '*.' for every name under a domain)",
                            item.str()));
    d.names.push_back(name);
  }
  if (d.names.empty()) names.fail("needs at least one name");
  if (d.names.size() > 3) names.fail("at most 3 names per fault; split them over several faults");
  if (auto a = f.find("action")) {
    const std::string act = a->str();
    if (act == "drop")
      d.action = DnsFault::Action::drop;
    else if (act == "delay")
      d.action = DnsFault::Action::delay;
    else if (act == "nxdomain")
      d.action = DnsFault::Action::nxdomain;
    else if (act == "servfail")
      d.action = DnsFault::Action::servfail;
    else
      a->fail(fmt::format("unknown DNS action '{}'; expected drop, delay, nxdomain or servfail", act));
  }
  if (auto dl = f.find("delay")) {
    if (d.action != DnsFault::Action::delay) dl->fail("delay goes with action: delay");
    d.delay_ns = max_delay(*dl);
  } else if (d.action == DnsFault::Action::delay) {
    f.fail("action: delay needs a delay (e.g. delay: 2s)");
  }
  return d;
}

} // namespace

namespace {

NetworkFault parse_network(const Field& f) {
  f.expect_keys({"direction", "loss", "blackhole", "delay", "jitter", "rate", "corrupt", "duplicate",
                 "connectDelay", "dns", "protocol", "peer", "port"});
  NetworkFault n;
  if (auto d = f.find("direction")) n.direction = parse_direction(*d);
  if (auto l = f.find("loss")) {
    if (l->is_map())
      n.loss_model = parse_loss_model(*l);
    else
      n.loss = l->percent();
  }
  if (auto b = f.find("blackhole")) n.blackhole = b->boolean();
  if (auto d = f.find("delay")) n.delay_ns = max_delay(*d);
  if (auto j = f.find("jitter")) {
    n.jitter_ns = j->duration_ns();
    if (!n.delay_ns) j->fail("jitter needs a delay to vary around");
    if (*n.jitter_ns > *n.delay_ns) j->fail("jitter must not exceed delay");
    if (*n.delay_ns + *n.jitter_ns > kMaxDelayNs) j->fail("delay + jitter must not exceed 5s");
  }
  if (auto r = f.find("rate")) n.rate_bps = r->rate_bps();
  if (auto c = f.find("connectDelay")) {
    n.connect_delay_ns = max_delay(*c);
    if (n.delay_ns || n.rate_bps)
      c->fail("connectDelay delays only the SYN of each new TCP connection; put delay and rate in a fault "
              "of their own");
  }
  if (auto c = f.find("corrupt")) {
    if (c->is_map()) { // corrupt: {probability: 5%, checksum: valid | broken}
      c->expect_keys({"probability", "checksum"});
      n.corrupt = c->get("probability").percent();
      if (auto k = c->find("checksum")) {
        const std::string v = k->str();
        if (v != "valid" && v != "broken")
          k->fail(fmt::format("unknown checksum '{}'; expected valid (the stack accepts the damaged data) "
                              "or broken (the receiver's stack drops it)",
                              v));
        n.corrupt_breaks_checksum = v == "broken";
      }
    } else {
      n.corrupt = c->percent();
    }
  }
  if (auto d = f.find("duplicate")) n.duplicate = d->percent();
  if (auto p = f.find("protocol")) {
    n.protocol = parse_protocol(*p);
    if (n.connect_delay_ns && n.protocol != Protocol::tcp)
      p->fail("connectDelay applies to TCP connections only");
  }
  if (auto p = f.find("peer")) n.peer = p->cidr();
  if (auto p = f.find("port")) {
    n.port = p->ports();
    if (n.protocol == Protocol::icmp) p->fail("ICMP has no ports");
  }
  if (auto d = f.find("dns")) {
    n.dns = parse_dns(*d);
    if (n.loss || n.loss_model || n.blackhole || n.delay_ns || n.rate_bps || n.corrupt || n.duplicate ||
        n.connect_delay_ns)
      d->fail("dns is a fault of its own: its action says what happens to the matching queries");
    if (n.protocol != Protocol::any || n.port.min != 0)
      d->fail("dns already selects UDP queries to port 53; drop protocol and port");
    if (n.direction != Direction::egress) d->fail("dns faults act on the queries the target sends (egress)");
  }
  if ((n.loss || n.loss_model) && n.blackhole)
    f.fail("loss and blackhole conflict: blackhole already drops everything");
  if (!n.loss && !n.loss_model && !n.blackhole && !n.delay_ns && !n.rate_bps && !n.corrupt && !n.duplicate &&
      !n.connect_delay_ns && !n.dns)
    f.fail("no effect given; set one of loss, blackhole, delay, rate, connectDelay, corrupt, duplicate, dns");
  return n;
}

class NetworkSection final : public policy::FaultSection {
public:
  std::string_view key() const override { return "network"; }
  std::any parse(const Field& block) const override { return parse_network(block); }
  void check_trigger(const std::any& spec, const Field& trigger) const override {
    const auto& net = std::any_cast<const NetworkFault&>(spec);
    if (net.loss && trigger.has("probability"))
      trigger.get("probability").fail("conflicts with network.loss, which already is the drop probability");
    if (net.loss_model)
      policy::refuse_counting_trigger(trigger, "a gilbert-elliott loss model decides which packets drop",
                                      "does not combine with it (trigger.start does)");
  }
};

} // namespace

const policy::FaultSection& network_section() {
  static const NetworkSection kSection;
  return kSection;
}

} // namespace faultline::faults
