#include "backends/s3/s3_config.h"

#include <fmt/format.h>

#include "backends/s3/aws_profile.h"
#include "backends/s3/endpoint.h"

namespace autosync::backends::s3 {
namespace {

constexpr uint64_t kMinCopyPart = 5ULL << 20;
constexpr uint64_t kMaxCopyPart = 5ULL << 30;

// Everything resolve() consults besides the config itself: the environment and the chosen
// profile's sections in both shared files.
struct Sources {
  const EnvLookup& env;
  std::string profile{};
  bool profile_named = false;      // by config.profile or AWS_PROFILE (else "default")
  std::string credentials_path{};  // empty when there is no HOME to find it in
  std::string config_path{};
  std::optional<ProfileValues> credentials_file{};
  std::optional<ProfileValues> config_file{};
};

std::optional<std::string> value_in(const std::optional<ProfileValues>& section,
                                    const std::string& key) {
  if (!section) return std::nullopt;
  const auto it = section->find(key);
  if (it == section->end() || it->second.empty()) return std::nullopt;
  return it->second;
}

// A profile setting; `credentials_first` for keys the CLI reads from the credentials file first.
std::optional<std::string> profile_value(const Sources& s, const std::string& key,
                                         bool credentials_first) {
  const auto& first = credentials_first ? s.credentials_file : s.config_file;
  const auto& second = credentials_first ? s.config_file : s.credentials_file;
  if (auto v = value_in(first, key)) return v;
  return value_in(second, key);
}

std::string expand_home(std::string path, const EnvLookup& env) {
  if (path.starts_with("~/")) {
    if (auto home = env("HOME")) path = *home + path.substr(1);
  }
  return path;
}

std::string shared_file_path(const EnvLookup& env, std::string_view variable,
                             std::string_view default_name) {
  if (auto path = env(variable)) return expand_home(*path, env);
  if (auto home = env("HOME")) return fmt::format("{}/.aws/{}", *home, default_name);
  return {};
}

Result<Sources> load_sources(const S3Config& config, const EnvLookup& env) {
  Sources s{env};
  const auto env_profile = env("AWS_PROFILE");
  s.profile = !config.profile.empty() ? config.profile : env_profile.value_or("default");
  s.profile_named = !config.profile.empty() || env_profile.has_value();
  s.credentials_path = shared_file_path(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials");
  s.config_path = shared_file_path(env, "AWS_CONFIG_FILE", "config");
  if (!s.credentials_path.empty()) {
    AUTOSYNC_ASSIGN_OR_RETURN(
        s.credentials_file, read_profile(s.credentials_path, s.profile, ProfileFile::kCredentials));
  }
  if (!s.config_path.empty()) {
    AUTOSYNC_ASSIGN_OR_RETURN(s.config_file,
                              read_profile(s.config_path, s.profile, ProfileFile::kConfig));
  }
  if (s.profile_named && !s.credentials_file && !s.config_file) {
    return invalid(fmt::format("AWS profile '{}' not found in {} or {}", s.profile,
                               s.credentials_path, s.config_path));
  }
  return s;
}

// Credentials from a pair of sources; nothing when neither half is there, an error for half.
Result<std::optional<Credentials>> credential_pair(std::optional<std::string> id,
                                                   std::optional<std::string> secret,
                                                   const std::optional<std::string>& token,
                                                   std::string_view where) {
  if (!id && !secret) return std::optional<Credentials>{};
  if (!id || !secret) {
    return invalid(fmt::format("incomplete S3 credentials in {}: {} is set but {} is not", where,
                               id ? "the access key id" : "the secret access key",
                               id ? "the secret access key" : "the access key id"));
  }
  return std::optional<Credentials>(Credentials{*id, *secret, token.value_or("")});
}

Result<std::optional<Credentials>> env_credentials(const Sources& s) {
  return credential_pair(s.env("AWS_ACCESS_KEY_ID"), s.env("AWS_SECRET_ACCESS_KEY"),
                         s.env("AWS_SESSION_TOKEN"),
                         "the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)");
}

Result<std::optional<Credentials>> profile_credentials(const Sources& s) {
  return credential_pair(
      profile_value(s, "aws_access_key_id", true), profile_value(s, "aws_secret_access_key", true),
      profile_value(s, "aws_session_token", true), fmt::format("AWS profile '{}'", s.profile));
}

Result<Credentials> resolve_credentials(const S3Config& config, const Sources& s) {
  if (config.credentials) {
    if (config.credentials->access_key_id.empty() ||
        config.credentials->secret_access_key.empty()) {
      return invalid("the configured S3 credentials need both an access key id and a secret");
    }
    return *config.credentials;
  }
  AUTOSYNC_ASSIGN_OR_RETURN(auto from_env, env_credentials(s));
  AUTOSYNC_ASSIGN_OR_RETURN(auto from_profile, profile_credentials(s));
  // An explicit profile negates the environment's keys, as the CLI's --profile does.
  const bool profile_first = !config.profile.empty();
  auto& first = profile_first ? from_profile : from_env;
  auto& second = profile_first ? from_env : from_profile;
  if (first) return *first;
  if (second) return *second;
  return invalid(fmt::format(
      "no S3 credentials found: none configured, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY not "
      "set, and no aws_access_key_id for profile '{}' in {} or {}",
      s.profile, s.credentials_path.empty() ? "~/.aws/credentials" : s.credentials_path,
      s.config_path.empty() ? "~/.aws/config" : s.config_path));
}

std::string resolve_region(const S3Config& config, const Sources& s) {
  if (!config.region.empty()) return config.region;
  if (auto v = s.env("AWS_REGION")) return *v;
  if (auto v = s.env("AWS_DEFAULT_REGION")) return *v;
  if (auto v = profile_value(s, "region", false)) return *v;
  return config.preset == Preset::kGcs ? "auto" : "us-east-1";
}

// The endpoint text and whether the user chose it (a custom endpoint) rather than the preset.
Result<std::pair<std::string, bool>> endpoint_text(const S3Config& config, const Sources& s,
                                                   const std::string& region) {
  if (!config.endpoint.empty()) return std::pair{config.endpoint, true};
  if (auto v = s.env("AWS_ENDPOINT_URL_S3")) return std::pair{*v, true};
  if (auto v = s.env("AWS_ENDPOINT_URL")) return std::pair{*v, true};
  if (auto v = profile_value(s, "endpoint_url", false)) return std::pair{*v, true};
  switch (config.preset) {
    case Preset::kAws:
      return std::pair{fmt::format("https://s3.{}.amazonaws.com", region), false};
    case Preset::kGcs:
      return std::pair{std::string("https://storage.googleapis.com"), false};
    case Preset::kMinio:
      break;
  }
  return invalid("the MinIO preset needs an endpoint (set endpoint or AWS_ENDPOINT_URL_S3)");
}

Result<Addressing> resolve_addressing(const S3Config& config, const Endpoint& endpoint,
                                      bool custom_endpoint) {
  const bool tls = endpoint.scheme == "https";
  if (config.addressing == Addressing::kPath) return Addressing::kPath;
  if (config.addressing == Addressing::kVirtualHosted) {
    if (!is_virtual_host_compatible(config.bucket, false) || is_ip_address(endpoint.host)) {
      return invalid(fmt::format("bucket '{}' at {} cannot use virtual-hosted addressing",
                                 config.bucket, endpoint.url()));
    }
    return Addressing::kVirtualHosted;
  }
  const bool virtual_hosted = config.preset == Preset::kAws && !custom_endpoint &&
                              is_virtual_host_compatible(config.bucket, tls);
  return virtual_hosted ? Addressing::kVirtualHosted : Addressing::kPath;
}

Status check_sizes(const S3Config& config) {
  if (config.copy_part_size < kMinCopyPart || config.copy_part_size > kMaxCopyPart) {
    return invalid(fmt::format("copy_part_size {} is outside S3's part limits (5 MiB to 5 GiB)",
                               config.copy_part_size));
  }
  if (config.multipart_copy_threshold > kMaxCopyPart) {
    return invalid("multipart_copy_threshold above 5 GiB: S3 cannot copy that much in one request");
  }
  return {};
}

}  // namespace

Result<S3Config> resolve(S3Config config, const EnvLookup& env) {
  if (const std::string problem = bucket_name_problem(config.bucket); !problem.empty()) {
    return invalid(fmt::format("bucket name '{}' is invalid: {}", config.bucket, problem));
  }
  AUTOSYNC_RETURN_IF_ERROR(check_sizes(config));
  AUTOSYNC_ASSIGN_OR_RETURN(const Sources sources, load_sources(config, env));
  AUTOSYNC_ASSIGN_OR_RETURN(config.credentials, resolve_credentials(config, sources));
  config.region = resolve_region(config, sources);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto text, endpoint_text(config, sources, config.region));
  AUTOSYNC_ASSIGN_OR_RETURN(const Endpoint endpoint, parse_endpoint(text.first));
  config.endpoint = endpoint.url();
  AUTOSYNC_ASSIGN_OR_RETURN(config.addressing, resolve_addressing(config, endpoint, text.second));
  if (config.ca_bundle.empty()) {
    if (auto v = env("AWS_CA_BUNDLE")) {
      config.ca_bundle = *v;
    } else if (auto p = profile_value(sources, "ca_bundle", false)) {
      config.ca_bundle = *p;
    }
    config.ca_bundle = expand_home(config.ca_bundle, env);
  }
  config.profile = sources.profile;
  return config;
}

std::string_view to_string(Preset preset) {
  switch (preset) {
    case Preset::kAws:
      return "aws";
    case Preset::kMinio:
      return "minio";
    case Preset::kGcs:
      return "gcs";
  }
  return "unknown";
}

}  // namespace autosync::backends::s3
