#include "policy/parser.hpp"

#include <fmt/format.h>

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "policy/names.hpp"
#include "policy/syscalls.hpp"
#include "policy/units.hpp"
#include "policy/yaml_reader.hpp"

namespace faultline::policy {
namespace {

constexpr std::uint64_t kMaxDurationNs = 24ull * 3600 * 1000000000; // experiments are bounded
constexpr std::size_t kMaxPolicyBytes = 1 << 20;                    // the API's body limit too

void check_name(const Field& f, const std::string& what) {
  static const std::regex kName("^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$");
  const std::string s = f.str();
  if (!std::regex_match(s, kName))
    f.fail(fmt::format("'{}' is not a valid {} name: use 1-63 lowercase letters, digits and '-', "
                       "starting and ending with a letter or digit",
                       s, what));
}

Trigger parse_trigger(const Field& f, std::uint64_t duration_ns) {
  f.expect_keys({"probability", "every", "after", "times", "start"});
  Trigger t;
  if (auto p = f.find("probability")) t.probability = p->percent();
  if (auto e = f.find("every")) {
    t.every = static_cast<std::uint32_t>(e->uint(1000000000));
    if (t.every == 0) e->fail("must be at least 1 (1 = every matching event)");
  }
  if (auto a = f.find("after")) t.after = static_cast<std::uint32_t>(a->uint(1000000000));
  if (auto k = f.find("times")) {
    t.times = static_cast<std::uint32_t>(k->uint(1000000000));
    if (t.times == 0) k->fail("must be at least 1; leave it out for no limit");
  }
  if (auto s = f.find("start")) {
    t.start_ns = s->duration_ns();
    if (t.start_ns >= duration_ns) s->fail("the start offset must be shorter than spec.duration");
  }
  return t;
}

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

FileFault parse_file(const Field& f) {
  f.expect_keys({"path", "ops", "errno"});
  FileFault ff;
  const Field path = f.get("path");
  ff.path = path.str();
  if (ff.path.empty() || ff.path.front() != '/')
    path.fail(fmt::format("'{}' must be an absolute path", ff.path));
  if (ff.path.size() >= 128) path.fail("path prefixes are limited to 127 bytes");
  if (auto ops = f.find("ops")) {
    std::set<FileOp> seen;
    for (const auto& op : ops->items()) {
      const std::string s = op.str();
      auto o = file_op_from_name(s);
      if (!o)
        op.fail(
            fmt::format("unknown file operation '{}'; expected open, read, write, mmap, truncate, unlink, "
                        "rename or mkdir",
                        s));
      if (!seen.insert(*o).second) op.fail(fmt::format("'{}' is listed twice", s));
      ff.ops.push_back(*o);
    }
    if (ff.ops.empty()) ops->fail("list at least one operation, or leave ops out for [open]");
  } else {
    ff.ops = {FileOp::open};
  }
  ff.errs = f.get("errno").errno_mix();
  return ff;
}

void check_syscall_name(const Field& name) {
  const std::string s = name.str();
  if (is_known_syscall(s)) return;
  const std::string guess = closest(s, syscall_names());
  name.fail(fmt::format("unknown syscall '{}'{}", s, guess.empty() ? "" : " (did you mean " + guess + "?)"));
}

// Syscalls whose arguments carry open flags / a peer address (the kernel side finds them by the
// argument indexes the backend sets; see backends/sys_args).
constexpr std::array kFlagSyscalls = {"open", "openat"};
constexpr std::array kAddressSyscalls = {"connect", "bind", "sendto", "sendmsg"};

template <typename Names> bool all_in(const std::vector<std::string>& names, const Names& allowed) {
  return std::all_of(names.begin(), names.end(), [&](const std::string& n) {
    return std::find(allowed.begin(), allowed.end(), n) != allowed.end();
  });
}

OpenFlagsFilter parse_open_flags(const Field& f) {
  static constexpr std::array<std::pair<const char*, std::uint32_t>, 3> kModes = {
      {{"O_RDONLY", O_RDONLY}, {"O_WRONLY", O_WRONLY}, {"O_RDWR", O_RDWR}}};
  // Multi-bit flags by their own bit: O_SYNC includes O_DSYNC, O_TMPFILE includes O_DIRECTORY,
  // and "any bit" would match every O_DSYNC open or every opendir.
  static constexpr std::array<std::pair<const char*, std::uint32_t>, 7> kBits = {
      {{"O_CREAT", O_CREAT},
       {"O_EXCL", O_EXCL},
       {"O_TRUNC", O_TRUNC},
       {"O_APPEND", O_APPEND},
       {"O_DIRECT", O_DIRECT},
       {"O_SYNC", O_SYNC & ~O_DSYNC},
       {"O_TMPFILE", O_TMPFILE & ~O_DIRECTORY}}};
  OpenFlagsFilter out;
  const auto items = f.items();
  if (items.empty()) f.fail("list at least one flag, e.g. [O_WRONLY, O_RDWR]");
  for (const auto& item : items) {
    const std::string s = item.str();
    auto mode = std::find_if(kModes.begin(), kModes.end(), [&](const auto& m) { return s == m.first; });
    auto bit = std::find_if(kBits.begin(), kBits.end(), [&](const auto& b) { return s == b.first; });
    if (mode != kModes.end())
      out.accmodes |= 1u << mode->second;
    else if (bit != kBits.end())
      out.bits |= bit->second;
    else
      item.fail(fmt::format("unknown open flag '{}'; expected O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, "
                            "O_TRUNC, O_APPEND, O_DIRECT, O_SYNC or O_TMPFILE",
                            s));
  }
  return out;
}

SyscallFault parse_syscall(const Field& f) {
  f.expect_keys({"name", "errno", "flags", "peer", "port", "path"});
  SyscallFault s;
  const Field name = f.get("name");
  if (name.is_sequence()) {
    std::set<std::string> seen;
    for (const auto& n : name.items()) {
      check_syscall_name(n);
      if (!seen.insert(n.str()).second) n.fail(fmt::format("'{}' is listed twice", n.str()));
      s.names.push_back(n.str());
    }
    if (s.names.empty()) name.fail("list at least one syscall");
  } else {
    check_syscall_name(name);
    s.names.push_back(name.str());
  }
  s.errs = f.get("errno").errno_mix();
  if (auto fl = f.find("flags")) {
    if (!all_in(s.names, kFlagSyscalls)) fl->fail("flags filters apply only to open and openat");
    s.flags = parse_open_flags(*fl);
  }
  if (auto p = f.find("peer")) {
    if (!all_in(s.names, kAddressSyscalls))
      p->fail("peer filters apply only to connect, bind, sendto and sendmsg");
    s.peer = p->cidr();
  }
  if (auto p = f.find("port")) {
    if (!all_in(s.names, kAddressSyscalls))
      p->fail("port filters apply only to connect, bind, sendto and sendmsg");
    s.port = p->ports();
  }
  if (auto p = f.find("path")) {
    for (const auto& n : s.names)
      if (!syscall_path_arg(n))
        p->fail(fmt::format("{} takes no path argument; path filters apply to syscalls that do (open, "
                            "openat, unlink, mkdir, rename, truncate, stat, execve, ...)",
                            n));
    s.path = p->str();
    if (s.path.empty() || s.path.front() != '/')
      p->fail(fmt::format("'{}' must be an absolute path (it is matched against the path argument as "
                          "the caller wrote it)",
                          s.path));
    if (s.path.size() > kSyscallPathMax)
      p->fail(fmt::format("syscall path prefixes are limited to {} bytes", kSyscallPathMax));
  }
  return s;
}

ProcessFault parse_process(const Field& f) {
  f.expect_keys({"signal", "on", "freeze"});
  ProcessFault p;
  if (auto fr = f.find("freeze")) {
    for (const char* key : {"signal", "on"})
      if (auto k = f.find(key))
        k->fail(
            fmt::format("a fault either freezes or sends a signal; '{}' does not combine with freeze (make "
                        "two faults)",
                        key));
    if (!fr->is_scalar() || fr->str().empty())
      fr->fail("freeze needs a duration: how long the target stays frozen, e.g. freeze: 5s");
    if (fr->str().front() == '-')
      fr->fail(fmt::format("'{}': a freeze lasts a positive duration", fr->str()));
    p.freeze_ns = fr->duration_ns();
    if (p.freeze_ns == 0)
      fr->fail(fmt::format("'{}' freezes nothing; give a duration above zero", fr->str()));
    return p;
  }
  if (!f.has("signal"))
    f.fail("a process fault needs signal (with on: {syscall: NAME}) or freeze (how long, e.g. freeze: 5s)");
  p.signal = f.get("signal").signal_value();
  const Field on = f.get("on");
  on.expect_keys({"syscall"});
  const Field sc = on.get("syscall");
  check_syscall_name(sc);
  p.on_syscall = sc.str();
  return p;
}

// cpu: 20% (of one CPU, per 100 ms period; 150% = one and a half CPUs) or
// cpu: {quota: 20ms, period: 100ms}. The kernel's bounds: quota >= 1 ms, period 1 ms..1 s. That
// the quota is within the host's CPUs is checked at apply (the parser knows no host).
CpuMax parse_cpu(const Field& f) {
  CpuMax c;
  if (!f.is_map()) {
    const std::string s = f.str();
    const auto share = parse_percent(s);
    if (!share)
      f.fail(fmt::format("'{}' is not a share of one CPU; write e.g. 20% (150% = one and a half CPUs), or "
                         "{{quota: 20ms, period: 100ms}}",
                         s));
    if (*share < 0.01)
      f.fail(fmt::format("'{}' is below 1%: cpu.max's smallest quota is 1 ms per 100 ms", s));
    if (*share > 1000.0) f.fail(fmt::format("'{}' is more than 1000 CPUs: it would limit nothing", s));
    c.quota_us = static_cast<std::uint64_t>(std::llround(*share * static_cast<double>(c.period_us)));
    return c;
  }
  f.expect_keys({"quota", "period"});
  auto micros = [](const Field& d) {
    const std::uint64_t ns = d.duration_ns();
    if (ns % 1000 != 0) d.fail(fmt::format("'{}': cpu.max counts whole microseconds", d.str()));
    return ns / 1000;
  };
  if (auto p = f.find("period")) {
    c.period_us = micros(*p);
    if (c.period_us < 1000 || c.period_us > 1000000)
      p->fail(fmt::format("'{}' is out of range; the kernel takes a period of 1ms..1s", p->str()));
  }
  const Field quota = f.get("quota");
  c.quota_us = micros(quota);
  if (c.quota_us < 1000) quota.fail(fmt::format("'{}' is below cpu.max's smallest quota, 1ms", quota.str()));
  if (c.quota_us > 1000 * c.period_us)
    quota.fail(fmt::format("'{}' is more than 1000 CPUs per period: it would limit nothing", quota.str()));
  return c;
}

// memory: {high: 64Mi}. Below 1 MiB nothing runs (a unit typo, 64 for 64Mi, would stall the target
// at once), so that is refused.
std::uint64_t parse_memory(const Field& f) {
  if (!f.is_map())
    f.fail(fmt::format("write memory: {{high: {}}}: memory.high, above which the kernel throttles the target "
                       "and reclaims its memory",
                       f.str()));
  f.expect_keys({"high"});
  const Field high = f.get("high");
  const std::uint64_t bytes = high.size_bytes();
  if (bytes < (1u << 20)) {
    const std::string s = high.str();
    const bool bare = s.find_first_not_of("0123456789") == std::string::npos;
    high.fail(fmt::format("'{}' is below 1Mi, too little for any process to run{}", s,
                          bare ? fmt::format(" (a bare number is bytes: did you mean {}Mi?)", s) : ""));
  }
  return bytes;
}

// io: {device: 8:0 | /dev/vda, rbps: 1Mi, wbps: 1Mi, riops: 100, wiops: 100}. Byte rates are sizes
// per second, at least 4Ki (one page); a limit left out keeps its current value.
IoMax parse_io(const Field& f) {
  f.expect_keys({"device", "rbps", "wbps", "riops", "wiops"});
  IoMax io;
  const Field device = f.get("device");
  io.device = device.str();
  static const std::regex kDevNum("^[0-9]{1,9}:[0-9]{1,9}$");
  if (!std::regex_match(io.device, kDevNum) && (io.device.empty() || io.device.front() != '/'))
    device.fail(
        fmt::format("'{}' is not a block device: write MAJOR:MINOR (8:0) or its path (/dev/sda)", io.device));
  auto bps = [](const Field& b) {
    const std::uint64_t v = b.size_bytes();
    if (v < 4096)
      b.fail(fmt::format("'{}' bytes per second is below 4Ki: a single page would wait a second", b.str()));
    return v;
  };
  auto iops = [](const Field& i) {
    const std::uint64_t v = i.uint(UINT32_MAX - 1);
    if (v == 0) i.fail("must be at least 1");
    return v;
  };
  if (auto b = f.find("rbps")) io.rbps = bps(*b);
  if (auto b = f.find("wbps")) io.wbps = bps(*b);
  if (auto i = f.find("riops")) io.riops = iops(*i);
  if (auto i = f.find("wiops")) io.wiops = iops(*i);
  if (!io.rbps && !io.wbps && !io.riops && !io.wiops)
    f.fail("no limit given; set rbps, wbps, riops or wiops");
  return io;
}

ResourceFault parse_resource(const Field& f) {
  f.expect_keys({"cpu", "memory", "io"});
  ResourceFault r;
  if (auto c = f.find("cpu")) r.cpu = parse_cpu(*c);
  if (auto m = f.find("memory")) r.memory_high = parse_memory(*m);
  if (auto i = f.find("io")) r.io = parse_io(*i);
  if (!r.cpu && !r.memory_high && !r.io) f.fail("no effect given; set cpu, memory or io");
  return r;
}

Fault parse_fault(const Field& f, std::uint64_t duration_ns) {
  f.expect_keys({"name", "network", "syscall", "file", "process", "resource", "trigger"});
  Fault fault;
  fault.location = f.location();
  const Field name = f.get("name");
  check_name(name, "fault");
  fault.name = name.str();
  int families = 0;
  for (const char* fam : {"network", "syscall", "file", "process", "resource"})
    families += f.has(fam) ? 1 : 0;
  if (families != 1)
    f.fail(fmt::format("a fault needs exactly one of network, syscall, file, process, resource (found {})",
                       families));
  if (auto n = f.find("network")) fault.spec = parse_network(*n);
  if (auto s = f.find("syscall")) fault.spec = parse_syscall(*s);
  if (auto x = f.find("file")) fault.spec = parse_file(*x);
  if (auto p = f.find("process")) fault.spec = parse_process(*p);
  if (auto r = f.find("resource")) fault.spec = parse_resource(*r);
  if (auto t = f.find("trigger")) {
    fault.trigger = parse_trigger(*t, duration_ns);
    const auto* net = std::get_if<NetworkFault>(&fault.spec);
    if (net && net->loss && fault.trigger.probability)
      t->get("probability").fail("conflicts with network.loss, which already is the drop probability");
    if (net && net->loss_model)
      for (const char* key : {"probability", "every", "after", "times"})
        if (auto k = t->find(key))
          k->fail(fmt::format("a gilbert-elliott loss model decides which packets drop; trigger.{} does "
                              "not combine with it (trigger.start does)",
                              key));
    if (std::holds_alternative<ResourceFault>(fault.spec)) t->fail("resource faults take no trigger");
    if (const auto* pf = std::get_if<ProcessFault>(&fault.spec); pf && pf->freeze_ns != 0)
      for (const char* key : {"probability", "every", "after", "times"})
        if (auto k = t->find(key))
          k->fail(fmt::format("a freeze happens once, at the fault's start; trigger.{} does not apply to it "
                              "(trigger.start does)",
                              key));
  }
  return fault;
}

TargetSpec parse_target(const Field& f) {
  f.expect_keys({"cgroup", "pid", "systemd", "container", "interface"});
  const auto keys = f.keys();
  if (keys.size() != 1) f.fail("a target needs exactly one of cgroup, pid, systemd, container, interface");
  TargetSpec t;
  t.location = f.location();
  const Field v = f.get(keys.front().c_str());
  t.value = v.str();
  if (t.value.empty()) v.fail("must not be empty");
  if (keys.front() == "cgroup") {
    t.kind = TargetSpec::Kind::cgroup; // resolved canonically (".", "..", symlinks) by the host
  } else if (keys.front() == "pid") {
    t.kind = TargetSpec::Kind::pid;
    if (v.uint(4194304) == 0) v.fail("pid 0 is not a process");
  } else if (keys.front() == "systemd") {
    t.kind = TargetSpec::Kind::systemd;
    static const std::regex kUnit(R"(^[A-Za-z0-9:_.@\\-]+\.(service|scope|slice)$)");
    if (!std::regex_match(t.value, kUnit))
      v.fail(fmt::format("'{}' is not a systemd unit (name.service, .scope or .slice)", t.value));
  } else if (keys.front() == "interface") {
    t.kind = TargetSpec::Kind::interface; // a device of faultlined's network namespace
    static const std::regex kDevice("^[A-Za-z0-9_.:@-]{1,15}$");
    if (!std::regex_match(t.value, kDevice) || t.value == "." || t.value == "..")
      v.fail(
          fmt::format("'{}' is not a network device name (1 to 15 characters, no '/' or spaces)", t.value));
  } else {
    t.kind = TargetSpec::Kind::container;
    static const std::regex kId("^[0-9a-f]{12,64}$");
    if (!std::regex_match(t.value, kId))
      v.fail(fmt::format("'{}' is not a container id (12 to 64 lowercase hex digits)", t.value));
  }
  return t;
}

Selection parse_selection(const Field& f) {
  f.expect_keys({"mode", "value"});
  Selection s;
  const Field mode = f.get("mode");
  const std::string m = mode.str();
  if (m == "all")
    s.mode = Selection::Mode::all;
  else if (m == "count")
    s.mode = Selection::Mode::count;
  else if (m == "percent")
    s.mode = Selection::Mode::percent;
  else
    mode.fail(fmt::format("unknown selection mode '{}'; expected all, count or percent", m));
  if (s.mode == Selection::Mode::all) {
    if (f.has("value")) f.get("value").fail("mode all takes no value");
    return s;
  }
  const Field value = f.get("value");
  if (s.mode == Selection::Mode::count) {
    s.value = static_cast<std::uint32_t>(value.uint(100000));
    if (s.value == 0) value.fail("must be at least 1");
  } else {
    s.value = static_cast<std::uint32_t>(std::lround(value.percent() * 100.0));
    if (s.value == 0) value.fail("must be more than 0%");
  }
  return s;
}

Policy parse_document(const Field& root, const std::string& file) {
  root.expect_keys({"apiVersion", "kind", "metadata", "spec"});
  Policy p;
  p.file = file;
  const Field api = root.get("apiVersion");
  if (api.str() != "faultline/v1")
    api.fail(fmt::format("unsupported apiVersion '{}'; expected faultline/v1", api.str()));
  const Field kind = root.get("kind");
  if (kind.str() != "Experiment")
    kind.fail(fmt::format("unsupported kind '{}'; expected Experiment", kind.str()));

  const Field meta = root.get("metadata");
  meta.expect_keys({"name", "labels"});
  const Field name = meta.get("name");
  check_name(name, "experiment");
  p.name = name.str();
  if (auto labels = meta.find("labels")) {
    if (!labels->is_map()) labels->fail("expected a map of label: value");
    for (const auto& k : labels->keys())
      p.labels[k] = labels->get(k.c_str()).str();
  }

  const Field spec = root.get("spec");
  spec.expect_keys({"duration", "targets", "selection", "faults", "safety", "dryRun"});
  const Field duration = spec.get("duration");
  p.duration_ns = duration.duration_ns();
  if (p.duration_ns == 0) duration.fail("must be longer than 0s");
  if (p.duration_ns > kMaxDurationNs) duration.fail("must be at most 24h: experiments are bounded");
  if (auto safety = spec.find("safety")) {
    safety->expect_keys({"allowHostWide"});
    if (auto host_wide = safety->find("allowHostWide")) {
      p.safety.allow_host_wide = host_wide->boolean();
      p.safety.location = host_wide->location();
    }
  }

  const Field targets = spec.get("targets");
  for (const auto& t : targets.items())
    p.targets.push_back(parse_target(t));
  if (p.targets.empty()) targets.fail("at least one target is required");
  if (auto sel = spec.find("selection")) p.selection = parse_selection(*sel);

  const Field faults = spec.get("faults");
  std::set<std::string> names;
  for (const auto& f : faults.items()) {
    Fault fault = parse_fault(f, p.duration_ns);
    if (!names.insert(fault.name).second)
      f.get("name").fail(fmt::format("duplicate fault name '{}'", fault.name));
    p.faults.push_back(std::move(fault));
  }
  if (p.faults.empty()) faults.fail("at least one fault is required");
  if (auto dry = spec.find("dryRun")) p.dry_run = dry->boolean();
  return p;
}

} // namespace

const char* family_name(const FaultSpec& spec) {
  static constexpr const char* kNames[] = {"network", "file", "syscall", "process", "resource"};
  struct Visitor {
    const char* operator()(const NetworkFault&) const { return kNames[0]; }
    const char* operator()(const FileFault&) const { return kNames[1]; }
    const char* operator()(const SyscallFault&) const { return kNames[2]; }
    const char* operator()(const ProcessFault&) const { return kNames[3]; }
    const char* operator()(const ResourceFault&) const { return kNames[4]; }
  };
  return std::visit(Visitor{}, spec);
}

Result<Policy> parse_policy(std::string_view text, const std::string& file_name) {
  if (text.size() > kMaxPolicyBytes)
    return make_error(0, "{}: {} bytes; a policy is at most {} bytes", file_name, text.size(),
                      kMaxPolicyBytes);
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    // yaml-cpp's depth guard says only "bad file".
    const std::string what = e.msg == "bad file" ? "nested too deeply (or not text)" : e.msg;
    return make_error(0, "{}:{}:{}: invalid YAML: {}", file_name, e.mark.line + 1, e.mark.column + 1, what);
  }
  if (!root.IsMap())
    return make_error(0,
                      "{}:1:1: expected a faultline/v1 Experiment (a YAML map with apiVersion, kind, "
                      "metadata, spec)",
                      file_name);
  try {
    return parse_document(Field(&file_name, root, ""), file_name);
  } catch (const PolicyError& e) {
    return Error{0, e.what()};
  } catch (const YAML::Exception& e) {
    return make_error(0, "{}:{}:{}: {}", file_name, e.mark.line + 1, e.mark.column + 1, e.msg);
  } catch (const std::exception& e) {
    // Nothing in the parser should throw anything else; if it does, it is still a refusal.
    return make_error(0, "{}: cannot read this policy: {}", file_name, e.what());
  }
}

Result<Policy> load_policy_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(errno, "cannot read policy file {}", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_policy(ss.str(), path);
}

} // namespace faultline::policy
