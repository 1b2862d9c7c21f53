// The window between create_multipart and the index's record of the upload: an answer lost
// on the way (the store made the upload, the daemon saw an error), a create the retry layer
// sent twice, and a daemon killed right after the store's answer. Each time the store must
// end with no upload of the key in progress, and the file must still get up. On the local
// backend, whose staging directory (ROOT/.autosync-tmp/uploads/) shows what the store holds.
#include <catch2/catch.hpp>

#include "backends/decorators/retry_store.h"
#include "backends/open.h"
#include "syncd/multipart_resume.h"
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

// The first create_multipart reaches the store, which makes the upload; its answer is lost.
backends::FaultPlan first_create_answer_lost() {
  backends::FaultRule rule;
  rule.ops = {backends::StoreOp::kCreateMultipart};
  rule.on_calls = {1};
  rule.error = transient("connection reset by the test");
  rule.timing = backends::FaultTiming::kAfterCall;
  backends::FaultPlan plan;
  plan.rules = {rule};
  return plan;
}

// The fixture's store wrapped to count requests (the fixture keeps owning it).
CountingStore& counted(SyncFixture& f) {
  auto counting = std::make_unique<CountingStore>(std::move(f.store));
  CountingStore& store = *counting;
  f.store = std::move(counting);
  return store;
}

// What a daemon killed between the store's answer to create_multipart and the record
// leaves: the intent, and an upload on the store nobody recorded. Returns the upload's id.
std::string killed_after_create(SyncFixture& f, const index::InodeRecord& file,
                                const std::string& key) {
  auto rows = f.index->read().value().journal_rows(10);
  REQUIRE(rows.is_ok());
  REQUIRE_FALSE(rows->empty());
  REQUIRE(f.index
              ->add_multipart_intent({.id = 0,
                                      .key = key,
                                      .ino = file.ino,
                                      .gen = file.local_gen,
                                      .journal_seq = rows->front().seq,
                                      .created_ns = 0,
                                      .upload_id = {},
                                      .answered_ns = 0})
              .is_ok());
  const size_t before = staged_uploads(f);
  auto id = f.store->create_multipart(key, {});
  REQUIRE(id.is_ok());
  REQUIRE(staged_uploads(f) == before + 1);
  return *id;
}

