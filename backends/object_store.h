// ObjectStore: the one narrow interface every storage backend implements.
//
// It moves bytes and object metadata; it knows nothing of files, inodes or caches. Each call
// is one logical request to the store (a backend may split it, e.g. a >5 GiB copy). Keys are
// UTF-8 strings without a leading '/'; user metadata names are lower-case [a-z0-9_-] and
// values printable ASCII.
//
// Contract (checked by tests/contract for every implementation):
// - head/get of a missing key: ErrorKind::kNotFound. remove of a missing key succeeds.
// - put replaces atomically: a reader sees the old object or the new one, never a mix.
// - Every successful write returns an ETag that differs from the object's previous ETag.
// - Conditions on put/complete are honoured when capabilities().conditional_write says so,
//   else the call fails with kUnsupported (callers fall back to head-then-put).
// - A ranged get starting at or past the end succeeds with no bytes.
// - list returns keys in lexicographic byte order, paging with next_token.
// - list_versions of a key the store keeps versions of returns them newest first, the
//   current one (or a delete marker) marked is_latest; an unknown key has none. A store, or
//   a bucket, that keeps no versions answers kUnsupported (the default below). get with
//   GetOptions::version_id reads that version; an unknown id or a delete marker: kNotFound.
// - list_multipart_uploads of a key lists the uploads created and neither completed nor
//   aborted, when capabilities().upload_listing is kByKey (a test server without the API,
//   s3rver, answers kUnsupported all the same); kNotOnStore stores answer kUnsupported.
//
// Thread-safety: implementations are safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/byte_io.h"
#include "core/base/result.h"
#include "core/base/time_format.h"

namespace autosync::backends {

// User metadata (x-amz-meta-*, x-ms-meta-*): lower-case name without the prefix -> value.
using UserMetadata = std::map<std::string, std::string>;

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // as the store reports it, without surrounding quotes
  SystemTime last_modified{};
  std::string version_id;  // empty where the store keeps no versions
  std::string content_type;
  UserMetadata metadata;  // filled by head, get, put and copy; list leaves it empty
};

// Preconditions on the object's current ETag. Empty strings mean "no condition".
struct Conditions {
  std::string if_match;       // proceed only if the current ETag is this
  std::string if_none_match;  // "*": proceed only if the key does not exist
  bool empty() const { return if_match.empty() && if_none_match.empty(); }
};

struct ByteRange {
  static constexpr uint64_t kToEnd = std::numeric_limits<uint64_t>::max();
  uint64_t offset = 0;
  uint64_t length = kToEnd;
  bool whole() const { return offset == 0 && length == kToEnd; }
};

struct GetOptions {
  ByteRange range;
  Conditions conditions;   // if_match pins the read to one version of the object
  std::string version_id;  // read this older version (list_versions); empty: the current one
};

struct PutOptions {
  UserMetadata metadata;
  std::string content_type;
  Conditions conditions;
};

struct CopyOptions {
  bool replace_metadata = false;  // false: the copy keeps the source's metadata
  UserMetadata metadata;          // used when replace_metadata
  Conditions source_conditions;   // checked against the source object
  // The source as a listing just reported it (size, etag), when the caller has that: a
  // backend that looks the source up before copying (S3, to choose one CopyObject or a
  // multipart copy) may take it from here and save a request. The copy's result then lacks
  // the source's metadata and content type. Not used with replace_metadata.
  std::optional<ObjectInfo> listed_source;
};

struct ListOptions {
  std::string prefix;
  std::string delimiter;           // usually "/" for one directory level, empty for a deep list
  std::string continuation_token;  // from the previous page's next_token
  uint32_t max_keys = 1000;
};

struct ListPage {
  std::vector<ObjectInfo> objects;
  std::vector<std::string> common_prefixes;  // with the delimiter at the end
  std::string next_token;                    // empty on the last page
};

// One version of one key, as list_versions reports it.
struct ObjectVersion {
  std::string version_id;
  std::string etag;  // empty for a delete marker
  uint64_t size = 0;
  SystemTime last_modified{};
  bool is_latest = false;      // the key's current version (or its delete marker)
  bool delete_marker = false;  // the key was deleted here: no content
};

