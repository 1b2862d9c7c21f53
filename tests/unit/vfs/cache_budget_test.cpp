// The cache size limit, enforced as data is added: reads and writes over the limit evict
// clean files least recently used first; dirty, open and pinned files stay; a full disk
// (a content file that is /dev/full) gives kNoSpace without losing what was written.
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include "tests/unit/vfs/vfs_test_util.h"

namespace autosync::vfs {
namespace {

using testing::VfsFixture;

constexpr int64_t kSecond = 1'000'000'000;

// A clean file only the store has, read once (so cached), at the fixture's clock.
Ino cached_remote_file(VfsFixture& f, const std::string& name, size_t size) {
  f.put_remote(name, std::string(size, name[0]));
  f.expire_listings();
  const Ino ino = f.lookup_ino(kRootIno, name);
  REQUIRE(f.read_all(ino) == std::string(size, name[0]));
  REQUIRE(f.index->get(ino)->cached_bytes == size);
  f.now_ns += kSecond;
  return ino;
}

uint64_t cached(VfsFixture& f, Ino ino) {
  auto rec = f.index->get(ino);
  REQUIRE(rec.is_ok());
  return rec->cached_bytes;
}

// Holds an inode's lock on another thread (a mutex's own holder must not try_lock it).
class HeldElsewhere {
 public:
  HeldElsewhere(InodeLocks& locks, Ino ino)
      : thread_([this, &locks, ino] {
          auto guard = locks.lock(ino);
          locked_.set_value();
          release_.get_future().wait();
        }) {
    locked_.get_future().wait();
  }
  ~HeldElsewhere() {
    release_.set_value();
    thread_.join();
  }
  HeldElsewhere(const HeldElsewhere&) = delete;
  HeldElsewhere& operator=(const HeldElsewhere&) = delete;

