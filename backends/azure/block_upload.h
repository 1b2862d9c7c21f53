// How ObjectStore's multipart uploads map onto block blobs: upload ids and block ids.
//
// An upload is a set of uncommitted blocks that Put Block List turns into the blob. Nothing
// is created on the service for it, so the upload id carries everything complete needs:
// a random nonce (which names the blocks) and the content type and metadata given to
// create_multipart. An upload survives a restart of the process, and abort needs no request
// (uncommitted blocks expire on their own).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "backends/object_store.h"

namespace autosync::backends::azure {

struct UploadState {
  std::string nonce;  // 32 hex digits
  std::string content_type;
  UserMetadata metadata;
};

// "NONCE" or "NONCE.OPTIONS" with the options in unpadded base64url. kInvalid when the
// content type or a metadata value holds a line break (no valid header can).
Result<std::string> make_upload_id(const PutOptions& options);

// kInvalid when `upload_id` was not made by make_upload_id.
Result<UploadState> parse_upload_id(std::string_view upload_id);

// base64("NONCE-PPPPP"): unique per (upload, part), and the same length for every part of
// every upload, as the service requires of all blocks of one blob. Parts are 1..99999.
std::string block_id(std::string_view nonce, int part_number);

}  // namespace autosync::backends::azure
