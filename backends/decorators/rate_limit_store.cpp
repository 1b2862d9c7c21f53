#include "backends/decorators/rate_limit_store.h"

#include <algorithm>
#include <atomic>

#include "backends/decorators/forwarding_store.h"

namespace autosync::backends {
namespace {

// Charges the bucket for the bytes read past the furthest offset read so far.
class LimitedSource final : public ByteSource {
 public:
  LimitedSource(const ByteSource& inner, TokenBucket& bucket) : inner_(inner), bucket_(bucket) {}
  uint64_t size() const override { return inner_.size(); }
  Result<size_t> read_at(uint64_t offset, std::span<char> out) const override {
    auto got = inner_.read_at(offset, out);
    if (!got.is_ok() || *got == 0) return got;
    const uint64_t end = offset + *got;
    uint64_t seen = high_water_.load();
    while (end > seen && !high_water_.compare_exchange_weak(seen, end)) {
    }
    if (end > seen) bucket_.take(end - std::max(seen, offset));
    return got;
  }

 private:
  const ByteSource& inner_;
  TokenBucket& bucket_;
  mutable std::atomic<uint64_t> high_water_{0};
};

class LimitedSink final : public ByteSink {
 public:
  LimitedSink(ByteSink& inner, TokenBucket& bucket) : inner_(inner), bucket_(bucket) {}
  Status write_at(uint64_t offset, std::span<const char> data) override {
    bucket_.take(data.size());
    return inner_.write_at(offset, data);
  }

 private:
  ByteSink& inner_;
  TokenBucket& bucket_;
};

class RateLimitStore final : public ForwardingStore {
 public:
  RateLimitStore(std::unique_ptr<ObjectStore> inner, const BandwidthLimits& limits,
                 const TokenBucket::Timing& timing)
      : ForwardingStore(std::move(inner)) {
    if (limits.up_bytes_per_second > 0) {
      up_ = std::make_unique<TokenBucket>(limits.up_bytes_per_second,
                                          burst_for(limits.up_bytes_per_second), timing);
    }
    if (limits.down_bytes_per_second > 0) {
      down_ = std::make_unique<TokenBucket>(limits.down_bytes_per_second,
                                            burst_for(limits.down_bytes_per_second), timing);
    }
  }

  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override {
    if (!down_) return inner().get(key, options, sink);
    LimitedSink limited(sink, *down_);
    return inner().get(key, options, limited);
  }
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override {
    if (!up_) return inner().put(key, data, options);
    const LimitedSource limited(data, *up_);
    return inner().put(key, limited, options);
  }
  Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                    int part_number, const ByteSource& data) override {
    if (!up_) return inner().upload_part(key, upload_id, part_number, data);
    const LimitedSource limited(data, *up_);
    return inner().upload_part(key, upload_id, part_number, limited);
  }

 private:
  std::unique_ptr<TokenBucket> up_, down_;  // null: that direction is unlimited
};

}  // namespace

uint64_t burst_for(uint64_t bytes_per_second) {
  return std::max<uint64_t>(bytes_per_second / 10, 64ULL << 10);
}

std::unique_ptr<ObjectStore> with_bandwidth_limits(std::unique_ptr<ObjectStore> inner,
                                                   const BandwidthLimits& limits,
                                                   TokenBucket::Timing timing) {
  if (!limits.any()) return inner;
  return std::make_unique<RateLimitStore>(std::move(inner), limits, timing);
}

}  // namespace autosync::backends
