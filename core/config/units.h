// Parsing of the value forms config files and -o options share: sizes ("20G"), durations
// ("1m30s"), octal modes ("022") and booleans ("yes"). The accepted forms are documented in
// config.h. Pure functions; thread-safe.
// Errors are kInvalid with a message that quotes the text and shows the accepted forms; callers
// add which key it was. Never pass a secret here: the text is quoted back in errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace autosync::config {

// "512M" -> 536870912. Binary suffixes K, M, G, T (also KiB...TiB, any case) or none/B.
Result<uint64_t> parse_size(std::string_view text);

// "1m30s" -> 90000ms. Units ms, s, m, h, d; "0" alone is zero.
Result<std::chrono::milliseconds> parse_duration(std::string_view text);

// "022" or "0022" -> 18. Octal digits only, at most 0777.
Result<uint32_t> parse_octal_mode(std::string_view text);

// "true"/"yes"/"on"/"1" and "false"/"no"/"off"/"0", any case.
Result<bool> parse_bool(std::string_view text);

// A whole decimal number, no sign, no spaces.
Result<uint64_t> parse_count(std::string_view text);

// The other way, for messages: 536870912 -> "512M" (exact, else "N bytes").
std::string format_size(uint64_t bytes);

// In the largest unit that is exact: 120000ms -> "2m", 90000ms -> "90s", 1500ms -> "1500ms".
std::string format_duration(std::chrono::milliseconds duration);

}  // namespace autosync::config
