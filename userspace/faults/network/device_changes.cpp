#include "faults/network/device_changes.hpp"

#include <linux/pkt_sched.h>

#include <cerrno>
#include <cstring>

#include "util/log.hpp"

namespace faultline::faults {
namespace {

constexpr TcFilter kAllFilters[] = {kCgroupEgressFilter, kIfaceEgressFilter, kIfaceIngressFilter};

bpf_tc_hook hook_at(int ifindex, bpf_tc_attach_point point) {
  bpf_tc_hook hook{};
  hook.sz = sizeof(hook);
  hook.ifindex = ifindex;
  hook.attach_point = point;
  return hook;
}

bpf_tc_opts opts_of(const TcFilter& f, int prog_fd) {
  bpf_tc_opts opts{};
  opts.sz = sizeof(opts);
  opts.handle = f.handle;
  opts.priority = f.priority;
  opts.prog_fd = prog_fd;
  return opts;
}

int detach(int ifindex, const TcFilter& f) {
  bpf_tc_hook hook = hook_at(ifindex, f.point);
  bpf_tc_opts opts = opts_of(f, 0);
  return bpf_tc_detach(&hook, &opts);
}

bool any_faultline_filter(int ifindex) {
  for (const auto& f : kAllFilters) {
    bpf_tc_hook hook = hook_at(ifindex, f.point);
    bpf_tc_opts opts = opts_of(f, 0);
    if (bpf_tc_query(&hook, &opts) == 0) return true;
  }
  return false;
}

// Removes the clsact qdisc (both directions with it).
int destroy_clsact(int ifindex) {
  bpf_tc_hook hook = hook_at(ifindex, static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS));
  return bpf_tc_hook_destroy(&hook);
}

} // namespace

const DeviceChange& fq_change() {
  static const DeviceChange kFq{"fq", nullptr,
                                [](kernel::Rtnetlink& nl, int ifindex, const std::string&) -> Status {
                                  auto root = nl.root_qdisc(ifindex);
                                  if (!root) return root.error();
                                  if (root->kind != "fq") return {}; // replaced since: theirs now, leave it
                                  return nl.delete_root(ifindex);
                                }};
  return kFq;
}

namespace {

std::string refusal_of(const kernel::RootQdisc& root) {
  return fmt::format("has a root qdisc set up by someone else ({} {:x}:); faultline will not replace it, "
                     "since it could not put it back exactly. Delay and rate need faultline's qdisc tree "
                     "(or fq) as the root qdisc: remove it",
                     root.kind, root.handle >> 16);
}

// The tree, node by node (each add names its parent, which must exist). Returns the first error.
Status install_shape_tree(kernel::Rtnetlink& nl, int ifindex) {
  tc_prio_qopt prio{};
  prio.bands = 4;
  std::memset(prio.priomap, 0, sizeof(prio.priomap)); // every priority but ours: band 1 (fa19:1)
  tc_netem_qopt netem{};
  netem.latency = 1; // one psched tick (64 ns): enough for netem to orphan the skb
  netem.limit = kShapeLimit;
  kernel::QdiscSpec nodes[4];
  nodes[0] = {TC_H_ROOT, kShapeRootHandle, "prio", {}};
  nodes[0].options.raw(&prio, sizeof(prio));
  nodes[1] = {kShapeRootHandle | 1, kShapeFqHandle, "fq", {}};
  nodes[2] = {kShapeRootHandle | FL_SHAPE_RELEASE_BAND, kShapeNetemHandle, "netem", {}};
  nodes[2].options.raw(&netem, sizeof(netem));
  nodes[3] = {kShapeNetemHandle | 1, kShapeHoldHandle, "fq", {}};
  nodes[3].options.u32(TCA_FQ_PLIMIT, kShapeLimit).u32(TCA_FQ_FLOW_PLIMIT, kShapeLimit);
  for (const auto& node : nodes)
    if (auto st = nl.add_qdisc(ifindex, node); !st) return st;
  return {};
}

bool is_shape_root(const kernel::RootQdisc& root) {
  return root.kind == "prio" && root.handle == kShapeRootHandle;
}

} // namespace

