// Parsing the service's XML: List Blobs pages and error answers; building block lists.
#include "backends/azure/blob_xml.h"

#include <catch2/catch.hpp>

namespace autosync::backends::azure {
namespace {

constexpr std::string_view kListPage = R"(<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="photos">
  <Prefix>dir/</Prefix>
  <MaxResults>3</MaxResults>
  <Delimiter>/</Delimiter>
  <Blobs>
    <Blob>
      <Name>dir/a &amp; b.txt</Name>
      <Properties>
        <Creation-Time>Mon, 02 Jan 2023 03:04:05 GMT</Creation-Time>
        <Last-Modified>Mon, 02 Jan 2023 03:04:06 GMT</Last-Modified>
        <Etag>0x8DAEC6A2B3C4D5E</Etag>
        <Content-Length>11</Content-Length>
        <Content-Type>text/plain</Content-Type>
        <BlobType>BlockBlob</BlobType>
      </Properties>
    </Blob>
    <BlobPrefix><Name>dir/sub/</Name></BlobPrefix>
    <Blob>
      <Name Encoded="true">dir/%EF%BF%BEodd</Name>
      <Properties>
        <Last-Modified>Mon, 02 Jan 2023 03:04:07 GMT</Last-Modified>
        <Etag>"0x8DAEC6A2B3C4D5F"</Etag>
        <Content-Length>0</Content-Length>
      </Properties>
    </Blob>
  </Blobs>
  <NextMarker>2!72!MDAwMDE0IWRpci9zdWIvZmlsZSEwMDAwMjgh</NextMarker>
</EnumerationResults>)";

TEST_CASE("a List Blobs page gives objects, prefixes and the next marker") {
  auto page = parse_list_blobs(kListPage);
  REQUIRE(page.is_ok());
  REQUIRE(page->objects.size() == 2);
  const ObjectInfo& first = page->objects[0];
  CHECK(first.key == "dir/a & b.txt");
  CHECK(first.size == 11);
  CHECK(first.etag == "0x8DAEC6A2B3C4D5E");
  CHECK(first.content_type == "text/plain");
  CHECK(first.last_modified == parse_timestamp("Mon, 02 Jan 2023 03:04:06 GMT").value());
  CHECK(first.metadata.empty());
  CHECK(page->objects[1].key == "dir/\xEF\xBF\xBEodd");  // Encoded="true" names are decoded
  CHECK(page->objects[1].etag == "0x8DAEC6A2B3C4D5F");   // quotes stripped
  CHECK(page->objects[1].size == 0);
  CHECK(page->common_prefixes == std::vector<std::string>{"dir/sub/"});
  CHECK(page->next_token == "2!72!MDAwMDE0IWRpci9zdWIvZmlsZSEwMDAwMjgh");
}

TEST_CASE("the last List Blobs page has an empty next marker") {
  auto page = parse_list_blobs(
      R"(<?xml version="1.0"?><EnumerationResults><Blobs/><NextMarker/></EnumerationResults>)");
  REQUIRE(page.is_ok());
  CHECK(page->objects.empty());
  CHECK(page->common_prefixes.empty());
  CHECK(page->next_token.empty());
}

TEST_CASE("answers that are not List Blobs XML are transient errors") {
  for (std::string_view body :
       {std::string_view("<html><body>Bad gateway</body></html>"), std::string_view("not xml <"),
        std::string_view("<EnumerationResults><Blobs><Blob><Name>x</Name></Blob></Blobs>"
                         "</EnumerationResults>")}) {
    auto page = parse_list_blobs(body);
    REQUIRE(page.status().is(ErrorKind::kTransient));
    CHECK(page.status().message().find("not Azure XML") != std::string::npos);
  }
}

TEST_CASE("error bodies give the code and the first line of the message") {
  auto error = parse_error_body(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code>"
      "<Message>The specified blob does not exist.\nRequestId:42\nTime:2023-01-02T03:04:05Z"
      "</Message></Error>");
  REQUIRE(error.has_value());
  CHECK(error->code == "BlobNotFound");
  CHECK(error->message == "The specified blob does not exist.");
  CHECK_FALSE(parse_error_body("<html>nope</html>").has_value());
  CHECK_FALSE(parse_error_body("").has_value());
}

TEST_CASE("block lists name every block as Latest, in order") {
  const std::vector<std::string> ids = {"QUFB", "QkJC"};
  CHECK(block_list_xml(ids) ==
        R"(<?xml version="1.0" encoding="utf-8"?><BlockList><Latest>QUFB</Latest>)"
        R"(<Latest>QkJC</Latest></BlockList>)");
}

TEST_CASE("ETags lose their quotes") {
  CHECK(strip_etag_quotes("\"0x8D\"") == "0x8D");
  CHECK(strip_etag_quotes("0x8D") == "0x8D");
  CHECK(strip_etag_quotes("W/\"0x8D\"") == "0x8D");
}

}  // namespace
// A List Blobs page with include=versions, as the Blob service REST reference describes it
// (written for this test): two versions of one blob, oldest first, the newer one current.
constexpr std::string_view kVersionsPage = R"(<?xml version="1.0" encoding="utf-8"?>
<EnumerationResults ServiceEndpoint="https://acct.blob.core.windows.net/" ContainerName="c">
  <Prefix>notes.txt</Prefix>
  <Blobs>
    <Blob>
      <Name>notes.txt</Name>
      <VersionId>2024-01-02T03:04:05.1234567Z</VersionId>
      <Properties>
        <Last-Modified>Tue, 02 Jan 2024 03:04:05 GMT</Last-Modified>
        <Etag>0x8DC0000000000A1</Etag><Content-Length>12</Content-Length>
      </Properties>
    </Blob>
    <Blob>
      <Name>notes.txt</Name>
      <VersionId>2024-01-03T03:04:05.7654321Z</VersionId>
      <IsCurrentVersion>true</IsCurrentVersion>
      <Properties>
        <Last-Modified>Wed, 03 Jan 2024 03:04:05 GMT</Last-Modified>
        <Etag>"0x8DC0000000000B2"</Etag><Content-Length>6</Content-Length>
      </Properties>
    </Blob>
  </Blobs>
  <NextMarker/>
</EnumerationResults>)";

TEST_CASE("a List Blobs page with versions gives each version and the current one") {
  auto page = parse_blob_versions(kVersionsPage);
  REQUIRE(page.is_ok());
  CHECK_FALSE(page->unversioned);
  REQUIRE(page->entries.size() == 2);
  CHECK(page->entries[0].key == "notes.txt");
  CHECK(page->entries[0].version.version_id == "2024-01-02T03:04:05.1234567Z");
  CHECK_FALSE(page->entries[0].version.is_latest);
  CHECK(page->entries[0].version.size == 12);
  CHECK(page->entries[1].version.is_latest);
  CHECK(page->entries[1].version.etag == "0x8DC0000000000B2");
  CHECK(page->next_marker.empty());
}

TEST_CASE("a List Blobs page without version ids means the account keeps none") {
  auto page = parse_blob_versions(kListPage);
  REQUIRE(page.is_ok());
  CHECK(page->unversioned);
  CHECK(page->next_marker == "2!72!MDAwMDE0IWRpci9zdWIvZmlsZSEwMDAwMjgh");
}

}  // namespace autosync::backends::azure
