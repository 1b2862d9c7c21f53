// Building Blob service URLs: encoded blob paths and query strings.
//
// Pure functions; thread-safe. A SAS token is appended last and is the only secret a URL
// can hold; HttpClient's redact_url drops it (with the rest of the query) from messages.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace autosync::backends::azure {

// Query parameters as plain (unencoded) name/value pairs, in the order to send them.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "/CONTAINER".
std::string container_path(std::string_view container);

// "/CONTAINER/KEY" with the key percent-encoded except for '/', so every byte of a key
// (spaces, '+', '%', '#', '?', '&', '=', UTF-8) reaches the service as written. Path
// segments made only of dots are encoded too (%2E), so that no HTTP stack along the way
// folds "a/../b" into "b".
std::string blob_path(std::string_view container, std::string_view key);

// "n1=v1&n2=v2", names and values percent-encoded (a space is %20, never '+').
std::string encode_query(const QueryParams& query);

// ENDPOINT + PATH + "?" + query, with the SAS token (if any) appended as further parameters.
std::string build_url(std::string_view endpoint, std::string_view path, const QueryParams& query,
                      std::string_view sas_token);

}  // namespace autosync::backends::azure
