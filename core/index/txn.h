// ReadTxn and WriteTxn: the cache index's operations, run inside one open SQLite transaction.
//
// Index (index.h) runs each operation in a transaction of its own. When several changes must
// land together — a metadata change and the journal row that carries it to the store — take
// a WriteTxn, call the mutators, and commit():
//   AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index.write(Durability::kSynced));  // fsync(2)
//   AUTOSYNC_ASSIGN_OR_RETURN(auto gen, txn.bump_local_gen(ino));
//   AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(upload_for(ino, gen)).status());
//   AUTOSYNC_RETURN_IF_ERROR(txn.commit());
// A WriteTxn that is not committed rolls back every change it made, so a failed step leaves
// neither the metadata change nor the journal row. A mutator refused for a POSIX reason
// (kNotFound, kNotEmpty, ...) has changed nothing: each validates before it writes, so the
// transaction stays usable. After a database error, return it: a mutator may have written
// part of its change, and only the rollback undoes that.
//
// ReadTxn is a consistent snapshot (BEGIN DEFERRED); WriteTxn holds the write lock from its
// start (BEGIN IMMEDIATE), so keep it short: other writers, in this process and others,
// wait for it.
//
// Ownership and threading: a transaction holds a pooled connection until it is destroyed;
// use it on one thread, and do not hold two at once on one thread (the pool can run dry).
// It must not outlive the Index that made it. Move-only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/content/range_set.h"
#include "core/db/connection_pool.h"
#include "core/db/transaction.h"
#include "core/db/writer_gate.h"
#include "core/index/check_records.h"
#include "core/index/conflict_records.h"
#include "core/index/index_options.h"
#include "core/index/multipart_records.h"
#include "core/index/records.h"

namespace autosync::index {

class ReadTxn {
 public:
  ReadTxn(ReadTxn&&) noexcept = default;
  ReadTxn& operator=(ReadTxn&&) = delete;
  ~ReadTxn() = default;

  // ---- inodes and names ----
  Result<InodeRecord> get(Ino ino);  // kNotFound when absent
  // The inode `name` in directory `parent` names, if any (kNotFound: no parent;
  // kNotDirectory: parent is not a directory; kNameTooLong / kInvalid: a bad name).
  Result<std::optional<InodeRecord>> lookup(Ino parent, std::string_view name);
  // The key-shaped path from the root, "a/b/c" (root: ""). kNotFound for an unlinked inode.
  // For a file with several links, the first name in (parent, name) order.
  Result<std::string> path_of(Ino ino);
  // The directory holding the inode's (first) name; kNotFound for an unlinked inode.
  Result<Ino> parent_of(Ino ino);
  // Up to `limit` entries of directory `dir` whose names sort (bytewise) after `after_name`
  // ("" = from the start), in name order.
  Result<std::vector<DirEntryRecord>> list_dir(Ino dir, std::string_view after_name, size_t limit);
  Result<uint64_t> child_count(Ino dir);
  // Up to `limit` children of `dir` (names after `after_name`, in name order) whose
  // listed_epoch is below `epoch`: what a listing pass that marked everything it saw did not
  // see, and whose remote version the index did not record after the pass began either (an
  // upload or move that finished while the listing was on its way is not a vanished key).
  Result<std::vector<DirEntryRecord>> unseen_children(Ino dir, int64_t epoch,
                                                      std::string_view after_name, size_t limit);
  // Whether `ino` was seen by a listing, or took a remote version, at or after `epoch`: the
  // test unseen_children makes, again, for a caller that asked the store in between.
  Result<bool> seen_since(Ino ino, int64_t epoch);
  Result<bool> is_empty(Ino dir);
  // Up to `limit` linked directories with ino > `after`, ascending: with `all`, every one;
  // else only those whose listing is complete (dir_state.complete), as the mount shows them.
  // For autosyncd's remote watcher (remote_scan_ops.cpp).
  Result<std::vector<Ino>> scan_dirs(bool all, Ino after, size_t limit);

  // ---- extended attributes (names are the full "user.x" form) ----
  Result<std::string> get_xattr(Ino ino, std::string_view name);  // kNoAttribute if absent
  Result<std::vector<std::string>> list_xattrs(Ino ino);          // sorted

