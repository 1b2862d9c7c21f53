// Resumable multipart uploads in the daemon: an upload cut after some parts (a transient
// failure, or a daemon stopped with the row still pending) is resumed by the next pool with
// only the missing parts; an upload of bytes the file no longer has is aborted, never
// completed; and at start the pool aborts recorded uploads no row will resume. The local
// backend's staging directory (ROOT/.autosync-tmp/uploads/) shows what the store still holds.
#include <catch2/catch.hpp>

#include "backends/open.h"
#include "syncd/worker_pool.h"
#include "tests/unit/syncd/counting_store.h"
#include "tests/unit/syncd/multipart_test_util.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using testing::bytes;
using testing::CountingStore;
using testing::kPart;
using testing::small_parts;
using testing::staged_uploads;
using testing::SyncFixture;
constexpr auto kDrain = std::chrono::milliseconds(5000);

backends::FaultPlan third_part_fails() {
  backends::FaultRule rule;
  rule.ops = {backends::StoreOp::kUploadPart};
  rule.on_calls = {3};
  rule.error = transient("connection reset by the test");
  backends::FaultPlan plan;
  plan.rules = {rule};
  return plan;
}

// A fresh store over the fixture's bucket, without faults, counting requests: what a
// restarted daemon opens.
std::unique_ptr<CountingStore> reopened_store(const SyncFixture& f) {
  backends::StoreConfig config;
  auto url = backends::parse_remote_url("file://" + f.bucket.string());
  REQUIRE(url.is_ok());
  config.remote = *url;
  config.retry.max_attempts = 1;
  auto opened = backends::open(config);
  REQUIRE(opened.is_ok());
  return std::make_unique<CountingStore>(std::move(opened).value());
}

// Runs a first pool until its upload of the fixture's one file failed once (parts 1 and 2
// on the store, part 3 cut), then stops it with the row still pending: as a daemon killed
// mid-upload leaves things, but for the row's claim.
void cut_first_upload(SyncFixture& f) {
  WorkerOptions options = small_parts();
  options.backoff = {.initial = std::chrono::hours(1), .max = std::chrono::hours(1)};
  WorkerPool first(*f.index, *f.content, *f.store, options, "first");
  REQUIRE(first.start().is_ok());
  REQUIRE(testing::eventually([&] {
    auto rows = f.index->read().value().journal_rows(10);
    return rows.is_ok() && rows->size() == 1 && rows->front().attempts == 1;
  }));
  first.stop();
  auto recorded = f.index->multipart_uploads(std::nullopt);
  REQUIRE(recorded.is_ok());
  REQUIRE(recorded->size() == 1);
  CHECK(recorded->front().parts.size() == 2);
  CHECK(staged_uploads(f) == 1);
}

// The next daemon: its clock is past the first one's retry time, so the row is due.
WorkerOptions next_daemon() {
  WorkerOptions options = small_parts();
  options.clock = [] {
    const auto later = std::chrono::system_clock::now() + std::chrono::hours(2);
    return std::chrono::duration_cast<std::chrono::nanoseconds>(later.time_since_epoch()).count();
  };
  return options;
}

TEST_CASE("a multipart upload cut after two parts resumes in the next pool with the rest") {
  SyncFixture f(third_part_fails());
  const std::string data = bytes(5500, 'a');
  const auto file = f.add_file(index::kRootIno, "big.bin", data);
  cut_first_upload(f);

  auto store = reopened_store(f);
  WorkerPool next(*f.index, *f.content, *store, next_daemon(), "next");
  REQUIRE(next.start().is_ok());
  REQUIRE(next.drain(kDrain).is_ok());
  CHECK(store->parts == 4);  // parts 3..6 of 6
  CHECK(store->creates == 0);
  CHECK(store->aborts == 0);
  CHECK(f.body("big.bin") == data);
  CHECK_FALSE(f.inode(file.ino).dirty());
  CHECK(f.index->multipart_uploads(std::nullopt)->empty());
  CHECK(staged_uploads(f) == 0);
}

TEST_CASE("a transient failure mid-upload is retried by resuming the same upload") {
  SyncFixture f(third_part_fails());
  auto counting = std::make_unique<CountingStore>(std::move(f.store));
  CountingStore& store = *counting;
  f.store = std::move(counting);
  const std::string data = bytes(5500, 'b');
  f.add_file(index::kRootIno, "big.bin", data);
  WorkerPool pool(*f.index, *f.content, *f.store, small_parts(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(store.parts == 7);  // 6 parts and the one that was cut
  CHECK(store.creates == 1);
  CHECK(store.aborts == 0);
  CHECK(f.body("big.bin") == data);
  CHECK(staged_uploads(f) == 0);
}

TEST_CASE("an upload of bytes the file no longer has is aborted, and the new bytes go up") {
  SyncFixture f(third_part_fails());
  const auto file = f.add_file(index::kRootIno, "big.bin", bytes(5500, 'c'));
  cut_first_upload(f);
  const std::string changed = bytes(4200, 'x');
  f.rewrite(file.ino, changed);  // a new generation, coalesced into the pending row

  auto store = reopened_store(f);
  WorkerPool next(*f.index, *f.content, *store, next_daemon(), "next");
  REQUIRE(next.start().is_ok());
  REQUIRE(next.drain(kDrain).is_ok());
  // The start sweep (no row of generation 1 is left) and the row's own run (it meets an
  // upload of older bytes) may both abort it: twice is harmless.
  CHECK(store->aborts >= 1);
  CHECK(store->creates == 1);
  CHECK(store->parts == 5);
  CHECK(f.body("big.bin") == changed);
  CHECK_FALSE(f.inode(file.ino).dirty());
  CHECK(f.index->multipart_uploads(std::nullopt)->empty());
  CHECK(staged_uploads(f) == 0);  // no upload left pending on the store
}

TEST_CASE("at start the pool aborts recorded uploads no row will resume") {
  SyncFixture f;
  // A daemon killed after the row finished but before the record went (or a row dropped
  // since): the upload is recorded, nothing will resume it.
  auto id = f.store->create_multipart("gone.bin", {});
  REQUIRE(id.is_ok());
  REQUIRE(f.store->upload_part("gone.bin", *id, 1, backends::BufferSource("abc")).is_ok());
  REQUIRE(f.index
              ->add_multipart({.upload_id = *id,
                               .key = "gone.bin",
                               .ino = 4242,
                               .gen = 3,
                               .size = 3000,
                               .mtime_ns = 1,
                               .part_size = kPart,
                               .created_ns = 0,
                               .parts = {}})
              .is_ok());
  REQUIRE(staged_uploads(f) == 1);
  WorkerPool pool(*f.index, *f.content, *f.store, small_parts(), "test");
  REQUIRE(pool.start().is_ok());
  CHECK(testing::eventually([&] { return staged_uploads(f) == 0; }));
  CHECK(testing::eventually([&] { return f.index->multipart_uploads(std::nullopt)->empty(); }));
}

}  // namespace
}  // namespace autosync::syncd
