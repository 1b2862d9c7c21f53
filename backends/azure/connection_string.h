// Parsing Azure Storage connection strings ("AccountName=a;AccountKey=k;...").
//
// Pure functions; thread-safe. Error messages name the offending setting, never its value
// (the string carries secrets).
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"

namespace autosync::backends::azure {

// The Azure Storage emulator's (Azurite's) well-known account; documented by Microsoft and
// public, so it is no secret.
inline constexpr std::string_view kDevStoreAccount = "devstoreaccount1";
inline constexpr std::string_view kDevStoreKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
inline constexpr std::string_view kDevStoreBlobEndpoint = "http://127.0.0.1:10000/devstoreaccount1";

// What a connection string says about the Blob service. Fields it does not set are empty.
struct ConnectionString {
  std::string account;
  std::string account_key;
  std::string sas_token;  // without a leading '?'
  // BlobEndpoint when given, else built from DefaultEndpointsProtocol (default https),
  // AccountName and EndpointSuffix (default core.windows.net); empty without an account.
  std::string blob_endpoint;
};

// Accepts the documented settings: DefaultEndpointsProtocol, AccountName, AccountKey,
// BlobEndpoint, EndpointSuffix, SharedAccessSignature, and UseDevelopmentStorage=true
// (the emulator; DevelopmentStorageProxyUri replaces its host). Setting names are
// case-insensitive; other services' settings (QueueEndpoint, ...) are ignored.
// kInvalid for a part without '=' or an unusable value.
Result<ConnectionString> parse_connection_string(std::string_view text);

}  // namespace autosync::backends::azure
