// The table of every config key: its dotted name ("cache.size"), the kind of value it takes,
// its limits, and where in Options it goes. The TOML reader and the -o parser both work from
// this one table, so the file and the command line cannot drift apart.
// Internal to core/config. The table is immutable; everything here is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>

#include "backends/remote_url.h"
#include "core/base/env.h"
#include "core/base/result.h"
#include "core/config/config.h"

namespace autosync::config {

enum class ValueKind {
  kText,        // any string
  kPath,        // an absolute path, or empty for the default
  kUrl,         // "http://..." or "https://...", or empty for the default
  kCredential,  // a string that may be written "env:NAME" to read the environment
  kSecret,      // a kCredential never shown in messages, refused literally on the command line
  kRemote,      // a REMOTE URL (backends/remote_url.h)
  kChoice,      // one of KeySpec::choices
  kFlag,        // a boolean
  kCount,       // a whole number in [min, max]
  kSize,        // bytes in [min, max]
  kRate,        // bytes per second: a size, optionally followed by "/s"
  kDuration,    // milliseconds in [min, max]
  kSeconds,     // a duration of whole seconds; min and max in milliseconds
  kMode,        // octal permission bits
};

// Where a value came from: the command line refuses literal secrets (ps shows them).
enum class Origin { kFile, kCommandLine };

// A converted value; only the field for the key's kind is meaningful.
struct Value {
  std::string text;  // kText, kPath, kUrl, kSecret, kChoice (the word as given)
  bool flag = false;
  uint64_t number = 0;  // kCount, kSize, kRate, kMode; kChoice: index into choices
  std::chrono::milliseconds duration{0};
  backends::RemoteUrl remote;
  bool from_env = false;  // a kCredential or kSecret written "env:NAME"
};

struct KeySpec {
  std::string_view name;
  ValueKind kind;
  void (*set)(Options&, const Value&);
  uint64_t min = 0;
  uint64_t max = std::numeric_limits<uint64_t>::max();
  std::span<const std::string_view> choices = {};
};

std::span<const KeySpec> all_keys();

// The key with this dotted name, or nullptr.
const KeySpec* find_key(std::string_view dotted_name);

// A known key that `unknown` was probably meant to be (same last part in another section,
// or one or two letters off), or "" when nothing is close.
std::string_view suggest_key(std::string_view unknown);

// Converts the text form (an -o value, or a TOML string) to the key's kind and checks its
// limits. kInvalid with only the reason; the caller says which key and where.
Result<Value> value_from_text(const KeySpec& key, std::string_view text, Origin origin,
                              const EnvLookup& env);

// The limits check for values that did not come through value_from_text (TOML integers).
Status check_limits(const KeySpec& key, const Value& value);

}  // namespace autosync::config
