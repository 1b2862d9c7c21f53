// Mapping between object keys and paths under a local backend's root. Pure; thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/base/status.h"

namespace autosync::backends::local {

// Names under the root that belong to the backend, never to objects.
inline constexpr std::string_view kMetaDir = ".autosync-meta";
inline constexpr std::string_view kTempDir = ".autosync-tmp";
// Older versions of objects; its existence turns versioning on (local_versions.h).
inline constexpr std::string_view kVersionsDir = ".autosync-versions";
inline constexpr std::string_view kMetaSuffix = ".meta";

// Checks that `key` can be stored as a path: no empty, "." or ".." component, no component
// over 255 bytes, no NUL, not under a reserved name. Returns kInvalid naming the problem.
Status validate_key(std::string_view key);

bool is_dir_marker(std::string_view key);

class KeyPaths {
 public:
  explicit KeyPaths(std::filesystem::path root);

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path data(std::string_view key) const;
  std::filesystem::path sidecar(std::string_view key) const;
  std::filesystem::path temp_dir() const { return root_ / kTempDir; }
  std::filesystem::path meta_root() const { return root_ / kMetaDir; }
  std::filesystem::path versions_root() const { return root_ / kVersionsDir; }

 private:
  std::filesystem::path root_;
};

}  // namespace autosync::backends::local
