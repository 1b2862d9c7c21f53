// CacheVfs: reads — served from the content store; gaps fetched from the store with ranged
// gets pinned to the inode's remote version, plus read-ahead for sequential readers.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <vector>

#include "core/vfs/cache_vfs.h"

namespace autosync::vfs {

namespace {

// Writes a ranged get's body into the content store at the range's offset.
class ContentSink final : public backends::ByteSink {
 public:
  ContentSink(content::ContentStore& content, content::FileId id, uint64_t base)
      : content_(content), id_(id), base_(base) {}

  Status write_at(uint64_t offset, std::span<const char> data) override {
    AUTOSYNC_RETURN_IF_ERROR(content_.write(id_, base_ + offset, data));
    received_ = std::max(received_, offset + data.size());
    return Status::ok();
  }
  uint64_t received() const { return received_; }

 private:
  content::ContentStore& content_;
  content::FileId id_;
  uint64_t base_;
  uint64_t received_ = 0;
};

// A sequential reader's read-ahead grows with how much it has read in sequence, from the
// configured minimum to kMaxReadAhead, so a long stream costs few requests, a short one little.
constexpr uint64_t kMaxReadAhead = 64ULL << 20;
// A fetch this large is split into ranged gets that run at once: one stream rarely fills
// the link, and the store serves ranges of one version in parallel.
constexpr uint64_t kParallelChunk = 8ULL << 20;
constexpr size_t kMaxParallelGets = 4;

uint64_t read_ahead_for(uint64_t streak, uint64_t minimum) {
  return std::min(std::max(kMaxReadAhead, minimum), std::max(minimum, streak));
}

struct Chunk {
  uint64_t start = 0, end = 0;
  Result<uint64_t> received = uint64_t{0};
};

std::vector<Chunk> split(uint64_t start, uint64_t end) {
  const uint64_t length = end - start;
  const size_t count =
      static_cast<size_t>(std::clamp<uint64_t>(length / kParallelChunk, 1, kMaxParallelGets));
  const uint64_t step = (length + count - 1) / count;
  std::vector<Chunk> chunks;
  for (uint64_t at = start; at < end; at += step)
    chunks.push_back(Chunk{.start = at, .end = std::min(end, at + step)});
  return chunks;
}

}  // namespace

// One read snapshot gives the size and the cached ranges; the store is asked only for gaps.
Result<size_t> CacheVfs::read(Ino ino, Handle handle, uint64_t offset, std::span<char> out) {
  AUTOSYNC_ASSIGN_OR_RETURN(ReadExtent extent, cache_for_read(ino, handle, offset, out.size()));
  if (extent.end == offset) return size_t{0};
  const size_t want = extent.end - offset;
  AUTOSYNC_ASSIGN_OR_RETURN(size_t got, content_.read(ino, offset, out.first(want)));
  if (got < want && extent.clean) {
    // A clean file's content file holds every byte its ranges claim; a shorter one is an
    // eviction a crash cut short, or a damaged cache. Fetch again rather than serve zeros.
    AUTOSYNC_RETURN_IF_ERROR(forget_ranges_past(ino, offset + got));
    AUTOSYNC_ASSIGN_OR_RETURN(extent, cache_for_read(ino, handle, offset, out.size()));
    AUTOSYNC_ASSIGN_OR_RETURN(got, content_.read(ino, offset, out.first(extent.end - offset)));
  }
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(got),
            out.begin() + static_cast<std::ptrdiff_t>(extent.end - offset),
            '\0');                    // a hole past the file: a dirty file grown by truncate
  (void)index_.touch(ino, now_ns());  // an eviction hint; losing it costs nothing
  return extent.end - offset;
}

// Read-ahead rides along only when the store must be asked anyway.
Result<CacheVfs::ReadExtent> CacheVfs::cache_for_read(Ino ino, Handle handle, uint64_t offset,
                                                      size_t length) {
  auto guard = inode_locks_.lock(ino);
  AUTOSYNC_ASSIGN_OR_RETURN(auto snapshot, inode_and_ranges(ino));
  const auto& [rec, ranges] = snapshot;
  if (rec.is_dir()) {
    return Status::error(ErrorKind::kIsDirectory, "read inode " + std::to_string(ino));
  }
  if (offset >= rec.size || length == 0) return ReadExtent{.end = offset, .clean = true};
  const uint64_t end = std::min<uint64_t>(rec.size, offset + length);
  const uint64_t ahead_end = std::min(rec.size, end + read_ahead_after(handle, offset, end));
  if (!ranges.contains(offset, end)) {
    AUTOSYNC_RETURN_IF_ERROR(check_handle_version(handle, rec));
    Status cached = ensure_cached(rec, ranges, offset, ahead_end);
    if (cached.is(ErrorKind::kPreconditionFailed)) {  // a smaller range would fail the same
      note_store_refused(ino, handle);
    } else if (!cached.is_ok() && ahead_end > end) {
      cached = ensure_cached(rec, ranges, offset, end);
    }
    AUTOSYNC_RETURN_IF_ERROR(cached);
  }
  return ReadExtent{.end = end, .clean = !rec.dirty()};
}

Status CacheVfs::check_handle_version(Handle handle, const index::InodeRecord& rec) {
  if (!rec.remote) return Status::ok();
  auto stale = [&rec] {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("read inode {}: its object changed on the store after it was "
                                     "opened; open it again for the new version",
                                     rec.ino));
  };
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(handle);
    if (it == files_.end()) return Status::ok();
    const OpenFile& file = it->second;
    if (file.stale) return stale();
    if (file.etag.empty() || file.etag == rec.remote->etag) return Status::ok();
  }
  auto own = index_.uploaded_here(rec.ino, rec.remote->etag, rec.size, rec.mtime_ns);
  std::lock_guard lock(mu_);
  auto it = files_.find(handle);
  if (it == files_.end()) return Status::ok();
  if (own.is_ok() && *own) {
    it->second.etag = rec.remote->etag;  // this mount's own upload: the same bytes
    return Status::ok();
  }
  it->second.stale = true;
  return stale();
}

