#include "backends/s3/s3_xml.h"

#include <fmt/format.h>

#include <pugixml.hpp>
#include <sstream>

#include "core/base/encoding.h"

namespace autosync::backends::s3 {
namespace {

// An element's name without a namespace prefix ("s3:Key" -> "Key").
std::string_view local_name(const pugi::xml_node& node) {
  const std::string_view name = node.name();
  const size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  }
  return {};
}

std::string text_of(const pugi::xml_node& node, std::string_view name) {
  return child(node, name).text().as_string();
}

// Parses `body` and returns its root element if it is `root`; an empty node otherwise.
pugi::xml_node parse_root(pugi::xml_document& doc, std::string_view body, std::string_view root) {
  if (body.empty()) return {};
  // Keep a whitespace-only text node (a key of spaces) instead of dropping it.
  const pugi::xml_parse_result ok =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default | pugi::parse_ws_pcdata_single);
  if (!ok) return {};
  const pugi::xml_node element = doc.document_element();
  return local_name(element) == root ? element : pugi::xml_node();
}

Status not_s3_xml(std::string_view expected) {
  return transient(
      fmt::format("the answer was not S3 XML (expected <{}>): a proxy or a "
                  "failing server answered instead of S3",
                  expected));
}

ObjectInfo parse_listed_object(const pugi::xml_node& node, bool url_encoded) {
  ObjectInfo info;
  const std::string key = text_of(node, "Key");
  info.key = url_encoded ? uri_decode(key, true) : key;
  info.size = child(node, "Size").text().as_ullong();
  info.etag = strip_etag_quotes(text_of(node, "ETag"));
  info.last_modified = parse_timestamp(text_of(node, "LastModified")).value_or(SystemTime{});
  info.version_id = text_of(node, "VersionId");
  return info;
}

VersionEntry parse_version_entry(const pugi::xml_node& node, bool url_encoded) {
  VersionEntry entry;
  const std::string key = text_of(node, "Key");
  entry.key = url_encoded ? uri_decode(key, true) : key;
  ObjectVersion& v = entry.version;
  v.version_id = text_of(node, "VersionId");
  v.is_latest = child(node, "IsLatest").text().as_bool();
  v.last_modified = parse_timestamp(text_of(node, "LastModified")).value_or(SystemTime{});
  v.delete_marker = local_name(node) == "DeleteMarker";
  if (!v.delete_marker) {
    v.etag = strip_etag_quotes(text_of(node, "ETag"));
    v.size = child(node, "Size").text().as_ullong();
  }
  return entry;
}

}  // namespace

std::optional<ErrorBody> parse_error(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = parse_root(doc, body, "Error");
  if (!root) return std::nullopt;
  ErrorBody error;
  error.code = text_of(root, "Code");
  error.message = text_of(root, "Message");
  error.request_id = text_of(root, "RequestId");
  error.bucket_name = text_of(root, "BucketName");
  if (const pugi::xml_node size = child(root, "ActualObjectSize")) {
    error.actual_object_size = size.text().as_ullong();
  }
  if (error.code.empty()) return std::nullopt;
  return error;
}

Result<ListPage> parse_list_page(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = parse_root(doc, body, "ListBucketResult");
  if (!root) return not_s3_xml("ListBucketResult");
  const bool url_encoded = text_of(root, "EncodingType") == "url";
  ListPage page;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (local_name(c) == "Contents") {
      page.objects.push_back(parse_listed_object(c, url_encoded));
    } else if (local_name(c) == "CommonPrefixes") {
      const std::string prefix = text_of(c, "Prefix");
      page.common_prefixes.push_back(url_encoded ? uri_decode(prefix, true) : prefix);
    }
  }
  if (child(root, "IsTruncated").text().as_bool()) {
    page.next_token = text_of(root, "NextContinuationToken");
    if (page.next_token.empty()) {
      return transient("the list page says it is truncated but has no continuation token");
    }
  }
  return page;
}

Result<VersionListing> parse_version_listing(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = parse_root(doc, body, "ListVersionsResult");
  if (!root) {
    pugi::xml_document other;
    if (parse_root(other, body, "ListBucketResult")) {
      return Status::error(ErrorKind::kUnsupported,
                           "the server does not list object versions (it ignored ?versions)");
    }
    return not_s3_xml("ListVersionsResult");
  }
  const bool url_encoded = text_of(root, "EncodingType") == "url";
  VersionListing out;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (local_name(c) == "Version" || local_name(c) == "DeleteMarker") {
      out.entries.push_back(parse_version_entry(c, url_encoded));
    }
  }
  out.truncated = child(root, "IsTruncated").text().as_bool();
  const std::string marker = text_of(root, "NextKeyMarker");
  out.next_key_marker = url_encoded ? uri_decode(marker, true) : marker;
  out.next_version_id_marker = text_of(root, "NextVersionIdMarker");
  if (out.truncated && out.next_key_marker.empty()) {
    return transient("the version list says it is truncated but has no next key marker");
  }
  return out;
}