  // ---- cache bookkeeping ----
  Result<content::RangeSet> load_ranges(Ino ino);
  Result<std::optional<DirListing>> listed_at(Ino dir);
  // Clean, unpinned, closed files holding cached bytes, least recently accessed first.
  Result<std::vector<EvictionCandidate>> eviction_candidates(size_t limit);
  // Inodes with no names and no open handles, waiting for purge() (after a crash, say).
  Result<std::vector<Ino>> unlinked_inodes();
  // The sum of every inode's cached_bytes (what the cache holds, for the size limit).
  Result<uint64_t> cached_bytes_total();

  // ---- crash recovery (run once when a mount starts) ----
  // Linked, non-special inodes whose local_gen is ahead of synced_gen with no pending or
  // running journal row carrying a gen >= local_gen: changes a crash between a write and its
  // release (which journals the upload) left without a journal row. Ascending ino.
  Result<std::vector<Ino>> unjournaled_dirty_inodes();
  // The keys that pending or running journal rows remove from the store: a delete's key, a
  // move's src_key, an rmdir's marker ("key/"). Oldest row first.
  Result<std::vector<std::string>> keys_being_removed();

  // ---- journal ----
  Result<JournalEntry> journal_entry(int64_t seq);  // kNotFound when absent
  Result<PendingStats> pending_stats();

  // ---- conflicts and versions (conflict_ops.cpp) ----
  // Up to `limit` conflicts with id > `after_id`, oldest first; only unresolved ones when
  // `unresolved_only`.
  Result<std::vector<ConflictRecord>> list_conflicts(bool unresolved_only, int64_t after_id,
                                                     size_t limit);
  // The versions recorded for `path`, oldest first.
  Result<std::vector<VersionRecord>> list_versions(std::string_view path);
  // Whether this client uploaded `ino` as `etag`, with that size and mtime (versions table).
  Result<bool> uploaded_here(Ino ino, std::string_view etag, uint64_t size, int64_t mtime_ns);
  // The directory a key-shaped directory path names ("a/b/" or "a/b"; "" = the root), by
  // walking the names from the root; nullopt when a component is missing or not a directory.
  Result<std::optional<Ino>> dir_at(std::string_view dir_path);
  // Whether a pending or running delete row removes `etag` at `key` (an object on its way
  // out is no conflict for a new file at that key: it waits for the delete).
  Result<bool> delete_pending(std::string_view key, std::string_view etag);

  // ---- multipart uploads in progress (multipart_ops.cpp) ----
  // The recorded uploads of `ino` (nullopt: of every inode), with their parts, oldest first.
  Result<std::vector<MultipartRecord>> multipart_uploads(std::optional<Ino> ino);
  // Whether a pending or running upload row of `ino` at generation `gen` writes `key`:
  // the row a recorded upload of that generation belongs to, which may resume it.
  Result<bool> upload_row_pending(Ino ino, uint64_t gen, std::string_view key);
  // Whether an upload with this id is recorded.
  Result<bool> multipart_recorded(std::string_view upload_id);
  // The intents of `ino` (nullopt: of every inode), oldest first.
  Result<std::vector<MultipartIntent>> multipart_intents(std::optional<Ino> ino);

  // ---- reports (report_ops.cpp: autosyncctl status, queue, flush PATH) ----
  // Up to `limit` journal rows (every state), oldest first.
  Result<std::vector<JournalEntry>> journal_rows(size_t limit);
  // pending_stats() of the rows whose key or src_key is `path` or lies under "path/"
  // ("" = every row).
  Result<PendingStats> pending_stats_under(std::string_view path);
  // Counts over the linked inodes, and the newest last_error of a journal row ("" if none).
  Result<CacheCounts> cache_counts();

  // ---- self-check (check_ops.cpp; autosyncctl fsck): whole-table queries ----
  // What PRAGMA integrity_check finds ("ok" left out: empty when the file is sound).
  Result<std::vector<std::string>> integrity_problems();
  // Rows that break the index's own rules (check_records.h), every kind.
  Result<std::vector<IndexDefect>> index_defects();
  // Up to `limit` inodes with cached ranges and ino > `after`, ascending.
  Result<std::vector<CachedExtent>> cached_extents(Ino after, size_t limit);

