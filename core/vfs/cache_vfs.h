// CacheVfs: the Vfs over the cache index (names, attributes, cached ranges, journal), the
// content store (file bytes) and the object store (listings and the bytes not cached yet).
//
// Reads are served from the cache; gaps are fetched with ranged gets pinned (If-Match) to
// the version the inode mirrors, and a sequential reader gets `read_ahead` more. Changes land
// in the index together with the journal row that carries them to the store (one WriteTxn),
// then the notifier rings; uploads are journaled on the last release of a written file and
// on fsync, never while it is still open for writing. A directory whose listing is older
// than dir_ttl is listed on the store again at lookup/opendir and reconciled; when the
// store cannot be reached, the index's answer is served (offline). Data added to the cache
// (writes, fetches) first makes room under options.cache_limit_bytes by evicting clean files
// (CacheBudget); a full disk frees clean files too, then reports kNoSpace.
//
// Files by concern: cache_vfs.cpp (construction, attrs, statfs), names.cpp, files.cpp,
// reads.cpp, dirs.cpp, xattrs.cpp, remote_listing.cpp (over listing_reconcile.h, shared with
// autosyncd's remote watcher), recovery.cpp;
// cache_budget.* (eviction).
//
// Lookup counts follow FUSE: every entry handed to the kernel (lookup, create, mkdir, mknod,
// symlink) adds one, forget() takes them away. An unlinked inode keeps its row and content
// while the kernel still knows it or a handle is open; the last of the three to go purges it.
//
// Threading: every method may be called from many threads (Vfs's contract). mu_ guards the
// handle tables, the lookup counts and the tombstones; per-inode locks (InodeLocks) serialise
// fetches and writes of one file. Lock order: an inode lock, then mu_; no index transaction is held
// while waiting for either.
// Ownership: borrows the index, content store, object store and notifier; they must
// outlive the CacheVfs.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "backends/object_store.h"
#include "core/content/content_store.h"
#include "core/index/index.h"
#include "core/vfs/cache_budget.h"
#include "core/vfs/change_notifier.h"
#include "core/vfs/inode_locks.h"
#include "core/vfs/listing_reconcile.h"
#include "core/vfs/vfs.h"
#include "core/vfs/vfs_options.h"

namespace autosync::vfs {

class CacheVfs final : public Vfs {
 public:
  CacheVfs(index::Index& index, content::ContentStore& content, backends::ObjectStore& store,
           ChangeNotifier& notifier, VfsOptions options);

  // Brings the cache back to a consistent state after the previous mount ended, cleanly or
  // in a crash. Call at start, before the mount serves requests, and again after the
  // unmount (when no request can come any more):
  //  - the handles and kernel references this CacheVfs still knows are dropped, open counts
  //    are zeroed (the previous session's handles are gone) and inodes left with no name are
  //    purged with their content;
  //  - a linked inode with local changes but no pending journal row to carry them (a crash
  //    between a write and its release) gets one: files an upload (bytes still only on the
  //    store are fetched first), symlinks an upload, directories their marker;
  //  - the keys pending delete, move and rmdir rows take off the store are tombstoned, so a
  //    listing made before syncd has done them cannot bring the names back;
  //  - the cache budget's running total is summed from the index.
  // Journal rows claimed by a syncd that died are syncd's to requeue. One inode failing (the
  // store unreachable for a missing range, say) does not stop the others: the first error is
  // returned after all were tried, and that inode is picked up by the next recover().
  Status recover();

  // The cache size limit from now on (autosyncctl cache set-limit); 0 = none. Thread-safe.
  void set_cache_limit(uint64_t bytes) { budget_.set_limit(bytes); }

  Result<Entry> lookup(const Caller& who, Ino parent, std::string_view name) override;
  bool forget(Ino ino, uint64_t count) override;
  Result<Attr> getattr(Ino ino) override;
  Result<Attr> setattr(const Caller& who, Ino ino, const SetAttr& changes,
                       std::optional<Handle> handle) override;
  Result<std::string> readlink(Ino ino) override;

