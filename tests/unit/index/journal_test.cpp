// The journal: enqueue and coalescing, claim order and exclusivity (threads and a second
// process), retries, failures, stale claims, stats, and batches that commit or roll back
// a metadata change together with its journal row.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

namespace {

JournalEntry upload(Ino ino, uint64_t gen, std::string key = "k") {
  JournalEntry e;
  e.op = JournalOp::kUpload;
  e.ino = ino;
  e.gen = gen;
  e.key = std::move(key);
  return e;
}

JournalEntry move(Ino ino, std::string from, std::string to) {
  JournalEntry e;
  e.op = JournalOp::kMove;
  e.ino = ino;
  e.src_key = std::move(from);
  e.key = std::move(to);
  return e;
}

JournalEntry row(JournalOp op, Ino ino, uint64_t gen, std::string key) {
  JournalEntry e = upload(ino, gen, std::move(key));
  e.op = op;
  return e;
}

std::vector<int64_t> seqs(const std::vector<JournalEntry>& entries) {
  std::vector<int64_t> out;
  for (const auto& e : entries)
    out.push_back(e.seq);
  return out;
}

// Claims and finishes rows until none are left; returns the seqs this worker did.
Result<std::vector<int64_t>> drain(Index& index, const std::string& worker) {
  std::vector<int64_t> done;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(auto batch, index.claim(worker, 1, 3));
    if (batch.empty()) return done;
    for (const auto& e : batch) {
      if (e.claimed_by != worker) return internal("claimed for someone else");
      AUTOSYNC_RETURN_IF_ERROR(index.finish(e.seq));
      done.push_back(e.seq);
    }
  }
}

constexpr int kRows = 600;

void enqueue_rows(Index& index) {
  auto txn = index.write();
  REQUIRE(txn.is_ok());
  for (int i = 0; i < kRows; ++i)
    REQUIRE(txn->enqueue(upload(1000 + i, 1)).is_ok());
  REQUIRE(txn->commit().is_ok());
}

}  // namespace

TEST_CASE("enqueue stores a row that journal_entry reads back", "[index]") {
  IndexFixture f;
  JournalEntry e = move(42, "old/a", "new/a");
  e.gen = 3;
  e.base_etag = "\"etag\"";
  e.not_before_ns = 5;
  auto seq = f.index->enqueue(e, Index::Durability::kSynced);
  REQUIRE(seq.is_ok());
  auto row = f.index->journal_entry(*seq);
  REQUIRE(row.is_ok());
  CHECK(row->op == JournalOp::kMove);
  CHECK(row->ino == 42);
  CHECK(row->src_key == "old/a");
  CHECK(row->key == "new/a");
  CHECK(row->gen == 3);
  CHECK(row->base_etag == "\"etag\"");
  CHECK(row->state == JournalState::kPending);
  CHECK(row->attempts == 0);
  CHECK(row->not_before_ns == 5);
  CHECK(row->created_ns == f.clock.now());
  CHECK(f.index->journal_entry(*seq + 1).status().kind() == ErrorKind::kNotFound);
  CHECK(f.index->enqueue(move(1, "", "x")).status().kind() == ErrorKind::kInvalid);
  CHECK(f.index->enqueue(upload(1, 1, "")).status().kind() == ErrorKind::kInvalid);
}

TEST_CASE("a burst of uploads for one inode coalesces into one pending row", "[index]") {
  IndexFixture f;
  const int64_t first = *f.index->enqueue(upload(7, 1, "a"));
  CHECK(*f.index->enqueue(upload(7, 2, "a")) == first);
  CHECK(*f.index->enqueue(upload(7, 3, "b")) == first);
  CHECK(f.index->journal_entry(first)->gen == 3);
  CHECK(f.index->journal_entry(first)->key == "b");
  // A file on the store (a base etag) uploads at its old key first: a directory move between
  // the two may be waiting for that key.
  JournalEntry stored = upload(9, 1, "d/x");
  stored.base_etag = "e1";
  const int64_t at_old = *f.index->enqueue(stored);
  stored.gen = 2;
  CHECK(*f.index->enqueue(stored) == at_old);
  stored.key = "e/x";
  CHECK(*f.index->enqueue(stored) != at_old);
  CHECK(f.index->journal_entry(at_old)->key == "d/x");
  CHECK(f.index->pending_stats()->count == 3);
  const int64_t other = *f.index->enqueue(upload(8, 1));
  CHECK(other != first);

  // Once a worker holds the row, a new upload is a new row (the worker has gen 3 only).
  REQUIRE(f.index->claim("w", 1, 1)->size() == 1);
  const int64_t after_claim = *f.index->enqueue(upload(7, 4));
  CHECK(after_claim != first);
  // A move after an upload keeps the order: the next upload does not join the earlier one.
  const int64_t moved = *f.index->enqueue(move(8, "k", "k2"));
  const int64_t after_move = *f.index->enqueue(upload(8, 2, "k2"));
  CHECK(after_move > moved);
  CHECK(f.index->journal_entry(other)->gen == 1);
}

