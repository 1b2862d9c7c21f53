// Multipart uploads of the local backend: parts are files in
// ROOT/.autosync-tmp/uploads/ID/, concatenated into one temp file on complete. Each upload's
// upload.json names its key and when it began, which is how the uploads in progress of a
// key are listed.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>

#include "backends/local/local_store_impl.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::local {
namespace {

using nlohmann::json;
constexpr std::string_view kUploadRecord = "upload.json";

fs::path part_path(const fs::path& dir, int number) {
  return dir / fmt::format("part-{:05d}", number);
}

Status no_upload(std::string_view key, std::string_view id) {
  return not_found(fmt::format("multipart upload {} of {} does not exist", id, key));
}

bool valid_upload_id(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

struct UploadRecord {
  std::string key;
  std::string content_type;
  UserMetadata metadata;
  int64_t initiated_ns = 0;  // 0: not recorded (an upload begun before it was)
};

std::optional<UploadRecord> read_upload(const fs::path& dir) {
  auto text = read_file(dir / kUploadRecord);
  if (!text.is_ok()) return std::nullopt;
  const json j = json::parse(*text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return UploadRecord{j.value("key", ""), j.value("content_type", ""),
                      j.value("metadata", UserMetadata{}), j.value("initiated_ns", int64_t{0})};
}

Result<UploadRecord> load_upload(const fs::path& dir, std::string_view key, std::string_view id) {
  std::optional<UploadRecord> record = read_upload(dir);
  if (!record || record->key != key) return no_upload(key, id);
  return std::move(*record);
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

fs::path LocalStore::upload_dir(std::string_view upload_id) const {
  return paths_.temp_dir() / "uploads" / std::string(upload_id);
}

Result<std::string> LocalStore::create_multipart(std::string_view key, const PutOptions& options) {
  AUTOSYNC_RETURN_IF_ERROR(validate_key(key));
  std::string id = to_hex(random_bytes(16));
  const fs::path dir = upload_dir(id);
  AUTOSYNC_RETURN_IF_ERROR(make_dirs(dir));
  const json record{{"key", key},
                    {"content_type", options.content_type},
                    {"metadata", options.metadata},
                    {"initiated_ns", now_ns()}};
  AUTOSYNC_RETURN_IF_ERROR(write_file_atomically(
      dir / kUploadRecord, record.dump(-1, ' ', false, json::error_handler_t::replace), dir));
  return id;
}

Result<CompletedPart> LocalStore::upload_part(std::string_view key, std::string_view upload_id,
                                              int part_number, const ByteSource& data) {
  if (!valid_upload_id(upload_id)) return no_upload(key, upload_id);
  if (part_number < 1 || static_cast<uint32_t>(part_number) > caps_.max_parts) {
    return invalid(fmt::format("upload part {} of {}: part numbers run 1 to {}", part_number, key,
                               caps_.max_parts));
  }
  const fs::path dir = upload_dir(upload_id);
  AUTOSYNC_RETURN_IF_ERROR(load_upload(dir, key, upload_id).status());
  AUTOSYNC_ASSIGN_OR_RETURN(TempFile tmp, create_temp(dir));
  Status s = write_source(tmp.fd.get(), data, tmp.path);
  if (s.is_ok()) s = fsync_fd(tmp.fd.get(), tmp.path);
  struct stat st {};
  if (s.is_ok() && ::fstat(tmp.fd.get(), &st) != 0) s = from_errno(errno, "stat part");
  if (s.is_ok()) s = rename_durably(tmp.path, part_path(dir, part_number));
  if (!s.is_ok()) {
    ::unlink(tmp.path.c_str());
    return std::move(s).context(fmt::format("upload part {} of {}", part_number, key));
  }
  // The part's ETag is tied to its file, so complete can check it without a record.
  return CompletedPart{part_number, derived_etag(identity_of(st))};
}

Result<ObjectInfo> LocalStore::complete_multipart(std::string_view key, std::string_view upload_id,
                                                  std::span<const CompletedPart> parts,
                                                  const Conditions& conditions) {
  if (!valid_upload_id(upload_id)) return no_upload(key, upload_id);
  const fs::path dir = upload_dir(upload_id);
  AUTOSYNC_ASSIGN_OR_RETURN(UploadRecord record, load_upload(dir, key, upload_id));
  AUTOSYNC_ASSIGN_OR_RETURN(TempFile tmp, create_temp(paths_.temp_dir()));
  Status s;
  int previous = 0;
  for (const CompletedPart& part : parts) {
    const UniqueFd in(::open(part_path(dir, part.number).c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (part.number <= previous || !in.valid() || ::fstat(in.get(), &st) != 0 ||
        derived_etag(identity_of(st)) != part.etag) {
      s = invalid(fmt::format("complete {}: part {} is missing, out of order or changed", key,
                              part.number));
      break;
    }
    previous = part.number;
    s = copy_range(in.get(), 0, tmp.fd.get(), static_cast<uint64_t>(st.st_size));
    if (!s.is_ok()) break;
  }
  if (!s.is_ok()) {
    ::unlink(tmp.path.c_str());
    return s;
  }
  auto info = commit(std::move(tmp), {key, record.content_type, record.metadata, &conditions});
  std::error_code ignored;  // leftover parts only cost space; gc can take them later
  if (info.is_ok()) fs::remove_all(dir, ignored);
  return info;
}

Status LocalStore::abort_multipart(std::string_view key, std::string_view upload_id) {
  if (!valid_upload_id(upload_id)) return no_upload(key, upload_id);
  std::error_code ec;
  fs::remove_all(upload_dir(upload_id), ec);
  if (ec) return from_errno(ec.value(), fmt::format("abort upload {} of {}", upload_id, key));
  return {};
}

Result<std::vector<PendingUpload>> LocalStore::list_multipart_uploads(std::string_view key) {
  AUTOSYNC_RETURN_IF_ERROR(validate_key(key));
  const fs::path root = paths_.temp_dir() / "uploads";
  std::vector<PendingUpload> out;
  std::error_code ec;
  fs::directory_iterator it(root, ec);
  if (ec == std::errc::no_such_file_or_directory) return out;  // no upload ever began
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string id = it->path().filename().string();
    if (!valid_upload_id(id)) continue;
    // Gone meanwhile (completed or aborted), or still being created: not in progress.
    const std::optional<UploadRecord> record = read_upload(it->path());
    if (!record || record->key != key) continue;
    SystemTime initiated{std::chrono::duration_cast<SystemTime::duration>(
        std::chrono::nanoseconds(record->initiated_ns))};
    if (record->initiated_ns == 0) {
      std::error_code ignored;
      const auto written = fs::last_write_time(it->path() / kUploadRecord, ignored);
      if (!ignored) initiated = std::chrono::file_clock::to_sys(written);
    }
    out.push_back({.key = record->key, .upload_id = id, .initiated = initiated});
  }
  if (ec) return from_errno(ec.value(), fmt::format("list multipart uploads of {}", key));
  std::sort(out.begin(), out.end(), [](const PendingUpload& a, const PendingUpload& b) {
    return a.initiated < b.initiated;
  });
  return out;
}

}  // namespace autosync::backends::local
