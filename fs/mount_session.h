// MountSession: one mounted FUSE file system serving a vfs::Vfs, unmounted on destruction.
//
//   auto session = MountSession::mount(vfs, "/mnt/bucket", options);   // mounted, not served
//   session.value()->start();          // serve on a background thread (tests, embedding)
//   ... or session.value()->run(SignalHandling::kExitOnSignal);   // serve here (the daemon)
//
// Destruction (or unmount()) stops the loop, joins its thread and unmounts, so a test that
// fails still leaves no mount behind. With auto_unmount, fusermount3 also unmounts if the
// process dies without running destructors (a crash, SIGKILL).
//
// Threading: mount/start/run/unmount are for the owning thread (unmount() must not race
// run(): a daemon leaves run() by signal or outside unmount); invalidate_* may be called
// from one other thread until unmount() begins (stop the Invalidator first); the session's
// worker threads call the Vfs concurrently (see core/vfs/vfs.h). Ownership: the Vfs is borrowed
// and must outlive the session. libfuse stays out of this header.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/base/result.h"
#include "core/vfs/vfs.h"
#include "fs/adapter_options.h"
#include "fs/invalidator.h"

struct fuse_session;

namespace autosync::fs {

class FuseAdapter;

struct MountOptions {
  std::string fsname = "autosync";     // the "device" mount(8) and df show
  std::string subtype = "autosyncfs";  // shown as fuse.autosyncfs
  bool allow_other = false;            // other users may enter (needs user_allow_other)
  bool default_permissions = true;     // the kernel checks modes, so the Vfs need not
  bool read_only = false;              // mount ro: the kernel refuses writes with EROFS
  bool auto_unmount = false;           // fusermount3 unmounts when the process dies
  bool debug = false;                  // libfuse traces every request to stderr
  unsigned max_threads = 10;           // worker threads of the multi-threaded loop
  // More -o words for libfuse and the kernel, as given ("nosuid", "noatime", "fsname=X").
  std::vector<std::string> extra;
  AdapterOptions adapter;
};

enum class SignalHandling {
  kNone,          // run() ends only when the file system is unmounted from outside
  kExitOnSignal,  // SIGINT, SIGTERM and SIGHUP end run(); SIGPIPE is ignored
};

class MountSession final : public KernelCaches {
 public:
  // Creates the session and mounts it; nothing is served until start() or run().
  static Result<std::unique_ptr<MountSession>> mount(vfs::Vfs& vfs,
                                                     const std::filesystem::path& mountpoint,
                                                     const MountOptions& options);
  // Use mount(); the key keeps construction inside this class.
  class Key {
    friend class MountSession;
    Key() = default;
  };
  MountSession(Key key, std::unique_ptr<FuseAdapter> adapter, std::filesystem::path mountpoint,
               unsigned max_threads);
  ~MountSession() override;
  MountSession(const MountSession&) = delete;
  MountSession& operator=(const MountSession&) = delete;

  // Serves requests on a background thread until unmount().
  Status start();
  // Serves requests on the calling thread until the file system is unmounted from outside
  // (fusermount3 -u, umount) or, with kExitOnSignal, a signal arrives.
  Status run(SignalHandling signals);
  // Stops serving, joins the loop and unmounts. Idempotent; the destructor calls it.
  void unmount();

  const std::filesystem::path& mountpoint() const { return mountpoint_; }
  // Whether the kernel agreed to the writeback cache (known once serving has begun).
  bool writeback_cache_active() const;

  // KernelCaches: the kernel's cache invalidations (fuse_lowlevel_notify_inval_*), for a
  // thread other than the session's workers (the Invalidator), while the session is
  // mounted; after unmount() they do nothing. An inode or name the kernel does not hold is
  // no error.
  void invalidate_inode(uint64_t ino) override;
  void invalidate_entry(uint64_t parent, std::string_view name) override;

 private:
  Status serve();

  struct SessionDeleter {
    void operator()(fuse_session* session) const;
  };

  std::unique_ptr<FuseAdapter> adapter_;  // the session's userdata; outlives the session
  std::unique_ptr<fuse_session, SessionDeleter> session_;
  std::filesystem::path mountpoint_;
  unsigned max_threads_;
  bool mounted_ = false;
  std::thread loop_thread_;
  Status loop_status_;  // written by loop_thread_, read after it is joined
};

}  // namespace autosync::fs
