// Uploads after a crash. A daemon killed after the store took an upload but before the
// index recorded it: the retry meets its own object and must recognise it (the upload
// token), not call it a conflict, while an object anyone else wrote stays a conflict. A mount
// killed before the kernel wrote every page back: the cache file is shorter than the file,
// and the missing bytes are holes.
#include <catch2/catch.hpp>

#include "core/layout/object_meta.h"
#include "syncd/own_upload.h"
#include "syncd/worker_pool.h"
#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd {
namespace {

using testing::SyncFixture;
constexpr auto kDrain = std::chrono::milliseconds(5000);
constexpr std::string_view kClient = "0123456789abcdef0123456789abcdef";

WorkerOptions options_with_client() {
  WorkerOptions options = SyncFixture::fast_options();
  options.client_id = std::string(kClient);
  return options;
}

// Puts `body` at `key` as the upload of (`ino`, `gen`) by `client` would have.
void put_as_upload(SyncFixture& f, std::string_view key, std::string_view body,
                   std::string_view client, index::Ino ino, uint64_t gen) {
  backends::PutOptions options;
  options.metadata[std::string(layout::kUploadField)] = upload_token(client, ino, gen);
  const backends::BufferSource data(body);
  REQUIRE(f.store->put(key, data, options).is_ok());
}

TEST_CASE("an upload carries this cache's token") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "a.txt", "hello");
  WorkerPool pool(*f.index, *f.content, *f.store, options_with_client(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.head("a.txt").metadata.at(std::string(layout::kUploadField)) ==
        upload_token(kClient, file.ino, 1));
}

TEST_CASE("a retry that finds its own unrecorded upload of the same generation records it") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "a.txt", "hello");
  // The first try's object, as a crash left it: on the store, unknown to the index.
  put_as_upload(f, "a.txt", "hello", kClient, file.ino, 1);
  const auto landed = f.head("a.txt");
  WorkerPool pool(*f.index, *f.content, *f.store, options_with_client(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.index->list_conflicts(false).value().empty());
  const auto synced = f.inode(file.ino);
  CHECK_FALSE(synced.dirty());
  REQUIRE(synced.remote.has_value());
  CHECK(synced.remote->key == "a.txt");
  CHECK(synced.remote->etag == landed.etag);
}

TEST_CASE("a retry that finds its own older unrecorded upload replaces it") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "a.txt", "v1");
  put_as_upload(f, "a.txt", "v1", kClient, file.ino, 1);  // gen 1 landed, unrecorded
  f.rewrite(file.ino, "version two");                     // gen 2 journaled meanwhile
  WorkerPool pool(*f.index, *f.content, *f.store, options_with_client(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.index->list_conflicts(false).value().empty());
  CHECK(f.body("a.txt") == "version two");
  CHECK_FALSE(f.inode(file.ino).dirty());
}

TEST_CASE("an object another cache or inode wrote is still a conflict") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "a.txt", "mine");
  SECTION("another client") {
    put_as_upload(f, "a.txt", "theirs", "ffffffffffffffffffffffffffffffff", file.ino, 1);
  }
  SECTION("another inode of this client") {
    put_as_upload(f, "a.txt", "theirs", kClient, file.ino + 100, 1);
  }
  WorkerPool pool(*f.index, *f.content, *f.store, options_with_client(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("a.txt") == "theirs");
  CHECK(f.index->list_conflicts(false).value().size() == 1);
}

}  // namespace
}  // namespace autosync::syncd

namespace autosync::syncd {
namespace {

TEST_CASE("an upload reads past the cache file's end as zeros (a file grown by truncate)") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "grown.bin", "abc");
  // Grown to 8 bytes before the first upload: the cache file still holds 3.
  REQUIRE(f.index->set_attrs(file.ino, testing::attr_changes({}, {}, 8, {})).is_ok());
  WorkerPool pool(*f.index, *f.content, *f.store, options_with_client(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.body("grown.bin") == std::string("abc\0\0\0\0\0", 8));
  CHECK(f.index->pending_stats()->failed == 0);
}

}  // namespace
}  // namespace autosync::syncd

namespace autosync::syncd {
namespace {

TEST_CASE("a metadata change meeting this cache's own unrecorded write is applied to it") {
  SyncFixture f;
  const auto file = f.add_file(index::kRootIno, "m.txt", "same bytes");
  WorkerPool pool(*f.index, *f.content, *f.store, options_with_client(), "test");
  REQUIRE(pool.start().is_ok());
  REQUIRE(pool.drain(kDrain).is_ok());
  // An earlier metadata copy of ours reached the store; a crash kept the index from knowing.
  put_as_upload(f, "m.txt", "same bytes", kClient, file.ino, 2);
  REQUIRE(f.index->set_attrs(file.ino, testing::attr_changes(0600, {}, {}, {})).is_ok());
  f.journal(index::JournalOp::kSetMeta, file.ino, "m.txt");
  REQUIRE(pool.drain(kDrain).is_ok());
  CHECK(f.index->pending_stats()->failed == 0);
  CHECK(f.index->list_conflicts(false).value().empty());
  CHECK(f.head("m.txt").metadata.at("mode") == std::to_string(S_IFREG | 0600));
}

}  // namespace
}  // namespace autosync::syncd
