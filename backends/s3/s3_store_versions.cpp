// S3ObjectStore::list_versions: ListObjectVersions (GET /?versions&prefix=KEY), kept to
// exactly KEY, paging with key-marker and version-id-marker.
//
// Whether a bucket keeps versions is the bucket's setting (GetBucketVersioning), which this
// backend does not ask: it reads the answer instead. A bucket that never had versioning on
// lists each object once with the version id "null": that is kUnsupported, as is a server
// without the API (s3rver answers ?versions with a plain listing). capabilities().versioning
// only says the API exists (AWS, MinIO), not that this bucket keeps versions.
#include <fmt/format.h>

#include <charconv>

#include "backends/s3/s3_object_store.h"
#include "backends/s3/s3_xml.h"

namespace autosync::backends::s3 {
namespace {

constexpr std::string_view kMaxVersions = "1000";
constexpr std::string_view kNullVersion = "null";

// The continuation token: "LENGTH:" the key marker, then the version id marker.
std::string make_token(const std::string& key_marker, const std::string& version_id_marker) {
  return fmt::format("{}:{}{}", key_marker.size(), key_marker, version_id_marker);
}

struct Markers {
  std::string key;
  std::string version_id;
};

Result<Markers> parse_token(std::string_view token) {
  const size_t colon = token.find(':');
  size_t length = 0;
  const auto parsed = std::from_chars(token.data(), token.data() + colon, length);
  if (colon == std::string_view::npos || parsed.ec != std::errc() ||
      length > token.size() - colon - 1) {
    return invalid("list versions: not a continuation token this store gave");
  }
  return Markers{std::string(token.substr(colon + 1, length)),
                 std::string(token.substr(colon + 1 + length))};
}

}  // namespace

Result<VersionPage> S3ObjectStore::list_versions(std::string_view key,
                                                 std::string_view continuation_token) {
  const std::string what = fmt::format("list versions of {}", key);
  if (!capabilities_.versioning) return ObjectStore::list_versions(key, continuation_token);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  S3Request request{.method = "GET"};
  request.query = {{"versions", ""},
                   {"prefix", std::string(key)},
                   {"encoding-type", "url"},
                   {"max-keys", std::string(kMaxVersions)}};
  if (!continuation_token.empty()) {
    AUTOSYNC_ASSIGN_OR_RETURN(const Markers markers, parse_token(continuation_token));
    request.query.emplace_back("key-marker", markers.key);
    if (!markers.version_id.empty())
      request.query.emplace_back("version-id-marker", markers.version_id);
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  auto listing = parse_version_listing(response.body);
  if (!listing.is_ok()) return std::move(listing).take_status().context(what);
  VersionPage page;
  bool only_null = true;
  for (auto& entry : listing->entries) {
    if (entry.key != key) continue;  // the prefix also matches longer keys
    only_null = only_null && entry.version.version_id == kNullVersion;
    page.versions.push_back(std::move(entry.version));
  }
  if (!page.versions.empty() && only_null && continuation_token.empty()) {
    return Status::error(ErrorKind::kUnsupported,
                         fmt::format("{}: the bucket keeps no versions (versioning is off)", what));
  }
  // Keys after KEY sort after all of KEY's versions: once the marker moved on, KEY is done.
  if (listing->truncated && listing->next_key_marker == key) {
    page.next_token = make_token(listing->next_key_marker, listing->next_version_id_marker);
  }
  return page;
}

}  // namespace autosync::backends::s3
