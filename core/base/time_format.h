// Timestamps in the formats the wire protocols use. Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace autosync {

using SystemTime = std::chrono::system_clock::time_point;

// 20130524T000000Z (SigV4's x-amz-date).
std::string format_iso8601_basic(SystemTime t);
// Fri, 24 May 2013 00:00:00 GMT (HTTP dates, Azure's x-ms-date).
std::string format_http_date(SystemTime t);
// 2013-05-24T00:00:00.000Z (S3 XML).
std::string format_iso8601(SystemTime t);

// Parse either 2013-05-24T00:00:00[.fff]Z or an HTTP date; nothing when neither.
std::optional<SystemTime> parse_timestamp(std::string_view text);

}  // namespace autosync
