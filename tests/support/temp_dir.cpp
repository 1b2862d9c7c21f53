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
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace autosync::testing
