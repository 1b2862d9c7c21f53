// Unit tests for resumable multipart uploads (MultipartHooks): what upload() records, what a
// failure leaves on the store (kept for a retry, or aborted), and that a resumed upload sends
// only the parts the store lacks — on the in-memory store and on the local backend, whose
// staging directory shows what is left behind.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>

#include "backends/decorators/fault_store.h"
#include "backends/local/local_store.h"
#include "backends/transfer/transfer.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

using testing::MemoryStore;

TransferOptions parts_of(uint64_t part_size) {
  TransferOptions transfer;
  transfer.multipart_threshold = 1;
  transfer.part_size = part_size;
  transfer.concurrency = 1;  // parts in order, so "the 3rd part fails" is one known part
  return transfer;
}

// What a caller (autosyncd's index) would keep: the upload and its parts, until ended.
struct Ledger {
  std::mutex mu;
  std::string upload_id;  // guarded by mu
  uint64_t part_size = 0;
  std::map<int, UploadedPart> parts;
  std::set<std::string> ended;
  int started = 0;

  MultipartHooks hooks() {
    MultipartHooks h;
    h.started = [this](std::string_view id, uint64_t size) {
      const std::lock_guard lock(mu);
      upload_id = std::string(id);
      part_size = size;
      parts.clear();
      ++started;
      return Status::ok();
    };
    h.part_done = [this](std::string_view id, const UploadedPart& part) {
      const std::lock_guard lock(mu);
      CHECK(id == upload_id);
      parts[part.number] = part;
      return Status::ok();
    };
    h.ended = [this](std::string_view id) {
      const std::lock_guard lock(mu);
      ended.insert(std::string(id));
    };
    return h;
  }

  MultipartResume resume() {
    const std::lock_guard lock(mu);
    MultipartResume r{.upload_id = upload_id, .part_size = part_size, .parts = {}};
    for (const auto& [number, part] : parts)
      r.parts.push_back(part);
    return r;
  }
};

// `inner` behind a fault store whose upload_parts number `calls` fail with `error`.
std::unique_ptr<ObjectStore> parts_fail(std::unique_ptr<ObjectStore> inner,
                                        std::vector<uint64_t> calls, Status error) {
  FaultRule rule;
  rule.ops = {StoreOp::kUploadPart};
  rule.on_calls = std::move(calls);
  rule.error = std::move(error);
  FaultPlan plan;
  plan.rules = {rule};
  return with_faults(std::move(inner), std::move(plan));
}

