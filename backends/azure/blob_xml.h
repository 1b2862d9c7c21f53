// The Blob service's XML bodies: List Blobs results, error answers, and the block list a
// Put Block List sends.
//
// Pure functions over strings; thread-safe. pugixml stays inside blob_xml.cpp.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/object_store.h"

namespace autosync::backends::azure {

struct AzureErrorBody {
  std::string code;     // e.g. BlobNotFound
  std::string message;  // the first line of <Message> (the service appends request id and time)
};

// Nothing when `body` is not an Azure <Error> document.
std::optional<AzureErrorBody> parse_error_body(std::string_view body);

// An <EnumerationResults> page: <Blob> entries become objects (size, ETag without quotes,
// last modified, content type), <BlobPrefix> entries common prefixes, <NextMarker> the next
// token. Names the service sent percent-encoded (Encoded="true") are decoded.
// kTransient when the body is not such a document.
Result<ListPage> parse_list_blobs(std::string_view body);

// A List Blobs page asked with include=versions: each <Blob> entry a version of the blob
// `key` names (VersionId; IsCurrentVersion marks the current one; the service sends a
// blob's versions oldest first). An entry without a VersionId means the account keeps no
// versions (its blobs are listed as they are): such a page has `unversioned` set.
struct BlobVersionEntry {
  std::string key;
  ObjectVersion version;
};
struct BlobVersionPage {
  std::vector<BlobVersionEntry> entries;
  bool unversioned = false;
  std::string next_marker;
};
Result<BlobVersionPage> parse_blob_versions(std::string_view body);

// <?xml ...?><BlockList><Latest>ID</Latest>...</BlockList>, in the order given.
std::string block_list_xml(std::span<const std::string> block_ids);

// An ETag without the surrounding quotes the service puts on it.
std::string strip_etag_quotes(std::string_view etag);

}  // namespace autosync::backends::azure
