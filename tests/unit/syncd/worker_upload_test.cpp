// Uploads through the WorkerPool: bytes, s3fs metadata, newer generations, symlinks, and
// conflicts with changes made on the store behind the workers' back.
#include <catch2/catch.hpp>

#include "backends/decorators/forwarding_store.h"
#include "core/layout/object_meta.h"
#include "syncd/worker_pool.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using testing::SyncFixture;
constexpr auto kDrain = std::chrono::milliseconds(5000);

// A store like one that ignores If-Match: it says so in its capabilities and refuses any
// conditional write, so a test fails if the workers send one anyway.
class NoConditionsStore final : public backends::ForwardingStore {
 public:
  explicit NoConditionsStore(std::unique_ptr<backends::ObjectStore> inner)
      : ForwardingStore(std::move(inner)), caps_(ForwardingStore::capabilities()) {
    caps_.conditional_write = false;
  }
  const backends::Capabilities& capabilities() const override { return caps_; }
  Result<backends::ObjectInfo> put(std::string_view key, const backends::ByteSource& data,
                                   const backends::PutOptions& options) override {
    if (!options.conditions.empty()) return unsupported("conditional put");
    return ForwardingStore::put(key, data, options);
  }

 private:
  backends::Capabilities caps_;
};

TEST_CASE("an upload puts the bytes with s3fs metadata and marks the inode synced") {
  SyncFixture f;
  const auto docs = f.add_dir(index::kRootIno, "docs");
  const auto file = f.add_file(docs.ino, "a.txt", "hello");
  REQUIRE(f.index->set_attrs(file.ino, testing::attr_changes({}, {}, {}, 1700000000'000000000))
              .is_ok());
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());

  CHECK(f.body("docs/a.txt") == "hello");
  const auto info = f.head("docs/a.txt");
  CHECK(info.metadata.at("mode") == "33188");  // S_IFREG | 0644
  CHECK(info.metadata.at("uid") == "1000");
  CHECK(info.metadata.at("gid") == "1001");
  CHECK(info.metadata.at("mtime") == "1700000000");
  CHECK(info.content_type == "text/plain");
  CHECK(std::filesystem::exists(f.bucket / "docs" / "a.txt"));  // tool-readable layout

  const auto synced = f.inode(file.ino);
  CHECK_FALSE(synced.dirty());
  REQUIRE(synced.remote.has_value());
  CHECK(synced.remote->key == "docs/a.txt");
  CHECK(synced.remote->etag == info.etag);
  CHECK(synced.remote->size == 5);
  const auto stats = f.index->pending_stats();
  REQUIRE(stats.is_ok());
  CHECK(stats->count == 0);
  CHECK(stats->failed == 0);
}

TEST_CASE("a newer generation overwrites the object it was based on") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "a.bin", "v1");
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  const auto first_etag = f.head("a.bin").etag;

  f.rewrite(file.ino, "version two");
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("a.bin") == "version two");
  CHECK(f.head("a.bin").content_type == "application/octet-stream");
  const auto synced = f.inode(file.ino);
  CHECK(synced.synced_gen == 2);
  CHECK_FALSE(synced.dirty());
  CHECK(synced.remote->etag != first_etag);
  CHECK(synced.remote->etag == f.head("a.bin").etag);
}

TEST_CASE("an upload overtaken by a newer local change marks only its own generation") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "busy.txt", "first");
  REQUIRE(f.index->bump_local_gen(file.ino).is_ok());  // written again, not yet closed
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  const auto after = f.inode(file.ino);
  CHECK(after.synced_gen == 1);
  CHECK(after.local_gen == 2);
  CHECK(after.dirty());  // the row for generation 2 comes with the next close
  REQUIRE(after.remote.has_value());
  CHECK(after.remote->etag == f.head("busy.txt").etag);
}

TEST_CASE("a symlink is uploaded with its target as the body") {
  SyncFixture f;
  index::NewInode spec;
  spec.mode = S_IFLNK | 0777;
  spec.symlink_target = "../target/file";
  auto link = f.index->create(index::kRootIno, "link", spec);
  REQUIRE(link.is_ok());
  REQUIRE(f.index->bump_local_gen(link->ino).is_ok());
  f.journal(index::JournalOp::kUpload, link->ino, "link");
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("link") == "../target/file");
  CHECK(f.head("link").metadata.at("mode") == std::to_string(S_IFLNK | 0777));
  CHECK_FALSE(f.inode(link->ino).dirty());
}

TEST_CASE("an object changed behind the workers' back is a conflict, never overwritten") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "shared.txt", "ours v1");
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());

  const backends::BufferSource theirs("theirs");
  REQUIRE(f.store->put("shared.txt", theirs, {}).is_ok());
  const int64_t seq = f.rewrite(file.ino, "ours v2");
  REQUIRE(pool.drain(kDrain).is_ok());  // a failed row is not pending

  CHECK(f.body("shared.txt") == "theirs");
  CHECK_FALSE(f.row_exists(seq));  // resolved (keep-both by default: conflict_resolve_test)
  const auto conflicts = f.index->list_conflicts(false).value();
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0].path == "shared.txt");
  CHECK(f.body(conflicts[0].copy_path) == "ours v2");  // the local change is kept
  CHECK(f.inode(file.ino).remote->key == conflicts[0].copy_path);
  CHECK(f.index->pending_stats()->failed == 0);
}

TEST_CASE("a new file does not replace an object someone else created at its key") {
  SyncFixture f;
  const backends::BufferSource theirs("already here");
  REQUIRE(f.store->put("new.txt", theirs, {}).is_ok());
  const auto file = f.add_file(index::kRootIno, "new.txt", "mine");
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("new.txt") == "already here");
  const auto conflicts = f.index->list_conflicts(false).value();
  REQUIRE(conflicts.size() == 1);
  CHECK(f.body(conflicts[0].copy_path) == "mine");
  CHECK(f.inode(file.ino).remote->key == conflicts[0].copy_path);
  CHECK(f.index->pending_stats()->failed == 0);
}

TEST_CASE("without conditional writes, a HEAD check still detects conflicts") {
  SyncFixture f;
  f.store = std::make_unique<NoConditionsStore>(std::move(f.store));
  const auto file = f.add_file(index::kRootIno, "plain.txt", "v1");
  const backends::BufferSource theirs("theirs");
  REQUIRE(f.store->put("taken.txt", theirs, {}).is_ok());
  const auto clash = f.add_file(index::kRootIno, "taken.txt", "mine");
  WorkerPool pool(*f.index, *f.content, *f.store, SyncFixture::fast_options(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("plain.txt") == "v1");  // new file: HEAD found nothing, plain put
  CHECK_FALSE(f.inode(file.ino).dirty());
  CHECK(f.body("taken.txt") == "theirs");  // HEAD found an object: conflict
  CHECK(f.inode(clash.ino).remote->key != "taken.txt");  // kept both

  f.rewrite(file.ino, "v2");  // HEAD matches our etag: overwrite
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("plain.txt") == "v2");

  REQUIRE(f.store->put("plain.txt", theirs, {}).is_ok());
  const int64_t seq = f.rewrite(file.ino, "v3");  // HEAD sees another etag: conflict
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("plain.txt") == "theirs");
  CHECK_FALSE(f.row_exists(seq));
  const auto conflicts = f.index->list_conflicts(false).value();
  REQUIRE(conflicts.size() == 2);
  CHECK(conflicts[1].path == "plain.txt");
  CHECK(f.body(conflicts[1].copy_path) == "v3");
  CHECK(f.index->pending_stats()->failed == 0);
}

}  // namespace
}  // namespace autosync::syncd
