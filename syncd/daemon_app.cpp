#include "syncd/daemon_app.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <span>
#include <zmq.hpp>

#include "backends/open.h"
#include "core/cachedir/cache_dir.h"
#include "core/config/command_line.h"
#include "core/config/units.h"
#include "core/doorbell/doorbell.h"
#include "core/events/event_socket.h"
#include "core/process/instance_lock.h"
#include "core/process/logging.h"
#include "syncd/control_server.h"
#include "syncd/doorbell_pump.h"
#include "syncd/remote_watcher.h"
#include "syncd/store_probe.h"
#include "syncd/worker_pool.h"

namespace autosync::syncd {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr const char* kVersion = "autosyncd 0.1.0";
constexpr const char* kUsage =
    "usage: autosyncd [REMOTE] [-o KEY[=VALUE],...]... [--config FILE] [--idle-exit DURATION]\n"
    "  Uploads what autosyncfs wrote into the cache of REMOTE (cache.dir=DIR to name it).\n"
    "  --idle-exit D  leave once no mount uses the cache and nothing is pending for D\n"
    "                 (default: sync.idle_exit, 30s; 0 = run until a signal)\n"
    "autosyncfs starts it by itself; see autosyncd(8).\n";

struct Daemon {
  config::Options options;
  config::ParsedCommandLine args;
  ConflictOptions conflicts;  // sync.conflict_policy, conflict_rules, host, priority, parsed
};

// sync.host defaults to the host name.
std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  return name.data();
}

Result<ConflictOptions> conflict_options_of(const config::SyncOptions& sync) {
  ConflictOptions out;
  AUTOSYNC_ASSIGN_OR_RETURN(out.policy, parse_policy(sync.conflict_policy));
  auto rules = parse_rules(sync.conflict_rules);
  if (!rules) return std::move(rules).take_status().context("sync.conflict_rules");
  out.rules = std::move(rules).value();
  out.host = sync.host.empty() ? host_name() : sync.host;
  out.priority = sync.priority;
  return out;
}

Result<Daemon> load(const std::vector<std::string>& argv) {
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto args, config::parse_command_line(std::span(argv).subspan(argv.empty() ? 0 : 1),
                                            config::Syntax::kDaemon));
  Daemon d{.options = {}, .args = std::move(args), .conflicts = {}};
  if (d.args.help || d.args.version) return d;
  AUTOSYNC_ASSIGN_OR_RETURN(d.options,
                            config::load_options(d.args.command_line, process_env(), ::geteuid()));
  AUTOSYNC_ASSIGN_OR_RETURN(d.conflicts, conflict_options_of(d.options.sync));
  if (d.args.idle_exit) {
    auto parsed = config::parse_duration(*d.args.idle_exit);
    if (!parsed) return std::move(parsed).take_status().context("--idle-exit");
    d.options.sync.idle_exit = *parsed;
  }
  return d;
}

WorkerOptions worker_options_of(const config::Options& options, const ConflictOptions& conflicts) {
  WorkerOptions out;
  out.conflicts = conflicts;
  out.workers = options.sync.workers;
  out.transfer = options.sync.transfer;
  out.metadata_writeback_delay = options.sync.writeback_delay;
  out.upload_max_delay = options.sync.writeback_max_delay;
  // This daemon holds syncd.lock, so every claim already in the journal was made by a daemon
  // that died: requeue them all at start, not only those older than the usual limit.
  out.stale_claim_after = std::chrono::milliseconds(0);
  return out;
}

// The remote watcher runs as the mount does: objects without metadata get the same modes
// and owners, and stale bytes are freed only while no mount can be writing them.
RemoteWatcherOptions watcher_options_of(const config::Options& options,
                                        const cachedir::Paths& paths) {
  RemoteWatcherOptions out;
  out.poll_interval = options.sync.poll_interval;
  out.poll_max_interval = options.sync.poll_max_interval;
  out.full_scan_interval = options.sync.full_scan_interval;
  out.defaults.uid = options.fuse.uid.value_or(::getuid());
  out.defaults.gid = options.fuse.gid.value_or(::getgid());
  out.defaults.umask = static_cast<mode_t>(options.fuse.umask.value_or(022));
  out.content_in_use = [lock = paths.mount_lock()] { return process::InstanceLock::held(lock); };
  return out;
}

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// Whether the daemon still has a reason to run: a mount on its cache, or rows to upload.
bool has_work(const cachedir::Paths& paths, index::Index& index) {
  if (process::InstanceLock::held(paths.mount_lock())) return true;
  auto pending = index.pending_stats();
  return !pending || pending->count > 0;  // an unreadable journal is not "nothing to do"
}

