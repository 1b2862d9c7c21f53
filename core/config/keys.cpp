#include "core/config/keys.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>
#include <vector>

#include "core/config/units.h"

namespace autosync::config {
namespace {

constexpr std::string_view kEnvPrefix = "env:";

std::string_view last_part(std::string_view name) {
  const size_t dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

// Levenshtein distance; the names are short, so two rows of ints are plenty.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  std::iota(previous.begin(), previous.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// "env:NAME" -> the variable's value; anything else is the value itself.
Result<Value> credential_from_text(const KeySpec& key, std::string_view text, Origin origin,
                                   const EnvLookup& env) {
  Value value;
  if (text.starts_with(kEnvPrefix)) {
    const std::string_view name = text.substr(kEnvPrefix.size());
    if (name.empty()) return invalid("\"env:\" needs a variable name, as in \"env:NAME\"");
    std::optional<std::string> from_env = env(name);
    if (!from_env) return invalid(fmt::format("environment variable {} is not set", name));
    value.text = std::move(*from_env);
    value.from_env = true;
    return value;
  }
  if (key.kind == ValueKind::kSecret && origin == Origin::kCommandLine && !text.empty()) {
    return invalid(
        "a secret on the command line is visible to every user (ps, /proc/mounts); write "
        "env:NAME to read it from the environment, or put it in the config file (chmod 600)");
  }
  value.text = std::string(text);
  return value;
}

Result<Value> choice_from_text(const KeySpec& key, std::string_view text) {
  const auto found = std::find(key.choices.begin(), key.choices.end(), text);
  if (found == key.choices.end()) {
    return invalid(fmt::format("\"{}\" is not one of: {}", text, fmt::join(key.choices, ", ")));
  }
  Value value;
  value.text = std::string(text);
  value.number = static_cast<uint64_t>(found - key.choices.begin());
  return value;
}

Result<Value> string_from_text(const KeySpec& key, std::string_view text) {
  if (key.kind == ValueKind::kPath && !text.empty() && !text.starts_with('/'))
    return invalid(fmt::format("path \"{}\" is not absolute", text));
  if (key.kind == ValueKind::kUrl && !text.empty() && !text.starts_with("http://") &&
      !text.starts_with("https://")) {
    return invalid(fmt::format("\"{}\" is not an http:// or https:// URL", text));
  }
  Value value;
  value.text = std::string(text);
  return value;
}

// Wraps a parsed number, duration or flag into a Value.
template <typename T>
Result<Value> wrap(Result<T> parsed, void (*store)(Value&, T)) {
  if (!parsed.is_ok()) return std::move(parsed).take_status();
  Value value;
  store(value, *parsed);
  return value;
}

Result<Value> convert(const KeySpec& key, std::string_view text, Origin origin,
                      const EnvLookup& env) {
  using std::chrono::milliseconds;
  switch (key.kind) {
    case ValueKind::kText:
    case ValueKind::kPath:
    case ValueKind::kUrl:
      return string_from_text(key, text);
    case ValueKind::kCredential:
    case ValueKind::kSecret:
      return credential_from_text(key, text, origin, env);
    case ValueKind::kRemote:
      return wrap<backends::RemoteUrl>(
          backends::parse_remote_url(text),
          [](Value& v, backends::RemoteUrl r) { v.remote = std::move(r); });
    case ValueKind::kChoice:
      return choice_from_text(key, text);
    case ValueKind::kFlag:
      return wrap<bool>(parse_bool(text), [](Value& v, bool b) { v.flag = b; });
    case ValueKind::kCount:
      return wrap<uint64_t>(parse_count(text), [](Value& v, uint64_t n) { v.number = n; });
    case ValueKind::kRate:
      if (text.ends_with("/s")) text.remove_suffix(2);
      [[fallthrough]];
    case ValueKind::kSize:
      return wrap<uint64_t>(parse_size(text), [](Value& v, uint64_t n) { v.number = n; });
    case ValueKind::kDuration:
    case ValueKind::kSeconds:
      return wrap<milliseconds>(parse_duration(text),
                                [](Value& v, milliseconds d) { v.duration = d; });
    case ValueKind::kMode:
      return wrap<uint32_t>(parse_octal_mode(text), [](Value& v, uint32_t m) { v.number = m; });
  }
  return internal(fmt::format("key {}: unknown value kind", key.name));
}

// A limit as the user would write it.
std::string show_limit(ValueKind kind, uint64_t limit) {
  switch (kind) {
    case ValueKind::kSize:
    case ValueKind::kRate:
      return format_size(limit);
    case ValueKind::kDuration:
    case ValueKind::kSeconds:
      return format_duration(std::chrono::milliseconds(static_cast<int64_t>(limit)));
    case ValueKind::kMode:
      return fmt::format("{:03o}", limit);
    default:
      return fmt::format("{}", limit);
  }
}

Status check_range(const KeySpec& key, uint64_t number) {
  if (number < key.min) {
    return invalid(fmt::format("{} is below the minimum, {}", show_limit(key.kind, number),
                               show_limit(key.kind, key.min)));
  }
  if (number > key.max) {
    return invalid(fmt::format("{} is above the maximum, {}", show_limit(key.kind, number),
                               show_limit(key.kind, key.max)));
  }
  return {};
}

}  // namespace

const KeySpec* find_key(std::string_view dotted_name) {
  for (const KeySpec& key : all_keys()) {
    if (key.name == dotted_name) return &key;
  }
  return nullptr;
}

std::string_view suggest_key(std::string_view unknown) {
  for (const KeySpec& key : all_keys()) {
    if (last_part(key.name) == last_part(unknown)) return key.name;
  }
  // More edits than this is not a typo; short names get fewer, or everything is "close".
  const size_t allowed = last_part(unknown).size() >= 6 ? 2 : 1;
  std::string_view best;
  size_t best_distance = allowed + 1;
  for (const KeySpec& key : all_keys()) {
    const size_t distance = std::min(edit_distance(unknown, key.name),
                                     edit_distance(last_part(unknown), last_part(key.name)));
    if (distance < best_distance) {
      best = key.name;
      best_distance = distance;
    }
  }
  return best;
}

Status check_limits(const KeySpec& key, const Value& value) {
  switch (key.kind) {
    case ValueKind::kCount:
    case ValueKind::kSize:
    case ValueKind::kRate:
    case ValueKind::kMode:
      return check_range(key, value.number);
    case ValueKind::kSeconds:
      if (value.duration.count() % 1000 != 0) {
        return invalid(
            fmt::format("{}ms is not a whole number of seconds", value.duration.count()));
      }
      [[fallthrough]];
    case ValueKind::kDuration:
      return check_range(key, static_cast<uint64_t>(value.duration.count()));
    default:
      return {};
  }
}

Result<Value> value_from_text(const KeySpec& key, std::string_view text, Origin origin,
                              const EnvLookup& env) {
  AUTOSYNC_ASSIGN_OR_RETURN(Value value, convert(key, text, origin, env));
  AUTOSYNC_RETURN_IF_ERROR(check_limits(key, value));
  return value;
}

}  // namespace autosync::config
