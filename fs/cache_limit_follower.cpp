#include "fs/cache_limit_follower.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <condition_variable>
#include <mutex>

namespace autosync::fs {
namespace {

constexpr auto kLookPeriod = std::chrono::seconds(1);

// What tells one version of the file from the next: it is replaced by a rename (a new inode).
struct Stamp {
  ino_t ino = 0;
  int64_t mtime_ns = 0;
  bool operator==(const Stamp&) const = default;
};

Stamp stamp_of(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return {};
  return {.ino = st.st_ino, .mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec};
}

}  // namespace

CacheLimitFollower::CacheLimitFollower(const cachedir::Paths& paths, vfs::CacheVfs& vfs)
    : paths_(paths), vfs_(vfs), thread_([this](const std::stop_token& stop) { run(stop); }) {}

void CacheLimitFollower::run(const std::stop_token& stop) {
  Stamp seen = stamp_of(paths_.cache_limit());
  std::mutex mu;
  std::condition_variable_any cv;
  std::unique_lock lock(mu);
  while (!stop.stop_requested()) {
    cv.wait_for(lock, stop, kLookPeriod, [] { return false; });
    const Stamp now = stamp_of(paths_.cache_limit());
    if (now == seen) continue;
    seen = now;
    auto limit = cachedir::read_cache_limit(paths_);
    if (!limit.is_ok()) {
      spdlog::warn("cache limit: {}", limit.status().to_string());
      continue;
    }
    if (!limit->has_value()) continue;
    vfs_.set_cache_limit(**limit);
    spdlog::info("cache limit is now {} bytes (autosyncctl cache set-limit)", **limit);
  }
}

}  // namespace autosync::fs
