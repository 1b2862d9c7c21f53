#include "core/base/encoding.h"

#include <catch2/catch.hpp>

#include "core/base/crypto.h"
#include "core/base/time_format.h"

using namespace autosync;

TEST_CASE("hex and base64 round-trip and match known values", "[encoding]") {
  CHECK(to_hex(std::string_view("\x01\xab\xff", 3)) == "01abff");
  CHECK(base64_encode("hello") == "aGVsbG8=");
  CHECK(base64_decode("aGVsbG8=").value() == "hello");
  CHECK(base64_decode("aGVsbA==").value() == "hell");
  CHECK(base64_decode("aGVs").value() == "hel");
  CHECK_FALSE(base64_decode("a").has_value());
  CHECK_FALSE(base64_decode("@@@@").has_value());
}

TEST_CASE("uri_encode keeps only unreserved characters", "[encoding]") {
  CHECK(uri_encode("a b+c/d~e_f.g-h", false) == "a%20b%2Bc%2Fd~e_f.g-h");
  CHECK(uri_encode("dir/file name#?.txt", true) == "dir/file%20name%23%3F.txt");
  CHECK(uri_encode("\xc3\xa9", true) == "%C3%A9");
  CHECK(uri_decode("a%20b%2Bc+d", false) == "a b+c+d");
  CHECK(uri_decode("a%20b+c%zz%4", true) == "a b c%zz%4");
}

TEST_CASE("SHA-256 and HMAC-SHA256 match published test vectors", "[crypto]") {
  CHECK(to_hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(to_hex(sha256("abc")) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  Sha256Stream stream;
  stream.update({reinterpret_cast<const unsigned char*>("ab"), 2});
  stream.update({reinterpret_cast<const unsigned char*>("c"), 1});
  CHECK(to_hex(stream.finish()) == to_hex(sha256("abc")));
  CHECK(random_bytes(16).size() == 16);
  CHECK(random_bytes(16) != random_bytes(16));
}

TEST_CASE("timestamps format and parse in the wire formats", "[time]") {
  const auto t = std::chrono::system_clock::from_time_t(1369353600);  // 2013-05-24 00:00:00 UTC
  CHECK(format_iso8601_basic(t) == "20130524T000000Z");
  CHECK(format_http_date(t) == "Fri, 24 May 2013 00:00:00 GMT");
  CHECK(format_iso8601(t + std::chrono::milliseconds(5)) == "2013-05-24T00:00:00.005Z");
  CHECK(parse_timestamp("2013-05-24T00:00:00.005Z").value() == t + std::chrono::milliseconds(5));
  CHECK(parse_timestamp("2013-05-24T00:00:00Z").value() == t);
  CHECK(parse_timestamp("Fri, 24 May 2013 00:00:00 GMT").value() == t);
  CHECK_FALSE(parse_timestamp("yesterday").has_value());
}
