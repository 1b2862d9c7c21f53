// The other journal operations through the WorkerPool: delete, file and directory moves,
// directory markers, metadata changes.
#include <catch2/catch.hpp>

#include "core/layout/object_meta.h"
#include "syncd/worker_pool.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using index::JournalOp;
using testing::SyncFixture;
constexpr auto kDrain = std::chrono::milliseconds(5000);

struct Running {
  explicit Running(SyncFixture& f)
      : pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test") {
    REQUIRE(pool.start().is_ok());
  }
  void drain() {
    const Status s = pool.drain(kDrain);
    INFO(s.to_string());
    REQUIRE(s.is_ok());
  }
  WorkerPool pool;
};

void require_no_failures(SyncFixture& f) {
  auto stats = f.index->pending_stats();
  REQUIRE(stats.is_ok());
  CHECK(stats->failed == 0);
}

TEST_CASE("a delete removes the object, and a missing object is fine") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "gone.txt", "bye");
  Running run(f);
  run.drain();
  REQUIRE(f.exists("gone.txt"));

  REQUIRE(f.index->unlink(index::kRootIno, "gone.txt").is_ok());
  f.journal(JournalOp::kDelete, file.ino, "gone.txt");
  f.journal(JournalOp::kDelete, file.ino, "never-there.txt");
  run.drain();
  CHECK_FALSE(f.exists("gone.txt"));
  CHECK_FALSE(std::filesystem::exists(f.bucket / "gone.txt"));
  require_no_failures(f);
}

TEST_CASE("a file move copies to the new key, deletes the old and follows the inode") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "old.txt", "moving");
  Running run(f);
  run.drain();

  REQUIRE(f.index->rename(index::kRootIno, "old.txt", index::kRootIno, "new.txt", 0).is_ok());
  f.journal(JournalOp::kMove, file.ino, "new.txt", "old.txt");
  run.drain();
  CHECK_FALSE(f.exists("old.txt"));
  CHECK(f.body("new.txt") == "moving");
  CHECK(f.head("new.txt").metadata.at("mode") == "33188");  // metadata travels with it
  const auto moved = f.inode(file.ino);
  REQUIRE(moved.remote.has_value());
  CHECK(moved.remote->key == "new.txt");
  CHECK(moved.remote->etag == f.head("new.txt").etag);
  require_no_failures(f);

  // The inode's next upload is conditional on the moved object, and succeeds.
  f.rewrite(file.ino, "edited after the move");
  run.drain();
  CHECK(f.body("new.txt") == "edited after the move");
  require_no_failures(f);
}

TEST_CASE("a file move of an object changed behind our back is a conflict") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "src.txt", "ours");
  Running run(f);
  run.drain();
  const backends::BufferSource theirs("theirs");
  REQUIRE(f.store->put("src.txt", theirs, {}).is_ok());

  REQUIRE(f.index->rename(index::kRootIno, "src.txt", index::kRootIno, "dst.txt", 0).is_ok());
  const int64_t seq = f.journal(JournalOp::kMove, file.ino, "dst.txt", "src.txt");
  run.drain();
  CHECK(f.row(seq).state == index::JournalState::kFailed);
  CHECK_THAT(f.row(seq).last_error, Catch::Contains("conflict"));
  CHECK(f.body("src.txt") == "theirs");  // their version is neither moved nor deleted
  CHECK_FALSE(f.exists("dst.txt"));
  CHECK(f.inode(file.ino).remote->key == "src.txt");
}

