// LocalStore's versions (see local_versions.h): archiving the current object before a write
// or a delete replaces it, listing a key's versions, reading an older one.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>

#include "backends/local/local_store_impl.h"

namespace autosync::backends::local {
namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SystemTime from_ns(int64_t ns) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(ns)));
}

int64_t to_ns(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

ObjectVersion listed(const ArchivedVersion& v) {
  return ObjectVersion{.version_id = v.version_id,
                       .etag = v.delete_marker ? "" : v.etag,
                       .size = v.delete_marker ? 0 : v.size,
                       .last_modified = from_ns(v.mtime_ns),
                       .is_latest = false,
                       .delete_marker = v.delete_marker};
}

}  // namespace

std::string LocalStore::version_id_of(const VersionRecord* record, const FileIdentity& id) const {
  if (record != nullptr && !record->version_id.empty()) return record->version_id;
  return derived_version_id(id);
}

Result<std::string> LocalStore::archive_current(std::string_view key) {
  const std::vector<ArchivedVersion> archived = archive_->list(key);
  std::string newest = archived.empty() ? std::string() : archived.front().version_id;
  auto current = head(key);
  if (!current.is_ok()) {
    if (current.status().is(ErrorKind::kNotFound)) return newest;
    return std::move(current).take_status();
  }
  const ArchivedVersion v{.key = std::string(key),
                          .version_id = current->version_id,
                          .etag = current->etag,
                          .size = current->size,
                          .mtime_ns = to_ns(current->last_modified),
                          .content_type = current->content_type,
                          .metadata = current->metadata,
                          .delete_marker = false};
  AUTOSYNC_RETURN_IF_ERROR(archive_->keep(paths_.data(key), v));
  return std::max(newest, v.version_id);
}

Status LocalStore::add_delete_marker(std::string_view key) {
  auto current = head(key);
  if (!current.is_ok()) {
    // Nothing to delete, nothing to mark (deleting a missing key succeeds, and stays quiet).
    if (current.status().is(ErrorKind::kNotFound)) return {};
    return std::move(current).take_status();
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string newest, archive_current(key));
  const int64_t now = now_ns();
  return archive_->add_delete_marker(ArchivedVersion{.key = std::string(key),
                                                     .version_id = new_version_id(now, newest),
                                                     .etag = {},
                                                     .size = 0,
                                                     .mtime_ns = now,
                                                     .content_type = {},
                                                     .metadata = {},
                                                     .delete_marker = true});
}

Result<VersionPage> LocalStore::list_versions(std::string_view key,
                                              std::string_view continuation_token) {
  if (!archive_) return ObjectStore::list_versions(key, continuation_token);
  AUTOSYNC_RETURN_IF_ERROR(validate_key(key));
  VersionPage page;
  if (is_dir_marker(key)) return page;  // markers are not versioned
  auto current = head(key);
  if (!current.is_ok() && !current.status().is(ErrorKind::kNotFound)) {
    return std::move(current).take_status();
  }
  if (current.is_ok()) {
    page.versions.push_back(ObjectVersion{.version_id = current->version_id,
                                          .etag = current->etag,
                                          .size = current->size,
                                          .last_modified = current->last_modified,
                                          .is_latest = true,
                                          .delete_marker = false});
  }
  for (const ArchivedVersion& v : archive_->list(key)) {
    // A crash between archiving and replacing leaves the current version archived too.
    if (current.is_ok() && v.version_id == current->version_id) continue;
    page.versions.push_back(listed(v));
  }
  if (!current.is_ok() && !page.versions.empty()) page.versions.front().is_latest = true;
  return page;  // one page: a key's versions are one directory
}

Result<ObjectInfo> LocalStore::get_version(std::string_view key, const GetOptions& options,
                                           ByteSink& sink) {
  const std::string wanted = options.version_id;
  if (!archive_) {
    return Status::error(
        ErrorKind::kUnsupported,
        fmt::format("get {} version {}: the bucket keeps no versions", key, wanted));
  }
  GetOptions current_options = options;
  current_options.version_id.clear();
  auto current = head(key);
  if (current.is_ok() && current->version_id == wanted) return get(key, current_options, sink);
  AUTOSYNC_ASSIGN_OR_RETURN(const ArchivedVersion v, archive_->find(key, wanted));
  if (v.delete_marker) {
    return not_found(fmt::format("get {} version {}: a delete marker has no content", key, wanted));
  }
  if (!options.conditions.if_match.empty() && options.conditions.if_match != v.etag) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("get {} version {}: ETag is {}", key, wanted, v.etag));
  }
  const UniqueFd fd(::open(archive_->data_path(key, wanted).c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return not_found(fmt::format("get {} version {}: its data is gone", key, wanted));
  }
  if (options.range.offset < v.size) {
    const uint64_t length = std::min(options.range.length, v.size - options.range.offset);
    AUTOSYNC_RETURN_IF_ERROR(read_range(fd.get(), options.range.offset, length, sink));
  }
  return ObjectInfo{.key = std::string(key),
                    .size = v.size,
                    .etag = v.etag,
                    .last_modified = from_ns(v.mtime_ns),
                    .version_id = v.version_id,
                    .content_type = v.content_type,
                    .metadata = v.metadata};
}

}  // namespace autosync::backends::local
