// CacheVfs remote listing: directories are listed on the store when stale and reconciled
// with objects added, changed and removed behind the Vfs's back.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <map>

#include "backends/byte_io.h"
#include "tests/unit/vfs/vfs_test_util.h"

namespace autosync::vfs {
namespace {

using testing::VfsFixture;

// name -> type bits, from opendir/readdir/releasedir (without "." and "..").
std::map<std::string, mode_t> list(VfsFixture& f, Ino dir) {
  auto handle = f.vfs->opendir(f.who, dir);
  REQUIRE(handle.is_ok());
  std::map<std::string, mode_t> names;
  REQUIRE(f.vfs
              ->readdir(dir, *handle, 0,
                        [&](const DirEntry& e) {
                          if (e.name != "." && e.name != "..") names[e.name] = e.type;
                          return true;
                        })
              .is_ok());
  REQUIRE(f.vfs->releasedir(dir, *handle).is_ok());
  return names;
}

TEST_CASE("a listing brings objects, prefixes and markers in as inodes") {
  VfsFixture f;
  f.put_remote("a.txt", "aaa");
  f.put_remote("sub/b.txt", "bb");
  f.put_remote("empty/", "");
  auto names = list(f, kRootIno);
  CHECK(names ==
        std::map<std::string, mode_t>{{"a.txt", S_IFREG}, {"empty", S_IFDIR}, {"sub", S_IFDIR}});
  const Ino sub = f.lookup_ino(kRootIno, "sub");
  CHECK(list(f, sub) == std::map<std::string, mode_t>{{"b.txt", S_IFREG}});
  auto a = f.index->get(f.lookup_ino(kRootIno, "a.txt"));
  REQUIRE(a.is_ok());
  REQUIRE(a->remote);
  CHECK(a->remote->key == "a.txt");
  CHECK(a->size == 3);
  CHECK(a->cached_bytes == 0);
  CHECK(!a->dirty());
  CHECK(a->mode == (S_IFREG | 0644));  // defaults with the mount's umask
  CHECK(a->uid == 1000);
}

TEST_CASE("listed objects take their attributes from s3fs metadata") {
  VfsFixture f;
  f.put_remote("private.txt", "secret",
               {{"mode", std::to_string(S_IFREG | 0600)},
                {"uid", "42"},
                {"gid", "43"},
                {"mtime", "1600000000"}});
  f.put_remote("link", "../elsewhere", {{"mode", std::to_string(S_IFLNK | 0777)}});
  auto file = f.vfs->getattr(f.lookup_ino(kRootIno, "private.txt"));
  REQUIRE(file.is_ok());
  CHECK(file->mode == (S_IFREG | 0600));
  CHECK(file->uid == 42);
  CHECK(file->gid == 43);
  CHECK(file->mtime.sec == 1600000000);
  const Ino link = f.lookup_ino(kRootIno, "link");
  CHECK(S_ISLNK(f.vfs->getattr(link)->mode));
  auto target = f.vfs->readlink(link);
  REQUIRE(target.is_ok());
  CHECK(*target == "../elsewhere");
}

TEST_CASE("a fresh listing is not repeated before dir_ttl") {
  VfsFixture f;
  f.put_remote("a.txt", "a");
  list(f, kRootIno);
  const int lists = f.store->lists;
  f.put_remote("b.txt", "b");
  CHECK(f.vfs->lookup(f.who, kRootIno, "b.txt").status().kind() == ErrorKind::kNotFound);
  CHECK(f.store->lists == lists);
  f.expire_listings();
  CHECK(f.vfs->lookup(f.who, kRootIno, "b.txt").is_ok());
  CHECK(f.store->lists == lists + 1);
}

TEST_CASE("reconcile: changed objects drop their cache and removed ones vanish") {
  VfsFixture f;
  f.put_remote("changed.txt", "old");
  f.put_remote("removed.txt", "gone soon");
  f.put_remote("same.txt", "same");
  const Ino changed = f.lookup_ino(kRootIno, "changed.txt");
  const Ino removed = f.lookup_ino(kRootIno, "removed.txt");
  const Ino same = f.lookup_ino(kRootIno, "same.txt");
  REQUIRE(f.read_all(changed) == "old");
  REQUIRE(f.read_all(same) == "same");

  f.put_remote("changed.txt", "new and longer");
  f.remove_remote("removed.txt");
  f.put_remote("added.txt", "hi");
  f.expire_listings();
  auto names = list(f, kRootIno);
  CHECK(names == std::map<std::string, mode_t>{
                     {"added.txt", S_IFREG}, {"changed.txt", S_IFREG}, {"same.txt", S_IFREG}});
  CHECK(f.vfs->getattr(removed)->nlink == 0);  // the kernel still holds it
  f.vfs->forget(removed, 1);
  CHECK(f.vfs->getattr(removed).status().kind() == ErrorKind::kNotFound);
  CHECK(f.lookup_ino(kRootIno, "changed.txt") == changed);
  CHECK(f.vfs->getattr(changed)->size == 14);
  CHECK(f.vfs->getattr(changed)->blocks == 0);
  const int gets = f.store->gets;
  CHECK(f.read_all(changed) == "new and longer");
  CHECK(f.store->gets == gets + 1);
  CHECK(f.read_all(same) == "same");
  CHECK(f.store->gets == gets + 1);  // unchanged: still cached
  CHECK(f.journal().empty());        // the store's changes are not echoed back
}

TEST_CASE("a read the store refuses for a replaced version lists the directory again") {
  VfsFixture f;
  f.put_remote("doc.txt", "old");
  f.put_remote("other.txt", "other old");
  const Ino doc = f.lookup_ino(kRootIno, "doc.txt");
  const Ino other = f.lookup_ino(kRootIno, "other.txt");
  REQUIRE(f.read_all(other) == "other old");
  auto reader = f.vfs->open(f.who, other, O_RDONLY);  // cached, on the old version
  REQUIRE(reader.is_ok());
  const uint64_t doc_generation = f.vfs->lookup(f.who, kRootIno, "doc.txt")->generation;
  const uint64_t other_generation = f.vfs->lookup(f.who, kRootIno, "other.txt")->generation;
  // Replaced behind the mount while its listing is still fresh: the index knows "old".
  f.put_remote("doc.txt", "new and longer");
  f.put_remote("other.txt", "other new");
  const int lists = f.store->lists;

  auto opened = f.vfs->open(f.who, doc, O_RDONLY);
  REQUIRE(opened.is_ok());
  std::string buf(64, '\0');
  auto refused = f.vfs->read(doc, opened->handle, 0, std::span<char>(buf));
  CHECK(refused.status().kind() == ErrorKind::kPreconditionFailed);
  // The handle stays on its version: the kernel retrying the read gets no new bytes.
  const int gets = f.store->gets;
  refused = f.vfs->read(doc, opened->handle, 0, std::span<char>(buf));
  CHECK(refused.status().kind() == ErrorKind::kPreconditionFailed);
  CHECK(f.store->gets == gets);
  CHECK(f.store->lists == lists);  // not while the file is open
  REQUIRE(f.vfs->release(doc, opened->handle).is_ok());
  CHECK(f.store->lists == lists + 1);

  // Closed, it took the new version with a new generation (a new kernel inode, new size).
  CHECK(f.vfs->getattr(doc)->size == 14);
  CHECK(f.vfs->lookup(f.who, kRootIno, "doc.txt")->generation != doc_generation);
  CHECK(f.read_all(doc) == "new and longer");
  // The same pass saw its neighbour change; the handle opened before reads its own version
  // from the cache no more (its bytes were of the old version), nor the new one's.
  refused = f.vfs->read(other, reader->handle, 0, std::span<char>(buf));
  CHECK(refused.status().kind() == ErrorKind::kPreconditionFailed);
  // It took the new version while open, so the kernel's inode still has the old size: the
  // next open renews it (the adapter answers that open ESTALE), once.
  auto second = f.vfs->open(f.who, other, O_RDONLY);
  REQUIRE(second.is_ok());
  CHECK(second->generation != other_generation);
  REQUIRE(f.vfs->release(other, second->handle).is_ok());
  REQUIRE(f.vfs->release(other, reader->handle).is_ok());
  CHECK(f.vfs->lookup(f.who, kRootIno, "other.txt")->generation == second->generation);
  CHECK(f.read_all(other) == "other new");
  CHECK(f.store->lists == lists + 1);
  CHECK(f.journal().empty());
}

TEST_CASE("a file that takes a new version while open gets a new kernel inode at its close") {
  VfsFixture f;
  f.put_remote("a.txt", "one");
  const Ino ino = f.lookup_ino(kRootIno, "a.txt");
  const uint64_t before = f.vfs->lookup(f.who, kRootIno, "a.txt")->generation;
  auto reader = f.vfs->open(f.who, ino, O_RDONLY);
  REQUIRE(reader.is_ok());
  f.put_remote("a.txt", "two, longer");
  f.expire_listings();
  CHECK(f.vfs->lookup(f.who, kRootIno, "a.txt")->generation == before);  // open: kept
  CHECK(f.vfs->getattr(ino)->size == 11);
  REQUIRE(f.vfs->release(ino, reader->handle).is_ok());
  CHECK(f.vfs->lookup(f.who, kRootIno, "a.txt")->generation != before);
}

TEST_CASE("a handle reads on past this mount's own upload of its file") {
  VfsFixture f;
  f.put_remote("mine.txt", "abcdef");
  const Ino ino = f.lookup_ino(kRootIno, "mine.txt");
  auto reader = f.vfs->open(f.who, ino, O_RDONLY);  // nothing cached yet
  REQUIRE(reader.is_ok());
  // What syncd records after uploading this mount's bytes: a new ETag, in the versions table
  // as uploaded here.
  const backends::BufferSource body("ABCDEF");
  auto put = f.store->put("mine.txt", body, {});
  REQUIRE(put.is_ok());
  f.record_upload(ino, "mine.txt", put->etag, true);
  std::string buf(16, '\0');
  auto got = f.vfs->read(ino, reader->handle, 0, std::span<char>(buf));
  REQUIRE(got.is_ok());
  CHECK(std::string_view(buf.data(), *got) == "ABCDEF");
  REQUIRE(f.vfs->release(ino, reader->handle).is_ok());
}

TEST_CASE("reconcile keeps local work (dirty files, names not uploaded yet)") {
  VfsFixture f;
  f.put_remote("edited.txt", "base");
  const Ino edited = f.lookup_ino(kRootIno, "edited.txt");
  auto opened = f.vfs->open(f.who, edited, O_WRONLY);
  REQUIRE(opened.is_ok());
  REQUIRE(f.vfs->write(edited, opened->handle, 0, std::string_view("LOCAL")).is_ok());
  REQUIRE(f.vfs->release(edited, opened->handle).is_ok());
  auto local = f.make_file(kRootIno, "local.txt", "not uploaded yet");

  f.put_remote("edited.txt", "someone else's change");  // a conflict for syncd to find
  f.expire_listings();
  auto names = list(f, kRootIno);
  CHECK(names.contains("local.txt"));
  CHECK(names.contains("edited.txt"));
  CHECK(f.read_all(edited) == "LOCAL");
  CHECK(f.read_all(local.attr.ino) == "not uploaded yet");

  f.remove_remote("edited.txt");
  f.expire_listings();
  CHECK(list(f, kRootIno).contains("edited.txt"));  // dirty: kept though gone remotely
}

// The race a listing must not lose a file to: the listing is answered before an upload
// finishes, and the upload is recorded before the pass looks for what it did not see.
TEST_CASE("reconcile keeps a file whose upload finished while the listing was on its way") {
  VfsFixture f;
  const Ino ino = f.make_file(kRootIno, "new.txt", "uploaded meanwhile").attr.ino;
  f.expire_listings();
  f.store->after_list = [&] {
    f.store->after_list = nullptr;
    f.now_ns += 1'000'000;  // the upload ends a moment after the listing's answer
    f.put_remote("new.txt", "uploaded meanwhile");  // what syncd's upload does, then records
    auto object = f.store->head("new.txt");
    REQUIRE(object.is_ok());
    auto rec = f.index->get(ino);
    REQUIRE(rec.is_ok());
    REQUIRE(f.index
                ->mark_synced(ino, rec->local_gen,
                              index::RemoteVersion{.key = "new.txt",
                                                   .etag = object->etag,
                                                   .version = "",
                                                   .size = object->size,
                                                   .mtime_ns = rec->mtime_ns})
                .is_ok());
  };
  CHECK(list(f, kRootIno) == std::map<std::string, mode_t>{{"new.txt", S_IFREG}});
  CHECK(f.vfs->getattr(ino)->nlink == 1);
  CHECK(f.read_all(ino) == "uploaded meanwhile");

  f.remove_remote("new.txt");  // a later listing that does not show it removes it
  f.expire_listings();
  CHECK(list(f, kRootIno).empty());
}

TEST_CASE("an empty clean directory that vanished from the store goes too") {
  VfsFixture f;
  f.put_remote("d/", "");
  const Ino d = f.lookup_ino(kRootIno, "d");
  CHECK(list(f, d).empty());
  f.remove_remote("d/");
  f.expire_listings();
  CHECK(f.vfs->lookup(f.who, kRootIno, "d").status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("readdir resumes from a cookie") {
  VfsFixture f;
  for (const char* name : {"1", "2", "3"})
    f.make_file(kRootIno, name, "");
  auto handle = f.vfs->opendir(f.who, kRootIno);
  REQUIRE(handle.is_ok());
  std::vector<DirEntry> seen;
  auto take_two = [&](const DirEntry& e) {
    seen.push_back(e);
    return seen.size() % 2 != 0;
  };
  REQUIRE(f.vfs->readdir(kRootIno, *handle, 0, take_two).is_ok());
  REQUIRE(seen.size() == 2);
  REQUIRE(f.vfs->readdir(kRootIno, *handle, seen.back().cookie, take_two).is_ok());
  REQUIRE(f.vfs->readdir(kRootIno, *handle, seen.back().cookie, take_two).is_ok());
  std::vector<std::string> names;
  names.reserve(seen.size());
  for (const auto& e : seen)
    names.push_back(e.name);
  CHECK(names == std::vector<std::string>{".", "..", "1", "2", "3"});
  REQUIRE(f.vfs->releasedir(kRootIno, *handle).is_ok());
}

TEST_CASE("readdirplus gives each child its attributes and a lookup reference") {
  VfsFixture f;
  constexpr int kFiles = 300;  // more than one batch of attributes
  for (int i = 0; i < kFiles; ++i)
    f.make_file(kRootIno, fmt::format("f{:03}", i), std::string(static_cast<size_t>(i), 'x'));
  auto handle = f.vfs->opendir(f.who, kRootIno);
  REQUIRE(handle.is_ok());
  // Removed and replaced after opendir: the page still names them, the answer must not.
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "f001").is_ok());
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "f002").is_ok());
  const Ino replaced = f.make_file(kRootIno, "f002", "new").attr.ino;
  // Calls of 100 entries, as replies that fill up: the 101st is refused (and its reference
  // dropped, as the FUSE adapter does) and comes first in the next call.
  std::vector<std::pair<DirEntry, Result<Entry>>> seen;
  uint64_t cookie = 0;
  for (int call = 0; call < 4; ++call) {
    int taken = 0;
    REQUIRE(f.vfs
                ->readdirplus(f.who, kRootIno, *handle, cookie,
                              [&](const DirEntry& e, const Result<Entry>& found) {
                                if (taken++ < 100) {
                                  seen.emplace_back(e, found);
                                  cookie = e.cookie;
                                  return true;
                                }
                                if (found.is_ok()) f.vfs->forget(found->attr.ino, 1);
                                return false;
                              })
                .is_ok());
  }
  REQUIRE(f.vfs->releasedir(kRootIno, *handle).is_ok());
  REQUIRE(seen.size() == kFiles + 2);
  CHECK(seen[0].first.name == ".");
  CHECK(!seen[0].second.is_ok());
  CHECK(seen[1].first.name == "..");
  CHECK(!seen[1].second.is_ok());
  CHECK(seen[3].first.name == "f001");
  CHECK(seen[3].second.status().is(ErrorKind::kNotFound));
  CHECK(seen[4].first.name == "f002");
  REQUIRE(seen[4].second.is_ok());
  CHECK(seen[4].second->attr.ino == replaced);
  CHECK(seen[4].first.ino == replaced);
  for (size_t i = 5; i < seen.size(); ++i) {
    const auto& [entry, found] = seen[i];
    REQUIRE(found.is_ok());
    CHECK(entry.name == fmt::format("f{:03}", i - 2));
    CHECK(found->attr.ino == entry.ino);
    CHECK(found->attr.size == i - 2);
    CHECK(entry.cookie == i + 1);
  }
  // Each entry replied holds one reference: f250 unlinked stays until it is forgotten.
  const Ino f250 = seen[252].second->attr.ino;
  REQUIRE(f.vfs->unlink(f.who, kRootIno, "f250").is_ok());
  f.vfs->forget(f250, 1);  // the create's reference
  CHECK(f.vfs->getattr(f250).is_ok());
  f.vfs->forget(f250, 1);  // readdirplus's
  CHECK(f.vfs->getattr(f250).status().is(ErrorKind::kNotFound));
}

TEST_CASE("offline listing serves what the index has") {
  VfsFixture f;
  f.put_remote("a.txt", "a");
  list(f, kRootIno);
  f.store->offline = true;
  f.expire_listings();
  CHECK(list(f, kRootIno) == std::map<std::string, mode_t>{{"a.txt", S_IFREG}});
  const int lists = f.store->lists;
  CHECK(f.vfs->lookup(f.who, kRootIno, "a.txt").is_ok());
  CHECK(f.store->lists == lists);  // not asked again right away

  f.store->offline = false;  // back online, and offline_retry later: listed again
  f.put_remote("b.txt", "b");
  f.now_ns += 6'000'000'000;
  CHECK(f.vfs->lookup(f.who, kRootIno, "b.txt").is_ok());
  CHECK(f.store->lists == lists + 1);
}

}  // namespace
}  // namespace autosync::vfs
