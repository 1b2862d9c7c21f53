#include "core/layout/object_meta.h"

#include <sys/stat.h>

#include <charconv>
#include <chrono>
#include <optional>

namespace autosync::layout {
namespace {

template <typename T>
std::optional<T> parse_number(const backends::UserMetadata& meta, const char* name) {
  const auto it = meta.find(name);
  if (it == meta.end()) return std::nullopt;
  T value{};
  const std::string& s = it->second;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

// "1700000000" or "1700000000.123456789" -> nanoseconds.
std::optional<int64_t> parse_mtime(const backends::UserMetadata& meta) {
  const auto it = meta.find("mtime");
  if (it == meta.end()) return std::nullopt;
  const std::string& s = it->second;
  const size_t dot = s.find('.');
  int64_t secs = 0;
  const std::string_view whole = std::string_view(s).substr(0, dot);
  if (whole.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(whole.data(), whole.data() + whole.size(), secs);
  if (ec != std::errc() || end != whole.data() + whole.size()) return std::nullopt;
  int64_t nanos = 0;
  if (dot != std::string::npos) {
    std::string frac = s.substr(dot + 1, 9);
    frac.resize(9, '0');
    auto [fend, fec] = std::from_chars(frac.data(), frac.data() + frac.size(), nanos);
    if (fec != std::errc() || fend != frac.data() + frac.size()) return std::nullopt;
  }
  return secs * 1'000'000'000 + nanos;
}

}  // namespace

backends::UserMetadata encode_meta(const FileMeta& meta) {
  std::string mtime = std::to_string(meta.mtime_ns / 1'000'000'000);
  return {{"mode", std::to_string(meta.mode)},
          {"uid", std::to_string(meta.uid)},
          {"gid", std::to_string(meta.gid)},
          {"mtime", std::move(mtime)}};
}

FileMeta decode_meta(const backends::ObjectInfo& object, const FileMeta& defaults) {
  FileMeta out = defaults;
  if (auto mode = parse_number<mode_t>(object.metadata, "mode")) out.mode = *mode;
  if (auto uid = parse_number<uid_t>(object.metadata, "uid")) out.uid = *uid;
  if (auto gid = parse_number<gid_t>(object.metadata, "gid")) out.gid = *gid;
  if (auto mtime = parse_mtime(object.metadata)) {
    out.mtime_ns = *mtime;
  } else {
    out.mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       object.last_modified.time_since_epoch())
                       .count();
  }
  const bool is_dir = !object.key.empty() && object.key.back() == '/';
  if (is_dir) {
    out.mode = S_IFDIR | (out.mode & 07777 ? out.mode & 07777 : (defaults.mode & 07777));
  } else if ((out.mode & S_IFMT) == 0) {
    out.mode |= S_IFREG;  // s3fs and other tools may store permission bits only
  }
  return out;
}

void add_origin(backends::UserMetadata& meta, const OriginMeta& origin) {
  if (origin.host.empty()) return;
  meta[std::string(kHostField)] = origin.host;
  meta[std::string(kPriorityField)] = std::to_string(origin.priority);
}

OriginMeta decode_origin(const backends::ObjectInfo& object) {
  OriginMeta out;
  if (const auto it = object.metadata.find(std::string(kHostField)); it != object.metadata.end()) {
    out.host = it->second;
  }
  if (auto priority = parse_number<int64_t>(object.metadata, kPriorityField.data())) {
    out.priority = *priority;
    out.has_priority = true;
  }
  return out;
}

std::string dir_marker_key(std::string_view dir_path) {
  if (dir_path.empty()) return {};
  return std::string(dir_path) + "/";
}

}  // namespace autosync::layout
