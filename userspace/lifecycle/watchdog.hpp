// Stop conditions (spec.stopConditions): while an experiment runs, each of its conditions is
// checked on its own interval, on a thread of its own (a slow HTTP check never delays a counter),
// and the first breach aborts that run of the experiment with the reason. The threads end with
// their experiment, however it ends. With a steady state, one more thread checks, once the
// experiment has ended, that the hypothesis holds again (lifecycle/steady_state.hpp).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "checks/check_result.hpp"
#include "lifecycle/controller.hpp"
#include "lifecycle/run_count.hpp"
#include "lifecycle/steady_state.hpp"
#include "policy/policy.hpp"

namespace faultline::lifecycle {

class Watchdog {
public:
  // How a checking thread is started; tests give one that fails (std::thread throws
  // std::system_error when the system has no thread to give).
  using Spawn = std::function<std::thread(std::function<void()>)>;
  explicit Watchdog(Controller& controller, Spawn spawn = {})
      : controller_(controller), spawn_(std::move(spawn)) {}
  ~Watchdog(); // stops checking (a check under way finishes first) and joins every thread
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  // Starts checking `policy`'s stop conditions for the run `run` (ExperimentView::run of the
  // view Controller::start returned). A run that cannot be watched is not left unguarded: it is
  // aborted with the reason, which the error repeats.
  Status watch(const policy::Policy& policy, std::uint64_t run);
  std::size_t active(); // threads still checking

private:
  struct Check {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  void check_loop(const std::string& name, std::uint64_t run, const policy::StopCondition& condition);
  // Waits for the run to end, then for its steady state to be back (or not), and says which.
  void recovery_loop(const std::string& name, std::uint64_t run, const policy::SteadyState& steady,
                     ProbeCounters counters);

  // One check; nullopt when the run has ended (nothing to check any more).
  std::optional<checks::CheckResult> check_once(const std::string& name, std::uint64_t run,
                                                const policy::StopCondition& condition,
                                                RunCount& kernel_count);
  void reap_locked(); // joins the threads that have finished

  std::thread spawn(std::function<void()> body);

  Controller& controller_;
  Spawn spawn_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::atomic<bool> stop_flag_{false}; // stopping_, for waits outside mu_
  std::vector<Check> checks_;
};

} // namespace faultline::lifecycle
