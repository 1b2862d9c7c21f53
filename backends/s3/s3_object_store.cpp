#include "backends/s3/s3_object_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "backends/s3/s3_errors.h"
#include "backends/s3/s3_headers.h"
#include "backends/s3/s3_store.h"
#include "backends/s3/s3_xml.h"

namespace autosync::backends::s3 {
namespace {

// Passes on only the first `limit` bytes: some servers answer a range with more than was
// asked for (s3rver sends a whole object for "bytes=0-0"), and the caller's sink must get
// exactly the range.
class ClippingSink final : public ByteSink {
 public:
  ClippingSink(ByteSink& inner, uint64_t limit) : inner_(inner), limit_(limit) {}
  Status write_at(uint64_t offset, std::span<const char> data) override {
    if (offset >= limit_) return {};
    const uint64_t room = limit_ - offset;
    return inner_.write_at(offset, data.first(std::min<uint64_t>(data.size(), room)));
  }

 private:
  ByteSink& inner_;
  const uint64_t limit_;
};

}  // namespace

Capabilities capabilities_for(Preset preset) {
  Capabilities caps;
  caps.conditional_write = preset != Preset::kGcs;
  caps.batch_delete = preset != Preset::kGcs;
  caps.versioning = preset != Preset::kGcs;
  return caps;
}

Capabilities capabilities_for(const S3Config& config) {
  Capabilities caps = capabilities_for(config.preset);
  caps.conditional_write = config.conditional_write.value_or(caps.conditional_write);
  return caps;
}

Result<std::unique_ptr<ObjectStore>> open_store(const S3Config& config,
                                                std::shared_ptr<CredentialProvider> credentials) {
  auto endpoint = parse_endpoint(config.endpoint);
  if (config.addressing == Addressing::kAuto || config.region.empty() || !endpoint.is_ok()) {
    return invalid("open_store needs a resolved S3 config (call s3::resolve first)");
  }
  if (credentials == nullptr) return invalid("open_store needs a credential provider");
  return std::unique_ptr<ObjectStore>(
      std::make_unique<S3ObjectStore>(config, std::move(endpoint).value(), std::move(credentials)));
}

Result<std::unique_ptr<ObjectStore>> open_store(const S3Config& config) {
  if (!config.credentials) return invalid("open_store needs a resolved S3 config (credentials)");
  return open_store(config, std::make_shared<StaticCredentialProvider>(*config.credentials));
}

S3ObjectStore::S3ObjectStore(S3Config config, Endpoint endpoint,
                             std::shared_ptr<CredentialProvider> credentials)
    : config_(std::move(config)),
      capabilities_(capabilities_for(config_)),
      client_(config_, std::move(endpoint), std::move(credentials)) {}

std::string S3ObjectStore::describe() const {
  return fmt::format("s3://{} at {}", config_.bucket, config_.endpoint);
}

Status S3ObjectStore::answer_error(const http::HttpResponse& response,
                                   std::string_view what) const {
  return status_from_response(response, config_.bucket).context(what);
}

Result<http::HttpResponse> S3ObjectStore::call(const S3Request& request, std::string_view what) {
  auto response = client_.send(request);
  if (!response.is_ok()) return std::move(response).take_status().context(what);
  if (!response->success()) return answer_error(*response, what);
  return response;
}

Status S3ObjectStore::check_key(std::string_view key) const {
  if (key.empty()) return invalid("an object key cannot be empty");
  if (key.size() > capabilities_.max_key_bytes) {
    return invalid(fmt::format("key of {} bytes is longer than S3's {}", key.size(),
                               capabilities_.max_key_bytes));
  }
  return {};
}

Status S3ObjectStore::check_conditions_supported(const Conditions& conditions,
                                                 std::string_view what) const {
  if (conditions.empty() || capabilities_.conditional_write) return {};
  return unsupported(fmt::format("{}: conditional writes are not supported by the {} preset", what,
                                 to_string(config_.preset)));
}

Result<ObjectInfo> S3ObjectStore::head(std::string_view key) {
  return head_with(key, {}, fmt::format("head {}", key));
}

Result<ObjectInfo> S3ObjectStore::head_with(std::string_view key, const Conditions& conditions,
                                            std::string_view what, std::string_view version_id) {
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  S3Request request{.method = "HEAD", .key = key};
  if (!version_id.empty()) request.query.emplace_back("versionId", std::string(version_id));
  add_conditions(request.headers, conditions);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  ObjectInfo info = info_from_headers(key, response);
  AUTOSYNC_RETURN_IF_ERROR(check_version(info, version_id, what));
  return info;
}

Status S3ObjectStore::check_version(const ObjectInfo& info, std::string_view version_id,
                                    std::string_view what) {
  if (version_id.empty() || info.version_id == version_id) return Status::ok();
  return Status::error(ErrorKind::kUnsupported,
                       fmt::format("{}: the server answered without version {}: it keeps no "
                                   "versions",
                                   what, version_id));
}

Result<ObjectInfo> S3ObjectStore::get(std::string_view key, const GetOptions& options,
                                      ByteSink& sink) {
  const std::string what = fmt::format("get {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  AUTOSYNC_RETURN_IF_ERROR(check_header_values({}, "", options.conditions));
  // No bytes wanted: the object's info is all there is to fetch.
  if (options.range.length == 0)
    return head_with(key, options.conditions, what, options.version_id);
  S3Request request{.method = "GET", .key = key};
  if (!options.version_id.empty()) request.query.emplace_back("versionId", options.version_id);
  if (!options.range.whole()) request.headers.emplace_back("range", range_header(options.range));
  add_conditions(request.headers, options.conditions);
  ClippingSink clipped(sink, options.range.length);
  request.sink = &clipped;
  auto sent = client_.send(request);
  if (!sent.is_ok()) {
    // s3rver answers a range of an empty object with a 206 promising a byte it never sends,
    // so the transfer breaks. Any range of an empty object is simply no bytes.
    if (options.range.offset == 0 && !options.range.whole()) {
      auto info = head_with(key, options.conditions, what, options.version_id);
      if (info.is_ok() && info->size == 0) return info;
    }
    return std::move(sent).take_status().context(what);
  }
  const http::HttpResponse& response = *sent;
  // Range starts at or past the end: no bytes, and the info from a HEAD.
  if (response.status == 416) return head_with(key, options.conditions, what, options.version_id);
  if (!response.success()) return answer_error(response, what);
  // A whole object sent for a range that does not start at 0 would land at the wrong offsets.
  if (response.status == 200 && options.range.offset > 0) {
    return transient(fmt::format("{}: the server ignored the Range header", what));
  }
  ObjectInfo info = info_from_headers(key, response);
  AUTOSYNC_RETURN_IF_ERROR(check_version(info, options.version_id, what));
  // A server that ignores If-Match (s3rver) still must not pass off another version.
  const std::string wanted = strip_etag_quotes(options.conditions.if_match);
  if (!wanted.empty() && info.etag != wanted) {
    return Status::error(ErrorKind::kPreconditionFailed,
                         fmt::format("{}: precondition failed: the object's ETag is {}, not {}",
                                     what, info.etag, wanted));
  }
  return info;
}

Result<ObjectInfo> S3ObjectStore::put(std::string_view key, const ByteSource& data,
                                      const PutOptions& options) {
  const std::string what = fmt::format("put {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  AUTOSYNC_RETURN_IF_ERROR(check_conditions_supported(options.conditions, what));
  AUTOSYNC_RETURN_IF_ERROR(
      check_header_values(options.metadata, options.content_type, options.conditions));
  if (data.size() > capabilities_.max_single_put) {
    return invalid(fmt::format("{}: {} bytes is more than one PUT may write; use multipart", what,
                               data.size()));
  }
  const std::string content_type =
      options.content_type.empty() ? std::string(kDefaultContentType) : options.content_type;
  S3Request request{.method = "PUT", .key = key, .body = &data};
  request.headers.emplace_back("content-type", content_type);
  add_metadata(request.headers, options.metadata);
  add_conditions(request.headers, options.conditions);
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  ObjectInfo info = info_from_headers(key, response);
  info.size = data.size();
  info.content_type = content_type;
  info.metadata = options.metadata;
  info.last_modified = parse_timestamp(response.header("date"))
                           .value_or(std::chrono::time_point_cast<SystemTime::duration>(
                               std::chrono::system_clock::now()));
  if (info.etag.empty()) return transient(fmt::format("{}: the server sent no ETag", what));
  return info;
}

Status S3ObjectStore::remove(std::string_view key) {
  const std::string what = fmt::format("remove {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  const S3Request request{.method = "DELETE", .key = key};
  auto response = call(request, what);
  if (response.is_ok()) return {};
  // Removing what is not there succeeds; a missing bucket is still an error.
  const Status& status = response.status();
  if (status.is(ErrorKind::kNotFound) && status.server_code() != "NoSuchBucket") return {};
  return std::move(response).take_status();
}

}  // namespace autosync::backends::s3
