// Unit tests for upload(): single put vs parallel multipart, byte-exact reassembly, limits,
// conditions, and abort on failure so no upload is left behind.
#include <catch2/catch.hpp>

#include "backends/decorators/fault_store.h"
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

// A memory store whose `nth` upload_part fails with `error`.
struct FailingParts {
  MemoryStore* memory = nullptr;
  std::unique_ptr<ObjectStore> store;
};

FailingParts parts_failing_on(uint64_t nth, Status error) {
  auto memory = std::make_unique<MemoryStore>();
  FailingParts result;
  result.memory = memory.get();
  FaultRule rule;
  rule.ops = {StoreOp::kUploadPart};
  rule.on_calls = {nth};
  rule.error = std::move(error);
  FaultPlan plan;
  plan.rules = {rule};
  result.store = with_faults(std::move(memory), std::move(plan));
  return result;
}

TEST_CASE("upload: a small object is a single put") {
  MemoryStore store;
  const std::string data = testing::test_bytes(1000);
  auto info = upload(store, "small", BufferSource(data), {}, small_parts(4096, 1024));
  REQUIRE(info.is_ok());
  CHECK(info->size == 1000);
  CHECK(store.calls("put") == 1);
  CHECK(store.calls("create_multipart") == 0);
  CHECK(store.content("small") == data);
}

TEST_CASE("upload: a multipart upload of an odd size reassembles byte-exact") {
  MemoryStore store;
  const std::string data = testing::test_bytes(1'000'003, 5);
  PutOptions options;
  options.content_type = "application/octet-stream";
  options.metadata = {{"mtime", "1700000000"}};
  auto info =
      upload(store, "big.bin", BufferSource(data), options, small_parts(256 << 10, 64 << 10));
  REQUIRE(info.is_ok());
  CHECK(info->size == data.size());
  CHECK(store.calls("put") == 0);
  CHECK(store.calls("upload_part") == 16);  // 15 full 64 KiB parts and a short one
  CHECK(store.content("big.bin") == data);
  CHECK(store.open_uploads() == 0);
  auto head = store.head("big.bin");
  REQUIRE(head.is_ok());
  CHECK(head->content_type == "application/octet-stream");
  CHECK(head->metadata.at("mtime") == "1700000000");
}

TEST_CASE("upload: a failed part aborts the upload and names the part") {
  FailingParts failing =
      parts_failing_on(3, Status::error(ErrorKind::kAccessDenied, "denied").with_http_status(403));
  const std::string data = testing::test_bytes(10'000);
  auto info = upload(*failing.store, "doc", BufferSource(data), {}, small_parts(1, 1000, 1));
  REQUIRE_FALSE(info.is_ok());
  CHECK(info.status().kind() == ErrorKind::kAccessDenied);
  CHECK(info.status().http_status() == 403);
  CHECK_THAT(info.status().message(), Catch::StartsWith("upload doc: part 3 of 10: "));
  CHECK(failing.memory->calls("abort_multipart") == 1);
  CHECK(failing.memory->open_uploads() == 0);
  CHECK(failing.memory->calls("upload_part") == 2);  // stopped at the failure (one worker)
  CHECK_FALSE(failing.memory->content("doc").has_value());
}

TEST_CASE("upload: a failed part in a parallel upload leaves no upload behind") {
  FailingParts failing = parts_failing_on(5, transient("connection reset"));
  const std::string data = testing::test_bytes(100'000);
  auto info = upload(*failing.store, "doc", BufferSource(data), {}, small_parts(1, 1000, 4));
  CHECK(info.status().kind() == ErrorKind::kTransient);
  CHECK_THAT(info.status().message(), Catch::Contains("part "));
  CHECK(failing.memory->open_uploads() == 0);
  CHECK(failing.memory->calls("complete_multipart") == 0);
  CHECK(failing.memory->calls("upload_part") < 100);  // no new parts after the failure
}

TEST_CASE("upload: part size is raised to fit the store's max_parts") {
  Capabilities caps = testing::memory_capabilities();
  caps.max_parts = 4;
  MemoryStore store(caps);
  const std::string data = testing::test_bytes(1000);
  auto info = upload(store, "k", BufferSource(data), {}, small_parts(1, 100));
  REQUIRE(info.is_ok());
  CHECK(store.calls("upload_part") == 4);
  CHECK(store.content("k") == data);
}

TEST_CASE("upload: an object over max_single_put goes multipart below the threshold") {
  Capabilities caps = testing::memory_capabilities();
  caps.max_single_put = 500;
  MemoryStore store(caps);
  const std::string data = testing::test_bytes(1000);
  auto info = upload(store, "k", BufferSource(data), {}, small_parts(1 << 20, 300));
  REQUIRE(info.is_ok());
  CHECK(store.calls("put") == 0);
  CHECK(store.calls("upload_part") == 4);
  CHECK(store.content("k") == data);
}

TEST_CASE("upload: conditions apply to the final complete") {
  MemoryStore store;
  REQUIRE(store.put("k", BufferSource("old"), {}).is_ok());
  PutOptions create_only;
  create_only.conditions.if_none_match = "*";
  const std::string data = testing::test_bytes(5000);
  auto info = upload(store, "k", BufferSource(data), create_only, small_parts(1, 1000));
  CHECK(info.status().kind() == ErrorKind::kPreconditionFailed);
  CHECK(store.content("k") == "old");
  CHECK(store.open_uploads() == 0);
  CHECK(store.calls("upload_part") == 5);  // the condition is only checked at the end

  auto fresh = upload(store, "new", BufferSource(data), create_only, small_parts(1, 1000));
  REQUIRE(fresh.is_ok());
  CHECK(store.content("new") == data);
}

TEST_CASE("upload: conditions on a store without conditional writes fail before any part") {
  Capabilities caps = testing::memory_capabilities();
  caps.conditional_write = false;
  MemoryStore store(caps);
  PutOptions create_only;
  create_only.conditions.if_none_match = "*";
  const std::string data = testing::test_bytes(5000);
  auto info = upload(store, "k", BufferSource(data), create_only, small_parts(1, 1000));
  CHECK(info.status().kind() == ErrorKind::kUnsupported);
  CHECK(store.calls("create_multipart") == 0);
  CHECK(store.calls("upload_part") == 0);
}

TEST_CASE("upload: an empty object is one put even with a zero threshold") {
  MemoryStore store;
  auto info = upload(store, "empty", BufferSource(""), {}, small_parts(0, 1000));
  REQUIRE(info.is_ok());
  CHECK(info->size == 0);
  CHECK(store.calls("put") == 1);
}

}  // namespace
}  // namespace autosync::backends
