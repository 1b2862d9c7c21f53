// Small helpers shared by the transfer and decorator unit tests: deterministic test data and
// a temporary directory that removes itself. Not thread-safe (test setup only).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <system_error>

#include "backends/decorators/retry_store.h"

namespace autosync::backends::testing {

// `size` pseudo-random bytes; the same seed gives the same bytes.
inline std::string test_bytes(size_t size, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (char& c : out)
    c = static_cast<char>(rng() & 0xff);
  return out;
}

// A retry policy that does not wait between its `max_attempts` attempts.
inline RetryPolicy sleepless_retries(int max_attempts) {
  RetryPolicy policy;
  policy.max_attempts = max_attempts;
  policy.sleep = [](std::chrono::milliseconds) {};
  return policy;
}

// A fresh directory under the system temp dir, deleted with everything in it.
class TempDir {
 public:
  TempDir() {
    std::random_device seed;
    path_ = std::filesystem::temp_directory_path() /
            ("autosync-test-" + std::to_string(::getpid()) + "-" + std::to_string(seed()));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  size_t entry_count() const {
    return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(path_),
                                             std::filesystem::directory_iterator()));
  }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace autosync::backends::testing
