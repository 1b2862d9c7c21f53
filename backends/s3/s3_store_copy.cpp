// S3ObjectStore::copy: CopyObject, or UploadPartCopy in parallel for sources larger than
// multipart_copy_threshold (S3 copies at most 5 GiB in one request).
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>

#include "backends/s3/s3_errors.h"
#include "backends/s3/s3_headers.h"
#include "backends/s3/s3_object_store.h"
#include "backends/s3/s3_xml.h"

namespace autosync::backends::s3 {
namespace {

constexpr uint32_t kMaxParts = 10000;
constexpr size_t kCopyWorkers = 4;

// Whether the source's current ETag satisfies the caller's conditions. Checked here as well
// as sent to the server, because some servers (s3rver) ignore x-amz-copy-source-if-*.
Status check_source(const ObjectInfo& source, const Conditions& conditions, std::string_view what) {
  const std::string if_match = strip_etag_quotes(conditions.if_match);
  const std::string if_none_match = strip_etag_quotes(conditions.if_none_match);
  const bool failed =
      (!if_match.empty() && if_match != "*" && source.etag != if_match) ||
      (!if_none_match.empty() && (if_none_match == "*" || source.etag == if_none_match));
  if (!failed) return {};
  return Status::error(
      ErrorKind::kPreconditionFailed,
      fmt::format("{}: precondition failed: the source's ETag is {}", what, source.etag));
}

}  // namespace

Result<ObjectInfo> S3ObjectStore::copy(std::string_view source, std::string_view dest,
                                       const CopyOptions& options) {
  const std::string what = fmt::format("copy {} to {}", source, dest);
  AUTOSYNC_RETURN_IF_ERROR(check_key(source));
  AUTOSYNC_RETURN_IF_ERROR(check_key(dest));
  AUTOSYNC_RETURN_IF_ERROR(check_header_values(options.metadata, "", options.source_conditions));
  // The source's size picks the method, and its metadata and content type are what the copy
  // keeps: CopyObject's answer carries neither. A listing's entry gives the size alone.
  ObjectInfo info;
  if (options.listed_source && !options.replace_metadata) {
    info = *options.listed_source;
    info.key = std::string(source);
  } else {
    AUTOSYNC_ASSIGN_OR_RETURN(info, head_with(source, {}, what));
  }
  AUTOSYNC_RETURN_IF_ERROR(check_source(info, options.source_conditions, what));
  if (info.size > config_.multipart_copy_threshold) return copy_in_parts(info, dest, options);
  return copy_object(info, dest, options);
}

Result<ObjectInfo> S3ObjectStore::copy_object(const ObjectInfo& source, std::string_view dest,
                                              const CopyOptions& options) {
  const std::string what = fmt::format("copy {} to {}", source.key, dest);
  S3Request request{.method = "PUT", .key = dest};
  request.headers.emplace_back("x-amz-metadata-directive",
                               options.replace_metadata ? "REPLACE" : "COPY");
  if (options.replace_metadata) {
    // REPLACE replaces every header-borne property: keep the content type explicitly.
    if (!source.content_type.empty())
      request.headers.emplace_back("content-type", source.content_type);
    add_metadata(request.headers, options.metadata);
  }
  add_conditions(request.headers, options.source_conditions, "x-amz-copy-source-");
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, send_copy(request, source.key, what));
  auto result = parse_copy_result(response.body);
  if (!result.is_ok()) return std::move(result).take_status().context(what);
  ObjectInfo info = source;
  info.key = std::string(dest);
  info.etag = result->etag;
  info.last_modified = result->last_modified;
  info.version_id = std::string(response.header("x-amz-version-id"));
  if (options.replace_metadata) info.metadata = options.metadata;
  return info;
}

