#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "faults/backend_set.hpp"
#include "faults/file/file_spec.hpp"
#include "faults/network/network_spec.hpp"
#include "faults/process/process_spec.hpp"
#include "faults/resource/resource_spec.hpp"
#include "faults/syscall/syscall_spec.hpp"
#include "kernel/features.hpp"

namespace faultline::kernel {
namespace {

class FakeProbe : public FeatureProbe {
public:
  explicit FakeProbe(std::map<Feature, bool> answers, int* calls)
      : answers_(std::move(answers)), calls_(calls) {}
  FeatureStatus probe(Feature f) override {
    ++*calls_;
    const bool yes = answers_.count(f) && answers_.at(f);
    return {yes, std::string(feature_name(f)) + (yes ? " ok" : " missing")};
  }

private:
  std::map<Feature, bool> answers_;
  int* calls_;
};

TEST(Features, ProbesEachFeatureOnce) {
  int calls = 0;
  Features features(std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::lsm, true}}, &calls));
  EXPECT_TRUE(features.supported(Feature::lsm));
  EXPECT_TRUE(features.supported(Feature::lsm));
  EXPECT_FALSE(features.supported(Feature::tc));
  EXPECT_EQ(calls, 2);
}

// The backend registry built from the probes: one backend per hook is loaded, in preference
// order, and a fault no backend can serve is refused with every candidate's reason.
const char* family_of(const faults::NetworkFault&) { return "network"; }
const char* family_of(const faults::FileFault&) { return "file"; }
const char* family_of(const faults::SyscallFault&) { return "syscall"; }

template <typename Spec> policy::Fault fault_of(const char* family, Spec spec) {
  policy::Fault f;
  f.name = "f";
  f.family = family;
  f.spec = std::move(spec);
  return f;
}
template <typename Spec> policy::Fault fault_of(Spec spec) {
  const char* family = family_of(spec);
  return fault_of(family, std::move(spec));
}

std::vector<std::string> loaded_with(std::map<Feature, bool> answers) {
  int calls = 0;
  Features features(std::make_unique<FakeProbe>(std::move(answers), &calls));
  return faults::programs_to_load(faults::probe_backends(features));
}

TEST(BackendRegistry, FileFaultsPreferLsmAndLoadOnlyIt) {
  int calls = 0;
  Features features(std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::lsm, true},
                                                                        {Feature::fmod_ret_security, true},
                                                                        {Feature::cgroup_skb, true}},
                                                &calls));
  const auto registry = faults::probe_backends(features);
  auto chosen =
      registry.choose(fault_of("file", faults::FileFault{"/x", {faults::FileOp::open}, {{5, 1.0}}}));
  ASSERT_TRUE(chosen);
  EXPECT_EQ((*chosen)->name(), "file.lsm");
  const auto loaded = faults::programs_to_load(registry);
  ASSERT_GE(loaded.size(), 10u);
  EXPECT_EQ(
      std::vector<std::string>(loaded.begin(), loaded.begin() + 10),
      (std::vector<std::string>{"fl_skb_egress", "fl_skb_ingress", "fl_lsm_file_open", "fl_fmod_file_rw",
                                "fl_lsm_file_mmap", "fl_lsm_path_truncate", "fl_lsm_file_truncate",
                                "fl_lsm_path_unlink", "fl_lsm_path_rename", "fl_lsm_path_mkdir"}));
  // The directory-entry programs load only where the kernel has their hooks (file_truncate is
  // 6.2+; the path_* hooks need CONFIG_SECURITY_PATH).
  EXPECT_EQ(faults::optional_programs_to_load(registry),
            (std::vector<std::string>{"fl_lsm_path_truncate", "fl_lsm_file_truncate", "fl_lsm_path_unlink",
                                      "fl_lsm_path_rename", "fl_lsm_path_mkdir"}));
  for (size_t i = 10; i < loaded.size(); ++i)
    EXPECT_EQ(loaded[i].rfind("fl_lsm_sys_", 0), 0u) << loaded[i] << ": only syscall.lsm's programs follow";
  for (const auto& e : registry.entries())
    if (e.backend->name() == "file.fmod_ret") {
      EXPECT_FALSE(e.availability.available);
      EXPECT_EQ(e.availability.reason, "supported here, but file.lsm is preferred for the same faults");
    }
}

