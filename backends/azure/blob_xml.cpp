#include "backends/azure/blob_xml.h"

#include <charconv>
#include <pugixml.hpp>

#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

constexpr std::string_view kNotAzureXml = "the answer was not Azure XML";

bool load(pugi::xml_document& doc, std::string_view body) {
  return doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
}

std::optional<uint64_t> to_u64(std::string_view text) {
  uint64_t value = 0;
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (err != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// <Name>, decoded when the service escaped characters XML cannot carry (Encoded="true").
std::string entry_name(const pugi::xml_node& entry) {
  const pugi::xml_node name = entry.child("Name");
  std::string text = name.text().as_string();
  if (name.attribute("Encoded").as_bool()) text = uri_decode(text, false);
  return text;
}

Result<ObjectInfo> parse_blob(const pugi::xml_node& blob) {
  ObjectInfo info;
  info.key = entry_name(blob);
  const pugi::xml_node props = blob.child("Properties");
  const auto size = to_u64(props.child("Content-Length").text().as_string());
  if (info.key.empty() || !size) {
    return transient("a <Blob> entry without name or size: the answer was not Azure XML");
  }
  info.size = *size;
  info.etag = strip_etag_quotes(props.child("Etag").text().as_string());
  info.content_type = props.child("Content-Type").text().as_string();
  info.version_id = blob.child("VersionId").text().as_string();
  if (auto when = parse_timestamp(props.child("Last-Modified").text().as_string())) {
    info.last_modified = *when;
  }
  return info;
}

}  // namespace

std::optional<AzureErrorBody> parse_error_body(std::string_view body) {
  pugi::xml_document doc;
  if (!load(doc, body)) return std::nullopt;
  const pugi::xml_node error = doc.child("Error");
  if (!error) return std::nullopt;
  AzureErrorBody out;
  out.code = trim(error.child("Code").text().as_string());
  const std::string_view message = trim(error.child("Message").text().as_string());
  out.message = std::string(trim(message.substr(0, message.find('\n'))));
  if (out.code.empty()) return std::nullopt;
  return out;
}

Result<ListPage> parse_list_blobs(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = load(doc, body) ? doc.child("EnumerationResults") : pugi::xml_node();
  if (!root) return transient(std::string(kNotAzureXml));
  ListPage page;
  for (const pugi::xml_node entry : root.child("Blobs").children()) {
    const std::string_view kind = entry.name();
    if (kind == "Blob") {
      AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo info, parse_blob(entry));
      page.objects.push_back(std::move(info));
    } else if (kind == "BlobPrefix") {
      page.common_prefixes.push_back(entry_name(entry));
    }
  }
  page.next_token = root.child("NextMarker").text().as_string();
  return page;
}

Result<BlobVersionPage> parse_blob_versions(std::string_view body) {
  pugi::xml_document doc;
  const pugi::xml_node root = load(doc, body) ? doc.child("EnumerationResults") : pugi::xml_node();
  if (!root) return transient(std::string(kNotAzureXml));
  BlobVersionPage page;
  for (const pugi::xml_node entry : root.child("Blobs").children("Blob")) {
    AUTOSYNC_ASSIGN_OR_RETURN(ObjectInfo info, parse_blob(entry));
    if (info.version_id.empty()) page.unversioned = true;
    page.entries.push_back(
        {.key = info.key,
         .version = ObjectVersion{.version_id = info.version_id,
                                  .etag = info.etag,
                                  .size = info.size,
                                  .last_modified = info.last_modified,
                                  .is_latest = entry.child("IsCurrentVersion").text().as_bool(),
                                  .delete_marker = false}});
  }
  page.next_marker = root.child("NextMarker").text().as_string();
  return page;
}

std::string block_list_xml(std::span<const std::string> block_ids) {
  std::string out = R"(<?xml version="1.0" encoding="utf-8"?><BlockList>)";
  for (const std::string& id : block_ids) {
    out += "<Latest>";
    out += id;  // base64: no character needs XML escaping
    out += "</Latest>";
  }
  out += "</BlockList>";
  return out;
}

std::string strip_etag_quotes(std::string_view etag) {
  etag = trim(etag);
  if (etag.starts_with("W/")) etag.remove_prefix(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace autosync::backends::azure
