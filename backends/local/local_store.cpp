#include "backends/local/local_store.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <vector>

#include "backends/local/local_lister.h"
#include "backends/local/local_store_impl.h"

namespace autosync::backends::local {
namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SystemTime to_time(const struct timespec& ts) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(
      std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

Status not_found_key(std::string_view key) {
  return not_found(fmt::format("object {} does not exist", key));
}

}  // namespace

LocalStore::LocalStore(fs::path root) : paths_(std::move(root)) {
  std::error_code ec;
  if (fs::is_directory(paths_.versions_root(), ec))
    archive_.emplace(paths_.versions_root(), paths_.temp_dir());
  caps_.versioning = archive_.has_value();
  caps_.conditional_write = true;
  caps_.batch_delete = false;
  caps_.max_key_bytes = 4096 - 1;  // PATH_MAX, less the root's own path in practice
  caps_.max_single_put = UINT64_MAX;
  caps_.min_part_size = 1;
  caps_.max_part_size = UINT64_MAX;
  caps_.max_parts = 100000;
}

std::string LocalStore::describe() const {
  return "file://" + paths_.root().string();
}

std::mutex& LocalStore::lock_for(std::string_view key) {
  return key_locks_.at(std::hash<std::string_view>{}(key) % key_locks_.size());
}

Result<ObjectInfo> LocalStore::stat_object(std::string_view key, int fd) const {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return from_errno(errno, fmt::format("stat {}", key));
  if (!S_ISREG(st.st_mode)) return not_found_key(key);
  const FileIdentity id = identity_of(st);
  ObjectInfo info;
  info.key = std::string(key);
  info.size = id.size;
  info.last_modified = to_time(st.st_mtim);
  const Sidecar sidecar = load_sidecar(paths_.sidecar(key));
  const VersionRecord* v = sidecar.find(id);
  if (v != nullptr) {
    info.etag = v->etag;
    info.content_type = v->content_type;
    info.metadata = v->metadata;
  } else {
    info.etag = derived_etag(id);
  }
  if (archive_) info.version_id = version_id_of(v, id);
  return info;
}

Result<ObjectInfo> LocalStore::head_marker(std::string_view key) const {
  struct stat st {};
  if (::stat(paths_.data(key).c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return not_found_key(key);
  const Sidecar sidecar = load_sidecar(paths_.sidecar(key));
  if (sidecar.versions.empty()) return not_found_key(key);
  const VersionRecord& v = sidecar.versions.front();
  ObjectInfo info;
  info.key = std::string(key);
  info.etag = v.etag;
  info.content_type = v.content_type;
  info.metadata = v.metadata;
  info.last_modified = to_time(st.st_mtim);
  return info;
}

Result<ObjectInfo> LocalStore::head(std::string_view key) {
  AUTOSYNC_RETURN_IF_ERROR(validate_key(key));
  if (is_dir_marker(key)) return head_marker(key);
  const UniqueFd fd(::open(paths_.data(key).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR) return not_found_key(key);
    return from_errno(errno, fmt::format("open {}", key));
  }
  return stat_object(key, fd.get());
}

Result<ObjectInfo> LocalStore::get(std::string_view key, const GetOptions& options,
                                   ByteSink& sink) {
  AUTOSYNC_RETURN_IF_ERROR(validate_key(key));
  if (!options.version_id.empty()) return get_version(key, options, sink);
  if (is_dir_marker(key)) {
    AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo info, head_marker(key));
    if (!options.conditions.if_match.empty() && options.conditions.if_match != info.etag) {
      return Status::error(ErrorKind::kPreconditionFailed,
                           fmt::format("get {}: ETag changed", key));
    }
    return info;
  }
  const UniqueFd fd(::open(paths_.data(key).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT || errno == ENOTDIR || errno == EISDIR) return not_found_key(key);
    return from_errno(errno, fmt::format("open {}", key));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo info, stat_object(key, fd.get()));
  if (!options.conditions.if_match.empty() && options.conditions.if_match != info.etag) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("get {}: object changed (ETag {} is now {})", key,
                                     options.conditions.if_match, info.etag));
  }
  const uint64_t offset = options.range.offset;
  if (offset < info.size) {
    const uint64_t length = std::min(options.range.length, info.size - offset);
    AUTOSYNC_RETURN_IF_ERROR(read_range(fd.get(), offset, length, sink));
  }
  return info;
}

