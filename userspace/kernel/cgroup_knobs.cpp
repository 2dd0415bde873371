#include "kernel/cgroup_knobs.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "kernel/ledger.hpp"
#include "kernel/unique_fd.hpp"
#include "util/log.hpp"

namespace faultline::kernel {
namespace {

using kernel::UniqueFd;

// One knob of one cgroup. The inode tells a cgroup from one made again under the same path.
struct KnobKey {
  std::string cgroup;
  std::uint64_t ino = 0;
  std::string knob;
  std::string device; // io.max: the device whose line it is
  auto tied() const { return std::tie(ino, knob, device, cgroup); }
  bool operator<(const KnobKey& o) const { return tied() < o.tied(); }
  bool operator==(const KnobKey& o) const { return tied() == o.tied(); }
};

// A change the ledger holds open: written (or about to be) and not yet put back.
struct Pending {
  KnobKey key;
  std::string owner;                  // "PID:STARTTIME" of the process that made it
  std::string old;                    // the value before ("" for an io.max device without a line)
  std::optional<std::string> applied; // what the kernel made of the write, once known
  std::vector<std::string> lines;     // as written in the ledger
};

std::mutex g_mu;
std::map<KnobKey, std::string> g_held; // knobs this process holds -> holder

std::string name_of(const KnobKey& k) {
  return k.device.empty() ? fmt::format("{}: {}", k.cgroup, k.knob)
                          : fmt::format("{}: {} of {}", k.cgroup, k.knob, k.device);
}

std::string shown(const std::string& value) { return value.empty() ? "no limit" : "'" + value + "'"; }

Result<std::string> read_text(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "cannot read {}", path);
  std::string text;
  char buf[4096];
  ssize_t n = 0;
  while ((n = ::read(fd.get(), buf, sizeof(buf))) > 0)
    text.append(buf, static_cast<std::size_t>(n));
  if (n < 0) return make_error(errno, "cannot read {}", path);
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  return text;
}

// A cgroup file takes a value in one write.
Status write_text(const std::string& path, const std::string& value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "cannot open {}", path);
  if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
    return make_error(errno, "cannot write '{}' to {}", value, path);
  return {};
}

// The knob's value: the file's text, or for io.max the line of the device ("" when it has none).
Result<std::string> read_knob(const KnobKey& k) {
  auto text = read_text(k.cgroup + "/" + k.knob);
  if (!text || k.device.empty()) return text;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(k.device + " ", 0) == 0) return line;
  return std::string{};
}

// What io.max needs to lose the device's line: every limit back to max.
std::string io_unlimited(const std::string& device) {
  return device + " rbps=max wbps=max riops=max wiops=max";
}

Result<std::uint64_t> inode_of(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return make_error(errno, "no cgroup {}", dir);
  if (!S_ISDIR(st.st_mode)) return make_error(ENOTDIR, "{} is not a cgroup directory", dir);
  return static_cast<std::uint64_t>(st.st_ino);
}

// Why the knob cannot be changed on this cgroup, if it cannot.
Status check_knob(const std::string& cgroup, const std::string& knob) {
  if (knob.rfind("cgroup.", 0) == 0) { // a core file (cgroup.freeze): no controller to enable
    if (::access((cgroup + "/" + knob).c_str(), F_OK) != 0)
      return make_error(EOPNOTSUPP, "{} has no {}", cgroup, knob);
    return {};
  }
  const std::string controller = knob.substr(0, knob.find('.'));
  const auto slash = cgroup.find_last_of('/');
  const std::string parent = slash == std::string::npos || slash == 0 ? "/" : cgroup.substr(0, slash);
  auto enabled = read_text(parent + "/cgroup.subtree_control");
  if (!enabled)
    return make_error(EOPNOTSUPP,
                      "{} has no {}: the root cgroup has no resource knobs; target a cgroup below it", cgroup,
                      knob);
  std::istringstream words(*enabled);
  std::set<std::string> controllers;
  for (std::string w; words >> w;)
    controllers.insert(w);
  if (controllers.count(controller) == 0)
    return make_error(
        EOPNOTSUPP,
        "the {} controller is not enabled for {}: its parent {} lacks it in cgroup.subtree_control "
        "({}). faultline does not enable controllers; `echo +{} > {}/cgroup.subtree_control` "
        "would, where the hierarchy above enables it too",
        controller, cgroup, parent, enabled->empty() ? "empty" : *enabled, controller, parent);
  if (::access((cgroup + "/" + knob).c_str(), F_OK) != 0)
    return make_error(EOPNOTSUPP, "{} has no {} although its {} controller is enabled", cgroup, knob,
                      controller);
  return {};
}

