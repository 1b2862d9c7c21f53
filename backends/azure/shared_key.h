// Shared Key authorization for the Azure Blob service: the documented string-to-sign and
// its HMAC-SHA256 signature ("Authorize with Shared Key", version 2009-09-19 and later).
//
// Pure functions; thread-safe. The decoded account key passes through these functions only;
// none of them logs or returns it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "backends/http/http_client.h"

namespace autosync::backends::azure {

// "/ACCOUNT" + the URL's encoded path as sent (for an emulator that path starts with the
// account again: /devstoreaccount1/devstoreaccount1/container/blob), then one
// "\nname:value" line per query parameter: names lower-cased and sorted, names and values
// URL-decoded, several values of one name sorted and joined with ','.
std::string canonicalized_resource(std::string_view account, std::string_view url);

// The x-ms-* headers: names lower-cased and sorted, values trimmed, one "name:value\n" each.
std::string canonicalized_headers(const http::Headers& headers);

// VERB, the eleven standard headers (Content-Encoding ... Range) each on its own line,
// Content-Length empty when 0, then canonicalized headers and resource. `content_length`
// is the body size the HTTP client will send (it sets Content-Length itself).
std::string string_to_sign(std::string_view method, std::string_view url,
                           const http::Headers& headers, uint64_t content_length,
                           std::string_view account);

// base64(HMAC-SHA256(decoded_key, string_to_sign)).
std::string shared_key_signature(std::string_view decoded_key, std::string_view string_to_sign);

// The Authorization header value: "SharedKey ACCOUNT:SIGNATURE".
std::string shared_key_authorization(std::string_view account, std::string_view decoded_key,
                                     std::string_view string_to_sign);

}  // namespace autosync::backends::azure
