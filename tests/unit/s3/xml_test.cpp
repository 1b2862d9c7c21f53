// The S3 XML documents: list pages (URL-encoded or raw), error bodies, copy and multipart
// results (including "200 OK" answers that carry an <Error>), batch-delete results, and the
// request bodies this backend writes.
#include <catch2/catch.hpp>

#include "backends/s3/s3_errors.h"
#include "backends/s3/s3_xml.h"

namespace autosync::backends::s3 {
namespace {

constexpr std::string_view kEncodedPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>dir%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <Delimiter>%2F</Delimiter><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
  <Contents>
    <Key>dir%2Fa+b%2Bc%25.txt</Key><LastModified>2024-03-01T12:34:56.000Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Contents>
  <Contents>
    <Key>dir%2F%E6%97%A5%0A</Key><LastModified>2024-03-02T00:00:00Z</LastModified>
    <ETag>"abc-2"</ETag><Size>0</Size>
  </Contents>
  <CommonPrefixes><Prefix>dir%2Fsub+dir%2F</Prefix></CommonPrefixes>
</ListBucketResult>)";

// s3rver ignores encoding-type: keys arrive raw and must not be decoded.
constexpr std::string_view kRawPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://doc.s3.amazonaws.com/2006-03-01/"><Name>b</Name><Prefix></Prefix>
<KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>
<Contents><Key>a+b %2B &amp; c</Key><LastModified>2024-03-01T12:34:56.000Z</LastModified>
<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>7</Size></Contents>
<CommonPrefixes><Prefix>x+y/</Prefix></CommonPrefixes></ListBucketResult>)";

http::HttpResponse answer(int status, std::string body) {
  http::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

}  // namespace

