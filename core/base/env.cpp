#include "core/base/env.h"

#include <cstdlib>

namespace autosync {

std::optional<std::string> env_var(std::string_view name) {
  const std::string key(name);
  const char* value = std::getenv(key.c_str());  // NOLINT(concurrency-mt-unsafe): read at start-up
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

}  // namespace autosync
