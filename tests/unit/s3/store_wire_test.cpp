// The store on the wire, against a scripted fake server: what each request carries (path
// encoding, signature, payload hash, metadata, session token), and how scripted answers
// (416, "200 OK" with an <Error>, HTML from a proxy) come back as results.
#include <algorithm>
#include <catch2/catch.hpp>
#include <mutex>
#include <vector>

#include "backends/s3/s3_store.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"
#include "tests/support/fake_http_server.h"

namespace autosync::backends::s3 {
namespace {

using testing::FakeHttpServer;

// Records every request head and answers from a script keyed by the request's method.
class ScriptedServer {
 public:
  using Answer = std::function<std::string(const std::string& head)>;
  explicit ScriptedServer(Answer answer)
      : server_([this, answer = std::move(answer)](const std::string& head) {
          std::lock_guard lock(mu_);
          heads_.push_back(head);
          return answer(head);
        }) {}
  std::vector<std::string> heads() {
    std::lock_guard lock(mu_);
    return heads_;
  }
  std::string endpoint() const { return server_.endpoint(); }

 private:
  std::mutex mu_;
  std::vector<std::string> heads_;  // GUARDED_BY(mu_)
  FakeHttpServer server_;
};

std::string http(int status, std::string_view headers, std::string_view body = "") {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
         std::string(headers) + "\r\n" + std::string(body);
}

std::unique_ptr<ObjectStore> store_at(const std::string& endpoint, std::string token = "",
                                      uint64_t copy_threshold = 5ULL << 30,
                                      PayloadSigning signing = PayloadSigning::kAuto) {
  S3Config config;
  config.payload_signing = signing;
  config.multipart_copy_threshold = copy_threshold;
  config.copy_part_size = 5ULL << 20;
  config.bucket = "bkt";
  config.preset = Preset::kMinio;
  config.endpoint = endpoint;
  config.credentials = Credentials{"AKID", "SECRET", std::move(token)};
  auto resolved = resolve(config, [](std::string_view) { return std::optional<std::string>(); });
  REQUIRE(resolved.is_ok());
  auto store = open_store(*resolved);
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

bool has_line(const std::string& head, const std::string& line) {
  return to_lower(head).find(to_lower("\r\n" + line + "\r\n")) != std::string::npos ||
         to_lower(head).ends_with(to_lower("\r\n" + line));
}

}  // namespace

TEST_CASE("a get sends an encoded path, a signature and the empty payload hash", "[s3wire]") {
  ScriptedServer server([](const std::string&) {
    return http(200, "ETag: \"e1\"\r\nx-amz-meta-mode: 644\r\n", "hi");
  });
  auto store = store_at(server.endpoint());
  BufferSink sink;
  const auto info = store->get("dir/a b+c#?.txt", {}, sink);
  REQUIRE(info.is_ok());
  CHECK(sink.data() == "hi");
  CHECK(info->etag == "e1");
  CHECK(info->metadata == UserMetadata{{"mode", "644"}});
  const std::string head = server.heads().at(0);
  CHECK(head.starts_with("GET /bkt/dir/a%20b%2Bc%23%3F.txt HTTP/1.1\r\n"));
  CHECK(has_line(head, "x-amz-content-sha256: " + to_hex(sha256(""))));
  CHECK_THAT(head, Catch::Contains("authorization: AWS4-HMAC-SHA256 Credential=AKID/",
                                   Catch::CaseSensitive::No));
  CHECK_THAT(head, Catch::Contains("/us-east-1/s3/aws4_request,SignedHeaders=host;"));
  CHECK_THAT(head, Catch::Contains("x-amz-date: "));
  CHECK(head.find("SECRET") == std::string::npos);
}

TEST_CASE("a put sends the body's hash, its type, metadata and the session token", "[s3wire]") {
  ScriptedServer server([](const std::string&) { return http(200, "ETag: \"e2\"\r\n"); });
  auto store = store_at(server.endpoint(), "SESSION");
  PutOptions options;
  options.metadata = {{"mode", "33188"}};
  options.content_type = "text/plain";
  options.conditions.if_none_match = "*";
  const auto info = store->put("k", BufferSource("payload"), options);
  REQUIRE(info.is_ok());
  CHECK(info->size == 7);
  CHECK(info->etag == "e2");
  const std::string head = server.heads().at(0);
  CHECK(head.starts_with("PUT /bkt/k HTTP/1.1\r\n"));
  CHECK(has_line(head, "x-amz-content-sha256: " + to_hex(sha256("payload"))));
  CHECK(has_line(head, "content-type: text/plain"));
  CHECK(has_line(head, "x-amz-meta-mode: 33188"));
  CHECK(has_line(head, "if-none-match: *"));
  CHECK(has_line(head, "x-amz-security-token: SESSION"));
  CHECK_THAT(head, Catch::Contains("x-amz-security-token,Signature="));
}

TEST_CASE("unsigned payload mode sends UNSIGNED-PAYLOAD instead of the body's hash", "[s3wire]") {
  ScriptedServer server([](const std::string&) { return http(200, "ETag: \"e3\"\r\n"); });
  auto store = store_at(server.endpoint(), "", 5ULL << 30, PayloadSigning::kUnsigned);
  REQUIRE(store->put("k", BufferSource("payload"), {}).is_ok());
  CHECK(has_line(server.heads().at(0), "x-amz-content-sha256: UNSIGNED-PAYLOAD"));
}

TEST_CASE("a range past the end is no bytes and the object's size", "[s3wire]") {
  ScriptedServer server([](const std::string& head) {
    if (head.starts_with("GET")) {
      return http(416, "Content-Type: application/xml\r\n",
                  "<Error><Code>InvalidRange</Code><Message>m</Message></Error>");
    }
    // A HEAD answer: the object's length, and no body.
    return std::string("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"e3\"\r\n\r\n");
  });
  auto store = store_at(server.endpoint());
  BufferSink sink;
  GetOptions options;
  options.range = {50, 10};
  const auto info = store->get("k", options, sink);
  REQUIRE(info.is_ok());
  CHECK(sink.data().empty());
  CHECK(info->size == 10);
  CHECK(info->etag == "e3");
  const auto heads = server.heads();
  REQUIRE(heads.size() == 2);
  CHECK(has_line(heads[0], "range: bytes=50-59"));
  CHECK(heads[1].starts_with("HEAD /bkt/k "));
}

TEST_CASE("a copy that fails after 200 OK is an error", "[s3wire]") {
  ScriptedServer server([](const std::string& head) {
    if (head.starts_with("HEAD")) return http(200, "ETag: \"src\"\r\nContent-Type: a/b\r\n");
    return http(200, "Content-Type: application/xml\r\n",
                "<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code><Message>We "
                "encountered an internal error.</Message><RequestId>R1</RequestId></Error>");
  });
  auto store = store_at(server.endpoint());
  const auto copied = store->copy("src key", "dst", {});
  REQUIRE_FALSE(copied.is_ok());
  CHECK(copied.status().kind() == ErrorKind::kTransient);
  CHECK(copied.status().server_code() == "InternalError");
  CHECK(copied.status().request_id() == "R1");
  CHECK_THAT(copied.status().message(), Catch::StartsWith("copy src key to dst: "));
  const auto heads = server.heads();
  REQUIRE(heads.size() == 2);
  CHECK(heads[1].starts_with("PUT /bkt/dst "));
  CHECK(has_line(heads[1], "x-amz-copy-source: /bkt/src%20key"));
  CHECK(has_line(heads[1], "x-amz-metadata-directive: COPY"));
}

TEST_CASE("a proxy's HTML page is a transient error that says so", "[s3wire]") {
  ScriptedServer server([](const std::string&) {
    return http(502, "Content-Type: text/html\r\n", "<html><body>Bad Gateway</body></html>");
  });
  auto store = store_at(server.endpoint());
  const auto listed = store->list({});
  REQUIRE_FALSE(listed.is_ok());
  CHECK(listed.status().kind() == ErrorKind::kTransient);
  CHECK(listed.status().http_status() == 502);
  CHECK_THAT(listed.status().message(), Catch::Contains("not S3 XML"));
  CHECK(server.heads().at(0).starts_with(
      "GET /bkt?encoding-type=url&list-type=2&max-keys=1000 HTTP/1.1"));
}

TEST_CASE("batch delete sends Content-MD5 and reports per-key errors", "[s3wire]") {
  ScriptedServer server([](const std::string&) {
    return http(200, "Content-Type: application/xml\r\n",
                "<DeleteResult><Error><Key>b</Key><Code>AccessDenied</Code><Message>no"
                "</Message></Error><Error><Key>c</Key><Code>NoSuchKey</Code></Error>"
                "</DeleteResult>");
  });
  auto store = store_at(server.endpoint());
  const std::vector<std::string> keys{"a", "b", "c"};
  const auto failed = store->remove_many(keys);
  REQUIRE(failed.is_ok());
  REQUIRE(failed->size() == 1);
  CHECK((*failed)[0].key == "b");
  CHECK((*failed)[0].status.kind() == ErrorKind::kAccessDenied);
  const std::string head = server.heads().at(0);
  CHECK(head.starts_with("POST /bkt?delete= HTTP/1.1"));
  CHECK_THAT(to_lower(head), Catch::Contains("content-md5: "));
}

TEST_CASE("a large copy goes in parts pinned to the source's version", "[s3wire]") {
  constexpr uint64_t kSize = (12ULL << 20) + 7;  // three parts of at most 5 MiB
  ScriptedServer server([](const std::string& head) {
    if (head.starts_with("HEAD")) {
      return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kSize) +
             "\r\nETag: \"src-etag\"\r\nx-amz-meta-mode: 644\r\n\r\n";
    }
    if (head.starts_with("POST /bkt/dst?uploads=")) {
      return http(200, "",
                  "<InitiateMultipartUploadResult><UploadId>UP1</UploadId>"
                  "</InitiateMultipartUploadResult>");
    }
    if (head.starts_with("PUT")) {
      return http(200, "", "<CopyPartResult><ETag>\"part\"</ETag></CopyPartResult>");
    }
    return http(200, "",
                "<CompleteMultipartUploadResult><ETag>\"whole-3\"</ETag>"
                "</CompleteMultipartUploadResult>");
  });
  auto store = store_at(server.endpoint(), "", 8ULL << 20);
  const auto copied = store->copy("src", "dst", {});
  INFO(copied.status().to_string());
  REQUIRE(copied.is_ok());
  CHECK(copied->etag == "whole-3");
  std::vector<std::string> ranges;
  for (const std::string& head : server.heads()) {
    if (!head.starts_with("PUT")) continue;
    CHECK(has_line(head, "x-amz-copy-source: /bkt/src"));
    CHECK(has_line(head, "x-amz-copy-source-if-match: \"src-etag\""));
    CHECK_THAT(head, Catch::Contains("uploadId=UP1"));
    const size_t at = to_lower(head).find("x-amz-copy-source-range: ");
    REQUIRE(at != std::string::npos);
    ranges.push_back(head.substr(at + 25, head.find("\r\n", at) - at - 25));
  }
  std::sort(ranges.begin(), ranges.end());
  CHECK(ranges == std::vector<std::string>{"bytes=0-5242879", "bytes=10485760-12582918",
                                           "bytes=5242880-10485759"});
}

TEST_CASE("list_versions asks ?versions for the key and keeps only its versions", "[s3wire]") {
  ScriptedServer server([](const std::string&) {
    return http(200, "Content-Type: application/xml\r\n", R"(<ListVersionsResult>
      <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
      <NextKeyMarker>a+b</NextKeyMarker><NextVersionIdMarker>v/1+x</NextVersionIdMarker>
      <Version><Key>a+b</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest>
        <ETag>"e2"</ETag><Size>2</Size></Version>
      <Version><Key>a+b</Key><VersionId>v/1+x</VersionId><IsLatest>false</IsLatest>
        <ETag>"e1"</ETag><Size>1</Size></Version>
      <Version><Key>a+bc</Key><VersionId>w1</VersionId><IsLatest>true</IsLatest>
        <ETag>"e3"</ETag><Size>3</Size></Version>
    </ListVersionsResult>)");
  });
  auto store = store_at(server.endpoint());
  auto page = store->list_versions("a b", "");
  REQUIRE(page.is_ok());
  REQUIRE(page->versions.size() == 2);
  CHECK(page->versions[0].version_id == "v2");
  CHECK(page->versions[0].is_latest);
  CHECK(page->versions[1].etag == "e1");
  REQUIRE_FALSE(page->next_token.empty());
  const std::string first = server.heads().at(0);
  // The canonical query: sorted, every value encoded, "versions" with an empty value.
  CHECK(first.starts_with(
      "GET /bkt?encoding-type=url&max-keys=1000&prefix=a%20b&versions= HTTP/1.1\r\n"));

  auto next = store->list_versions("a b", page->next_token);
  REQUIRE(next.is_ok());
  CHECK(server.heads().at(1).starts_with(
      "GET /bkt?encoding-type=url&key-marker=a%20b&max-keys=1000&prefix=a%20b"
      "&version-id-marker=v%2F1%2Bx&versions= HTTP/1.1\r\n"));
}

TEST_CASE("list_multipart_uploads asks ?uploads for the key, pages, keeps only its uploads",
          "[s3wire]") {
  int answers = 0;
  ScriptedServer server([&answers](const std::string&) {
    if (answers++ == 0) {
      return http(200, "Content-Type: application/xml\r\n", R"(<ListMultipartUploadsResult>
        <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
        <NextKeyMarker>a+b</NextKeyMarker><NextUploadIdMarker>u/1+x</NextUploadIdMarker>
        <Upload><Key>a+b</Key><UploadId>u/1+x</UploadId>
          <Initiated>2024-05-01T10:00:00.000Z</Initiated></Upload>
      </ListMultipartUploadsResult>)");
    }
    return http(200, "Content-Type: application/xml\r\n", R"(<ListMultipartUploadsResult>
      <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
      <NextKeyMarker>a+bc</NextKeyMarker><NextUploadIdMarker>w1</NextUploadIdMarker>
      <Upload><Key>a+b</Key><UploadId>u2</UploadId>
        <Initiated>2024-05-01T10:00:01.000Z</Initiated></Upload>
      <Upload><Key>a+bc</Key><UploadId>w1</UploadId>
        <Initiated>2024-05-01T10:00:02.000Z</Initiated></Upload>
    </ListMultipartUploadsResult>)");
  });
  auto store = store_at(server.endpoint());
  auto uploads = store->list_multipart_uploads("a b");
  INFO(uploads.status().to_string());
  REQUIRE(uploads.is_ok());
  REQUIRE(uploads->size() == 2);
  CHECK((*uploads)[0].upload_id == "u/1+x");
  CHECK((*uploads)[1].upload_id == "u2");
  CHECK((*uploads)[1].key == "a b");
  // Past "a b" the key marker moved on to a longer key: no third page.
  const auto heads = server.heads();
  REQUIRE(heads.size() == 2);
  CHECK(heads[0].starts_with(
      "GET /bkt?encoding-type=url&max-uploads=1000&prefix=a%20b&uploads= HTTP/1.1\r\n"));
  CHECK(
      heads[1].starts_with("GET /bkt?encoding-type=url&key-marker=a%20b&max-uploads=1000"
                           "&prefix=a%20b&upload-id-marker=u%2F1%2Bx&uploads= HTTP/1.1\r\n"));
}

TEST_CASE("a server without ListMultipartUploads answers kUnsupported", "[s3wire]") {
  ScriptedServer server([](const std::string&) {  // what s3rver 3.7 answers
    return http(501, "Content-Type: application/xml\r\n",
                "<Error><Code>NotImplemented</Code><Message>A parameter you provided implies "
                "functionality that is not implemented</Message></Error>");
  });
  auto store = store_at(server.endpoint());
  auto uploads = store->list_multipart_uploads("k");
  REQUIRE_FALSE(uploads.is_ok());
  CHECK(uploads.status().is(ErrorKind::kUnsupported));
}

TEST_CASE("a bucket that lists only version null keeps no versions", "[s3wire]") {
  ScriptedServer server([](const std::string&) {
    return http(200, "", R"(<ListVersionsResult><IsTruncated>false</IsTruncated>
      <Version><Key>k</Key><VersionId>null</VersionId><IsLatest>true</IsLatest>
        <ETag>"e"</ETag><Size>1</Size></Version></ListVersionsResult>)");
  });
  auto store = store_at(server.endpoint());
  auto page = store->list_versions("k", "");
  REQUIRE_FALSE(page.is_ok());
  CHECK(page.status().is(ErrorKind::kUnsupported));
}

TEST_CASE("a get of a version sends versionId and checks the answer is that version", "[s3wire]") {
  ScriptedServer server([](const std::string& head) {
    const bool asked_v1 = head.find("versionId=v%2B1") != std::string::npos;
    return http(200, asked_v1 ? "ETag: \"e1\"\r\nx-amz-version-id: v+1\r\n" : "ETag: \"e2\"\r\n",
                "old");
  });
  auto store = store_at(server.endpoint());
  GetOptions options;
  options.version_id = "v+1";
  BufferSink sink;
  auto got = store->get("k", options, sink);
  REQUIRE(got.is_ok());
  CHECK(got->version_id == "v+1");
  CHECK(server.heads().at(0).starts_with("GET /bkt/k?versionId=v%2B1 HTTP/1.1\r\n"));

  options.version_id = "v2";  // the server answers without it, as a server without versions
  BufferSink ignored;
  auto wrong = store->get("k", options, ignored);
  REQUIRE_FALSE(wrong.is_ok());
  CHECK(wrong.status().is(ErrorKind::kUnsupported));
}

}  // namespace autosync::backends::s3
