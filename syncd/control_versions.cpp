// Control commands on a file's versions (control_server.h); PATH is mount-relative:
//   versions {path}  -> {path, key, store_versions, versions: [{version_id, etag, size,
//                        time, time_ns, latest, delete_marker, current, cached, host,
//                        uploaded_here, on_store}]}
//       newest first. Where the store keeps versions: the store's, each matched with what
//       this client recorded of it (versions table: host, uploaded here) and marked current
//       when it is the version the cache's file is at. Where it keeps none (store_versions
//       false): the versions this client has seen and uploaded, from the index.
//       A path neither the index nor the store knows: an error.
//   restore {path, version, force} -> {path, version, etag, size, restored, note}
//       makes the store's version VERSION of PATH its current content, as a new version
//       (the history stays). Conflict-safe: the old version is read by its id, then written
//       over the key If-Match the ETag the cache's file is based on, so a change someone
//       made meanwhile fails the restore instead of being overwritten. The cache's file
//       then takes the new object exactly as a remote change would (listing_reconcile.h:
//       take_remote_version: no cached ranges, a new kernel generation) and the kernel is
//       told (kRemoteChanged, kInvalidateInode, kInvalidateEntry), so the mount reads the
//       restored bytes. Refused: a file open in the mount; a file with local changes not on
//       the store yet, unless force (they are dropped: the restored version wins); a store
//       without versions; an unknown version or a delete marker. A file the cache does not
//       have (deleted) comes back only where the store has no object now (If-None-Match *);
//       the remote watcher is then asked to scan its directory, which brings it into the mount.
//
// The version's bytes pass through a temporary file in the cache directory (restore-INO.part),
// so a large version makes the control socket wait for its download and upload.
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "backends/transfer/transfer.h"
#include "core/base/time_format.h"
#include "core/base/unique_fd.h"
#include "core/layout/object_meta.h"
#include "syncd/control_paths.h"
#include "syncd/control_server.h"
#include "syncd/op_util.h"
#include "syncd/remote_watcher.h"

namespace autosync::syncd {
namespace {

using backends::ObjectVersion;

// The longest history one request reads from the store (pages of up to 1000).
constexpr size_t kMaxStoreVersions = 10000;

int64_t to_ns(SystemTime t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

SystemTime from_ns(int64_t ns) {
  return SystemTime(std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(ns)));
}

// Every version the store keeps of `key`, newest first (kUnsupported: it keeps none).
Result<std::vector<ObjectVersion>> store_versions(backends::ObjectStore& store,
                                                  const std::string& key) {
  std::vector<ObjectVersion> out;
  std::string token;
  do {
    AUTOSYNC_ASSIGN_OR_RETURN(auto page, store.list_versions(key, token));
    out.insert(out.end(), page.versions.begin(), page.versions.end());
    token = page.next_token;
  } while (!token.empty() && out.size() < kMaxStoreVersions);
  return out;
}

// What this client recorded of the store's version `v`, if anything.
const index::VersionRecord* seen_record(const std::vector<index::VersionRecord>& seen,
                                        const ObjectVersion& v) {
  for (const auto& r : seen) {
    if (!r.version_id.empty() ? r.version_id == v.version_id : r.etag == v.etag) return &r;
  }
  return nullptr;
}

// Whether the cache's file is at this version of the store.
bool is_current(const std::optional<index::InodeRecord>& rec, std::string_view etag,
                std::string_view version_id) {
  if (!rec || !rec->remote || etag.empty() || rec->remote->etag != etag) return false;
  return rec->remote->version.empty() || version_id.empty() || rec->remote->version == version_id;
}

Json version_json(const std::optional<index::InodeRecord>& rec, const std::string& version_id,
                  const std::string& etag, uint64_t size, int64_t time_ns) {
  const bool current = is_current(rec, etag, version_id);
  return Json{{"version_id", version_id},
              {"etag", etag},
              {"size", size},
              {"time", format_iso8601(from_ns(time_ns))},
              {"time_ns", time_ns},
              {"current", current},
              {"cached", current && rec->cached_bytes > 0},
              {"local_changes", current && rec->dirty()},
              {"latest", false},
              {"delete_marker", false},
              {"host", ""},
              {"uploaded_here", false},
              {"on_store", true}};
}

Json from_store(const std::optional<index::InodeRecord>& rec,
                const std::vector<index::VersionRecord>& seen, const ObjectVersion& v) {
  Json out = version_json(rec, v.version_id, v.etag, v.size, to_ns(v.last_modified));
  out["latest"] = v.is_latest;
  out["delete_marker"] = v.delete_marker;
  if (const index::VersionRecord* r = seen_record(seen, v)) {
    out["host"] = r->host;
    out["uploaded_here"] = r->uploaded;
  }
  return out;
}

Json from_index(const std::optional<index::InodeRecord>& rec, const index::VersionRecord& r,
                bool newest) {
  Json out = version_json(rec, r.version_id, r.etag, r.size, r.mtime_ns);
  out["latest"] = newest;
  out["host"] = r.host;
  out["uploaded_here"] = r.uploaded;
  out["on_store"] = nullptr;  // unknown: the store keeps no history to ask
  return out;
}

// The file at `path` in the index, if any (other errors fail).
Result<std::optional<index::InodeRecord>> file_at(index::Index& index, const std::string& path) {
  auto rec = resolve_path(index, path);
  if (!rec.is_ok()) {
    if (rec.status().is(ErrorKind::kNotFound)) return std::optional<index::InodeRecord>();
    return std::move(rec).take_status();
  }
  if (rec->kind != index::InodeKind::kFile) return invalid(path + ": not a regular file");
  return std::optional<index::InodeRecord>(std::move(rec).value());
}

std::string key_of(const std::optional<index::InodeRecord>& rec, const std::string& path) {
  return rec && rec->remote ? rec->remote->key : path;
}

Result<Json> versions(ControlContext& ctx, const Json& request) {
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string path, string_arg(request, "path"));
  AUTOSYNC_ASSIGN_OR_RETURN(const auto rec, file_at(ctx.index, path));
  const std::string key = key_of(rec, path);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto seen, ctx.index.list_versions(key));  // oldest first
  auto stored = store_versions(ctx.store, key);
  if (!stored.is_ok() && !stored.status().is(ErrorKind::kUnsupported)) {
    return std::move(stored).take_status().context("versions " + path);
  }
  Json list = Json::array();
  if (stored.is_ok()) {
    for (const auto& v : *stored)
      list.push_back(from_store(rec, seen, v));
  } else {
    for (auto it = seen.rbegin(); it != seen.rend(); ++it)
      list.push_back(from_index(rec, *it, it == seen.rbegin()));
  }
  if (!rec && list.empty()) return not_found("no such file: " + path);
  return Json{{"path", path},
              {"key", key},
              {"store_versions", stored.is_ok()},
              {"store", ctx.store.describe()},
              {"versions", std::move(list)}};
}

