// MemoryVfs on its own: lookup counting and reclaim, readdir cookies, rename's link
// counts, and the errors the adapter tests rely on.
#include "tests/support/memory_vfs.h"

#include <fcntl.h>
#include <stdio.h>  // RENAME_*
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <set>
#include <string>

namespace autosync::testing {
namespace {

using vfs::Ino;

const vfs::Caller kCaller{.uid = 1000, .gid = 1000, .pid = 1, .umask = 022};

Ino make_file(MemoryVfs& fs, Ino parent, const std::string& name) {
  auto made = fs.create(kCaller, parent, name, S_IFREG | 0644, O_WRONLY);
  REQUIRE(made.is_ok());
  REQUIRE(fs.release(made->first.attr.ino, made->second.handle).is_ok());
  return made->first.attr.ino;
}

std::vector<vfs::DirEntry> list(MemoryVfs& fs, Ino dir, uint64_t cookie, size_t max) {
  auto handle = fs.opendir(kCaller, dir);
  REQUIRE(handle.is_ok());
  std::vector<vfs::DirEntry> out;
  REQUIRE(fs.readdir(dir, *handle, cookie, [&](const vfs::DirEntry& e) {
              if (out.size() == max) return false;
              out.push_back(e);
              return true;
            }).is_ok());
  REQUIRE(fs.releasedir(dir, *handle).is_ok());
  return out;
}

TEST_CASE("an inode lives until it has no name, no reference and no handle", "[memory_vfs]") {
  MemoryVfs fs;
  auto made = fs.create(kCaller, vfs::kRootIno, "f", S_IFREG | 0644, O_RDWR);
  REQUIRE(made.is_ok());
  const Ino ino = made->first.attr.ino;
  CHECK(made->first.attr.uid == 1000);
  CHECK(fs.lookup_count(ino) == 1);
  REQUIRE(fs.lookup(kCaller, vfs::kRootIno, "f").is_ok());
  CHECK(fs.lookup_count(ino) == 2);

  REQUIRE(fs.unlink(kCaller, vfs::kRootIno, "f").is_ok());
  CHECK(fs.contains(ino));
  fs.forget(ino, 2);
  CHECK(fs.contains(ino));  // still open
  CHECK(fs.write(ino, made->second.handle, 0, std::string_view("abc")).is_ok());
  REQUIRE(fs.release(ino, made->second.handle).is_ok());
  CHECK_FALSE(fs.contains(ino));
  CHECK(fs.open_handle_count() == 0);
}

TEST_CASE("readdir cookies survive entries coming and going", "[memory_vfs]") {
  MemoryVfs fs;
  for (const char* name : {"a", "b", "c", "d"})
    make_file(fs, vfs::kRootIno, name);
  const auto first = list(fs, vfs::kRootIno, 0, 4);  // ".", "..", a, b
  REQUIRE(first.size() == 4);
  CHECK(first[0].name == ".");
  CHECK(first[1].name == "..");
  CHECK(first[1].ino == vfs::kRootIno);
  // Remove what was already listed and add a name: the rest continue from the cookie.
  REQUIRE(fs.unlink(kCaller, vfs::kRootIno, "a").is_ok());
  REQUIRE(fs.unlink(kCaller, vfs::kRootIno, "b").is_ok());
  make_file(fs, vfs::kRootIno, "e");
  std::set<std::string> rest;
  for (const auto& e : list(fs, vfs::kRootIno, first.back().cookie, 100))
    rest.insert(e.name);
  CHECK(rest == std::set<std::string>{"c", "d", "e"});
}

TEST_CASE("directory link counts follow mkdir, rmdir, rename and exchange", "[memory_vfs]") {
  MemoryVfs fs;
  auto a = fs.mkdir(kCaller, vfs::kRootIno, "a", 0755);
  auto b = fs.mkdir(kCaller, vfs::kRootIno, "b", 0755);
  REQUIRE(a.is_ok());
  REQUIRE(b.is_ok());
  CHECK(fs.getattr(vfs::kRootIno)->nlink == 4);
  REQUIRE(fs.mkdir(kCaller, a->attr.ino, "sub", 0755).is_ok());
  CHECK(fs.getattr(a->attr.ino)->nlink == 3);
  REQUIRE(fs.rename(kCaller, a->attr.ino, "sub", b->attr.ino, "sub", 0).is_ok());
  CHECK(fs.getattr(a->attr.ino)->nlink == 2);
  CHECK(fs.getattr(b->attr.ino)->nlink == 3);
  make_file(fs, a->attr.ino, "f");
  REQUIRE(fs.rename(kCaller, a->attr.ino, "f", b->attr.ino, "sub", RENAME_EXCHANGE).is_ok());
  CHECK(fs.getattr(a->attr.ino)->nlink == 3);
  CHECK(fs.getattr(b->attr.ino)->nlink == 2);
  REQUIRE(fs.rmdir(kCaller, a->attr.ino, "f").is_ok());
  CHECK(fs.getattr(a->attr.ino)->nlink == 2);
}

TEST_CASE("the errors the adapter maps", "[memory_vfs]") {
  MemoryVfs fs;
  const Ino file = make_file(fs, vfs::kRootIno, "file");
  REQUIRE(fs.mkdir(kCaller, vfs::kRootIno, "dir", 0755).is_ok());
  CHECK(fs.lookup(kCaller, vfs::kRootIno, "none").status().is(ErrorKind::kNotFound));
  CHECK(fs.lookup(kCaller, file, "x").status().is(ErrorKind::kNotDirectory));
  CHECK(fs.lookup(kCaller, vfs::kRootIno, std::string(256, 'n'))
            .status()
            .is(ErrorKind::kNameTooLong));
  CHECK(fs.create(kCaller, vfs::kRootIno, "file", 0644, O_CREAT | O_EXCL)
            .status()
            .is(ErrorKind::kAlreadyExists));
  CHECK(fs.unlink(kCaller, vfs::kRootIno, "dir").is(ErrorKind::kIsDirectory));
  CHECK(fs.rmdir(kCaller, vfs::kRootIno, "file").is(ErrorKind::kNotDirectory));
  CHECK(fs.link(kCaller, file, vfs::kRootIno, "again").status().is(ErrorKind::kUnsupported));
  CHECK(fs.rename(kCaller, vfs::kRootIno, "file", vfs::kRootIno, "dir", 0)
            .is(ErrorKind::kIsDirectory));
  CHECK(fs.rename(kCaller, vfs::kRootIno, "file", vfs::kRootIno, "dir", RENAME_NOREPLACE)
            .is(ErrorKind::kAlreadyExists));
  CHECK(fs.readlink(file).status().is(ErrorKind::kInvalid));
  CHECK(fs.getxattr(file, "user.none").status().is(ErrorKind::kNoAttribute));
  CHECK(fs.setxattr(file, "trusted.x", std::string_view("v"), 0).is(ErrorKind::kUnsupported));
  CHECK(fs.setxattr(file, "user.big", std::string(MemoryVfs::kMaxXattrValue + 1, 'v'), 0)
            .is(ErrorKind::kTooBig));
  auto opened = fs.open(kCaller, file, O_WRONLY);
  REQUIRE(opened.is_ok());
  CHECK(fs.write(file, opened->handle, MemoryVfs::kMaxFileSize, std::string_view("x"))
            .status()
            .is(ErrorKind::kTooBig));
  CHECK(
      fs.read(file, opened->handle + 1000, 0, std::span<char>()).status().is(ErrorKind::kInvalid));
  REQUIRE(fs.release(file, opened->handle).is_ok());
}

TEST_CASE("O_APPEND and O_TRUNC", "[memory_vfs]") {
  MemoryVfs fs;
  const Ino file = make_file(fs, vfs::kRootIno, "f");
  auto writer = fs.open(kCaller, file, O_WRONLY);
  REQUIRE(writer.is_ok());
  REQUIRE(fs.write(file, writer->handle, 0, std::string_view("hello")).is_ok());
  auto appender = fs.open(kCaller, file, O_WRONLY | O_APPEND);
  REQUIRE(appender.is_ok());
  REQUIRE(fs.write(file, appender->handle, 0, std::string_view("!")).is_ok());
  CHECK(fs.getattr(file)->size == 6);
  auto truncating = fs.open(kCaller, file, O_WRONLY | O_TRUNC);
  REQUIRE(truncating.is_ok());
  CHECK(fs.getattr(file)->size == 0);
  for (auto h : {writer->handle, appender->handle, truncating->handle}) {
    REQUIRE(fs.release(file, h).is_ok());
  }
}

}  // namespace
}  // namespace autosync::testing
