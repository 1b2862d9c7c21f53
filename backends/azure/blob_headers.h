// Translating between ObjectStore types and Blob service headers: metadata (x-ms-meta-*),
// conditions (If-Match ...), ranges (x-ms-range) and the object properties of an answer.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "backends/http/http_client.h"
#include "backends/object_store.h"

namespace autosync::backends::azure {

// Azure metadata names must be C# identifiers ([A-Za-z_][A-Za-z0-9_]*), while ObjectStore
// names are [a-z0-9_-]. The mapping escapes what Azure refuses as "_xHH_" (the byte in hex):
// '-' anywhere, a leading digit, and the '_' of a literal "_x" (so decoding is exact).
// Names that need no escape (the usual "mtime", "file_mode") map to themselves.
std::string encode_metadata_name(std::string_view name);
std::string decode_metadata_name(std::string_view name);

// x-ms-meta-NAME: VALUE for each entry.
void add_metadata_headers(http::Headers& headers, const UserMetadata& metadata);

// If-Match / If-None-Match (or, with a "x-ms-source-" prefix, the copy-source forms). ETags
// get the quotes the service expects; "*" goes as is.
void add_condition_headers(http::Headers& headers, const Conditions& conditions,
                           std::string_view prefix = {});

// "bytes=FIRST-LAST", or "bytes=FIRST-" for a range to the end. `range` must not be empty.
std::string range_header_value(const ByteRange& range);

// The total size in a Content-Range value ("bytes 0-9/100" or "bytes */100").
std::optional<uint64_t> content_range_total(std::string_view content_range);

// Properties from a Get Blob / Get Blob Properties answer: size (the whole object's, also
// for a ranged answer), ETag without quotes, Last-Modified, Content-Type, x-ms-version-id,
// and x-ms-meta-* as decoded metadata names.
ObjectInfo object_info_from_headers(std::string_view key, const http::HttpResponse& response);

}  // namespace autosync::backends::azure
