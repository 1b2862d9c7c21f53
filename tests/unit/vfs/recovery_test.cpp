// CacheVfs::recover after a crash (simulated by a new CacheVfs over the same index, content
// and store while handles were open): unjournaled changes get their rows, deleted and moved
// names stay gone, orphaned inodes are purged.
#include <fcntl.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/unit/vfs/vfs_test_util.h"

namespace autosync::vfs {
namespace {

using index::JournalOp;
using testing::VfsFixture;

std::vector<index::JournalEntry> rows_of(VfsFixture& f, Ino ino) {
  std::vector<index::JournalEntry> out;
  for (auto& row : f.journal())
    if (row.ino == ino) out.push_back(row);
  return out;
}

TEST_CASE("recover journals the upload of a file written before a crash") {
  VfsFixture f;
  auto made = f.vfs->create(f.who, kRootIno, "new.txt", 0644, O_WRONLY | O_CREAT);
  REQUIRE(made.is_ok());
  const Ino ino = made->first.attr.ino;
  REQUIRE(f.vfs->write(ino, made->second.handle, 0, std::string_view("unsaved")).is_ok());
  const Ino done = f.make_file(kRootIno, "done.txt", "released").attr.ino;
  REQUIRE(rows_of(f, ino).empty());  // the release never came
  REQUIRE(rows_of(f, done).size() == 1);

  f.rebuild_vfs();  // the crash: the handle is gone, its open count is not
  CHECK(f.index->get(ino)->open_count == 1);
  REQUIRE(f.vfs->recover().is_ok());
  CHECK(f.index->get(ino)->open_count == 0);
  auto rows = rows_of(f, ino);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(rows[0].key == "new.txt");
  CHECK(rows[0].gen == f.index->get(ino)->local_gen);
  CHECK(rows_of(f, done).size() == 1);  // journaled already: nothing added
  CHECK(f.read_all(ino) == "unsaved");

  const auto count = f.journal().size();
  REQUIRE(f.vfs->recover().is_ok());  // twice is harmless
  CHECK(f.journal().size() == count);
}

TEST_CASE(
    "a times change while a stored file's new data waits for its release is no metadata row") {
  VfsFixture f;
  f.put_remote("kept.txt", "old");
  const Ino ino = f.lookup_ino(kRootIno, "kept.txt");
  auto opened = f.vfs->open(f.who, ino, O_WRONLY | O_TRUNC);
  REQUIRE(opened.is_ok());
  REQUIRE(f.vfs->write(ino, opened->handle, 0, std::string_view("new data")).is_ok());
  SetAttr times;  // what a write-back kernel sends while the file is open
  times.mtime_now = true;
  REQUIRE(f.vfs->setattr(f.who, ino, times, opened->handle).is_ok());
  // A metadata-only row here would, once done, mark the new data synced and leave it behind.
  CHECK(rows_of(f, ino).empty());  // the release journals the upload

  f.rebuild_vfs();  // the crash: the release never comes
  REQUIRE(f.vfs->recover().is_ok());
  auto rows = rows_of(f, ino);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(rows[0].gen == f.index->get(ino)->local_gen);
  CHECK(f.read_all(ino) == "new data");
}

TEST_CASE("recover fetches the rest of a stored file written in part before a crash") {
  VfsFixture f;
  f.put_remote("doc", "0123456789");
  const Ino ino = f.lookup_ino(kRootIno, "doc");
  auto opened = f.vfs->open(f.who, ino, O_WRONLY);
  REQUIRE(opened.is_ok());
  REQUIRE(f.vfs->write(ino, opened->handle, 2, std::string_view("ab")).is_ok());
  f.rebuild_vfs();
  REQUIRE(f.vfs->recover().is_ok());
  auto rows = rows_of(f, ino);
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(!rows[0].base_etag.empty());  // conditional on the version it was based on
  CHECK(f.index->load_ranges(ino)->contains(0, 10));
  const int gets = f.store->gets;
  CHECK(f.read_all(ino) == "01ab456789");
  CHECK(f.store->gets == gets);
}

TEST_CASE("recover reports a file it could not fetch and journals the others") {
  VfsFixture f;
  f.put_remote("doc", "0123456789");
  const Ino ino = f.lookup_ino(kRootIno, "doc");
  auto opened = f.vfs->open(f.who, ino, O_WRONLY);
  REQUIRE(f.vfs->write(ino, opened->handle, 0, std::string_view("x")).is_ok());
  auto made = f.vfs->create(f.who, kRootIno, "local", 0644, O_WRONLY | O_CREAT);
  REQUIRE(
      f.vfs->write(made->first.attr.ino, made->second.handle, 0, std::string_view("y")).is_ok());
  f.rebuild_vfs();
  f.store->offline = true;
  CHECK(!f.vfs->recover().is_ok());
  CHECK(rows_of(f, ino).empty());  // not without its missing bytes
  CHECK(rows_of(f, made->first.attr.ino).size() == 1);
  f.store->offline = false;
  REQUIRE(f.vfs->recover().is_ok());  // the next start picks it up
  CHECK(rows_of(f, ino).size() == 1);
}

TEST_CASE("after recover, a listing does not resurrect deleted or moved names") {
  VfsFixture f;
  f.put_remote("gone", "x");
  f.put_remote("old", "y");
  f.put_remote("dir/", "");
  REQUIRE(f.lookup_ino(kRootIno, "gone") != 0);
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "gone").is_ok());
  REQUIRE(f.vfs->rename(f.who, kRootIno, "old", kRootIno, "new", 0).is_ok());
  REQUIRE(f.vfs->rmdir(f.who, kRootIno, "dir").is_ok());

