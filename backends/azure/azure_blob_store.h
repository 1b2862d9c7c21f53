// AzureBlobStore: the ObjectStore over an Azure Blob container (see azure_store.h).
// Private to backends/azure.
//
// Threading: every method may run concurrently; the members are immutable after
// construction and BlobTransport is thread-safe. Multipart uploads keep no state here
// (the upload id carries it, see block_upload.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "backends/azure/azure_store.h"
#include "backends/azure/blob_transport.h"

namespace autosync::backends::azure {

// Sizes that decide how put() sends an object; tests shrink them to exercise block uploads.
struct PutTuning {
  uint64_t single_put_limit = 5000ULL << 20;  // larger objects go as blocks
  uint64_t block_bytes = 256ULL << 20;        // block size for those
};

class AzureBlobStore final : public ObjectStore {
 public:
  explicit AzureBlobStore(const AzureConfig& config, PutTuning tuning = {});

  const Capabilities& capabilities() const override { return caps_; }
  std::string describe() const override;

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
  Result<VersionPage> list_versions(std::string_view key,
                                    std::string_view continuation_token) override;

 private:
  // Sends `request`; a non-2xx answer becomes its Status, prefixed with `what`.
  Result<http::HttpResponse> call(const BlobRequest& request, std::string_view what);
  Status check_key(std::string_view key, std::string_view what) const;
  std::string path_of(std::string_view key) const;

  // put() for objects above one Put Blob: blocks, then one Put Block List.
  Result<ObjectInfo> put_in_blocks(std::string_view key, const ByteSource& data,
                                   const PutOptions& options);
  // Put Block List of `block_ids`, with the content type, metadata and conditions of
  // `options`; returns the new blob's properties.
  Result<ObjectInfo> commit_blocks(std::string_view key, std::span<const std::string> block_ids,
                                   const PutOptions& options, std::string_view what);
  // Waits for an asynchronous Copy Blob into `dest` to finish (bounded).
  Status wait_for_copy(std::string_view dest, std::string_view what);
  Status clear_metadata(std::string_view key, std::string_view what);

  std::string container_;
  BlobTransport transport_;
  Capabilities caps_;
  PutTuning tuning_;
};

}  // namespace autosync::backends::azure
