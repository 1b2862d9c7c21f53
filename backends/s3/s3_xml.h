// The XML documents of the S3 REST API: parsing answers (list pages, errors, copy, multipart
// and batch-delete results) and writing request bodies (batch delete, complete multipart).
//
// Parsing is lenient about namespaces and unknown elements, strict about the root element:
// an answer that is not the expected S3 document is kTransient ("not S3 XML"), since that is
// what a proxy page or a half-dead server produces. No pugixml type leaves this module.
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "backends/object_store.h"
#include "core/base/result.h"

namespace autosync::backends::s3 {

// <Error><Code/><Message/><RequestId/>...</Error>, the body of every S3 error answer.
struct ErrorBody {
  std::string code;
  std::string message;
  std::string request_id;
  std::string bucket_name;                     // NoSuchBucket names it
  std::optional<uint64_t> actual_object_size;  // InvalidRange on some servers
};

// The error document in `body`; nothing when the body is not one (empty, HTML, other XML).
std::optional<ErrorBody> parse_error(std::string_view body);

// ListObjectsV2's ListBucketResult. With <EncodingType>url</EncodingType> in the answer,
// keys and prefixes are URL-decoded ('+' is a space); a server that ignored encoding-type
// sends them raw and they are kept as they are.
Result<ListPage> parse_list_page(std::string_view body);

// ListObjectVersions' ListVersionsResult: its <Version> and <DeleteMarker> entries in
// document order (S3 sends each key's versions newest first), each with its key (URL-decoded
// when the answer says EncodingType url). Another S3 document in its place (a
// ListBucketResult from a server that ignored ?versions) is kUnsupported: that server lists
// no versions.
struct VersionEntry {
  std::string key;
  ObjectVersion version;
};
struct VersionListing {
  std::vector<VersionEntry> entries;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_version_id_marker;
};
Result<VersionListing> parse_version_listing(std::string_view body);

// ListMultipartUploads' ListMultipartUploadsResult: its <Upload> entries in document order
// (keys URL-decoded when the answer says EncodingType url), and the markers of the next page.
struct UploadPage {
  std::vector<PendingUpload> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};
Result<UploadPage> parse_upload_page(std::string_view body);

// UploadId of InitiateMultipartUploadResult.
Result<std::string> parse_upload_id(std::string_view body);

// CopyObjectResult / CopyPartResult; ETag without quotes.
struct CopyResult {
  std::string etag;
  SystemTime last_modified{};
};
Result<CopyResult> parse_copy_result(std::string_view body);

// The ETag (without quotes) of CompleteMultipartUploadResult.
Result<std::string> parse_complete_result(std::string_view body);

// One <Error> of a DeleteResult: the key and S3's code and message for it.
struct DeleteError {
  std::string key;
  std::string code;
  std::string message;
};
Result<std::vector<DeleteError>> parse_delete_result(std::string_view body);

// <Delete><Quiet>true</Quiet><Object><Key>...</Key></Object>...</Delete>
std::string delete_request(std::span<const std::string> keys);
// <CompleteMultipartUpload><Part><PartNumber/><ETag/></Part>...</CompleteMultipartUpload>
std::string complete_request(std::span<const CompletedPart> parts);

// Whether XML 1.0 can carry `text` at all (it cannot carry most control characters, even
// escaped); such keys cannot go into a batch-delete body.
bool xml_can_carry(std::string_view text);

// An ETag as servers send it ("\"abc\"", W/"abc") reduced to the bare value.
std::string strip_etag_quotes(std::string_view etag);

}  // namespace autosync::backends::s3
