#include "fs/mount_session.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <string_view>
#include <vector>

#include "fs/fuse_adapter.h"
#include "fs/fuse_api.h"

namespace autosync::fs {
namespace {

// libfuse splits -o on commas and unescapes backslashes.
std::string escape_option_value(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string option_string(const MountOptions& options) {
  std::string out = "fsname=" + escape_option_value(options.fsname) +
                    ",subtype=" + escape_option_value(options.subtype);
  if (options.allow_other) out += ",allow_other";
  if (options.default_permissions) out += ",default_permissions";
  if (options.read_only) out += ",ro";
  if (options.auto_unmount) out += ",auto_unmount";
  for (const auto& word : options.extra)
    out += "," + word;  // already in -o syntax: the user escaped what needed it
  return out;
}

fuse_session* new_session(const MountOptions& options, FuseAdapter& adapter) {
  std::vector<std::string> words = {"autosyncfs", "-o", option_string(options)};
  if (options.debug) words.emplace_back("-d");
  std::vector<char*> argv;
  argv.reserve(words.size());
  for (auto& word : words)
    argv.push_back(word.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  fuse_session* session =
      fuse_session_new(&args, &FuseAdapter::operations(), sizeof(fuse_lowlevel_ops), &adapter);
  fuse_opt_free_args(&args);  // frees only what libfuse allocated while parsing
  return session;
}

struct LoopConfigDeleter {
  void operator()(fuse_loop_config* config) const { fuse_loop_cfg_destroy(config); }
};

}  // namespace

void MountSession::SessionDeleter::operator()(fuse_session* session) const {
  fuse_session_destroy(session);
}

Result<std::unique_ptr<MountSession>> MountSession::mount(vfs::Vfs& vfs,
                                                          const std::filesystem::path& mountpoint,
                                                          const MountOptions& options) {
  auto adapter = std::make_unique<FuseAdapter>(vfs, options.adapter);
  fuse_session* raw = new_session(options, *adapter);
  if (raw == nullptr) {
    return invalid(fmt::format("mount {}: libfuse rejected the mount options (see its log)",
                               mountpoint.string()));
  }
  auto session =
      std::make_unique<MountSession>(Key(), std::move(adapter), mountpoint, options.max_threads);
  session->session_.reset(raw);
  if (fuse_session_mount(raw, mountpoint.c_str()) != 0) {
    return io_error(fmt::format("mount {}: the kernel refused the FUSE mount (see libfuse's log)",
                                mountpoint.string()));
  }
  session->mounted_ = true;
  return session;
}

MountSession::MountSession(Key /*key*/, std::unique_ptr<FuseAdapter> adapter,
                           std::filesystem::path mountpoint, unsigned max_threads)
    : adapter_(std::move(adapter)), mountpoint_(std::move(mountpoint)), max_threads_(max_threads) {}

MountSession::~MountSession() {
  unmount();
}

bool MountSession::writeback_cache_active() const {
  return adapter_->writeback_cache_active();
}

void MountSession::invalidate_inode(uint64_t ino) {
  if (!mounted_) return;
  // off 0, len 0: attributes and every cached page.
  const int rc = fuse_lowlevel_notify_inval_inode(session_.get(), ino, 0, 0);
  if (rc != 0 && rc != -ENOENT) spdlog::debug("invalidate inode {}: errno {}", ino, -rc);
}

void MountSession::invalidate_entry(uint64_t parent, std::string_view name) {
  if (!mounted_) return;
  const int rc = fuse_lowlevel_notify_inval_entry(session_.get(), parent, name.data(), name.size());
  if (rc != 0 && rc != -ENOENT)
    spdlog::debug("invalidate entry {} in {}: errno {}", name, parent, -rc);
}

Status MountSession::serve() {
  std::unique_ptr<fuse_loop_config, LoopConfigDeleter> config(fuse_loop_cfg_create());
  if (!config) return internal("serve " + mountpoint_.string() + ": no loop configuration");
  fuse_loop_cfg_set_max_threads(config.get(), max_threads_);
  const int rc = fuse_session_loop_mt(session_.get(), config.get());
  // 0: unmounted; > 0: the signal that ended the loop; < 0: -errno.
  if (rc < 0) return from_errno(-rc, "serve " + mountpoint_.string());
  return {};
}

Status MountSession::start() {
  if (!mounted_ || loop_thread_.joinable()) {
    return invalid("serve " + mountpoint_.string() + ": not mounted, or already served");
  }
  loop_thread_ = std::thread([this] { loop_status_ = serve(); });
  return {};
}

Status MountSession::run(SignalHandling signals) {
  if (!mounted_ || loop_thread_.joinable()) {
    return invalid("serve " + mountpoint_.string() + ": not mounted, or already served");
  }
  const bool handle_signals = signals == SignalHandling::kExitOnSignal;
  if (handle_signals && fuse_set_signal_handlers(session_.get()) != 0) {
    return io_error("serve " + mountpoint_.string() + ": cannot install signal handlers");
  }
  Status status = serve();
  if (handle_signals) fuse_remove_signal_handlers(session_.get());
  return status;
}

void MountSession::unmount() {
  if (!mounted_) return;
  std::thread wake;
  if (loop_thread_.joinable()) {
    fuse_session_exit(session_.get());
    // Workers sleep in read(2) on /dev/fuse and look at the exit flag only once a request
    // arrives, and libfuse then drops that request unanswered. So the wake-up is a statfs
    // (the kernel always forwards it) from a helper thread, which stays blocked until the
    // device is closed below and then fails with ENOTCONN. If the kernel already dropped
    // the connection, the loop has ended on its own and the statfs lands underneath.
    wake = std::thread([path = mountpoint_] {
      struct statvfs ignored {};
      (void)::statvfs(path.c_str(), &ignored);
    });
    loop_thread_.join();
    if (!loop_status_) spdlog::warn("fuse loop ended with an error: {}", loop_status_.to_string());
  }
  // Closes /dev/fuse first (requests still waiting fail with ENOTCONN), then unmounts.
  fuse_session_unmount(session_.get());
  mounted_ = false;
  if (wake.joinable()) wake.join();
}

}  // namespace autosync::fs