TEST_CASE("a create whose answer was lost: the row's retry aborts that upload, then uploads") {
  SyncFixture f(first_create_answer_lost());  // one attempt per call: the worker sees it
  CountingStore& store = counted(f);
  const std::string data = bytes(3500, 'a');
  const auto file = f.add_file(index::kRootIno, "big.bin", data);
  WorkerPool pool(*f.index, *f.content, *f.store, small_parts(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("big.bin") == data);
  CHECK_FALSE(f.inode(file.ino).dirty());
  CHECK(store.creates == 2);
  CHECK(store.aborts == 1);  // the upload whose id never arrived
  CHECK(staged_uploads(f) == 0);
  CHECK(f.index->multipart_intents(std::nullopt)->empty());
  CHECK(f.index->multipart_uploads(std::nullopt)->empty());
}

TEST_CASE("a create the retry layer sent again: the upload of the lost answer is aborted") {
  SyncFixture f;
  backends::StoreConfig config;
  auto url = backends::parse_remote_url("file://" + f.bucket.string());
  REQUIRE(url.is_ok());
  config.remote = *url;
  config.faults = first_create_answer_lost();
  config.retry.max_attempts = 3;  // as a daemon runs: the retry hides the lost answer
  config.retry.initial_delay = std::chrono::milliseconds(1);
  auto opened = backends::open(config);
  REQUIRE(opened.is_ok());
  f.store = std::move(opened).value();
  CountingStore& store = counted(f);
  const std::string data = bytes(3500, 'b');
  f.add_file(index::kRootIno, "big.bin", data);
  WorkerPool pool(*f.index, *f.content, *f.store, small_parts(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("big.bin") == data);
  CHECK(store.creates == 1);  // one call here, two below the retry layer
  CHECK(store.aborts == 1);
  CHECK(staged_uploads(f) == 0);
  CHECK(f.index->multipart_intents(std::nullopt)->empty());
}

TEST_CASE("killed right after the create: the row's next run aborts the lost upload and uploads") {
  SyncFixture f;
  const std::string data = bytes(3500, 'c');
  const auto file = f.add_file(index::kRootIno, "big.bin", data);
  killed_after_create(f, file, "big.bin");

  // The start sweep leaves the intent of a pending row to that row...
  auto swept = sweep_multipart_uploads(*f.index, *f.store);
  REQUIRE(swept.is_ok());
  CHECK(*swept == 0);
  CHECK(f.index->multipart_intents(std::nullopt)->size() == 1);
  // ...which settles it before it creates an upload of its own.
  CountingStore& store = counted(f);
  WorkerPool pool(*f.index, *f.content, *f.store, small_parts(), "next");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("big.bin") == data);
  CHECK_FALSE(f.inode(file.ino).dirty());
  CHECK(store.creates == 1);
  CHECK(store.aborts == 1);
  CHECK(staged_uploads(f) == 0);
  CHECK(f.index->multipart_intents(std::nullopt)->empty());
}

TEST_CASE("killed right after the create of a row gone since: the start sweep aborts it") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "big.bin", bytes(3500, 'd'));
  killed_after_create(f, file, "big.bin");
  const std::string changed = bytes(2500, 'e');
  f.rewrite(file.ino, changed);  // the row moves on to generation 2: no row of generation 1

  auto swept = sweep_multipart_uploads(*f.index, *f.store);
  REQUIRE(swept.is_ok());
  CHECK(*swept == 1);
  CHECK(staged_uploads(f) == 0);
  CHECK(f.index->multipart_intents(std::nullopt)->empty());
  // And the row then uploads the file as it is now.
  WorkerPool pool(*f.index, *f.content, *f.store, small_parts(), "next");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("big.bin") == changed);
  CHECK(staged_uploads(f) == 0);
}

TEST_CASE("settling an intent spares recorded uploads and uploads begun long before it") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "big.bin", bytes(3500, 'f'));
  // A resumable upload of the key, recorded: its row's to resume, never the intent's.
  auto recorded = f.store->create_multipart("big.bin", {});
  REQUIRE(recorded.is_ok());
  REQUIRE(f.index
              ->add_multipart({.upload_id = *recorded,
                               .key = "big.bin",
                               .ino = file.ino,
                               .gen = file.local_gen,
                               .size = 3500,
                               .mtime_ns = file.mtime_ns,
                               .part_size = kPart,
                               .created_ns = 0,
                               .parts = {}})
              .is_ok());
  const std::string lost = killed_after_create(f, file, "big.bin");
  REQUIRE(staged_uploads(f) == 2);
  auto intents = f.index->multipart_intents(file.ino);
  REQUIRE(intents.is_ok());
  REQUIRE(intents->size() == 1);

  // An intent made well after both uploads began (more than the clock-skew margin): neither
  // can be its create's, so neither goes.
  index::MultipartIntent later = intents->front();
  later.created_ns += std::chrono::duration_cast<std::chrono::nanoseconds>(kClockSkewMargin +
                                                                           std::chrono::minutes(1))
                          .count();
  auto spared = settle_intent(*f.index, *f.store, later);
  REQUIRE(spared.is_ok());
  CHECK(*spared == 0);
  CHECK(staged_uploads(f) == 2);

  REQUIRE(f.index->add_multipart_intent(intents->front()).is_ok());  // forgotten above
  intents = f.index->multipart_intents(file.ino);
  REQUIRE(intents->size() == 1);
  auto settled = settle_intent(*f.index, *f.store, intents->front());
  REQUIRE(settled.is_ok());
  CHECK(*settled == 1);
  auto left = f.store->list_multipart_uploads("big.bin");
  REQUIRE(left.is_ok());
  REQUIRE(left->size() == 1);
  CHECK(left->front().upload_id == *recorded);
  CHECK(f.index->multipart_intents(file.ino)->empty());
  CHECK(f.index->multipart_recorded(*recorded).value());
  (void)lost;
}

}  // namespace
}  // namespace autosync::syncd
