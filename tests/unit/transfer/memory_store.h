// MemoryStore: an ObjectStore that keeps everything in memory, for unit tests.
//
// Implements the whole contract in backends/object_store.h (conditions, ranges, paged and
// delimited lists, copy, multipart with part-size checks) so the decorators and transfers
// are tested against the behaviour a real store has. Test hooks count calls, expose open
// uploads and let a test act between a get's start and its body (to overwrite an object
// mid-download). ETags are "e<N>" from one counter, so every write gets a new one.
// Thread-safety: safe from many threads (one mutex; bodies are delivered outside it).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "backends/object_store.h"

namespace autosync::backends::testing {

// Limits small enough for tests: 1-byte parts are allowed unless a test raises them.
Capabilities memory_capabilities();

class MemoryStore final : public ObjectStore {
 public:
  explicit MemoryStore(Capabilities capabilities = memory_capabilities())
      : capabilities_(capabilities) {}

  const Capabilities& capabilities() const override { return capabilities_; }
  std::string describe() const override { return "memory store"; }

  Result<ObjectInfo> head(std::string_view key) override;
  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override;
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override;
  Status remove(std::string_view key) override;
  Result<std::vector<KeyError>> remove_many(std::span<const std::string> keys) override;
  Result<ListPage> list(const ListOptions& options) override;
  Result<ObjectInfo> copy(std::string_view source, std::string_view dest,
                          const CopyOptions& options) override;
  Result<std::string> create_multipart(std::string_view key, const PutOptions& options) override;
  Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                    int part_number, const ByteSource& data) override;
  Result<ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                        std::span<const CompletedPart> parts,
                                        const Conditions& conditions) override;
  Status abort_multipart(std::string_view key, std::string_view upload_id) override;
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override;

  // Test hooks.
  uint64_t calls(std::string_view op) const;  // "get", "upload_part", ...
  size_t open_uploads() const;
  size_t object_count() const;
  std::optional<std::string> content(std::string_view key) const;
  // Called at the start of every get, outside the lock.
  void set_before_get(std::function<void(std::string_view key, const GetOptions&)> hook);

 private:
  struct Object {
    ObjectInfo info;
    std::string data;
  };
  struct StoredPart {
    std::string etag;
    std::string data;
  };
  struct Upload {
    std::string key;
    PutOptions options;
    std::map<int, StoredPart> parts;
    SystemTime initiated{};
  };

  void count(std::string_view op);
  std::string next_etag();  // requires mutex_
  Status check_write_conditions(std::string_view what, std::string_view key,
                                const Conditions& conditions) const;  // requires mutex_
  ObjectInfo store_object(std::string_view key, std::string data, UserMetadata metadata,
                          std::string content_type);  // requires mutex_
  Result<std::string> assemble(std::string_view key, const Upload& upload,
                               std::span<const CompletedPart> parts) const;  // requires mutex_
  ListPage list_locked(const ListOptions& options) const;                    // requires mutex_

  const Capabilities capabilities_;
  mutable std::mutex mutex_;
  std::map<std::string, Object, std::less<>> objects_;                   // guarded by mutex_
  std::map<std::string, Upload, std::less<>> uploads_;                   // guarded by mutex_
  std::map<std::string, uint64_t, std::less<>> calls_;                   // guarded by mutex_
  uint64_t generation_ = 0;                                              // guarded by mutex_
  std::function<void(std::string_view, const GetOptions&)> before_get_;  // guarded by mutex_
};

}  // namespace autosync::backends::testing
