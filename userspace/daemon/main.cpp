// faultlined: loads the fault programs, serves the API, retires experiments at their deadline
// and removes every fault on SIGTERM/SIGINT. If it is killed instead, its links die with it and
// every rule's deadline still holds inside BPF.
#include <CLI/CLI.hpp>
#include <signal.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <thread>

#include "daemon/api.hpp"
#include "daemon/config.hpp"
#include "daemon/metrics_server.hpp"
#include "daemon/server.hpp"
#include "kernel/event_reader.hpp"
#include "lifecycle/controller.hpp"
#include "lifecycle/experiment_journal.hpp"
#include "lifecycle/journal.hpp"
#include "lifecycle/kernel_host.hpp"
#include "lifecycle/watchdog.hpp"
#include "observe/doctor_report.hpp"
#include "observe/metrics.hpp"
#include "util/log.hpp"

using namespace faultline;

namespace {

// Every attached target holds descriptors (BPF links, namespace handles): a thousand targets pass
// the default soft limit of 1,024 and 16,384 (the rule table's size) pass the kernel's default
// hard limit of 4,096. Privileged, faultlined raises both to what the table needs; otherwise the
// soft limit goes up to the hard one, the operator's word.
void raise_fd_limit() {
  constexpr rlim_t kWanted = 65536;
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= kWanted) return;
  const rlim_t was = lim.rlim_cur;
  rlimit want{std::max(kWanted, lim.rlim_max), std::max(kWanted, lim.rlim_max)};
  if (::setrlimit(RLIMIT_NOFILE, &want) == 0) return;
  lim.rlim_cur = lim.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &lim) != 0)
    log::warn("cannot raise the open-file limit from {}: {}", was, std::strerror(errno));
}

observe::KernelCounters kernel_counters(const lifecycle::KernelHost& host) {
  auto read = [&](fl_global_stat which) {
    auto v = host.global_stat(which);
    if (!v) log::warn("{}", v.error().describe());
    return v ? *v : 0;
  };
  return {read(FL_STAT_EVENTS_DROPPED), read(FL_STAT_DEADLINE_EXPIRED), read(FL_STAT_HOOK_MISMATCH)};
}

} // namespace

int main(int argc, char** argv) {
  try {
    CLI::App app{"faultlined: the faultline daemon"};
    std::string config_path = daemon::kDefaultConfigPath;
    std::string socket_path;
    std::string journal_path;
    app.add_option("--config", config_path, "daemon config (YAML; docs/daemon.md)")->capture_default_str();
    app.add_option("--socket", socket_path, "Unix socket of the API (overrides the config)");
    app.add_option("--journal", journal_path, "experiment journal, JSON lines (overrides the config)");
    std::string metrics_address;
    app.add_option(
        "--metrics", metrics_address,
        "serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9464); off by default");
    CLI11_PARSE(app, argc, argv);
    auto config = daemon::load_daemon_config(config_path, app.count("--config") > 0);
    if (!config) {
      log::error("{}", config.error().describe());
      return 1;
    }
    daemon::ServerOptions options;
    options.socket_path = socket_path.empty() ? config->socket_path : socket_path;
    if (journal_path.empty()) journal_path = config->journal_path;
    // Signals are taken by a dedicated thread, so every other thread runs with them blocked.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    auto journal = lifecycle::Journal::open(journal_path, config->journal_max_bytes);
    if (!journal) {
      log::error("{}", journal.error().describe());
      return 1;
    }
    // Recorded before anything else can fail: the journal tells what happened to them even if
    // this start goes no further.
    auto interrupted = lifecycle::ExperimentJournal(journal->get()).abort_interrupted();
    // Bound before anything is loaded: a taken or mistyped address ends the start-up at once.
    kernel::UniqueFd metrics_listener;
    if (!metrics_address.empty()) {
      auto listener = daemon::listen_metrics(metrics_address);
      if (!listener) {
        log::error("{}", listener.error().describe());
        return 1;
      }
      metrics_listener = std::move(*listener);
    }
    raise_fd_limit();
    auto host = lifecycle::KernelHost::create();
    if (!host) {
      log::error("{}", host.error().describe());
      return 1;
    }
    lifecycle::Controller controller(**host, journal->get(), config->safety);
    controller.recall_ended(std::move(interrupted));
    // Injection events, read from the programs' ring buffer as they come and kept for
    // `faultline events` (declared after what its sink uses, so it stops first).
    observe::EventLog events;
    auto reader = kernel::EventReader::start((*host)->events_map_fd(), [&](const fl_event& raw) {
      events.append(
          observe::decode_event(raw, controller.rule_owner(raw.rule_id), observe::mono_to_unix_offset_ns()));
    });
    if (!reader) {
      log::error("{}", reader.error().describe());
      return 1;
    }
    lifecycle::Watchdog watchdog(controller);
    daemon::Api api(
        controller, [&] { return observe::doctor_json((*host)->features()); }, journal->get(),
        {&events, [&] { return kernel_counters(**host).events_dropped; }, options.workers / 2}, &watchdog);
    std::atomic<bool> stop{false};
    // Joined, never detached: it touches `stop` and `events`, which must outlive it (a detached
    // one could wake on a late signal after main's locals were gone). On the way out without a
    // signal (serve() failed), it is sent one of those it waits for (blocked, so only sigwait
    // takes it).
    std::atomic<bool> leaving{false};
    struct SignalThread {
      std::atomic<bool>& leaving;
      std::thread thread;
      ~SignalThread() {
        leaving.store(true);
        pthread_kill(thread.native_handle(), SIGINT);
        thread.join();
      }
    } signal_thread{leaving, std::thread([&] {
                      int sig = 0;
                      sigwait(&signals, &sig);
                      if (!leaving.load())
                        log::info("signal {}: removing every fault and shutting down", sig);
                      stop.store(true);
                      events.close(); // followers waiting for an event answer now
                    })};
    std::thread metrics_thread;
    if (metrics_listener.valid()) {
      metrics_thread = std::thread([&] {
        daemon::serve_metrics(
            metrics_listener.get(), options.limits,
            [&] { return observe::prometheus_text(controller.list(), kernel_counters(**host)); }, stop);
      });
      log::info("metrics at http://{}/metrics", metrics_address);
    }
    auto served = daemon::serve(api, controller, options, stop);
    stop.store(true); // serve() may also return on an error: the metrics thread ends with it
    if (metrics_thread.joinable()) metrics_thread.join();
    (void)controller.stop_all("faultlined shut down");
    if (!served) {
      log::error("{}", served.error().describe());
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    log::error("fatal: {}", e.what());
    return 1;
  } catch (...) {
    return 1;
  }
}
