// What this kernel can do, found by trying (test loads, attaches, helper probes), never by
// reading `uname -r`. Results are cached; tests substitute a FeatureProbe of their own.
#pragma once

#include <array>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace faultline::kernel {

enum class Feature {
  cgroup_skb,         // cgroup_skb ingress/egress programs: cgroup-scoped packet faults
  tc,                 // tc clsact (sched_cls) programs: interface-scoped packet faults
  lsm,                // BPF-LSM programs (needs `bpf` in the active LSM list)
  fmod_ret_security,  // fmod_ret on security_* functions (needs BPF trampolines)
  kprobe_override,    // kprobe + bpf_override_return (needs CONFIG_FUNCTION_ERROR_INJECTION)
  tracepoint_signal,  // syscall tracepoints + bpf_send_signal
  fq_qdisc,           // sch_fq available: honours skb->tstamp (EDT delay)
  prio_qdisc,         // sch_prio available: classifies by skb->priority with no filter
  netem_qdisc,        // sch_netem available: orphans what it queues (skb_orphan_partial)
  cgroup_controllers, // cgroup v2 offers cpu, memory or io at its root (resource faults)
  cgroup_freeze,      // cgroup v2 cgroups have cgroup.freeze (process freeze)
  count_,
};

inline constexpr std::array kAllFeatures = {Feature::cgroup_skb,
                                            Feature::tc,
                                            Feature::lsm,
                                            Feature::fmod_ret_security,
                                            Feature::kprobe_override,
                                            Feature::tracepoint_signal,
                                            Feature::fq_qdisc,
                                            Feature::prio_qdisc,
                                            Feature::netem_qdisc,
                                            Feature::cgroup_controllers,
                                            Feature::cgroup_freeze};

std::string_view feature_name(Feature feature);
std::optional<Feature> feature_from_name(std::string_view name);

struct FeatureStatus {
  bool supported = false;
  std::string detail; // why not (what to change), or how it was confirmed
};

class FeatureProbe {
public:
  virtual ~FeatureProbe() = default;
  virtual FeatureStatus probe(Feature feature) = 0;
};

// Probes the running kernel. Needs root (CAP_BPF + CAP_SYS_ADMIN); every probe program is inert.
class KernelFeatureProbe final : public FeatureProbe {
public:
  FeatureStatus probe(Feature feature) override;
};

class Features {
public:
  explicit Features(std::unique_ptr<FeatureProbe> probe);
  const FeatureStatus& status(Feature feature);
  bool supported(Feature feature) { return status(feature).supported; }

private:
  std::unique_ptr<FeatureProbe> probe_;
  // The API's doctor and faultlined's loader (a re-probe after a refused program) may ask at
  // once; a slot is filled once and never changes after, so references to it stay good.
  std::mutex mu_;
  std::array<std::optional<FeatureStatus>, static_cast<size_t>(Feature::count_)> cache_;
};

} // namespace faultline::kernel
