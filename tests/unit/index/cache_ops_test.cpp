// The cache budget's queries (total cached bytes, dropping a clean file's cache) and the
// crash-recovery queries (dirty inodes without a journal row, keys being removed).
#include <catch2/catch.hpp>

#include "core/db/database.h"
#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

namespace {

JournalEntry row(JournalOp op, Ino ino, std::string key, uint64_t gen) {
  JournalEntry e;
  e.op = op;
  e.ino = ino;
  e.key = std::move(key);
  e.gen = gen;
  return e;
}

}  // namespace

TEST_CASE("cached_bytes_total sums what every inode holds", "[index]") {
  IndexFixture f;
  CHECK(*f.index->cached_bytes_total() == 0);
  auto a = f.mkfile(kRootIno, "a", 1000);
  auto b = f.mkfile(kRootIno, "b", 1000);
  REQUIRE(f.index->add_range(a.ino, 0, 100).is_ok());
  REQUIRE(f.index->add_range(b.ino, 500, 800).is_ok());
  CHECK(*f.index->cached_bytes_total() == 400);
  REQUIRE(f.index->clear_ranges(a.ino).is_ok());
  CHECK(*f.index->cached_bytes_total() == 300);
}

TEST_CASE("drop_clean_cache forgets a clean closed file's ranges and nothing else", "[index]") {
  IndexFixture f;
  auto make = [&](std::string_view name) {
    auto rec = f.mkfile(kRootIno, name, 1000);
    REQUIRE(f.index->add_range(rec.ino, 0, 100).is_ok());
    REQUIRE(f.index->add_range(rec.ino, 200, 250).is_ok());
    return rec;
  };
  auto clean = make("clean");
  auto dirty = make("dirty");
  REQUIRE(f.index->bump_local_gen(dirty.ino).is_ok());
  auto pinned = make("pinned");
  AttrChanges pin;
  pin.pinned = true;
  REQUIRE(f.index->set_attrs(pinned.ino, pin).is_ok());
  auto open = make("open");
  REQUIRE(f.index->add_open(open.ino).is_ok());

  CHECK(*f.index->drop_clean_cache(clean.ino) == 150);
  CHECK(f.index->get(clean.ino)->cached_bytes == 0);
  CHECK(f.index->load_ranges(clean.ino)->empty());
  CHECK(*f.index->drop_clean_cache(clean.ino) == 0);  // nothing left
  for (Ino kept : {dirty.ino, pinned.ino, open.ino}) {
    CHECK(*f.index->drop_clean_cache(kept) == 0);
    CHECK(f.index->get(kept)->cached_bytes == 150);
    CHECK(f.index->load_ranges(kept)->spans().size() == 2);
  }
  CHECK(*f.index->drop_clean_cache(kRootIno) == 0);  // not a file
  CHECK(*f.index->drop_clean_cache(999) == 0);
  CHECK(*f.index->cached_bytes_total() == 450);
}

TEST_CASE("unjournaled_dirty_inodes: dirty, linked, and no journal row covering local_gen",
          "[index]") {
  IndexFixture f;
  auto clean = f.mkfile(kRootIno, "clean");
  auto lost = f.mkfile(kRootIno, "lost");  // written, crashed before its release
  REQUIRE(f.index->bump_local_gen(lost.ino).is_ok());
  auto queued = f.mkfile(kRootIno, "queued");
  auto gen = f.index->bump_local_gen(queued.ino);
  REQUIRE(f.index->enqueue(row(JournalOp::kUpload, queued.ino, "queued", *gen)).is_ok());
  // Queued at gen 1, then written again (gen 2) and crashed: the row is behind.
  auto behind = f.mkfile(kRootIno, "behind");
  gen = f.index->bump_local_gen(behind.ino);
  REQUIRE(f.index->enqueue(row(JournalOp::kUpload, behind.ino, "behind", *gen)).is_ok());
  REQUIRE(f.index->claim("w", f.clock.now(), 10).is_ok());  // running: no coalescing
  REQUIRE(f.index->bump_local_gen(behind.ino).is_ok());
  auto failed = f.mkfile(kRootIno, "failed");  // a failed row is not work in flight
  gen = f.index->bump_local_gen(failed.ino);
  auto seq = f.index->enqueue(row(JournalOp::kUpload, failed.ino, "failed", *gen));
  REQUIRE(f.index->fail(*seq, "403").is_ok());
  auto gone = f.mkfile(kRootIno, "gone");  // unlinked: nothing to upload
  REQUIRE(f.index->bump_local_gen(gone.ino).is_ok());
  REQUIRE(f.index->unlink(kRootIno, "gone").is_ok());
  NewInode fifo;
  fifo.mode = S_IFIFO | 0644;
  auto special = f.index->create(kRootIno, "fifo", fifo);
  REQUIRE(f.index->bump_local_gen(special->ino).is_ok());

  auto found = f.index->unjournaled_dirty_inodes();
  REQUIRE(found.is_ok());
  CHECK(*found == std::vector<Ino>{lost.ino, behind.ino, failed.ino});
  (void)clean;
}