TEST(BackendRegistry, FallsBackToFmodRet) {
  EXPECT_EQ(loaded_with({{Feature::fmod_ret_security, true}}),
            (std::vector<std::string>{"fl_fmod_file_open", "fl_fmod_file_rw", "fl_fmod_path_truncate",
                                      "fl_fmod_file_truncate", "fl_fmod_path_unlink", "fl_fmod_path_rename",
                                      "fl_fmod_path_mkdir"}));
  int calls = 0;
  Features features(
      std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::fmod_ret_security, true}}, &calls));
  const auto registry = faults::probe_backends(features);
  faults::FileFault rw{"/x", {faults::FileOp::read, faults::FileOp::write}, {{5, 1.0}}};
  auto chosen = registry.choose(fault_of(rw));
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ((*chosen)->name(), "file.fmod_ret");
  auto mmap = registry.choose(fault_of("file", faults::FileFault{"/x", {faults::FileOp::mmap}, {{5, 1.0}}}));
  ASSERT_FALSE(mmap);
  EXPECT_NE(mmap.error().message.find("file.lsm: this kernel cannot run it: lsm missing"), std::string::npos)
      << "mmap needs BPF-LSM: " << mmap.error().message;
}

TEST(BackendRegistry, RefusesWithEveryCandidatesReason) {
  int calls = 0;
  Features features(
      std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::cgroup_skb, true}}, &calls));
  const auto registry = faults::probe_backends(features);
  auto file = registry.choose(fault_of("file", faults::FileFault{"/x", {faults::FileOp::open}, {{5, 1.0}}}));
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, EOPNOTSUPP);
  EXPECT_EQ(file.error().message,
            "no backend can inject it here (file.lsm: this kernel cannot run it: lsm missing; "
            "file.fmod_ret: this kernel cannot run it: fmod_ret_security missing)");
  faults::NetworkFault corrupt;
  corrupt.corrupt = 0.01;
  auto net = registry.choose(fault_of(corrupt));
  ASSERT_FALSE(net);
  EXPECT_EQ(net.error().message,
            "no backend can inject it here (net.tc: this kernel cannot run it: no tc BPF programs here: tc "
            "missing)")
      << "only the backend that could serve it speaks";
  auto sig = registry.choose(fault_of("process", faults::ProcessFault{9, "read"}));
  ASSERT_FALSE(sig);
  EXPECT_EQ(
      sig.error().message,
      "no backend can inject it here (process.signal: this kernel cannot run it: tracepoint_signal missing)");
  faults::SyscallFault fsync;
  fsync.names = {"fsync"};
  fsync.errs = {{EIO, 1.0}};
  auto sys = registry.choose(fault_of(fsync));
  ASSERT_FALSE(sys);
  EXPECT_EQ(
      sys.error().message,
      "no backend can inject it here (syscall.kprobe: this kernel cannot run it: kprobe_override missing)");
}

// Every combination of the three syscall-side features: kprobe override serves any syscall and
// is preferred; BPF-LSM serves the syscalls that pass a hook (connect) and refuses the others
// (fsync) with the reason; signals need the tracepoint. Only the chosen backends' programs load.
TEST(BackendRegistry, SyscallAndProcessBackendsFollowTheirProbes) {
  faults::SyscallFault fsync;
  fsync.names = {"fsync"};
  fsync.errs = {{EIO, 1.0}};
  faults::SyscallFault connect = fsync;
  connect.names = {"connect"};
  for (bool kprobe : {false, true})
    for (bool lsm : {false, true})
      for (bool tracepoint : {false, true}) {
        SCOPED_TRACE(testing::Message()
                     << "kprobe " << kprobe << " lsm " << lsm << " tracepoint " << tracepoint);
        int calls = 0;
        Features features(
            std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::kprobe_override, kprobe},
                                                                {Feature::lsm, lsm},
                                                                {Feature::tracepoint_signal, tracepoint}},
                                        &calls));
        const auto registry = faults::probe_backends(features);
        auto sync = registry.choose(fault_of(fsync));
        auto conn = registry.choose(fault_of(connect));
        auto sig = registry.choose(fault_of("process", faults::ProcessFault{9, "getppid"}));
        ASSERT_EQ(bool(sync), kprobe);
        ASSERT_EQ(bool(conn), kprobe || lsm);
        ASSERT_EQ(bool(sig), tracepoint);
        if (kprobe) {
          EXPECT_EQ((*sync)->name(), "syscall.kprobe");
          EXPECT_EQ((*conn)->name(), "syscall.kprobe");
        } else if (lsm) {
          EXPECT_EQ((*conn)->name(), "syscall.lsm");
          EXPECT_NE(
              sync.error().message.find("syscall.kprobe: this kernel cannot run it: kprobe_override missing"),
              std::string::npos)
              << sync.error().message;
        }
        if (sig) {
          EXPECT_EQ((*sig)->name(), "process.signal");
        }
        const auto loaded = faults::programs_to_load(registry);
        const auto has = [&](const char* p) {
          return std::find(loaded.begin(), loaded.end(), p) != loaded.end();
        };
        EXPECT_EQ(has("fl_kprobe_syscall"), kprobe);
        EXPECT_EQ(has("fl_lsm_sys_socket_connect"), lsm && !kprobe)
            << "syscall.lsm loads only as the fallback";
        EXPECT_EQ(has("fl_sys_enter_signal"), tracepoint);
      }
}