struct VersionPage {
  std::vector<ObjectVersion> versions;  // newest first
  std::string next_token;               // empty on the last page
};

struct CompletedPart {
  int number = 0;  // 1-based
  std::string etag;
};

// A multipart upload in progress on the store, as list_multipart_uploads reports it.
struct PendingUpload {
  std::string key;
  std::string upload_id;
  SystemTime initiated{};  // by the store's clock
};

// Whether a multipart upload exists on the store before its first part, and so whether a
// client that lost an upload's id (a crash, or a lost answer to create_multipart) can find it.
enum class UploadListing {
  // create_multipart makes the upload on the store; list_multipart_uploads finds it, and
  // abort_multipart removes it (S3, local).
  kByKey,
  // create_multipart sends no request: nothing exists on the store until a part is sent,
  // and a part is staged data the store discards by itself (Azure: uncommitted blocks go
  // with the blob's next commit, or after 7 days). An id lost before the first part leaves
  // nothing behind, so there is nothing to list (kUnsupported) or abort.
  kNotOnStore,
};

struct KeyError {
  std::string key;
  Status status;
};

struct Capabilities {
  bool conditional_write = false;  // If-Match / If-None-Match on put and complete
  bool batch_delete = false;       // remove_many is one request (else it loops)
  bool versioning = false;         // the store can keep older versions of an object
  UploadListing upload_listing = UploadListing::kByKey;
  uint64_t max_key_bytes = 1024;
  uint64_t max_single_put = 5ULL << 30;  // largest object one put may write
  uint64_t min_part_size = 5ULL << 20;   // every part but the last is at least this
  uint64_t max_part_size = 5ULL << 30;
  uint32_t max_parts = 10000;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  virtual const Capabilities& capabilities() const = 0;
  // Where this store points, for messages: "s3://bucket at https://host" (never a secret).
  virtual std::string describe() const = 0;

  virtual Result<ObjectInfo> head(std::string_view key) = 0;
  // Writes the requested range into `sink` at offsets from 0; returns the whole object's info.
  virtual Result<ObjectInfo> get(std::string_view key, const GetOptions& options,
                                 ByteSink& sink) = 0;
  virtual Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                                 const PutOptions& options) = 0;
  virtual Status remove(std::string_view key) = 0;
  // Removes up to 1000 keys; returns the keys that could not be removed (empty: all gone).
  virtual Result<std::vector<KeyError>> remove_many(std::span<const std::string> keys) = 0;
  virtual Result<ListPage> list(const ListOptions& options) = 0;
  // Server-side copy; any size the store allows.
  virtual Result<ObjectInfo> copy(std::string_view source, std::string_view dest,
                                  const CopyOptions& options) = 0;

  // Multipart upload: create, upload parts (any order, in parallel), complete or abort.
  virtual Result<std::string> create_multipart(std::string_view key, const PutOptions& options) = 0;
  virtual Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                            int part_number, const ByteSource& data) = 0;
  virtual Result<ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                                std::span<const CompletedPart> parts,
                                                const Conditions& conditions) = 0;
  virtual Status abort_multipart(std::string_view key, std::string_view upload_id) = 0;

  // The versions the store keeps of exactly `key` (not of keys it is a prefix of), newest
  // first, paging with continuation_token (from the previous page's next_token). Stores
  // without versions need not override: kUnsupported.
  virtual Result<VersionPage> list_versions(std::string_view key,
                                            std::string_view continuation_token);

  // The multipart uploads in progress (created, neither completed nor aborted) of exactly
  // `key`, every page, oldest first where the store says. Stores that cannot list them
  // need not override: kUnsupported.
  virtual Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key);
};

inline Result<VersionPage> ObjectStore::list_versions(std::string_view key,
                                                      std::string_view /*continuation_token*/) {
  return Status::error(ErrorKind::kUnsupported, "list versions of " + std::string(key) + ": " +
                                                    describe() + " keeps no versions");
}

inline Result<std::vector<PendingUpload>> ObjectStore::list_multipart_uploads(
    std::string_view key) {
  return Status::error(ErrorKind::kUnsupported, "list multipart uploads of " + std::string(key) +
                                                    ": " + describe() + " cannot list them");
}

}  // namespace autosync::backends