TEST_CASE("keys_being_removed: pending and running deletes, moves and rmdirs", "[index]") {
  IndexFixture f;
  auto a = f.mkfile(kRootIno, "a");
  REQUIRE(f.index->enqueue(row(JournalOp::kDelete, a.ino, "old/a", 1)).is_ok());
  auto move = row(JournalOp::kMove, a.ino, "new/b", 1);
  move.src_key = "old/b";
  REQUIRE(f.index->enqueue(move).is_ok());
  REQUIRE(f.index->enqueue(row(JournalOp::kRmdirMarker, a.ino, "old/dir", 1)).is_ok());
  REQUIRE(f.index->enqueue(row(JournalOp::kUpload, a.ino, "up", 1)).is_ok());
  REQUIRE(f.index->enqueue(row(JournalOp::kMkdirMarker, a.ino, "mk", 1)).is_ok());
  auto failed = f.index->enqueue(row(JournalOp::kDelete, 77, "failed", 1));
  REQUIRE(f.index->fail(*failed, "denied").is_ok());
  auto claimed = f.index->claim("w", f.clock.now(), 1);  // the first row is running
  REQUIRE(claimed->size() == 1);

  auto keys = f.index->keys_being_removed();
  REQUIRE(keys.is_ok());
  CHECK(*keys == std::vector<std::string>{"old/a", "old/b", "old/dir/"});
}