  Result<Entry> mknod(const Caller& who, Ino parent, std::string_view name, mode_t mode,
                      dev_t rdev) override;
  Result<Entry> mkdir(const Caller& who, Ino parent, std::string_view name, mode_t mode) override;
  Result<Entry> symlink(const Caller& who, std::string_view target, Ino parent,
                        std::string_view name) override;
  Result<Entry> link(const Caller& who, Ino ino, Ino new_parent,
                     std::string_view new_name) override;
  Status unlink(const Caller& who, Ino parent, std::string_view name) override;
  Status rmdir(const Caller& who, Ino parent, std::string_view name) override;
  Status rename(const Caller& who, Ino parent, std::string_view name, Ino new_parent,
                std::string_view new_name, RenameFlags flags) override;

  Result<std::pair<Entry, OpenReply>> create(const Caller& who, Ino parent, std::string_view name,
                                             mode_t mode, int flags) override;
  Result<OpenReply> open(const Caller& who, Ino ino, int flags) override;
  Result<size_t> read(Ino ino, Handle handle, uint64_t offset, std::span<char> out) override;
  Result<size_t> write(Ino ino, Handle handle, uint64_t offset,
                       std::span<const char> data) override;
  Status flush(Ino ino, Handle handle) override;
  Status fsync(Ino ino, Handle handle, bool data_only) override;
  Status release(Ino ino, Handle handle) override;

  Result<Handle> opendir(const Caller& who, Ino ino) override;
  Status readdir(Ino ino, Handle handle, uint64_t cookie,
                 const std::function<bool(const DirEntry&)>& emit) override;
  Status readdirplus(const Caller& who, Ino ino, Handle handle, uint64_t cookie,
                     const PlusEmit& emit) override;
  Status releasedir(Ino ino, Handle handle) override;

  Result<FsStats> statfs(Ino ino) override;

  Status setxattr(Ino ino, std::string_view name, std::span<const char> value, int flags) override;
  Result<std::string> getxattr(Ino ino, std::string_view name) override;
  Result<std::vector<std::string>> listxattr(Ino ino) override;
  Status removexattr(Ino ino, std::string_view name) override;

 private:
  using Durability = index::Index::Durability;

  struct OpenFile {
    Ino ino = 0;
    bool writable = false;
    bool dirty = false;        // written through this handle since the last journal row
    uint64_t next_offset = 0;  // where a sequential reader's next read starts
    uint64_t streak = 0;       // bytes read in sequence up to next_offset (sizes read-ahead)
    // The remote version this handle reads ("": none when opened). Bytes of another client's
    // version are never fetched through it: its reads fail (stale) and the next open reads them.
    std::string etag;
    bool stale = false;
  };
  // What the kernel's pages of a file hold: the file as last opened here, moved on by every
  // write and truncate made here since (they went through those pages). Unchanged at the
  // next open -> keep_cache. The remote version may have moved on only by this client's
  // own upload of those bytes; any other remote change renews the kernel inode
  // (generation) or, taken by this mount's own listing, drops the stamp.
  struct OpenStamp {
    int64_t mtime_ns = 0;
    uint64_t size = 0;
    std::string etag;
    uint64_t generation = 0;
  };

  // dirs.cpp: an open directory — one page of its entries, read from the index as readdir
  // moves on, so a huge directory costs a page of memory, not a copy of its listing.
  struct DirCursor;
  Result<std::shared_ptr<DirCursor>> find_cursor(Ino ino, Handle handle);
  Status load_dir_page(DirCursor& cursor, uint64_t position);

  int64_t now_ns() const;
  Status check_writable(std::string_view what) const;
  Entry make_entry(const index::InodeRecord& rec) const;
  // make_entry for an entry the kernel is given: adds a lookup reference. Takes mu_.
  Entry hand_out(const index::InodeRecord& rec);
  Attr make_attr(const index::InodeRecord& rec) const;