TEST_CASE("list pages decode URL-encoded keys and prefixes", "[s3xml]") {
  const auto page = parse_list_page(kEncodedPage);
  REQUIRE(page.is_ok());
  REQUIRE(page->objects.size() == 2);
  CHECK(page->objects[0].key == "dir/a b+c%.txt");
  CHECK(page->objects[0].size == 434234);
  CHECK(page->objects[0].etag == "9b2cf535f27731c974343645a3985328");
  CHECK(page->objects[0].last_modified == *parse_timestamp("2024-03-01T12:34:56Z"));
  CHECK(page->objects[1].key == "dir/\xE6\x97\xA5\n");
  CHECK(page->objects[1].etag == "abc-2");
  REQUIRE(page->common_prefixes.size() == 1);
  CHECK(page->common_prefixes[0] == "dir/sub dir/");
  CHECK(page->next_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST_CASE("list pages from servers that ignore encoding-type keep keys raw", "[s3xml]") {
  const auto page = parse_list_page(kRawPage);
  REQUIRE(page.is_ok());
  REQUIRE(page->objects.size() == 1);
  CHECK(page->objects[0].key == "a+b %2B & c");
  CHECK(page->common_prefixes == std::vector<std::string>{"x+y/"});
  CHECK(page->next_token.empty());
}

TEST_CASE("list pages that are not S3 XML are transient errors", "[s3xml]") {
  for (std::string_view body : {std::string_view("<html><body>502 Bad Gateway</body></html>"),
                                std::string_view("not xml at all"), std::string_view(""),
                                std::string_view("<ListBucketResult><IsTruncated>true"
                                                 "</IsTruncated></ListBucketResult>")}) {
    const auto page = parse_list_page(body);
    INFO(body);
    REQUIRE_FALSE(page.is_ok());
    CHECK(page.status().kind() == ErrorKind::kTransient);
  }
  CHECK_THAT(parse_list_page("<html/>").status().message(), Catch::Contains("not S3 XML"));
}

TEST_CASE("error bodies parse code, message, request id and details", "[s3xml]") {
  const auto error = parse_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
      "<Message>The specified bucket does not exist</Message><BucketName>gone</BucketName>"
      "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  REQUIRE(error.has_value());
  CHECK(error->code == "NoSuchBucket");
  CHECK(error->message == "The specified bucket does not exist");
  CHECK(error->bucket_name == "gone");
  CHECK(error->request_id == "4442587FB7D0A2F9");
  const auto range = parse_error(
      "<Error><Code>InvalidRange</Code><Message>m</Message>"
      "<ActualObjectSize>42</ActualObjectSize></Error>");
  REQUIRE(range.has_value());
  CHECK(range->actual_object_size == 42u);
  CHECK_FALSE(parse_error("<html>Error</html>").has_value());
  CHECK_FALSE(parse_error("").has_value());
}

TEST_CASE("copy and complete results, and their 200-with-error answers", "[s3xml]") {
  const auto copied = parse_copy_result(
      "<CopyObjectResult><LastModified>2009-10-12T17:50:30.000Z</LastModified>"
      "<ETag>\"9b2cf535f27731c974343645a3985328\"</ETag></CopyObjectResult>");
  REQUIRE(copied.is_ok());
  CHECK(copied->etag == "9b2cf535f27731c974343645a3985328");
  CHECK(parse_copy_result("<CopyPartResult><ETag>\"p1\"</ETag></CopyPartResult>")->etag == "p1");
  const auto completed = parse_complete_result(
      "<CompleteMultipartUploadResult><Location>http://x/b/k</Location><Bucket>b</Bucket>"
      "<Key>k</Key><ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag>"
      "</CompleteMultipartUploadResult>");
  REQUIRE(completed.is_ok());
  CHECK(*completed == "3858f62230ac3c915f300c664312c11f-9");

  const std::string failed_mid_way =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\n<Error><Code>InternalError</Code>"
      "<Message>We encountered an internal error. Please try again.</Message>"
      "<RequestId>656c76696e6727732072657175657374</RequestId></Error>";
  const Status copy_error = embedded_error(answer(200, failed_mid_way), "b");
  CHECK(copy_error.kind() == ErrorKind::kTransient);
  CHECK(copy_error.server_code() == "InternalError");
  CHECK(copy_error.request_id() == "656c76696e6727732072657175657374");
  CHECK(copy_error.http_status() == 200);
  const Status slow = embedded_error(
      answer(200, "<Error><Code>SlowDown</Code><Message>Reduce</Message></Error>"), "b");
  CHECK(slow.kind() == ErrorKind::kThrottled);
  const Status odd = embedded_error(
      answer(200, "<Error><Code>SomethingNew</Code><Message>?</Message></Error>"), "b");
  CHECK(odd.kind() == ErrorKind::kTransient);
  CHECK(embedded_error(answer(200, "<CopyObjectResult/>"), "b").is_ok());
  CHECK_FALSE(parse_copy_result(failed_mid_way).is_ok());
  CHECK_FALSE(parse_complete_result(failed_mid_way).is_ok());
}

TEST_CASE("upload ids and batch-delete results parse", "[s3xml]") {
  CHECK(*parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
                         "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>") ==
        "VXBsb2FkIElE");
  CHECK_FALSE(parse_upload_id("<InitiateMultipartUploadResult/>").is_ok());
  const auto errors = parse_delete_result(
      "<DeleteResult><Deleted><Key>ok</Key></Deleted><Error><Key>a &amp; b</Key>"
      "<Code>AccessDenied</Code><Message>Access Denied</Message></Error></DeleteResult>");
  REQUIRE(errors.is_ok());
  REQUIRE(errors->size() == 1);
  CHECK((*errors)[0].key == "a & b");
  CHECK((*errors)[0].code == "AccessDenied");
}

TEST_CASE("request bodies escape keys and quote ETags", "[s3xml]") {
  const std::vector<std::string> keys{"a<b>&c", "plain"};
  CHECK(delete_request(keys) ==
        "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        "<Object><Key>a&lt;b&gt;&amp;c</Key></Object><Object><Key>plain</Key></Object>"
        "</Delete>");
  const std::vector<CompletedPart> parts{{1, "etag1"}, {2, "\"etag2\""}};
  CHECK(complete_request(parts) ==
        "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        "<Part><PartNumber>1</PartNumber><ETag>\"etag1\"</ETag></Part>"
        "<Part><PartNumber>2</PartNumber><ETag>\"etag2\"</ETag></Part>"
        "</CompleteMultipartUpload>");
  CHECK(xml_can_carry("any key ключ & <stuff>"));
  CHECK_FALSE(xml_can_carry(std::string("nul\0key", 7)));
  CHECK_FALSE(xml_can_carry("line\nbreak"));
}

TEST_CASE("etags lose their quotes and weak markers", "[s3xml]") {
  CHECK(strip_etag_quotes("\"abc\"") == "abc");
  CHECK(strip_etag_quotes("W/\"abc\"") == "abc");
  CHECK(strip_etag_quotes("abc") == "abc");
  CHECK(strip_etag_quotes("&quot;abc&quot;") == "abc");
  CHECK(strip_etag_quotes("") == "");
}

// A ListObjectVersions answer as the S3 API reference describes it (written for this test):
// a delete marker and versions of one key, then a longer key the prefix also matched.
constexpr std::string_view kVersionsPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>dir%2Fmy+photo.jpg</Prefix><KeyMarker></KeyMarker>
  <VersionIdMarker></VersionIdMarker><MaxKeys>3</MaxKeys><EncodingType>url</EncodingType>
  <IsTruncated>true</IsTruncated><NextKeyMarker>dir%2Fmy+photo.jpg</NextKeyMarker>
  <NextVersionIdMarker>3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</NextVersionIdMarker>
  <DeleteMarker>
    <Key>dir%2Fmy+photo.jpg</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>
    <LastModified>2024-03-03T10:00:00.000Z</LastModified>
    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID></Owner>
  </DeleteMarker>
  <Version>
    <Key>dir%2Fmy+photo.jpg</Key><VersionId>3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY</VersionId>
    <IsLatest>false</IsLatest><LastModified>2024-03-02T10:00:00.000Z</LastModified>
    <ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>
    <StorageClass>STANDARD</StorageClass>
  </Version>
  <Version>
    <Key>dir%2Fmy+photo.jpg.bak</Key><VersionId>QUpfdndhfd8438MNFDN93jdnJFkdmqnh893</VersionId>
    <IsLatest>true</IsLatest><LastModified>2024-03-01T10:00:00.000Z</LastModified>
    <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>166047</Size>
  </Version>
</ListVersionsResult>)";

