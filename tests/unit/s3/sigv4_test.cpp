// SigV4 against AWS's published examples: the four S3 examples of "Signature Calculations for
// the Authorization Header" (AKIAIOSFODNN7EXAMPLE, 20130524, us-east-1) and cases from the
// SigV4 test suite (AKIDEXAMPLE, 20150830T123600Z, service "service").
#include "backends/s3/sigv4.h"

#include <catch2/catch.hpp>

#include "backends/s3/s3_url.h"
#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::s3 {
namespace {

constexpr std::string_view kDocKeyId = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kDocSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kDocDate = "20130524T000000Z";
const sigv4::Scope kDocScope{"20130524", "us-east-1", "s3"};

constexpr std::string_view kSuiteKeyId = "AKIDEXAMPLE";
constexpr std::string_view kSuiteSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr std::string_view kSuiteDate = "20150830T123600Z";
const sigv4::Scope kSuiteScope{"20150830", "us-east-1", "service"};

std::string expected_doc_authorization(std::string_view signed_headers,
                                       std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
         "SignedHeaders=" +
         std::string(signed_headers) + ",Signature=" + std::string(signature);
}

// The examples' requests go to examplebucket.s3.amazonaws.com: virtual-hosted addressing.
const UrlBuilder kDocUrls(Endpoint{"https", "s3.amazonaws.com", ""}, "examplebucket",
                          Addressing::kVirtualHosted);

std::string canonical_hash(const sigv4::Request& request) {
  return to_hex(sha256(sigv4::canonical_request(request)));
}

}  // namespace

