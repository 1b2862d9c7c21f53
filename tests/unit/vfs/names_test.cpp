// CacheVfs names: mkdir, rmdir, unlink, rename, symlink and the journal rows they leave;
// POSIX error kinds.
#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/unit/vfs/vfs_test_util.h"

namespace autosync::vfs {
namespace {

using index::JournalOp;
using testing::VfsFixture;

TEST_CASE("mkdir makes a directory and journals its marker") {
  VfsFixture f;
  auto made = f.vfs->mkdir(f.who, kRootIno, "docs", 0777);
  REQUIRE(made.is_ok());
  CHECK(S_ISDIR(made->attr.mode));
  CHECK((made->attr.mode & 07777) == 0755);  // the caller's umask applied
  CHECK(made->attr.uid == 1000);
  CHECK(f.lookup_ino(kRootIno, "docs") == made->attr.ino);

  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kMkdirMarker);
  CHECK(rows[0].key == "docs");
  CHECK(rows[0].ino == made->attr.ino);
  CHECK(f.notifier.rings == 1);
}

TEST_CASE("rmdir journals the marker's removal and refuses a non-empty directory") {
  VfsFixture f;
  auto docs = f.vfs->mkdir(f.who, kRootIno, "docs", 0755);
  REQUIRE(docs.is_ok());
  f.make_file(docs->attr.ino, "a.txt", "hello");
  CHECK(f.vfs->rmdir(f.who, kRootIno, "docs").kind() == ErrorKind::kNotEmpty);
  REQUIRE(f.vfs->unlink(f.who, docs->attr.ino, "a.txt").is_ok());
  REQUIRE(f.vfs->rmdir(f.who, kRootIno, "docs").is_ok());
  CHECK(f.vfs->lookup(f.who, kRootIno, "docs").status().kind() == ErrorKind::kNotFound);
  CHECK(f.vfs->getattr(docs->attr.ino).is_ok());  // the kernel still knows it
  f.vfs->forget(docs->attr.ino, 1);
  CHECK(f.vfs->getattr(docs->attr.ino).status().kind() == ErrorKind::kNotFound);  // purged
  auto rows = f.journal();
  REQUIRE(!rows.empty());
  CHECK(rows.back().op == JournalOp::kRmdirMarker);
  CHECK(rows.back().key == "docs");
}

TEST_CASE("rmdir sees children that only the store has") {
  VfsFixture f;
  f.put_remote("photos/cat.jpg", "meow");
  CHECK(f.vfs->rmdir(f.who, kRootIno, "photos").kind() == ErrorKind::kNotEmpty);
}

TEST_CASE("unlink of a file on the store journals its delete and purges the inode") {
  VfsFixture f;
  f.put_remote("old.txt", "old data");
  const Ino ino = f.lookup_ino(kRootIno, "old.txt");
  REQUIRE(f.read_all(ino) == "old data");
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "old.txt").is_ok());
  CHECK(f.vfs->getattr(ino).is_ok());  // until the kernel forgets it
  f.vfs->forget(ino, 1);
  CHECK(f.vfs->getattr(ino).status().kind() == ErrorKind::kNotFound);
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kDelete);
  CHECK(rows[0].key == "old.txt");
  CHECK(!rows[0].base_etag.empty());

  // Until the delete reaches the store, a new listing must not bring the name back.
  f.expire_listings();
  CHECK(f.vfs->lookup(f.who, kRootIno, "old.txt").status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("unlink of a local-only file journals nothing for the store") {
  VfsFixture f;
  f.make_file(kRootIno, "new.txt", "x");
  const auto before = f.journal().size();  // its upload
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "new.txt").is_ok());
  auto rows = f.journal();
  CHECK(rows.size() == before);
  for (const auto& row : rows)
    CHECK(row.op != JournalOp::kDelete);
}

TEST_CASE("an unlinked open file stays readable until its release") {
  VfsFixture f;
  auto entry = f.make_file(kRootIno, "keep.txt", "still here");
  const Ino ino = entry.attr.ino;
  auto opened = f.vfs->open(f.who, ino, O_RDONLY);
  REQUIRE(opened.is_ok());
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "keep.txt").is_ok());
  std::string buf(32, '\0');
  auto got = f.vfs->read(ino, opened->handle, 0, buf);
  REQUIRE(got.is_ok());
  CHECK(buf.substr(0, *got) == "still here");
  f.vfs->forget(ino, 1);  // the kernel lets go of it first, this time
  CHECK(f.vfs->getattr(ino).is_ok());
  REQUIRE(f.vfs->release(ino, opened->handle).is_ok());
  CHECK(f.vfs->getattr(ino).status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("rename of a stored file journals a move from its remote key") {
  VfsFixture f;
  f.put_remote("a.txt", "data");
  const Ino ino = f.lookup_ino(kRootIno, "a.txt");
  auto docs = f.vfs->mkdir(f.who, kRootIno, "docs", 0755);
  REQUIRE(docs.is_ok());
  REQUIRE(f.vfs->rename(f.who, kRootIno, "a.txt", docs->attr.ino, "b.txt", 0).is_ok());
  CHECK(f.lookup_ino(docs->attr.ino, "b.txt") == ino);
  CHECK(f.vfs->lookup(f.who, kRootIno, "a.txt").status().kind() == ErrorKind::kNotFound);
  auto rows = f.journal();
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].op == JournalOp::kMove);
  CHECK(rows[1].src_key == "a.txt");
  CHECK(rows[1].key == "docs/b.txt");
  // Uncached data is still read from the old key until the move is done.
  CHECK(f.read_all(ino) == "data");
}

