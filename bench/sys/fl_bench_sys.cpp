// The loops of the syscall benchmark (bench/sys/measure_vm.sh), timed from inside the process so
// that neither process start nor an injector's set-up (faultline exec loading its programs,
// strace attaching, fiu-run's preload) is counted: only the calls.
//
//   fl_bench_sys copy N                 N x (read 1 byte from /dev/zero, write it to /dev/null):
//                                       the loop of `dd if=/dev/zero of=/dev/null bs=1 count=N`
//   fl_bench_sys pwrite FILE N          N x pwrite(fd, 1 byte, offset 0) on FILE (created)
//   fl_bench_sys pwrite FILE N seccomp  the same under a seccomp filter that fails pwrite64 with
//                                       EIO (SECCOMP_RET_ERRNO; installed before the clock starts)
//   fl_bench_sys getppid N              N x getppid(): a syscall that does next to nothing
//   fl_bench_sys clock N                N x clock_gettime(CLOCK_MONOTONIC): the vDSO where the
//                                       clocksource allows it, else a syscall that reads the
//                                       clocksource (HPET in a TCG guest: an emulated MMIO read)
//
// Prints one JSON line: {"loop":..,"calls":N,"ok":..,"eio":..,"other":..,"ns":..}; "calls" counts
// loop iterations (a copy iteration is two syscalls).
// Dynamically linked on purpose, and every call goes through libc's wrapper (read, write, pwrite),
// not syscall(2): libfiu's fiu-run injects by preloading wrappers of exactly those functions. The
// dynamic loader reads libraries with read/pread64 and never writes, so a pwrite64 rule meets
// only the loop.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace {

#if defined(__x86_64__)
constexpr unsigned kAuditArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kAuditArch = AUDIT_ARCH_AARCH64;
#else
#error "fl_bench_sys: unsupported architecture"
#endif

struct Counts {
  long ok = 0;
  long eio = 0;
  long other = 0;
  void add(ssize_t ret) {
    if (ret >= 0) {
      ++ok;
    } else if (errno == EIO) {
      ++eio;
    } else {
      ++other;
    }
  }
};

// pwrite64 fails with EIO, every other syscall (and every other architecture's numbering) is
// allowed: the filter a hand-written seccomp fault injector would install.
bool install_pwrite_errno_filter() {
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kAuditArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pwrite64, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EIO & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return false;
  return ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == 0;
}

int usage() {
  std::fprintf(stderr, "usage: fl_bench_sys copy N | pwrite FILE N [seccomp] | getppid N | clock N\n");
  return 2;
}

long count_arg(const char* s) {
  char* end = nullptr;
  const long n = std::strtol(s, &end, 10);
  if (*end != '\0' || n <= 0) std::exit(usage());
  return n;
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 3) return usage();
  const std::string loop = argv[1];
  Counts counts;
  long n = 0;
  std::chrono::steady_clock::duration took{};
  if (loop == "copy" && argc == 3) {
    n = count_arg(argv[2]);
    const int in = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
    const int out = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (in < 0 || out < 0) {
      std::perror("open /dev/zero, /dev/null");
      return 1;
    }
    char c = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) {
      const ssize_t got = ::read(in, &c, 1);
      counts.add(got);
      if (got == 1) counts.add(::write(out, &c, 1));
    }
    took = std::chrono::steady_clock::now() - t0;
  } else if (loop == "pwrite" && (argc == 4 || (argc == 5 && std::strcmp(argv[4], "seccomp") == 0))) {
    n = count_arg(argv[3]);
    const int fd = ::open(argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::perror(argv[2]);
      return 1;
    }
    if (argc == 5 && !install_pwrite_errno_filter()) {
      std::perror("seccomp");
      return 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i)
      counts.add(::pwrite(fd, "x", 1, 0));
    took = std::chrono::steady_clock::now() - t0;
  } else if (loop == "getppid" && argc == 3) {
    n = count_arg(argv[2]);
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i)
      counts.add(::getppid());
    took = std::chrono::steady_clock::now() - t0;
  } else if (loop == "clock" && argc == 3) {
    n = count_arg(argv[2]);
    timespec ts{};
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i)
      counts.add(::clock_gettime(CLOCK_MONOTONIC, &ts));
    took = std::chrono::steady_clock::now() - t0;
  } else {
    return usage();
  }
  const long long ns = std::chrono::duration_cast<std::chrono::nanoseconds>(took).count();
  std::printf("{\"loop\":\"%s\",\"calls\":%ld,\"ok\":%ld,\"eio\":%ld,\"other\":%ld,\"ns\":%lld}\n",
              loop.c_str(), n, counts.ok, counts.eio, counts.other, ns);
  return 0;
}
