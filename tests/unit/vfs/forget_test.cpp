// Lookup counts: an unlinked inode's row and content stay while the kernel holds a reference
// (lookup, create, mkdir, mknod, symlink) or a handle is open; the last to go purges it.
#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "tests/unit/vfs/vfs_test_util.h"

namespace autosync::vfs {
namespace {

using testing::VfsFixture;

bool purged(VfsFixture& f, Ino ino) {
  return f.index->get(ino).status().is(ErrorKind::kNotFound) &&
         !std::filesystem::exists(f.content->path_of(ino));
}

TEST_CASE("an unlinked file goes when the kernel forgets its last reference") {
  VfsFixture f;
  const Ino ino = f.make_file(kRootIno, "f", "data").attr.ino;  // create: one reference
  CHECK(f.lookup_ino(kRootIno, "f") == ino);                    // two
  CHECK(f.lookup_ino(kRootIno, "f") == ino);                    // three
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "f").is_ok());
  CHECK(f.vfs->getattr(ino)->nlink == 0);
  CHECK_FALSE(f.vfs->forget(ino, 2));  // one reference left
  CHECK(f.vfs->getattr(ino).is_ok());
  CHECK(std::filesystem::exists(f.content->path_of(ino)));
  CHECK(f.vfs->forget(ino, 1));  // the last
  CHECK(purged(f, ino));
  CHECK(f.vfs->forget(ino, 1));  // more than it had: ignored, and none is left
}

TEST_CASE("a forgotten file that still has its name stays") {
  VfsFixture f;
  const Ino ino = f.make_file(kRootIno, "f", "data").attr.ino;
  f.vfs->forget(ino, 1);
  CHECK(f.vfs->getattr(ino).is_ok());
  CHECK(f.read_all(ino) == "data");
  f.vfs->forget(12345, 1);  // unknown: nothing happens
}

TEST_CASE("handles and references both keep an unlinked file") {
  VfsFixture f;
  const Ino ino = f.make_file(kRootIno, "f", "data").attr.ino;
  auto opened = f.vfs->open(f.who, ino, O_RDONLY);
  REQUIRE(opened.is_ok());
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "f").is_ok());
  REQUIRE(f.vfs->release(ino, opened->handle).is_ok());
  CHECK(f.vfs->getattr(ino).is_ok());  // no handle, but a reference
  f.vfs->forget(ino, 1);
  CHECK(purged(f, ino));
}

TEST_CASE("mkdir, mknod and symlink hand out references too") {
  VfsFixture f;
  auto dir = f.vfs->mkdir(f.who, kRootIno, "d", 0755);
  auto fifo = f.vfs->mknod(f.who, kRootIno, "p", S_IFIFO | 0644, 0);
  auto link = f.vfs->symlink(f.who, "target", kRootIno, "l");
  REQUIRE(dir.is_ok());
  REQUIRE(fifo.is_ok());
  REQUIRE(link.is_ok());
  REQUIRE(f.vfs->rmdir(f.who, kRootIno, "d").is_ok());
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "p").is_ok());
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "l").is_ok());
  for (Ino ino : {dir->attr.ino, fifo->attr.ino, link->attr.ino}) {
    CHECK(f.vfs->getattr(ino).is_ok());
    f.vfs->forget(ino, 1);
    CHECK(f.index->get(ino).status().is(ErrorKind::kNotFound));
  }
}

TEST_CASE("a file replaced by rename stays until the kernel forgets it") {
  VfsFixture f;
  const Ino target = f.make_file(kRootIno, "target", "old").attr.ino;
  f.make_file(kRootIno, "source", "new");
  REQUIRE(f.vfs->rename(f.who, kRootIno, "source", kRootIno, "target", 0).is_ok());
  CHECK(f.vfs->getattr(target)->nlink == 0);
  f.vfs->forget(target, 1);
  CHECK(purged(f, target));
  CHECK(f.read_all(f.lookup_ino(kRootIno, "target")) == "new");
}

TEST_CASE("the root is never purged by forget") {
  VfsFixture f;
  f.vfs->forget(kRootIno, 1);
  CHECK(f.vfs->getattr(kRootIno).is_ok());
}

}  // namespace
}  // namespace autosync::vfs
