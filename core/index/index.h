// Index: the cache index (CACHE/index.db) the FUSE driver and the sync daemon share.
//
// It holds the file system's metadata — inodes, names, xattrs, which byte ranges are cached,
// when directories were listed — and the journal of changes still to be made on the store
// (schema.h documents every table and column). Each method below runs in a transaction of
// its own; for several changes that must land together (a metadata change and its journal
// row), use write() and the WriteTxn mutators (txn.h), which are the same operations.
//
// Errors are POSIX-shaped ErrorKinds (kNotFound, kAlreadyExists, kNotDirectory,
// kIsDirectory, kNotEmpty, kInvalid, kNameTooLong, kNoAttribute); database failures pass
// through as core/db reports them (kTransient when another writer held the lock too long).
//
// Threading: every method may be called from any thread; each takes a connection from the
// pool for its length. Several processes may open the same file (WAL). Access times given
// to touch() are buffered under touch_mutex_ (nothing else is locked while it is held).
// Ownership: owns the pool; transactions it hands out must be gone before it is.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "core/base/result.h"
#include "core/db/connection_pool.h"
#include "core/db/transaction.h"
#include "core/index/index_options.h"
#include "core/index/records.h"
#include "core/index/txn.h"

namespace autosync::index {

class Index {
 public:
  using Durability = db::Transaction::Durability;

  // Opens (creating if needed) the index at `file` and brings its schema up to date.
  static Result<std::unique_ptr<Index>> open(const std::filesystem::path& file,
                                             IndexOptions options);
  // For open() only (a passkey: make_unique needs a public constructor).
  class OpenKey {
    friend class Index;
    OpenKey() = default;
  };
  Index(OpenKey key, const std::filesystem::path& file, IndexOptions options);
  ~Index();  // writes buffered access times (best effort)
  Index(const Index&) = delete;
  Index& operator=(const Index&) = delete;

  // A read snapshot / a write transaction (see txn.h). kSynced: the commit is fsync'ed.
  Result<ReadTxn> read();
  Result<WriteTxn> write(Durability durability = Durability::kConnectionDefault);

  // ---- reads (ReadTxn) ----
  Result<InodeRecord> get(Ino ino);
  Result<std::optional<InodeRecord>> lookup(Ino parent, std::string_view name);
  // lookup() of each name, in one snapshot.
  Result<std::vector<std::optional<InodeRecord>>> lookup_many(Ino parent,
                                                              std::span<const std::string> names);
  Result<std::string> path_of(Ino ino);
  Result<Ino> parent_of(Ino ino);
  Result<std::vector<DirEntryRecord>> list_dir(Ino dir, std::string_view after_name, size_t limit);
  Result<uint64_t> child_count(Ino dir);
  Result<bool> is_empty(Ino dir);
  Result<std::string> get_xattr(Ino ino, std::string_view name);
  Result<std::vector<std::string>> list_xattrs(Ino ino);
  Result<content::RangeSet> load_ranges(Ino ino);
  Result<std::optional<DirListing>> listed_at(Ino dir);
  Result<std::vector<Ino>> unlinked_inodes();
  Result<uint64_t> cached_bytes_total();
  Result<std::vector<Ino>> unjournaled_dirty_inodes();
  Result<std::vector<std::string>> keys_being_removed();
  Result<JournalEntry> journal_entry(int64_t seq);
  Result<PendingStats> pending_stats();
  // Writes buffered access times first, so the order reflects every touch().
  Result<std::vector<EvictionCandidate>> eviction_candidates(size_t limit);

