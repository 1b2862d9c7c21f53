#include "backends/local/local_versions.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::local {
namespace {

using nlohmann::json;
constexpr size_t kTimeDigits = 16;
constexpr size_t kIdDigits = 20;
constexpr std::string_view kRecordSuffix = ".json";
constexpr std::string_view kDataSuffix = ".data";

json to_json(const ArchivedVersion& v) {
  return json{{"key", v.key},           {"version_id", v.version_id},
              {"etag", v.etag},         {"size", v.size},
              {"mtime_ns", v.mtime_ns}, {"content_type", v.content_type},
              {"metadata", v.metadata}, {"delete_marker", v.delete_marker}};
}

std::optional<ArchivedVersion> from_json(const json& j) {
  if (!j.is_object()) return std::nullopt;
  try {
    ArchivedVersion v;
    v.key = j.at("key").get<std::string>();
    v.version_id = j.at("version_id").get<std::string>();
    v.etag = j.value("etag", "");
    v.size = j.value("size", uint64_t{0});
    v.mtime_ns = j.value("mtime_ns", int64_t{0});
    v.content_type = j.value("content_type", "");
    v.metadata = j.value("metadata", UserMetadata{});
    v.delete_marker = j.value("delete_marker", false);
    return v;
  } catch (const json::exception&) {
    return std::nullopt;  // a damaged record hides that one version, nothing else
  }
}

uint64_t time_of(std::string_view id) {
  uint64_t t = 0;
  if (id.size() < kTimeDigits) return 0;
  std::from_chars(id.data(), id.data() + kTimeDigits, t, 16);
  return t;
}

}  // namespace

VersionArchive::VersionArchive(fs::path versions_root, fs::path temp_dir)
    : root_(std::move(versions_root)), temp_dir_(std::move(temp_dir)) {}

fs::path VersionArchive::dir_of(std::string_view key) const {
  return root_ / to_hex(sha256(key)).substr(0, 32);
}

fs::path VersionArchive::data_path(std::string_view key, std::string_view version_id) const {
  return dir_of(key) / (std::string(version_id) + std::string(kDataSuffix));
}

Status VersionArchive::write_record(const ArchivedVersion& v) const {
  AUTOSYNC_RETURN_IF_ERROR(make_dirs(dir_of(v.key)));
  const fs::path record = dir_of(v.key) / (v.version_id + std::string(kRecordSuffix));
  return write_file_atomically(
      record, to_json(v).dump(-1, ' ', false, json::error_handler_t::replace), temp_dir_);
}

Status VersionArchive::keep(const fs::path& data, const ArchivedVersion& v) const {
  AUTOSYNC_RETURN_IF_ERROR(make_dirs(dir_of(v.key)));
  const fs::path target = data_path(v.key, v.version_id);
  if (::link(data.c_str(), target.c_str()) != 0 && errno != EEXIST) {
    return from_errno(errno, fmt::format("keep version {} of {}", v.version_id, v.key));
  }
  // The bytes first, then the record that makes them a listed version.
  AUTOSYNC_RETURN_IF_ERROR(fsync_dir(dir_of(v.key)));
  return write_record(v);
}

Status VersionArchive::add_delete_marker(const ArchivedVersion& v) const {
  return write_record(v);
}

std::vector<ArchivedVersion> VersionArchive::list(std::string_view key) const {
  std::vector<ArchivedVersion> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_of(key), ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(kRecordSuffix)) continue;
    auto text = read_file(entry.path());
    if (!text.is_ok()) continue;
    auto v = from_json(json::parse(*text, nullptr, /*allow_exceptions=*/false));
    // Two keys whose hashes share 128 bits share a directory; each sees only its own.
    if (v && v->key == key && valid_version_id(v->version_id)) out.push_back(std::move(*v));
  }
  std::sort(out.begin(), out.end(), [](const ArchivedVersion& a, const ArchivedVersion& b) {
    return a.version_id > b.version_id;
  });
  return out;
}

Result<ArchivedVersion> VersionArchive::find(std::string_view key,
                                             std::string_view version_id) const {
  const auto missing = [&] {
    return not_found(fmt::format("object {} has no version {}", key, version_id));
  };
  if (!valid_version_id(version_id)) return missing();
  auto text = read_file(dir_of(key) / (std::string(version_id) + std::string(kRecordSuffix)));
  if (!text.is_ok()) return missing();
  auto v = from_json(json::parse(*text, nullptr, /*allow_exceptions=*/false));
  if (!v || v->key != key) return missing();
  return std::move(*v);
}

std::string new_version_id(int64_t now_ns, std::string_view newest_known) {
  const uint64_t t =
      std::max(static_cast<uint64_t>(std::max<int64_t>(now_ns, 0)), time_of(newest_known) + 1);
  const std::string salt = to_hex(random_bytes(2));
  return fmt::format("{:016x}{}", t, salt);
}

std::string derived_version_id(const FileIdentity& id) {
  return fmt::format("{:016x}{:04x}", static_cast<uint64_t>(std::max<int64_t>(id.mtime_ns, 0)),
                     id.inode & 0xffff);
}

bool valid_version_id(std::string_view id) {
  return id.size() == kIdDigits && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace autosync::backends::local