TEST_CASE("resume: hooks see the upload start, each part, and its end") {
  MemoryStore store;
  Ledger ledger;
  const auto hooks = ledger.hooks();
  const std::string data = testing::test_bytes(10'000);
  auto info = upload(store, "doc", BufferSource(data), {}, parts_of(1000), &hooks);
  REQUIRE(info.is_ok());
  CHECK(ledger.started == 1);
  CHECK(ledger.part_size == 1000);
  CHECK(ledger.parts.size() == 10);
  CHECK(ledger.parts.at(10).size == 1000);
  CHECK(ledger.ended == std::set<std::string>{ledger.upload_id});
  CHECK(store.open_uploads() == 0);
}

TEST_CASE("resume: a transient failure keeps the upload, and the retry sends only the rest") {
  auto memory = std::make_unique<MemoryStore>();
  MemoryStore& mem = *memory;
  auto store = parts_fail(std::move(memory), {4}, transient("connection reset"));
  Ledger ledger;
  const auto hooks = ledger.hooks();
  const std::string data = testing::test_bytes(10'500, 3);
  auto first = upload(*store, "big", BufferSource(data), {}, parts_of(1000), &hooks);
  REQUIRE_FALSE(first.is_ok());
  CHECK(first.status().kind() == ErrorKind::kTransient);
  CHECK(mem.open_uploads() == 1);  // kept for the retry
  CHECK(ledger.parts.size() == 3);
  CHECK(ledger.ended.empty());

  const uint64_t parts_before = mem.calls("upload_part");
  const MultipartResume resume = ledger.resume();
  auto resumed_hooks = ledger.hooks();
  resumed_hooks.resume = &resume;
  auto second = upload(*store, "big", BufferSource(data), {}, parts_of(1000), &resumed_hooks);
  REQUIRE(second.is_ok());
  CHECK(mem.calls("upload_part") - parts_before == 8);  // parts 4..11, not 1..3 again
  CHECK(mem.calls("create_multipart") == 1);
  CHECK(ledger.started == 1);
  CHECK(mem.content("big") == data);
  CHECK(mem.open_uploads() == 0);
  CHECK(ledger.ended == std::set<std::string>{resume.upload_id});
}

TEST_CASE("resume: a failure a retry cannot cure aborts the upload even with hooks") {
  auto memory = std::make_unique<MemoryStore>();
  MemoryStore& mem = *memory;
  auto store = parts_fail(std::move(memory), {2}, Status::error(ErrorKind::kAccessDenied, "no"));
  Ledger ledger;
  const auto hooks = ledger.hooks();
  const std::string data = testing::test_bytes(5000);
  REQUIRE_FALSE(upload(*store, "doc", BufferSource(data), {}, parts_of(1000), &hooks).is_ok());
  CHECK(mem.open_uploads() == 0);
  CHECK(ledger.ended.size() == 1);
}

TEST_CASE("resume: an upload the store no longer has starts over") {
  MemoryStore store;
  Ledger ledger;
  const std::string data = testing::test_bytes(4000);
  const MultipartResume gone{.upload_id = "no-such-upload",
                             .part_size = 1000,
                             .parts = {{.number = 1, .etag = "e1", .size = 1000}}};
  auto hooks = ledger.hooks();
  hooks.resume = &gone;
  auto info = upload(store, "doc", BufferSource(data), {}, parts_of(1000), &hooks);
  REQUIRE(info.is_ok());
  CHECK(store.content("doc") == data);
  CHECK(ledger.started == 1);
  CHECK(ledger.ended.contains("no-such-upload"));
  CHECK(store.open_uploads() == 0);
}

TEST_CASE("resume: an upload someone aborts while it runs fails transient and is forgotten") {
  MemoryStore store;
  Ledger ledger;
  const std::string data = testing::test_bytes(4000);
  auto hooks = ledger.hooks();
  int intents = 0;
  hooks.creating = [&intents] {
    ++intents;
    return Status::ok();
  };
  // Another client settling its own lost uploads of "doc" aborts ours after part 1.
  auto record_part = hooks.part_done;
  hooks.part_done = [&](std::string_view id, const UploadedPart& part) {
    if (part.number == 1) CHECK(store.abort_multipart("doc", id).is_ok());
    return record_part(id, part);
  };
  auto info = upload(store, "doc", BufferSource(data), {}, parts_of(1000), &hooks);
  REQUIRE_FALSE(info.is_ok());
  // Not kNotFound, which would fail the caller's work for good: a retry starts anew.
  CHECK(info.status().is(ErrorKind::kTransient));
  CHECK(info.status().retryable());
  CHECK(intents == 1);
  CHECK(ledger.ended.contains(ledger.upload_id));
  CHECK(store.open_uploads() == 0);

  hooks.part_done = record_part;
  auto retried = upload(store, "doc", BufferSource(data), {}, parts_of(1000), &hooks);
  REQUIRE(retried.is_ok());
  CHECK(store.content("doc") == data);
  CHECK(intents == 2);
}

TEST_CASE("resume: the creating hook runs before the create, and its error stops the upload") {
  MemoryStore store;
  Ledger ledger;
  auto hooks = ledger.hooks();
  hooks.creating = [&store] {
    CHECK(store.calls("create_multipart") == 0);
    return Status::error(ErrorKind::kIo, "disk full");
  };
  auto info =
      upload(store, "doc", BufferSource(testing::test_bytes(4000)), {}, parts_of(1000), &hooks);
  REQUIRE_FALSE(info.is_ok());
  CHECK(info.status().is(ErrorKind::kIo));
  CHECK(store.calls("create_multipart") == 0);
  CHECK(ledger.started == 0);
}

TEST_CASE("resume: a resumed upload keeps its own cut, whatever the part size is now") {
  MemoryStore store;
  const std::string data = testing::test_bytes(4000);
  auto old_id = store.create_multipart("doc", {});
  REQUIRE(old_id.is_ok());
  auto part1 = store.upload_part("doc", *old_id, 1, BufferSource(data.substr(0, 500)));
  auto part2 = store.upload_part("doc", *old_id, 2, BufferSource(data.substr(500, 500)));
  REQUIRE((part1.is_ok() && part2.is_ok()));
  // Part 2 as recorded does not fit the cut (a wrong size): it is sent again.
  const MultipartResume earlier{.upload_id = *old_id,
                                .part_size = 500,
                                .parts = {{.number = 1, .etag = part1->etag, .size = 500},
                                          {.number = 2, .etag = part2->etag, .size = 499}}};
  Ledger ledger;
  ledger.upload_id = *old_id;
  auto hooks = ledger.hooks();
  hooks.resume = &earlier;
  const uint64_t parts_before = store.calls("upload_part");
  auto info = upload(store, "doc", BufferSource(data), {}, parts_of(1000), &hooks);
  REQUIRE(info.is_ok());
  CHECK(store.calls("upload_part") - parts_before == 7);  // 500-byte parts 2..8
  CHECK(store.calls("create_multipart") == 1);
  CHECK(store.content("doc") == data);
  CHECK(store.open_uploads() == 0);
  CHECK(ledger.ended.contains(*old_id));
}

TEST_CASE("resume: a small object replaces a recorded upload with one put") {
  MemoryStore store;
  auto old_id = store.create_multipart("doc", {});
  REQUIRE(old_id.is_ok());
  const MultipartResume earlier{.upload_id = *old_id, .part_size = 1000, .parts = {}};
  Ledger ledger;
  auto hooks = ledger.hooks();
  hooks.resume = &earlier;
  TransferOptions transfer = parts_of(1000);
  transfer.multipart_threshold = 1 << 20;
  REQUIRE(upload(store, "doc", BufferSource("tiny"), {}, transfer, &hooks).is_ok());
  CHECK(store.open_uploads() == 0);
  CHECK(ledger.ended.contains(*old_id));
}

// The local backend keeps an upload's parts under ROOT/.autosync-tmp/uploads/ID/.
size_t staged_uploads(const std::filesystem::path& root) {
  const auto dir = root / ".autosync-tmp" / "uploads";
  if (!std::filesystem::exists(dir)) return 0;
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                           std::filesystem::directory_iterator()));
}