Result<UploadPage> parse_upload_page(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = parse_root(doc, body, "ListMultipartUploadsResult");
  if (!root) return not_s3_xml("ListMultipartUploadsResult");
  const bool url_encoded = text_of(root, "EncodingType") == "url";
  UploadPage out;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (local_name(c) != "Upload") continue;
    const std::string key = text_of(c, "Key");
    out.uploads.push_back(
        {.key = url_encoded ? uri_decode(key, true) : key,
         .upload_id = text_of(c, "UploadId"),
         .initiated = parse_timestamp(text_of(c, "Initiated")).value_or(SystemTime{})});
  }
  out.truncated = child(root, "IsTruncated").text().as_bool();
  const std::string marker = text_of(root, "NextKeyMarker");
  out.next_key_marker = url_encoded ? uri_decode(marker, true) : marker;
  out.next_upload_id_marker = text_of(root, "NextUploadIdMarker");
  if (out.truncated && out.next_key_marker.empty()) {
    return transient("the upload list says it is truncated but has no next key marker");
  }
  return out;
}

Result<std::string> parse_upload_id(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = parse_root(doc, body, "InitiateMultipartUploadResult");
  if (!root) return not_s3_xml("InitiateMultipartUploadResult");
  std::string upload_id = text_of(root, "UploadId");
  if (upload_id.empty()) return transient("the server started a multipart upload without an id");
  return upload_id;
}

Result<CopyResult> parse_copy_result(std::string_view body) {
  pugi::xml_document doc;
  pugi::xml_node root = parse_root(doc, body, "CopyObjectResult");
  if (!root) root = parse_root(doc, body, "CopyPartResult");
  if (!root) return not_s3_xml("CopyObjectResult");
  CopyResult result;
  result.etag = strip_etag_quotes(text_of(root, "ETag"));
  result.last_modified = parse_timestamp(text_of(root, "LastModified")).value_or(SystemTime{});
  if (result.etag.empty()) return transient("the copy result has no ETag");
  return result;
}

Result<std::string> parse_complete_result(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = parse_root(doc, body, "CompleteMultipartUploadResult");
  if (!root) return not_s3_xml("CompleteMultipartUploadResult");
  std::string etag = strip_etag_quotes(text_of(root, "ETag"));
  if (etag.empty()) return transient("the completed multipart upload has no ETag");
  return etag;
}

Result<std::vector<DeleteError>> parse_delete_result(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = parse_root(doc, body, "DeleteResult");
  if (!root) return not_s3_xml("DeleteResult");
  std::vector<DeleteError> errors;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (local_name(c) != "Error") continue;
    errors.push_back({text_of(c, "Key"), text_of(c, "Code"), text_of(c, "Message")});
  }
  return errors;
}

std::string delete_request(std::span<const std::string> keys) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("Delete");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  root.append_child("Quiet").text() = "true";
  for (const std::string& key : keys) {
    root.append_child("Object").append_child("Key").text() = key.c_str();
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.str();
}

std::string complete_request(std::span<const CompletedPart> parts) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (const CompletedPart& part : parts) {
    pugi::xml_node p = root.append_child("Part");
    p.append_child("PartNumber").text() = part.number;
    p.append_child("ETag").text() = fmt::format("\"{}\"", strip_etag_quotes(part.etag)).c_str();
  }
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw | pugi::format_no_declaration);
  return out.str();
}

bool xml_can_carry(std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;  // even \t \n \r: servers normalise them
  }
  return true;
}

std::string strip_etag_quotes(std::string_view etag) {
  std::string_view e = trim(etag);
  if (e.starts_with("W/")) e.remove_prefix(2);
  if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
  // Some servers send XML-escaped quotes that survive one level of decoding.
  if (e.starts_with("&quot;") && e.ends_with("&quot;") && e.size() >= 12) {
    e = e.substr(6, e.size() - 12);
  }
  return std::string(e);
}

}  // namespace autosync::backends::s3