TEST_CASE("a pending marker, setmeta or upload absorbs the inode's next metadata change",
          "[index]") {
  IndexFixture f;
  // A directory: mkdir then chown, chmod, utimens make one marker at the newest generation.
  const int64_t marker = *f.index->enqueue(row(JournalOp::kMkdirMarker, 5, 1, "d"));
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 5, 2, "d")) == marker);
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 5, 4, "d")) == marker);
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 5, 3, "d")) == marker);  // gen never drops
  CHECK(f.index->journal_entry(marker)->op == JournalOp::kMkdirMarker);
  CHECK(f.index->journal_entry(marker)->gen == 4);

  // A file: setmeta rows merge; an upload takes them over (it carries the metadata).
  const int64_t meta = *f.index->enqueue(row(JournalOp::kSetMeta, 6, 1, "f"));
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 6, 2, "f")) == meta);
  CHECK(f.index->journal_entry(meta)->op == JournalOp::kSetMeta);
  CHECK(*f.index->enqueue(row(JournalOp::kUpload, 6, 3, "f")) == meta);
  CHECK(f.index->journal_entry(meta)->op == JournalOp::kUpload);
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 6, 4, "f")) == meta);
  CHECK(f.index->journal_entry(meta)->op == JournalOp::kUpload);
  CHECK(f.index->journal_entry(meta)->gen == 4);
  CHECK(f.index->pending_stats()->count == 2);

  // A metadata row at another key (the inode moved meanwhile) is a row of its own.
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 6, 5, "elsewhere")) != meta);
  // Nothing merges into a delete, a move or a removed marker, nor after one.
  const int64_t rmdir = *f.index->enqueue(row(JournalOp::kRmdirMarker, 5, 5, "d"));
  const int64_t again = *f.index->enqueue(row(JournalOp::kMkdirMarker, 5, 6, "d"));
  CHECK(rmdir != marker);
  CHECK(again > rmdir);
  CHECK(f.index->journal_entry(marker)->gen == 4);
  const int64_t removed = *f.index->enqueue(row(JournalOp::kDelete, 7, 1, "g"));
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 7, 2, "g")) != removed);

  // A row a worker holds is never changed: the next change is a new row.
  const int64_t held = *f.index->enqueue(row(JournalOp::kMkdirMarker, 8, 1, "h"));
  REQUIRE(f.index->claim("w", f.clock.now(), 10)->size() >= 1);
  REQUIRE(f.index->journal_entry(held)->state == JournalState::kRunning);
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 8, 2, "h")) != held);
  CHECK(f.index->journal_entry(held)->gen == 1);
}

TEST_CASE("a metadata row waits out the quiet time after it was journaled, uploads never do",
          "[index]") {
  IndexFixture f;
  constexpr int64_t kQuiet = 1'000'000'000;
  const int64_t marker = *f.index->enqueue(row(JournalOp::kMkdirMarker, 1, 1, "d"));
  const int64_t meta = *f.index->enqueue(row(JournalOp::kSetMeta, 2, 1, "m"));
  const int64_t file = *f.index->enqueue(row(JournalOp::kUpload, 3, 1, "f"));
  const int64_t gone = *f.index->enqueue(row(JournalOp::kRmdirMarker, 4, 1, "r"));

  f.clock.advance(kQuiet - 1);
  CHECK(seqs(*f.index->claim("w", f.clock.now(), 10, kQuiet)) == std::vector<int64_t>{file, gone});
  // A change within the quiet time joins the waiting row instead of making a request.
  CHECK(*f.index->enqueue(row(JournalOp::kSetMeta, 1, 2, "d")) == marker);
  // A setmeta that becomes an upload no longer waits.
  CHECK(*f.index->enqueue(row(JournalOp::kUpload, 2, 2, "m")) == meta);
  CHECK(seqs(*f.index->claim("w", f.clock.now(), 10, kQuiet)) == std::vector<int64_t>{meta});

  f.clock.advance(1);
  const auto ready = f.index->claim("w", f.clock.now(), 10, kQuiet);
  CHECK(seqs(*ready) == std::vector<int64_t>{marker});
  CHECK(ready->front().gen == 2);
  // Without a quiet time nothing waits.
  const int64_t fresh = *f.index->enqueue(row(JournalOp::kSetMeta, 9, 1, "n"));
  CHECK(seqs(*f.index->claim("w", f.clock.now(), 10)) == std::vector<int64_t>{fresh});
}

