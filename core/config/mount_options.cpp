// apply_mount_options and apply_option: the -o command line, mapped onto the key table.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/config/config.h"
#include "core/config/keys.h"
#include "core/config/option_list.h"

namespace autosync::config {
namespace {

// Short names for the keys mount(8) users know; a fixed value means the alias takes none.
struct Alias {
  std::string_view name;
  std::string_view key;
  std::optional<std::string_view> fixed_value;
};
constexpr std::array<Alias, 8> kAliases = {{
    {"ro", "fuse.read_only", "true"},
    {"allow_other", "fuse.allow_other", std::nullopt},
    {"default_permissions", "fuse.default_permissions", std::nullopt},
    {"uid", "fuse.uid", std::nullopt},
    {"gid", "fuse.gid", std::nullopt},
    {"umask", "fuse.umask", std::nullopt},
    {"foreground", "fuse.foreground", std::nullopt},
    {"debug", "fuse.debug", std::nullopt},
}};

// Kernel mount flags: handed to libfuse, which sets them on the mount.
constexpr std::array<std::string_view, 19> kKernelFlags = {
    "suid",        "nosuid",        "dev",        "nodev",      "exec",
    "noexec",      "sync",          "async",      "dirsync",    "atime",
    "noatime",     "diratime",      "nodiratime", "relatime",   "norelatime",
    "strictatime", "nostrictatime", "lazytime",   "nolazytime",
};
// libfuse options that take a value, also handed over as given.
constexpr std::array<std::string_view, 2> kFuseValueOptions = {"fsname", "subtype"};

// For mount(8), fstab and systemd; they have done their work by the time we see them. "rw" is
// here too: mount(8) may add it on its own, so it must not undo read_only = true from a file.
constexpr std::array<std::string_view, 12> kDroppedOptions = {
    "defaults", "auto",  "noauto", "user",    "nouser",  "users",
    "owner",    "group", "nofail", "_netdev", "comment", "rw",
};

template <size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

Status option_error(std::string_view key, std::string_view reason) {
  return invalid(fmt::format("-o {}: {}", key, reason));
}

// Options that are not ours: passed to libfuse or dropped. False when `key` is none of them.
bool take_generic_option(FuseOptions& fuse, std::string_view key,
                         std::optional<std::string_view> value) {
  if (contains(kDroppedOptions, key) || key.starts_with("x-")) return true;
  if (!value && contains(kKernelFlags, key)) {
    fuse.passthrough.emplace_back(key);
    return true;
  }
  if (value && contains(kFuseValueOptions, key)) {
    fuse.passthrough.push_back(fmt::format("{}={}", key, *value));
    return true;
  }
  return false;
}

Status apply_key(Options& base, const KeySpec& key, std::string_view given_name,
                 std::optional<std::string_view> value) {
  if (!value && key.kind != ValueKind::kFlag)
    return option_error(given_name, fmt::format("needs a value ({}=...)", given_name));
  Result<Value> converted =
      value_from_text(key, value.value_or("true"), Origin::kCommandLine, base.store.env);
  if (!converted.is_ok()) return option_error(given_name, converted.status().message());
  key.set(base, *converted);
  return {};
}

}  // namespace

Status apply_option(Options& base, std::string_view key, std::optional<std::string_view> value) {
  if (key == "config") {
    if (value && !value->empty() && *value == base.config_file.string()) return {};
    return option_error(key,
                        "the config file must be read before the other options; "
                        "load_options() does that");
  }
  for (const Alias& alias : kAliases) {
    if (alias.name != key) continue;
    if (alias.fixed_value && value) return option_error(key, "takes no value");
    return apply_key(base, *find_key(alias.key), key,
                     alias.fixed_value ? alias.fixed_value : value);
  }
  if (take_generic_option(base.fuse, key, value)) return {};
  if (const KeySpec* spec = find_key(key)) return apply_key(base, *spec, key, value);
  const std::string_view suggestion = suggest_key(key);
  return option_error(key, suggestion.empty()
                               ? std::string("unknown option")
                               : fmt::format("unknown option (did you mean {}?)", suggestion));
}

Status apply_mount_options(Options& base, std::string_view o_list) {
  AUTOSYNC_ASSIGN_OR_RETURN(std::vector<MountOption> items, split_mount_options(o_list));
  for (const MountOption& item : items) {
    std::optional<std::string_view> value;
    if (item.value) value = *item.value;
    AUTOSYNC_RETURN_IF_ERROR(apply_option(base, item.key, value));
  }
  return {};
}

}  // namespace autosync::config
