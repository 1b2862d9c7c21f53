// vfs_bench: the mount's own cost per request, without the kernel. Drives a CacheVfs (over a
// temp index, content store and the local backend, as the unit tests do) with the request
// sequences the kernel sends for the mount benchmark's small-file workloads (write-back cache
// on), and prints microseconds per file and per request. Figures, not a test.
//
//   build/tests/bench/vfs_bench [--files N]
//
// Sequences (from `autosyncfs -d` traces):
//   create   LOOKUP (miss), CREATE, GETXATTR security.capability, WRITE 4 KiB,
//            SETATTR mtime+ctime (the write-back kernel's times), FLUSH, RELEASE
//   read     LOOKUP, OPEN, READ, FLUSH, RELEASE
//   append   LOOKUP, OPEN, GETXATTR, WRITE 100 B at the end, SETATTR, FLUSH, RELEASE
//   tar      LOOKUP (miss), CREATE, GETXATTR, WRITE, FLUSH, RELEASE, then SETATTR chown,
//            chmod, utimens
//   setattr  SETATTR of a mode the file already has (changes nothing)
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "backends/open.h"
#include "core/content/content_store.h"
#include "core/index/index.h"
#include "core/vfs/cache_vfs.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace autosync;
using Clock = std::chrono::steady_clock;

struct NoBell final : vfs::ChangeNotifier {
  void journal_ready() override {}
};

[[noreturn]] void die(const Status& status, const char* what) {
  fmt::print(stderr, "vfs_bench: {}: {}\n", what, status.to_string());
  std::exit(1);
}

template <typename T>
T must(Result<T> result, const char* what) {
  if (!result.is_ok()) die(result.status(), what);
  return std::move(result).value();
}

void must(const Status& status, const char* what) {
  if (!status.is_ok()) die(status, what);
}

struct Bench {
  explicit Bench(const std::filesystem::path& root) {
    std::filesystem::create_directories(root / "remote");
    index = must(index::Index::open(root / "index.db", {}), "open index");
    content = must(content::ContentStore::open(root / "content"), "open content");
    backends::StoreConfig config;
    config.remote = must(backends::parse_remote_url("file://" + (root / "remote").string()), "url");
    store = must(backends::open(config), "open store");
    vfs = std::make_unique<vfs::CacheVfs>(*index, *content, *store, bell, vfs::VfsOptions{});
  }

  vfs::Ino mkdir(const std::string& name) {
    return must(vfs->mkdir(who, vfs::kRootIno, name, 0755), "mkdir").attr.ino;
  }

  void create(vfs::Ino dir, const std::string& name, std::string_view body, bool tar) {
    (void)vfs->lookup(who, dir, name);
    auto [entry, reply] = must(vfs->create(who, dir, name, 0644, O_RDWR | O_CREAT), "create");
    const vfs::Ino ino = entry.attr.ino;
    (void)vfs->getxattr(ino, "security.capability");
    must(vfs->write(ino, reply.handle, 0, body), "write");
    vfs::SetAttr times;
    times.mtime_now = true;
    if (!tar) must(vfs->setattr(who, ino, times, reply.handle), "setattr");
    must(vfs->flush(ino, reply.handle), "flush");
    must(vfs->release(ino, reply.handle), "release");
    if (tar) {
      vfs::SetAttr own, mode, utimens;
      own.uid = 0;
      own.gid = 0;
      mode.mode = 0644;
      utimens.mtime = vfs::Timespec{.sec = 1'600'000'000, .nsec = 0};
      utimens.atime = utimens.mtime;
      for (const auto& change : {own, mode, utimens})
        must(vfs->setattr(superuser, ino, change, std::nullopt), "setattr");
    }
  }

  vfs::Ino lookup_ino(vfs::Ino dir, const std::string& name) {
    return must(vfs->lookup(who, dir, name), "lookup").attr.ino;
  }

  void read(vfs::Ino dir, const std::string& name, std::vector<char>& buffer) {
    const vfs::Ino ino = must(vfs->lookup(who, dir, name), "lookup").attr.ino;
    auto reply = must(vfs->open(who, ino, O_RDONLY), "open");
    must(vfs->read(ino, reply.handle, 0, buffer), "read");
    must(vfs->flush(ino, reply.handle), "flush");
    must(vfs->release(ino, reply.handle), "release");
  }

  void append(vfs::Ino ino, uint64_t at, std::string_view line) {
    auto reply = must(vfs->open(who, ino, O_RDWR), "open");
    (void)vfs->getxattr(ino, "security.capability");
    must(vfs->write(ino, reply.handle, at, line), "write");
    vfs::SetAttr times;
    times.mtime_now = true;
    must(vfs->setattr(who, ino, times, reply.handle), "setattr");
    must(vfs->flush(ino, reply.handle), "flush");
    must(vfs->release(ino, reply.handle), "release");
  }

  NoBell bell;
  std::unique_ptr<index::Index> index;
  std::unique_ptr<content::ContentStore> content;
  std::unique_ptr<backends::ObjectStore> store;
  std::unique_ptr<vfs::CacheVfs> vfs;
  vfs::Caller who{.uid = 1000, .gid = 1000, .pid = 1, .umask = 022};
  vfs::Caller superuser{.uid = 0, .gid = 0, .pid = 1, .umask = 022};
};

void report(const char* what, int files, int requests_per_file, Clock::duration took) {
  const double us = std::chrono::duration<double, std::micro>(took).count();
  fmt::print("{:<10} {:>6} files {:>9.1f} ms {:>8.1f} us/file {:>7.1f} us/request\n", what, files,
             us / 1000, us / files, us / (files * requests_per_file));
}

template <typename F>
Clock::duration timed(F&& f) {
  const auto start = Clock::now();
  f();
  return Clock::now() - start;
}

}  // namespace

int main(int argc, char** argv) {
  int files = 1000;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--files") == 0 && i + 1 < argc) files = std::atoi(argv[++i]);
  }
  autosync::testing::TempDir dir;
  Bench bench(dir.path());
  const std::string body(4096, 'x');
  const vfs::Ino small = bench.mkdir("small");
  report("create", files, 7, timed([&] {
           for (int i = 0; i < files; ++i)
             bench.create(small, fmt::format("f{:05d}", i), body, false);
         }));
  std::vector<char> buffer(4096);
  report("read", files, 5, timed([&] {
           for (int i = 0; i < files; ++i)
             bench.read(small, fmt::format("f{:05d}", i), buffer);
         }));
  const std::string line(100, 'y');
  bench.create(small, "append.log", "", false);
  const vfs::Ino log = bench.lookup_ino(small, "append.log");
  report("append", files, 6, timed([&] {
           for (int i = 0; i < files; ++i)
             bench.append(log, static_cast<uint64_t>(i) * line.size(), line);
         }));
  const vfs::Ino tree = bench.mkdir("tree");
  report("tar", files, 9, timed([&] {
           for (int i = 0; i < files; ++i)
             bench.create(tree, fmt::format("t{:05d}", i), body, true);
         }));
  const vfs::Ino first = bench.lookup_ino(small, "f00000");
  report("setattr", files, 1, timed([&] {
           vfs::SetAttr same;
           same.mode = 0644;
           for (int i = 0; i < files; ++i)
             must(bench.vfs->setattr(bench.who, first, same, std::nullopt), "setattr");
         }));
  return 0;
}