TEST_CASE("claim takes ready rows oldest first, one operation per inode at a time", "[index]") {
  IndexFixture f;
  const int64_t a1 = *f.index->enqueue(upload(1, 1));
  const int64_t a2 = *f.index->enqueue(move(1, "k", "k2"));
  const int64_t b1 = *f.index->enqueue(upload(2, 1, "kb"));  // a running row holds its key
  JournalEntry later = upload(3, 1);
  later.not_before_ns = 500;
  const int64_t c1 = *f.index->enqueue(later);

  auto got = f.index->claim("w1", 100, 10);
  REQUIRE(got.is_ok());
  CHECK(seqs(*got) == std::vector<int64_t>{a1, b1});  // a2 waits for a1; c1 for time 500
  CHECK(got->front().state == JournalState::kRunning);
  CHECK(got->front().claimed_by == "w1");
  CHECK(got->front().claimed_at_ns == 100);
  CHECK(f.index->claim("w2", 100, 10)->empty());

  REQUIRE(f.index->finish(a1).is_ok());
  CHECK(seqs(*f.index->claim("w2", 600, 10)) == std::vector<int64_t>{a2, c1});
  CHECK(f.index->finish(a1).kind() == ErrorKind::kNotFound);
}

TEST_CASE("retry_later, fail and requeue_stale", "[index]") {
  IndexFixture f;
  const int64_t a = *f.index->enqueue(upload(1, 1));
  const int64_t b = *f.index->enqueue(upload(2, 1, "kb"));
  REQUIRE(f.index->claim("w", 10, 10)->size() == 2);

  REQUIRE(f.index->retry_later(a, "503 SlowDown", 1000).is_ok());
  auto row = *f.index->journal_entry(a);
  CHECK(row.state == JournalState::kPending);
  CHECK(row.attempts == 1);
  CHECK(row.last_error == "503 SlowDown");
  CHECK(row.claimed_by.empty());
  CHECK(f.index->claim("w", 999, 10)->empty());  // not before 1000
  CHECK(seqs(*f.index->claim("w", 1000, 10)) == std::vector<int64_t>{a});

  REQUIRE(f.index->fail(b, "403 AccessDenied").is_ok());
  CHECK(f.index->journal_entry(b)->state == JournalState::kFailed);
  CHECK(f.index->pending_stats()->failed == 1);
  CHECK(f.index->fail(999, "x").kind() == ErrorKind::kNotFound);
  CHECK(f.index->retry_later(999, "x", 0).kind() == ErrorKind::kNotFound);

  // `a` was claimed at 1000 by a worker that then died.
  CHECK(*f.index->requeue_stale(1000) == 0);  // not older than 1000
  CHECK(*f.index->requeue_stale(1001) == 1);
  CHECK(f.index->journal_entry(a)->state == JournalState::kPending);
  CHECK(f.index->journal_entry(b)->state == JournalState::kFailed);  // failed stays failed
  CHECK(seqs(*f.index->claim("w2", 2000, 10)) == std::vector<int64_t>{a});
}

TEST_CASE("pending_stats counts work to do and the bytes to upload", "[index]") {
  IndexFixture f;
  auto big = f.mkfile(kRootIno, "big", 1000);
  auto small = f.mkfile(kRootIno, "small", 10);
  CHECK(f.index->pending_stats()->count == 0);
  REQUIRE(f.index->enqueue(upload(big.ino, 1)).is_ok());
  REQUIRE(f.index->enqueue(upload(small.ino, 1)).is_ok());
  JournalEntry del;
  del.op = JournalOp::kDelete;
  del.ino = 999;
  del.key = "gone";
  REQUIRE(f.index->enqueue(del).is_ok());
  auto stats = f.index->pending_stats();
  CHECK(stats->count == 3);
  CHECK(stats->bytes == 1010);
  CHECK(stats->failed == 0);
  REQUIRE(f.index->claim("w", f.clock.now(), 1)->size() == 1);  // running still counts
  CHECK(f.index->pending_stats()->count == 3);
}

