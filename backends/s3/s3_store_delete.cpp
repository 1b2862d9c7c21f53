// S3ObjectStore::remove_many: DeleteObjects (POST ?delete) where the preset has it, else one
// DELETE per key.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "backends/s3/s3_errors.h"
#include "backends/s3/s3_object_store.h"
#include "backends/s3/s3_xml.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::s3 {
namespace {

constexpr size_t kMaxBatch = 1000;

// Whether a key can go into a DeleteObjects body and come out the same on the server. XML
// cannot carry control characters, and light servers that map XML to JSON (s3rver) trim
// text and turn "123" or "true" into a number or a boolean. Such keys are rare; they are
// removed one request each instead.
bool batch_safe(std::string_view key) {
  if (!xml_can_carry(key) || key != trim(key)) return false;
  if (key == "true" || key == "false") return false;
  const bool numeric_looking =
      std::any_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
      std::all_of(key.begin(), key.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '+' ||
               c == '-' || c == 'x' || c == 'X';
      });
  return !numeric_looking;
}

}  // namespace

Result<std::vector<KeyError>> S3ObjectStore::remove_many(std::span<const std::string> keys) {
  if (keys.size() > kMaxBatch) {
    return invalid(
        fmt::format("remove_many: {} keys given; at most {} per call", keys.size(), kMaxBatch));
  }
  for (const std::string& key : keys)
    AUTOSYNC_RETURN_IF_ERROR(check_key(key));
  std::vector<KeyError> errors;
  std::vector<std::string> batch;
  std::vector<std::string> singles;
  for (const std::string& key : keys) {
    (capabilities_.batch_delete && batch_safe(key) ? batch : singles).push_back(key);
  }
  if (!batch.empty()) AUTOSYNC_RETURN_IF_ERROR(remove_batch(batch, errors));
  for (const std::string& key : singles) {
    Status status = remove(key);
    if (!status.is_ok()) errors.push_back({key, std::move(status)});
  }
  return errors;
}

Status S3ObjectStore::remove_batch(std::span<const std::string> keys,
                                   std::vector<KeyError>& errors) {
  const std::string what = fmt::format("remove {} keys", keys.size());
  const std::string body = delete_request(keys);
  const BufferSource source(body);
  S3Request request{.method = "POST", .query = {{"delete", ""}}, .body = &source};
  request.headers.emplace_back("content-type", "application/xml");
  request.headers.emplace_back("content-md5", base64_encode(md5(body)));
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  AUTOSYNC_RETURN_IF_ERROR(embedded_error(response, config_.bucket).context(what));
  auto failed = parse_delete_result(response.body);
  if (!failed.is_ok()) return std::move(failed).take_status().context(what);
  for (const DeleteError& e : *failed) {
    if (e.code == "NoSuchKey") continue;  // already gone: that is what was asked
    const ErrorBody body_error{e.code, e.message, {}, {}, {}};
    errors.push_back({e.key, status_from_error(response.status, body_error, "", config_.bucket)
                                 .context(fmt::format("remove {}", e.key))});
  }
  return {};
}

}  // namespace autosync::backends::s3
