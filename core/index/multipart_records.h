// The value types of the multipart upload tables (schema v5): the multipart uploads autosyncd
// started and has not completed or aborted yet, with the parts the store holds, so a daemon
// killed mid-upload resumes it (or aborts it) instead of leaving it on the store; and (v6)
// the intents to start one, recorded before the store is asked, so an upload whose id never
// reached the index (a kill, a lost answer) can still be found and aborted.
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

// "A journal row is about to create a multipart upload of `key`": durable before
// create_multipart is sent, settled (syncd/multipart_resume.h) once the store's uploads of
// the key that no record knows and that began since have been aborted.
struct MultipartIntent {
  int64_t id = 0;  // set by add_multipart_intent
  std::string key;
  uint64_t ino = 0;
  uint64_t gen = 0;         // the journal row's generation
  int64_t journal_seq = 0;  // the journal row
  int64_t created_ns = 0;   // set by add_multipart_intent: before the store was asked
  std::string upload_id;    // the store's answer; empty: none arrived
  int64_t answered_ns = 0;  // when it arrived; 0: none did
  bool operator==(const MultipartIntent&) const = default;
};

}  // namespace autosync::index