std::unique_ptr<ObjectStore> local_store(const std::filesystem::path& root) {
  auto opened = local::open_store({.root = root});
  REQUIRE(opened.is_ok());
  return std::move(opened).value();
}

TEST_CASE("resume: the local backend resumes an upload a new store instance finds") {
  testing::TempDir root;
  Ledger ledger;
  const std::string data = testing::test_bytes(7000, 9);
  {
    auto store = parts_fail(local_store(root.path()), {3}, transient("cut"));
    const auto hooks = ledger.hooks();
    REQUIRE_FALSE(upload(*store, "a/big", BufferSource(data), {}, parts_of(1000), &hooks).is_ok());
  }
  CHECK(staged_uploads(root.path()) == 1);
  REQUIRE(ledger.parts.size() == 2);

  // As a restarted daemon would: a new store over the same directory, the recorded parts.
  std::atomic<int> parts_sent{0};
  auto hooks = ledger.hooks();
  const MultipartResume resume = ledger.resume();
  hooks.resume = &resume;
  auto counted = hooks.part_done;
  hooks.part_done = [&](std::string_view id, const UploadedPart& part) {
    ++parts_sent;
    return counted(id, part);
  };
  auto store = local_store(root.path());
  auto info = upload(*store, "a/big", BufferSource(data), {}, parts_of(1000), &hooks);
  REQUIRE(info.is_ok());
  CHECK(parts_sent == 5);  // parts 3..7
  BufferSink sink;
  REQUIRE(store->get("a/big", {}, sink).is_ok());
  CHECK(sink.data() == data);
  CHECK(staged_uploads(root.path()) == 0);
}

TEST_CASE("resume: the local backend's abort leaves nothing staged") {
  testing::TempDir root;
  auto store = local_store(root.path());
  auto id = store->create_multipart("k", {});
  REQUIRE(id.is_ok());
  REQUIRE(store->upload_part("k", *id, 1, BufferSource("abc")).is_ok());
  CHECK(staged_uploads(root.path()) == 1);
  REQUIRE(store->abort_multipart("k", *id).is_ok());
  CHECK(staged_uploads(root.path()) == 0);
  // Resuming it now finds no upload: the parts are sent again under a new one.
  const MultipartResume gone{.upload_id = *id, .part_size = 3, .parts = {}};
  Ledger ledger;
  auto hooks = ledger.hooks();
  hooks.resume = &gone;
  REQUIRE(upload(*store, "k", BufferSource("abcdef"), {}, parts_of(3), &hooks).is_ok());
  CHECK(ledger.started == 1);
  CHECK(staged_uploads(root.path()) == 0);
}

}  // namespace
}  // namespace autosync::backends
