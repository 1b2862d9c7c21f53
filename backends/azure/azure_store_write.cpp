// AzureBlobStore's writes: put (Put Blob), remove (Delete Blob), copy (Copy Blob).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "backends/azure/azure_blob_store.h"
#include "backends/azure/blob_errors.h"
#include "backends/azure/blob_headers.h"
#include "backends/azure/blob_xml.h"

namespace autosync::backends::azure {
namespace {

// What the service reports for a blob stored without a content type.
constexpr std::string_view kDefaultContentType = "application/octet-stream";

// A pending copy is polled with growing pauses up to this long in all; copies inside one
// account are usually done at once, and one that is not is probably stuck.
constexpr std::chrono::milliseconds kFirstCopyPoll{50};
constexpr std::chrono::milliseconds kMaxCopyPoll{2000};
constexpr std::chrono::seconds kCopyWaitLimit{600};

}  // namespace

Result<ObjectInfo> AzureBlobStore::put(std::string_view key, const ByteSource& data,
                                       const PutOptions& options) {
  const std::string what = fmt::format("put {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  if (data.size() > tuning_.single_put_limit) return put_in_blocks(key, data, options);

  BlobRequest request;
  request.method = "PUT";
  request.path = path_of(key);
  request.body = &data;
  request.headers.emplace_back("x-ms-blob-type", "BlockBlob");
  if (!options.content_type.empty()) {
    request.headers.emplace_back("x-ms-blob-content-type", options.content_type);
  }
  add_metadata_headers(request.headers, options.metadata);
  add_condition_headers(request.headers, options.conditions);
  AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse response, call(request, what));

  ObjectInfo info = object_info_from_headers(key, response);
  info.size = data.size();  // the answer's Content-Length is that of its own (empty) body
  info.content_type =
      options.content_type.empty() ? std::string(kDefaultContentType) : options.content_type;
  info.metadata = options.metadata;
  return info;
}

Status AzureBlobStore::remove(std::string_view key) {
  const std::string what = fmt::format("remove {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  BlobRequest request;
  request.method = "DELETE";
  request.path = path_of(key);
  // A blob with snapshots cannot be deleted alone; they go with it.
  request.headers.emplace_back("x-ms-delete-snapshots", "include");
  Result<http::HttpResponse> response = call(request, what);
  if (response.is_ok()) return {};
  Status status = std::move(response).take_status();
  // A missing blob is what remove wants; a missing container is a configuration error.
  if (status.is(ErrorKind::kNotFound) && status.server_code() != "ContainerNotFound") return {};
  return status;
}

Result<std::vector<KeyError>> AzureBlobStore::remove_many(std::span<const std::string> keys) {
  std::vector<KeyError> failed;
  for (const std::string& key : keys) {
    Status status = remove(key);
    if (!status.is_ok()) failed.push_back({key, std::move(status)});
  }
  return failed;
}

Result<ObjectInfo> AzureBlobStore::copy(std::string_view source, std::string_view dest,
                                        const CopyOptions& options) {
  const std::string what = fmt::format("copy {} to {}", source, dest);
  AUTOSYNC_RETURN_IF_ERROR(check_key(source, what));
  AUTOSYNC_RETURN_IF_ERROR(check_key(dest, what));
  BlobRequest request;
  request.method = "PUT";
  request.path = path_of(dest);
  request.headers.emplace_back("x-ms-copy-source", transport_.url_with_auth(path_of(source)));
  add_condition_headers(request.headers, options.source_conditions, "x-ms-source-");
  // Without x-ms-meta-* headers the copy keeps the source's metadata.
  if (options.replace_metadata) add_metadata_headers(request.headers, options.metadata);
  AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse response, call(request, what));

  if (response.header("x-ms-copy-status") == "pending") {
    AUTOSYNC_RETURN_IF_ERROR(wait_for_copy(dest, what));
  }
  // Replacing metadata with none cannot be said in the copy request itself.
  if (options.replace_metadata && options.metadata.empty()) {
    AUTOSYNC_RETURN_IF_ERROR(clear_metadata(dest, what));
  }
  Result<ObjectInfo> info = head(dest);
  if (!info.is_ok()) return std::move(info).take_status().context(what);
  return info;
}

Status AzureBlobStore::wait_for_copy(std::string_view dest, std::string_view what) {
  const auto deadline = std::chrono::steady_clock::now() + kCopyWaitLimit;
  auto pause = kFirstCopyPoll;
  for (;;) {
    std::this_thread::sleep_for(pause);
    BlobRequest request;
    request.method = "HEAD";
    request.path = path_of(dest);
    AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse response, call(request, what));
    const std::string_view state = response.header("x-ms-copy-status");
    if (state == "success" || state.empty()) return {};
    if (state != "pending") {
      return transient(fmt::format("{}: the copy ended '{}': {}", what, state,
                                   response.header("x-ms-copy-status-description")));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return transient(
          fmt::format("{}: the copy is still pending after {} s", what, kCopyWaitLimit.count()));
    }
    pause = std::min(pause * 2, kMaxCopyPoll);
  }
}

Status AzureBlobStore::clear_metadata(std::string_view key, std::string_view what) {
  BlobRequest request;
  request.method = "PUT";
  request.path = path_of(key);
  request.query = {{"comp", "metadata"}};  // Set Blob Metadata with no x-ms-meta-*: clears it
  return call(request, what).status();
}

}  // namespace autosync::backends::azure
