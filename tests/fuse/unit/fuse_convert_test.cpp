// The pure translations between kernel structures and Vfs types.
#include "fs/fuse_convert.h"

#include <fcntl.h>

#include <catch2/catch.hpp>

namespace autosync::fs {
namespace {

TEST_CASE("setattr takes only the fields to_set names", "[convert]") {
  struct stat st {};
  st.st_mode = S_IFREG | 0640;
  st.st_uid = 7;
  st.st_gid = 8;
  st.st_size = 99;
  st.st_atim = {100, 1};
  st.st_mtim = {200, 2};

  const vfs::SetAttr none = to_set_attr(st, 0);
  CHECK_FALSE(none.mode);
  CHECK_FALSE(none.uid);
  CHECK_FALSE(none.gid);
  CHECK_FALSE(none.size);
  CHECK_FALSE(none.atime);
  CHECK_FALSE(none.mtime);
  CHECK_FALSE(none.atime_now);
  CHECK_FALSE(none.mtime_now);

  const vfs::SetAttr all =
      to_set_attr(st, FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
                          FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME);
  CHECK(all.mode == (S_IFREG | 0640));
  CHECK(all.uid == 7u);
  CHECK(all.gid == 8u);
  CHECK(all.size == 99u);
  REQUIRE(all.atime);
  CHECK(all.atime->sec == 100);
  CHECK(all.atime->nsec == 1);
  REQUIRE(all.mtime);
  CHECK(all.mtime->sec == 200);
  CHECK(all.mtime->nsec == 2);
}

TEST_CASE("setattr: *_NOW wins over the given time", "[convert]") {
  struct stat st {};
  const vfs::SetAttr now = to_set_attr(st, FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_ATIME_NOW |
                                               FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_MTIME_NOW);
  CHECK(now.atime_now);
  CHECK(now.mtime_now);
  CHECK_FALSE(now.atime);
  CHECK_FALSE(now.mtime);
  const vfs::SetAttr ctime_only = to_set_attr(st, FUSE_SET_ATTR_CTIME);
  CHECK_FALSE(ctime_only.mtime);
  CHECK_FALSE(ctime_only.mtime_now);
}

TEST_CASE("attributes become a struct stat and an entry", "[convert]") {
  vfs::Entry entry;
  entry.attr.ino = 42;
  entry.attr.mode = S_IFDIR | 0755;
  entry.attr.nlink = 3;
  entry.attr.uid = 1;
  entry.attr.gid = 2;
  entry.attr.size = 4096;
  entry.attr.blocks = 8;
  entry.attr.mtime = {1'700'000'000, 5};
  entry.generation = 9;
  entry.attr_timeout = std::chrono::duration<double>(2.5);
  entry.entry_timeout = std::chrono::duration<double>(0.5);
  const fuse_entry_param param = to_entry_param(entry);
  CHECK(param.ino == 42);
  CHECK(param.generation == 9);
  CHECK(param.attr_timeout == 2.5);
  CHECK(param.entry_timeout == 0.5);
  CHECK(param.attr.st_ino == 42);
  CHECK(param.attr.st_mode == (S_IFDIR | 0755));
  CHECK(param.attr.st_nlink == 3);
  CHECK(param.attr.st_size == 4096);
  CHECK(param.attr.st_blocks == 8);
  CHECK(param.attr.st_mtim.tv_sec == 1'700'000'000);
  CHECK(param.attr.st_mtim.tv_nsec == 5);
}

TEST_CASE("file system numbers become a struct statvfs", "[convert]") {
  vfs::FsStats stats;
  stats.blocks = 100;
  stats.blocks_free = 40;
  stats.blocks_available = 30;
  stats.files = 10;
  stats.files_free = 4;
  const struct statvfs out = to_statvfs(stats);
  CHECK(out.f_bsize == 4096);
  CHECK(out.f_frsize == 4096);
  CHECK(out.f_blocks == 100);
  CHECK(out.f_bfree == 40);
  CHECK(out.f_bavail == 30);
  CHECK(out.f_files == 10);
  CHECK(out.f_ffree == 4);
  CHECK(out.f_namemax == 255);
}

TEST_CASE("with the writeback cache, opens are read-write and never append", "[convert]") {
  CHECK(vfs_open_flags(O_WRONLY | O_APPEND, false) == (O_WRONLY | O_APPEND));
  CHECK(vfs_open_flags(O_WRONLY | O_APPEND | O_TRUNC, true) == (O_RDWR | O_TRUNC));
  CHECK(vfs_open_flags(O_RDONLY, true) == O_RDONLY);
  CHECK(vfs_open_flags(O_RDWR | O_APPEND, true) == O_RDWR);
}

TEST_CASE("xattr names are joined with NULs", "[convert]") {
  CHECK(join_xattr_names({}).empty());
  CHECK(join_xattr_names({"user.a", "user.bc"}) == std::string("user.a\0user.bc\0", 15));
}

}  // namespace
}  // namespace autosync::fs
