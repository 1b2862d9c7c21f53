// Inodes: the root after migration, create and its errors, attributes, generations, sync
// state, open counts, purge, and that everything survives a reopen.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/db/database.h"
#include "core/db/migrate.h"
#include "core/index/schema.h"
#include "tests/unit/index/index_test_util.h"

using namespace autosync;
using namespace autosync::index;
using namespace autosync::index::testing;

TEST_CASE("the root exists after migration", "[index]") {
  IndexFixture f;
  auto root = f.index->get(kRootIno);
  REQUIRE(root.is_ok());
  CHECK(root->kind == InodeKind::kDirectory);
  CHECK(root->mode == (S_IFDIR | 0755));
  CHECK(root->uid == 0);
  CHECK(root->gid == 0);
  CHECK(root->nlink == 2);
  CHECK(root->ctime_ns > 1'600'000'000'000'000'000);  // stamped with the real time
  CHECK_FALSE(root->dirty());
  CHECK(*f.index->path_of(kRootIno) == "");
  CHECK(*f.index->is_empty(kRootIno));

  auto db = db::Database::open(f.file, {});
  REQUIRE(db.is_ok());
  CHECK(*db::schema_version(*db) == schema_migrations().back().version);  // the newest step
}

TEST_CASE("create makes an inode with its name, links and times", "[index]") {
  IndexFixture f;
  f.clock.advance(5);
  const int64_t t = f.clock.now();
  auto dir = f.mkdir(kRootIno, "docs");
  CHECK(dir.nlink == 2);
  CHECK(dir.kind == InodeKind::kDirectory);
  CHECK(dir.mtime_ns == t);
  CHECK(dir.ctime_ns == t);
  CHECK(f.index->get(kRootIno)->nlink == 3);
  CHECK(f.index->get(kRootIno)->mtime_ns == t);

  f.clock.advance(10);
  auto file = f.mkfile(dir.ino, "a.txt", 42);
  CHECK(file.kind == InodeKind::kFile);
  CHECK(file.mode == (S_IFREG | 0644));
  CHECK(file.uid == 1000);
  CHECK(file.size == 42);
  CHECK(file.nlink == 1);
  CHECK(file.local_gen == 0);
  CHECK_FALSE(file.remote.has_value());
  CHECK(f.index->get(dir.ino)->nlink == 2);  // files do not add links to the parent
  CHECK(f.index->get(dir.ino)->mtime_ns == t + 10);

  auto found = f.index->lookup(dir.ino, "a.txt");
  REQUIRE(found.is_ok());
  REQUIRE(found->has_value());
  CHECK(**found == file);
  CHECK_FALSE(f.index->lookup(dir.ino, "b.txt")->has_value());
  CHECK(*f.index->path_of(file.ino) == "docs/a.txt");
}

TEST_CASE("create of symlinks, special files and mirrored objects", "[index]") {
  IndexFixture f;
  NewInode link;
  link.mode = S_IFLNK | 0777;
  link.symlink_target = "../target";
  auto sym = f.index->create(kRootIno, "ln", link);
  REQUIRE(sym.is_ok());
  CHECK(sym->kind == InodeKind::kSymlink);
  CHECK(sym->symlink_target == "../target");
  CHECK(sym->size == 9);

  NewInode fifo;
  fifo.mode = S_IFIFO | 0600;
  CHECK(f.index->create(kRootIno, "pipe", fifo)->kind == InodeKind::kSpecial);

  NewInode mirrored = file_spec(100);
  mirrored.mtime_ns = 77;
  mirrored.remote = RemoteVersion{"x.bin", "\"etag1\"", "v1", 100, 77};
  auto rec = f.index->create(kRootIno, "x.bin", mirrored);
  REQUIRE(rec.is_ok());
  CHECK(rec->mtime_ns == 77);
  REQUIRE(rec->remote.has_value());
  CHECK(*rec->remote == *mirrored.remote);
  CHECK_FALSE(rec->dirty());
}

