#include "fs/mount_app.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <thread>
#include <zmq.hpp>

#include "backends/open.h"
#include "core/cachedir/cache_dir.h"
#include "core/cachedir/mount_registry.h"
#include "core/config/command_line.h"
#include "core/doorbell/doorbell.h"
#include "core/process/background.h"
#include "core/process/instance_lock.h"
#include "core/process/logging.h"
#include "core/vfs/cache_vfs.h"
#include "fs/cache_limit_follower.h"
#include "fs/invalidator.h"
#include "fs/mount_session.h"
#include "fs/mount_settings.h"
#include "fs/syncd_launcher.h"

namespace autosync::fs {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;
constexpr const char* kVersion = "autosyncfs 0.1.0";
constexpr const char* kUsage =
    "usage: autosyncfs REMOTE MOUNTPOINT [-o KEY[=VALUE],...]... [-f] [-d] [--config FILE]\n"
    "  REMOTE      s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], azure://CONTAINER[/PREFIX]\n"
    "              or file:///DIR (or `remote` in the config file)\n"
    "  -o LIST     options: cache.dir=DIR, cache.size=20G, s3.endpoint=URL, ro, allow_other,\n"
    "              uid=N, gid=N, umask=022, config=FILE, ... (see autosyncfs(8))\n"
    "  -f          stay in the foreground      -d  log every request (implies -f)\n"
    "  --config F  read options from the TOML file F (see autosync.toml(5))\n"
    "unmount: fusermount3 -u MOUNTPOINT\n";
// How often the mount checks that its autosyncd still runs.
constexpr auto kWatchdogPeriod = std::chrono::seconds(2);  // a flock probe: cheap

int fail(const Status& status, int code) {
  std::fprintf(stderr, "autosyncfs: %s\n", status.to_string().c_str());
  return code;
}

Status check_mountpoint(const std::filesystem::path& mountpoint) {
  struct stat st {};
  if (::stat(mountpoint.c_str(), &st) != 0)
    return from_errno(errno, "mountpoint " + mountpoint.string());
  if (!S_ISDIR(st.st_mode))
    return invalid("mountpoint " + mountpoint.string() + " is not a directory");
  return {};
}

// One request, so bad credentials or a missing bucket fail the mount instead of every file
// operation. A store that cannot be reached only fails a cache that has never seen it.
Status probe_store(backends::ObjectStore& store, index::Index& index) {
  backends::ListOptions probe;
  probe.delimiter = "/";
  probe.max_keys = 1;
  auto page = store.list(probe);
  if (page) return {};
  const Status& error = page.status();
  const bool unreachable =
      error.kind() == ErrorKind::kTransient || error.kind() == ErrorKind::kThrottled;
  auto listed = index.listed_at(vfs::kRootIno);
  if (unreachable && listed && listed->has_value()) {
    spdlog::warn("{} cannot be reached ({}); serving the cache offline", store.describe(),
                 error.to_string());
    return {};
  }
  return Status(error).context("cannot use " + store.describe());
}

// The mountpoint as /proc/self/mountinfo will show it: its parent with symlinks resolved
// (not the mountpoint itself: stat-ing it now would ask this mount, which is not served yet).
cachedir::MountRecord mount_record_of(const config::Options& options,
                                      const cachedir::Paths& paths) {
  auto mountpoint = options.mountpoint.lexically_normal();
  if (!mountpoint.has_filename()) mountpoint = mountpoint.parent_path();  // "/mnt/x/"
  std::error_code ec;
  auto parent = std::filesystem::canonical(mountpoint.parent_path(), ec);
  return {.mountpoint = ec ? mountpoint : parent / mountpoint.filename(),
          .remote = backends::to_string(options.store.remote),
          .pid = ::getpid(),
          .cache_dir = paths.root};
}

// Restarts autosyncd whenever it is found gone, until destroyed.
class SyncdWatchdog {
 public:
  explicit SyncdWatchdog(SyncdLauncher& launcher)
      : thread_([this, &launcher](const std::stop_token& stop) { run(stop, launcher); }) {}

