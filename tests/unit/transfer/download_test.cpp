// Unit tests for download(): request counts, parallel byte-exactness, pinning to one
// version, and recovery from dropped connections when combined with with_retry.
#include <atomic>
#include <catch2/catch.hpp>

#include "backends/decorators/fault_store.h"
#include "backends/decorators/retry_store.h"
#include "backends/transfer/transfer.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

using testing::MemoryStore;

TransferOptions small_parts(uint64_t threshold, uint64_t part_size, unsigned concurrency = 4) {
  TransferOptions transfer;
  transfer.multipart_threshold = threshold;
  transfer.part_size = part_size;
  transfer.concurrency = concurrency;
  return transfer;
}

TEST_CASE("download: a small object takes one get") {
  MemoryStore store;
  const std::string data = testing::test_bytes(900);
  REQUIRE(store.put("k", BufferSource(data), {}).is_ok());
  BufferSink sink;
  auto info = download(store, "k", sink, small_parts(10'000, 1000));
  REQUIRE(info.is_ok());
  CHECK(info->size == 900);
  CHECK(sink.data() == data);
  CHECK(store.calls("get") == 1);
}

TEST_CASE("download: below the threshold the rest comes in one more get") {
  MemoryStore store;
  const std::string data = testing::test_bytes(5000);
  REQUIRE(store.put("k", BufferSource(data), {}).is_ok());
  BufferSink sink;
  REQUIRE(download(store, "k", sink, small_parts(10'000, 1000)).is_ok());
  CHECK(sink.data() == data);
  CHECK(store.calls("get") == 2);
}

TEST_CASE("download: a large object arrives byte-exact through parallel ranged gets") {
  MemoryStore store;
  const std::string data = testing::test_bytes(1'000'003, 9);
  REQUIRE(store.put("big", BufferSource(data), {}).is_ok());
  std::atomic<int> pinned{0};
  store.set_before_get([&](std::string_view, const GetOptions& options) {
    if (!options.conditions.if_match.empty()) ++pinned;
  });
  BufferSink sink;  // one-writer sink: download must serialise the parts' writes
  auto info = download(store, "big", sink, small_parts(1, 64 << 10, 4));
  REQUIRE(info.is_ok());
  CHECK(info->size == data.size());
  CHECK(sink.data() == data);
  CHECK(store.calls("get") == 16);
  CHECK(pinned == 15);  // every get after the first names the first answer's ETag
}

TEST_CASE("download: an object overwritten mid-download fails cleanly") {
  MemoryStore store;
  const std::string data = testing::test_bytes(10'000);
  REQUIRE(store.put("k", BufferSource(data), {}).is_ok());
  std::atomic<int> gets{0};
  store.set_before_get([&](std::string_view, const GetOptions&) {
    if (++gets == 3) REQUIRE(store.put("k", BufferSource("new version"), {}).is_ok());
  });
  BufferSink sink;
  auto info = download(store, "k", sink, small_parts(1, 1000, 1));
  REQUIRE_FALSE(info.is_ok());
  CHECK(info.status().kind() == ErrorKind::kPreconditionFailed);
  CHECK_THAT(info.status().message(), Catch::StartsWith("download k: part 3 of 10: "));
  CHECK(gets == 3);  // nothing more is fetched after the failure
}

TEST_CASE("download: a missing object and an empty object") {
  MemoryStore store;
  BufferSink sink;
  CHECK(download(store, "nope", sink, {}).status().is(ErrorKind::kNotFound));
  REQUIRE(store.put("empty", BufferSource(""), {}).is_ok());
  auto info = download(store, "empty", sink, small_parts(1, 1000));
  REQUIRE(info.is_ok());
  CHECK(info->size == 0);
  CHECK(sink.data().empty());
}

TEST_CASE("download: with retry, dropped connections mid-part still give exact bytes") {
  auto owned = std::make_unique<MemoryStore>();
  MemoryStore& memory = *owned;
  const std::string data = testing::test_bytes(200'000, 3);
  REQUIRE(memory.put("k", BufferSource(data), {}).is_ok());
  FaultRule drop;
  drop.ops = {StoreOp::kGet};
  drop.probability = 0.3;
  drop.error = transient("connection reset");
  drop.timing = FaultTiming::kMidBody;
  FaultPlan plan;
  plan.rules = {drop};
  plan.seed = 42;
  auto store = with_retry(with_faults(std::move(owned), plan), testing::sleepless_retries(20));
  BufferSink sink;
  auto info = download(*store, "k", sink, small_parts(1, 10'000, 4));
  REQUIRE(info.is_ok());
  CHECK(sink.data() == data);
  CHECK(memory.calls("get") > 20);  // some parts really were fetched twice
}

}  // namespace
}  // namespace autosync::backends
