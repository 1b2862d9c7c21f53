#include "backends/decorators/prefix_store.h"

#include <fmt/format.h>

#include "backends/decorators/forwarding_store.h"

namespace autosync::backends {
namespace {

class PrefixStore final : public ForwardingStore {
 public:
  PrefixStore(std::unique_ptr<ObjectStore> inner, std::string prefix)
      : ForwardingStore(std::move(inner)), prefix_(std::move(prefix)) {
    capabilities_ = ForwardingStore::capabilities();
    const uint64_t taken = prefix_.size();
    capabilities_.max_key_bytes =
        capabilities_.max_key_bytes > taken ? capabilities_.max_key_bytes - taken : 0;
  }

  const Capabilities& capabilities() const override { return capabilities_; }
  std::string describe() const override {
    return fmt::format("{} under prefix '{}'", ForwardingStore::describe(), prefix_);
  }

  Result<ObjectInfo> head(std::string_view key) override { return strip(inner().head(full(key))); }
  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override {
    return strip(inner().get(full(key), options, sink));
  }
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override {
    return strip(inner().put(full(key), data, options));
  }
  Status remove(std::string_view key) override { return inner().remove(full(key)); }
  Result<std::vector<KeyError>> remove_many(std::span<const std::string> keys) override;
  Result<ListPage> list(const ListOptions& options) override;
  Result<ObjectInfo> copy(std::string_view source, std::string_view dest,
                          const CopyOptions& options) override {
    return strip(inner().copy(full(source), full(dest), options));
  }
  Result<std::string> create_multipart(std::string_view key, const PutOptions& options) override {
    return inner().create_multipart(full(key), options);
  }
  Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                    int part_number, const ByteSource& data) override {
    return inner().upload_part(full(key), upload_id, part_number, data);
  }
  Result<ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                        std::span<const CompletedPart> parts,
                                        const Conditions& conditions) override {
    return strip(inner().complete_multipart(full(key), upload_id, parts, conditions));
  }
  Status abort_multipart(std::string_view key, std::string_view upload_id) override {
    return inner().abort_multipart(full(key), upload_id);
  }
  Result<VersionPage> list_versions(std::string_view key,
                                    std::string_view continuation_token) override {
    return inner().list_versions(full(key), continuation_token);
  }
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override {
    auto uploads = inner().list_multipart_uploads(full(key));
    if (uploads.is_ok()) {
      for (PendingUpload& upload : *uploads)
        strip_key(upload.key);
    }
    return uploads;
  }

 private:
  std::string full(std::string_view key) const { return prefix_ + std::string(key); }
  // The key without our prefix; false when the inner store answered with a foreign key.
  bool strip_key(std::string& key) const {
    if (!key.starts_with(prefix_)) return false;
    key.erase(0, prefix_.size());
    return true;
  }
  Result<ObjectInfo> strip(Result<ObjectInfo> info) const {
    if (info.is_ok()) strip_key(info->key);
    return info;
  }

  std::string prefix_;
  Capabilities capabilities_;
};

Result<std::vector<KeyError>> PrefixStore::remove_many(std::span<const std::string> keys) {
  std::vector<std::string> full_keys;
  full_keys.reserve(keys.size());
  for (const std::string& key : keys)
    full_keys.push_back(full(key));
  AUTOSYNC_ASSIGN_OR_RETURN(std::vector<KeyError> failed, inner().remove_many(full_keys));
  for (KeyError& failure : failed)
    strip_key(failure.key);
  return failed;
}

Result<ListPage> PrefixStore::list(const ListOptions& options) {
  ListOptions inner_options = options;
  inner_options.prefix = full(options.prefix);
  AUTOSYNC_ASSIGN_OR_RETURN(ListPage page, inner().list(inner_options));
  // The inner store only returns keys under the requested prefix; anything else is a bug
  // there, and passing it on would leak keys from outside our subtree.
  for (ObjectInfo& object : page.objects) {
    if (!strip_key(object.key)) {
      return internal(fmt::format("list {}: store returned key '{}' outside the prefix",
                                  options.prefix, object.key));
    }
  }
  for (std::string& common : page.common_prefixes) {
    if (!strip_key(common)) {
      return internal(fmt::format("list {}: store returned prefix '{}' outside the prefix",
                                  options.prefix, common));
    }
  }
  return page;
}

}  // namespace

std::unique_ptr<ObjectStore> with_prefix(std::unique_ptr<ObjectStore> inner, std::string prefix) {
  if (prefix.empty()) return inner;
  return std::make_unique<PrefixStore>(std::move(inner), std::move(prefix));
}

}  // namespace autosync::backends
