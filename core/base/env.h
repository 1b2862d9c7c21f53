// Reading the process environment. getenv is not safe against a concurrent setenv, so
// configuration reads it once, at start-up, through this one place.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace autosync {

// The variable's value, or nothing when it is unset or empty.
std::optional<std::string> env_var(std::string_view name);

// How configuration code reads variables, so tests can hand it a made-up environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view)>;
inline EnvLookup process_env() {
  return [](std::string_view name) { return env_var(name); };
}

}  // namespace autosync
