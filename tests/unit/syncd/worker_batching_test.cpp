// How the workers save requests: a directory move copies its objects in parallel (from the
// listing, no HEAD each, every source deleted only after its copy), metadata changes held
// back for the quiet time merge into one marker or setmeta request, and uploads wait for a
// burst of rings to end.
#include <catch2/catch.hpp>
#include <string>
#include <thread>

#include "syncd/worker_pool.h"
#include "tests/unit/syncd/counting_store.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using index::JournalOp;
using std::chrono::milliseconds;
using testing::CountingStore;
using testing::SyncFixture;
constexpr auto kDrain = milliseconds(5000);
constexpr int kFiles = 40;

// Puts a CountingStore between the fixture (and so the workers) and its store.
CountingStore& count_requests(SyncFixture& f) {
  auto counting = std::make_unique<CountingStore>(std::move(f.store));
  CountingStore& ref = *counting;
  f.store = std::move(counting);
  return ref;
}

void drain(WorkerPool& pool) {
  const Status s = pool.drain(kDrain);
  INFO(s.to_string());
  REQUIRE(s.is_ok());
}

// d/ with kFiles files and d/sub/ with one, all on the store.
std::vector<index::InodeRecord> make_tree(SyncFixture& f, WorkerPool& pool, index::Ino& dir) {
  dir = f.add_dir(index::kRootIno, "d").ino;
  std::vector<index::InodeRecord> files;
  files.reserve(kFiles + 1);
  for (int i = 0; i < kFiles; ++i)
    files.push_back(f.add_file(dir, "f" + std::to_string(i), "body " + std::to_string(i)));
  const auto sub = f.add_dir(dir, "sub");
  files.push_back(f.add_file(sub.ino, "z", "Z"));
  drain(pool);
  return files;
}

void check_moved(SyncFixture& f, const std::vector<index::InodeRecord>& files) {
  for (int i = 0; i < kFiles; ++i) {
    const std::string name = "f" + std::to_string(i);
    INFO(name);
    CHECK_FALSE(f.exists("d/" + name));
    CHECK(f.body("e/" + name) == "body " + std::to_string(i));
    CHECK(f.inode(files[i].ino).remote->key == "e/" + name);
  }
  CHECK(f.body("e/sub/z") == "Z");
  CHECK(f.exists("e/"));
  CHECK(f.exists("e/sub/"));
  CHECK_FALSE(f.exists("d/"));
  CHECK(f.inode(files.back().ino).remote->etag == f.head("e/sub/z").etag);
  auto stats = f.index->pending_stats();
  REQUIRE(stats.is_ok());
  CHECK(stats->failed == 0);
}

TEST_CASE("a directory move copies its objects in parallel and never deletes before copying") {
  SyncFixture f;
  CountingStore& store = count_requests(f);
  const bool batch = GENERATE(false, true);
  store.set_batch_delete(batch);
  WorkerOptions options = SyncFixture::fast_options();
  options.move_concurrency = 6;
  WorkerPool pool(*f.index, *f.content, *f.store, options, "test");
  REQUIRE(pool.start().is_ok());
  index::Ino dir = 0;
  const auto files = make_tree(f, pool, dir);
  store.reset();

  REQUIRE(f.index->rename(index::kRootIno, "d", index::kRootIno, "e", 0).is_ok());
  f.journal(JournalOp::kMove, dir, "e/", "d/");
  drain(pool);
  const int objects = kFiles + 3;  // the files, z, and the two markers
  CHECK(store.copies == objects);
  CHECK(store.listed_copies == objects);  // each copy used the listing: no HEAD of its own
  CHECK(store.heads <= 1);                // the marker, where the store does not list it
  CHECK(store.max_in_flight > 1);
  CHECK(store.max_in_flight <= 6);
  CHECK(store.early_deletes == 0);
  if (batch) {
    CHECK(store.batch_removes == 1);
    CHECK(store.removes == 0);
  } else {
    CHECK(store.removes == objects);
  }
  check_moved(f, files);
}

TEST_CASE("a directory move that fails part way leaves every object somewhere, the retry ends it") {
  SyncFixture f;
  CountingStore& store = count_requests(f);
  store.set_batch_delete(GENERATE(false, true));
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  index::Ino dir = 0;
  const auto files = make_tree(f, pool, dir);

  store.fail_copy_of("d/f17");
  REQUIRE(f.index->rename(index::kRootIno, "d", index::kRootIno, "e", 0).is_ok());
  f.journal(JournalOp::kMove, dir, "e/", "d/");
  drain(pool);
  CHECK(store.early_deletes == 0);
  check_moved(f, files);
}