Status LocalStore::check_conditions(std::string_view key, const Conditions& conditions) {
  if (conditions.empty()) return {};
  auto current = head(key);
  if (!current.is_ok() && !current.status().is(ErrorKind::kNotFound)) return current.status();
  const bool exists = current.is_ok();
  if (conditions.if_none_match == "*" && exists) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("object {} already exists", key));
  }
  if (!conditions.if_match.empty() && (!exists || current->etag != conditions.if_match)) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("object {} is not at ETag {}", key, conditions.if_match));
  }
  return {};
}

Result<ObjectInfo> LocalStore::commit(TempFile tmp, const Commit& what) {
  struct stat st {};
  Status s = fsync_fd(tmp.fd.get(), tmp.path);
  if (s.is_ok() && ::fstat(tmp.fd.get(), &st) != 0) s = from_errno(errno, "stat temp file");
  VersionRecord version{.etag = new_etag(),
                        .version_id = {},
                        .identity = identity_of(st),
                        .content_type = what.content_type,
                        .metadata = what.metadata};
  if (s.is_ok()) {
    const std::lock_guard lock(lock_for(what.key));
    if (what.conditions != nullptr) s = check_conditions(what.key, *what.conditions);
    if (s.is_ok() && archive_) {
      auto newest = archive_current(what.key);
      s = newest.status();
      if (s.is_ok()) version.version_id = new_version_id(now_ns(), *newest);
    }
    Sidecar sidecar = load_sidecar(paths_.sidecar(what.key));
    sidecar.push(version);
    // The record goes first: until the rename it also still lists the old version.
    if (s.is_ok())
      s = write_file_atomically(paths_.sidecar(what.key), serialize(sidecar), paths_.temp_dir());
    if (s.is_ok()) s = rename_durably(tmp.path, paths_.data(what.key));
  }
  if (!s.is_ok()) {
    ::unlink(tmp.path.c_str());
    return std::move(s).context(fmt::format("put {}", what.key));
  }
  ObjectInfo info;
  info.key = std::string(what.key);
  info.size = version.identity.size;
  info.etag = version.etag;
  info.last_modified = to_time(st.st_mtim);
  info.version_id = version.version_id;
  info.content_type = version.content_type;
  info.metadata = std::move(version.metadata);
  return info;
}

Result<ObjectInfo> LocalStore::put_marker(std::string_view key, const PutOptions& options) {
  const std::lock_guard lock(lock_for(key));
  AUTOSYNC_RETURN_IF_ERROR(check_conditions(key, options.conditions));
  AUTOSYNC_RETURN_IF_ERROR(make_dirs(paths_.data(key)));
  Sidecar sidecar;
  sidecar.push(VersionRecord{.etag = new_etag(),
                             .version_id = {},
                             .identity = {},
                             .content_type = options.content_type,
                             .metadata = options.metadata});
  AUTOSYNC_RETURN_IF_ERROR(
      write_file_atomically(paths_.sidecar(key), serialize(sidecar), paths_.temp_dir()));
  return head_marker(key);
}