// A ledger line. Knob values are ASCII; anything that is not valid UTF-8 is replaced rather than
// thrown over (the "set" line, which names the cgroup, is checked before anything is written).
std::string line_of(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool valid_utf8(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

nlohmann::json key_json(const KnobKey& k, const std::string& op, const std::string& owner) {
  return {{"op", op},     {"owner", owner}, {"cgroup", k.cgroup},
          {"ino", k.ino}, {"knob", k.knob}, {"device", k.device}};
}

// The ledger's changes that are not put back, in the order they were made.
std::vector<Pending> pending_in(const std::string& text) {
  std::vector<Pending> open;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue; // a torn last line: its write never happened
    KnobKey key{j.value("cgroup", ""), j.value("ino", std::uint64_t{0}), j.value("knob", ""),
                j.value("device", "")};
    const std::string op = j.value("op", "");
    const std::string owner = j.value("owner", "");
    auto it = std::find_if(open.begin(), open.end(),
                           [&](const Pending& p) { return p.key == key && p.owner == owner; });
    if (op == "set") {
      if (it != open.end()) open.erase(it); // cannot happen: a holder sets a knob once
      open.push_back({key, owner, j.value("old", ""), std::nullopt, {line}});
    } else if (op == "applied" && it != open.end()) {
      it->applied = j.value("value", "");
      it->lines.push_back(line);
    } else if (op == "restored" && it != open.end()) {
      open.erase(it);
    }
  }
  return open;
}

// The process that holds this knob open in the ledger: another running faultline process, or
// this one after a put-back that failed; "" when nobody does.
std::string open_owner(const std::string& ledger, const KnobKey& key) {
  auto text = read_text(ledger);
  if (!text) return {};
  for (const auto& p : pending_in(*text))
    if (p.key == key && (p.owner == self_owner() || owner_alive(p.owner))) return p.owner;
  return {};
}

// Puts one knob back and closes its ledger entry; says what happened. An error leaves the entry
// open: the next start tries again.
Result<std::string> put_back(const std::string& ledger, const Pending& p) {
  const KnobKey& k = p.key;
  const std::string what = name_of(k);
  std::string result;
  auto ino = inode_of(k.cgroup);
  if (!ino || *ino != k.ino) {
    result = fmt::format("{}: the cgroup is gone, nothing to put back", what);
  } else if (auto now = read_knob(k); !now) {
    if (now.error().code != ENOENT) return now.error();
    result = fmt::format("{}: the knob is gone (its controller was disabled), nothing to put back", what);
  } else if (p.applied && *now != *p.applied) {
    result = fmt::format("{}: changed by someone else since faultline wrote {} (now {}); left as it is", what,
                         shown(*p.applied), shown(*now));
  } else {
    const std::string value = k.device.empty() || !p.old.empty() ? p.old : io_unlimited(k.device);
    if (auto st = write_text(k.cgroup + "/" + k.knob, value); !st) {
      if (st.error().code == ENOENT)
        result = fmt::format("{}: the cgroup is gone, nothing to put back", what);
      else if (!k.device.empty() && st.error().code == ENODEV)
        result = fmt::format("{}: the device is gone, and its limits with it", what);
      else
        return st.error();
    } else {
      result = fmt::format("{} back to {}", what, shown(p.old));
    }
  }
  auto line = key_json(k, "restored", p.owner);
  line["result"] = result;
  if (auto st = append_durably(ledger, line_of(line)); !st) log::warn("{}", st.error().describe());
  return result;
}

class Hold final : public KnobHold {
public:
  explicit Hold(std::string ledger) : ledger_(std::move(ledger)) {}
  // Called with g_mu not held.
  ~Hold() override {
    std::lock_guard lock(g_mu);
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
      try {
        if (auto done = put_back(ledger_, *it); done)
          log::info("{}", *done);
        else
          log::warn("cannot put back {}: {}; the next start tries again", name_of(it->key),
                    done.error().describe());
      } catch (...) { // out of memory: the ledger still has it open, for the next start
      }
      g_held.erase(it->key);
    }
  }
  std::vector<std::string> describe() const override { return lines_; }

  std::string ledger_;
  std::vector<Pending> held_;
  std::vector<std::string> lines_;
};

} // namespace

std::string knob_ledger_path() { return state_dir() + "/knobs.log"; }

