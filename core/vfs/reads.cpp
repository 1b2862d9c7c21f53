// CacheVfs: reads — served from the content store; gaps fetched from the store with ranged
// gets pinned to the inode's remote version, plus read-ahead for sequential readers.
#include <algorithm>
#include <cstring>

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

}  // namespace

Result<size_t> CacheVfs::read(Ino ino, Handle handle, uint64_t offset, std::span<char> out) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  if (rec.is_dir()) {
    return Status::error(ErrorKind::kIsDirectory, "read inode " + std::to_string(ino));
  }
  if (offset >= rec.size || out.empty()) return size_t{0};
  const uint64_t end = std::min<uint64_t>(rec.size, offset + out.size());
  bool sequential = false;
  {
    std::lock_guard lock(mu_);
    auto it = files_.find(handle);
    if (it != files_.end()) {
      sequential = it->second.next_offset == offset;
      it->second.next_offset = end;
    }
  }
  const uint64_t ahead_end = sequential ? std::min(rec.size, end + options_.read_ahead) : end;
  {
    // Read-ahead rides along only when the store must be asked anyway.
    auto guard = inode_locks_.lock(ino);
    AUTOSYNC_ASSIGN_OR_RETURN(auto ranges, index_.load_ranges(ino));
    if (!ranges.contains(offset, end)) {
      Status cached = ensure_cached(ino, offset, ahead_end);
      if (!cached.is_ok() && ahead_end > end) cached = ensure_cached(ino, offset, end);
      AUTOSYNC_RETURN_IF_ERROR(cached);
    }
  }
  const size_t want = end - offset;
  AUTOSYNC_ASSIGN_OR_RETURN(auto got, content_.read(ino, offset, out.first(want)));
  std::fill(out.begin() + static_cast<std::ptrdiff_t>(got),
            out.begin() + static_cast<std::ptrdiff_t>(want), '\0');  // a hole past the file
  (void)index_.touch(ino, now_ns());  // an eviction hint; losing it costs nothing
  return want;
}

Status CacheVfs::ensure_cached(Ino ino, uint64_t start, uint64_t end) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto rec, index_.get(ino));
  end = std::min(end, rec.size);
  if (start >= end || !rec.remote) return Status::ok();  // no store copy: holes are zeros
  AUTOSYNC_ASSIGN_OR_RETURN(auto ranges, index_.load_ranges(ino));
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
  auto received = get_into_cache(rec, start, end);
  if (!received.is_ok() && received.status().is(ErrorKind::kNoSpace) &&
      budget_.free_disk(rec.ino, end - start)) {
    received = get_into_cache(rec, start, end);
  }
  AUTOSYNC_RETURN_IF_ERROR(received.status());
  if (*received == 0) return Status::ok();
  AUTOSYNC_RETURN_IF_ERROR(index_.add_range(rec.ino, start, start + *received).status());
  budget_.added(static_cast<int64_t>(*received));  // all of it was a gap
  return Status::ok();
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
