// IndexOptions: how Index::open sets up the cache index. Plain struct with documented
// defaults; copied into the Index.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>

#include "core/db/connection_pool.h"

namespace autosync::index {

// Nanoseconds since the Unix epoch. Tests pass a fake one.
using Clock = std::function<int64_t()>;

struct IndexOptions {
  // Connections to index.db: one per thread that uses the index at the same time.
  db::PoolOptions pool;
  // The time stamped on inodes and journal rows; empty = the system clock.
  Clock clock;
  // Index::touch() keeps access times in memory and writes them in one transaction once
  // this many inodes have been touched (or on flush_touches(), eviction_candidates() and
  // destruction): an access time is a hint for eviction, not worth a commit per read.
  size_t touch_batch = 256;
};

}  // namespace autosync::index
