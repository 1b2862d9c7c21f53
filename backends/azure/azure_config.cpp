#include "backends/azure/azure_config.h"

#include <fmt/format.h>

#include <optional>

#include "backends/azure/connection_string.h"
#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

constexpr std::string_view kLookedIn =
    "looked in the configuration, its connection string, AZURE_STORAGE_CONNECTION_STRING, "
    "AZURE_STORAGE_ACCOUNT, AZURE_STORAGE_KEY and AZURE_STORAGE_SAS_TOKEN";

std::string env_or_empty(const EnvLookup& env, std::string_view name) {
  return env(name).value_or(std::string());
}

// Container names: 3-63 of [a-z0-9-], starting and ending with a letter or digit, no "--";
// $root and $web are the service's special containers.
bool valid_container_name(std::string_view name) {
  if (name == "$root" || name == "$web") return true;
  if (name.size() < 3 || name.size() > 63) return false;
  if (name.front() == '-' || name.back() == '-' || name.find("--") != std::string_view::npos) {
    return false;
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Status check_endpoint(std::string_view endpoint) {
  if (endpoint.empty()) {
    return invalid(
        fmt::format("no Azure blob endpoint and no account to derive one from ({})", kLookedIn));
  }
  if (!endpoint.starts_with("http://") && !endpoint.starts_with("https://")) {
    return invalid(fmt::format("Azure endpoint '{}' is not an http:// or https:// URL",
                               endpoint.substr(0, endpoint.find('?'))));
  }
  return {};
}

// Takes the key and SAS token from the first source that has either.
void pick_credentials(AzureConfig& config, const ConnectionString& conn, const EnvLookup& env) {
  if (!config.account_key.empty() || !config.sas_token.empty()) return;
  if (!conn.account_key.empty() || !conn.sas_token.empty()) {
    config.account_key = conn.account_key;
    config.sas_token = conn.sas_token;
    return;
  }
  config.account_key = env_or_empty(env, "AZURE_STORAGE_KEY");
  config.sas_token = env_or_empty(env, "AZURE_STORAGE_SAS_TOKEN");
}

Status check_credentials(const AzureConfig& config) {
  if (config.account_key.empty() && config.sas_token.empty()) {
    return invalid(
        fmt::format("no Azure credentials (account key or SAS token) for account '{}': {}",
                    config.account, kLookedIn));
  }
  if (!config.account_key.empty()) {
    const auto key = base64_decode(config.account_key);
    if (!key || key->empty()) {
      return invalid(fmt::format("the Azure account key for account '{}' is not valid base64",
                                 config.account));
    }
    if (config.account.empty()) {
      return invalid(fmt::format("an Azure account key needs an account name: {}", kLookedIn));
    }
  }
  return {};
}

}  // namespace

Result<AzureConfig> resolve(AzureConfig config, const EnvLookup& env) {
  if (config.container.empty()) return invalid("no Azure container given");
  if (!valid_container_name(config.container)) {
    return invalid(fmt::format(
        "'{}' is not a valid Azure container name (3-63 of a-z, 0-9 and '-')", config.container));
  }
  const bool conn_from_env = config.connection_string.empty();
  if (conn_from_env) {
    config.connection_string = env_or_empty(env, "AZURE_STORAGE_CONNECTION_STRING");
  }
  ConnectionString conn;
  if (!config.connection_string.empty()) {
    AUTOSYNC_ASSIGN_OR_RETURN(conn, parse_connection_string(config.connection_string));
  }
  // An ambient connection string for another account than the one configured says nothing
  // about this one; using its key or endpoint would only produce confusing auth failures.
  if (conn_from_env && !config.account.empty() && !conn.account.empty() &&
      conn.account != config.account) {
    conn = ConnectionString{};
  }
  if (config.account.empty()) config.account = conn.account;
  if (config.account.empty()) config.account = env_or_empty(env, "AZURE_STORAGE_ACCOUNT");
  pick_credentials(config, conn, env);
  if (config.sas_token.starts_with('?')) config.sas_token.erase(0, 1);
  AUTOSYNC_RETURN_IF_ERROR(check_credentials(config));

  if (config.endpoint.empty()) config.endpoint = conn.blob_endpoint;
  if (config.endpoint.empty() && !config.account.empty()) {
    config.endpoint = fmt::format("https://{}.blob.core.windows.net", config.account);
  }
  while (!config.endpoint.empty() && config.endpoint.back() == '/') {
    config.endpoint.pop_back();
  }
  AUTOSYNC_RETURN_IF_ERROR(check_endpoint(config.endpoint));
  return config;
}

}  // namespace autosync::backends::azure
