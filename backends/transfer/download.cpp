// download(): the first part learns the object's size and ETag, the rest follow in parallel,
// each pinned to that ETag.
#include <fmt/format.h>

#include <algorithm>
#include <mutex>

#include "backends/transfer/parallel.h"
#include "backends/transfer/transfer.h"

namespace autosync::backends {
namespace {

// Lets the parallel parts share one sink that may not take concurrent writes.
class SerialSink {
 public:
  explicit SerialSink(ByteSink& sink) : sink_(sink) {}
  Status write_at(uint64_t offset, std::span<const char> data) {
    const std::lock_guard lock(mutex_);
    return sink_.write_at(offset, data);
  }

 private:
  std::mutex mutex_;
  ByteSink& sink_;  // guarded by mutex_
};

// The sink one ranged get writes into: shifts offsets to the part's place in the object,
// refuses bytes past the range, and remembers how far the body got. A retried get rewrites
// from 0, so "how far" is a high-water mark, not a sum.
class PartSink final : public ByteSink {
 public:
  PartSink(SerialSink& out, uint64_t base, uint64_t length)
      : out_(out), base_(base), length_(length) {}

  Status write_at(uint64_t offset, std::span<const char> data) override {
    if (offset + data.size() > length_) {
      return internal(fmt::format("store sent bytes past the requested range ({} > {})",
                                  offset + data.size(), length_));
    }
    high_water_ = std::max<uint64_t>(high_water_, offset + data.size());
    return out_.write_at(base_ + offset, data);
  }
  uint64_t received() const { return high_water_; }

 private:
  SerialSink& out_;
  uint64_t base_;
  uint64_t length_;
  uint64_t high_water_ = 0;
};

GetOptions ranged(uint64_t offset, uint64_t length, const std::string& etag) {
  GetOptions options;
  options.range = ByteRange{offset, length};
  options.conditions.if_match = etag;
  return options;
}

// Gets [offset, offset + length) of the version `pinned` names, checking what came back.
Status get_range(ObjectStore& store, std::string_view key, const ObjectInfo& pinned,
                 SerialSink& out, uint64_t offset, uint64_t length) {
  PartSink part(out, offset, length);
  AUTOSYNC_ASSIGN_OR_RETURN(const ObjectInfo info,
                            store.get(key, ranged(offset, length, pinned.etag), part));
  // A store that ignored If-Match must still not get away with mixing versions.
  if (info.etag != pinned.etag || info.size != pinned.size) {
    return Status::error(
        ErrorKind::kPreconditionFailed,
        fmt::format("object changed during download (ETag {} became {})", pinned.etag, info.etag));
  }
  if (part.received() != length) {
    return transient(fmt::format("received {} bytes, expected {}", part.received(), length));
  }
  return {};
}

// Everything after the first `done` bytes: one request below the threshold, else parts.
Status get_rest(ObjectStore& store, std::string_view key, const ObjectInfo& pinned, SerialSink& out,
                uint64_t done, const TransferOptions& transfer) {
  const uint64_t rest = pinned.size - done;
  const uint64_t chunk = pinned.size < transfer.multipart_threshold ? rest : transfer.part_size;
  const uint64_t count = rest / chunk + (rest % chunk != 0 ? 1 : 0);
  auto failure = run_parallel(count, transfer.concurrency, [&](size_t index) {
    const uint64_t offset = done + index * chunk;
    return get_range(store, key, pinned, out, offset, std::min(chunk, pinned.size - offset));
  });
  if (!failure) return {};
  // The first request was part 1.
  return std::move(failure->status)
      .context(fmt::format("download {}: part {} of {}", key, failure->index + 2, count + 1));
}

}  // namespace

Result<ObjectInfo> download(ObjectStore& store, std::string_view key, ByteSink& sink,
                            const TransferOptions& transfer) {
  if (transfer.part_size == 0) {
    return invalid(fmt::format("download {}: part size must be at least 1 byte", key));
  }
  SerialSink out(sink);
  PartSink first(out, 0, transfer.part_size);
  GetOptions first_options;
  first_options.range = ByteRange{0, transfer.part_size};
  AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo info, store.get(key, first_options, first));
  const uint64_t first_length = std::min(transfer.part_size, info.size);
  if (first.received() != first_length) {
    return transient(fmt::format("download {}: received {} bytes, expected {}", key,
                                 first.received(), first_length));
  }
  if (info.size > first_length) {
    AUTOSYNC_RETURN_IF_ERROR(get_rest(store, key, info, out, first_length, transfer));
  }
  return info;
}

}  // namespace autosync::backends
