// CacheVfs files: write and read back, reads of data only the store has (fetched once,
// then local), read-ahead, offline reads, truncate, and when uploads are journaled.
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "tests/unit/vfs/vfs_test_util.h"

namespace autosync::vfs {
namespace {

using index::JournalOp;
using testing::VfsFixture;

TEST_CASE("create, write and read back") {
  VfsFixture f;
  auto made = f.vfs->create(f.who, kRootIno, "hello.txt", 0644, O_RDWR | O_CREAT);
  REQUIRE(made.is_ok());
  auto& [entry, reply] = *made;
  CHECK(S_ISREG(entry.attr.mode));
  const Ino ino = entry.attr.ino;
  REQUIRE(f.vfs->write(ino, reply.handle, 0, std::string_view("hello ")).is_ok());
  REQUIRE(f.vfs->write(ino, reply.handle, 6, std::string_view("world")).is_ok());
  std::string buf(64, '\0');
  auto got = f.vfs->read(ino, reply.handle, 0, buf);
  REQUIRE(got.is_ok());
  CHECK(buf.substr(0, *got) == "hello world");
  CHECK(f.vfs->getattr(ino)->size == 11);
  CHECK(f.store->gets == 0);  // a local file never asks the store

  // Still open for writing: nothing journaled yet.
  CHECK(f.journal().empty());
  REQUIRE(f.vfs->flush(ino, reply.handle).is_ok());
  CHECK(f.journal().empty());
  REQUIRE(f.vfs->release(ino, reply.handle).is_ok());
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(rows[0].key == "hello.txt");
  CHECK(rows[0].gen == f.index->get(ino)->local_gen);
  CHECK(f.notifier.rings >= 1);
  CHECK(f.read_all(ino) == "hello world");
}

TEST_CASE("an empty new file is journaled with an (empty) content file to upload") {
  VfsFixture f;
  auto entry = f.make_file(kRootIno, "empty.txt", "");
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  auto reader = f.content->open_reader(entry.attr.ino);
  REQUIRE(reader.is_ok());
  CHECK(std::filesystem::file_size(f.content->path_of(entry.attr.ino)) == 0);
}

TEST_CASE("the upload is journaled at the last writer's release") {
  VfsFixture f;
  auto entry = f.make_file(kRootIno, "f.txt", "");
  const Ino ino = entry.attr.ino;
  const auto base = f.journal().size();
  auto first = f.vfs->open(f.who, ino, O_WRONLY);
  auto second = f.vfs->open(f.who, ino, O_WRONLY);
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  REQUIRE(f.vfs->write(ino, first->handle, 0, std::string_view("abc")).is_ok());
  REQUIRE(f.vfs->release(ino, first->handle).is_ok());
  CHECK(f.notifier.rings == static_cast<int>(base));  // the other writer still has it
  REQUIRE(f.vfs->release(ino, second->handle).is_ok());
  CHECK(f.notifier.rings == static_cast<int>(base) + 1);
  auto rows = f.journal();
  REQUIRE(!rows.empty());
  CHECK(rows.back().op == JournalOp::kUpload);
  CHECK(rows.back().gen == f.index->get(ino)->local_gen);
}

TEST_CASE("fsync journals the upload durably while the file stays open") {
  VfsFixture f;
  auto made = f.vfs->create(f.who, kRootIno, "s.txt", 0644, O_WRONLY | O_CREAT);
  REQUIRE(made.is_ok());
  const Ino ino = made->first.attr.ino;
  const Handle h = made->second.handle;
  REQUIRE(f.vfs->write(ino, h, 0, std::string_view("sync me")).is_ok());
  REQUIRE(f.vfs->fsync(ino, h, false).is_ok());
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  REQUIRE(f.vfs->release(ino, h).is_ok());  // nothing new written: no second row
  CHECK(f.journal().size() == 1);
}

TEST_CASE("a file only on the store is fetched once, then served locally") {
  VfsFixture f;
  f.put_remote("remote.txt", "bytes from the store");
  auto entry = f.vfs->lookup(f.who, kRootIno, "remote.txt");
  REQUIRE(entry.is_ok());
  const Ino ino = entry->attr.ino;
  CHECK(entry->attr.size == 20);
  CHECK(entry->attr.blocks == 0);  // nothing cached yet
  CHECK(f.read_all(ino) == "bytes from the store");
  CHECK(f.store->gets == 1);
  CHECK(f.read_all(ino) == "bytes from the store");
  CHECK(f.store->gets == 1);  // the second read was local
  CHECK(f.vfs->getattr(ino)->blocks > 0);
  CHECK(f.journal().empty());  // reading changes nothing on the store
}

TEST_CASE("a clean file whose content file lost bytes is fetched again, never read as zeros") {
  // What a daemon's eviction cut short by a crash leaves: ranges over an emptied file.
  VfsFixture f;
  f.put_remote("remote.txt", "bytes from the store");
  const Ino ino = f.lookup_ino(kRootIno, "remote.txt");
  REQUIRE(f.read_all(ino) == "bytes from the store");
  std::filesystem::resize_file(f.content->path_of(ino), 5);
  CHECK(f.read_all(ino) == "bytes from the store");
  CHECK(f.store->gets == 2);
  CHECK(f.read_all(ino) == "bytes from the store");
  CHECK(f.store->gets == 2);  // healed: local again
}

TEST_CASE("a dirty file's bytes past its content file are a hole and read as zeros") {
  VfsFixture f;
  const Entry e = f.make_file(kRootIno, "grown.txt", "abc");
  SetAttr grow;
  grow.size = 6;
  REQUIRE(f.vfs->setattr(f.who, e.attr.ino, grow, std::nullopt).is_ok());
  CHECK(f.read_all(e.attr.ino) == std::string("abc\0\0\0", 6));
  CHECK(f.store->gets == 0);
}

TEST_CASE("reads fetch only the gaps, and a sequential reader reads ahead") {
  VfsFixture f;
  std::string body(100'000, '\0');
  for (size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>('a' + i % 26);
  f.put_remote("big.bin", body);
  auto opts = f.options;
  opts.read_ahead = 10'000;
  CacheVfs vfs(*f.index, *f.content, *f.store, f.notifier, opts);
  auto entry = vfs.lookup(f.who, kRootIno, "big.bin");
  REQUIRE(entry.is_ok());
  const Ino ino = entry->attr.ino;
  auto opened = vfs.open(f.who, ino, O_RDONLY);
  REQUIRE(opened.is_ok());
  std::string buf(1000, '\0');

  // A random read at 50,000 fetches just that range, pinned to the object's etag.
  REQUIRE(vfs.read(ino, opened->handle, 50'000, buf).is_ok());
  CHECK(buf == body.substr(50'000, 1000));
  REQUIRE(f.store->ranges.size() == 1);
  CHECK(f.store->ranges[0].offset == 50'000);
  CHECK(f.store->ranges[0].length == 1000);

  // The next read continues there: sequential, so 10,000 more come with it.
  REQUIRE(vfs.read(ino, opened->handle, 51'000, buf).is_ok());
  CHECK(buf == body.substr(51'000, 1000));
  REQUIRE(f.store->ranges.size() == 2);
  CHECK(f.store->ranges[1].length == 11'000);
  REQUIRE(vfs.read(ino, opened->handle, 52'000, buf).is_ok());
  CHECK(buf == body.substr(52'000, 1000));
  REQUIRE(vfs.read(ino, opened->handle, 60'000, buf).is_ok());
  CHECK(buf == body.substr(60'000, 1000));
  CHECK(f.store->gets == 2);  // inside the read-ahead window: local
  REQUIRE(vfs.read(ino, opened->handle, 61'000, buf).is_ok());
  CHECK(f.store->gets == 2);
  // Past the window: the next fetch brings the read and another window (the jump to 60,000
  // broke the streak, so it is back to the minimum; a long streak grows it up to 64 MiB).
  REQUIRE(vfs.read(ino, opened->handle, 62'000, buf).is_ok());
  CHECK(buf == body.substr(62'000, 1000));
  REQUIRE(f.store->ranges.size() == 3);
  CHECK(f.store->ranges[2].offset == 62'000);
  CHECK(f.store->ranges[2].length == 11'000);
  REQUIRE(vfs.release(ino, opened->handle).is_ok());
}

TEST_CASE("a large fetch runs as parallel ranged gets that together cover it") {
  VfsFixture f;
  std::string body(40 << 20, '\0');
  for (size_t i = 0; i < body.size(); i += 4096)
    body[i] = static_cast<char>('a' + (i / 4096) % 26);
  f.put_remote("huge.bin", body);
  auto opts = f.options;
  opts.read_ahead = 32 << 20;
  CacheVfs vfs(*f.index, *f.content, *f.store, f.notifier, opts);
  const Ino ino = vfs.lookup(f.who, kRootIno, "huge.bin")->attr.ino;
  auto opened = vfs.open(f.who, ino, O_RDONLY);
  REQUIRE(opened.is_ok());
  std::string buf(1 << 20, '\0');
  REQUIRE(vfs.read(ino, opened->handle, 0, buf).is_ok());  // 1 MiB + 32 MiB ahead
  CHECK(buf == body.substr(0, 1 << 20));
  REQUIRE(f.store->ranges.size() == 4);
  uint64_t next = 0;
  std::sort(f.store->ranges.begin(), f.store->ranges.end(),
            [](const auto& a, const auto& b) { return a.offset < b.offset; });
  for (const auto& range : f.store->ranges) {
    CHECK(range.offset == next);
    next = range.offset + range.length;
  }
  CHECK(next == (33u << 20));
  const int gets = f.store->gets;
  for (uint64_t at = 1 << 20; at < (33u << 20); at += buf.size()) {
    REQUIRE(vfs.read(ino, opened->handle, at, buf).is_ok());
    REQUIRE(buf == body.substr(at, buf.size()));
  }
  CHECK(f.store->gets == gets);  // all of it was local
  REQUIRE(vfs.release(ino, opened->handle).is_ok());
}

TEST_CASE("offline: cached data is still served, uncached data fails transiently") {
  VfsFixture f;
  f.put_remote("cached.txt", "kept locally");
  f.put_remote("uncached.txt", "never read");
  const Ino cached = f.lookup_ino(kRootIno, "cached.txt");
  const Ino uncached = f.lookup_ino(kRootIno, "uncached.txt");
  REQUIRE(f.read_all(cached) == "kept locally");

  f.store->offline = true;
  f.expire_listings();  // the listing is stale, but the store cannot be asked
  CHECK(f.lookup_ino(kRootIno, "cached.txt") == cached);
  CHECK(f.read_all(cached) == "kept locally");
  auto opened = f.vfs->open(f.who, uncached, O_RDONLY);
  REQUIRE(opened.is_ok());
  std::string buf(10, '\0');
  CHECK(f.vfs->read(uncached, opened->handle, 0, buf).status().kind() == ErrorKind::kTransient);
  REQUIRE(f.vfs->release(uncached, opened->handle).is_ok());
}

TEST_CASE("writing into a stored file fetches the rest before the upload") {
  VfsFixture f;
  f.put_remote("doc.txt", "0123456789");
  const Ino ino = f.lookup_ino(kRootIno, "doc.txt");
  auto opened = f.vfs->open(f.who, ino, O_WRONLY);
  REQUIRE(opened.is_ok());
  REQUIRE(f.vfs->write(ino, opened->handle, 2, std::string_view("ab")).is_ok());
  CHECK(f.store->gets == 0);
  REQUIRE(f.vfs->release(ino, opened->handle).is_ok());
  CHECK(f.store->gets == 2);  // both untouched parts came down before journaling
  auto ranges = f.index->load_ranges(ino);
  REQUIRE(ranges.is_ok());
  CHECK(ranges->contains(0, 10));
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kUpload);
  CHECK(!rows[0].base_etag.empty());  // conditional on the version it was based on
  f.store->offline = true;
  CHECK(f.read_all(ino) == "01ab456789");
  CHECK(std::filesystem::file_size(f.content->path_of(ino)) == 10);  // what syncd uploads
}

TEST_CASE("truncate and O_TRUNC change the size and journal an upload") {
  VfsFixture f;
  auto entry = f.make_file(kRootIno, "t.txt", "abcdefgh");
  const Ino ino = entry.attr.ino;
  SetAttr shrink;
  shrink.size = 3;
  auto attr = f.vfs->setattr(f.who, ino, shrink, std::nullopt);
  REQUIRE(attr.is_ok());
  CHECK(attr->size == 3);
  CHECK(f.read_all(ino) == "abc");
  SetAttr grow;
  grow.size = 5;
  REQUIRE(f.vfs->setattr(f.who, ino, grow, std::nullopt).is_ok());
  CHECK(f.read_all(ino) == std::string("abc\0\0", 5));

  auto opened = f.vfs->open(f.who, ino, O_WRONLY | O_TRUNC);
  REQUIRE(opened.is_ok());
  CHECK(f.vfs->getattr(ino)->size == 0);
  REQUIRE(f.vfs->release(ino, opened->handle).is_ok());
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);  // every upload merged into the pending one
  CHECK(rows[0].gen == f.index->get(ino)->local_gen);
}

TEST_CASE("chmod of a stored file journals a metadata change") {
  VfsFixture f;
  f.put_remote("m.txt", "m");
  const Ino ino = f.lookup_ino(kRootIno, "m.txt");
  SetAttr chmod;
  chmod.mode = 0600;
  Caller owner = f.who;
  auto attr = f.vfs->setattr(owner, ino, chmod, std::nullopt);
  REQUIRE(attr.is_ok());
  CHECK((attr->mode & 07777) == 0600);
  CHECK(S_ISREG(attr->mode));
  auto rows = f.journal();
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].op == JournalOp::kSetMeta);
  CHECK(rows[0].key == "m.txt");

  Caller stranger = f.who;
  stranger.uid = 4242;
  CHECK(f.vfs->setattr(stranger, ino, chmod, std::nullopt).status().kind() ==
        ErrorKind::kNotPermitted);
}

// Reopens `ino` read-only and tells whether the kernel may keep its pages.
bool reopen_keeps_cache(VfsFixture& f, Ino ino) {
  auto opened = f.vfs->open(f.who, ino, O_RDONLY);
  REQUIRE(opened.is_ok());
  REQUIRE(f.vfs->release(ino, opened->handle).is_ok());
  return opened->keep_cache;
}

TEST_CASE("keep_cache while the kernel's pages hold the file: unchanged, or changed only here") {
  VfsFixture f;
  const Ino ino = f.make_file(kRootIno, "k.txt", "v1").attr.ino;
  CHECK(reopen_keeps_cache(f, ino));  // created and written here

  // Writes and truncates made here went through the kernel's pages.
  auto writer = f.vfs->open(f.who, ino, O_RDWR);
  REQUIRE(writer.is_ok());
  CHECK(writer->keep_cache);
  f.now_ns += 5'000'000'000;
  REQUIRE(f.vfs->write(ino, writer->handle, 0, std::string_view("v2, longer")).is_ok());
  SetAttr cut;
  cut.size = 6;
  REQUIRE(f.vfs->setattr(f.who, ino, cut, writer->handle).is_ok());
  REQUIRE(f.vfs->release(ino, writer->handle).is_ok());
  CHECK(reopen_keeps_cache(f, ino));

  SECTION("this client's upload of those bytes keeps them") {
    f.record_upload(ino, "k.txt", "etag-ours", true);
    CHECK(reopen_keeps_cache(f, ino));
  }
  SECTION("a new ETag this client did not upload drops them, even at the same size and mtime") {
    f.record_upload(ino, "k.txt", "etag-theirs", false);
    CHECK(!reopen_keeps_cache(f, ino));
  }
  SECTION("a renewed kernel inode drops them") {
    f.record_upload(ino, "k.txt", "etag-ours", true);
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    REQUIRE(txn->renew_kernel_inode(ino).is_ok());
    REQUIRE(txn->commit().is_ok());
    CHECK(!reopen_keeps_cache(f, ino));
  }
  SECTION("a change taken from a listing drops them, open or not") {
    auto reader = f.vfs->open(f.who, ino, O_RDONLY);
    REQUIRE(reader.is_ok());
    f.record_upload(ino, "k.txt", "etag-ours", true);
    const auto before = f.index->get(ino);
    REQUIRE(before.is_ok());
    // Another client's bytes, of the same size and mtime (whole seconds, as s3fs writes it).
    REQUIRE(before->mtime_ns % 1'000'000'000 == 0);
    f.put_remote("k.txt", "v3 abc", {{"mtime", std::to_string(before->mtime_ns / 1'000'000'000)}});
    f.expire_listings();
    REQUIRE(f.vfs->lookup(f.who, kRootIno, "k.txt").is_ok());
    REQUIRE(f.vfs->release(ino, reader->handle).is_ok());
    const auto after = f.index->get(ino);
    REQUIRE(after.is_ok());
    CHECK(after->remote->etag != "etag-ours");
    CHECK(after->size == before->size);
    CHECK(after->mtime_ns == before->mtime_ns);
    CHECK(!reopen_keeps_cache(f, ino));
  }
}

TEST_CASE("open reports the inode's generation, so a kernel inode older than it is caught") {
  // The fs adapter compares it with the generation its last entry reply gave the kernel
  // (fs/kernel_generations.h): a file renewed since opens on a new kernel inode.
  VfsFixture f;
  const Ino ino = f.make_file(kRootIno, "g.txt", "v1").attr.ino;
  const uint64_t before = f.vfs->lookup(f.who, kRootIno, "g.txt")->generation;
  auto first = f.vfs->open(f.who, ino, O_RDONLY);
  REQUIRE(first.is_ok());
  CHECK(first->generation == before);
  REQUIRE(f.vfs->release(ino, first->handle).is_ok());
  {
    auto txn = f.index->write();
    REQUIRE(txn.is_ok());
    REQUIRE(txn->renew_kernel_inode(ino).is_ok());  // as a remote change does
    REQUIRE(txn->commit().is_ok());
  }
  auto second = f.vfs->open(f.who, ino, O_RDONLY);
  REQUIRE(second.is_ok());
  CHECK(second->generation == before + 1);
  CHECK(f.vfs->lookup(f.who, kRootIno, "g.txt")->generation == before + 1);
  REQUIRE(f.vfs->release(ino, second->handle).is_ok());
}

TEST_CASE("user xattrs are kept, other namespaces are refused") {
  VfsFixture f;
  auto entry = f.make_file(kRootIno, "x.txt", "");
  const Ino ino = entry.attr.ino;
  REQUIRE(f.vfs->setxattr(ino, "user.color", std::string_view("blue"), 0).is_ok());
  CHECK(*f.vfs->getxattr(ino, "user.color") == "blue");
  CHECK(*f.vfs->listxattr(ino) == std::vector<std::string>{"user.color"});
  CHECK(f.vfs->setxattr(ino, "trusted.x", std::string_view("v"), 0).kind() ==
        ErrorKind::kUnsupported);
  CHECK(f.vfs->removexattr(ino, "security.selinux").kind() == ErrorKind::kUnsupported);
  CHECK(f.vfs->setxattr(ino, "user.", std::string_view("v"), 0).kind() == ErrorKind::kInvalid);
  REQUIRE(f.vfs->removexattr(ino, "user.color").is_ok());
  CHECK(f.vfs->getxattr(ino, "user.color").status().kind() == ErrorKind::kNoAttribute);
}

TEST_CASE("getxattr of other namespaces answers not-supported without the index") {
  VfsFixture f;
  const Ino ino = f.make_file(kRootIno, "x.txt", "").attr.ino;
  for (const char* name : {"security.capability", "system.posix_acl_access", "trusted.x"}) {
    CHECK(f.vfs->getxattr(ino, name).status().kind() == ErrorKind::kUnsupported);
    // An inode the index has never seen gets the same answer: the index was not asked.
    CHECK(f.vfs->getxattr(987654, name).status().kind() == ErrorKind::kUnsupported);
  }
  CHECK(f.vfs->getxattr(987654, "user.x").status().kind() == ErrorKind::kNotFound);
}

TEST_CASE("statfs reports the cache directory's file system") {
  VfsFixture f;
  auto stats = f.vfs->statfs(kRootIno);
  REQUIRE(stats.is_ok());
  CHECK(stats->blocks > 0);
  CHECK(stats->name_max == 255);
}

}  // namespace
}  // namespace autosync::vfs

namespace autosync::vfs {
namespace {

TEST_CASE("concurrent readers of one uncached file fetch it once") {
  testing::VfsFixture f;
  std::string body(1 << 20, '\0');
  for (size_t i = 0; i < body.size(); ++i)
    body[i] = static_cast<char>(i * 7 % 251);
  f.put_remote("shared.bin", body);
  const Ino ino = f.lookup_ino(kRootIno, "shared.bin");
  std::vector<std::string> seen(4);
  std::vector<Status> errors(4);
  {
    std::vector<std::jthread> readers;
    for (size_t t = 0; t < seen.size(); ++t) {
      readers.emplace_back([&, t] {
        auto opened = f.vfs->open(f.who, ino, O_RDONLY);
        if (!opened.is_ok()) {
          errors[t] = opened.status();
          return;
        }
        std::string chunk(64 << 10, '\0');
        for (uint64_t off = 0; off < body.size(); off += chunk.size()) {
          auto got = f.vfs->read(ino, opened->handle, off, chunk);
          if (!got.is_ok()) {
            errors[t] = got.status();
            break;
          }
          seen[t].append(chunk.data(), *got);
        }
        errors[t] = f.vfs->release(ino, opened->handle);
      });
    }
  }
  for (size_t t = 0; t < seen.size(); ++t) {
    INFO(errors[t].to_string());
    CHECK(errors[t].is_ok());
    CHECK(seen[t] == body);
  }
  CHECK(f.store->gets == 1);  // the first reader's read-ahead covered the whole file
}

}  // namespace
}  // namespace autosync::vfs
