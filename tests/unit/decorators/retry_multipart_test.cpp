// Unit tests for with_retry around complete_multipart, the one call that is not idempotent.
#include <catch2/catch.hpp>
#include <vector>

#include "backends/decorators/fault_store.h"
#include "backends/decorators/retry_store.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

using testing::MemoryStore;

// Starts an upload of "one" + "two" under `key` and returns its id and parts.
struct StartedUpload {
  std::string id;
  std::vector<CompletedPart> parts;
};

StartedUpload start_upload(ObjectStore& store, std::string_view key) {
  StartedUpload upload;
  auto id = store.create_multipart(key, {});
  REQUIRE(id.is_ok());
  upload.id = *id;
  auto first = store.upload_part(key, upload.id, 1, BufferSource("one"));
  auto second = store.upload_part(key, upload.id, 2, BufferSource("two"));
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  upload.parts = {*first, *second};
  return upload;
}

FaultPlan complete_fails_once(FaultTiming timing) {
  FaultRule rule;
  rule.ops = {StoreOp::kCompleteMultipart};
  rule.on_calls = {1};
  rule.error = transient("connection reset");
  rule.timing = timing;
  FaultPlan plan;
  plan.rules = {rule};
  return plan;
}

TEST_CASE("retry: a completed upload whose answer was lost is found with head") {
  auto owned = std::make_unique<MemoryStore>();
  MemoryStore& memory = *owned;
  auto store =
      with_retry(with_faults(std::move(owned), complete_fails_once(FaultTiming::kAfterCall)),
                 testing::sleepless_retries(RetryPolicy().max_attempts));
  const StartedUpload upload = start_upload(*store, "m.bin");

  auto info = store->complete_multipart("m.bin", upload.id, upload.parts, {});
  REQUIRE(info.is_ok());
  CHECK(info->key == "m.bin");
  CHECK(info->size == 6);
  CHECK(memory.content("m.bin") == "onetwo");
  CHECK(memory.calls("complete_multipart") == 2);  // the retry saw NoSuchUpload
  CHECK(memory.calls("head") == 1);
  CHECK(memory.open_uploads() == 0);
}

TEST_CASE("retry: an upload that is really gone still reports kNotFound") {
  auto owned = std::make_unique<MemoryStore>();
  MemoryStore& memory = *owned;
  RetryPolicy policy;
  std::string upload_id;
  // Between the attempts, someone else aborts the upload (e.g. a lifecycle rule).
  policy.sleep = [&](std::chrono::milliseconds) {
    REQUIRE(memory.abort_multipart("m.bin", upload_id).is_ok());
  };
  auto store = with_retry(
      with_faults(std::move(owned), complete_fails_once(FaultTiming::kBeforeCall)), policy);
  const StartedUpload upload = start_upload(*store, "m.bin");
  upload_id = upload.id;

  auto info = store->complete_multipart("m.bin", upload.id, upload.parts, {});
  REQUIRE_FALSE(info.is_ok());
  CHECK(info.status().kind() == ErrorKind::kNotFound);
  CHECK(info.status().server_code() == "NoSuchUpload");
  CHECK(memory.calls("head") == 1);
  CHECK_FALSE(memory.content("m.bin").has_value());
}

TEST_CASE("retry: NoSuchUpload on the first attempt is not second-guessed") {
  auto owned = std::make_unique<MemoryStore>();
  MemoryStore& memory = *owned;
  auto store = with_retry(std::move(owned), testing::sleepless_retries(RetryPolicy().max_attempts));
  REQUIRE(store->put("m.bin", BufferSource("old"), {}).is_ok());
  const std::vector<CompletedPart> parts = {{1, "e1"}};
  auto info = store->complete_multipart("m.bin", "no-such-upload", parts, {});
  CHECK(info.status().kind() == ErrorKind::kNotFound);
  CHECK(memory.calls("head") == 0);  // an old object under the key proves nothing
}

}  // namespace
}  // namespace autosync::backends