  enum class Creation {
    kJournaled,  // the new node's journal row (upload, marker) comes in the same transaction
    kOpened,     // a file created open: counted open now, its upload journaled at release
  };
  // names.cpp
  Result<index::InodeRecord> create_node(const Caller& who, Ino parent, std::string_view name,
                                         const index::NewInode& spec, Creation creation);
  Status journal_rename(index::WriteTxn& txn, const index::RenameOutcome& outcome,
                        const std::string& old_path, const std::string& new_path,
                        std::vector<std::string>& gone_keys);
  // Purges an unlinked inode once no handle is open and the kernel holds no reference.
  void purge_if_unused(Ino ino);

  // recovery.cpp
  Status journal_unjournaled(Ino ino);

  // files.cpp
  // mu_ held. own_upload: rec's remote version is this client's upload of rec's bytes.
  OpenReply register_handle(const index::InodeRecord& rec, int flags, bool own_upload = false);
  // Whether open() must ask the index if rec's remote version is this client's upload (the
  // stamp matches but for the ETag); then asks it.
  bool remote_is_own_upload(const index::InodeRecord& rec);
  // A write or truncate made here: the kernel's pages hold it (mu_ not held).
  void restamp(Ino ino, int64_t mtime_ns, uint64_t size);
  Result<Attr> apply_setattr(const Caller& who, Ino ino, const SetAttr& changes,
                             std::optional<Handle> handle);  // attrs.cpp
  bool forget_handle_count(Ino ino);  // mu_ held; true when that was the inode's last handle
  Status truncate_file(Ino ino, uint64_t size);
  Status mark_written(Ino ino, std::optional<Handle> handle);
  bool has_writer(Ino ino) const;  // takes mu_
  // Fetches what is not cached yet, then journals an upload of the inode's current gen.
  // The row's seq, or 0 when there was nothing to journal.
  Result<int64_t> journal_upload(Ino ino, Durability durability);
  struct Journaled {
    int64_t seq = 0;
    index::InodeRecord inode;  // as the journal's transaction left it
  };
  // journal_upload with the inode's lock held; `drop_open`: the same transaction takes one
  // from the index's open count (the inode's last handle is going).
  Result<Journaled> journal_upload_locked(Ino ino, Durability durability, bool drop_open);
  // Polls the journal until row `seq` is done (ok) or failed for good (kIo).
  Status wait_for_upload(int64_t seq);
  Status commit_and_ring(index::WriteTxn& txn);

  // reads.cpp
  // Makes [start, end) of the file `rec` (read under the inode's lock) local: gaps of `ranges`
  // below the remote size are fetched (pinned to the remote etag); the rest reads as zeros.
  // Caller holds the inode's lock. Without `ranges`, they are read from the index.
  Status ensure_cached(const index::InodeRecord& rec, uint64_t start, uint64_t end);
  Status ensure_cached(const index::InodeRecord& rec, const content::RangeSet& ranges,
                       uint64_t start, uint64_t end);
  Result<std::pair<index::InodeRecord, content::RangeSet>> inode_and_ranges(Ino ino);
  struct ReadExtent {
    uint64_t end = 0;    // the read stops here (the file's size or the request's end)
    bool clean = false;  // no local change: every cached byte is in the content file
  };
  // Caches [offset, offset + length) (and read-ahead) under the inode's lock.
  Result<ReadExtent> cache_for_read(Ino ino, Handle handle, uint64_t offset, size_t length);
  // Whether `handle` may fetch bytes of `rec`'s remote version (its own, or an upload of
  // this mount's writes); marks it stale otherwise. Inode lock held.
  Status check_handle_version(Handle handle, const index::InodeRecord& rec);
  void note_store_refused(Ino ino, Handle handle);  // takes mu_
  // A clean file's ranges past `content_end` are not really cached: forgets them.
  Status forget_ranges_past(Ino ino, uint64_t content_end);
  uint64_t read_ahead_after(Handle handle, uint64_t offset, uint64_t end);  // takes mu_
  Status fetch_span(const index::InodeRecord& rec, uint64_t start, uint64_t end);
  // One ranged get into the content store; returns the bytes received.
  Result<uint64_t> get_into_cache(const index::InodeRecord& rec, uint64_t start, uint64_t end);
  // Writes to the content store; on a full disk, frees clean cache and tries once more.
  Status mark_dirty_before_write(Ino ino);  // inode lock held
  Status store_bytes(Ino ino, uint64_t offset, std::span<const char> data);

