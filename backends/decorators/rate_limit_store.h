// Bandwidth limit decorator: the bytes of put and upload_part bodies (up) and of get bodies
// (down) pass through a TokenBucket each, shared by every thread and every parallel part that
// uses this store, so one limit holds for the whole process.
//
// It sits under the retry layer, so a retried request's bytes count again (they cross the
// wire again). Within one request a body read twice (a backend that hashes the payload before
// sending it) counts once: only bytes past the furthest offset read so far are charged.
// head, list, copy (server-side), deletes and the small multipart requests are not limited.
// Thread-safety: as the wrapped store; the buckets are thread-safe. Owns `inner`.
#pragma once

#include <cstdint>
#include <memory>

#include "backends/decorators/token_bucket.h"
#include "backends/object_store.h"

namespace autosync::backends {

struct BandwidthLimits {
  uint64_t up_bytes_per_second = 0;    // put and upload_part bodies; 0 = unlimited
  uint64_t down_bytes_per_second = 0;  // get bodies; 0 = unlimited
  bool any() const { return up_bytes_per_second > 0 || down_bytes_per_second > 0; }
};

// A bucket holds a tenth of a second of its rate (at least 64 KiB), so a short transfer is
// not much faster than the limit and a long one meets it.
uint64_t burst_for(uint64_t bytes_per_second);

// `inner` itself when `limits` limits nothing.
std::unique_ptr<ObjectStore> with_bandwidth_limits(
    std::unique_ptr<ObjectStore> inner, const BandwidthLimits& limits,
    TokenBucket::Timing timing = TokenBucket::real_timing());

}  // namespace autosync::backends