 private:
  void run(const std::stop_token& stop, SyncdLauncher& launcher) {
    bool warned = false;
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    while (!stop.stop_requested()) {
      cv.wait_for(lock, stop, kWatchdogPeriod, [] { return false; });
      if (stop.stop_requested()) break;
      const Status status = launcher.ensure_running();
      if (!status && !warned) spdlog::error("cannot start autosyncd: {}", status.to_string());
      warned = !status;
    }
  }
  std::jthread thread_;
};

struct Mount {
  config::Options options;
  config::ParsedCommandLine args;
};

// autosyncd goes on uploading after the unmount; a user who unmounts may believe the data
// is on the store already, so the log (stderr with -f) says what is still to go.
void warn_if_uploads_pending(index::Index& index) {
  auto stats = index.pending_stats();
  if (!stats || stats->count == 0) return;
  spdlog::warn(
      "unmount: {} change(s), {} bytes, not on the store yet; autosyncd keeps uploading them "
      "(autosyncctl flush waits until they are)",
      stats->count, stats->bytes);
}

// Everything from the cache lock to the end of serving; the caller has detached already.
Status mount_and_serve(const Mount& m, std::optional<process::Background>& background) {
  const config::Options& options = m.options;
  const cachedir::Paths paths(options.cache.dir);
  AUTOSYNC_RETURN_IF_ERROR(cachedir::make_private_dir(paths.root));
  auto lock = process::InstanceLock::acquire(paths.mount_lock());
  if (!lock) return std::move(lock).take_status().context("cache directory is already mounted");
  AUTOSYNC_ASSIGN_OR_RETURN(auto cache, cachedir::CacheDir::open(paths.root, {.connections = 16}));
  AUTOSYNC_ASSIGN_OR_RETURN(auto store, backends::open(options.store));
  AUTOSYNC_RETURN_IF_ERROR(probe_store(*store, cache.index()));

  SyncdLauncher launcher(m.args.command_line, paths.root);
  if (const Status started = launcher.ensure_running(); !started) {
    // No program to run: no upload would ever happen, so refuse now rather than journal
    // forever. A daemon that fails once it runs is the watchdog's business (it retries).
    if (started.is(ErrorKind::kNotFound)) return started;
    spdlog::warn("cannot start autosyncd now (uploads wait for it): {}", started.to_string());
  }
  zmq::context_t zmq_context;
  doorbell::DoorbellClient doorbell(zmq_context, doorbell::doorbell_path(paths.root));
  auto vfs_options = vfs_options_of(options, ::getuid(), ::getgid());
  vfs_options.cache_limit_bytes = cachedir::effective_cache_limit(paths, options.cache.max_bytes,
                                                                  options.cache.max_bytes_given);
  vfs::CacheVfs vfs(cache.index(), cache.content(), *store, doorbell, vfs_options);
  // What a crash left half-done: changes not journaled yet, removals not applied yet.
  if (const Status recovered = vfs.recover(); !recovered) {
    spdlog::warn("cache recovery incomplete (retried at the next mount): {}",
                 recovered.to_string());
  }
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto session, MountSession::mount(vfs, options.mountpoint, mount_options_of(options)));
  doorbell.ring();  // work left by an earlier mount
  // How autosyncctl finds this cache from the mountpoint; withdrawn when we return.
  auto published = cachedir::PublishedMount::publish(paths, mount_record_of(options, paths));
  if (!published)
    spdlog::warn("autosyncctl cannot find this mount: {}", published.status().to_string());
  if (background) AUTOSYNC_RETURN_IF_ERROR(background->ready(paths.fs_log()));
  spdlog::info("mounted {} on {} (cache {})", store->describe(), options.mountpoint.string(),
               paths.root.string());
  SyncdWatchdog watchdog(launcher);
  CacheLimitFollower limit_follower(paths, vfs);  // autosyncctl cache set-limit
  // autosyncd's events -> the kernel's caches; stopped before the unmount (it uses the session).
  auto invalidator = Invalidator::start(zmq_context, paths.events_socket(), *session);
  if (!invalidator) spdlog::warn("no kernel invalidations: {}", invalidator.status().to_string());
  const Status served = session->run(SignalHandling::kExitOnSignal);
  if (invalidator) invalidator->reset();
  session->unmount();
  // The kernel sends the last releases after close() has returned, and an unmount may come
  // first: what they would have journaled, recover() journals now.
  if (const Status settled = vfs.recover(); !settled) {
    spdlog::warn("unmount: not every change is journaled yet (the next mount retries): {}",
                 settled.to_string());
  }
  doorbell.ring();
  warn_if_uploads_pending(cache.index());
  spdlog::info("unmounted {}", options.mountpoint.string());
  return served;
}

Result<Mount> load(const std::vector<std::string>& argv) {
  const auto syntax = config::syntax_of(argv.empty() ? "" : argv[0], config::Syntax::kMount);
  AUTOSYNC_ASSIGN_OR_RETURN(
      auto args, config::parse_command_line(std::span(argv).subspan(argv.empty() ? 0 : 1), syntax));
  Mount m{.options = {}, .args = std::move(args)};
  if (m.args.help || m.args.version) return m;
  AUTOSYNC_ASSIGN_OR_RETURN(m.options,
                            config::load_options(m.args.command_line, process_env(), ::geteuid()));
  if (m.options.mountpoint.empty()) return invalid("no MOUNTPOINT given");
  if (m.options.fuse.debug) m.options.fuse.foreground = true;
  return m;
}

}  // namespace

int run_autosyncfs(const std::vector<std::string>& argv) {
  auto loaded = load(argv);
  if (!loaded) {
    std::fprintf(stderr, "autosyncfs: %s (see autosyncfs --help)\n",
                 loaded.status().message().c_str());
    return kExitUsage;
  }
  Mount& m = *loaded;
  if (m.args.help) return std::fputs(kUsage, stdout) >= 0 ? 0 : kExitFailure;
  if (m.args.version) return std::puts(kVersion) >= 0 ? 0 : kExitFailure;
  if (const Status ok = check_mountpoint(m.options.mountpoint); !ok) return fail(ok, kExitFailure);
  if (m.args.fake) return 0;  // mount -f: everything checked, nothing to do

  process::init_logging("autosyncfs", m.options.fuse.debug);
  std::optional<process::Background> background;
  if (!m.options.fuse.foreground) {
    auto detached = process::Background::detach("autosyncfs");
    if (!detached) return fail(detached.status(), kExitFailure);
    background.emplace(std::move(detached).value());
  }
  // Before ready() stderr is still the terminal; after it, the log.
  if (const Status served = mount_and_serve(m, background); !served)
    return fail(served, kExitFailure);
  return 0;
}

}  // namespace autosync::fs