  // remote_listing.cpp: one listing pass of one directory, page by page.
  struct ListPass {
    Ino dir = 0;
    std::string prefix;  // the directory's key prefix, "a/b/" ("" for the root)
    int64_t epoch = 0;   // marks the children this pass saw (inodes.listed_epoch)
    std::set<std::string> unshown_tombstones;  // this level's, no page has shown yet
  };
  // Lists `dir` on the store when its listing is older than dir_ttl, and reconciles.
  Status ensure_listed(Ino dir);
  Status list_locked(Ino dir);  // a pass whatever the listing's age; dir's inode lock held
  // At the last release of an inode whose read the store refused (its version was replaced
  // there): lists its directory again unless a pass finished since the refusal.
  void relist_after_refused_read(Ino ino);
  // Is `dir` a directory listed within dir_ttl (kNotDirectory if not a directory)?
  Result<bool> listing_fresh(index::ReadTxn& txn, Ino dir) const;
  // `name` in `parent` (nullopt: no such name), after ensure_listed(parent).
  Result<std::optional<index::InodeRecord>> lookup_listed(Ino parent, std::string_view name);
  Status list_and_reconcile(ListPass& pass);
  Status reconcile_page(ListPass& pass, const backends::ListPage& page);
  Status finish_pass(const ListPass& pass);
  Status drop_unseen_page(const ListPass& pass, std::string& after, bool& more,
                          std::vector<Ino>& stale_content);
  void drop_stale_bytes(Ino ino);
  void note_changed_while_open(index::WriteTxn& txn, const std::vector<Ino>& changed);
  void renew_if_changed_while_open(Ino ino);
  int64_t next_listing_epoch();
  void add_tombstone(std::string key);
  bool is_tombstoned(const std::string& key);
  std::set<std::string> tombstones_below(const std::string& prefix);  // one level down
  void forget_tombstones(const std::set<std::string>& keys);

  index::Index& index_;
  content::ContentStore& content_;
  backends::ObjectStore& store_;
  ChangeNotifier& notifier_;
  const VfsOptions options_;
  InodeLocks inode_locks_;
  CacheBudget budget_;  // uses index_, content_ and inode_locks_

  mutable std::mutex mu_;  // guards everything below
  Handle next_handle_ = 1;
  std::unordered_map<Handle, OpenFile> files_;
  std::unordered_map<Handle, std::shared_ptr<DirCursor>> dirs_;  // one per opendir
  std::unordered_map<Ino, OpenStamp> open_stamps_;
  // Open handles per inode: the index's open_count only changes when one comes or goes.
  std::unordered_map<Ino, uint32_t> open_handles_;
  std::unordered_map<Ino, uint64_t> lookups_;  // the kernel's references; absent = none
  // Open inodes whose read the store refused -> when: relisted at their last release.
  std::unordered_map<Ino, int64_t> refused_reads_;
  // Open inodes that took another client's version -> their generation then: renewed at
  // their last release unless renewed since.
  std::unordered_map<Ino, uint64_t> changed_while_open_;
  // Keys whose delete or move is journaled but maybe not done yet: a listing that still
  // shows them must not bring them back. Dropped once a listing no longer shows them.
  std::set<std::string> tombstones_;
  // After a listing failed, stale directories are served from the index until then, so an
  // unreachable store costs one failed request per offline_retry, not one per lookup.
  int64_t offline_until_ns_ = 0;
  int64_t last_listing_epoch_ = 0;
};

}  // namespace autosync::vfs
