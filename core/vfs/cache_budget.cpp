#include "core/vfs/cache_budget.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace autosync::vfs {

namespace {

constexpr size_t kCandidateBatch = 64;
constexpr uint64_t kMinDiskFree = 1ULL << 20;
constexpr int64_t kQuietNs = 1'000'000'000;  // after a fruitless pass

}  // namespace

CacheBudget::CacheBudget(index::Index& index, content::ContentStore& content, InodeLocks& locks,
                         uint64_t limit_bytes, index::Clock clock)
    : index_(index),
      content_(content),
      locks_(locks),
      limit_(limit_bytes),
      clock_(std::move(clock)) {}

int64_t CacheBudget::now_ns() const {
  if (clock_) return clock_();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t CacheBudget::total() const {
  return static_cast<uint64_t>(std::max<int64_t>(total_.load(), 0));
}

void CacheBudget::set_limit(uint64_t limit_bytes) {
  limit_.store(limit_bytes);
  std::lock_guard lock(pass_mu_);
  quiet_until_ns_ = 0;  // a larger limit may fit what a fruitless pass could not
  warned_over_limit_ = false;
}

void CacheBudget::added(int64_t delta) {
  total_ += delta;
}

Status CacheBudget::resync() {
  AUTOSYNC_ASSIGN_OR_RETURN(uint64_t sum, index_.cached_bytes_total());
  total_ = static_cast<int64_t>(sum);
  known_ = true;
  return Status::ok();
}

void CacheBudget::make_room(index::Ino keep, uint64_t bytes) {
  const uint64_t limit = limit_.load();
  if (limit == 0) return;
  if (!known_) {
    if (Status summed = resync(); !summed.is_ok()) {
      spdlog::warn("cache limit: {}", summed.to_string());
      return;
    }
  }
  if (total() + bytes <= limit) return;  // the common case: two atomic loads

  std::lock_guard lock(pass_mu_);
  const int64_t now = now_ns();
  if (now < quiet_until_ns_) return;
  if (Status summed = resync(); !summed.is_ok()) {  // drift must not cost an eviction
    spdlog::warn("cache limit: {}", summed.to_string());
    return;
  }
  const uint64_t target = limit > bytes ? limit - bytes : 0;
  evict(keep, [&](uint64_t) { return total() <= target; });
  if (total() <= target) {
    warned_over_limit_ = false;
    return;
  }
  quiet_until_ns_ = now + kQuietNs;
  if (!warned_over_limit_) {
    warned_over_limit_ = true;
    spdlog::warn(
        "cache limit: {} bytes cached and {} more coming pass the limit of {}, and nothing"
        " clean is left to evict (data not yet uploaded, open or pinned is kept)",
        total(), bytes, limit);
  }
}

bool CacheBudget::free_disk(index::Ino keep, uint64_t bytes) {
  std::lock_guard lock(pass_mu_);
  const uint64_t want = std::max(bytes, kMinDiskFree);
  const uint64_t freed = evict(keep, [&](uint64_t so_far) { return so_far >= want; });
  if (freed > 0) {
    warned_disk_full_ = false;
  } else if (!warned_disk_full_) {
    warned_disk_full_ = true;
    spdlog::warn("cache: the disk under {} is full and nothing clean is left to evict",
                 content_.dir().string());
  }
  return freed > 0;
}

uint64_t CacheBudget::evict(index::Ino keep, const std::function<bool(uint64_t)>& done) {
  uint64_t freed = 0;
  std::set<index::Ino> passed;  // busy or no longer evictable: not asked for again
  while (!done(freed)) {
    auto candidates = index_.eviction_candidates(kCandidateBatch + passed.size());
    if (!candidates.is_ok()) {
      spdlog::warn("cache eviction: {}", candidates.status().to_string());
      break;
    }
    bool progress = false;
    for (const auto& candidate : *candidates) {
      if (done(freed)) break;
      if (candidate.ino == keep || passed.contains(candidate.ino)) continue;
      const uint64_t got = evict_file(candidate.ino);
      if (got == 0) {
        passed.insert(candidate.ino);
        continue;
      }
      freed += got;
      progress = true;
    }
    if (!progress) break;
  }
  return freed;
}

uint64_t CacheBudget::evict_file(index::Ino ino) {
  auto guard = locks_.try_lock(ino);  // a file being read or written now is not a victim
  if (!guard) return 0;
  auto dropped = index_.drop_clean_cache(ino);  // re-checks clean, closed and unpinned
  if (!dropped.is_ok()) {
    spdlog::warn("cache eviction of inode {}: {}", ino, dropped.status().to_string());
    return 0;
  }
  if (*dropped == 0) return 0;
  total_ -= static_cast<int64_t>(*dropped);
  // After the commit: a crash before this leaves unused bytes, never ranges reading zeros.
  if (Status removed = content_.remove(ino); !removed.is_ok()) {
    spdlog::warn("cache eviction: {}", removed.to_string());
  }
  return *dropped;
}

}  // namespace autosync::vfs