// Waits for a stop signal, or for idleness as long as `idle_exit` when that is not zero.
void wait_for_end(const cachedir::Paths& paths, index::Index& index,
                  std::chrono::milliseconds idle_exit) {
  const sigset_t signals = stop_signals();
  auto idle_since = Clock::now();
  const timespec tick{.tv_sec = 1, .tv_nsec = 0};
  while (true) {
    const int sig = ::sigtimedwait(&signals, nullptr, &tick);
    if (sig > 0) {
      spdlog::info("signal {}: stopping", sig);
      return;
    }
    if (idle_exit.count() == 0) continue;
    if (has_work(paths, index)) {
      idle_since = Clock::now();
    } else if (Clock::now() - idle_since >= idle_exit) {
      spdlog::info("no mount and nothing pending for {} ms: stopping", idle_exit.count());
      return;
    }
  }
}

Status run(const Daemon& d) {
  const cachedir::Paths paths(d.options.cache.dir);
  AUTOSYNC_RETURN_IF_ERROR(cachedir::make_private_dir(paths.root));
  auto lock = process::InstanceLock::acquire(paths.syncd_lock());
  if (!lock && lock.status().kind() == ErrorKind::kAlreadyExists) {
    spdlog::info("another autosyncd serves this cache: {}", lock.status().message());
    return {};
  }
  if (!lock) return std::move(lock).take_status();
  const size_t connections = d.options.sync.workers + 2;
  AUTOSYNC_ASSIGN_OR_RETURN(auto cache, cachedir::CacheDir::open(paths.root, {connections}));
  AUTOSYNC_ASSIGN_OR_RETURN(auto store, backends::open(d.options.store));
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string client_id, cachedir::client_id(paths));

  // Signals are taken by sigtimedwait on this thread only: block them before any thread
  // starts, so every thread inherits the mask.
  const sigset_t signals = stop_signals();
  ::pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  zmq::context_t zmq_context;
  // What the daemon does, for autosyncfs (kernel invalidations) and tools; without the socket
  // it still syncs, telling no one.
  events::NullEventSink no_events;
  auto publisher = events::EventPublisher::bind(zmq_context, paths.events_socket());
  if (!publisher) spdlog::warn("no event stream: {}", publisher.status().to_string());
  events::EventSink& events = publisher ? static_cast<events::EventSink&>(**publisher) : no_events;
  WorkerOptions worker_options = worker_options_of(d.options, d.conflicts);
  worker_options.client_id = client_id;
  WorkerPool pool(cache.index(), cache.content(), *store, std::move(worker_options),
                  "autosyncd-" + std::to_string(::getpid()), events);
  AUTOSYNC_RETURN_IF_ERROR(pool.start());
  AUTOSYNC_ASSIGN_OR_RETURN(auto listener, doorbell::DoorbellListener::bind(
                                               zmq_context, doorbell::doorbell_path(paths.root)));
  DoorbellPump pump(std::move(listener), [&pool] { pool.ring(); });
  RemoteWatcher watcher(cache.index(), cache.content(), *store, events,
                        watcher_options_of(d.options, paths));
  watcher.start();
  StoreProbe probe(*store);
  ControlContext control_context{
      .paths = paths,
      .index = cache.index(),
      .content = cache.content(),
      .store = *store,
      .pool = pool,
      .remote = backends::to_string(d.options.store.remote),
      .cache_limit_bytes = cachedir::effective_cache_limit(paths, d.options.cache.max_bytes,
                                                           d.options.cache.max_bytes_given),
      .cache_limit_given = d.options.cache.max_bytes_given,
      .watcher = &watcher,
      .conflicts = &d.conflicts,
      .events = &events,
      .defaults = watcher_options_of(d.options, paths).defaults,
      .probe = &probe};
  // autosyncctl's way in; without it the daemon still uploads, so a failure is only logged.
  auto control = ControlServer::start(zmq_context, paths.control_socket(),
                                      make_control_commands(control_context));
  if (!control) spdlog::warn("no control socket: {}", control.status().to_string());
  spdlog::info("uploading from {} to {} with {} workers", paths.root.string(), store->describe(),
               d.options.sync.workers);
  wait_for_end(paths, cache.index(), d.options.sync.idle_exit);
  return {};  // the pump, then the pool (rows in flight finish), stop as they go out of scope
}

}  // namespace

int run_autosyncd(const std::vector<std::string>& argv) {
  auto loaded = load(argv);
  if (!loaded) {
    std::fprintf(stderr, "autosyncd: %s (see autosyncd --help)\n",
                 loaded.status().message().c_str());
    return kExitUsage;
  }
  if (loaded->args.help) return std::fputs(kUsage, stdout) >= 0 ? 0 : kExitFailure;
  if (loaded->args.version) return std::puts(kVersion) >= 0 ? 0 : kExitFailure;
  process::init_logging("autosyncd", false);
  if (const Status status = run(*loaded); !status) {
    std::fprintf(stderr, "autosyncd: %s\n", status.to_string().c_str());
    return kExitFailure;
  }
  return 0;
}

}  // namespace autosync::syncd