// ---- restore ----

// A file in the cache directory, removed when this goes out of scope.
class TempFile {
 public:
  explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {}
  ~TempFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct RestoreRequest {
  std::string path;
  std::string version;
  bool force = false;
};

// Whether the file may take another version now: not open; no local change the store has
// not seen (unless force). An upload already running when force drops the pending ones
// races the restore's conditional write: one of them fails its condition (the restore with
// an error, the upload as a conflict the policy settles), neither is lost.
Status check_restorable(ControlContext& ctx, const RestoreRequest& r,
                        const index::InodeRecord& rec) {
  if (rec.open_count > 0) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("{} is open in the mount; close it and try again", r.path));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.read());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto pending, txn.pending_stats_under(r.path));
  if ((rec.dirty() || pending.count > 0) && !r.force) {
    return Status::error(
        ErrorKind::kPreconditionFailed,
        fmt::format("{} has local changes not on the store yet; wait for them (autosyncctl "
                    "flush) or pass --force to drop them",
                    r.path));
  }
  return Status::ok();
}

// The store's version r.version of `key`, checked to be one with content.
Result<ObjectVersion> find_version(ControlContext& ctx, const RestoreRequest& r,
                                   const std::string& key) {
  auto stored = store_versions(ctx.store, key);
  if (!stored.is_ok() && stored.status().is(ErrorKind::kUnsupported)) {
    return Status::error(
        ErrorKind::kUnsupported,
        fmt::format("{} keeps no versions: nothing to restore from", ctx.store.describe()));
  }
  AUTOSYNC_RETURN_IF_ERROR(stored.status());
  const auto it = std::find_if(stored->begin(), stored->end(),
                               [&](const ObjectVersion& v) { return v.version_id == r.version; });
  if (it == stored->end()) {
    return not_found(fmt::format("{} has no version {} (autosyncctl versions {} lists them)",
                                 r.path, r.version, r.path));
  }
  if (it->delete_marker) {
    return invalid(
        fmt::format("version {} of {} is a delete marker: it has no content", r.version, r.path));
  }
  return *it;
}