 protected:
  ReadTxn(db::PooledConnection conn, db::Transaction tx, const IndexOptions* options)
      : conn_(std::move(conn)), tx_(std::move(tx)), options_(options) {}
  db::Database& db() { return *conn_; }
  int64_t now_ns() const;

  db::PooledConnection conn_;  // declared before tx_: the transaction ends first
  db::Transaction tx_;
  const IndexOptions* options_;

 private:
  friend class Index;
};

class WriteTxn : public ReadTxn {
 public:
  WriteTxn(WriteTxn&&) noexcept = default;
  WriteTxn& operator=(WriteTxn&&) = delete;
  // Ends an uncommitted transaction before the writer's turn goes to the next thread.
  ~WriteTxn() {
    if (tx_.active()) (void)tx_.rollback();
  }
  // Makes every change visible (and durable, if begun with Durability::kSynced).
  Status commit() { return tx_.commit(); }

  // ---- names ----
  // A new inode named `name` in `parent`. kAlreadyExists if the name is taken. Directories
  // start with nlink 2 and add one to the parent's; the parent's mtime/ctime become now.
  Result<InodeRecord> create(Ino parent, std::string_view name, const NewInode& inode);
  // Another name for a non-directory (hard link); returns the inode with nlink + 1.
  Result<InodeRecord> link(Ino ino, Ino new_parent, std::string_view new_name);
  // Removes a non-directory's name (kIsDirectory for a directory). Returns the inode as it
  // is after; its row stays (nlink 0) until purge(), so open handles keep working.
  Result<InodeRecord> unlink(Ino parent, std::string_view name);
  // Removes an empty directory (kNotEmpty, kNotDirectory). Returns it with nlink 0.
  Result<InodeRecord> rmdir(Ino parent, std::string_view name);
  // rename(2) with flags kRenameNoReplace / kRenameExchange. Only names change (instant);
  // the caller journals the move on the store.
  Result<RenameOutcome> rename(Ino parent, std::string_view name, Ino new_parent,
                               std::string_view new_name, unsigned int flags);

  // ---- attributes and sync state ----
  // Applies `changes` (see AttrChanges); ctime becomes now unless given or only `pinned`
  // changed. A size change truncates the cached ranges, and marks an extension as cached
  // (it reads as zeros, locally). Directories refuse a size (kIsDirectory).
  Result<InodeRecord> set_attrs(Ino ino, const AttrChanges& changes);
  // local_gen + 1 (every change the store must see); returns the new local_gen.
  Result<uint64_t> bump_local_gen(Ino ino);
  // generation + 1: the kernel's inode for `ino` goes stale at its next lookup and a new one
  // is made, with the attributes the index has now (a kernel with the write-back cache
  // otherwise keeps a cached file's old size forever). Only for a file nothing has open.
  // remote_scan_ops.cpp.
  Status renew_kernel_inode(Ino ino);
  // The store now holds generation `gen` as `remote`: synced_gen = gen and remote_* set.
  // The inode stays dirty if local_gen moved past gen meanwhile. An older gen than
  // synced_gen (a late, superseded upload) changes nothing.
  Result<InodeRecord> mark_synced(Ino ino, uint64_t gen, const RemoteVersion& remote);
  Result<InodeRecord> add_open(Ino ino);   // open_count + 1
  Result<InodeRecord> drop_open(Ino ino);  // open_count - 1 (kInternal below zero)
  // Zeroes every open_count (a mount starting: handles of a crashed one are gone).
  Status reset_open_counts();
  // Deletes the inode (with its xattrs, ranges, listing state) if nlink == 0 and
  // open_count == 0; returns whether it did, so the caller deletes the content file.
  Result<bool> purge(Ino ino);
  // last_access_ns = max(its value, when_ns). Missing inodes are ignored.
  Status touch(Ino ino, int64_t when_ns);

  // ---- extended attributes; flags: XATTR_CREATE / XATTR_REPLACE ----
  Status set_xattr(Ino ino, std::string_view name, std::string_view value, int flags);
  Status remove_xattr(Ino ino, std::string_view name);  // kNoAttribute if absent