TEST_CASE("version listings keep document order, delete markers and decoded keys", "[s3xml]") {
  auto listing = parse_version_listing(kVersionsPage);
  REQUIRE(listing.is_ok());
  REQUIRE(listing->entries.size() == 3);
  const auto& marker = listing->entries[0];
  CHECK(marker.key == "dir/my photo.jpg");
  CHECK(marker.version.delete_marker);
  CHECK(marker.version.is_latest);
  CHECK(marker.version.version_id == "null");
  CHECK(marker.version.etag.empty());
  const auto& older = listing->entries[1].version;
  CHECK(older.version_id == "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
  CHECK_FALSE(older.is_latest);
  CHECK_FALSE(older.delete_marker);
  CHECK(older.etag == "fba9dede5f27731c9771645a39863328");
  CHECK(older.size == 434234);
  CHECK(older.last_modified < marker.version.last_modified);
  CHECK(listing->entries[2].key == "dir/my photo.jpg.bak");
  CHECK(listing->truncated);
  CHECK(listing->next_key_marker == "dir/my photo.jpg");
  CHECK(listing->next_version_id_marker == "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY");
}

TEST_CASE("a plain listing where versions were asked means no versions", "[s3xml]") {
  auto listing = parse_version_listing(kEncodedPage);  // what s3rver answers to ?versions
  REQUIRE_FALSE(listing.is_ok());
  CHECK(listing.status().is(ErrorKind::kUnsupported));
  auto html = parse_version_listing("<html><body>proxy</body></html>");
  REQUIRE_FALSE(html.is_ok());
  CHECK(html.status().is(ErrorKind::kTransient));
  auto no_marker = parse_version_listing(
      "<ListVersionsResult><IsTruncated>true</IsTruncated></ListVersionsResult>");
  REQUIRE_FALSE(no_marker.is_ok());
  CHECK(no_marker.status().is(ErrorKind::kTransient));
}

// ListMultipartUploads' answer as AWS documents it (the example of the API reference, with
// EncodingType url added and the owner elements shortened).
constexpr std::string_view kUploadsPage = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <EncodingType>url</EncodingType>
  <MaxUploads>3</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator>
      <ID>arn:aws:iam::111122223333:user/user1-11111a31-17b5-4fb7-9df5-b111111f13de</ID>
      <DisplayName>user1-11111a31-17b5-4fb7-9df5-b111111f13de</DisplayName>
    </Initiator>
    <Owner><ID>75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a</ID>
      <DisplayName>OwnerDisplayName</DisplayName></Owner>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my+movie.m2ts</Key>
    <UploadId>VXBsb2FkIElEIGZvciBlbHZpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</UploadId>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2008-11-10T20:48:34.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>)";

TEST_CASE("an upload listing keeps each upload's key, id and start time", "[s3xml]") {
  auto page = parse_upload_page(kUploadsPage);
  REQUIRE(page.is_ok());
  REQUIRE(page->uploads.size() == 3);
  CHECK(page->uploads[0].key == "my-divisor");
  CHECK(page->uploads[0].upload_id == "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  CHECK(page->uploads[0].initiated == *parse_timestamp("2010-11-10T20:48:33.000Z"));
  CHECK(page->uploads[1].key == "my movie.m2ts");  // URL-decoded
  CHECK(page->uploads[2].initiated < page->uploads[1].initiated);
  CHECK(page->truncated);
  CHECK(page->next_key_marker == "my-movie.m2ts");
  CHECK(page->next_upload_id_marker == "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");

  auto empty = parse_upload_page(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>");
  REQUIRE(empty.is_ok());
  CHECK(empty->uploads.empty());
  CHECK_FALSE(empty->truncated);
}

TEST_CASE("an upload listing that is not one, or truncated without a marker, is transient",
          "[s3xml]") {
  auto listing = parse_upload_page(kEncodedPage);  // a ListBucketResult
  REQUIRE_FALSE(listing.is_ok());
  CHECK(listing.status().is(ErrorKind::kTransient));
  auto no_marker = parse_upload_page(
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>");
  REQUIRE_FALSE(no_marker.is_ok());
  CHECK(no_marker.status().is(ErrorKind::kTransient));
}

}  // namespace autosync::backends::s3
