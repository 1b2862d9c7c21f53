// Splitting a mount(8)-style option list ("a=1,b,c=\"x,y\"") into KEY[=VALUE] items.
// Commas separate items; a comma inside a value is escaped "\," or the value is double-quoted
// (mount(8) style); a backslash escapes any character. The first unquoted '=' splits key
// from value, so values may hold '='. Empty items (",,") are skipped. Pure; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"

namespace autosync::config {

struct MountOption {
  std::string key;
  std::optional<std::string> value;  // empty for a bare KEY; "" for KEY=

  bool operator==(const MountOption&) const = default;
};

// kInvalid for an unterminated quote, a trailing backslash or an item with no key ("=x").
// The message names the item's key (never its value, which may be a secret).
Result<std::vector<MountOption>> split_mount_options(std::string_view list);

// The inverse for one value: backslashes before ',', '"' and '\\', so that
// split_mount_options("key=" + escape_option_value(v)) gives back v exactly.
std::string escape_option_value(std::string_view value);

}  // namespace autosync::config
