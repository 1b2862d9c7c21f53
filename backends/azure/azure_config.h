// AzureConfig: where an Azure Blob container is and how to sign requests to it, and
// resolve(), which fills what the config leaves empty from a connection string and the
// AZURE_STORAGE_* environment variables.
//
// Plain value type; resolve() is a pure function of its arguments (the environment is read
// through the EnvLookup it is given), so it is thread-safe. Secrets (account key, SAS token)
// are held here as given and never put into an error message.
#pragma once

#include <chrono>
#include <string>

#include "core/base/env.h"
#include "core/base/result.h"

namespace autosync::backends::azure {

struct AzureConfig {
  std::string container;
  std::string account;      // empty: from connection string / AZURE_STORAGE_ACCOUNT
  std::string account_key;  // base64 Shared Key; empty: conn string / AZURE_STORAGE_KEY
  std::string sas_token;    // without leading '?'; empty: conn string / AZURE_STORAGE_SAS_TOKEN
  std::string connection_string;  // empty: AZURE_STORAGE_CONNECTION_STRING
  std::string endpoint;           // blob service URL incl. account path for emulators, e.g.
                                  // http://127.0.0.1:10000/devstoreaccount1; empty: derived
                                  // (https://ACCOUNT.blob.core.windows.net)
  std::string ca_bundle;
  bool verify_tls = true;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds stall_timeout{30};
};

// Fills what `config` leaves empty, each field from the first source that has it:
//   1. the config itself;
//   2. its connection_string, or AZURE_STORAGE_CONNECTION_STRING when that is empty;
//   3. AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN.
// Credentials (key or SAS token) come as a pair from one source, so a key from one place is
// never combined with an account from another by accident of precedence: the first source
// that names any credential supplies them. An AZURE_STORAGE_CONNECTION_STRING naming another
// account than config.account is ignored altogether. A resolved config has a container, an endpoint
// (without a trailing '/'), and an account key (valid base64) or a SAS token (without '?');
// with a key it also has an account name. kInvalid, saying what is missing and where it
// looked, otherwise.
Result<AzureConfig> resolve(AzureConfig config, const EnvLookup& env);

}  // namespace autosync::backends::azure
