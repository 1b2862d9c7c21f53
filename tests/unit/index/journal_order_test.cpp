// The journal's ordering around moves: rows on keys under a directory move's old or new
// prefix run in journal order with it, and a finished move hands its new keys to the later
// rows that named the moved objects by their old keys (rekey_after_move).
#include <catch2/catch.hpp>

#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

namespace {

JournalEntry row(JournalOp op, Ino ino, std::string key, std::string src_key = "") {
  JournalEntry e;
  e.op = op;
  e.ino = ino;
  e.gen = 1;
  e.key = std::move(key);
  e.src_key = std::move(src_key);
  return e;
}

std::vector<int64_t> claim_all(IndexFixture& f) {
  auto claimed = f.index->claim("w", f.clock.now(), 100);
  REQUIRE(claimed.is_ok());
  const std::vector<JournalEntry> rows = std::move(claimed).value();
  std::vector<int64_t> out;
  for (const auto& e : rows)
    out.push_back(e.seq);
  return out;
}

void finish_all(IndexFixture& f, const std::vector<int64_t>& seqs) {
  for (const int64_t seq : seqs)
    REQUIRE(f.index->finish(seq).is_ok());
}

}  // namespace

TEST_CASE("rows under a directory move's prefixes run in journal order with it", "[index]") {
  IndexFixture f;
  const int64_t before = *f.index->enqueue(row(JournalOp::kUpload, 10, "d/x"));
  const int64_t unrelated = *f.index->enqueue(row(JournalOp::kUpload, 11, "dd/x"));
  const int64_t dir_move = *f.index->enqueue(row(JournalOp::kMove, 2, "e/", "d/"));
  const int64_t old_key = *f.index->enqueue(row(JournalOp::kSetMeta, 12, "d/y"));
  const int64_t new_key = *f.index->enqueue(row(JournalOp::kUpload, 13, "e/z"));
  const int64_t file_move = *f.index->enqueue(row(JournalOp::kMove, 14, "e/b", "d/a"));
  const int64_t subdir_move = *f.index->enqueue(row(JournalOp::kMove, 15, "f/", "e/sub/"));
  const int64_t marker = *f.index->enqueue(row(JournalOp::kMkdirMarker, 16, "e"));

  // The move waits for the upload journaled before it under "d/"; what came after waits
  // for the move; "dd/x" is not under "d/".
  CHECK(claim_all(f) == std::vector<int64_t>{before, unrelated});
  finish_all(f, {before, unrelated});
  CHECK(claim_all(f) == std::vector<int64_t>{dir_move});
  CHECK(claim_all(f).empty());
  finish_all(f, {dir_move});
  // Then all of them: none is under another pending directory move ("e/b" and "e/z" are
  // not under "e/sub/").
  CHECK(claim_all(f) == std::vector<int64_t>{old_key, new_key, file_move, subdir_move, marker});
}

TEST_CASE("a finished directory move rekeys the later rows that name its old keys", "[index]") {
  IndexFixture f;
  const auto dir = f.mkdir(kRootIno, "sub");  // a directory's setmeta names its path
  const int64_t earlier = *f.index->enqueue(row(JournalOp::kDelete, 20, "d/early"));
  JournalEntry move = row(JournalOp::kMove, 2, "e/", "d/");
  move.seq = *f.index->enqueue(move);
  const int64_t deleted = *f.index->enqueue(row(JournalOp::kDelete, 21, "d/x"));
  const int64_t chmodded = *f.index->enqueue(row(JournalOp::kSetMeta, 22, "d/y"));
  const int64_t dir_meta = *f.index->enqueue(row(JournalOp::kSetMeta, dir.ino, "d/sub"));
  const int64_t uploaded = *f.index->enqueue(row(JournalOp::kUpload, 23, "d/new"));
  const int64_t renamed = *f.index->enqueue(row(JournalOp::kMove, 24, "e/q2", "d/q"));
  const int64_t outside = *f.index->enqueue(row(JournalOp::kDelete, 25, "dd/x"));
  {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    REQUIRE(txn->rekey_after_move(move).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  CHECK(f.index->journal_entry(earlier)->key == "d/early");  // ran before the move
  CHECK(f.index->journal_entry(deleted)->key == "e/x");
  CHECK(f.index->journal_entry(chmodded)->key == "e/y");
  CHECK(f.index->journal_entry(dir_meta)->key == "d/sub");
  CHECK(f.index->journal_entry(uploaded)->key == "d/new");  // an upload names its path
  CHECK(f.index->journal_entry(renamed)->src_key == "e/q");
  CHECK(f.index->journal_entry(renamed)->key == "e/q2");
  CHECK(f.index->journal_entry(outside)->key == "dd/x");
}

TEST_CASE("a finished file move rekeys its inode's later rows at the old key", "[index]") {
  IndexFixture f;
  JournalEntry move = row(JournalOp::kMove, 5, "b", "a");
  move.seq = *f.index->enqueue(move);
  const int64_t chmodded = *f.index->enqueue(row(JournalOp::kSetMeta, 5, "a"));
  const int64_t moved_again = *f.index->enqueue(row(JournalOp::kMove, 5, "c", "a"));
  const int64_t deleted = *f.index->enqueue(row(JournalOp::kDelete, 5, "a"));
  const int64_t other = *f.index->enqueue(row(JournalOp::kDelete, 6, "a"));
  {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    REQUIRE(txn->rekey_after_move(move).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  CHECK(f.index->journal_entry(chmodded)->key == "b");
  CHECK(f.index->journal_entry(moved_again)->src_key == "b");
  CHECK(f.index->journal_entry(deleted)->key == "b");
  CHECK(f.index->journal_entry(other)->key == "a");  // another inode's object
}

TEST_CASE("no row starts while another inode's row on its key runs", "[index]") {
  IndexFixture f;
  const int64_t first = *f.index->enqueue(row(JournalOp::kUpload, 30, "f"));
  CHECK(claim_all(f) == std::vector<int64_t>{first});
  const int64_t replacing = *f.index->enqueue(row(JournalOp::kUpload, 31, "f"));
  const int64_t elsewhere = *f.index->enqueue(row(JournalOp::kUpload, 32, "g"));
  CHECK(claim_all(f) == std::vector<int64_t>{elsewhere});
  REQUIRE(f.index->finish(elsewhere).is_ok());
  REQUIRE(f.index->retry_later(first, "503", 0).is_ok());  // waiting is not running...
  CHECK(f.index->claim("w", f.clock.now(), 1)->front().seq == first);
  CHECK(claim_all(f).empty());  // ... running again is
  REQUIRE(f.index->finish(first).is_ok());
  CHECK(claim_all(f) == std::vector<int64_t>{replacing});
}
