// A made-up environment for config tests: EnvLookup over a fixed map.
#pragma once

#include <map>
#include <string>

#include "core/base/env.h"

namespace autosync::config::testing {

inline EnvLookup fake_env(std::map<std::string, std::string, std::less<>> vars = {}) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

}  // namespace autosync::config::testing