Result<ObjectInfo> LocalStore::put(std::string_view key, const ByteSource& data,
                                   const PutOptions& options) {
  AUTOSYNC_RETURN_IF_ERROR(validate_key(key));
  if (is_dir_marker(key)) {
    if (data.size() != 0)
      return invalid(fmt::format("put {}: a directory marker must be empty", key));
    return put_marker(key, options);
  }
  AUTOSYNC_ASSIGN_OR_RETURN(TempFile tmp, create_temp(paths_.temp_dir()));
  Status s = write_source(tmp.fd.get(), data, paths_.data(key));
  if (!s.is_ok()) {
    ::unlink(tmp.path.c_str());
    return std::move(s).context(fmt::format("put {}", key));
  }
  return commit(std::move(tmp), {key, options.content_type, options.metadata, &options.conditions});
}

Status LocalStore::remove(std::string_view key) {
  AUTOSYNC_RETURN_IF_ERROR(validate_key(key));
  const std::lock_guard lock(lock_for(key));
  const fs::path data = paths_.data(key);
  const fs::path sidecar = paths_.sidecar(key);
  if (is_dir_marker(key)) {
    ::rmdir(data.c_str());  // only when empty: objects below it keep the directory
  } else {
    if (archive_)
      AUTOSYNC_RETURN_IF_ERROR(add_delete_marker(key).context("delete " + std::string(key)));
    struct stat st {};
    if (::lstat(data.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::unlink(data.c_str()) != 0) {
      return from_errno(errno, fmt::format("delete {}", key));
    }
  }
  if (::unlink(sidecar.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    return from_errno(errno, fmt::format("delete metadata of {}", key));
  }
  prune_empty_dirs(data.parent_path(), paths_.root());
  prune_empty_dirs(sidecar.parent_path(), paths_.meta_root());
  return {};
}

Result<std::vector<KeyError>> LocalStore::remove_many(std::span<const std::string> keys) {
  std::vector<KeyError> failed;
  for (const auto& key : keys) {
    Status s = remove(key);
    if (!s.is_ok()) failed.push_back({key, std::move(s)});
  }
  return failed;
}

Result<ListPage> LocalStore::list(const ListOptions& options) {
  return list_directory_tree(paths_, options, [this](std::string_view key) { return head(key); });
}

Result<ObjectInfo> LocalStore::copy(std::string_view source, std::string_view dest,
                                    const CopyOptions& options) {
  AUTOSYNC_RETURN_IF_ERROR(validate_key(dest));
  if (is_dir_marker(source) || is_dir_marker(dest)) {
    AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo src, head(source));
    PutOptions put_options{
        options.replace_metadata ? options.metadata : src.metadata, src.content_type, {}};
    return put(dest, BufferSource(""), put_options);
  }
  AUTOSYNC_RETURN_IF_ERROR(validate_key(source));
  const UniqueFd in(::open(paths_.data(source).c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!in.valid()) return not_found_key(source);
  AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo src, stat_object(source, in.get()));
  const auto& cond = options.source_conditions;
  if (!cond.if_match.empty() && cond.if_match != src.etag) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("copy {}: source is not at ETag {}", source, cond.if_match));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(TempFile tmp, create_temp(paths_.temp_dir()));
  Status s = copy_range(in.get(), 0, tmp.fd.get(), src.size);
  if (!s.is_ok()) {
    ::unlink(tmp.path.c_str());
    return std::move(s).context(fmt::format("copy {} to {}", source, dest));
  }
  return commit(std::move(tmp), {dest, src.content_type,
                                 options.replace_metadata ? options.metadata : src.metadata});
}

Result<std::unique_ptr<ObjectStore>> open_store(const LocalConfig& config) {
  std::error_code ec;
  const fs::path root = fs::absolute(config.root, ec);
  if (ec || !fs::is_directory(root, ec)) {
    return not_found(fmt::format("local bucket directory {} does not exist", config.root.string()));
  }
  if (::access(root.c_str(), R_OK | W_OK | X_OK) != 0) {
    return from_errno(errno, fmt::format("local bucket directory {}", root.string()));
  }
  return std::unique_ptr<ObjectStore>(std::make_unique<LocalStore>(root));
}

}  // namespace autosync::backends::local