Result<http::HttpResponse> S3ObjectStore::send_copy(S3Request& request, std::string_view source_key,
                                                    std::string_view what) {
  const UrlBuilder& urls = client_.urls();
  const bool keep_reserved = copy_source_keeps_reserved_.load();
  request.headers.emplace_back(
      "x-amz-copy-source",
      urls.copy_source(source_key, keep_reserved ? CopySourceEncoding::kKeepReserved
                                                 : CopySourceEncoding::kFull));
  auto response = call(request, what);
  // The source existed a moment ago (its HEAD or a listing said so). NoSuchKey now, for a key with
  // reserved characters, means the server decodes x-amz-copy-source with decodeURI (s3rver):
  // try once more with those characters raw and remember that this server needs it.
  const std::string raw = urls.copy_source(source_key, CopySourceEncoding::kKeepReserved);
  if (!response.is_ok() && response.status().server_code() == "NoSuchKey" && !keep_reserved &&
      raw != request.headers.back().second) {
    request.headers.back().second = raw;
    response = call(request, what);
    if (response.is_ok()) copy_source_keeps_reserved_.store(true);
  }
  if (!response.is_ok()) return response;
  AUTOSYNC_RETURN_IF_ERROR(embedded_error(*response, config_.bucket).context(what));
  return response;
}

Result<ObjectInfo> S3ObjectStore::copy_in_parts(const ObjectInfo& source, std::string_view dest,
                                                const CopyOptions& options) {
  PutOptions put_options;
  put_options.content_type = source.content_type;
  put_options.metadata = options.replace_metadata ? options.metadata : source.metadata;
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string upload_id, create_multipart(dest, put_options));
  auto parts = copy_parts(source, dest, upload_id);
  if (!parts.is_ok()) {
    (void)abort_multipart(dest, upload_id);  // best effort: the copy's error is what matters
    return std::move(parts).take_status();
  }
  auto info = complete_multipart(dest, upload_id, *parts, {});
  if (!info.is_ok()) (void)abort_multipart(dest, upload_id);
  return info;
}

Result<std::vector<CompletedPart>> S3ObjectStore::copy_parts(const ObjectInfo& source,
                                                             std::string_view dest,
                                                             const std::string& upload_id) {
  const uint64_t part_size =
      std::max<uint64_t>(config_.copy_part_size, (source.size + kMaxParts - 1) / kMaxParts);
  const auto count = static_cast<size_t>((source.size + part_size - 1) / part_size);
  std::vector<CompletedPart> parts(count);
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;  // GUARDED_BY(mu)
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) {
      const uint64_t first = i * part_size;
      const uint64_t last = std::min(source.size, first + part_size) - 1;
      auto part = copy_part(source, dest, upload_id, static_cast<int>(i + 1), first, last);
      std::lock_guard lock(mu);
      if (!first_error.is_ok()) return;
      if (!part.is_ok()) {
        first_error = std::move(part).take_status();
        return;
      }
      parts[i] = *part;
    }
  };
  std::vector<std::thread> threads;
  try {
    while (threads.size() + 1 < std::min(kCopyWorkers, count))
      threads.emplace_back(worker);
  } catch (const std::system_error&) {
    // No more threads to be had: the ones running and this one finish the work.
  }
  worker();
  for (std::thread& t : threads)
    t.join();
  if (!first_error.is_ok()) return first_error;
  return parts;
}

Result<CompletedPart> S3ObjectStore::copy_part(const ObjectInfo& source, std::string_view dest,
                                               const std::string& upload_id, int number,
                                               uint64_t first, uint64_t last) {
  const std::string what = fmt::format("copy part {} of {} to {}", number, source.key, dest);
  S3Request request{.method = "PUT", .key = dest};
  request.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id}};
  request.headers.emplace_back("x-amz-copy-source-range", fmt::format("bytes={}-{}", first, last));
  // Every part must come from the same version of the source: the one measured.
  Conditions pinned;
  pinned.if_match = source.etag;
  add_conditions(request.headers, pinned, "x-amz-copy-source-");
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, send_copy(request, source.key, what));
  auto result = parse_copy_result(response.body);
  if (!result.is_ok()) return std::move(result).take_status().context(what);
  return CompletedPart{number, result->etag};
}

}  // namespace autosync::backends::s3
