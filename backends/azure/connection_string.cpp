#include "backends/azure/connection_string.h"

#include <fmt/format.h>

#include <map>

#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

// Setting name (lower-cased) -> value, in the order they appear; a later duplicate wins.
using Settings = std::map<std::string, std::string>;

Result<Settings> split_settings(std::string_view text) {
  Settings settings;
  size_t index = 0;
  while (!text.empty()) {
    const size_t semi = text.find(';');
    const std::string_view part = trim(text.substr(0, semi));
    text = semi == std::string_view::npos ? std::string_view{} : text.substr(semi + 1);
    ++index;
    if (part.empty()) continue;  // "a=b;;c=d" and a trailing ';' are common and harmless
    // The first '=' splits: base64 keys and SAS tokens contain '=' themselves.
    const size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return invalid(
          fmt::format("Azure connection string: part {} is not a Name=Value setting", index));
    }
    settings[to_lower(trim(part.substr(0, eq)))] = std::string(trim(part.substr(eq + 1)));
  }
  return settings;
}

std::string setting(const Settings& settings, std::string_view name) {
  const auto it = settings.find(std::string(name));
  return it == settings.end() ? std::string() : it->second;
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  return url;
}

Result<ConnectionString> development_storage(const Settings& settings) {
  if (to_lower(setting(settings, "usedevelopmentstorage")) != "true") {
    return invalid("Azure connection string: UseDevelopmentStorage must be 'true'");
  }
  ConnectionString out;
  out.account = std::string(kDevStoreAccount);
  out.account_key = std::string(kDevStoreKey);
  out.blob_endpoint = std::string(kDevStoreBlobEndpoint);
  const std::string proxy = without_trailing_slash(setting(settings, "developmentstorageproxyuri"));
  if (!proxy.empty()) out.blob_endpoint = fmt::format("{}:10000/{}", proxy, kDevStoreAccount);
  return out;
}

}  // namespace

Result<ConnectionString> parse_connection_string(std::string_view text) {
  AUTOSYNC_ASSIGN_OR_RETURN(const Settings settings, split_settings(text));
  if (settings.contains("usedevelopmentstorage")) return development_storage(settings);

  ConnectionString out;
  out.account = setting(settings, "accountname");
  out.account_key = setting(settings, "accountkey");
  out.sas_token = setting(settings, "sharedaccesssignature");
  if (out.sas_token.starts_with('?')) out.sas_token.erase(0, 1);
  out.blob_endpoint = without_trailing_slash(setting(settings, "blobendpoint"));

  const std::string protocol = to_lower(setting(settings, "defaultendpointsprotocol"));
  if (!protocol.empty() && protocol != "https" && protocol != "http") {
    return invalid("Azure connection string: DefaultEndpointsProtocol must be http or https");
  }
  if (out.blob_endpoint.empty() && !out.account.empty()) {
    std::string suffix = setting(settings, "endpointsuffix");
    if (suffix.empty()) suffix = "core.windows.net";
    out.blob_endpoint =
        fmt::format("{}://{}.blob.{}", protocol.empty() ? "https" : protocol, out.account, suffix);
  }
  return out;
}

}  // namespace autosync::backends::azure