  f.rebuild_vfs();  // the tombstones were in memory only
  REQUIRE(f.vfs->recover().is_ok());
  f.expire_listings();  // the store still has all three: syncd has not run
  CHECK(f.vfs->lookup(f.who, kRootIno, "gone").status().kind() == ErrorKind::kNotFound);
  CHECK(f.vfs->lookup(f.who, kRootIno, "old").status().kind() == ErrorKind::kNotFound);
  CHECK(f.vfs->lookup(f.who, kRootIno, "dir").status().kind() == ErrorKind::kNotFound);
  CHECK(f.read_all(f.lookup_ino(kRootIno, "new")) == "y");
}

// The merge itself asks the journal before it makes an inode for a name the index lacks: a
// removal journaled after the pass looked at its tombstones (here: none at all).
TEST_CASE("even without recover's tombstones, a listing does not bring a removed name back") {
  VfsFixture f;
  f.put_remote("gone", "x");
  f.put_remote("old", "y");
  REQUIRE(f.lookup_ino(kRootIno, "gone") != 0);
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "gone").is_ok());
  REQUIRE(f.vfs->rename(f.who, kRootIno, "old", kRootIno, "new", 0).is_ok());
  f.rebuild_vfs();
  f.expire_listings();
  CHECK(f.vfs->lookup(f.who, kRootIno, "gone").status().kind() == ErrorKind::kNotFound);
  CHECK(f.vfs->lookup(f.who, kRootIno, "old").status().kind() == ErrorKind::kNotFound);
  CHECK(f.read_all(f.lookup_ino(kRootIno, "new")) == "y");
}

TEST_CASE("recover purges an unlinked file whose handle died with the crash") {
  VfsFixture f;
  auto made = f.vfs->create(f.who, kRootIno, "tmp", 0644, O_RDWR | O_CREAT);
  REQUIRE(made.is_ok());
  const Ino ino = made->first.attr.ino;
  REQUIRE(f.vfs->write(ino, made->second.handle, 0, std::string_view("scratch")).is_ok());
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "tmp").is_ok());
  REQUIRE(f.index->get(ino).is_ok());  // open: kept
  f.rebuild_vfs();
  REQUIRE(f.vfs->recover().is_ok());
  CHECK(f.index->get(ino).status().kind() == ErrorKind::kNotFound);
  CHECK(!std::filesystem::exists(f.content->path_of(ino)));
  CHECK(rows_of(f, ino).empty());
}

TEST_CASE("recover after an unmount drops references and handles the kernel never returned") {
  VfsFixture f;
  auto made = f.vfs->create(f.who, kRootIno, "f", 0644, O_WRONLY | O_CREAT);
  REQUIRE(made.is_ok());
  const Ino ino = made->first.attr.ino;
  REQUIRE(f.vfs->write(ino, made->second.handle, 0, std::string_view("late")).is_ok());
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "f").is_ok());
  const Ino kept = f.make_file(kRootIno, "kept", "k").attr.ino;
  auto open_kept = f.vfs->open(f.who, kept, O_WRONLY);
  REQUIRE(f.vfs->write(kept, open_kept->handle, 0, std::string_view("K")).is_ok());
  // The session ends with both still open and looked up: no release, no forget comes.
  REQUIRE(f.vfs->recover().is_ok());
  CHECK(f.index->get(ino).status().is(ErrorKind::kNotFound));
  auto rows = rows_of(f, kept);
  REQUIRE(!rows.empty());
  CHECK(rows.back().gen == f.index->get(kept)->local_gen);  // the unreleased write too
  CHECK(f.vfs->release(kept, open_kept->handle).kind() == ErrorKind::kInvalid);  // gone
}

}  // namespace
}  // namespace autosync::vfs
