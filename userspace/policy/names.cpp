#include "policy/names.hpp"

#include "policy/policy.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <utility>

namespace faultline::policy {
namespace {

#define FL_ERRNO(e)                                                                                          \
  std::pair<const char*, int> { #e, e }
constexpr std::array kErrnos = {
    FL_ERRNO(EPERM),
    FL_ERRNO(ENOENT),
    FL_ERRNO(ESRCH),
    FL_ERRNO(EINTR),
    FL_ERRNO(EIO),
    FL_ERRNO(ENXIO),
    FL_ERRNO(E2BIG),
    FL_ERRNO(EBADF),
    FL_ERRNO(EAGAIN),
    FL_ERRNO(ENOMEM),
    FL_ERRNO(EACCES),
    FL_ERRNO(EFAULT),
    FL_ERRNO(EBUSY),
    FL_ERRNO(EEXIST),
    FL_ERRNO(EXDEV),
    FL_ERRNO(ENODEV),
    FL_ERRNO(ENOTDIR),
    FL_ERRNO(EISDIR),
    FL_ERRNO(EINVAL),
    FL_ERRNO(ENFILE),
    FL_ERRNO(EMFILE),
    FL_ERRNO(ETXTBSY),
    FL_ERRNO(EFBIG),
    FL_ERRNO(ENOSPC),
    FL_ERRNO(ESPIPE),
    FL_ERRNO(EROFS),
    FL_ERRNO(EMLINK),
    FL_ERRNO(EPIPE),
    FL_ERRNO(ERANGE),
    FL_ERRNO(EDEADLK),
    FL_ERRNO(ENAMETOOLONG),
    FL_ERRNO(ENOLCK),
    FL_ERRNO(ENOSYS),
    FL_ERRNO(ENOTEMPTY),
    FL_ERRNO(ELOOP),
    FL_ERRNO(ENODATA),
    FL_ERRNO(ETIME),
    FL_ERRNO(ENOTSOCK),
    FL_ERRNO(EMSGSIZE),
    FL_ERRNO(ENOPROTOOPT),
    FL_ERRNO(EOPNOTSUPP),
    FL_ERRNO(EAFNOSUPPORT),
    FL_ERRNO(EADDRINUSE),
    FL_ERRNO(EADDRNOTAVAIL),
    FL_ERRNO(ENETDOWN),
    FL_ERRNO(ENETUNREACH),
    FL_ERRNO(ENETRESET),
    FL_ERRNO(ECONNABORTED),
    FL_ERRNO(ECONNRESET),
    FL_ERRNO(ENOBUFS),
    FL_ERRNO(EISCONN),
    FL_ERRNO(ENOTCONN),
    FL_ERRNO(ETIMEDOUT),
    FL_ERRNO(ECONNREFUSED),
    FL_ERRNO(EHOSTDOWN),
    FL_ERRNO(EHOSTUNREACH),
    FL_ERRNO(EALREADY),
    FL_ERRNO(EINPROGRESS),
    FL_ERRNO(EDQUOT),
    FL_ERRNO(ECANCELED),
    // Less often injected, but met in the wild (what `faultline observe` reports and amplifies).
    FL_ERRNO(ECHILD),
    FL_ERRNO(ENOEXEC),
    FL_ERRNO(ENOTTY),
    FL_ERRNO(ENOTBLK),
    FL_ERRNO(EDOM),
    FL_ERRNO(ENOMSG),
    FL_ERRNO(EIDRM),
    FL_ERRNO(ENOLINK),
    FL_ERRNO(EPROTO),
    FL_ERRNO(EBADMSG),
    FL_ERRNO(EOVERFLOW),
    FL_ERRNO(EILSEQ),
    FL_ERRNO(EDESTADDRREQ),
    FL_ERRNO(EPROTOTYPE),
    FL_ERRNO(EPROTONOSUPPORT),
    FL_ERRNO(ESOCKTNOSUPPORT),
    FL_ERRNO(EPFNOSUPPORT),
    FL_ERRNO(ESHUTDOWN),
    FL_ERRNO(ETOOMANYREFS),
    FL_ERRNO(ESTALE),
    FL_ERRNO(EREMOTEIO),
    FL_ERRNO(ENOMEDIUM),
    FL_ERRNO(EMEDIUMTYPE),
    FL_ERRNO(ENOKEY),
    FL_ERRNO(EKEYEXPIRED),
    FL_ERRNO(EKEYREVOKED),
    FL_ERRNO(EKEYREJECTED),
    FL_ERRNO(EOWNERDEAD),
    FL_ERRNO(ENOTRECOVERABLE),
    FL_ERRNO(ERFKILL),
    FL_ERRNO(EHWPOISON),
    FL_ERRNO(EUCLEAN),
};
#undef FL_ERRNO

#define FL_SIG(s)                                                                                            \
  std::pair<const char*, int> { #s, s }
constexpr std::array kSignals = {
    FL_SIG(SIGKILL), FL_SIG(SIGSEGV), FL_SIG(SIGABRT), FL_SIG(SIGTERM), FL_SIG(SIGINT),
    FL_SIG(SIGQUIT), FL_SIG(SIGBUS),  FL_SIG(SIGILL),  FL_SIG(SIGFPE),  FL_SIG(SIGSTOP),
    FL_SIG(SIGHUP),  FL_SIG(SIGUSR1), FL_SIG(SIGUSR2), FL_SIG(SIGPIPE), FL_SIG(SIGSYS),
};
#undef FL_SIG

int edit_distance(std::string_view a, std::string_view b) {
  std::vector<int> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j)
    prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      const int subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

} // namespace

std::optional<int> errno_from_name(std::string_view name) {
  for (const auto& [n, v] : kErrnos)
    if (name == n) return v;
  return std::nullopt;
}

std::string errno_name(int err) {
  for (const auto& [n, v] : kErrnos)
    if (v == err) return n;
  return std::to_string(err);
}

std::optional<int> signal_from_name(std::string_view name) {
  for (const auto& [n, v] : kSignals)
    if (name == n) return v;
  return std::nullopt;
}

std::string signal_name(int sig) {
  for (const auto& [n, v] : kSignals)
    if (v == sig) return n;
  return std::to_string(sig);
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  int best_d = 3; // suggest only close misspellings
  const std::string w = upper(word);
  for (const auto& c : candidates) {
    const int d = edit_distance(w, upper(c));
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

template <typename Table> std::vector<std::string> names_of(const Table& table) {
  std::vector<std::string> v;
  v.reserve(table.size());
  for (const auto& entry : table)
    v.emplace_back(entry.first);
  return v;
}

std::vector<std::string> errno_names() { return names_of(kErrnos); }
std::vector<std::string> signal_names() { return names_of(kSignals); }

} // namespace faultline::policy