Result<std::unique_ptr<KnobHold>> hold_knobs(const std::string& ledger, const std::string& cgroup,
                                             const std::vector<KnobWrite>& writes, const std::string& holder,
                                             bool dry_run) {
  auto ino = inode_of(cgroup);
  if (!ino) return ino.error();
  if (!valid_utf8(cgroup))
    return make_error(EINVAL, "{}: the path is not valid UTF-8, which the knob ledger cannot record exactly",
                      cgroup);
  std::unique_lock lock(g_mu);
  // Everything is checked and read before anything is written.
  std::vector<KnobKey> keys;
  std::vector<std::string> olds;
  for (const auto& w : writes) {
    if (auto st = check_knob(cgroup, w.knob); !st) return st.error();
    KnobKey key{cgroup, *ino, w.knob, w.device};
    if (auto it = g_held.find(key); it != g_held.end())
      return make_error(EBUSY, "{} is already changed by {}: one value per knob at a time", name_of(key),
                        it->second);
    if (std::find(keys.begin(), keys.end(), key) != keys.end())
      return make_error(EINVAL, "{} is set twice", name_of(key));
    const std::string other = open_owner(ledger, key);
    if (!other.empty() && other == self_owner())
      return make_error(EBUSY,
                        "{} could not be put back after an earlier change (the log says why); the next start "
                        "tries again",
                        name_of(key));
    if (!other.empty())
      return make_error(EBUSY,
                        "{} is changed by another faultline process (pid {}); one value per knob at a time",
                        name_of(key), other.substr(0, other.find(':')));
    auto old = read_knob(key);
    if (!old) return old.error();
    keys.push_back(std::move(key));
    olds.push_back(std::move(*old));
  }
  auto hold = std::make_unique<Hold>(ledger);
  auto fail = [&](const Error& e) -> Error {
    lock.unlock(); // the hold's destructor puts back what this call wrote, under the lock
    hold.reset();
    return e;
  };
  for (std::size_t i = 0; i < writes.size(); ++i) {
    const KnobKey& key = keys[i];
    const std::string value = key.device.empty() ? writes[i].value : key.device + " " + writes[i].value;
    if (dry_run) {
      hold->lines_.push_back(
          fmt::format("{}: would set {} (now {})", name_of(key), shown(value), shown(olds[i])));
      continue;
    }
    // Intent first: a crash during the write still leaves the old value on record.
    auto set = key_json(key, "set", self_owner());
    set["old"] = olds[i];
    set["new"] = value;
    if (auto st = append_durably(ledger, line_of(set)); !st) return fail(st.error());
    g_held[key] = holder;
    hold->held_.push_back({key, self_owner(), olds[i], std::nullopt, {}});
    if (auto st = write_text(key.cgroup + "/" + key.knob, value); !st) return fail(st.error());
    auto now = read_knob(key);
    const std::string applied = now ? *now : value;
    hold->held_.back().applied = applied;
    auto line = key_json(key, "applied", self_owner());
    line["value"] = applied;
    if (auto st = append_durably(ledger, line_of(line)); !st) log::warn("{}", st.error().describe());
    hold->lines_.push_back(fmt::format("{} {} (was {})", name_of(key), shown(applied), shown(olds[i])));
  }
  return std::unique_ptr<KnobHold>(std::move(hold));
}

Result<std::vector<std::string>> recover_knobs(const std::string& ledger) {
  auto text = read_text(ledger);
  if (!text) {
    if (text.error().code == ENOENT) return std::vector<std::string>{}; // nothing was ever changed
    return text.error();
  }
  std::vector<std::string> done;
  {
    std::lock_guard lock(g_mu);
    const auto open = pending_in(*text);
    // Newest first: where two dead processes changed one knob in turn, the oldest value is the
    // one left.
    for (auto it = open.rbegin(); it != open.rend(); ++it) {
      if (owner_alive(it->owner)) continue; // a running exec's changes are its own
      auto r = put_back(ledger, *it);
      done.push_back(
          r ? *r : fmt::format("{}: {}; the next start tries again", name_of(it->key), r.error().message));
    }
  }
  // Compaction: only what is still open stays (it would otherwise grow by three lines per knob
  // per experiment forever). Appenders wait on the lock, then append to the rewritten file.
  UniqueFd fd(::open(ledger.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd.valid()) return make_error(errno, "cannot open {}", ledger);
  ::flock(fd.get(), LOCK_EX);
  auto now = read_text(ledger);
  if (!now) return now.error();
  std::string kept;
  for (const auto& p : pending_in(*now))
    for (const auto& line : p.lines)
      kept += line + "\n";
  if (::ftruncate(fd.get(), 0) != 0 ||
      ::pwrite(fd.get(), kept.data(), kept.size(), 0) != static_cast<ssize_t>(kept.size()) ||
      ::fsync(fd.get()) != 0)
    return make_error(errno, "cannot rewrite {}", ledger);
  return done;
}

} // namespace faultline::kernel