  // ---- writes (WriteTxn), each committed on its own ----
  Result<InodeRecord> create(Ino parent, std::string_view name, const NewInode& inode);
  Result<InodeRecord> link(Ino ino, Ino new_parent, std::string_view new_name);
  Result<InodeRecord> unlink(Ino parent, std::string_view name);
  Result<InodeRecord> rmdir(Ino parent, std::string_view name);
  Result<RenameOutcome> rename(Ino parent, std::string_view name, Ino new_parent,
                               std::string_view new_name, unsigned int flags);
  Result<InodeRecord> set_attrs(Ino ino, const AttrChanges& changes);
  Result<uint64_t> bump_local_gen(Ino ino);
  Result<InodeRecord> mark_synced(Ino ino, uint64_t gen, const RemoteVersion& remote);
  Result<InodeRecord> add_open(Ino ino);
  Result<InodeRecord> drop_open(Ino ino);
  Status reset_open_counts();
  Result<bool> purge(Ino ino);
  Status set_xattr(Ino ino, std::string_view name, std::string_view value, int flags);
  Status remove_xattr(Ino ino, std::string_view name);
  Result<uint64_t> add_range(Ino ino, uint64_t start, uint64_t end);
  Result<uint64_t> truncate_ranges(Ino ino, uint64_t size);
  Status clear_ranges(Ino ino);
  Result<uint64_t> drop_clean_cache(Ino ino);
  Status set_listed(Ino dir, int64_t listed_at_ns, bool complete);
  Result<int64_t> enqueue(const JournalEntry& entry,
                          Durability durability = Durability::kConnectionDefault);
  Result<std::vector<JournalEntry>> claim(std::string_view worker, int64_t now, size_t limit,
                                          int64_t metadata_quiet_ns = 0,
                                          int64_t upload_min_age_ns = 0);
  Status finish(int64_t seq);
  Status retry_later(int64_t seq, std::string_view error, int64_t not_before_ns);
  Status fail(int64_t seq, std::string_view error);
  Result<uint64_t> requeue_stale(int64_t claimed_before_ns);

  // ---- conflicts and versions (conflict_ops.cpp; see txn.h) ----
  Result<std::vector<ConflictRecord>> list_conflicts(bool unresolved_only, int64_t after_id = 0,
                                                     size_t limit = 1000);
  Result<std::vector<VersionRecord>> list_versions(std::string_view path);
  Result<bool> uploaded_here(Ino ino, std::string_view etag, uint64_t size, int64_t mtime_ns);
  Result<int64_t> add_conflict(const ConflictRecord& record);
  Status set_conflict_resolved(int64_t id, bool resolved);
  Status settle_conflict(int64_t id, std::string_view how);

  // ---- multipart uploads in progress (multipart_ops.cpp; see txn.h) ----
  Result<std::vector<MultipartRecord>> multipart_uploads(std::optional<Ino> ino);
  Result<bool> upload_row_pending(Ino ino, uint64_t gen, std::string_view key);
  // Durable (fsync'ed) before it returns: the upload must not be forgotten by a crash.
  Status add_multipart(const MultipartRecord& record);
  Status add_multipart_part(std::string_view upload_id, const MultipartPartRecord& part);
  Status remove_multipart(std::string_view upload_id);
  Result<bool> multipart_recorded(std::string_view upload_id);
  Result<std::vector<MultipartIntent>> multipart_intents(std::optional<Ino> ino);
  // Durable (fsync'ed) before they return, like add_multipart.
  Result<int64_t> add_multipart_intent(const MultipartIntent& intent);
  Status add_multipart_answer(int64_t intent_id, const MultipartRecord& record);
  Status remove_multipart_intent(int64_t intent_id);

  // ---- access times: buffered, written in batches (see IndexOptions::touch_batch) ----
  // Records a read of `ino` at `when_ns`. Returns an error only when this call flushed the
  // batch and that failed (the times are kept for the next try).
  Status touch(Ino ino, int64_t when_ns);
  Status flush_touches();

 private:
  // Runs `op` on a WriteTxn and commits if it succeeded.
  template <typename Op>
  auto in_write(Durability durability, Op&& op) -> decltype(op(std::declval<WriteTxn&>()));
  template <typename Op>
  auto in_read(Op&& op) -> decltype(op(std::declval<ReadTxn&>()));

  const IndexOptions options_;
  db::ConnectionPool pool_;
  db::WriterGate writers_;  // this process's write transactions, one at a time
  std::mutex touch_mutex_;
  std::unordered_map<Ino, int64_t> touched_;  // guarded by touch_mutex_
};

}  // namespace autosync::index
