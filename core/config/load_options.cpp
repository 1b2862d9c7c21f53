// load_options (the whole merge of file and command line), validate, default_cache_dir.
#include <fmt/format.h>

#include <system_error>

#include "backends/decorators/fault_spec.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"
#include "core/config/config.h"
#include "core/config/conflict_rules.h"
#include "core/config/option_list.h"
#include "core/config/units.h"

namespace autosync::config {
namespace {

constexpr size_t kCacheIdHexDigits = 16;

// The one config file the command line names (--config or config=FILE), or an empty path.
Result<std::filesystem::path> config_path(const CommandLine& command_line) {
  std::filesystem::path chosen = command_line.config_file;
  for (const std::string& list : command_line.option_lists) {
    AUTOSYNC_ASSIGN_OR_RETURN(std::vector<MountOption> items, split_mount_options(list));
    for (const MountOption& item : items) {
      if (item.key != "config") continue;
      if (!item.value || item.value->empty())
        return invalid("-o config: needs a value (config=FILE)");
      if (!chosen.empty() && chosen != *item.value) {
        return invalid(fmt::format("two config files named, {} and {}: give one", chosen.string(),
                                   *item.value));
      }
      chosen = *item.value;
    }
  }
  return chosen;
}

// REMOTE and MOUNTPOINT from the command line, over the file's.
Status apply_positionals(Options& options, const CommandLine& command_line) {
  if (!command_line.remote.empty()) {
    AUTOSYNC_ASSIGN_OR_RETURN(options.store.remote,
                              backends::parse_remote_url(command_line.remote));
  }
  if (!command_line.mountpoint.empty()) {
    std::error_code error;
    options.mountpoint = std::filesystem::absolute(command_line.mountpoint, error);
    if (error) {
      return invalid(fmt::format("mountpoint {}: {}", command_line.mountpoint, error.message()));
    }
  }
  return {};
}

Status check_s3_credentials(const backends::s3::S3Config& s3) {
  if (!s3.credentials) return {};
  const backends::s3::Credentials& c = *s3.credentials;
  if (c.access_key_id.empty() != c.secret_access_key.empty()) {
    return invalid("s3: access_key_id and secret_access_key go together, and only one is set");
  }
  if (!c.session_token.empty() && c.access_key_id.empty())
    return invalid("s3: session_token needs access_key_id and secret_access_key");
  return {};
}

// What identifies a remote's data: its URL and the server it is on, as configured.
std::string remote_identity(const backends::StoreConfig& store) {
  std::string identity = backends::to_string(store.remote);
  switch (store.remote.scheme) {
    case backends::Scheme::kS3:
    case backends::Scheme::kGcs:
      identity += "\n" + store.s3.endpoint;
      break;
    case backends::Scheme::kAzure:
      identity += "\n" + store.azure.endpoint + "\n" + store.azure.account;
      break;
    case backends::Scheme::kFile:
      break;
  }
  return identity;
}

// Test-only: the store faults AUTOSYNC_TEST_FAULTS asks for, so tests can run the real
// programs against a failing store (backends/decorators/fault_spec.h has the syntax).
Status apply_test_faults(Options& options, const EnvLookup& env) {
  const std::optional<std::string> spec = env(kTestFaultsVariable);
  if (!spec || spec->empty()) return {};
  auto plan = backends::parse_fault_spec(*spec);
  if (!plan) return std::move(plan).take_status().context(kTestFaultsVariable);
  options.store.faults = std::move(plan).value();
  return {};
}

}  // namespace

bool has_remote(const Options& options) {
  // parse_remote_url never yields file:// without a path, which is how Options starts.
  return options.store.remote.scheme != backends::Scheme::kFile ||
         !options.store.remote.path.empty();
}

Status validate(const Options& options) {
  const backends::RetryPolicy& retry = options.store.retry;
  if (retry.initial_delay > retry.max_delay) {
    return invalid(fmt::format("retry: initial_delay ({}) is longer than max_delay ({})",
                               format_duration(retry.initial_delay),
                               format_duration(retry.max_delay)));
  }
  AUTOSYNC_RETURN_IF_ERROR(check_s3_credentials(options.store.s3));
  // autosyncd applies these; a bad rule is refused here, before anything mounts.
  if (auto rules = parse_rules(options.sync.conflict_rules); !rules) {
    return std::move(rules).take_status().context("sync.conflict_rules");
  }
  return Status::ok();
}

Result<std::filesystem::path> default_cache_dir(const backends::StoreConfig& store,
                                                const EnvLookup& env, uint32_t effective_uid) {
  const std::string id = to_hex(sha256(remote_identity(store))).substr(0, kCacheIdHexDigits);
  if (effective_uid == 0) return std::filesystem::path("/var/cache/autosync") / id;
  // XDG: a relative XDG_CACHE_HOME is invalid and must be ignored.
  if (std::optional<std::string> xdg = env("XDG_CACHE_HOME"); xdg && xdg->starts_with('/'))
    return std::filesystem::path(*xdg) / "autosync" / id;
  if (std::optional<std::string> home = env("HOME"); home && home->starts_with('/'))
    return std::filesystem::path(*home) / ".cache" / "autosync" / id;
  return invalid(
      "no place for the cache: neither XDG_CACHE_HOME nor HOME is an absolute path; "
      "set cache.dir");
}

Result<Options> load_options(const CommandLine& command_line, const EnvLookup& env,
                             uint32_t effective_uid) {
  AUTOSYNC_ASSIGN_OR_RETURN(std::filesystem::path file, config_path(command_line));
  Options options;
  options.store.env = env;
  if (!file.empty()) {
    AUTOSYNC_ASSIGN_OR_RETURN(options, load_config_file(file, env));
  }
  AUTOSYNC_RETURN_IF_ERROR(apply_positionals(options, command_line));
  for (const std::string& list : command_line.option_lists)
    AUTOSYNC_RETURN_IF_ERROR(apply_mount_options(options, list));
  if (command_line.foreground) options.fuse.foreground = true;
  if (command_line.debug) options.fuse.debug = true;
  if (!has_remote(options)) {
    return invalid(
        "no remote: give REMOTE (s3://BUCKET, gs://BUCKET, azure://CONTAINER or "
        "file:///DIR) on the command line or remote = \"...\" in the config file");
  }
  if (options.cache.dir.empty()) {
    AUTOSYNC_ASSIGN_OR_RETURN(options.cache.dir,
                              default_cache_dir(options.store, env, effective_uid));
  }
  AUTOSYNC_RETURN_IF_ERROR(apply_test_faults(options, env));
  AUTOSYNC_RETURN_IF_ERROR(validate(options));
  options.store.bandwidth = {
      .up_bytes_per_second = options.sync.bandwidth_limit_up.value_or(options.sync.bandwidth_limit),
      .down_bytes_per_second =
          options.sync.bandwidth_limit_down.value_or(options.sync.bandwidth_limit)};
  return options;
}

}  // namespace autosync::config
