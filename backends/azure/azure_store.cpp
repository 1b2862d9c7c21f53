#include "backends/azure/azure_store.h"

#include <fmt/format.h>

#include "backends/azure/azure_blob_store.h"
#include "backends/azure/blob_errors.h"

namespace autosync::backends::azure {
namespace {

constexpr uint64_t kMiB = 1ULL << 20;

Capabilities azure_capabilities() {
  Capabilities caps;
  caps.conditional_write = true;
  caps.batch_delete = false;  // Blob Batch exists, but a loop is simpler and portable
  caps.versioning = true;     // if the account has blob versioning on (list_versions tells)
  caps.max_key_bytes = 1024;
  caps.max_single_put = 5000 * kMiB;
  caps.min_part_size = 1;  // Azure has no minimum block size
  caps.max_part_size = 4000 * kMiB;
  caps.max_parts = 50000;
  // An upload id is made here, not by the service (azure_store_multipart.cpp): nothing is on
  // the store until a block is staged, and staged blocks cannot be listed per upload nor
  // removed without committing the blob; the service drops them after a week.
  caps.upload_listing = UploadListing::kNotOnStore;
  return caps;
}

// The store works on a config already resolved; resolving again with no environment checks
// it and fills derived fields without reading the process environment.
Result<AzureConfig> checked(const AzureConfig& config) {
  const EnvLookup no_env = [](std::string_view) { return std::optional<std::string>(); };
  return resolve(config, no_env);
}

}  // namespace

AzureBlobStore::AzureBlobStore(const AzureConfig& config, PutTuning tuning)
    : container_(config.container),
      transport_(config),
      caps_(azure_capabilities()),
      tuning_(tuning) {}

std::string AzureBlobStore::describe() const {
  return fmt::format("azure://{} at {}", container_, http::redact_url(transport_.endpoint()));
}

Result<http::HttpResponse> AzureBlobStore::call(const BlobRequest& request, std::string_view what) {
  Result<http::HttpResponse> response = transport_.send(request);
  if (!response.is_ok()) return std::move(response).take_status().context(what);
  if (!response->success()) return status_from_response(*response, container_).context(what);
  return response;
}

Status AzureBlobStore::check_key(std::string_view key, std::string_view what) const {
  if (key.empty()) return invalid(fmt::format("{}: the key is empty", what));
  if (key.size() > caps_.max_key_bytes) {
    return invalid(fmt::format("{}: the key is {} bytes, more than Azure's {}", what, key.size(),
                               caps_.max_key_bytes));
  }
  return {};
}

std::string AzureBlobStore::path_of(std::string_view key) const {
  return blob_path(container_, key);
}

Result<std::unique_ptr<ObjectStore>> open_store(const AzureConfig& config) {
  AUTOSYNC_ASSIGN_OR_RETURN(const AzureConfig resolved, checked(config));
  return std::unique_ptr<ObjectStore>(std::make_unique<AzureBlobStore>(resolved));
}

Status create_container(const AzureConfig& config) {
  AUTOSYNC_ASSIGN_OR_RETURN(const AzureConfig resolved, checked(config));
  BlobTransport transport(resolved);
  BlobRequest request;
  request.method = "PUT";
  request.path = container_path(resolved.container);
  request.query = {{"restype", "container"}};
  const std::string what = fmt::format("create container {}", resolved.container);
  AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse response, transport.send(request));
  if (response.success()) return {};
  Status status = status_from_response(response, resolved.container);
  if (status.is(ErrorKind::kAlreadyExists)) return {};
  return std::move(status).context(what);
}

}  // namespace autosync::backends::azure
