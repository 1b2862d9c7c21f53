#include "tests/support/temp_dir.h"

#include <stdlib.h>

#include <string>
#include <system_error>

#include "core/base/env.h"

namespace autosync::testing {

TempDir::TempDir() {
  std::string pattern = env_var("TMPDIR").value_or("/tmp") + "/autosync-test-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

TempDir::TempDir(TempDir&& other) noexcept : path_(std::move(other.path_)) {
  other.path_.clear();
}

TempDir::~TempDir() {
  // AUTOSYNC_KEEP_TEST_DIRS=1 keeps them (caches, daemon logs) to look at after a failure.
  if (path_.empty() || env_var("AUTOSYNC_KEEP_TEST_DIRS").has_value()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace autosync::testing
