// The store's requests on the wire, against a fake server that records what it is sent and
// answers as the Blob service would: headers, signing, SAS, and the answers that need more
// than one request (a range past the end, a copy the service finishes later).
#include "backends/azure/azure_store.h"

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <vector>

#include "backends/azure/connection_string.h"
#include "core/base/encoding.h"
#include "tests/support/fake_http_server.h"

namespace autosync::backends::azure {
namespace {

using autosync::testing::FakeHttpServer;

// Answers requests in turn from a script and keeps the request heads it saw.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<std::string> answers)
      : answers_(std::move(answers)), server_([this](const std::string& head) {
          std::lock_guard lock(mu_);
          heads_.push_back(head);
          return next_ < answers_.size() ? answers_[next_++] : not_found();
        }) {}

  std::string endpoint() const { return server_.endpoint() + "/devstoreaccount1"; }
  std::vector<std::string> heads() const {
    std::lock_guard lock(mu_);
    return heads_;
  }

  static std::string answer(std::string_view status_line, std::string_view headers,
                            std::string_view body = "") {
    return fmt::format("HTTP/1.1 {}\r\n{}Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                       status_line, headers, body.size(), body);
  }
  // A HEAD answer: Content-Length is the blob's size, and no body follows.
  static std::string head_ok(std::string_view headers, uint64_t size) {
    return fmt::format("HTTP/1.1 200 OK\r\n{}Content-Length: {}\r\nConnection: close\r\n\r\n",
                       headers, size);
  }
  static std::string not_found() {
    return answer("404 The specified blob does not exist.",
                  "x-ms-error-code: BlobNotFound\r\nx-ms-request-id: r-404\r\n");
  }

 private:
  std::vector<std::string> answers_;
  size_t next_ = 0;                 // GUARDED_BY(mu_)
  std::vector<std::string> heads_;  // GUARDED_BY(mu_)
  mutable std::mutex mu_;
  FakeHttpServer server_;  // last: it calls back into the members above
};

constexpr std::string_view kBlobHeaders =
    "ETag: \"0x8D1\"\r\nLast-Modified: Mon, 02 Jan 2023 03:04:06 GMT\r\n"
    "Content-Type: text/plain\r\nx-ms-meta-file_x2d_mode: 0644\r\n";

AzureConfig config_for(const ScriptedServer& server) {
  AzureConfig config;
  config.container = "photos";
  config.account = std::string(kDevStoreAccount);
  config.account_key = std::string(kDevStoreKey);
  config.endpoint = server.endpoint();
  return config;
}

std::unique_ptr<ObjectStore> open(const AzureConfig& config) {
  auto store = open_store(config);
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

bool has_line(const std::string& head, std::string_view line) {
  return head.find(std::string(line) + "\r\n") != std::string::npos;
}

TEST_CASE("put sends a signed Put Blob with type, content type, metadata and condition") {
  ScriptedServer server({ScriptedServer::answer("201 Created", kBlobHeaders)});
  auto store = open(config_for(server));
  PutOptions options;
  options.content_type = "text/plain";
  options.metadata = {{"file-mode", "0644"}};
  options.conditions.if_none_match = "*";
  auto put = store->put("dir/a b+c.txt", BufferSource("hello"), options);
  REQUIRE(put.is_ok());
  CHECK(put->etag == "0x8D1");
  CHECK(put->size == 5);
  CHECK(put->metadata == options.metadata);

  const std::string head = server.heads().at(0);
  CHECK(head.starts_with("PUT /devstoreaccount1/photos/dir/a%20b%2Bc.txt HTTP/1.1\r\n"));
  CHECK(has_line(head, "x-ms-blob-type: BlockBlob"));
  CHECK(has_line(head, "x-ms-blob-content-type: text/plain"));
  CHECK(has_line(head, "x-ms-meta-file_x2d_mode: 0644"));
  CHECK(has_line(head, "If-None-Match: *"));
  CHECK(has_line(head, "x-ms-version: 2021-12-02"));
  CHECK(head.find("\r\nx-ms-date: ") != std::string::npos);
  CHECK(head.find("\r\nAuthorization: SharedKey devstoreaccount1:") != std::string::npos);
}

TEST_CASE("with a SAS token the token rides in the URL and nothing is signed") {
  ScriptedServer server({ScriptedServer::answer("200 OK", kBlobHeaders)});
  AzureConfig config = config_for(server);
  config.account_key.clear();
  config.sas_token = "sv=2021-12-02&sig=c2lnbmF0dXJl";
  auto head = open(config)->head("k?x");
  REQUIRE(head.is_ok());
  CHECK(head->metadata == UserMetadata{{"file-mode", "0644"}});
  const std::string request = server.heads().at(0);
  CHECK(request.starts_with(
      "HEAD /devstoreaccount1/photos/k%3Fx?sv=2021-12-02&sig=c2lnbmF0dXJl HTTP/1.1\r\n"));
  CHECK(request.find("Authorization") == std::string::npos);
}

TEST_CASE("a transport failure names the URL without its SAS token") {
  AzureConfig config;
  config.container = "photos";
  config.sas_token = "sv=1&sig=c2VjcmV0";
  config.endpoint = "http://127.0.0.1:1/devstoreaccount1";  // nothing listens on port 1
  auto head = open(config)->head("k");
  REQUIRE(head.status().is(ErrorKind::kTransient));
  CHECK(head.status().message().find("/devstoreaccount1/photos/k") != std::string::npos);
  CHECK(head.status().to_string().find("c2VjcmV0") == std::string::npos);
}

TEST_CASE("a ranged get past the end succeeds with no bytes and the object's size") {
  ScriptedServer server(
      {ScriptedServer::answer("416 Range Not Satisfiable",
                              "x-ms-error-code: InvalidRange\r\nContent-Range: bytes */5\r\n"),
       ScriptedServer::head_ok(kBlobHeaders, 5)});
  auto store = open(config_for(server));
  BufferSink sink;
  GetOptions options;
  options.range = {100, 10};
  auto got = store->get("k", options, sink);
  REQUIRE(got.is_ok());
  CHECK(sink.data().empty());
  CHECK(got->etag == "0x8D1");
  CHECK(got->size == 5);
  const auto heads = server.heads();
  REQUIRE(heads.size() == 2);
  CHECK(has_line(heads[0], "x-ms-range: bytes=100-109"));
  CHECK(heads[1].starts_with("HEAD /devstoreaccount1/photos/k HTTP/1.1"));
}

TEST_CASE("a copy the service finishes later is waited for") {
  ScriptedServer server({ScriptedServer::answer("202 Accepted", "x-ms-copy-status: pending\r\n"),
                         ScriptedServer::answer("200 OK", "x-ms-copy-status: pending\r\n"),
                         ScriptedServer::answer("200 OK", "x-ms-copy-status: success\r\n"),
                         ScriptedServer::head_ok(kBlobHeaders, 7)});
  auto store = open(config_for(server));
  auto copied = store->copy("src one", "dst", {});
  INFO(copied.status().to_string());
  REQUIRE(copied.is_ok());
  CHECK(copied->etag == "0x8D1");
  CHECK(copied->size == 7);
  const auto heads = server.heads();
  REQUIRE(heads.size() == 4);
  CHECK(heads[0].starts_with("PUT /devstoreaccount1/photos/dst HTTP/1.1"));
  CHECK(has_line(heads[0], "x-ms-copy-source: " + server.endpoint() + "/photos/src%20one"));
}

TEST_CASE("a copy the service gives up on is an error") {
  ScriptedServer server(
      {ScriptedServer::answer("202 Accepted", "x-ms-copy-status: pending\r\n"),
       ScriptedServer::answer("200 OK",
                              "x-ms-copy-status: failed\r\n"
                              "x-ms-copy-status-description: 500 InternalError\r\n")});
  auto copied = open(config_for(server))->copy("a", "b", {});
  REQUIRE_FALSE(copied.is_ok());
  CHECK(copied.status().retryable());
  CHECK(copied.status().message().find("copy a to b") != std::string::npos);
  CHECK(copied.status().message().find("failed") != std::string::npos);
}

TEST_CASE("multipart: blocks under one upload, committed in part order with the options") {
  ScriptedServer server({ScriptedServer::answer("201 Created", ""),
                         ScriptedServer::answer("201 Created", ""),
                         ScriptedServer::answer("201 Created", kBlobHeaders),
                         ScriptedServer::head_ok(kBlobHeaders, 3)});
  auto store = open(config_for(server));
  PutOptions options;
  options.content_type = "text/plain";
  options.metadata = {{"file-mode", "0644"}};
  auto id = store->create_multipart("big", options);
  REQUIRE(id.is_ok());
  auto two = store->upload_part("big", *id, 2, BufferSource("22"));
  auto one = store->upload_part("big", *id, 1, BufferSource("1"));
  REQUIRE(two.is_ok());
  REQUIRE(one.is_ok());
  const std::vector<CompletedPart> parts = {*two, *one};
  auto done = store->complete_multipart("big", *id, parts, {});
  REQUIRE(done.is_ok());

  // Block ids travel percent-encoded (base64 may hold '+', '/' and '=').
  const auto heads = server.heads();
  REQUIRE(heads.size() == 4);
  const std::string encoded_two = uri_encode(two->etag, false);
  CHECK(heads[0].starts_with("PUT /devstoreaccount1/photos/big?comp=block&blockid=" + encoded_two +
                             " HTTP/1.1"));
  CHECK(heads[2].starts_with("PUT /devstoreaccount1/photos/big?comp=blocklist HTTP/1.1"));
  CHECK(has_line(heads[2], "x-ms-blob-content-type: text/plain"));
  CHECK(has_line(heads[2], "x-ms-meta-file_x2d_mode: 0644"));
  CHECK(done->size == 3);  // from the properties read after the commit
  CHECK(done->metadata == options.metadata);
}

}  // namespace
TEST_CASE("list_versions asks List Blobs for versions and turns them newest first") {
  const std::string page = R"(<?xml version="1.0" encoding="utf-8"?><EnumerationResults><Blobs>
    <Blob><Name>a b</Name><VersionId>2024-01-01T00:00:00.0000001Z</VersionId>
      <Properties><Etag>0x1</Etag><Content-Length>1</Content-Length></Properties></Blob>
    <Blob><Name>a b</Name><VersionId>2024-01-02T00:00:00.0000001Z</VersionId>
      <IsCurrentVersion>true</IsCurrentVersion>
      <Properties><Etag>0x2</Etag><Content-Length>2</Content-Length></Properties></Blob>
    <Blob><Name>a bc</Name><VersionId>2024-01-03T00:00:00.0000001Z</VersionId>
      <Properties><Etag>0x3</Etag><Content-Length>3</Content-Length></Properties></Blob>
    </Blobs><NextMarker/></EnumerationResults>)";
  ScriptedServer server({ScriptedServer::answer("200 OK", "", page)});
  auto store = open(config_for(server));
  auto versions = store->list_versions("a b", "");
  REQUIRE(versions.is_ok());
  REQUIRE(versions->versions.size() == 2);
  CHECK(versions->versions[0].etag == "0x2");
  CHECK(versions->versions[0].is_latest);
  CHECK(versions->versions[1].version_id == "2024-01-01T00:00:00.0000001Z");
  const std::string head = server.heads().at(0);
  CHECK(head.starts_with("GET /devstoreaccount1/photos?"));
  CHECK_THAT(head, Catch::Contains("include=versions") && Catch::Contains("prefix=a%20b") &&
                       Catch::Contains("comp=list"));
}

TEST_CASE("a service that refuses include=versions keeps no versions") {
  ScriptedServer server({ScriptedServer::answer(
      "400 Value for one of the query parameters specified in the request URI is invalid.",
      "x-ms-error-code: InvalidQueryParameterValue\r\n")});
  auto store = open(config_for(server));
  auto versions = store->list_versions("k", "");
  REQUIRE_FALSE(versions.is_ok());
  CHECK(versions.status().is(ErrorKind::kUnsupported));
}

TEST_CASE("a get of a version sends versionid and checks the answer is that version") {
  const std::string old_version = "2024-01-01T00:00:00.0000001Z";
  ScriptedServer server(
      {ScriptedServer::answer(
           "200 OK", std::string(kBlobHeaders) + "x-ms-version-id: " + old_version + "\r\n", "old"),
       ScriptedServer::answer("200 OK", std::string(kBlobHeaders), "now")});
  auto store = open(config_for(server));
  GetOptions options;
  options.version_id = old_version;
  BufferSink sink;
  auto got = store->get("k", options, sink);
  REQUIRE(got.is_ok());
  CHECK(got->version_id == old_version);
  CHECK_THAT(server.heads().at(0),
             Catch::StartsWith(
                 "GET /devstoreaccount1/photos/k?versionid=2024-01-01T00%3A00%3A00.0000001Z "));
  BufferSink ignored;
  auto wrong = store->get("k", options, ignored);  // answered without the version
  REQUIRE_FALSE(wrong.is_ok());
  CHECK(wrong.status().is(ErrorKind::kUnsupported));
}

}  // namespace autosync::backends::azure
