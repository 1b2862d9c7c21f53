// AzureBlobStore's multipart uploads: Put Block for each part, Put Block List to complete.
//
// The upload id carries the nonce the block ids derive from (and the metadata to commit), so
// any process holding the id can resume the upload: staging the missing parts again gives
// the same block ids, and the uncommitted blocks already staged stay for a week. A commit of
// the blob by anyone drops them; a resumed complete then fails (InvalidBlockList) and the
// transfer layer starts the upload over.
//
// So an Azure upload does not exist on the store before its first part: create_multipart
// sends no request, and a client that loses the id before sending a part (a crash, say)
// leaves nothing behind. Staged blocks of an abandoned upload cannot be listed per upload
// (Get Block List with blocklisttype=uncommitted shows a blob's staged blocks, not whose
// they are) and cannot be removed short of committing the blob, which would replace it; they
// go with the blob's next commit or after 7 days. Hence capabilities().upload_listing is
// kNotOnStore and list_multipart_uploads answers kUnsupported (the default).
#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "backends/azure/azure_blob_store.h"
#include "backends/azure/blob_headers.h"
#include "backends/azure/blob_xml.h"
#include "backends/azure/block_upload.h"

namespace autosync::backends::azure {
namespace {

// The block ids to commit, in part-number order; kInvalid for duplicate or unknown parts.
Result<std::vector<std::string>> block_ids_for(std::span<const CompletedPart> parts,
                                               std::string_view nonce, uint32_t max_parts,
                                               std::string_view what) {
  std::vector<CompletedPart> sorted(parts.begin(), parts.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const CompletedPart& a, const CompletedPart& b) { return a.number < b.number; });
  std::vector<std::string> ids;
  ids.reserve(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    const CompletedPart& part = sorted[i];
    if (part.number < 1 || part.number > static_cast<int>(max_parts)) {
      return invalid(fmt::format("{}: part number {} is out of range", what, part.number));
    }
    if (i > 0 && sorted[i - 1].number == part.number) {
      return invalid(fmt::format("{}: part {} is listed twice", what, part.number));
    }
    std::string id = block_id(nonce, part.number);
    if (!part.etag.empty() && part.etag != id) {
      return invalid(
          fmt::format("{}: part {} was not uploaded under this upload id", what, part.number));
    }
    ids.push_back(std::move(id));
  }
  return ids;
}

}  // namespace

Result<std::string> AzureBlobStore::create_multipart(std::string_view key,
                                                     const PutOptions& options) {
  const std::string what = fmt::format("start upload of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  Result<std::string> id = make_upload_id(options);
  if (!id.is_ok()) return std::move(id).take_status().context(what);
  return id;
}

Result<CompletedPart> AzureBlobStore::upload_part(std::string_view key, std::string_view upload_id,
                                                  int part_number, const ByteSource& data) {
  const std::string what = fmt::format("upload part {} of {}", part_number, key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  if (part_number < 1 || part_number > static_cast<int>(caps_.max_parts)) {
    return invalid(fmt::format("{}: part numbers go from 1 to {}", what, caps_.max_parts));
  }
  if (data.size() > caps_.max_part_size) {
    return invalid(fmt::format("{}: {} bytes is more than a block may hold", what, data.size()));
  }
  Result<UploadState> state = parse_upload_id(upload_id);
  if (!state.is_ok()) return std::move(state).take_status().context(what);

  CompletedPart part;
  part.number = part_number;
  part.etag = block_id(state->nonce, part_number);
  BlobRequest request;
  request.method = "PUT";
  request.path = path_of(key);
  request.query = {{"comp", "block"}, {"blockid", part.etag}};
  request.body = &data;
  AUTOSYNC_RETURN_IF_ERROR(call(request, what).status());
  return part;
}

Result<ObjectInfo> AzureBlobStore::complete_multipart(std::string_view key,
                                                      std::string_view upload_id,
                                                      std::span<const CompletedPart> parts,
                                                      const Conditions& conditions) {
  const std::string what = fmt::format("complete upload of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  Result<UploadState> state = parse_upload_id(upload_id);
  if (!state.is_ok()) return std::move(state).take_status().context(what);
  AUTOSYNC_ASSIGN_OR_RETURN(const std::vector<std::string> ids,
                            block_ids_for(parts, state->nonce, caps_.max_parts, what));
  PutOptions options;
  options.content_type = std::move(state->content_type);
  options.metadata = std::move(state->metadata);
  options.conditions = conditions;
  return commit_blocks(key, ids, options, what);
}

Status AzureBlobStore::abort_multipart(std::string_view key, std::string_view upload_id) {
  // Uncommitted blocks cost nothing for long: the service drops them after a week, and a
  // later upload to the key commits only its own block ids.
  const std::string what = fmt::format("abort upload of {}", key);
  AUTOSYNC_RETURN_IF_ERROR(check_key(key, what));
  Result<UploadState> state = parse_upload_id(upload_id);
  if (!state.is_ok()) return std::move(state).take_status().context(what);
  return {};
}

Result<ObjectInfo> AzureBlobStore::commit_blocks(std::string_view key,
                                                 std::span<const std::string> block_ids,
                                                 const PutOptions& options, std::string_view what) {
  const std::string xml = block_list_xml(block_ids);
  const BufferSource body(xml);
  BlobRequest request;
  request.method = "PUT";
  request.path = path_of(key);
  request.query = {{"comp", "blocklist"}};
  request.body = &body;
  request.headers.emplace_back("Content-Type", "application/xml");
  if (!options.content_type.empty()) {
    request.headers.emplace_back("x-ms-blob-content-type", options.content_type);
  }
  add_metadata_headers(request.headers, options.metadata);
  add_condition_headers(request.headers, options.conditions);
  AUTOSYNC_RETURN_IF_ERROR(call(request, what).status());
  // The answer does not say how large the blob is; its properties do. (Should another
  // writer replace the blob in between, this describes the current blob, which is still
  // a truthful answer to "what is there now".)
  Result<ObjectInfo> info = head(key);
  if (!info.is_ok()) return std::move(info).take_status().context(what);
  return info;
}

Result<ObjectInfo> AzureBlobStore::put_in_blocks(std::string_view key, const ByteSource& data,
                                                 const PutOptions& options) {
  const std::string what = fmt::format("put {}", key);
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string upload_id, make_upload_id(PutOptions{}));
  std::vector<std::string> ids;
  int part = 0;
  for (uint64_t offset = 0; offset < data.size(); offset += tuning_.block_bytes) {
    const SliceSource slice(data, offset, std::min(tuning_.block_bytes, data.size() - offset));
    AUTOSYNC_ASSIGN_OR_RETURN(const CompletedPart done, upload_part(key, upload_id, ++part, slice));
    ids.push_back(done.etag);
  }
  return commit_blocks(key, ids, options, what);
}

}  // namespace autosync::backends::azure
