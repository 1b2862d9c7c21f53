// KernelGenerations: what the adapter remembers of the generations it gave the kernel, and
// that it lets go of an inode once the kernel forgets its last reference.
#include "fs/kernel_generations.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "fs/fuse_adapter.h"
#include "tests/support/memory_vfs.h"

namespace autosync::fs {
namespace {

const vfs::Caller kCaller{.uid = 1000, .gid = 1000, .pid = 1, .umask = 022};

TEST_CASE("only generations above 0 are kept, and a 0 reply drops the entry", "[generations]") {
  KernelGenerations generations;
  CHECK(generations.given(7) == 0);
  generations.replied(7, 0);
  CHECK(generations.size() == 0);
  generations.replied(7, 3);
  generations.replied(8, 1);
  CHECK(generations.given(7) == 3);
  CHECK(generations.size() == 2);
  generations.replied(7, 0);
  CHECK(generations.given(7) == 0);
  generations.forgotten(8);
  CHECK(generations.given(8) == 0);
  CHECK(generations.size() == 0);
}

TEST_CASE("the adapter forgets an inode's generation with the kernel's last reference",
          "[generations]") {
  testing::MemoryVfs vfs;
  FuseAdapter adapter(vfs, AdapterOptions{});
  auto made = vfs.create(kCaller, vfs::kRootIno, "f", S_IFREG | 0644, O_WRONLY);
  REQUIRE(made.is_ok());
  const vfs::Ino ino = made->first.attr.ino;
  REQUIRE(vfs.release(ino, made->second.handle).is_ok());
  REQUIRE(vfs.lookup(kCaller, vfs::kRootIno, "f").is_ok());  // two references
  adapter.generations().replied(ino, 2);

  adapter.forget(ino, 1);
  CHECK(adapter.generations().given(ino) == 2);
  adapter.forget(ino, 1);
  CHECK(adapter.generations().given(ino) == 0);
  CHECK(adapter.generations().size() == 0);
}

}  // namespace
}  // namespace autosync::fs
