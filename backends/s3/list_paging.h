// Repairs for list pages from servers that bend ListObjectsV2's rules (pure functions).
//
// - Order: S3 lists in byte order; s3rver lists in its directory walk's order ("a/b" before
//   "a-b"), so pages are sorted (one pass to check when they already are).
// - Page size: S3 counts common prefixes toward max-keys; s3rver does not and can send more
//   entries than asked. Such a page is cut to max-keys in key order, and its next token is
//   one of ours that resumes with start-after just past the last entry kept. Server tokens
//   are base64, so they never start with our marker.
// Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "backends/object_store.h"

namespace autosync::backends::s3 {

// Sorts objects by key and common prefixes, if they are not in order already.
void sort_page(ListPage& page);

// When `page` (sorted) holds more than `max_keys` entries, keeps the first `max_keys` of
// objects and prefixes merged in key order and sets next_token to a start-after token.
void limit_page(ListPage& page, uint32_t max_keys);

// The start-after key in a token made by limit_page; nothing for a server's token.
// kInvalid for a token with our marker that does not decode.
Result<std::optional<std::string>> start_after_in(std::string_view token);

}  // namespace autosync::backends::s3
