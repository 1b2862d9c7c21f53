// rename(2) on the index: the replace matrix, flags, subtree moves, link counts, and
// path_of after renames.
#include <catch2/catch.hpp>

#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

namespace {

ErrorKind rename_error(Index& index, Ino p, std::string_view n, Ino np, std::string_view nn,
                       unsigned int flags = 0) {
  return index.rename(p, n, np, nn, flags).status().kind();
}

}  // namespace

TEST_CASE("rename moves a file to a new name and directory", "[index]") {
  IndexFixture f;
  auto src = f.mkdir(kRootIno, "src");
  auto dst = f.mkdir(kRootIno, "dst");
  auto file = f.mkfile(src.ino, "a");
  f.clock.advance(9);
  auto out = f.index->rename(src.ino, "a", dst.ino, "b", 0);
  REQUIRE(out.is_ok());
  CHECK(out->moved == file.ino);
  CHECK_FALSE(out->replaced.has_value());
  CHECK_FALSE(f.index->lookup(src.ino, "a")->has_value());
  CHECK((*f.index->lookup(dst.ino, "b"))->ino == file.ino);
  CHECK(*f.index->path_of(file.ino) == "dst/b");
  CHECK(f.index->get(file.ino)->ctime_ns == f.clock.now());
  CHECK(f.index->get(src.ino)->mtime_ns == f.clock.now());
  CHECK(f.index->get(dst.ino)->mtime_ns == f.clock.now());
  CHECK(f.index->get(file.ino)->nlink == 1);
}

TEST_CASE("rename replaces a file, and reports the replaced inode", "[index]") {
  IndexFixture f;
  auto a = f.mkfile(kRootIno, "a");
  auto b = f.mkfile(kRootIno, "b");
  auto out = f.index->rename(kRootIno, "a", kRootIno, "b", 0);
  REQUIRE(out.is_ok());
  REQUIRE(out->replaced.has_value());
  CHECK(out->replaced->ino == b.ino);
  CHECK(out->replaced->nlink == 0);
  CHECK((*f.index->lookup(kRootIno, "b"))->ino == a.ino);
  CHECK(*f.index->child_count(kRootIno) == 1);
  CHECK(*f.index->unlinked_inodes() == std::vector<Ino>{b.ino});
}

TEST_CASE("rename: the matrix of what may replace what", "[index]") {
  IndexFixture f;
  f.mkfile(kRootIno, "file");
  f.mkfile(kRootIno, "file2");
  auto empty = f.mkdir(kRootIno, "empty");
  auto full = f.mkdir(kRootIno, "full");
  f.mkfile(full.ino, "x");
  auto dir = f.mkdir(kRootIno, "dir");

  CHECK(rename_error(*f.index, kRootIno, "dir", kRootIno, "file") == ErrorKind::kNotDirectory);
  CHECK(rename_error(*f.index, kRootIno, "file", kRootIno, "empty") == ErrorKind::kIsDirectory);
  CHECK(rename_error(*f.index, kRootIno, "dir", kRootIno, "full") == ErrorKind::kNotEmpty);
  CHECK(rename_error(*f.index, kRootIno, "file", kRootIno, "file2", kRenameNoReplace) ==
        ErrorKind::kAlreadyExists);
  CHECK(rename_error(*f.index, kRootIno, "missing", kRootIno, "z") == ErrorKind::kNotFound);
  CHECK(rename_error(*f.index, kRootIno, "file", 999, "z") == ErrorKind::kNotFound);
  CHECK(rename_error(*f.index, kRootIno, "file", full.ino, std::string(256, 'z')) ==
        ErrorKind::kNameTooLong);
  CHECK(rename_error(*f.index, kRootIno, "file", kRootIno, "z",
                     kRenameNoReplace | kRenameExchange) == ErrorKind::kInvalid);
  CHECK(rename_error(*f.index, kRootIno, "file", kRootIno, "z", 8) == ErrorKind::kInvalid);
  CHECK(rename_error(*f.index, kRootIno, "file", kRootIno, "z", kRenameExchange) ==
        ErrorKind::kNotFound);
  // Nothing changed after all those failures.
  CHECK(*f.index->child_count(kRootIno) == 5);
  CHECK(f.index->get(kRootIno)->nlink == 5);

  // An empty directory may be replaced by a directory.
  CHECK(f.index->get(kRootIno)->nlink == 5);
  auto out = f.index->rename(kRootIno, "dir", kRootIno, "empty", 0);
  REQUIRE(out.is_ok());
  CHECK(out->replaced->ino == empty.ino);
  CHECK(out->replaced->nlink == 0);
  CHECK((*f.index->lookup(kRootIno, "empty"))->ino == dir.ino);
  CHECK(f.index->get(kRootIno)->nlink == 4);  // one subdirectory fewer
  // NOREPLACE to a free name works.
  CHECK(f.index->rename(kRootIno, "file", kRootIno, "free", kRenameNoReplace).is_ok());
}