// faultline exec loads only what its policy's faults choose: fewer programs to verify at start.
TEST(BackendRegistry, NarrowedToAPolicyLoadsOnlyTheChosenBackends) {
  int calls = 0;
  Features features(std::make_unique<FakeProbe>(std::map<Feature, bool>{{Feature::lsm, true},
                                                                        {Feature::fmod_ret_security, true},
                                                                        {Feature::cgroup_skb, true},
                                                                        {Feature::tracepoint_signal, true}},
                                                &calls));
  const std::vector<policy::Fault> file_only{
      fault_of("file", faults::FileFault{"/x", {faults::FileOp::open}, {{5, 1.0}}})};
  const auto registry = faults::probe_backends_for(features, {}, file_only);
  EXPECT_EQ(faults::programs_to_load(registry),
            (std::vector<std::string>{"fl_lsm_file_open", "fl_fmod_file_rw", "fl_lsm_file_mmap",
                                      "fl_lsm_path_truncate", "fl_lsm_file_truncate", "fl_lsm_path_unlink",
                                      "fl_lsm_path_rename", "fl_lsm_path_mkdir"}));
  // Of the chosen backend's programs, only those of the operations the policy names load.
  EXPECT_EQ(faults::programs_to_load(registry, &file_only), (std::vector<std::string>{"fl_lsm_file_open"}));
  const std::vector<policy::Fault> read_truncate{fault_of(
      "file", faults::FileFault{"/x", {faults::FileOp::read, faults::FileOp::truncate}, {{5, 1.0}}})};
  EXPECT_EQ(faults::programs_to_load(faults::probe_backends_for(features, {}, read_truncate), &read_truncate),
            (std::vector<std::string>{"fl_fmod_file_rw", "fl_lsm_path_truncate", "fl_lsm_file_truncate"}));
  auto chosen = registry.choose(file_only[0]);
  ASSERT_TRUE(chosen);
  EXPECT_EQ((*chosen)->name(), "file.lsm") << "the same choice the full registry makes";
  for (const auto& e : registry.entries()) {
    if (e.backend->name() == "net.cgroup_skb") {
      EXPECT_FALSE(e.availability.available);
      EXPECT_EQ(e.availability.reason, "not loaded: the policy has no network faults");
    }
    if (e.backend->name() == "file.fmod_ret") {
      EXPECT_EQ(e.availability.reason, "supported here, but file.lsm is preferred for the same faults");
    }
  }
  EXPECT_EQ(calls, 2) << "only lsm and fmod_ret_security: backends of other families are not probed";

  // A fault no backend serves keeps its family as probed: the refusal names every candidate.
  faults::SyscallFault fsync;
  fsync.names = {"fsync"};
  fsync.errs = {{EIO, 1.0}};
  const auto narrowed = faults::probe_backends_for(features, {}, {fault_of(fsync)});
  const auto full = faults::probe_backends(features);
  auto a = narrowed.choose(fault_of(fsync));
  auto b = full.choose(fault_of(fsync));
  ASSERT_FALSE(a);
  ASSERT_FALSE(b);
  EXPECT_EQ(a.error().message, b.error().message);
  EXPECT_TRUE(faults::programs_to_load(narrowed).size() > 0u) << "syscall.lsm stays loaded";

  // syscall.lsm has a program per LSM hook: only the hooks of the syscalls named load.
  faults::SyscallFault io;
  io.names = {"openat", "read", "pread64", "connect"};
  io.errs = {{EIO, 1.0}};
  const std::vector<policy::Fault> io_only{fault_of(io)};
  EXPECT_EQ(faults::programs_to_load(faults::probe_backends_for(features, {}, io_only), &io_only),
            (std::vector<std::string>{"fl_lsm_sys_file_open", "fl_lsm_sys_file_permission",
                                      "fl_lsm_sys_socket_connect"}));
}

TEST(Features, NamesRoundTrip) {
  for (Feature f : kAllFeatures)
    EXPECT_EQ(feature_from_name(feature_name(f)), f);
  EXPECT_FALSE(feature_from_name("nonsense"));
}

} // namespace
} // namespace faultline::kernel
