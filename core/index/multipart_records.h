// The value types of the multipart upload tables (schema v5): the multipart uploads autosyncd
// started and has not completed or aborted yet, with the parts the store holds, so a daemon
// killed mid-upload resumes it (or aborts it) instead of leaving it on the store.
// Plain structs; sizes in bytes, times in nanoseconds since the epoch.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace autosync::index {

struct MultipartPartRecord {
  int number = 0;  // 1-based
  std::string etag;
  uint64_t size = 0;
  bool operator==(const MultipartPartRecord&) const = default;
};

struct MultipartRecord {
  std::string upload_id;  // the store's
  std::string key;        // the key the upload writes
  uint64_t ino = 0;
  uint64_t gen = 0;        // the journal row's generation it uploads
  uint64_t size = 0;       // the object's size
  int64_t mtime_ns = 0;    // the inode's mtime when it began (with gen and size: same bytes)
  uint64_t part_size = 0;  // how the object is cut into parts
  int64_t created_ns = 0;  // set by add_multipart
  std::vector<MultipartPartRecord> parts;  // on the store, ascending number
  bool operator==(const MultipartRecord&) const = default;
};

}  // namespace autosync::index
