// S3ObjectStore: the ObjectStore implementation behind s3::open_store (private to
// backends/s3). Its methods live in several files: s3_object_store.cpp (head, get, put,
// remove), s3_store_list.cpp, s3_store_delete.cpp (remove_many), s3_store_versions.cpp,
// s3_store_copy.cpp (copy, multipart copy) and s3_store_multipart.cpp (multipart upload).
//
// Thread-safe: the config and capabilities are immutable, S3Client is thread-safe, and the
// one piece of learned state (how the server decodes x-amz-copy-source) is an atomic.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "backends/object_store.h"
#include "backends/s3/s3_client.h"
#include "backends/s3/s3_config.h"

namespace autosync::backends::s3 {

class S3ObjectStore final : public ObjectStore {
 public:
  // `config` must be resolved; `endpoint` is its endpoint, parsed.
  S3ObjectStore(S3Config config, Endpoint endpoint,
                std::shared_ptr<CredentialProvider> credentials);

  const Capabilities& capabilities() const override { return capabilities_; }
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
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override;
  Result<VersionPage> list_versions(std::string_view key,
                                    std::string_view continuation_token) override;

 private:
  // Sends `request`; a transport failure or a non-2xx answer becomes an error prefixed with
  // `what` ("get docs/a.txt").
  Result<http::HttpResponse> call(const S3Request& request, std::string_view what);
  // The error for a non-2xx answer, prefixed with `what`.
  Status answer_error(const http::HttpResponse& response, std::string_view what) const;

  // A HEAD; of version `version_id` when it is not empty.
  Result<ObjectInfo> head_with(std::string_view key, const Conditions& conditions,
                               std::string_view what, std::string_view version_id = {});
  // A get's answer must be the version asked for: a server without versions ignores
  // ?versionId and sends the current object.
  static Status check_version(const ObjectInfo& info, std::string_view version_id,
                              std::string_view what);
  Status check_key(std::string_view key) const;
  Status check_conditions_supported(const Conditions& conditions, std::string_view what) const;
  Status remove_batch(std::span<const std::string> keys, std::vector<KeyError>& errors);

  // Copy helpers (s3_store_copy.cpp).
  Result<ObjectInfo> copy_object(const ObjectInfo& source, std::string_view dest,
                                 const CopyOptions& options);
  Result<http::HttpResponse> send_copy(S3Request& request, std::string_view source_key,
                                       std::string_view what);
  Result<ObjectInfo> copy_in_parts(const ObjectInfo& source, std::string_view dest,
                                   const CopyOptions& options);
  Result<std::vector<CompletedPart>> copy_parts(const ObjectInfo& source, std::string_view dest,
                                                const std::string& upload_id);
  Result<CompletedPart> copy_part(const ObjectInfo& source, std::string_view dest,
                                  const std::string& upload_id, int number, uint64_t first,
                                  uint64_t last);

  const S3Config config_;
  const Capabilities capabilities_;
  S3Client client_;
  // Set once the server has shown it decodes x-amz-copy-source with decodeURI (s3rver).
  std::atomic<bool> copy_source_keeps_reserved_{false};
};

}  // namespace autosync::backends::s3
