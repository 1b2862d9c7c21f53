// The index reports autosyncctl shows (journal rows, pending work under a path, cache
// counts) and mount-relative paths resolved through the index.
#include <catch2/catch.hpp>

#include "syncd/control_paths.h"
#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

namespace {

JournalEntry upload(Ino ino, std::string key) {
  JournalEntry e;
  e.op = JournalOp::kUpload;
  e.ino = ino;
  e.gen = 1;
  e.key = std::move(key);
  return e;
}

}  // namespace

TEST_CASE("journal rows come oldest first, every state, up to the limit", "[ctl]") {
  IndexFixture f;
  const auto a = f.mkfile(kRootIno, "a", 10);
  const auto b = f.mkfile(kRootIno, "b", 20);
  const auto s1 = f.index->enqueue(upload(a.ino, "a")).value();
  const auto s2 = f.index->enqueue(upload(b.ino, "b")).value();
  REQUIRE(f.index->fail(s2, "access denied").is_ok());
  auto txn = f.index->read().value();
  const auto rows = txn.journal_rows(10).value();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].seq == s1);
  CHECK(rows[1].state == JournalState::kFailed);
  CHECK(rows[1].last_error == "access denied");
  CHECK(txn.journal_rows(1).value().size() == 1);
}

TEST_CASE("pending stats under a path count its rows and its subtree's only", "[ctl]") {
  IndexFixture f;
  const auto dir = f.mkdir(kRootIno, "d");
  const auto x = f.mkfile(dir.ino, "x", 100);
  const auto other = f.mkfile(kRootIno, "dx", 7);  // shares the prefix "d", not the dir
  REQUIRE(f.index->enqueue(upload(x.ino, "d/x")).is_ok());
  REQUIRE(f.index->enqueue(upload(other.ino, "dx")).is_ok());
  auto txn = f.index->read().value();
  CHECK(txn.pending_stats_under("d").value().count == 1);
  CHECK(txn.pending_stats_under("d").value().bytes == 100);
  CHECK(txn.pending_stats_under("d/x").value().count == 1);
  CHECK(txn.pending_stats_under("dx").value().count == 1);
  CHECK(txn.pending_stats_under("d/y").value().count == 0);
  CHECK(txn.pending_stats_under("").value().count == 2);
}

TEST_CASE("a move's source counts under the path it leaves", "[ctl]") {
  IndexFixture f;
  const auto x = f.mkfile(kRootIno, "new", 5);
  JournalEntry move = upload(x.ino, "new");
  move.op = JournalOp::kMove;
  move.src_key = "old/x";
  REQUIRE(f.index->enqueue(move).is_ok());
  auto txn = f.index->read().value();
  CHECK(txn.pending_stats_under("old").value().count == 1);
  CHECK(txn.pending_stats_under("new").value().count == 1);
}

TEST_CASE("cache counts - files, dirty, pinned, cached bytes and the last error", "[ctl]") {
  IndexFixture f;
  const auto a = f.mkfile(kRootIno, "a", 10);
  const auto b = f.mkfile(kRootIno, "b", 10);
  f.mkdir(kRootIno, "d");
  REQUIRE(f.index->add_range(a.ino, 0, 10).is_ok());
  AttrChanges pin;
  pin.pinned = true;
  REQUIRE(f.index->set_attrs(b.ino, pin).is_ok());
  REQUIRE(f.index->bump_local_gen(a.ino).is_ok());
  const auto seq = f.index->enqueue(upload(a.ino, "a")).value();
  REQUIRE(f.index->retry_later(seq, "connection refused", 0).is_ok());
  auto counts = f.index->read().value().cache_counts().value();
  CHECK(counts.files == 2);
  CHECK(counts.pinned == 1);
  CHECK(counts.dirty >= 1);
  CHECK(counts.cached_bytes == 10);
  CHECK(counts.last_error == "connection refused");
}

TEST_CASE("mount-relative paths resolve through the index, and trees walk in order", "[ctl]") {
  IndexFixture f;
  const auto d = f.mkdir(kRootIno, "d");
  const auto e = f.mkdir(d.ino, "e");
  f.mkfile(e.ino, "z");
  f.mkfile(d.ino, "a");
  CHECK(syncd::resolve_path(*f.index, "").value().ino == kRootIno);
  CHECK(syncd::resolve_path(*f.index, "d/e").value().ino == e.ino);
  CHECK(syncd::resolve_path(*f.index, "d//e/").value().ino == e.ino);
  const auto missing = syncd::resolve_path(*f.index, "d/nope");
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().is(ErrorKind::kNotFound));
  CHECK_FALSE(syncd::resolve_path(*f.index, "d/a/b").is_ok());

  std::vector<std::string> seen;
  REQUIRE(syncd::walk_tree(*f.index, "d", [&](const std::string& path, const InodeRecord&) {
            seen.push_back(path);
            return Status();
          }).is_ok());
  CHECK(seen == std::vector<std::string>{"d", "d/a", "d/e", "d/e/z"});
}
