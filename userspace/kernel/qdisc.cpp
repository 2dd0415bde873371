#include "kernel/qdisc.hpp"

#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstring>
#include <thread>

namespace faultline::kernel {
namespace {

constexpr std::size_t kBuf = 32 * 1024;

// One request: header, fixed part, then attributes appended in place.
struct Message {
  nlmsghdr hdr{};
  union {
    ifinfomsg link;
    tcmsg tc;
  } body{};
  char attrs[512]{};

  // False when the attribute does not fit (never for the qdiscs written here).
  bool add_bytes(unsigned short type, const void* value, std::size_t len) {
    if (NLMSG_ALIGN(hdr.nlmsg_len) + RTA_SPACE(len) > sizeof(*this)) return false;
    auto* rta = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(this) + NLMSG_ALIGN(hdr.nlmsg_len));
    rta->rta_type = type;
    rta->rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    if (len > 0) std::memcpy(RTA_DATA(rta), value, len);
    hdr.nlmsg_len = NLMSG_ALIGN(hdr.nlmsg_len) + RTA_ALIGN(rta->rta_len);
    return true;
  }
  void add_string(unsigned short type, const char* value) { add_bytes(type, value, std::strlen(value) + 1); }
};

Message tc_message(std::uint16_t type, std::uint16_t flags, int ifindex) {
  Message m;
  m.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(tcmsg));
  m.hdr.nlmsg_type = type;
  m.hdr.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
  m.body.tc.tcm_family = AF_UNSPEC;
  m.body.tc.tcm_ifindex = ifindex;
  m.body.tc.tcm_parent = TC_H_ROOT;
  return m;
}

// The attribute `type` of a message whose fixed part is `fixed` bytes, or nullptr.
const rtattr* find_attr(const nlmsghdr* h, std::size_t fixed, unsigned short type) {
  int len = static_cast<int>(h->nlmsg_len) - static_cast<int>(NLMSG_LENGTH(fixed));
  const auto* rta =
      reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(NLMSG_DATA(h)) + NLMSG_ALIGN(fixed));
  for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
    if (rta->rta_type == type) return rta;
  return nullptr;
}

std::string attr_string(const rtattr* rta) {
  if (rta == nullptr) return {};
  const auto* data = static_cast<const char*>(RTA_DATA(rta));
  return std::string(data, strnlen(data, RTA_PAYLOAD(rta)));
}

} // namespace

QdiscOptions& QdiscOptions::raw(const void* data, std::size_t len) {
  const auto* p = static_cast<const char*>(data);
  bytes_.insert(bytes_.end(), p, p + len);
  bytes_.resize(RTA_ALIGN(bytes_.size()));
  return *this;
}

QdiscOptions& QdiscOptions::u32(unsigned short type, std::uint32_t value) {
  rtattr rta{};
  rta.rta_type = type;
  rta.rta_len = static_cast<unsigned short>(RTA_LENGTH(sizeof(value)));
  const auto* h = reinterpret_cast<const char*>(&rta);
  bytes_.insert(bytes_.end(), h, h + sizeof(rta));
  const auto* v = reinterpret_cast<const char*>(&value);
  bytes_.insert(bytes_.end(), v, v + sizeof(value));
  bytes_.resize(RTA_ALIGN(bytes_.size()));
  return *this;
}

Result<Rtnetlink> Rtnetlink::open() {
  UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (!fd.valid()) return make_error(errno, "cannot open an rtnetlink socket");
  sockaddr_nl local{};
  local.nl_family = AF_NETLINK;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0)
    return make_error(errno, "cannot bind an rtnetlink socket");
  return Rtnetlink(std::move(fd));
}

Status Rtnetlink::request(void* msg, std::uint32_t len) {
  auto* hdr = static_cast<nlmsghdr*>(msg);
  hdr->nlmsg_seq = seq_++;
  hdr->nlmsg_flags |= NLM_F_ACK;
  if (::send(fd_.get(), msg, len, 0) < 0) return make_error(errno, "rtnetlink send");
  std::vector<char> buf(kBuf);
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0) return make_error(errno, "rtnetlink recv");
    int left = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != hdr->nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      if (err->error == 0) return {};
      return make_error(-err->error, "rtnetlink");
    }
  }
}

Result<std::vector<std::vector<char>>> Rtnetlink::dump(void* msg, std::uint32_t len) {
  auto* hdr = static_cast<nlmsghdr*>(msg);
  hdr->nlmsg_seq = seq_++;
  hdr->nlmsg_flags |= NLM_F_DUMP;
  if (::send(fd_.get(), msg, len, 0) < 0) return make_error(errno, "rtnetlink send");
  std::vector<std::vector<char>> out;
  std::vector<char> buf(kBuf);
  for (;;) {
    const ssize_t n = ::recv(fd_.get(), buf.data(), buf.size(), 0);
    if (n < 0) return make_error(errno, "rtnetlink recv");
    int left = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf.data()); NLMSG_OK(h, left); h = NLMSG_NEXT(h, left)) {
      if (h->nlmsg_seq != hdr->nlmsg_seq) continue;
      if (h->nlmsg_type == NLMSG_DONE) return out;
      if (h->nlmsg_type == NLMSG_ERROR) {
        const auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
        return make_error(-err->error, "rtnetlink dump");
      }
      const char* start = reinterpret_cast<const char*>(h);
      out.emplace_back(start, start + h->nlmsg_len);
    }
  }
}

