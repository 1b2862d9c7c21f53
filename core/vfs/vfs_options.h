// VfsOptions: how a CacheVfs presents the store. Plain struct with documented defaults.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>

#include "core/index/index_options.h"

namespace autosync::vfs {

struct VfsOptions {
  uid_t uid = 0;                          // owner of objects whose metadata names none
  gid_t gid = 0;                          // group of objects whose metadata names none
  mode_t umask = 022;                     // applied to the default modes of objects without a mode
  std::chrono::seconds attr_ttl{1};       // how long the kernel may trust attributes and names
  std::chrono::seconds dir_ttl{60};       // a directory listing older than this is listed again
  std::chrono::seconds offline_retry{5};  // after a failed listing, how long to not ask again
  bool read_only = false;                 // every change fails with kReadOnly
  // fsync returns only once syncd has uploaded the file (or the upload failed: kIo).
  bool fsync_waits_for_upload = false;
  uint64_t read_ahead = 4ULL << 20;       // bytes fetched past a sequential read's end
  // Bound on the cached data (index cached_bytes), enforced as data is added: clean files
  // are evicted, least recently used first. Dirty, open and pinned files are never evicted,
  // so the cache may exceed it when they alone fill it. 0 = unlimited.
  uint64_t cache_limit_bytes = 0;
  index::Clock clock;  // ns since the epoch; empty = the system clock
};

}  // namespace autosync::vfs
