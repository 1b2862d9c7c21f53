// CacheBudget: keeps the cache's clean data under a size limit at the moment data is added
// (a write, a fetch of missing ranges), not only on a timer.
//
// It keeps a running total of the cached bytes (the index's cached_bytes, summed once and
// then moved by the deltas CacheVfs reports), so the check on the write path is one atomic
// load. When an addition would take the total over the limit, whole files are evicted,
// least recently used first (Index::eviction_candidates): only clean (uploaded), closed,
// unpinned files qualify, so dirty data is never dropped. An eviction forgets the file's
// ranges in the index first and removes its content after the commit, so a crash between
// the two leaves unused bytes behind, never ranges that read as zeros. When nothing
// evictable is left the data is let in anyway — the limit bounds clean data — which is
// logged once per episode; a fruitless search is not repeated for a second.
//
// A full disk is another matter: free_disk() evicts clean files regardless of the limit, so
// a writer that got kNoSpace can try once more before it reports ENOSPC.
//
// The total may drift upwards (bytes dropped by a purge or a reconcile are not reported):
// harmless, since a pass sums the index again before it evicts anything.
//
// Threading: every method may be called from many threads. Eviction passes run one at a
// time (pass_mu_). A pass takes its victims' inode locks with try_lock only (a busy file is
// skipped), so the caller may hold the lock of the file it makes room for — that file is
// named as `keep` and never touched. Ownership: borrows the index, content store and locks,
// which must outlive it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

#include "core/base/result.h"
#include "core/content/content_store.h"
#include "core/index/index.h"
#include "core/vfs/inode_locks.h"

namespace autosync::vfs {

class CacheBudget {
 public:
  // limit_bytes 0 = unlimited: every method but resync() and added() is then a no-op.
  // `clock` gives ns since the epoch (for the pause after a fruitless pass).
  CacheBudget(index::Index& index, content::ContentStore& content, InodeLocks& locks,
              uint64_t limit_bytes, index::Clock clock);

  // Called before up to `bytes` more are cached for inode `keep`: evicts until the total
  // plus `bytes` fits the limit, or nothing evictable is left. Never fails (the data is let
  // in either way); index errors are logged.
  void make_room(index::Ino keep, uint64_t bytes);
  // After the disk filled up (kNoSpace): evicts clean files holding at least `bytes` (at
  // least 1 MiB), limit or not. Returns whether anything was freed (worth a retry).
  bool free_disk(index::Ino keep, uint64_t bytes);
  // The cached bytes changed by `delta` (a write, a fetch, a truncate).
  void added(int64_t delta);
  // Sets the total from the index (one query over the inodes).
  Status resync();

  uint64_t total() const;
  uint64_t limit() const { return limit_.load(); }
  // A new limit (autosyncctl cache set-limit), used from the next addition on; 0 = none.
  void set_limit(uint64_t limit_bytes);

 private:
  // Evicts files, oldest access first, until `done(freed so far)`; returns the bytes freed.
  uint64_t evict(index::Ino keep, const std::function<bool(uint64_t)>& done);
  // One file: 0 if it is busy or no longer evictable.
  uint64_t evict_file(index::Ino ino);
  int64_t now_ns() const;

  index::Index& index_;
  content::ContentStore& content_;
  InodeLocks& locks_;
  std::atomic<uint64_t> limit_;
  const index::Clock clock_;
  std::atomic<int64_t> total_{0};
  std::atomic<bool> known_{false};  // total_ has been summed from the index

  std::mutex pass_mu_;          // one eviction pass at a time; guards the fields below
  int64_t quiet_until_ns_ = 0;  // after a fruitless pass: no new search before this
  bool warned_over_limit_ = false;
  bool warned_disk_full_ = false;
};

}  // namespace autosync::vfs
