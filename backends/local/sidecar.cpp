#include "backends/local/sidecar.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::local {
namespace {

using nlohmann::json;
constexpr size_t kVersionsKept = 2;

json to_json(const VersionRecord& v) {
  return json{{"etag", v.etag},
              {"version_id", v.version_id},
              {"inode", v.identity.inode},
              {"mtime_ns", v.identity.mtime_ns},
              {"size", v.identity.size},
              {"content_type", v.content_type},
              {"metadata", v.metadata}};
}

VersionRecord from_json(const json& j) {
  VersionRecord v;
  v.etag = j.at("etag").get<std::string>();
  v.identity.inode = j.at("inode").get<uint64_t>();
  v.identity.mtime_ns = j.at("mtime_ns").get<int64_t>();
  v.identity.size = j.at("size").get<uint64_t>();
  v.version_id = j.value("version_id", "");
  v.content_type = j.value("content_type", "");
  v.metadata = j.value("metadata", UserMetadata{});
  return v;
}

}  // namespace

const VersionRecord* Sidecar::find(const FileIdentity& id) const {
  for (const auto& v : versions) {
    if (v.identity == id) return &v;
  }
  return nullptr;
}

void Sidecar::push(VersionRecord v) {
  versions.insert(versions.begin(), std::move(v));
  if (versions.size() > kVersionsKept) versions.resize(kVersionsKept);
}

Sidecar load_sidecar(const fs::path& path) {
  auto text = read_file(path);
  if (!text.is_ok()) return {};
  const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("versions") || !j["versions"].is_array()) return {};
  Sidecar out;
  for (const auto& item : j["versions"]) {
    if (!item.is_object() || !item.contains("etag")) continue;
    try {
      out.versions.push_back(from_json(item));
    } catch (const json::exception&) {
      // A damaged entry is ignored: the data file stays readable with a derived ETag.
    }
  }
  return out;
}

std::string serialize(const Sidecar& sidecar) {
  json versions = json::array();
  for (const auto& v : sidecar.versions)
    versions.push_back(to_json(v));
  return json{{"versions", versions}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string new_etag() {
  return to_hex(random_bytes(16));
}

std::string derived_etag(const FileIdentity& id) {
  return to_hex(sha256(fmt::format("{}:{}:{}", id.inode, id.mtime_ns, id.size))).substr(0, 32);
}

}  // namespace autosync::backends::local
