// CacheLimitFollower: the mount's side of autosyncctl cache set-limit. autosyncd writes the
// new limit to CACHE/cache-limit (and evicts down to it); this thread looks at that file
// every second and hands a changed number to the Vfs, so the mount's own additions keep to
// it. The file as it was when the mount started is not applied again here: at start the
// mount chose between it and an explicit cache.size already (cachedir::effective_cache_limit).
//
// Threading: one thread of its own, stopped by the destructor. Ownership: borrows the Vfs,
// which must outlive it.
#pragma once

#include <thread>

#include "core/cachedir/cache_dir.h"
#include "core/vfs/cache_vfs.h"

namespace autosync::fs {

class CacheLimitFollower {
 public:
  CacheLimitFollower(const cachedir::Paths& paths, vfs::CacheVfs& vfs);
  ~CacheLimitFollower() = default;  // the jthread stops and joins
  CacheLimitFollower(const CacheLimitFollower&) = delete;
  CacheLimitFollower& operator=(const CacheLimitFollower&) = delete;

 private:
  void run(const std::stop_token& stop);

  cachedir::Paths paths_;
  vfs::CacheVfs& vfs_;
  std::jthread thread_;  // last: started once the rest is ready
};

}  // namespace autosync::fs