Result<std::vector<NetDevice>> Rtnetlink::devices() {
  Message m;
  m.hdr.nlmsg_len = NLMSG_LENGTH(sizeof(ifinfomsg));
  m.hdr.nlmsg_type = RTM_GETLINK;
  m.hdr.nlmsg_flags = NLM_F_REQUEST;
  m.body.link.ifi_family = AF_UNSPEC;
  auto msgs = dump(&m, m.hdr.nlmsg_len);
  if (!msgs) return msgs.error();
  std::vector<NetDevice> out;
  for (const auto& raw : *msgs) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(raw.data());
    if (h->nlmsg_type != RTM_NEWLINK) continue;
    const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
    out.push_back({ifi->ifi_index, attr_string(find_attr(h, sizeof(ifinfomsg), IFLA_IFNAME))});
  }
  return out;
}

Result<RootQdisc> Rtnetlink::root_qdisc(int ifindex) {
  Message m = tc_message(RTM_GETQDISC, 0, 0);
  m.body.tc.tcm_parent = 0;
  auto msgs = dump(&m, m.hdr.nlmsg_len);
  if (!msgs) return msgs.error();
  for (const auto& raw : *msgs) {
    const auto* h = reinterpret_cast<const nlmsghdr*>(raw.data());
    if (h->nlmsg_type != RTM_NEWQDISC) continue;
    const auto* tc = static_cast<const tcmsg*>(NLMSG_DATA(h));
    if (tc->tcm_ifindex != ifindex || tc->tcm_parent != TC_H_ROOT) continue;
    return RootQdisc{attr_string(find_attr(h, sizeof(tcmsg), TCA_KIND)), tc->tcm_handle};
  }
  return RootQdisc{}; // a device that is down has the built-in noop qdisc, which is not listed
}

Result<std::uint32_t> Rtnetlink::install_root_fq(int ifindex) {
  Message m = tc_message(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex);
  m.add_string(TCA_KIND, "fq");
  if (auto st = request(&m, m.hdr.nlmsg_len); !st)
    return make_error(st.error().code, "cannot make fq the root qdisc of ifindex {}", ifindex);
  auto root = root_qdisc(ifindex);
  if (!root) return root.error();
  if (root->kind != "fq")
    return make_error(EAGAIN, "ifindex {}: root qdisc is {} right after installing fq", ifindex, root->kind);
  return root->handle;
}

Status Rtnetlink::add_qdisc(int ifindex, const QdiscSpec& spec) {
  const bool root = spec.parent == TC_H_ROOT;
  Message m = tc_message(
      RTM_NEWQDISC, static_cast<std::uint16_t>(NLM_F_CREATE | (root ? NLM_F_REPLACE : NLM_F_EXCL)), ifindex);
  m.body.tc.tcm_parent = spec.parent;
  m.body.tc.tcm_handle = spec.handle;
  m.add_string(TCA_KIND, spec.kind.c_str());
  if (!spec.options.bytes().empty() &&
      !m.add_bytes(TCA_OPTIONS, spec.options.bytes().data(), spec.options.bytes().size()))
    return make_error(E2BIG, "the options of qdisc {} do not fit a request", spec.kind);
  if (auto st = request(&m, m.hdr.nlmsg_len); !st)
    return make_error(st.error().code, "cannot add qdisc {} {:x}: under {:x}:{:x} of ifindex {}", spec.kind,
                      spec.handle >> 16, spec.parent >> 16, spec.parent & 0xffff, ifindex);
  return {};
}

Status Rtnetlink::delete_root(int ifindex) {
  Message m = tc_message(RTM_DELQDISC, 0, ifindex);
  if (auto st = request(&m, m.hdr.nlmsg_len); !st)
    return make_error(st.error().code, "cannot delete the root qdisc of ifindex {}", ifindex);
  return {};
}

Result<std::uint64_t> netns_inode(const std::string& ns_path) {
  struct stat st {};
  if (::stat(ns_path.c_str(), &st) != 0) return make_error(errno, "cannot stat {}", ns_path);
  return static_cast<std::uint64_t>(st.st_ino);
}

Status in_netns(const std::string& ns_path, const std::function<Status()>& fn) {
  UniqueFd ns(::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns.valid()) return make_error(errno, "cannot open network namespace {}", ns_path);
  Status result;
  std::thread worker([&] {
    // unshare(CLONE_FS) is not needed: only the network namespace is joined.
    if (::setns(ns.get(), CLONE_NEWNET) != 0) {
      result = make_error(errno, "cannot enter network namespace {}", ns_path);
      return;
    }
    result = fn();
  });
  worker.join();
  return result;
}

} // namespace faultline::kernel