TEST_CASE("rename of an entry onto itself or onto another link of it changes nothing", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a");
  REQUIRE(f.index->link(file.ino, kRootIno, "b").is_ok());
  auto same = f.index->rename(kRootIno, "a", kRootIno, "a", 0);
  REQUIRE(same.is_ok());
  CHECK(same->moved == file.ino);
  auto other = f.index->rename(kRootIno, "a", kRootIno, "b", 0);
  REQUIRE(other.is_ok());
  CHECK_FALSE(other->replaced.has_value());
  CHECK(f.index->lookup(kRootIno, "a")->has_value());
  CHECK(f.index->get(file.ino)->nlink == 2);
}

TEST_CASE("a directory cannot move into its own subtree", "[index]") {
  IndexFixture f;
  auto a = f.mkdir(kRootIno, "a");
  auto b = f.mkdir(a.ino, "b");
  auto c = f.mkdir(b.ino, "c");
  CHECK(rename_error(*f.index, kRootIno, "a", a.ino, "x") == ErrorKind::kInvalid);
  CHECK(rename_error(*f.index, kRootIno, "a", c.ino, "x") == ErrorKind::kInvalid);
  CHECK(rename_error(*f.index, a.ino, "b", c.ino, "x") == ErrorKind::kInvalid);
  // Exchanging a directory with its own descendant is the same loop.
  CHECK(rename_error(*f.index, kRootIno, "a", b.ino, "c", kRenameExchange) == ErrorKind::kInvalid);
  // Moving a subdirectory up is fine.
  auto out = f.index->rename(b.ino, "c", kRootIno, "c", 0);
  REQUIRE(out.is_ok());
  CHECK(*f.index->path_of(c.ino) == "c");
  CHECK(f.index->get(b.ino)->nlink == 2);
  CHECK(f.index->get(kRootIno)->nlink == 4);
}

TEST_CASE("moving a directory moves its link count and its whole subtree's paths", "[index]") {
  IndexFixture f;
  auto a = f.mkdir(kRootIno, "a");
  auto b = f.mkdir(kRootIno, "b");
  auto sub = f.mkdir(a.ino, "sub");
  auto deep = f.mkfile(sub.ino, "deep.txt");
  CHECK(*f.index->path_of(deep.ino) == "a/sub/deep.txt");
  REQUIRE(f.index->rename(a.ino, "sub", b.ino, "moved", 0).is_ok());
  CHECK(*f.index->path_of(deep.ino) == "b/moved/deep.txt");
  CHECK(f.index->get(a.ino)->nlink == 2);
  CHECK(f.index->get(b.ino)->nlink == 3);
  REQUIRE(f.index->rename(kRootIno, "b", a.ino, "b2", 0).is_ok());
  CHECK(*f.index->path_of(deep.ino) == "a/b2/moved/deep.txt");
  CHECK(*f.index->path_of(sub.ino) == "a/b2/moved");
  CHECK(f.index->get(kRootIno)->nlink == 3);
  CHECK(f.index->get(a.ino)->nlink == 3);
}

TEST_CASE("RENAME_EXCHANGE swaps two names, across directories and kinds", "[index]") {
  IndexFixture f;
  auto d1 = f.mkdir(kRootIno, "d1");
  auto d2 = f.mkdir(kRootIno, "d2");
  auto file = f.mkfile(d1.ino, "x");
  auto sub = f.mkdir(d2.ino, "y");
  auto inner = f.mkfile(sub.ino, "inner");
  auto out = f.index->rename(d1.ino, "x", d2.ino, "y", kRenameExchange);
  REQUIRE(out.is_ok());
  CHECK(out->moved == file.ino);
  CHECK(out->exchanged == sub.ino);
  CHECK_FALSE(out->replaced.has_value());
  CHECK(*f.index->path_of(file.ino) == "d2/y");
  CHECK(*f.index->path_of(inner.ino) == "d1/x/inner");
  CHECK(f.index->get(d1.ino)->nlink == 3);  // gained the subdirectory
  CHECK(f.index->get(d2.ino)->nlink == 2);
  CHECK(f.index->get(file.ino)->nlink == 1);
  CHECK(f.index->get(sub.ino)->nlink == 2);
}

TEST_CASE("path_of follows a chain of renames", "[index]") {
  IndexFixture f;
  auto top = f.mkdir(kRootIno, "top");
  auto file = f.mkfile(top.ino, "f");
  REQUIRE(f.index->rename(kRootIno, "top", kRootIno, "renamed", 0).is_ok());
  CHECK(*f.index->path_of(file.ino) == "renamed/f");
  REQUIRE(f.index->rename(top.ino, "f", kRootIno, "g", 0).is_ok());
  CHECK(*f.index->path_of(file.ino) == "g");
  REQUIRE(f.index->rename(kRootIno, "g", top.ino, "h", 0).is_ok());
  CHECK(*f.index->path_of(file.ino) == "renamed/h");
  CHECK(f.index->path_of(999).status().kind() == ErrorKind::kNotFound);
}