// The old version's metadata for the new object, as this client writes it: not the old
// upload's token (that upload is not this one), this host as the origin.
backends::UserMetadata restored_metadata(const ControlContext& ctx, backends::UserMetadata meta) {
  meta.erase(std::string(layout::kUploadField));
  if (ctx.conflicts != nullptr) {
    layout::add_origin(
        meta,
        {.host = ctx.conflicts->host, .priority = ctx.conflicts->priority, .has_priority = true});
  }
  return meta;
}

// Reads version r.version of `key` into a temp file and writes it over `key` on `conditions`
// (If-Match the version the cache knows; If-None-Match * for a deleted file). Returns the new
// object.
Result<backends::ObjectInfo> write_restored(ControlContext& ctx, const RestoreRequest& r,
                                            const std::string& key, const ObjectVersion& version,
                                            const backends::Conditions& conditions) {
  const TempFile tmp(ctx.paths.root / fmt::format("restore-{}.part", ::getpid()));
  const UniqueFd fd(::open(tmp.path().c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return from_errno(errno, tmp.path().string());
  backends::GetOptions get;
  get.version_id = version.version_id;
  backends::FileSink sink(fd.get());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto old, ctx.store.get(key, get, sink));
  backends::PutOptions put;
  put.metadata = restored_metadata(ctx, old.metadata);
  put.content_type = old.content_type;
  put.conditions = conditions;
  const backends::Conditions wanted = put.conditions;
  if (!ctx.store.capabilities().conditional_write) {
    AUTOSYNC_RETURN_IF_ERROR(check_by_head(ctx.store, key, wanted));
    put.conditions = {};
  }
  auto written = backends::upload_file(ctx.store, key, tmp.path(), put, {});
  if (!written.is_ok() && written.status().is(ErrorKind::kPreconditionFailed)) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("{} changed on the store meanwhile; nothing restored "
                                     "(it shows up here soon; try again then)",
                                     r.path));
  }
  return written;
}

struct Applied {
  bool taken = false;  // the cache's file took the restored version
  index::Ino parent = 0;
  std::string name;
};

// The cache's file takes the restored object, as it would take a remote change.
Result<Applied> apply_restored(ControlContext& ctx, const RestoreRequest& r,
                               const index::InodeRecord& before, const std::string& key,
                               const backends::ObjectInfo& written) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.write());
  const size_t slash = r.path.rfind('/');
  Applied out;
  out.name = slash == std::string::npos ? r.path : r.path.substr(slash + 1);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto parent,
                            txn.dir_at(slash == std::string::npos ? "" : r.path.substr(0, slash)));
  out.parent = parent.value_or(0);
  if (r.force) AUTOSYNC_RETURN_IF_ERROR(txn.drop_pending_changes(before.ino, 0).status());
  AUTOSYNC_ASSIGN_OR_RETURN(const auto rec, txn.get(before.ino));
  // A write made here meanwhile keeps its place: its upload meets the restored version as a
  // conflict, which the conflict policy settles like any other. The remote watcher may have
  // taken the restored object already.
  const bool seen = rec.remote && rec.remote->etag == written.etag;
  const bool unchanged = rec.remote && rec.remote->etag == before.remote->etag &&
                         (r.force || !rec.dirty()) && rec.open_count == 0;
  if (unchanged) {
    vfs::ListedChild child;
    child.info = written;
    AUTOSYNC_RETURN_IF_ERROR(vfs::take_remote_version(txn, rec, ctx.defaults, key, child));
  }
  out.taken = unchanged || seen;
  const layout::OriginMeta origin = layout::decode_origin(written);
  AUTOSYNC_RETURN_IF_ERROR(txn.add_version(index::VersionRecord{.path = key,
                                                                .ino = rec.ino,
                                                                .etag = written.etag,
                                                                .version_id = written.version_id,
                                                                .size = written.size,
                                                                .mtime_ns = rec.mtime_ns,
                                                                .host = origin.host,
                                                                .uploaded = true,
                                                                .seen_ns = 0}));
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  return out;
}

void publish(ControlContext& ctx, events::EventKind kind, index::Ino ino, index::Ino parent,
             const std::string& name, const std::string& path, const std::string& detail) {
  if (ctx.events == nullptr) return;
  ctx.events->publish(events::Event{.kind = kind,
                                    .ino = ino,
                                    .parent = parent,
                                    .name = name,
                                    .path = path,
                                    .detail = detail,
                                    .time_ns = to_ns(std::chrono::system_clock::now())});
}

