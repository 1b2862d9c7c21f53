// TokenBucket and the bandwidth limit decorator on virtual time: the clock only moves when
// the bucket sleeps (or the test says), so every wait is exact and nothing here is timed.
#include "backends/decorators/token_bucket.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "backends/decorators/forwarding_store.h"
#include "backends/decorators/rate_limit_store.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

// Virtual time: sleeping moves the clock by the time slept, and the sleeps are recorded.
struct VirtualTime {
  std::atomic<int64_t> now_ns{0};
  std::mutex mu;
  std::vector<nanoseconds> sleeps;  // guarded by mu
  bool advance_on_sleep = true;

  TokenBucket::Timing timing() {
    return {.now = [this] { return nanoseconds(now_ns.load()); },
            .sleep =
                [this](nanoseconds wait) {
                  {
                    const std::lock_guard lock(mu);
                    sleeps.push_back(wait);
                  }
                  if (advance_on_sleep) now_ns += wait.count();
                }};
  }
  double slept_s() {
    const std::lock_guard lock(mu);
    nanoseconds total{0};
    for (auto s : sleeps)
      total += s;
    return std::chrono::duration<double>(total).count();
  }
};

TEST_CASE("token bucket: the burst passes at once, the rest waits at the rate") {
  VirtualTime t;
  TokenBucket bucket(1000, 100, t.timing());
  bucket.take(100);  // the full bucket
  CHECK(t.sleeps.empty());
  bucket.take(500);
  REQUIRE(t.sleeps.size() == 1);
  CHECK(t.sleeps[0] == milliseconds(500));
  bucket.take(1000);
  CHECK(t.sleeps.back() == milliseconds(1000));
  CHECK(t.slept_s() == Approx(1.5));
}

TEST_CASE("token bucket: an idle bucket refills only up to its burst") {
  VirtualTime t;
  TokenBucket bucket(1000, 100, t.timing());
  bucket.take(100);
  t.now_ns += 10'000'000'000;  // 10 s idle
  bucket.take(100);            // the refilled burst
  CHECK(t.sleeps.empty());
  bucket.take(100);  // 10 s did not bank 10,000 bytes
  REQUIRE(t.sleeps.size() == 1);
  CHECK(t.sleeps[0] == milliseconds(100));
}

TEST_CASE("token bucket: takers on many threads share one rate") {
  VirtualTime t;
  t.advance_on_sleep = false;  // time stands still: every take adds to one debt
  TokenBucket bucket(1000, 1000, t.timing());
  std::vector<std::jthread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 10; ++j)
        bucket.take(1000);
    });
  }
  threads.clear();
  // 40,000 bytes at 1,000 B/s with 1,000 in the bucket: the last taker waits 39 s, and the
  // n-th take waits (n - 1) s, whichever thread it came from.
  const std::lock_guard lock(t.mu);
  REQUIRE(t.sleeps.size() == 39);
  nanoseconds longest{0};
  for (auto s : t.sleeps)
    longest = std::max(longest, s);
  CHECK(longest == std::chrono::seconds(39));
}

std::unique_ptr<ObjectStore> limited(VirtualTime& t, BandwidthLimits limits,
                                     testing::MemoryStore*& memory) {
  auto inner = std::make_unique<testing::MemoryStore>();
  memory = inner.get();
  return with_bandwidth_limits(std::move(inner), limits, t.timing());
}

TEST_CASE("bandwidth limits: puts and parts wait for the up limit, gets for the down limit") {
  VirtualTime t;
  testing::MemoryStore* memory = nullptr;
  const double up = 1 << 20, down = 2 << 20;  // bytes per second
  auto store =
      limited(t, {.up_bytes_per_second = 1 << 20, .down_bytes_per_second = 2 << 20}, memory);
  const std::string data = testing::test_bytes((4 << 20) + (64 << 10));
  const auto size = static_cast<double>(data.size());
  REQUIRE(store->put("a", BufferSource(data), {}).is_ok());
  double expected = (size - static_cast<double>(burst_for(1 << 20))) / up;
  CHECK(t.slept_s() == Approx(expected));

  auto id = store->create_multipart("b", {});
  REQUIRE(id.is_ok());
  REQUIRE(store->upload_part("b", *id, 1, BufferSource(data.substr(0, 1 << 20))).is_ok());
  expected += 1.0;  // the part's 1 MiB, with the bucket empty
  CHECK(t.slept_s() == Approx(expected));

  t.now_ns += 10'000'000'000;  // idle
  BufferSink sink;
  REQUIRE(store->get("a", {}, sink).is_ok());
  CHECK(sink.data() == data);
  expected += (size - static_cast<double>(burst_for(2 << 20))) / down;
  CHECK(t.slept_s() == Approx(expected));
  CHECK(memory->content("a") == data);
}

// Reads every put's body once through before storing it, as a backend that signs the
// payload's hash does.
class HashingStore final : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override {
    std::string buffer(4096, '\0');
    for (uint64_t offset = 0; offset < data.size();) {
      auto got = data.read_at(offset, buffer);
      if (!got.is_ok()) return std::move(got).take_status();
      offset += *got;
    }
    return ForwardingStore::put(key, data, options);
  }
};

TEST_CASE("bandwidth limits: a body read twice in one request is charged once") {
  VirtualTime t;
  auto store = with_bandwidth_limits(
      std::make_unique<HashingStore>(std::make_unique<testing::MemoryStore>()),
      {.up_bytes_per_second = 100'000, .down_bytes_per_second = 0}, t.timing());
  const std::string data = testing::test_bytes(365'536);
  REQUIRE(store->put("a", BufferSource(data), {}).is_ok());
  CHECK(t.slept_s() == Approx((365'536.0 - 65'536.0) / 100'000.0));
}

TEST_CASE("bandwidth limits: no limit is no decorator, and one direction leaves the other") {
  VirtualTime t;
  testing::MemoryStore* memory = nullptr;
  auto store = limited(t, {}, memory);
  CHECK(store.get() == memory);  // returned as it was
  auto up_only = limited(t, {.up_bytes_per_second = 1000, .down_bytes_per_second = 0}, memory);
  REQUIRE(memory->put("x", BufferSource(std::string(100'000, 'x')), {}).is_ok());
  BufferSink sink;
  REQUIRE(up_only->get("x", {}, sink).is_ok());
  CHECK(t.sleeps.empty());
}

}  // namespace
}  // namespace autosync::backends