// The store no longer has the version `handle` reads: the handle stays failed, and the
// inode's last release lists its directory again (relist_after_refused_read).
void CacheVfs::note_store_refused(Ino ino, Handle handle) {
  std::lock_guard lock(mu_);
  if (auto it = files_.find(handle); it != files_.end()) it->second.stale = true;
  refused_reads_.try_emplace(ino, now_ns());
}

Status CacheVfs::forget_ranges_past(Ino ino, uint64_t content_end) {
  auto guard = inode_locks_.lock(ino);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto rec, index_.get(ino));
  if (rec.dirty()) return Status::ok();  // written since: its holes are real zeros now
  spdlog::warn(
      "cache: inode {} has cached ranges past its content file's {} bytes; fetching them "
      "again",
      ino, content_end);
  AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t cached, index_.truncate_ranges(ino, content_end));
  budget_.added(static_cast<int64_t>(cached) - static_cast<int64_t>(rec.cached_bytes));
  return Status::ok();
}

// The snapshot ends before a fetch writes to the index.
Result<std::pair<index::InodeRecord, content::RangeSet>> CacheVfs::inode_and_ranges(Ino ino) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.read());
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, txn.get(ino));
  if (rec.is_dir()) return std::pair{std::move(rec), content::RangeSet()};
  AUTOSYNC_ASSIGN_OR_RETURN(auto ranges, txn.load_ranges(ino));
  return std::pair{std::move(rec), std::move(ranges)};
}

// How far past `end` a read of [offset, end) through `handle` should fetch: nothing unless
// it continues the handle's sequential streak.
uint64_t CacheVfs::read_ahead_after(Handle handle, uint64_t offset, uint64_t end) {
  std::lock_guard lock(mu_);
  auto it = files_.find(handle);
  if (it == files_.end()) return 0;
  OpenFile& file = it->second;
  const bool sequential = file.next_offset == offset;
  const uint64_t streak = sequential ? file.streak : 0;
  file.streak = streak + (end - offset);
  file.next_offset = end;
  return sequential ? read_ahead_for(streak, options_.read_ahead) : 0;
}

Status CacheVfs::ensure_cached(const index::InodeRecord& rec, uint64_t start, uint64_t end) {
  if (std::min(end, rec.size) <= start || !rec.remote) return Status::ok();
  AUTOSYNC_ASSIGN_OR_RETURN(auto ranges, index_.load_ranges(rec.ino));
  return ensure_cached(rec, ranges, start, end);
}

Status CacheVfs::ensure_cached(const index::InodeRecord& rec, const content::RangeSet& ranges,
                               uint64_t start, uint64_t end) {
  end = std::min(end, rec.size);
  if (start >= end || !rec.remote) return Status::ok();  // no store copy: holes are zeros
  const uint64_t remote_end = rec.remote->size;
  for (const auto& gap : ranges.gaps(start, end)) {
    const uint64_t gap_end = std::min(gap.end, remote_end);
    if (gap.start < gap_end) AUTOSYNC_RETURN_IF_ERROR(fetch_span(rec, gap.start, gap_end));
  }
  return Status::ok();
}

// Caller holds the inode's lock, so [start, end) (a gap) stays uncached until add_range.
Status CacheVfs::fetch_span(const index::InodeRecord& rec, uint64_t start, uint64_t end) {
  budget_.make_room(rec.ino, end - start);
  auto fetch_chunk = [this, &rec](const Chunk& chunk) -> Result<uint64_t> {
    auto received = get_into_cache(rec, chunk.start, chunk.end);
    if (!received.is_ok() && received.status().is(ErrorKind::kNoSpace) &&
        budget_.free_disk(rec.ino, chunk.end - chunk.start)) {
      received = get_into_cache(rec, chunk.start, chunk.end);
    }
    return received;
  };
  std::vector<Chunk> chunks = split(start, end);
  {
    std::vector<std::jthread> workers;
    for (size_t i = 1; i < chunks.size(); ++i) {
      workers.emplace_back([&, i] { chunks[i].received = fetch_chunk(chunks[i]); });
    }
    chunks[0].received = fetch_chunk(chunks[0]);
  }  // joined
  // What arrived is recorded even when a neighbour failed: it is valid bytes of the version.
  Status first_error;
  for (const Chunk& chunk : chunks) {
    if (!chunk.received.is_ok()) {
      if (first_error.is_ok()) first_error = chunk.received.status();
      continue;
    }
    const uint64_t got = *chunk.received;
    if (got == 0) continue;
    AUTOSYNC_RETURN_IF_ERROR(index_.add_range(rec.ino, chunk.start, chunk.start + got).status());
    budget_.added(static_cast<int64_t>(got));  // all of it was a gap
  }
  return first_error;
}

Result<uint64_t> CacheVfs::get_into_cache(const index::InodeRecord& rec, uint64_t start,
                                          uint64_t end) {
  backends::GetOptions get;
  get.range = backends::ByteRange{.offset = start, .length = end - start};
  get.conditions.if_match = rec.remote->etag;  // never mix two versions in one file
  ContentSink sink(content_, rec.ino, start);
  auto got = store_.get(rec.remote->key, get, sink);
  if (!got.is_ok()) {
    return std::move(got).take_status().context("read " + rec.remote->key + " at " +
                                                std::to_string(start));
  }
  return sink.received();
}

}  // namespace autosync::vfs
