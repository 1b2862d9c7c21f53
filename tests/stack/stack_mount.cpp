#include "tests/stack/stack_mount.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace autosync::testing {

class StackMount::WakePool final : public vfs::ChangeNotifier {
 public:
  explicit WakePool(syncd::WorkerPool& pool) : pool_(pool) {}
  void journal_ready() override { pool_.wake(); }

 private:
  syncd::WorkerPool& pool_;
};

std::string stack_fsname() {
  return fmt::format("autosync-stack-{}", ::getpid());
}

backends::TransferOptions stack_transfer_options() {
  backends::TransferOptions transfer;
  transfer.multipart_threshold = 8ULL << 20;
  transfer.part_size = 5ULL << 20;
  transfer.concurrency = 3;
  return transfer;
}

namespace {

syncd::WorkerOptions worker_options() {
  syncd::WorkerOptions options;
  options.workers = 2;
  options.rescan_interval = std::chrono::milliseconds(200);
  options.backoff = {.initial = std::chrono::milliseconds(50),
                     .max = std::chrono::milliseconds(500)};
  options.transfer = stack_transfer_options();
  return options;
}

}  // namespace

Result<std::unique_ptr<StackMount>> StackMount::open(const backends::StoreConfig& config,
                                                     const std::filesystem::path& cache_dir,
                                                     const std::filesystem::path& mountpoint,
                                                     const StackMountOptions& stack_options) {
  auto mount = std::make_unique<StackMount>();
  index::IndexOptions index_options;
  index_options.pool.max_connections = 16;  // FUSE threads + workers + drain
  AUTOSYNC_ASSIGN_OR_RETURN(mount->index_,
                            index::Index::open(cache_dir / "index.db", index_options));
  AUTOSYNC_ASSIGN_OR_RETURN(mount->content_, content::ContentStore::open(cache_dir / "content"));
  AUTOSYNC_ASSIGN_OR_RETURN(auto store, backends::open(config));
  mount->store_ = std::make_unique<CountingStore>(std::move(store));
  mount->pool_ = std::make_unique<syncd::WorkerPool>(*mount->index_, *mount->content_,
                                                     *mount->store_, worker_options(), "stack");
  AUTOSYNC_RETURN_IF_ERROR(mount->pool_->start());
  mount->notifier_ = std::make_unique<WakePool>(*mount->pool_);
  vfs::VfsOptions vfs_options;
  vfs_options.umask = 022;
  mount->vfs_ = std::make_unique<vfs::CacheVfs>(*mount->index_, *mount->content_, *mount->store_,
                                                *mount->notifier_, vfs_options);
  AUTOSYNC_RETURN_IF_ERROR(mount->vfs_->recover());  // as autosyncfs does before serving
  mount->counting_vfs_ = std::make_unique<OpenCountingVfs>(*mount->vfs_);
  fs::MountOptions options;
  options.fsname = stack_fsname();
  options.auto_unmount = true;  // a crashed test process leaves no mount behind
  options.adapter.writeback_cache = stack_options.writeback_cache;
  AUTOSYNC_ASSIGN_OR_RETURN(mount->session_,
                            fs::MountSession::mount(*mount->counting_vfs_, mountpoint, options));
  AUTOSYNC_RETURN_IF_ERROR(mount->session_->start());
  return mount;
}

StackMount::~StackMount() {
  session_.reset();  // unmount before anything it serves from goes
  // The kernel may send the last releases after the unmount: journal what they would have.
  if (vfs_) {
    if (const Status settled = vfs_->recover(); !settled) {
      spdlog::warn("stack mount: recover after unmount: {}", settled.to_string());
    }
  }
  if (pool_) pool_->stop();
}

Status StackMount::flush(size_t open_files, std::chrono::milliseconds timeout) {
  if (!counting_vfs_->wait_open_files(open_files, timeout)) {
    return transient(fmt::format("flush: the Vfs never got down to {} open files", open_files));
  }
  AUTOSYNC_RETURN_IF_ERROR(pool_->drain(timeout));
  AUTOSYNC_ASSIGN_OR_RETURN(auto stats, index_->pending_stats());
  if (stats.failed > failed_rows_seen_) {
    const uint64_t newly = stats.failed - failed_rows_seen_;
    failed_rows_seen_ = stats.failed;
    return io_error(fmt::format("flush: {} journal rows failed for good", newly));
  }
  return Status::ok();
}

}  // namespace autosync::testing
