// S3ObjectStore's multipart upload: CreateMultipartUpload, UploadPart,
// CompleteMultipartUpload, AbortMultipartUpload and ListMultipartUploads.
#include <fmt/format.h>

#include <algorithm>

#include "backends/s3/s3_errors.h"
#include "backends/s3/s3_headers.h"
#include "backends/s3/s3_object_store.h"
#include "backends/s3/s3_xml.h"

namespace autosync::backends::s3 {
namespace {

constexpr std::string_view kMaxUploads = "1000";
// A key with more uploads in progress than this many pages hold is not ours to clean up.
constexpr int kMaxUploadPages = 100;

}  // namespace

Result<std::string> S3ObjectStore::create_multipart(std::string_view key,
                                                    const PutOptions& options) {
  const std::string what = fmt::format("start multipart upload of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  AUTOSYNC_RETURN_IF_ERROR(check_header_values(options.metadata, options.content_type, {}));
  // options.conditions apply when the upload completes (complete_multipart), not here.
  S3Request request{.method = "POST", .key = key, .query = {{"uploads", ""}}};
  request.headers.emplace_back(
      "content-type", options.content_type.empty() ? kDefaultContentType : options.content_type);
  add_metadata(request.headers, options.metadata);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  auto upload_id = parse_upload_id(response.body);
  if (!upload_id.is_ok()) return std::move(upload_id).take_status().context(what);
  return upload_id;
}

Result<CompletedPart> S3ObjectStore::upload_part(std::string_view key, std::string_view upload_id,
                                                 int part_number, const ByteSource& data) {
  const std::string what = fmt::format("upload part {} of {}", part_number, key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  if (part_number < 1 || part_number > static_cast<int>(capabilities_.max_parts)) {
    return invalid(fmt::format("{}: part numbers run from 1 to {}", what, capabilities_.max_parts));
  }
  if (data.size() > capabilities_.max_part_size) {
    return invalid(fmt::format("{}: {} bytes is more than a part may hold", what, data.size()));
  }
  S3Request request{.method = "PUT", .key = key, .body = &data};
  request.query = {{"partNumber", std::to_string(part_number)},
                   {"uploadId", std::string(upload_id)}};
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  std::string etag = strip_etag_quotes(response.header("etag"));
  if (etag.empty()) return transient(fmt::format("{}: the server sent no ETag", what));
  return CompletedPart{part_number, std::move(etag)};
}

Result<ObjectInfo> S3ObjectStore::complete_multipart(std::string_view key,
                                                     std::string_view upload_id,
                                                     std::span<const CompletedPart> parts,
                                                     const Conditions& conditions) {
  const std::string what = fmt::format("complete multipart upload of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  AUTOSYNC_RETURN_IF_ERROR(check_conditions_supported(conditions, what));
  AUTOSYNC_RETURN_IF_ERROR(check_header_values({}, "", conditions));
  if (parts.empty()) return invalid(fmt::format("{}: no parts given", what));
  // S3 wants the parts in ascending order; callers may have finished them in any order.
  std::vector<CompletedPart> sorted(parts.begin(), parts.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const CompletedPart& a, const CompletedPart& b) { return a.number < b.number; });
  const std::string body = complete_request(sorted);
  const BufferSource source(body);
  S3Request request{.method = "POST", .key = key, .body = &source};
  request.query = {{"uploadId", std::string(upload_id)}};
  request.headers.emplace_back("content-type", "application/xml");
  add_conditions(request.headers, conditions);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  // The server may fail after sending "200 OK" (it keeps the connection alive while it works).
  AUTOSYNC_RETURN_IF_ERROR(embedded_error(response, config_.bucket).context(what));
  auto etag = parse_complete_result(response.body);
  if (!etag.is_ok()) return std::move(etag).take_status().context(what);
  // The answer names no size, type or metadata: ask for them.
  AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo info, head_with(key, {}, what));
  info.etag = *etag;
  info.version_id = response.header("x-amz-version-id").empty()
                        ? info.version_id
                        : std::string(response.header("x-amz-version-id"));
  return info;
}

Status S3ObjectStore::abort_multipart(std::string_view key, std::string_view upload_id) {
  const std::string what = fmt::format("abort multipart upload of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  S3Request request{.method = "DELETE", .key = key};
  request.query = {{"uploadId", std::string(upload_id)}};
  auto response = call(request, what);
  if (response.is_ok()) return {};
  // An upload that is gone (aborted or completed already) is as aborted as it gets.
  if (response.status().server_code() == "NoSuchUpload") return {};
  return std::move(response).take_status();
}

// GET /bucket?uploads&prefix=KEY, kept to exactly KEY, paging with key-marker and
// upload-id-marker. S3 lists uploads by key, then by when they began: once the next key
// marker is past KEY, KEY's uploads are all listed. (s3rver answers NotImplemented:
// kUnsupported.)
Result<std::vector<PendingUpload>> S3ObjectStore::list_multipart_uploads(std::string_view key) {
  const std::string what = fmt::format("list multipart uploads of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  std::vector<PendingUpload> out;
  std::string key_marker;
  std::string upload_id_marker;
  for (int page = 0; page < kMaxUploadPages; ++page) {
    S3Request request{.method = "GET"};
    request.query = {{"uploads", ""},
                     {"prefix", std::string(key)},
                     {"encoding-type", "url"},
                     {"max-uploads", std::string(kMaxUploads)}};
    if (!key_marker.empty()) {
      request.query.emplace_back("key-marker", key_marker);
      request.query.emplace_back("upload-id-marker", upload_id_marker);
    }
    AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
    auto listed = parse_upload_page(response.body);
    if (!listed.is_ok()) return std::move(listed).take_status().context(what);
    for (PendingUpload& upload : listed->uploads) {
      if (upload.key == key) out.push_back(std::move(upload));  // not longer keys
    }
    if (!listed->truncated || listed->next_key_marker != key) return out;
    if (listed->next_key_marker == key_marker &&
        listed->next_upload_id_marker == upload_id_marker) {
      return transient(fmt::format("{}: the server sent the same page twice", what));
    }
    key_marker = std::move(listed->next_key_marker);
    upload_id_marker = std::move(listed->next_upload_id_marker);
  }
  return transient(
      fmt::format("{}: more than {} pages of uploads in progress", what, kMaxUploadPages));
}

}  // namespace autosync::backends::s3
