// Remounts: a second stack over the same bucket with an EMPTY cache must show everything
// the first one wrote (and what other tools put there, with directories implied by keys),
// reading it from the store; with the WARM cache it left, nothing is downloaded again.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <thread>

#include "tests/stack/stack_fixture.h"
#include "tests/stack/sys_util.h"

namespace autosync::testing {
namespace {

using Keys = std::vector<std::string>;

std::unique_ptr<StackMount> mount_at(const TempDir& cache, const TempDir& mountpoint) {
  return open_mount(cache.path(), mountpoint.path());
}

// What the first mount writes under `dir`: path -> content.
std::map<std::string, std::string> write_tree(const TestDir& dir) {
  std::map<std::string, std::string> files = {
      {"small", "small file"},
      {"big", pattern(3 << 20, 11)},
      {"sub/nested", "nested file"},
      {"sub/deeper/leaf", "leaf"},
  };
  REQUIRE(::mkdir((dir.path / "sub").c_str(), 0755) == 0);
  REQUIRE(::mkdir((dir.path / "sub" / "deeper").c_str(), 0700) == 0);
  REQUIRE(::mkdir((dir.path / "empty").c_str(), 0755) == 0);
  for (const auto& [name, content] : files)
    write_file(dir.path / name, content);
  REQUIRE(::symlink("sub/nested", (dir.path / "link").c_str()) == 0);
  REQUIRE(::chmod((dir.path / "small").c_str(), 0640) == 0);
  const timespec times[2] = {{1400000000, 0}, {1500000000, 0}};
  REQUIRE(::utimensat(AT_FDCWD, (dir.path / "small").c_str(), times, 0) == 0);
  REQUIRE(::setxattr((dir.path / "small").c_str(), "user.tag", "v", 1, 0) == 0);
  return files;
}

// Checks the tree written by write_tree (and the foreign objects) as seen at `root`.
void check_tree(const std::filesystem::path& root,
                const std::map<std::string, std::string>& files) {
  CHECK(list_dir(root) == Keys{"big", "empty", "implied", "link", "small", "sub"});
  CHECK(list_dir(root / "sub") == Keys{"deeper", "nested"});
  for (const auto& [name, content] : files) {
    INFO(name);
    CHECK((read_file(root / name) == content));
  }
  const struct stat small = stat_or_fail(root / "small");
  CHECK(small.st_mode == (S_IFREG | 0640));
  CHECK(small.st_mtim.tv_sec == 1500000000);
  CHECK(stat_or_fail(root / "sub" / "deeper").st_mode == (S_IFDIR | 0700));
  CHECK(S_ISDIR(stat_or_fail(root / "empty").st_mode));
  char target[64] = {};
  CHECK(::readlink((root / "link").c_str(), target, sizeof target - 1) == 10);
  CHECK(std::string(target) == "sub/nested");
  // Objects another tool wrote: directories exist only as parts of keys.
  CHECK(list_dir(root / "implied") == Keys{"top", "x"});
  CHECK(S_ISDIR(stat_or_fail(root / "implied" / "x").st_mode));
  CHECK(list_dir(root / "implied" / "x") == Keys{"y.txt"});
  CHECK(read_file(root / "implied" / "x" / "y.txt") == "put by another tool");
}

void read_everything(const std::filesystem::path& root,
                     const std::map<std::string, std::string>& files) {
  for (const auto& [name, content] : files)
    CHECK(read_file(root / name).size() == content.size());
  CHECK(read_file(root / "implied" / "x" / "y.txt").size() == 19);
}

TEST_CASE(
    "a remount with an empty cache reads everything back from the store, a warm one "
    "downloads nothing",
    "[remount]") {
  const auto dir = fresh_dir("remount");
  const auto files = write_tree(dir);
  // s3rver 3.7 leaves out of a delimited listing a prefix that holds only deeper prefixes,
  // so "implied/" also gets an object of its own.
  remote_put(dir.key + "implied/top", "top");
  remote_put(dir.key + "implied/x/y.txt", "put by another tool");
  flush();

  TempDir cache;
  const std::string name = dir.path.filename().string();
  {
    TempDir mountpoint;
    auto cold = mount_at(cache, mountpoint);
    check_tree(mountpoint.path() / name, files);
    const StoreCounts counts = cold->store().counts();
    CHECK(counts.gets > 0);
    CHECK(counts.get_bytes >= files.at("big").size());
    CHECK(counts.puts == 0);  // reading uploads nothing
    REQUIRE(cold->flush().is_ok());
  }
  {
    TempDir mountpoint;
    auto warm = mount_at(cache, mountpoint);
    const auto root = mountpoint.path() / name;
    read_everything(root, files);
    CHECK(read_file(root / "small") == "small file");
    const StoreCounts counts = warm->store().counts();
    CHECK(counts.gets == 0);
    CHECK(counts.get_bytes == 0);
    CHECK(counts.puts == 0);
  }
}

TEST_CASE("changes made through one mount show in a fresh one", "[remount]") {
  const auto dir = fresh_dir("remount-change");
  write_file(dir.path / "a", "version one");
  REQUIRE(::mkdir((dir.path / "d").c_str(), 0755) == 0);
  write_file(dir.path / "d" / "b", "bee");
  flush();
  write_file(dir.path / "a", "version two, longer");
  REQUIRE(::rename((dir.path / "d").c_str(), (dir.path / "moved").c_str()) == 0);
  flush();

  TempDir cache, mountpoint;
  auto fresh = mount_at(cache, mountpoint);
  const auto root = mountpoint.path() / dir.path.filename();
  CHECK(list_dir(root) == Keys{"a", "moved"});
  CHECK(read_file(root / "a") == "version two, longer");
  CHECK(read_file(root / "moved" / "b") == "bee");
}

// A file replaced on the store after a mount listed it, before that mount cached its bytes:
// the first read fails (a handle never mixes two versions), and the next open reads the new
// version at once, not after dir_ttl or the daemon's next poll.
TEST_CASE("a second mount reads a file replaced on the store after one refused read", "[remount]") {
  const auto dir = fresh_dir("remount-replaced");
  write_file(dir.path / "doc", "first version");
  flush();
  TempDir cache, mountpoint;
  auto other = mount_at(cache, mountpoint);
  const auto path = mountpoint.path() / dir.path.filename() / "doc";
  REQUIRE(stat_or_fail(path).st_size == 13);  // listed there, nothing cached

  remote_put(dir.key + "doc", "second version, made elsewhere");
  const WholeRead refused = read_whole(path);
  CHECK(errno_name(refused.error) == errno_name(EIO));
  // The directory is listed again once the kernel's (asynchronous) release of that handle
  // arrives; an open before then fails the same way. After it, inside the kernel's entry
  // timeout, the open through the kernel's old inode is refused as stale and the kernel looks
  // the name up again (when its one retry races the old inode's release, ESTALE reaches the
  // reader once): no read is ever cut or padded to the old size.
  WholeRead again = read_whole(path);
  for (int i = 0; i < 100 && (again.error == EIO || again.error == ESTALE); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    again = read_whole(path);
  }
  INFO("errno " << errno_name(again.error));
  CHECK(again.error == 0);
  CHECK(again.bytes.value_or("<none>") == "second version, made elsewhere");
  CHECK(stat_or_fail(path).st_size == 30);
}

}  // namespace
}  // namespace autosync::testing
