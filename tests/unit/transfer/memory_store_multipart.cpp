// MemoryStore's multipart upload: the checks S3 makes (NoSuchUpload, InvalidPart,
// InvalidPartOrder, EntityTooSmall) so transfer code meets them in unit tests.
#include <fmt/format.h>

#include "tests/unit/transfer/memory_store.h"

namespace autosync::backends::testing {
namespace {

Status no_such_upload(std::string_view what, std::string_view key) {
  return not_found(fmt::format("{} {}: no such upload", what, key))
      .with_server_code("NoSuchUpload")
      .with_http_status(404);
}

Status bad_request(std::string_view code, std::string message) {
  return invalid(std::move(message)).with_server_code(std::string(code)).with_http_status(400);
}

}  // namespace

Result<std::string> MemoryStore::create_multipart(std::string_view key, const PutOptions& options) {
  count("create_multipart");
  const std::lock_guard lock(mutex_);
  std::string id = fmt::format("upload-{}", ++generation_);
  uploads_.emplace(id, Upload{std::string(key), options, {}, std::chrono::system_clock::now()});
  return id;
}

Result<CompletedPart> MemoryStore::upload_part(std::string_view key, std::string_view upload_id,
                                               int part_number, const ByteSource& data) {
  count("upload_part");
  if (part_number < 1 || static_cast<uint32_t>(part_number) > capabilities_.max_parts) {
    return bad_request("InvalidArgument", fmt::format("upload_part {}: part number {} out of range",
                                                      key, part_number));
  }
  if (data.size() > capabilities_.max_part_size) {
    return bad_request("EntityTooLarge",
                       fmt::format("upload_part {}: part {} is too large", key, part_number));
  }
  auto body = read_all(data);
  if (!body.is_ok()) return std::move(body).take_status().context("upload_part");
  const std::lock_guard lock(mutex_);
  const auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.key != key) return no_such_upload("upload_part", key);
  std::string etag = next_etag();
  it->second.parts.insert_or_assign(part_number, StoredPart{etag, std::move(body).value()});
  return CompletedPart{part_number, std::move(etag)};
}

Result<std::string> MemoryStore::assemble(std::string_view key, const Upload& upload,
                                          std::span<const CompletedPart> parts) const {
  if (parts.empty()) {
    return bad_request("MalformedXML", fmt::format("complete_multipart {}: no parts", key));
  }
  std::string data;
  int previous = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const CompletedPart& part = parts[i];
    if (part.number <= previous) {
      return bad_request("InvalidPartOrder",
                         fmt::format("complete_multipart {}: parts out of order", key));
    }
    previous = part.number;
    const auto stored = upload.parts.find(part.number);
    if (stored == upload.parts.end() || stored->second.etag != part.etag) {
      return bad_request("InvalidPart",
                         fmt::format("complete_multipart {}: part {} unknown", key, part.number));
    }
    const bool last = i + 1 == parts.size();
    if (!last && stored->second.data.size() < capabilities_.min_part_size) {
      return bad_request("EntityTooSmall",
                         fmt::format("complete_multipart {}: part {} too small", key, part.number));
    }
    data += stored->second.data;
  }
  return data;
}

Result<ObjectInfo> MemoryStore::complete_multipart(std::string_view key, std::string_view upload_id,
                                                   std::span<const CompletedPart> parts,
                                                   const Conditions& conditions) {
  count("complete_multipart");
  const std::lock_guard lock(mutex_);
  const auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.key != key) {
    return no_such_upload("complete_multipart", key);
  }
  AUTOSYNC_ASSIGN_OR_RETURN(std::string data, assemble(key, it->second, parts));
  AUTOSYNC_RETURN_IF_ERROR(check_write_conditions("complete_multipart", key, conditions));
  const PutOptions options = std::move(it->second.options);
  uploads_.erase(it);
  return store_object(key, std::move(data), options.metadata, options.content_type);
}

Status MemoryStore::abort_multipart(std::string_view key, std::string_view upload_id) {
  count("abort_multipart");
  const std::lock_guard lock(mutex_);
  const auto it = uploads_.find(upload_id);
  if (it == uploads_.end() || it->second.key != key) {
    return no_such_upload("abort_multipart", key);
  }
  uploads_.erase(it);
  return {};
}

Result<std::vector<PendingUpload>> MemoryStore::list_multipart_uploads(std::string_view key) {
  count("list_multipart_uploads");
  const std::lock_guard lock(mutex_);
  std::vector<PendingUpload> out;
  for (const auto& [id, upload] : uploads_) {
    if (upload.key == key)
      out.push_back({.key = upload.key, .upload_id = id, .initiated = upload.initiated});
  }
  return out;
}

}  // namespace autosync::backends::testing
