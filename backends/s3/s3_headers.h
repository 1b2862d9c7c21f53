// The HTTP headers of S3 requests and answers: object info from answer headers, and the
// request headers for ranges, conditions and user metadata, checked so that no caller value
// can break a header line.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backends/http/http_client.h"
#include "backends/object_store.h"
#include "core/base/status.h"

namespace autosync::backends::s3 {

// What every object is sent as unless the caller names a type: then put's info and a later
// head agree on every server.
inline constexpr std::string_view kDefaultContentType = "application/octet-stream";

// ObjectInfo from a HEAD/GET/PUT answer: size (Content-Range's total for a 206, else
// Content-Length), ETag, Last-Modified, version id, content type and x-amz-meta-* metadata.
ObjectInfo info_from_headers(std::string_view key, const http::HttpResponse& response);

// The total of "bytes a-b/TOTAL" or "bytes */TOTAL"; nothing when absent or "*".
std::optional<uint64_t> content_range_total(std::string_view content_range);

// "bytes=first-last" or "bytes=first-" for a range that runs to the end.
std::string range_header(const ByteRange& range);

// Appends If-Match / If-None-Match, each ETag quoted as HTTP wants ("*" stays bare).
// `prefix` is "" for the object itself or "x-amz-copy-source-" for a copy's source.
void add_conditions(http::Headers& headers, const Conditions& conditions,
                    std::string_view prefix = "");

// Appends x-amz-meta-NAME headers.
void add_metadata(http::Headers& headers, const UserMetadata& metadata);

// kInvalid unless metadata names are [a-z0-9_-] and values, content type and ETags are
// printable ASCII: anything else could not travel in a header (and CR/LF would forge one).
Status check_header_values(const UserMetadata& metadata, std::string_view content_type,
                           const Conditions& conditions);

}  // namespace autosync::backends::s3
