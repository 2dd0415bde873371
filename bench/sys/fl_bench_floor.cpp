// The floor of the syscall benchmark (bench/sys/measure_vm.sh): an empty BPF program on the
// attach point a syscall backend uses, held attached until SIGTERM or SIGINT, so the cost of the
// mechanism itself (BPF-LSM trampoline, or kprobe) can be told apart from faultline's logic.
//   fl_bench_floor lsm                 empty lsm/file_permission (syscall.lsm's hook for read,
//                                      write, pread64, pwrite64)
//   fl_bench_floor kprobe SYSCALL...   empty kprobe on each __x64_sys_SYSCALL (syscall.kprobe)
// Prints "attached N" once every program is attached, then waits; detaches and exits 0 on
// SIGTERM or SIGINT.
#include <bpf/libbpf.h>

#include <csignal>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_sys_bpf.skel.h"

namespace {

struct SkelDeleter {
  void operator()(bench_sys_bpf* s) const { bench_sys_bpf::destroy(s); }
};
struct LinkDeleter {
  void operator()(bpf_link* l) const { bpf_link__destroy(l); }
};

int usage() {
  std::fprintf(stderr, "usage: fl_bench_floor lsm | kprobe SYSCALL...\n");
  return 2;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  const std::string mode = argv[1];
  if ((mode != "lsm" || argc != 2) && (mode != "kprobe" || argc < 3)) return usage();
  // Blocked before anything is attached: a signal that comes early still ends the wait below.
  sigset_t ending;
  sigemptyset(&ending);
  sigaddset(&ending, SIGTERM);
  sigaddset(&ending, SIGINT);
  ::sigprocmask(SIG_BLOCK, &ending, nullptr);
  std::unique_ptr<bench_sys_bpf, SkelDeleter> skel(bench_sys_bpf::open());
  if (!skel) {
    std::perror("open");
    return 1;
  }
  // Only the program this mode attaches is loaded: a kernel without BPF-LSM still runs kprobe.
  bpf_program__set_autoload(mode == "lsm" ? skel->progs.fl_floor_kprobe : skel->progs.fl_floor_lsm, false);
  if (bench_sys_bpf::load(skel.get()) != 0) {
    std::perror("load");
    return 1;
  }
  std::vector<std::unique_ptr<bpf_link, LinkDeleter>> links;
  if (mode == "lsm") {
    links.emplace_back(bpf_program__attach_lsm(skel->progs.fl_floor_lsm));
  } else {
    for (int i = 2; i < argc; ++i) {
      const std::string fn = std::string("__x64_sys_") + argv[i];
      links.emplace_back(bpf_program__attach_kprobe(skel->progs.fl_floor_kprobe, false, fn.c_str()));
    }
  }
  for (const auto& l : links) {
    if (!l) {
      std::perror("attach");
      return 1;
    }
  }
  std::printf("attached %zu\n", links.size());
  std::fflush(stdout);
  int sig = 0;
  ::sigwait(&ending, &sig);
  return 0;
}