TEST_CASE("sigv4 signs the S3 docs' GET object with a range", "[sigv4]") {
  const RequestTarget target = kDocUrls.target("test.txt", {});
  const http::Headers headers{{"Host", target.host},
                              {"Range", "bytes=0-9"},
                              {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadSha256)},
                              {"x-amz-date", std::string(kDocDate)}};
  const sigv4::Request request{"GET", target.canonical_uri, target.canonical_query, &headers,
                               sigv4::kEmptyPayloadSha256};
  CHECK(sigv4::canonical_request(request) ==
        "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
        "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
        "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sigv4::string_to_sign(kDocDate, kDocScope, sigv4::canonical_request(request)) ==
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
        "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  CHECK(sigv4::authorization(kDocKeyId, kDocSecret, kDocDate, kDocScope, request) ==
        expected_doc_authorization(
            "host;range;x-amz-content-sha256;x-amz-date",
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
}

TEST_CASE("sigv4 signs the S3 docs' PUT object test$file.text", "[sigv4]") {
  const std::string payload_hash = to_hex(sha256("Welcome to Amazon S3."));
  REQUIRE(payload_hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  const RequestTarget target = kDocUrls.target("test$file.text", {});
  CHECK(target.canonical_uri == "/test%24file.text");
  const http::Headers headers{{"Host", target.host},
                              {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                              {"x-amz-date", std::string(kDocDate)},
                              {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                              {"x-amz-content-sha256", payload_hash}};
  const sigv4::Request request{"PUT", target.canonical_uri, target.canonical_query, &headers,
                               payload_hash};
  CHECK(canonical_hash(request) ==
        "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  CHECK(sigv4::authorization(kDocKeyId, kDocSecret, kDocDate, kDocScope, request) ==
        expected_doc_authorization(
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
}

TEST_CASE("sigv4 signs the S3 docs' GET bucket lifecycle", "[sigv4]") {
  const RequestTarget target = kDocUrls.target("", {{"lifecycle", ""}});
  CHECK(target.canonical_uri == "/");
  CHECK(target.canonical_query == "lifecycle=");
  const http::Headers headers{{"Host", target.host},
                              {"x-amz-date", std::string(kDocDate)},
                              {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadSha256)}};
  const sigv4::Request request{"GET", target.canonical_uri, target.canonical_query, &headers,
                               sigv4::kEmptyPayloadSha256};
  CHECK(canonical_hash(request) ==
        "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca");
  CHECK(sigv4::authorization(kDocKeyId, kDocSecret, kDocDate, kDocScope, request) ==
        expected_doc_authorization(
            "host;x-amz-content-sha256;x-amz-date",
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
}

TEST_CASE("sigv4 signs the S3 docs' list objects with sorted query parameters", "[sigv4]") {
  // Given out of order: the canonical query sorts them.
  const RequestTarget target = kDocUrls.target("", {{"prefix", "J"}, {"max-keys", "2"}});
  CHECK(target.canonical_query == "max-keys=2&prefix=J");
  CHECK(target.url == "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J");
  const http::Headers headers{{"Host", target.host},
                              {"x-amz-date", std::string(kDocDate)},
                              {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadSha256)}};
  const sigv4::Request request{"GET", target.canonical_uri, target.canonical_query, &headers,
                               sigv4::kEmptyPayloadSha256};
  CHECK(canonical_hash(request) ==
        "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  CHECK(sigv4::authorization(kDocKeyId, kDocSecret, kDocDate, kDocScope, request) ==
        expected_doc_authorization(
            "host;x-amz-content-sha256;x-amz-date",
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

TEST_CASE("sigv4 passes the test suite's vanilla cases", "[sigv4]") {
  const http::Headers headers{{"Host", "example.amazonaws.com"},
                              {"X-Amz-Date", std::string(kSuiteDate)}};
  const std::string key = sigv4::signing_key(kSuiteSecret, kSuiteScope);
  auto sign = [&](std::string_view method, const std::string& query) {
    const sigv4::Request request{method, "/", query, &headers, sigv4::kEmptyPayloadSha256};
    return sigv4::signature(
        key, sigv4::string_to_sign(kSuiteDate, kSuiteScope, sigv4::canonical_request(request)));
  };
  // get-vanilla
  CHECK(sign("GET", "") == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  // post-vanilla
  CHECK(sign("POST", "") == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
  // get-vanilla-query-order-key-case: Param2=value2&Param1=value1, sorted when made canonical
  CHECK(sign("GET", canonical_query_string({{"Param2", "value2"}, {"Param1", "value1"}})) ==
        "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
  const sigv4::Request vanilla{"GET", "/", "", &headers, sigv4::kEmptyPayloadSha256};
  CHECK(sigv4::authorization(kSuiteKeyId, kSuiteSecret, kSuiteDate, kSuiteScope, vanilla) ==
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
        "SignedHeaders=host;x-amz-date,"
        "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST_CASE("sigv4 canonical headers trim, collapse spaces and join repeats", "[sigv4]") {
  const http::Headers headers{{"My-Header1", "  a   b   c  "},
                              {"X-Amz-Meta-List", "one"},
                              {"host", "h"},
                              {"x-amz-meta-list", "two"}};
  CHECK(sigv4::canonical_headers(headers) == "host:h\nmy-header1:a b c\nx-amz-meta-list:one,two\n");
  CHECK(sigv4::signed_headers(headers) == "host;my-header1;x-amz-meta-list");
}

TEST_CASE("sigv4 signs a session token like any other header", "[sigv4]") {
  http::Headers headers{{"host", "h"}, {"x-amz-date", std::string(kDocDate)}};
  const sigv4::Request plain{"GET", "/", "", &headers, sigv4::kEmptyPayloadSha256};
  const std::string without =
      sigv4::authorization(kDocKeyId, kDocSecret, kDocDate, kDocScope, plain);
  headers.emplace_back("x-amz-security-token", "token");
  const sigv4::Request with_token{"GET", "/", "", &headers, sigv4::kEmptyPayloadSha256};
  const std::string with =
      sigv4::authorization(kDocKeyId, kDocSecret, kDocDate, kDocScope, with_token);
  CHECK(with.find("SignedHeaders=host;x-amz-date;x-amz-security-token,") != std::string::npos);
  CHECK(with != without);
}

TEST_CASE("sigv4 hashes a payload in chunks to the same digest", "[sigv4]") {
  CHECK(*sigv4::payload_sha256(BufferSource("")) == sigv4::kEmptyPayloadSha256);
  CHECK(*sigv4::payload_sha256(BufferSource("Welcome to Amazon S3.")) ==
        "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // Several chunks plus a ragged tail.
  std::string big(3 * (1 << 20) + 12345, '\0');
  for (size_t i = 0; i < big.size(); ++i)
    big[i] = static_cast<char>(i * 131 % 251);
  CHECK(*sigv4::payload_sha256(BufferSource(big)) == to_hex(sha256(big)));
}

TEST_CASE("sigv4 reports a body that ends early", "[sigv4]") {
  // A window claiming more bytes than its source has.
  const BufferSource inner("abc");
  const SliceSource liar(inner, 0, 10);
  const auto hash = sigv4::payload_sha256(liar);
  REQUIRE_FALSE(hash.is_ok());
  CHECK(hash.status().kind() == ErrorKind::kIo);
}

}  // namespace autosync::backends::s3
