// StackMount: the whole AutoSync stack in this process, mounted through the kernel — a cache
// (CACHE/index.db, CACHE/content), an ObjectStore from backends::open wrapped in a
// CountingStore, a CacheVfs over them, a syncd::WorkerPool uploading from the same index,
// and a MountSession serving the Vfs at a mount point.
//
// flush() is what a test calls after closing files: it waits for the kernel's releases to
// reach the Vfs (open_counting_vfs.h), then drains the workers, and fails if any journal row
// failed for good since the last flush.
//
// Threading: open/flush/destruction on the test's thread; the mount serves from its own
// threads. Ownership: owns everything it builds; the cache directory and the mount point are
// the caller's and must outlive it. Destruction unmounts first, journals what releases the
// unmount overtook (CacheVfs::recover, as autosyncfs does), then stops the workers.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include "backends/open.h"
#include "core/content/content_store.h"
#include "core/index/index.h"
#include "core/vfs/cache_vfs.h"
#include "fs/mount_session.h"
#include "syncd/worker_pool.h"
#include "tests/stack/counting_store.h"
#include "tests/stack/open_counting_vfs.h"

namespace autosync::testing {

// The fsname of every mount this process makes: the watchdog finds them by it.
std::string stack_fsname();

// Small parts so a ~20 MiB file goes up in several: threshold 8 MiB, parts 5 MiB.
backends::TransferOptions stack_transfer_options();

struct StackMountOptions {
  // Mount with the kernel's write-back cache, as autosyncfs does by default
  // (fuse.writeback_cache): the kernel then owns mtime and size and sends writes late.
  bool writeback_cache = false;
};

class StackMount {
 public:
  static Result<std::unique_ptr<StackMount>> open(const backends::StoreConfig& config,
                                                  const std::filesystem::path& cache_dir,
                                                  const std::filesystem::path& mountpoint,
                                                  const StackMountOptions& options);
  StackMount() = default;
  ~StackMount();
  StackMount(const StackMount&) = delete;
  StackMount& operator=(const StackMount&) = delete;

  const std::filesystem::path& root() const { return session_->mountpoint(); }
  CountingStore& store() { return *store_; }
  // Whether the kernel agreed to the write-back cache asked for (known once serving began).
  bool writeback_cache_active() const { return session_->writeback_cache_active(); }
  index::Index& index() { return *index_; }

  // Waits until `open_files` files are open in the Vfs (0: every close has been released),
  // then until the journal is drained. kTransient on a timeout, kIo when rows failed.
  Status flush(size_t open_files = 0,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));

 private:
  class WakePool;  // the ChangeNotifier: rings the worker pool

  std::unique_ptr<index::Index> index_;
  std::unique_ptr<content::ContentStore> content_;
  std::unique_ptr<CountingStore> store_;
  std::unique_ptr<syncd::WorkerPool> pool_;
  std::unique_ptr<vfs::ChangeNotifier> notifier_;
  std::unique_ptr<vfs::CacheVfs> vfs_;
  std::unique_ptr<OpenCountingVfs> counting_vfs_;
  std::unique_ptr<fs::MountSession> session_;
  uint64_t failed_rows_seen_ = 0;
};

}  // namespace autosync::testing
