// ForwardingStore: an ObjectStore that passes every call to the store it wraps.
//
// The base of the decorators (like leveldb's EnvWrapper): a decorator derives from it and
// overrides only the calls it changes. It owns the wrapped store.
// Thread-safety: as safe as the wrapped store (ObjectStores are safe from many threads).
#pragma once

#include <memory>
#include <utility>

#include "backends/object_store.h"

namespace autosync::backends {

class ForwardingStore : public ObjectStore {
 public:
  explicit ForwardingStore(std::unique_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

  const Capabilities& capabilities() const override { return inner_->capabilities(); }
  std::string describe() const override { return inner_->describe(); }

  Result<ObjectInfo> head(std::string_view key) override { return inner_->head(key); }
  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override {
    return inner_->get(key, options, sink);
  }
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override {
    return inner_->put(key, data, options);
  }
  Status remove(std::string_view key) override { return inner_->remove(key); }
  Result<std::vector<KeyError>> remove_many(std::span<const std::string> keys) override {
    return inner_->remove_many(keys);
  }
  Result<ListPage> list(const ListOptions& options) override { return inner_->list(options); }
  Result<ObjectInfo> copy(std::string_view source, std::string_view dest,
                          const CopyOptions& options) override {
    return inner_->copy(source, dest, options);
  }

  Result<std::string> create_multipart(std::string_view key, const PutOptions& options) override {
    return inner_->create_multipart(key, options);
  }
  Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                    int part_number, const ByteSource& data) override {
    return inner_->upload_part(key, upload_id, part_number, data);
  }
  Result<ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                        std::span<const CompletedPart> parts,
                                        const Conditions& conditions) override {
    return inner_->complete_multipart(key, upload_id, parts, conditions);
  }
  Status abort_multipart(std::string_view key, std::string_view upload_id) override {
    return inner_->abort_multipart(key, upload_id);
  }
  Result<VersionPage> list_versions(std::string_view key,
                                    std::string_view continuation_token) override {
    return inner_->list_versions(key, continuation_token);
  }
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override {
    return inner_->list_multipart_uploads(key);
  }

 protected:
  ObjectStore& inner() { return *inner_; }
  const ObjectStore& inner() const { return *inner_; }

 private:
  std::unique_ptr<ObjectStore> inner_;
};

}  // namespace autosync::backends