TEST_CASE("a batch commits the metadata change and its journal row together", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 5);
  {
    auto txn = f.index->write(Index::Durability::kSynced);
    REQUIRE(txn.is_ok());
    auto gen = txn->bump_local_gen(file.ino);
    REQUIRE(gen.is_ok());
    REQUIRE(txn->enqueue(upload(file.ino, *gen, "a")).is_ok());
    REQUIRE(txn->commit().is_ok());
  }
  CHECK(f.index->get(file.ino)->local_gen == 1);
  CHECK(f.index->pending_stats()->count == 1);
}

TEST_CASE("a batch with a failed step leaves neither the change nor the journal row", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 5);
  auto step = [&]() -> Status {
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, f.index->write());
    AUTOSYNC_ASSIGN_OR_RETURN(auto gen, txn.bump_local_gen(file.ino));
    AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(upload(file.ino, gen, "a")).status());
    AUTOSYNC_RETURN_IF_ERROR(txn.create(kRootIno, "a", file_spec()).status());  // fails
    return txn.commit();
  };
  CHECK(step().kind() == ErrorKind::kAlreadyExists);
  CHECK(f.index->get(file.ino)->local_gen == 0);
  CHECK(f.index->pending_stats()->count == 0);
}

TEST_CASE("a process that dies mid-batch leaves nothing behind", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 5);
  const std::filesystem::path path = f.file;
  const IndexOptions opts = f.options();
  std::string out = run_in_child(
      [&]() -> std::string {
        auto index = Index::open(path, opts);
        if (!index.is_ok()) return index.status().to_string();
        auto txn = (*index)->write();
        if (!txn.is_ok()) return txn.status().to_string();
        auto gen = txn->bump_local_gen(file.ino);
        if (!gen.is_ok() || !txn->enqueue(upload(file.ino, *gen)).is_ok()) return "step failed";
        ::_exit(0);  // dies holding the open transaction
      },
      {});
  CHECK(out.empty());
  f.reopen();
  CHECK(f.index->get(file.ino)->local_gen == 0);
  CHECK(f.index->pending_stats()->count == 0);
  CHECK(f.index->bump_local_gen(file.ino).is_ok());  // and the lock was released
}

TEST_CASE("threads never claim the same journal row", "[index]") {
  IndexFixture f;
  enqueue_rows(*f.index);
  std::vector<std::vector<int64_t>> done(4);
  std::vector<Status> errors(4);
  std::vector<std::thread> workers;
  for (size_t w = 0; w < done.size(); ++w) {
    workers.emplace_back([&, w] {
      auto got = drain(*f.index, "thread-" + std::to_string(w));
      if (got.is_ok()) {
        done[w] = std::move(got).value();
      } else {
        errors[w] = got.status();
      }
    });
  }
  for (auto& t : workers)
    t.join();
  std::set<int64_t> all;
  size_t total = 0;
  for (size_t w = 0; w < done.size(); ++w) {
    INFO(errors[w].to_string());
    CHECK(errors[w].is_ok());
    total += done[w].size();
    all.insert(done[w].begin(), done[w].end());
  }
  CHECK(total == kRows);
  CHECK(all.size() == kRows);
}

TEST_CASE("two processes never claim the same journal row", "[index]") {
  IndexFixture f;
  enqueue_rows(*f.index);
  const std::filesystem::path path = f.file;
  const IndexOptions opts = f.options();
  std::vector<int64_t> parent_done;
  Status parent_error;
  const std::string child_out = run_in_child(
      [&]() -> std::string {
        auto index = Index::open(path, opts);
        if (!index.is_ok()) return "error " + index.status().to_string();
        auto got = drain(**index, "child");
        if (!got.is_ok()) return "error " + got.status().to_string();
        std::string out;
        for (int64_t seq : *got)
          out += std::to_string(seq) + " ";
        return out;
      },
      [&] {
        auto got = drain(*f.index, "parent");
        if (got.is_ok()) {
          parent_done = std::move(got).value();
        } else {
          parent_error = got.status();
        }
      });
  INFO(child_out);
  INFO(parent_error.to_string());
  REQUIRE(parent_error.is_ok());
  REQUIRE(child_out.rfind("error", 0) == std::string::npos);
  REQUIRE(child_out.rfind("exit", 0) == std::string::npos);
  std::vector<int64_t> child_done;
  std::istringstream in(child_out);
  for (int64_t seq; in >> seq;)
    child_done.push_back(seq);
  std::set<int64_t> all(parent_done.begin(), parent_done.end());
  all.insert(child_done.begin(), child_done.end());
  CHECK(parent_done.size() + child_done.size() == kRows);
  CHECK(all.size() == kRows);
  CHECK(f.index->pending_stats()->count == 0);
}