TEST_CASE("a directory move moves every object under the prefix, marker included") {
  SyncFixture f;
  const auto dir = f.add_dir(index::kRootIno, "d");
  const auto sub = f.add_dir(dir.ino, "sub");
  const auto x = f.add_file(dir.ino, "x", "X");
  const auto y = f.add_file(dir.ino, "y", "Y");
  const auto z = f.add_file(sub.ino, "z", "Z");
  Running run(f);
  run.drain();
  REQUIRE(f.exists("d/"));
  REQUIRE(f.exists("d/sub/z"));

  REQUIRE(f.index->rename(index::kRootIno, "d", index::kRootIno, "e", 0).is_ok());
  f.journal(JournalOp::kMove, dir.ino, "e/", "d/");
  run.drain();
  for (const char* key : {"d/", "d/x", "d/y", "d/sub/", "d/sub/z"}) {
    INFO(key);
    CHECK_FALSE(f.exists(key));
  }
  CHECK(f.exists("e/"));
  CHECK(f.exists("e/sub/"));
  CHECK(f.body("e/x") == "X");
  CHECK(f.body("e/y") == "Y");
  CHECK(f.body("e/sub/z") == "Z");
  CHECK(f.inode(x.ino).remote->key == "e/x");
  CHECK(f.inode(z.ino).remote->key == "e/sub/z");
  CHECK(f.inode(z.ino).remote->etag == f.head("e/sub/z").etag);
  CHECK(f.inode(dir.ino).remote->key == "e/");
  CHECK_FALSE(f.inode(y.ino).dirty());
  require_no_failures(f);
}

TEST_CASE("mkdir and rmdir put and remove the directory marker") {
  SyncFixture f;
  const auto dir = f.add_dir(index::kRootIno, "m");
  Running run(f);
  run.drain();
  const auto marker = f.head("m/");
  CHECK(marker.size == 0);
  CHECK(marker.content_type == layout::kDirContentType);
  CHECK(marker.metadata.at("mode") == std::to_string(S_IFDIR | 0750));
  CHECK(f.inode(dir.ino).remote->key == "m/");
  CHECK_FALSE(f.inode(dir.ino).dirty());

  REQUIRE(f.index->rmdir(index::kRootIno, "m").is_ok());
  f.journal(JournalOp::kRmdirMarker, dir.ino, "m");
  run.drain();
  CHECK_FALSE(f.exists("m/"));
  require_no_failures(f);
}

TEST_CASE("setmeta rewrites the metadata and keeps the body") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "perm.sh", "#!/bin/sh\n");
  Running run(f);
  run.drain();

  REQUIRE(f.index->set_attrs(file.ino, testing::attr_changes(0700, 42, {}, {})).is_ok());
  REQUIRE(f.index->bump_local_gen(file.ino).is_ok());
  f.journal(JournalOp::kSetMeta, file.ino, "perm.sh");
  run.drain();
  const auto info = f.head("perm.sh");
  CHECK(info.metadata.at("mode") == std::to_string(S_IFREG | 0700));
  CHECK(info.metadata.at("uid") == "42");
  CHECK(f.body("perm.sh") == "#!/bin/sh\n");
  const auto synced = f.inode(file.ino);
  CHECK_FALSE(synced.dirty());
  CHECK(synced.remote->etag == info.etag);
  require_no_failures(f);
}

TEST_CASE("setmeta on an object changed behind our back is a conflict") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "meta.txt", "ours");
  Running run(f);
  run.drain();
  const backends::BufferSource theirs("theirs");
  backends::PutOptions theirs_meta;
  theirs_meta.metadata = {{"mode", "33261"}};
  REQUIRE(f.store->put("meta.txt", theirs, theirs_meta).is_ok());

  REQUIRE(f.index->set_attrs(file.ino, testing::attr_changes(0600, {}, {}, {})).is_ok());
  REQUIRE(f.index->bump_local_gen(file.ino).is_ok());
  const int64_t seq = f.journal(JournalOp::kSetMeta, file.ino, "meta.txt");
  run.drain();
  CHECK(f.row(seq).state == index::JournalState::kFailed);
  CHECK_THAT(f.row(seq).last_error, Catch::Contains("conflict"));
  CHECK(f.head("meta.txt").metadata.at("mode") == "33261");
  CHECK(f.body("meta.txt") == "theirs");
}

}  // namespace
}  // namespace autosync::syncd