TEST_CASE("chown, chmod and utimens after a mkdir make one marker PUT after the quiet time") {
  SyncFixture f;
  CountingStore& store = count_requests(f);
  WorkerOptions options = SyncFixture::fast_options();
  options.metadata_writeback_delay = milliseconds(1000);
  options.rescan_interval = milliseconds(20'000);  // only the ring's timer can find the row
  WorkerPool pool(*f.index, *f.content, *f.store, options, "test");
  REQUIRE(pool.start().is_ok());

  const auto start = std::chrono::steady_clock::now();
  const auto dir = f.add_dir(index::kRootIno, "t");
  pool.wake();
  const std::optional<mode_t> modes[] = {0700, 0711, 0755};
  for (const auto& mode : modes) {
    REQUIRE(f.index->set_attrs(dir.ino, testing::attr_changes(mode, 7, {}, {})).is_ok());
    REQUIRE(f.index->bump_local_gen(dir.ino).is_ok());
    f.journal(JournalOp::kSetMeta, dir.ino, "t");
    pool.wake();
  }
  // A file's upload in the same directory does not wait.
  f.add_file(dir.ino, "now.txt", "at once");
  pool.wake();
  REQUIRE(testing::eventually([&] { return f.exists("t/now.txt"); }, milliseconds(3000)));
  const bool marker_seen = f.exists("t/");
  if (std::chrono::steady_clock::now() - start < options.metadata_writeback_delay) {
    CHECK_FALSE(marker_seen);  // (on a machine too loaded to get here in time: not checked)
  }
  REQUIRE(testing::eventually([&] { return f.exists("t/"); }, milliseconds(4000)));
  drain(pool);
  CHECK(store.puts == 2);  // the marker once, the file once
  CHECK(store.copies == 0);
  const auto marker = f.head("t/");
  CHECK(marker.metadata.at("mode") == std::to_string(S_IFDIR | 0755));
  CHECK(marker.metadata.at("uid") == "7");
  CHECK_FALSE(f.inode(dir.ino).dirty());
}

// The burst's gap (a quarter of the maximum delay: 2 s) is long, so each check runs well
// inside the wait it looks at.
TEST_CASE(
    "uploads wait while rings come in a burst, and a file closed again and again uploads once") {
  SyncFixture f;
  CountingStore& store = count_requests(f);
  WorkerOptions options = SyncFixture::fast_options();
  options.upload_max_delay = milliseconds(8000);
  options.rescan_interval = milliseconds(20'000);  // only rings, wakes and timers find rows
  WorkerPool pool(*f.index, *f.content, *f.store, options, "test");
  REQUIRE(pool.start().is_ok());
  const auto rewrites = [&](index::Ino ino, const std::string& prefix) {
    for (int i = 1; i <= 5; ++i) {
      std::this_thread::sleep_for(milliseconds(20));
      f.rewrite(ino, prefix + std::to_string(i));
      pool.ring();
    }
  };

  // A lone ring: at once.
  const auto file = f.add_file(index::kRootIno, "log.txt", "v0");
  pool.ring();
  CHECK(testing::eventually([&] { return f.exists("log.txt"); }, milliseconds(1000)));
  drain(pool);

  // Rings soon after it: a burst, whose wait wake() (autosyncctl flush) ends.
  store.reset();
  rewrites(file.ino, "v");
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(f.body("log.txt") == "v0");
  pool.wake();
  CHECK(testing::eventually([&] { return f.body("log.txt") == "v5"; }, milliseconds(1000)));
  drain(pool);
  CHECK(store.puts == 1);

  // A burst that ends on its own: one upload, the quiet time after the last ring.
  store.reset();
  rewrites(file.ino, "w");
  std::this_thread::sleep_for(milliseconds(300));
  CHECK(f.body("log.txt") == "v5");
  CHECK(testing::eventually([&] { return f.body("log.txt") == "w5"; }, milliseconds(5000)));
  CHECK(store.puts == 1);
}

TEST_CASE("a long burst still uploads as it goes, upload_max_delay behind") {
  SyncFixture f;
  WorkerOptions options = SyncFixture::fast_options();
  options.upload_max_delay = milliseconds(400);  // rings less than 100 ms apart: a burst
  options.rescan_interval = milliseconds(20'000);
  WorkerPool pool(*f.index, *f.content, *f.store, options, "test");
  REQUIRE(pool.start().is_ok());
  const auto file = f.add_file(index::kRootIno, "busy.log", "line 0");
  pool.ring();
  REQUIRE(testing::eventually([&] { return f.exists("busy.log"); }, milliseconds(1000)));
  bool uploaded_during_burst = false;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 1; std::chrono::steady_clock::now() - start < milliseconds(1500); ++i) {
    std::this_thread::sleep_for(milliseconds(20));
    f.rewrite(file.ino, "line " + std::to_string(i));
    pool.ring();
    uploaded_during_burst = uploaded_during_burst || f.body("busy.log") != "line 0";
  }
  CHECK(uploaded_during_burst);
  drain(pool);
}

TEST_CASE("a directory's setmeta rewrites its marker in one request") {
  SyncFixture f;
  CountingStore& store = count_requests(f);
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  const auto dir = f.add_dir(index::kRootIno, "s");
  drain(pool);
  store.reset();

  REQUIRE(f.index->set_attrs(dir.ino, testing::attr_changes(0700, {}, {}, {})).is_ok());
  REQUIRE(f.index->bump_local_gen(dir.ino).is_ok());
  f.journal(JournalOp::kSetMeta, dir.ino, "s");
  drain(pool);
  CHECK(store.puts == 1);
  CHECK(store.copies == 0);
  CHECK(store.heads == 0);
  const auto marker = f.head("s/");
  CHECK(marker.metadata.at("mode") == std::to_string(S_IFDIR | 0700));
  CHECK(f.inode(dir.ino).remote->etag == marker.etag);
  CHECK_FALSE(f.inode(dir.ino).dirty());
}

}  // namespace
}  // namespace autosync::syncd
