// AzureBlobStore's reads: head (Get Blob Properties), get (Get Blob), list (List Blobs).
#include <fmt/format.h>

#include <algorithm>

#include "backends/azure/azure_blob_store.h"
#include "backends/azure/blob_errors.h"
#include "backends/azure/blob_headers.h"
#include "backends/azure/blob_xml.h"

namespace autosync::backends::azure {
namespace {

// The service answers at most this many entries per List Blobs page.
constexpr uint32_t kMaxListResults = 5000;

}  // namespace

Result<ObjectInfo> AzureBlobStore::head(std::string_view key) {
  const std::string what = fmt::format("head {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  BlobRequest request;
  request.method = "HEAD";
  request.path = path_of(key);
  AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse response, call(request, what));
  return object_info_from_headers(key, response);
}

Result<ObjectInfo> AzureBlobStore::get(std::string_view key, const GetOptions& options,
                                       ByteSink& sink) {
  const std::string what = fmt::format("get {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  // Nothing to read, or a range the service refuses (416: it starts past the end): the
  // contract asks for success with no bytes and the object's properties.
  const auto properties_only = [&]() -> Result<ObjectInfo> {
    BlobRequest properties;
    properties.method = "HEAD";
    properties.path = path_of(key);
    if (!options.version_id.empty()) properties.query.emplace_back("versionid", options.version_id);
    AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse answer, call(properties, what));
    ObjectInfo info = object_info_from_headers(key, answer);
    if (!options.conditions.if_match.empty() && options.conditions.if_match != "*" &&
        strip_etag_quotes(options.conditions.if_match) != info.etag) {
      return Status::error(
          ErrorKind::kPreconditionFailed,
          fmt::format("{}: the ETag is no longer {}", what, options.conditions.if_match));
    }
    return info;
  };
  if (options.range.length == 0) return properties_only();

  BlobRequest request;
  request.path = path_of(key);
  request.sink = &sink;
  if (!options.version_id.empty()) request.query.emplace_back("versionid", options.version_id);
  if (!options.range.whole()) {
    request.headers.emplace_back("x-ms-range", range_header_value(options.range));
  }
  add_condition_headers(request.headers, options.conditions);
  Result<http::HttpResponse> response = transport_.send(request);
  if (!response.is_ok()) return std::move(response).take_status().context(what);
  if (response->status == 416) return properties_only();
  if (!response->success()) return status_from_response(*response, container_).context(what);
  if (response->status == 200 && options.range.offset > 0) {
    // The whole object went to the sink, so what it holds is not the requested range.
    return transient(fmt::format("{}: the service ignored the requested range", what));
  }
  ObjectInfo info = object_info_from_headers(key, *response);
  // A service without versions ignores versionid and sends the current blob.
  if (!options.version_id.empty() && info.version_id != options.version_id) {
    return Status::error(ErrorKind::kUnsupported,
                         fmt::format("{}: the service answered without version {}: it keeps no "
                                     "versions",
                                     what, options.version_id));
  }
  return info;
}

Result<ListPage> AzureBlobStore::list(const ListOptions& options) {
  const std::string what = fmt::format("list '{}' in container {}", options.prefix, container_);
  BlobRequest request;
  request.path = container_path(container_);
  request.query = {{"restype", "container"}, {"comp", "list"}};
  // Empty parameters are left out rather than sent as "name=": the service treats both alike
  // and leaving them out keeps the signed resource free of empty values.
  if (!options.prefix.empty()) request.query.emplace_back("prefix", options.prefix);
  if (!options.delimiter.empty()) request.query.emplace_back("delimiter", options.delimiter);
  if (!options.continuation_token.empty()) {
    request.query.emplace_back("marker", options.continuation_token);
  }
  const uint32_t max_results = std::clamp<uint32_t>(options.max_keys, 1, kMaxListResults);
  request.query.emplace_back("maxresults", std::to_string(max_results));
  AUTOSYNC_ASSIGN_OR_RETURN(const http::HttpResponse response, call(request, what));
  Result<ListPage> page = parse_list_blobs(response.body);
  if (!page.is_ok()) {
    return std::move(page).take_status().context(what);
  }
  return page;
}

}  // namespace autosync::backends::azure
