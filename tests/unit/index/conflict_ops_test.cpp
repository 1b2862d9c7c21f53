// The conflicts and versions tables (schema v4) and the index changes a conflict's
// resolution makes: reset to the remote version, rows retargeted or dropped, dir_at.
#include <catch2/catch.hpp>

#include "tests/unit/index/index_test_util.h"

namespace autosync::index {
namespace {

using testing::file_spec;
using testing::IndexFixture;

ConflictRecord sample(std::string path, bool resolved) {
  ConflictRecord r;
  r.path = std::move(path);
  r.copy_path = "r.conflict-20261122-043000-laptop.txt";
  r.kind = ConflictKind::kBothChanged;
  r.local = {"\"l\"", 7, 100, "laptop"};
  r.remote = {"\"r\"", 13, 200, "desktop"};
  r.policy = "keep-both";
  r.resolution = "kept both";
  r.time_ns = 12345;
  r.resolved = resolved;
  return r;
}

JournalEntry row(JournalOp op, Ino ino, std::string key, std::string src = "") {
  JournalEntry e;
  e.op = op;
  e.ino = ino;
  e.key = std::move(key);
  e.src_key = std::move(src);
  e.gen = 1;
  return e;
}

TEST_CASE("conflicts are recorded, listed in order, and marked resolved") {
  IndexFixture f;
  const auto first = f.index->add_conflict(sample("r.txt", false));
  const auto second = f.index->add_conflict(sample("s.txt", true));
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  CHECK(*second > *first);

  auto all = f.index->list_conflicts(false);
  REQUIRE(all.is_ok());
  REQUIRE(all->size() == 2);
  ConflictRecord expected = sample("r.txt", false);
  expected.id = *first;
  CHECK((*all)[0] == expected);
  CHECK((*all)[1].path == "s.txt");

  CHECK(f.index->list_conflicts(true)->size() == 1);
  CHECK(f.index->list_conflicts(false, *first)->size() == 1);
  CHECK(f.index->list_conflicts(false, 0, 1)->size() == 1);
  REQUIRE(f.index->set_conflict_resolved(*first, true).is_ok());
  CHECK(f.index->list_conflicts(true)->empty());
  CHECK(f.index->set_conflict_resolved(999, true).is(ErrorKind::kNotFound));

  f.reopen();  // survives a reopen
  CHECK(f.index->list_conflicts(false)->size() == 2);
}

TEST_CASE("versions are recorded once per path and etag, uploads marked") {
  IndexFixture f;
  {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    VersionRecord seen{.path = "a.txt",
                       .ino = 0,
                       .etag = "\"1\"",
                       .version_id = "",
                       .size = 3,
                       .mtime_ns = 10,
                       .host = "",
                       .uploaded = false,
                       .seen_ns = 0};
    REQUIRE(txn->add_version(seen).is_ok());
    VersionRecord again = seen;
    again.uploaded = true;
    again.host = "laptop";
    again.version_id = "v1";
    REQUIRE(txn->add_version(again).is_ok());
    VersionRecord other = seen;
    other.etag = "\"2\"";
    REQUIRE(txn->add_version(other).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  auto versions = f.index->list_versions("a.txt");
  REQUIRE(versions.is_ok());
  REQUIRE(versions->size() == 2);
  CHECK((*versions)[0].uploaded);
  CHECK((*versions)[0].host == "laptop");
  CHECK((*versions)[0].version_id == "v1");
  CHECK((*versions)[0].seen_ns == f.clock.now());
  CHECK((*versions)[1].etag == "\"2\"");
  CHECK(f.index->list_versions("b.txt")->empty());
}

TEST_CASE("a path keeps only its newest versions") {
  IndexFixture f;
  auto txn = f.index->write();
  REQUIRE(txn.is_ok());
  for (int i = 0; i < 70; ++i) {
    VersionRecord v;
    v.path = "busy.txt";
    v.etag = std::to_string(i);
    REQUIRE(txn->add_version(v).is_ok());
  }
  REQUIRE(txn->commit().is_ok());
  auto versions = f.index->list_versions("busy.txt");
  REQUIRE(versions.is_ok());
  REQUIRE(versions->size() == 64);
  CHECK(versions->front().etag == "6");
  CHECK(versions->back().etag == "69");
}

TEST_CASE("reset_to_remote makes a dirty file the remote version, clean and uncached") {
  IndexFixture f;
  const auto file = f.mkfile(kRootIno, "f.txt", 5);
  REQUIRE(f.index->add_range(file.ino, 0, 5).is_ok());
  REQUIRE(f.index->bump_local_gen(file.ino).is_ok());
  NewInode theirs = file_spec(42);
  theirs.mode = S_IFREG | 0600;
  theirs.uid = 7;
  theirs.mtime_ns = 777;
  theirs.remote =
      RemoteVersion{.key = "f.txt", .etag = "\"t\"", .version = "", .size = 42, .mtime_ns = 777};
  auto txn = f.index->write();
  REQUIRE(txn.is_ok());
  auto reset = txn->reset_to_remote(file.ino, theirs);
  REQUIRE(reset.is_ok());
  REQUIRE(txn->commit().is_ok());
  CHECK_FALSE(reset->dirty());
  CHECK(reset->size == 42);
  CHECK(reset->mode == (S_IFREG | 0600));
  CHECK(reset->uid == 7);
  CHECK(reset->mtime_ns == 777);
  CHECK(reset->cached_bytes == 0);
  CHECK(reset->remote == theirs.remote);
  CHECK(f.index->load_ranges(file.ino)->empty());

  const auto dir = f.mkdir(kRootIno, "d");
  auto again = f.index->write();
  REQUIRE(again.is_ok());
  CHECK(again->reset_to_remote(dir.ino, theirs).status().is(ErrorKind::kInvalid));
}

TEST_CASE("a conflict copy's rows follow it, and lost changes' rows are dropped") {
  IndexFixture f;
  const auto file = f.mkfile(kRootIno, "c.txt");
  const int64_t running = *f.index->enqueue(row(JournalOp::kUpload, file.ino, "c.txt"));
  REQUIRE(f.index->claim("w", f.clock.now(), 1).value().size() == 1);
  const int64_t upload = *f.index->enqueue(row(JournalOp::kUpload, file.ino, "c.txt"));
  const int64_t move = *f.index->enqueue(row(JournalOp::kMove, file.ino, "d.txt", "c.txt"));
  const int64_t other = *f.index->enqueue(row(JournalOp::kUpload, file.ino + 1, "c.txt"));
  {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    REQUIRE(txn->retarget_rows(file.ino, "c.txt", "c.copy.txt", running).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  CHECK(f.index->journal_entry(running)->key == "c.txt");  // the running row itself stays
  CHECK(f.index->journal_entry(upload)->key == "c.copy.txt");
  CHECK(f.index->journal_entry(move)->src_key == "c.copy.txt");
  CHECK(f.index->journal_entry(move)->key == "d.txt");
  CHECK(f.index->journal_entry(other)->key == "c.txt");  // another inode's

  auto txn = f.index->write();
  REQUIRE(txn.is_ok());
  CHECK(txn->drop_pending_changes(file.ino, running).value() == 1);  // the upload, not the move
  REQUIRE(txn->commit().is_ok());
  CHECK(f.index->journal_entry(upload).status().is(ErrorKind::kNotFound));
  CHECK(f.index->journal_entry(move).is_ok());
}

TEST_CASE("dir_at walks a key-shaped directory path from the root") {
  IndexFixture f;
  const auto a = f.mkdir(kRootIno, "a");
  const auto b = f.mkdir(a.ino, "b");
  f.mkfile(a.ino, "file");
  auto txn = f.index->read();
  REQUIRE(txn.is_ok());
  CHECK(txn->dir_at("").value() == std::optional<Ino>(kRootIno));
  CHECK(txn->dir_at("a/b/").value() == std::optional<Ino>(b.ino));
  CHECK(txn->dir_at("a/b").value() == std::optional<Ino>(b.ino));
  CHECK_FALSE(txn->dir_at("a/missing/").value().has_value());
  CHECK_FALSE(txn->dir_at("a/file/").value().has_value());  // not a directory
}

}  // namespace
}  // namespace autosync::index