 private:
  std::promise<void> locked_, release_;
  std::thread thread_;  // last: starts once the promises exist
};

void use_limit(VfsFixture& f, uint64_t limit) {
  f.options.cache_limit_bytes = limit;
  f.rebuild_vfs();
}

TEST_CASE("a fetch that would pass the cache limit evicts the least recently used file") {
  VfsFixture f;
  use_limit(f, 10'000);
  const Ino a = cached_remote_file(f, "a", 4000);
  const Ino b = cached_remote_file(f, "b", 4000);
  const Ino c = cached_remote_file(f, "c", 4000);  // 12,000 would not fit: a goes
  CHECK(cached(f, a) == 0);
  CHECK(!std::filesystem::exists(f.content->path_of(a)));
  CHECK(cached(f, b) == 4000);
  CHECK(cached(f, c) == 4000);
  CHECK(*f.index->cached_bytes_total() == 8000);

  // a is fetched again, and now b is the oldest.
  CHECK(f.read_all(a) == std::string(4000, 'a'));
  CHECK(cached(f, a) == 4000);
  CHECK(cached(f, b) == 0);
  CHECK(cached(f, c) == 4000);
}

TEST_CASE("without a limit nothing is evicted") {
  VfsFixture f;
  const Ino a = cached_remote_file(f, "a", 4000);
  const Ino b = cached_remote_file(f, "b", 4000);
  CHECK(cached(f, a) == 4000);
  CHECK(cached(f, b) == 4000);
}

TEST_CASE("dirty, open and pinned files are never evicted, and writes pass the limit") {
  VfsFixture f;
  use_limit(f, 10'000);
  const Ino dirty = f.make_file(kRootIno, "dirty", std::string(6000, 'd')).attr.ino;
  f.now_ns += kSecond;
  const Ino pinned = cached_remote_file(f, "p", 1000);
  index::AttrChanges pin;
  pin.pinned = true;
  REQUIRE(f.index->set_attrs(pinned, pin).is_ok());
  const Ino open = cached_remote_file(f, "o", 2000);
  auto handle = f.vfs->open(f.who, open, O_RDONLY);
  REQUIRE(handle.is_ok());

  // 9,000 cached, nothing evictable: a new file's 5,000 bytes still go in.
  const Ino fresh = f.make_file(kRootIno, "fresh", std::string(5000, 'f')).attr.ino;
  CHECK(cached(f, dirty) == 6000);
  CHECK(cached(f, pinned) == 1000);
  CHECK(cached(f, open) == 2000);
  CHECK(cached(f, fresh) == 5000);
  CHECK(f.read_all(dirty) == std::string(6000, 'd'));

  // Once uploaded (clean) and closed, they are fair game again, oldest first.
  auto rec = f.index->get(dirty);
  index::RemoteVersion uploaded;
  uploaded.key = "dirty";
  REQUIRE(f.index->mark_synced(dirty, rec->local_gen, uploaded).is_ok());
  REQUIRE(f.vfs->release(open, handle->handle).is_ok());
  f.now_ns += 2 * kSecond;  // past the pause after the fruitless pass
  f.make_file(kRootIno, "more", std::string(1000, 'm'));
  CHECK(cached(f, dirty) == 0);
  CHECK(cached(f, open) == 0);
  CHECK(cached(f, pinned) == 1000);
  CHECK(cached(f, fresh) == 5000);
  CHECK(*f.index->cached_bytes_total() == 7000);
}

TEST_CASE("a full disk gives the writer kNoSpace and loses nothing written before") {
  if (::access("/dev/full", W_OK) != 0) {
    WARN("skipped: no writable /dev/full to stand in for a full disk");
    return;
  }
  VfsFixture f;
  const Ino kept = f.make_file(kRootIno, "kept", "dirty data").attr.ino;
  const Ino clean = cached_remote_file(f, "clean", 3000);
  auto made = f.vfs->create(f.who, kRootIno, "full", 0644, O_WRONLY | O_CREAT);
  REQUIRE(made.is_ok());
  const Ino full = made->first.attr.ino;
  // The new file's content lands on a device that answers every write with ENOSPC.
  const auto path = f.content->path_of(full);
  std::filesystem::create_directories(path.parent_path());
  std::filesystem::create_symlink("/dev/full", path);

  auto wrote = f.vfs->write(full, made->second.handle, 0, std::string_view("xyz"));
  REQUIRE(!wrote.is_ok());
  CHECK(wrote.status().kind() == ErrorKind::kNoSpace);
  CHECK(f.vfs->getattr(full)->size == 0);  // nothing recorded for the failed write
  CHECK(cached(f, full) == 0);
  CHECK(cached(f, clean) == 0);              // clean cache was freed to make space first
  REQUIRE(f.content->remove(full).is_ok());  // space again: the file is journaled at release
  REQUIRE(f.vfs->release(full, made->second.handle).is_ok());

  CHECK(f.read_all(kept) == "dirty data");
  CHECK(f.index->get(kept)->dirty());
  bool upload_kept = false;
  for (const auto& row : f.journal())
    upload_kept |= row.op == index::JournalOp::kUpload && row.ino == kept;
  CHECK(upload_kept);
  CHECK(f.read_all(clean) == std::string(3000, 'c'));  // fetched again from the store
}

TEST_CASE("CacheBudget skips busy files and the file it makes room for") {
  VfsFixture f;
  const Ino a = cached_remote_file(f, "a", 1000);
  const Ino b = cached_remote_file(f, "b", 1000);
  const Ino c = cached_remote_file(f, "c", 1000);
  InodeLocks locks;
  CacheBudget budget(*f.index, *f.content, locks, 2500, [&] { return f.now_ns.load(); });
  REQUIRE(budget.resync().is_ok());
  CHECK(budget.total() == 3000);
  {
    HeldElsewhere busy(locks, b);
    budget.make_room(a, 1000);  // down to 1500: a is kept, b is busy, c goes (not enough)
  }
  CHECK(cached(f, a) == 1000);
  CHECK(cached(f, b) == 1000);
  CHECK(cached(f, c) == 0);
  CHECK(budget.total() == 2000);
  f.now_ns += 2 * kSecond;  // past the pause after the fruitless pass
  budget.make_room(a, 1000);
  CHECK(cached(f, b) == 0);
  CHECK(budget.total() == 1000);

  budget.added(500);
  CHECK(budget.total() == 1500);
  CHECK(budget.free_disk(c, 1));  // a is the only one left
  CHECK(cached(f, a) == 0);
  CHECK(!budget.free_disk(c, 1));
  REQUIRE(budget.resync().is_ok());
  CHECK(budget.total() == 0);
}

TEST_CASE("InodeLocks::try_lock fails while another thread holds the inode") {
  InodeLocks locks;
  {
    HeldElsewhere held(locks, 7);
    CHECK(!locks.try_lock(7));
    auto other = locks.try_lock(8);
    REQUIRE(other);
    CHECK(other->owns_lock());
  }
  auto free_again = locks.try_lock(7);
  CHECK(free_again);
}

}  // namespace
}  // namespace autosync::vfs
