// Names: unlink, rmdir, hard links, listing with paging, child counts.
#include <fmt/format.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

TEST_CASE("unlink removes a file's name and updates the parent", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a");
  f.clock.advance(50);
  auto after = f.index->unlink(kRootIno, "a");
  REQUIRE(after.is_ok());
  CHECK(after->ino == file.ino);
  CHECK(after->nlink == 0);
  CHECK(after->ctime_ns == f.clock.now());
  CHECK(f.index->get(kRootIno)->mtime_ns == f.clock.now());
  CHECK_FALSE(f.index->lookup(kRootIno, "a")->has_value());
  CHECK(f.index->path_of(file.ino).status().kind() == ErrorKind::kNotFound);

  CHECK(f.index->unlink(kRootIno, "a").status().kind() == ErrorKind::kNotFound);
  f.mkdir(kRootIno, "d");
  CHECK(f.index->unlink(kRootIno, "d").status().kind() == ErrorKind::kIsDirectory);
  CHECK(f.index->unlink(file.ino, "x").status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.index->unlink(kRootIno, std::string(300, 'x')).status().kind() ==
        ErrorKind::kNameTooLong);
}

TEST_CASE("rmdir removes only empty directories", "[index]") {
  IndexFixture f;
  auto dir = f.mkdir(kRootIno, "d");
  auto file = f.mkfile(dir.ino, "f");
  CHECK(f.index->get(kRootIno)->nlink == 3);
  CHECK(f.index->rmdir(kRootIno, "d").status().kind() == ErrorKind::kNotEmpty);
  CHECK(f.index->rmdir(dir.ino, "f").status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.index->rmdir(kRootIno, "nope").status().kind() == ErrorKind::kNotFound);
  REQUIRE(f.index->unlink(dir.ino, "f").is_ok());
  REQUIRE(*f.index->purge(file.ino));
  auto gone = f.index->rmdir(kRootIno, "d");
  REQUIRE(gone.is_ok());
  CHECK(gone->nlink == 0);
  CHECK(f.index->get(kRootIno)->nlink == 2);
  // A removed directory that is still open takes no new entries.
  CHECK(f.index->create(dir.ino, "new", file_spec()).status().kind() == ErrorKind::kNotFound);
  CHECK(*f.index->purge(dir.ino));
}

TEST_CASE("hard links add names to one inode", "[index]") {
  IndexFixture f;
  auto dir = f.mkdir(kRootIno, "d");
  auto file = f.mkfile(kRootIno, "a");
  auto linked = f.index->link(file.ino, dir.ino, "b");
  REQUIRE(linked.is_ok());
  CHECK(linked->nlink == 2);
  CHECK((*f.index->lookup(dir.ino, "b"))->ino == file.ino);
  CHECK(f.index->link(file.ino, dir.ino, "b").status().kind() == ErrorKind::kAlreadyExists);
  CHECK(f.index->link(dir.ino, kRootIno, "c").status().kind() == ErrorKind::kNotPermitted);
  CHECK(f.index->link(file.ino, file.ino, "c").status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.index->unlink(kRootIno, "a")->nlink == 1);
  CHECK(*f.index->path_of(file.ino) == "d/b");  // the remaining name
  CHECK(f.index->unlink(dir.ino, "b")->nlink == 0);
  CHECK(f.index->link(file.ino, kRootIno, "again").status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("list_dir pages through 2,500 entries in byte order", "[index]") {
  IndexFixture f;
  auto dir = f.mkdir(kRootIno, "big");
  std::vector<std::string> names;
  {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    for (int i = 0; i < 2500; ++i) {
      // Mixed case and a high byte, so byte order differs from any locale's order.
      names.push_back(fmt::format("{}{:04}{}", i % 2 ? "B" : "a", (i * 7919) % 10000,
                                  i % 3 ? "" : "\xe2\x82\xac"));
      auto rec = txn->create(dir.ino, names.back(), i % 5 ? file_spec() : dir_spec());
      REQUIRE(rec.is_ok());
    }
    REQUIRE(txn->commit().is_ok());
  }
  std::sort(names.begin(), names.end());
  CHECK(*f.index->child_count(dir.ino) == 2500);
  CHECK_FALSE(*f.index->is_empty(dir.ino));

  std::vector<std::string> seen;
  std::string after;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 20);
    auto page = f.index->list_dir(dir.ino, after, 300);
    REQUIRE(page.is_ok());
    if (page->empty()) break;
    CHECK(page->size() <= 300);
    for (const auto& entry : *page) {
      seen.push_back(entry.name);
      CHECK(((entry.mode & S_IFMT) == S_IFDIR || (entry.mode & S_IFMT) == S_IFREG));
    }
    after = page->back().name;
  }
  CHECK(seen == names);
  CHECK(f.index->get(dir.ino)->nlink == 2 + 500);  // every fifth is a directory
  auto first = f.index->list_dir(dir.ino, "", 1);
  REQUIRE(first->size() == 1);
  CHECK(first->front().ino == (*f.index->lookup(dir.ino, names[0]))->ino);
}

TEST_CASE("list_dir and child_count refuse non-directories", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a");
  CHECK(f.index->list_dir(file.ino, "", 10).status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.index->list_dir(999, "", 10).status().kind() == ErrorKind::kNotFound);
  CHECK(f.index->child_count(file.ino).status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.index->is_empty(file.ino).status().kind() == ErrorKind::kNotDirectory);
  CHECK(*f.index->child_count(kRootIno) == 1);
}