// A file the cache does not have (deleted here or elsewhere, or never listed): its old version
// comes back only where no object is now (If-None-Match *), and the remote watcher is asked
// to scan its directory, which brings the name into the mount as any new object.
Result<Json> restore_deleted(ControlContext& ctx, const RestoreRequest& r) {
  AUTOSYNC_ASSIGN_OR_RETURN(const ObjectVersion version, find_version(ctx, r, r.path));
  auto written = write_restored(ctx, r, r.path, version, {.if_match = {}, .if_none_match = "*"});
  if (!written.is_ok() && written.status().is(ErrorKind::kPreconditionFailed)) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("{} is on the store again but not in the cache yet; "
                                     "nothing restored (autosyncctl scan, then try again)",
                                     r.path));
  }
  AUTOSYNC_RETURN_IF_ERROR(written.status());
  const layout::OriginMeta origin = layout::decode_origin(*written);
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, ctx.index.write());
  AUTOSYNC_RETURN_IF_ERROR(txn.add_version(index::VersionRecord{.path = r.path,
                                                                .ino = 0,
                                                                .etag = written->etag,
                                                                .version_id = written->version_id,
                                                                .size = written->size,
                                                                .mtime_ns = 0,
                                                                .host = origin.host,
                                                                .uploaded = true,
                                                                .seen_ns = 0}));
  AUTOSYNC_RETURN_IF_ERROR(txn.commit());
  const size_t slash = r.path.rfind('/');
  if (ctx.watcher != nullptr)
    ctx.watcher->request_scan(slash == std::string::npos ? "" : r.path.substr(0, slash));
  spdlog::info("restored deleted {} to version {} (now ETag {})", r.path, r.version, written->etag);
  return Json{{"path", r.path},
              {"version", r.version},
              {"etag", written->etag},
              {"size", written->size},
              {"restored", true},
              {"new_version_id", written->version_id},
              {"note", "it was deleted: it reappears in the mount once its directory is scanned"}};
}

Result<Json> restore(ControlContext& ctx, const Json& request) {
  RestoreRequest r;
  AUTOSYNC_ASSIGN_OR_RETURN(r.path, string_arg(request, "path"));
  AUTOSYNC_ASSIGN_OR_RETURN(r.version, string_arg(request, "version"));
  r.force = request.value("force", false);
  if (r.version.empty()) return invalid("restore: no version given");
  AUTOSYNC_ASSIGN_OR_RETURN(const auto found, file_at(ctx.index, r.path));
  if (!found) return restore_deleted(ctx, r);
  const index::InodeRecord& rec = *found;
  if (!rec.remote) return invalid(r.path + " has never been on the store: it has no versions");
  const std::string key = rec.remote->key;
  AUTOSYNC_ASSIGN_OR_RETURN(const ObjectVersion version, find_version(ctx, r, key));
  AUTOSYNC_RETURN_IF_ERROR(check_restorable(ctx, r, rec));
  if (version.is_latest && is_current(found, version.etag, version.version_id) && !rec.dirty()) {
    return Json{{"path", r.path},       {"version", r.version}, {"etag", version.etag},
                {"size", version.size}, {"restored", false},    {"note", "already current"}};
  }
  AUTOSYNC_ASSIGN_OR_RETURN(
      const auto written,
      write_restored(ctx, r, key, version, {.if_match = rec.remote->etag, .if_none_match = {}}));
  AUTOSYNC_ASSIGN_OR_RETURN(const Applied applied, apply_restored(ctx, r, rec, key, written));
  spdlog::info("restored {} to version {} (now ETag {})", r.path, r.version, written.etag);
  std::string note;
  if (applied.taken) {
    publish(ctx, events::EventKind::kRemoteChanged, rec.ino, applied.parent, applied.name, r.path,
            "restored version " + r.version);
    publish(ctx, events::EventKind::kInvalidateInode, rec.ino, 0, "", r.path, "");
    publish(ctx, events::EventKind::kInvalidateEntry, 0, applied.parent, applied.name, r.path, "");
  } else {
    note =
        "changed here during the restore: that change meets the restored version as a "
        "conflict when it uploads";
  }
  return Json{{"path", r.path},       {"version", r.version},
              {"etag", written.etag}, {"size", written.size},
              {"restored", true},     {"new_version_id", written.version_id},
              {"note", note}};
}

}  // namespace

void add_versions_commands(ControlCommands& commands, ControlContext& context) {
  commands["versions"] = [&context](const Json& r) { return versions(context, r); };
  commands["restore"] = [&context](const Json& r) { return restore(context, r); };
}

}  // namespace autosync::syncd