const DeviceChange& shape_change() {
  static const DeviceChange kShape{
      "shape",
      [](kernel::Rtnetlink& nl, const kernel::NetDevice& dev) -> Result<std::optional<std::string>> {
        auto root = nl.root_qdisc(dev.ifindex);
        if (!root) return root.error();
        // Ours already (left by a process whose ledger line recovery could not close): held,
        // and removed with this hold.
        if (is_shape_root(*root)) return std::optional<std::string>{""};
        if (root->handle != 0) return make_error(EBUSY, "{}", refusal_of(*root));
        auto tree = install_shape_tree(nl, dev.ifindex);
        if (tree) return std::optional<std::string>{""};
        // Half a tree is removed whole (deleting the root takes its children along).
        if (auto now = nl.root_qdisc(dev.ifindex); now && is_shape_root(*now))
          (void)nl.delete_root(dev.ifindex);
        if (tree.error().code != ENOENT) return tree.error();
        // ENOENT: the kernel has no such qdisc (no sch_prio or sch_netem). Departure times
        // still hold with a root fq, as before the tree; only bulk TCP under delay is limited.
        log::warn("{}: {}; using a root fq instead (bulk TCP under delay stays limited by TCP Small Queues)",
                  dev.name, tree.error().describe());
        auto handle = nl.install_root_fq(dev.ifindex);
        if (!handle) return handle.error();
        return std::optional<std::string>{"fq"};
      },
      [](kernel::Rtnetlink& nl, int ifindex, const std::string& token) -> Status {
        auto root = nl.root_qdisc(ifindex);
        if (!root) return root.error();
        // Ours: the tree, or the fallback fq its token names. Any other root (an administrator's
        // fq 1: that install refused, or whatever replaced ours) is theirs and stays.
        if (!is_shape_root(*root) && !(token == "fq" && root->kind == "fq")) return {};
        return nl.delete_root(ifindex);
      }};
  return kShape;
}

DeviceChange tc_filters_change(std::string kind, const std::vector<TcProgram>& programs) {
  return DeviceChange{
      std::move(kind),
      [programs](kernel::Rtnetlink&, const kernel::NetDevice& dev) -> Result<std::optional<std::string>> {
        bpf_tc_hook clsact = hook_at(dev.ifindex, BPF_TC_EGRESS);
        const int created = bpf_tc_hook_create(&clsact);
        if (created != 0 && created != -EEXIST) return make_error(-created, "cannot add a clsact qdisc");
        for (std::size_t i = 0; i < programs.size(); ++i) {
          bpf_tc_hook hook = hook_at(dev.ifindex, programs[i].filter.point);
          bpf_tc_opts opts = opts_of(programs[i].filter, programs[i].prog_fd);
          opts.flags = BPF_TC_F_REPLACE; // a leftover of ours from a crash is simply replaced
          if (int err = bpf_tc_attach(&hook, &opts); err != 0) {
            for (std::size_t j = 0; j < i; ++j)
              detach(dev.ifindex, programs[j].filter);
            if (created == 0) destroy_clsact(dev.ifindex);
            return make_error(-err, "cannot attach a tc program");
          }
        }
        return std::optional<std::string>{created == 0 ? "clsact" : "filter"};
      },
      [programs](kernel::Rtnetlink&, int ifindex, const std::string& token) -> Status {
        int failed = 0;
        for (const auto& p : programs)
          if (int err = detach(ifindex, p.filter); err != 0 && err != -ENOENT) failed = err;
        // The clsact we added goes once no faultline filter is left in it (another backend's
        // experiment may still use it).
        if (token == "clsact" && !any_faultline_filter(ifindex))
          if (int d = destroy_clsact(ifindex); d != 0 && d != -ENOENT)
            return make_error(-d, "cannot remove the clsact qdisc");
        if (failed != 0) return make_error(-failed, "cannot detach a tc program");
        return {};
      }};
}

} // namespace faultline::faults