  // ---- cached ranges (cached_bytes follows) ----
  Result<uint64_t> add_range(Ino ino, uint64_t start, uint64_t end);  // -> cached_bytes
  // A write of [start, end) to a regular file, in one load and one store of its row: the
  // bytes are cached (and a hole a write past the end leaves: it reads as zeros), the size
  // grows to `end` if that is past it, mtime and ctime become `now`, local_gen + 1.
  struct Written {
    InodeRecord inode;          // as it is after
    uint64_t newly_cached = 0;  // bytes added to cached_bytes
  };
  Result<Written> record_write(Ino ino, uint64_t start, uint64_t end, int64_t now);
  Result<uint64_t> truncate_ranges(Ino ino, uint64_t size);  // -> cached_bytes
  Status clear_ranges(Ino ino);
  // Eviction: if `ino` is a clean (local_gen == synced_gen), unpinned, closed file holding
  // cached bytes, forgets all its ranges (cached_bytes = 0) and returns how many bytes they
  // held, so the caller frees the content after the commit; otherwise changes nothing and
  // returns 0.
  Result<uint64_t> drop_clean_cache(Ino ino);
  Status set_listed(Ino dir, int64_t listed_at_ns, bool complete);
  // listed_epoch = epoch (unless later already): a listing pass saw the inode on the store
  // (kNotFound if absent).
  Status mark_seen(Ino ino, int64_t epoch);

  // ---- journal ----
  // Adds a row (op, ino, key, src_key, gen, base_etag, not_before_ns are used) and returns
  // its seq. An upload, marker or setmeta for an inode whose newest journal row is a pending
  // upload, marker or setmeta updates that row instead (the newer gen; the op that covers
  // both: upload > marker > setmeta), so a burst of closes makes one upload and chown, chmod
  // and utimens after a mkdir make one marker. A metadata row merges only at the same key;
  // an upload also takes a new key.
  Result<int64_t> enqueue(const JournalEntry& entry);
  // Marks up to `limit` ready rows running for `worker` and returns them, oldest first.
  // Ready: pending, not_before_ns <= now, and no older unfinished row for the same inode
  // (an inode's operations run in order); a metadata-only row (marker, setmeta) also only
  // once `metadata_quiet_ns` have passed since it was journaled, so the changes that follow
  // it merge into it; an upload only once `upload_min_age_ns` have (0: at once; autosyncd
  // holds uploads back while the mount journals a burst). Rows on keys under a directory
  // move's old or new prefix run in journal order with the move, and no row starts while
  // another inode's row on its key runs.
  Result<std::vector<JournalEntry>> claim(std::string_view worker, int64_t now, size_t limit,
                                          int64_t metadata_quiet_ns = 0,
                                          int64_t upload_min_age_ns = 0);
  Status finish(int64_t seq);  // deletes the row (kNotFound if absent)
  // For a move that is done: the pending rows after it that name the moved objects by the
  // key the inode had on the store when they were journaled (a delete, a file's setmeta, a
  // file move's source) take the new key.
  Status rekey_after_move(const JournalEntry& move);
  // The same for one inode whose object went from `old_key` to `new_key` (a file move, or
  // an upload under a new name that removed the old object): its pending delete, setmeta and
  // move rows after `after_seq` at `old_key` take `new_key`.
  Status rekey(Ino ino, std::string_view old_key, std::string_view new_key, int64_t after_seq);
  // Back to pending until not_before_ns, attempts + 1, last_error = error.
  Status retry_later(int64_t seq, std::string_view error, int64_t not_before_ns);
  Status fail(int64_t seq, std::string_view error);  // permanent: kFailed
  // Running rows claimed before `claimed_before_ns` (a crashed worker's) go back to
  // pending. Returns how many.
  Result<uint64_t> requeue_stale(int64_t claimed_before_ns);