TEST_CASE("rename of a directory journals a move by prefix") {
  VfsFixture f;
  f.put_remote("dir/x.txt", "x");
  const Ino dir = f.lookup_ino(kRootIno, "dir");
  REQUIRE(f.vfs->rename(f.who, kRootIno, "dir", kRootIno, "moved", 0).is_ok());
  CHECK(f.lookup_ino(kRootIno, "moved") == dir);
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kMove);
  CHECK(rows[0].src_key == "dir/");
  CHECK(rows[0].key == "moved/");
  f.expire_listings();  // the old prefix is still on the store: it must not come back
  CHECK(f.vfs->lookup(f.who, kRootIno, "dir").status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("rename of a file never uploaded re-targets its pending upload") {
  VfsFixture f;
  auto entry = f.make_file(kRootIno, "draft.txt", "text");
  REQUIRE(f.vfs->rename(f.who, kRootIno, "draft.txt", kRootIno, "final.txt", 0).is_ok());
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);  // merged into the one pending upload
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(rows[0].key == "final.txt");
  CHECK(rows[0].ino == entry.attr.ino);
}

TEST_CASE("a file never uploaded renamed over a stored one uploads over that version") {
  VfsFixture f;
  f.put_remote("doc.txt", "old");
  const auto stored = f.vfs->lookup(f.who, kRootIno, "doc.txt");
  REQUIRE(stored.is_ok());
  auto saved = f.make_file(kRootIno, ".doc.txt.swp", "new");  // an editor's save
  REQUIRE(f.vfs->rename(f.who, kRootIno, ".doc.txt.swp", kRootIno, "doc.txt", 0).is_ok());
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);  // the temporary's pending upload, moved to the name
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(rows[0].key == "doc.txt");
  CHECK(rows[0].ino == saved.attr.ino);
  CHECK_FALSE(rows[0].base_etag.empty());  // If-Match the replaced object: not a conflict
  CHECK(rows[0].base_etag == f.store->head("doc.txt").value().etag);
}

TEST_CASE("symlink journals an upload and reads back its target") {
  VfsFixture f;
  auto link = f.vfs->symlink(f.who, "../target", kRootIno, "ln");
  REQUIRE(link.is_ok());
  CHECK(S_ISLNK(link->attr.mode));
  auto target = f.vfs->readlink(link->attr.ino);
  REQUIRE(target.is_ok());
  CHECK(*target == "../target");
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(rows[0].key == "ln");
}

TEST_CASE("mknod makes a local-only fifo, link is unsupported") {
  VfsFixture f;
  auto fifo = f.vfs->mknod(f.who, kRootIno, "pipe", S_IFIFO | 0644, 0);
  REQUIRE(fifo.is_ok());
  CHECK(S_ISFIFO(fifo->attr.mode));
  CHECK(f.journal().empty());
  auto file = f.make_file(kRootIno, "f", "");
  CHECK(f.vfs->link(f.who, file.attr.ino, kRootIno, "g").status().kind() ==
        ErrorKind::kUnsupported);
}

TEST_CASE("POSIX error kinds") {
  VfsFixture f;
  auto file = f.make_file(kRootIno, "file", "x");
  auto dir = f.vfs->mkdir(f.who, kRootIno, "dir", 0755);
  REQUIRE(dir.is_ok());
  f.make_file(dir->attr.ino, "child", "y");

  CHECK(f.vfs->lookup(f.who, kRootIno, "missing").status().kind() == ErrorKind::kNotFound);
  CHECK(f.vfs->unlink(f.who, kRootIno, "missing").kind() == ErrorKind::kNotFound);
  CHECK(f.vfs->mkdir(f.who, kRootIno, "file", 0755).status().kind() == ErrorKind::kAlreadyExists);
  CHECK(f.vfs->create(f.who, kRootIno, "file", 0644, O_CREAT | O_EXCL | O_WRONLY).status().kind() ==
        ErrorKind::kAlreadyExists);
  CHECK(f.vfs->rmdir(f.who, kRootIno, "dir").kind() == ErrorKind::kNotEmpty);
  CHECK(f.vfs->lookup(f.who, file.attr.ino, "x").status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.vfs->opendir(f.who, file.attr.ino).status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.vfs->rmdir(f.who, kRootIno, "file").kind() == ErrorKind::kNotDirectory);
  CHECK(f.vfs->unlink(f.who, kRootIno, "dir").kind() == ErrorKind::kIsDirectory);
  CHECK(f.vfs->open(f.who, dir->attr.ino, O_RDONLY).status().kind() == ErrorKind::kIsDirectory);
  const std::string long_name(300, 'n');
  CHECK(f.vfs->mkdir(f.who, kRootIno, long_name, 0755).status().kind() == ErrorKind::kNameTooLong);
  CHECK(f.vfs->lookup(f.who, kRootIno, long_name).status().kind() == ErrorKind::kNameTooLong);
}

TEST_CASE("a read-only mount refuses changes") {
  VfsFixture f;
  auto opts = f.options;
  opts.read_only = true;
  CacheVfs ro(*f.index, *f.content, *f.store, f.notifier, opts);
  CHECK(ro.mkdir(f.who, kRootIno, "d", 0755).status().kind() == ErrorKind::kReadOnly);
  CHECK(ro.create(f.who, kRootIno, "f", 0644, O_CREAT | O_WRONLY).status().kind() ==
        ErrorKind::kReadOnly);
}

}  // namespace
}  // namespace autosync::vfs
