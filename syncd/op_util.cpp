#include "syncd/op_util.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "backends/byte_io.h"
#include "core/layout/object_meta.h"

namespace autosync::syncd {

backends::UserMetadata meta_for(const index::InodeRecord& inode) {
  return layout::encode_meta(
      {.mode = inode.mode, .uid = inode.uid, .gid = inode.gid, .mtime_ns = inode.mtime_ns});
}

backends::UserMetadata meta_for(const index::InodeRecord& inode, const ConflictOptions* conflicts) {
  backends::UserMetadata meta = meta_for(inode);
  if (conflicts != nullptr) {
    layout::add_origin(
        meta, {.host = conflicts->host, .priority = conflicts->priority, .has_priority = true});
  }
  return meta;
}

namespace {

// A cache file as the file system sees it: `length` bytes, where what lies past the content
// file's end reads as zeros (a truncate that grew the file, or pages a killed mount never
// wrote back, leave the content file shorter than the inode; the missing bytes are holes).
class PaddedFileSource final : public backends::ByteSource {
 public:
  PaddedFileSource(int fd, uint64_t length) : file_(fd, 0, length), length_(length) {}
  uint64_t size() const override { return length_; }
  Result<size_t> read_at(uint64_t offset, std::span<char> out) const override {
    AUTOSYNC_ASSIGN_OR_RETURN(const size_t got, file_.read_at(offset, out));
    if (got > 0 || offset >= length_) return got;
    const size_t zeros = std::min<uint64_t>(out.size(), length_ - offset);
    std::fill_n(out.begin(), zeros, '\0');
    return zeros;
  }

 private:
  backends::FileSource file_;
  uint64_t length_;
};

// Writes `data` at `key` with `options`, enforcing the conditions by HEAD when the store
// cannot (a small window remains there: the store offers nothing better).
Result<backends::ObjectInfo> conditional_upload(const OpContext& ctx, std::string_view key,
                                                const backends::ByteSource& data,
                                                backends::PutOptions options,
                                                const backends::MultipartHooks* hooks) {
  const backends::Conditions conditions = options.conditions;
  if (!ctx.store.capabilities().conditional_write) {
    AUTOSYNC_RETURN_IF_ERROR(check_by_head(ctx.store, key, conditions));
    options.conditions = {};
  }
  auto info = backends::upload(ctx.store, key, data, options, ctx.transfer, hooks);
  if (!info.is_ok()) return as_conflict(std::move(info).take_status(), key, conditions);
  return info;
}

}  // namespace

Result<backends::ObjectInfo> upload_inode(const OpContext& ctx, const index::InodeRecord& inode,
                                          std::string_view key, backends::PutOptions options,
                                          const backends::MultipartHooks* hooks) {
  if (inode.kind == index::InodeKind::kSymlink) {
    const backends::BufferSource target(inode.symlink_target);
    return conditional_upload(ctx, key, target, std::move(options), nullptr);
  }
  AUTOSYNC_ASSIGN_OR_RETURN(UniqueFd fd, ctx.content.open_reader(inode.ino));
  const PaddedFileSource source(fd.get(), inode.size);
  return conditional_upload(ctx, key, source, std::move(options), hooks);
}

std::string content_type_for(std::string_view key) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kTypes{{
      {".txt", "text/plain"},
      {".html", "text/html"},
      {".css", "text/css"},
      {".csv", "text/csv"},
      {".js", "text/javascript"},
      {".json", "application/json"},
      {".xml", "application/xml"},
      {".pdf", "application/pdf"},
      {".zip", "application/zip"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".gif", "image/gif"},
  }};
  for (const auto& [suffix, type] : kTypes) {
    if (key.ends_with(suffix)) return std::string(type);
  }
  return "application/octet-stream";
}

std::string marker_key(std::string_view key) {
  std::string marker(key);
  if (!marker.ends_with('/')) marker += '/';
  return marker;
}

backends::Conditions base_conditions(const index::InodeRecord& inode,
                                     const index::JournalEntry& row) {
  backends::Conditions conditions;
  if (inode.remote && inode.remote->key == row.key && !inode.remote->etag.empty()) {
    conditions.if_match = inode.remote->etag;  // our own last write, or the mirrored object
  } else if (!row.base_etag.empty()) {
    conditions.if_match = row.base_etag;
  } else {
    // Never on the store: must not replace someone's object. (assign(1, '*') rather than = "*":
    // GCC 12 at -O2 reports a false -Wrestrict on the literal assignment here.)
    conditions.if_none_match.assign(1, '*');
  }
  return conditions;
}

Status check_by_head(backends::ObjectStore& store, std::string_view key,
                     const backends::Conditions& conditions) {
  auto info = store.head(key);
  if (!info.is_ok() && !info.status().is(ErrorKind::kNotFound)) {
    return std::move(info).take_status().context(fmt::format("head {}", key));
  }
  const bool exists = info.is_ok();
  if (!conditions.if_none_match.empty() && exists) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("conflict: {} was created on the store meanwhile", key));
  }
  if (!conditions.if_match.empty() && !exists) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("conflict: {} was deleted on the store meanwhile", key));
  }
  if (!conditions.if_match.empty() && info->etag != conditions.if_match) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("conflict: {} changed on the store (etag {}, expected {})",
                                     key, info->etag, conditions.if_match));
  }
  return {};
}

Status as_conflict(Status status, std::string_view key, const backends::Conditions& conditions) {
  if (!status.is(ErrorKind::kPreconditionFailed) || status.message().starts_with("conflict:")) {
    return status;
  }
  const std::string expected = conditions.if_match.empty()
                                   ? std::string("no object")
                                   : fmt::format("etag {}", conditions.if_match);
  return Status::error(ErrorKind::kPreconditionFailed,
                       fmt::format("conflict: {} changed on the store since it was last synced "
                                   "(expected {}); local change kept, not uploaded ({})",
                                   key, expected, status.message()))
      .with_server_code(status.server_code())
      .with_http_status(status.http_status())
      .with_request_id(status.request_id());
}

index::RemoteVersion remote_from(const backends::ObjectInfo& info, std::string_view key,
                                 int64_t mtime_ns) {
  return {.key = std::string(key),
          .etag = info.etag,
          .version = info.version_id,
          .size = info.size,
          .mtime_ns = mtime_ns};
}

Result<std::optional<index::InodeRecord>> inode_of(index::Index& index,
                                                   const index::JournalEntry& row) {
  auto inode = index.get(row.ino);
  if (inode.is_ok()) return std::optional<index::InodeRecord>(std::move(inode).value());
  if (inode.status().is(ErrorKind::kNotFound)) return std::optional<index::InodeRecord>();
  return std::move(inode).take_status().context(fmt::format("inode {}", row.ino));
}

}  // namespace autosync::syncd
