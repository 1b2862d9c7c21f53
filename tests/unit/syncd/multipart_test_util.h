// Helpers shared by the multipart resume and intent tests: worker options that cut every
// file of 1000 bytes or more into 1000-byte parts sent one at a time, deterministic file
// bytes, and how many uploads the local backend's staging directory holds.
#pragma once

#include <filesystem>
#include <iterator>
#include <string>

#include "tests/unit/syncd/syncd_fixture.h"

namespace autosync::syncd::testing {

inline constexpr uint64_t kPart = 1000;

// One worker, parts of kPart bytes one at a time: "the 3rd part fails" leaves parts 1 and 2
// on the store.
inline WorkerOptions small_parts() {
  WorkerOptions options = SyncFixture::fast_options();
  options.workers = 1;
  options.transfer.multipart_threshold = kPart;
  options.transfer.part_size = kPart;
  options.transfer.concurrency = 1;
  return options;
}

// Uploads in progress on the fixture's local store (ROOT/.autosync-tmp/uploads/).
inline size_t staged_uploads(const SyncFixture& f) {
  const auto dir = f.bucket / ".autosync-tmp" / "uploads";
  if (!std::filesystem::exists(dir)) return 0;
  return static_cast<size_t>(std::distance(std::filesystem::directory_iterator(dir),
                                           std::filesystem::directory_iterator()));
}

// `size` bytes that differ with `seed`.
inline std::string bytes(size_t size, char seed) {
  std::string out(size, '\0');
  for (size_t i = 0; i < size; ++i)
    out[i] = static_cast<char>(seed + static_cast<char>(i % 23));
  return out;
}

}  // namespace autosync::syncd::testing
