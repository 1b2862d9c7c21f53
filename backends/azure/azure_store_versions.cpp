// AzureBlobStore::list_versions: List Blobs with include=versions and the key as prefix,
// kept to exactly the key. Blob versioning is a setting of the storage account; an account
// without it lists blobs without version ids, and an emulator without the feature (azurite
// 3.35) refuses the parameter: both are kUnsupported. The service lists a blob's versions
// oldest first, so every page is read and the versions turned round (newest first). Azure
// has no delete markers: a deleted blob's versions are all there, none of them current.
#include <fmt/format.h>

#include <algorithm>

#include "backends/azure/azure_blob_store.h"
#include "backends/azure/blob_errors.h"
#include "backends/azure/blob_url.h"
#include "backends/azure/blob_xml.h"

namespace autosync::backends::azure {

Result<VersionPage> AzureBlobStore::list_versions(std::string_view key,
                                                  std::string_view /*continuation_token*/) {
  const std::string what = fmt::format("list versions of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  VersionPage out;
  std::string marker;
  do {
    BlobRequest request;
    request.path = container_path(container_);
    request.query = {{"restype", "container"},
                     {"comp", "list"},
                     {"include", "versions"},
                     {"prefix", std::string(key)}};
    if (!marker.empty()) request.query.emplace_back("marker", marker);
    AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse response, transport_.send(request));
    if (response.status == 400) {
      return Status::error(ErrorKind::kUnsupported,
                           fmt::format("{}: the service does not list blob versions ({})", what,
                                       status_from_response(response, container_).message()));
    }
    if (!response.success()) return status_from_response(response, container_).context(what);
    AUTOSYNC_ASSIGN_OR_RETURN(BlobVersionPage page, parse_blob_versions(response.body));
    for (auto& entry : page.entries) {
      if (entry.key != key) continue;  // the prefix also matches longer names
      if (entry.version.version_id.empty()) {
        return Status::error(ErrorKind::kUnsupported,
                             fmt::format("{}: the account keeps no blob versions", what));
      }
      out.versions.push_back(std::move(entry.version));
    }
    marker = page.next_marker;
  } while (!marker.empty());
  // Version ids are timestamps (2024-01-01T00:00:00.1234567Z): their order is their age.
  std::sort(
      out.versions.begin(), out.versions.end(),
      [](const ObjectVersion& a, const ObjectVersion& b) { return a.version_id > b.version_id; });
  return out;
}

}  // namespace autosync::backends::azure