  // ---- conflicts and versions (conflict_ops.cpp) ----
  Result<int64_t> add_conflict(const ConflictRecord& record);  // -> its id; time_ns as given
  Status set_conflict_resolved(int64_t id, bool resolved);     // kNotFound if absent
  // A user settled unresolved conflict `id` (autosyncctl resolve): resolved, and `how` is
  // appended to its resolution ("...; settled: HOW"). kNotFound if absent, kInvalid if it
  // was settled already.
  Status settle_conflict(int64_t id, std::string_view how);
  // Records a version of record.path (seen_ns = now); one already recorded (same path and
  // etag) only gains what the new record adds (uploaded, host, version id). A path keeps
  // its newest 64 versions.
  Status add_version(const VersionRecord& record);
  // A file whose local version lost a conflict: it becomes the remote version `spec`
  // describes (mode bits, owner, size, mtime, remote), clean (synced_gen = local_gen), with
  // no cached bytes; the caller frees the content after the commit. Files only.
  Result<InodeRecord> reset_to_remote(Ino ino, const NewInode& spec);
  // The pending rows of `ino` after `after_seq` at `old_key` (any op; a move's source too)
  // take `new_key`: the inode's object moved there (a conflict copy).
  Status retarget_rows(Ino ino, std::string_view old_key, std::string_view new_key,
                       int64_t after_seq);
  // Deletes the pending upload and setmeta rows of `ino` after `after_seq` (its local
  // changes lost to the remote version); returns how many.
  Result<uint64_t> drop_pending_changes(Ino ino, int64_t after_seq);

  // ---- repairs (check_ops.cpp; autosyncctl fsck --repair) ----
  // Removes what `defect` found: the dangling name, the orphan rows, the journal row; a
  // negative size becomes the remote size for a clean file (kInvalid for anything else).
  Status repair_defect(const IndexDefect& defect);

  // ---- multipart uploads in progress (multipart_ops.cpp) ----
  // Records a new upload (record.parts is ignored; created_ns = now).
  Status add_multipart(const MultipartRecord& record);
  // Records a part the store holds (replacing an earlier one of that number); kNotFound when
  // the upload is not recorded (forgotten meanwhile).
  Status add_multipart_part(std::string_view upload_id, const MultipartPartRecord& part);
  // Forgets an upload and its parts (completed or aborted). Absent: nothing to do.
  Status remove_multipart(std::string_view upload_id);
  // Records an intent (intent.id, created_ns, upload_id and answered_ns are ignored;
  // created_ns = now). Returns its id.
  Result<int64_t> add_multipart_intent(const MultipartIntent& intent);
  // The store answered intent `intent_id` with `record.upload_id`: records the upload
  // (as add_multipart) and notes the answer in the intent (answered_ns = now).
  Status add_multipart_answer(int64_t intent_id, const MultipartRecord& record);
  // Forgets an intent. Absent: nothing to do.
  Status remove_multipart_intent(int64_t intent_id);

 private:
  friend class Index;
  Status repair_negative_size(Ino ino);
  WriteTxn(db::PooledConnection conn, db::Transaction tx, const IndexOptions* options,
           db::WriterGate::Turn turn)
      : ReadTxn(std::move(conn), std::move(tx), options), turn_(std::move(turn)) {}

  db::WriterGate::Turn turn_;

  Result<InodeRecord> remove_name(Ino parent, std::string_view name, bool want_dir);
  Status touch_dir(Ino dir, int64_t now, int nlink_delta);
  Status check_not_ancestor(Ino moving, Ino new_parent, std::string_view what);
  Result<RenameOutcome> exchange(Ino parent, std::string_view name, Ino new_parent,
                                 std::string_view new_name);
  Status replace_target(const InodeRecord& moved, InodeRecord& target, Ino new_parent,
                        std::string_view what);
  Status set_dentry(Ino parent, std::string_view name, Ino ino);
  Status delete_dentry(Ino parent, std::string_view name);
  Result<std::optional<int64_t>> coalesce(const JournalEntry& entry);
  // Pending move rows of `ino` after `after_seq` whose source is `old_key` take `new_key`.
  Status rekey_move_sources(Ino ino, std::string_view old_key, std::string_view new_key,
                            int64_t after_seq);
  Status set_cached_bytes(Ino ino);
  Result<uint64_t> merge_range(Ino ino, uint64_t start, uint64_t end);  // -> newly cached
};

}  // namespace autosync::index