TEST_CASE("create refuses taken names, missing or non-directory parents, bad names", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a");
  CHECK(f.index->create(kRootIno, "a", file_spec()).status().kind() == ErrorKind::kAlreadyExists);
  CHECK(f.index->create(kRootIno, "a", dir_spec()).status().kind() == ErrorKind::kAlreadyExists);
  CHECK(f.index->create(999, "b", file_spec()).status().kind() == ErrorKind::kNotFound);
  CHECK(f.index->create(file.ino, "b", file_spec()).status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.index->create(kRootIno, std::string(256, 'n'), file_spec()).status().kind() ==
        ErrorKind::kNameTooLong);
  CHECK(f.index->create(kRootIno, std::string(255, 'n'), file_spec()).is_ok());
  for (const std::string& bad :
       std::vector<std::string>{"", ".", "..", "a/b", std::string("a\0b", 3)}) {
    INFO(bad);
    CHECK(f.index->create(kRootIno, bad, file_spec()).status().kind() == ErrorKind::kInvalid);
  }
  NewInode typeless;
  typeless.mode = 0644;
  CHECK(f.index->create(kRootIno, "t", typeless).status().kind() == ErrorKind::kInvalid);
  CHECK(f.index->get(12345).status().kind() == ErrorKind::kNotFound);
  CHECK(f.index->lookup(file.ino, "x").status().kind() == ErrorKind::kNotDirectory);
  CHECK(f.index->lookup(999, "x").status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("names are bytes: any byte but NUL and '/'", "[index]") {
  IndexFixture f;
  const std::string odd = "caf\xc3\xa9 \x01\xff\n";
  auto rec = f.mkfile(kRootIno, odd);
  CHECK((*f.index->lookup(kRootIno, odd))->ino == rec.ino);
  CHECK_FALSE(f.index->lookup(kRootIno, "caf\xc3\xa9")->has_value());
  CHECK(*f.index->path_of(rec.ino) == odd);
}

TEST_CASE("set_attrs changes what is asked, keeps the file type, and sets ctime", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 10);
  f.clock.advance(100);
  AttrChanges chmod;
  chmod.mode = S_IFDIR | 04700;  // type bits in the request are ignored
  auto rec = f.index->set_attrs(file.ino, chmod);
  REQUIRE(rec.is_ok());
  CHECK(rec->mode == (S_IFREG | 04700));
  CHECK(rec->ctime_ns == f.clock.now());
  CHECK(rec->mtime_ns == file.mtime_ns);

  AttrChanges own;
  own.uid = 7;
  own.gid = 8;
  own.atime_ns = 11;
  own.mtime_ns = 12;
  rec = f.index->set_attrs(file.ino, own);
  CHECK(rec->uid == 7);
  CHECK(rec->gid == 8);
  CHECK(rec->atime_ns == 11);
  CHECK(rec->mtime_ns == 12);

  f.clock.advance(100);
  AttrChanges pin;
  pin.pinned = true;
  rec = f.index->set_attrs(file.ino, pin);
  CHECK(rec->pinned);
  CHECK(rec->ctime_ns == f.clock.now() - 100);  // pinning is not a metadata change

  AttrChanges grow;
  grow.size = 100;
  rec = f.index->set_attrs(file.ino, grow);
  CHECK(rec->size == 100);
  CHECK(rec->mtime_ns == f.clock.now());
  CHECK(rec->ctime_ns == f.clock.now());
  CHECK(*f.index->get(file.ino) == *rec);

  auto dir = f.mkdir(kRootIno, "d");
  CHECK(f.index->set_attrs(dir.ino, grow).status().kind() == ErrorKind::kIsDirectory);
  CHECK(f.index->set_attrs(999, grow).status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("a size change truncates the cached ranges and caches an extension", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 1000);
  REQUIRE(f.index->add_range(file.ino, 0, 100).is_ok());
  REQUIRE(f.index->add_range(file.ino, 500, 1000).is_ok());
  AttrChanges shrink;
  shrink.size = 600;
  auto rec = f.index->set_attrs(file.ino, shrink);
  REQUIRE(rec.is_ok());
  CHECK(rec->cached_bytes == 200);
  CHECK(f.index->load_ranges(file.ino)->spans() ==
        std::vector<content::ByteSpan>{{0, 100}, {500, 600}});
  AttrChanges grow;
  grow.size = 800;
  rec = f.index->set_attrs(file.ino, grow);
  CHECK(rec->cached_bytes == 400);
  CHECK(f.index->load_ranges(file.ino)->spans() ==
        std::vector<content::ByteSpan>{{0, 100}, {500, 800}});
}

TEST_CASE("generations: bump makes dirty, mark_synced records the store's version", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 5);
  CHECK_FALSE(file.dirty());
  CHECK(*f.index->bump_local_gen(file.ino) == 1);
  CHECK(*f.index->bump_local_gen(file.ino) == 2);
  CHECK(f.index->get(file.ino)->dirty());

  const RemoteVersion v1{"a", "\"e1\"", "", 5, 100};
  auto rec = f.index->mark_synced(file.ino, 1, v1);  // an upload of gen 1 finished late
  REQUIRE(rec.is_ok());
  CHECK(rec->synced_gen == 1);
  CHECK(rec->dirty());  // gen 2 is not on the store yet
  CHECK(*rec->remote == v1);

  const RemoteVersion v2{"a", "\"e2\"", "", 5, 200};
  rec = f.index->mark_synced(file.ino, 2, v2);
  CHECK_FALSE(rec->dirty());
  CHECK(*rec->remote == v2);

  rec = f.index->mark_synced(file.ino, 1, v1);  // superseded: changes nothing
  CHECK(rec->synced_gen == 2);
  CHECK(*rec->remote == v2);
  CHECK(f.index->mark_synced(file.ino, 3, v2).status().kind() == ErrorKind::kInvalid);
  CHECK(f.index->bump_local_gen(999).status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("open counts keep an unlinked inode until the last close, then purge removes it",
          "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a", 5);
  REQUIRE(f.index->set_xattr(file.ino, "user.k", "v", 0).is_ok());
  REQUIRE(f.index->add_range(file.ino, 0, 5).is_ok());
  CHECK(f.index->add_open(file.ino)->open_count == 1);
  CHECK(f.index->add_open(file.ino)->open_count == 2);

  auto after = f.index->unlink(kRootIno, "a");
  REQUIRE(after.is_ok());
  CHECK(after->nlink == 0);
  CHECK(after->open_count == 2);
  CHECK_FALSE(*f.index->purge(file.ino));  // still open
  CHECK(f.index->get(file.ino).is_ok());
  CHECK(f.index->unlinked_inodes()->empty());

  CHECK(f.index->drop_open(file.ino)->open_count == 1);
  CHECK(f.index->drop_open(file.ino)->open_count == 0);
  CHECK(f.index->drop_open(file.ino).status().kind() == ErrorKind::kInternal);
  CHECK(*f.index->unlinked_inodes() == std::vector<Ino>{file.ino});
  CHECK(*f.index->purge(file.ino));
  CHECK(f.index->get(file.ino).status().kind() == ErrorKind::kNotFound);
  CHECK(f.index->get_xattr(file.ino, "user.k").status().kind() == ErrorKind::kNotFound);
  CHECK(f.index->load_ranges(file.ino)->empty());
  CHECK(f.index->purge(file.ino).status().kind() == ErrorKind::kNotFound);

  auto linked = f.mkfile(kRootIno, "b");
  CHECK_FALSE(*f.index->purge(linked.ino));  // still has a name
  CHECK_FALSE(*f.index->purge(kRootIno));
}

TEST_CASE("reset_open_counts forgets the handles of a crashed mount", "[index]") {
  IndexFixture f;
  auto file = f.mkfile(kRootIno, "a");
  REQUIRE(f.index->add_open(file.ino).is_ok());
  REQUIRE(f.index->reset_open_counts().is_ok());
  CHECK(f.index->get(file.ino)->open_count == 0);
}

TEST_CASE("reopening the index keeps everything", "[index]") {
  IndexFixture f;
  auto dir = f.mkdir(kRootIno, "d");
  auto file = f.mkfile(dir.ino, "f", 9);
  REQUIRE(f.index->bump_local_gen(file.ino).is_ok());
  REQUIRE(f.index->set_xattr(file.ino, "user.a", "1", 0).is_ok());
  REQUIRE(f.index->add_range(file.ino, 0, 4).is_ok());
  REQUIRE(f.index->set_listed(dir.ino, 55, true).is_ok());
  JournalEntry up;
  up.op = JournalOp::kUpload;
  up.ino = file.ino;
  up.key = "d/f";
  up.gen = 1;
  auto seq = f.index->enqueue(up);
  REQUIRE(seq.is_ok());
  const auto before = *f.index->get(file.ino);

  f.reopen();
  CHECK(*f.index->get(file.ino) == before);
  CHECK(*f.index->path_of(file.ino) == "d/f");
  CHECK(*f.index->get_xattr(file.ino, "user.a") == "1");
  CHECK(f.index->load_ranges(file.ino)->total() == 4);
  CHECK((*f.index->listed_at(dir.ino))->listed_at_ns == 55);
  CHECK(f.index->journal_entry(*seq)->key == "d/f");
  CHECK(f.index->get(kRootIno)->nlink == 3);
  // New inode numbers never reuse old ones.
  CHECK(f.mkfile(kRootIno, "g").ino > file.ino);
}