// A listing pass begun before a file's upload was recorded cannot say its key is gone.
TEST_CASE("a remote version recorded after a pass began counts as seen by it", "[index]") {
  IndexFixture f;
  auto dir = f.mkdir(kRootIno, "d");
  auto a = f.mkfile(dir.ino, "a");
  const int64_t epoch = f.clock.now();  // the pass begins and lists; "a" is not there yet
  f.clock.advance(1'000'000);
  auto unseen_names = [&] {
    auto txn = f.index->read();
    REQUIRE(txn.is_ok());
    auto unseen = txn->unseen_children(dir.ino, epoch, "", 10);
    REQUIRE(unseen.is_ok());
    std::vector<std::string> out;
    for (const auto& e : *unseen)
      out.push_back(e.name);
    return out;
  };
  auto seen_since = [&](Ino ino) {
    auto txn = f.index->read();
    REQUIRE(txn.is_ok());
    auto seen = txn->seen_since(ino, epoch);
    REQUIRE(seen.is_ok());
    return *seen;
  };
  CHECK(unseen_names() == std::vector<std::string>{"a"});
  CHECK_FALSE(seen_since(a.ino));
  const RemoteVersion uploaded{.key = "d/a", .etag = "e1", .version = "", .size = 0, .mtime_ns = 0};
  REQUIRE(f.index->mark_synced(a.ino, a.local_gen, uploaded).is_ok());
  CHECK(unseen_names().empty());
  CHECK(seen_since(a.ino));

  // Changes that leave the remote version as it was do not count.
  const int64_t later = f.clock.now() + 1;
  f.clock.advance(1'000'000);
  REQUIRE(f.index->add_open(a.ino).is_ok());
  auto txn = f.index->read();
  REQUIRE(txn.is_ok());
  CHECK_FALSE(*txn->seen_since(a.ino, later));
  CHECK(txn->seen_since(a.ino + 100, later).status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("unseen_children: the children a listing pass did not mark", "[index]") {
  IndexFixture f;
  auto dir = f.mkdir(kRootIno, "d");
  auto a = f.mkfile(dir.ino, "a");
  auto b = f.mkfile(dir.ino, "b");
  auto c = f.mkfile(dir.ino, "c");
  auto sub = f.mkdir(dir.ino, "sub");
  {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    REQUIRE(txn->mark_seen(a.ino, 7).is_ok());
    REQUIRE(txn->mark_seen(c.ino, 7).is_ok());
    REQUIRE(txn->mark_seen(c.ino + 100, 7).kind() == ErrorKind::kNotFound);
    REQUIRE(txn->commit().is_ok());
  }
  auto names = [&](std::string_view after, size_t limit) {
    auto txn = f.index->read();
    REQUIRE(txn.is_ok());
    auto unseen = txn->unseen_children(dir.ino, 7, after, limit);
    REQUIRE(unseen.is_ok());
    std::vector<std::string> out;
    for (const auto& e : *unseen)
      out.push_back(e.name);
    return out;
  };
  CHECK(names("", 10) == std::vector<std::string>{"b", "sub"});
  CHECK(names("", 1) == std::vector<std::string>{"b"});
  CHECK(names("b", 10) == std::vector<std::string>{"sub"});
  auto txn = f.index->read();
  CHECK(txn->unseen_children(a.ino, 7, "", 10).status().kind() == ErrorKind::kNotDirectory);
  (void)b;
  (void)sub;
}

TEST_CASE("an index made by schema v1 gains listed_epoch and keeps its rows", "[index]") {
  IndexFixture f;
  auto a = f.mkfile(kRootIno, "a", 10);
  f.index.reset();
  {  // back to what v1 wrote
    auto db = db::Database::open(f.file, {});
    REQUIRE(db.is_ok());
    REQUIRE(
        db->exec("ALTER TABLE inodes DROP COLUMN listed_epoch; PRAGMA user_version = 1").is_ok());
  }
  f.reopen();
  CHECK(f.index->get(a.ino)->size == 10);
  auto txn = f.index->write();
  REQUIRE(txn.is_ok());
  CHECK(txn->mark_seen(a.ino, 3).is_ok());
}

TEST_CASE("record_write caches the bytes and a hole it leaves, grows the size, bumps the gen",
          "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "w", 0);
  const uint64_t gen = file.local_gen;
  auto write = [&](uint64_t start, uint64_t end, int64_t now) {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    auto written = txn->record_write(file.ino, start, end, now);
    REQUIRE(written.is_ok());
    REQUIRE(txn->commit().is_ok());
    return *written;
  };
  auto first = write(0, 100, 5);
  CHECK(first.newly_cached == 100);
  CHECK(first.inode.size == 100);
  CHECK(first.inode.mtime_ns == 5);
  CHECK(first.inode.ctime_ns == 5);
  CHECK(first.inode.local_gen == gen + 1);
  auto past_end = write(200, 300, 6);  // the hole [100, 200) reads as zeros: cached too
  CHECK(past_end.newly_cached == 200);
  CHECK(past_end.inode.size == 300);
  CHECK(past_end.inode.cached_bytes == 300);
  auto inside = write(50, 150, 7);  // nothing new, the size stays
  CHECK(inside.newly_cached == 0);
  CHECK(inside.inode.size == 300);
  CHECK(inside.inode.local_gen == gen + 3);
  auto ranges = f.index->load_ranges(file.ino);
  REQUIRE(ranges.is_ok());
  CHECK(ranges->contains(0, 300));
  auto txn = f.index->write();
  REQUIRE(txn.is_ok());
  CHECK(txn->record_write(file.ino, 10, 10, 8).status().is(ErrorKind::kInvalid));
  CHECK(txn->record_write(kRootIno, 0, 10, 8).status().is(ErrorKind::kInvalid));
}
