// Shared Key signing: the string-to-sign against Microsoft's documented examples, and the
// signature against values computed independently.
#include "backends/azure/shared_key.h"

#include <catch2/catch.hpp>

#include "backends/azure/connection_string.h"
#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

std::string dev_key() {
  return base64_decode(kDevStoreKey).value();
}

// "Authorize with Shared Key" (learn.microsoft.com/rest/api/storageservices/
// authorize-with-shared-key) gives this string-to-sign for Get Container Metadata.
TEST_CASE("string to sign matches the documented Get Container Metadata example") {
  const http::Headers headers = {{"x-ms-version", "2015-02-21"},
                                 {"x-ms-date", "Fri, 26 Jun 2015 23:39:12 GMT"}};
  const std::string sts = string_to_sign("GET",
                                         "https://myaccount.blob.core.windows.net/"
                                         "mycontainer?restype=container&comp=metadata&timeout=20",
                                         headers, 0, "myaccount");
  CHECK(sts ==
        "GET\n\n\n\n\n\n\n\n\n\n\n\n"
        "x-ms-date:Fri, 26 Jun 2015 23:39:12 GMT\nx-ms-version:2015-02-21\n"
        "/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20");
  // The docs give no signature for it. This value was computed independently with
  // python3: base64(hmac.new(b64decode(<emulator key>), sts, sha256).digest()).
  CHECK(shared_key_signature(dev_key(), sts) == "1u9lui2jDxj0+fpbHjQ5m5NnastJRSYM+PSmfi8TXx4=");
  CHECK(shared_key_authorization("myaccount", dev_key(), sts) ==
        "SharedKey myaccount:1u9lui2jDxj0+fpbHjQ5m5NnastJRSYM+PSmfi8TXx4=");
}

// The same page's canonicalized-resource examples.
TEST_CASE("canonicalized resource matches the documented examples") {
  CHECK(
      canonicalized_resource(
          "myaccount",
          "https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=metadata") ==
      "/myaccount/mycontainer\ncomp:metadata\nrestype:container");
  // Several values of one parameter: sorted and joined with commas.
  CHECK(canonicalized_resource(
            "myaccount",
            "https://myaccount.blob.core.windows.net/mycontainer?restype=container"
            "&comp=list&include=snapshots&include=metadata&include=uncommittedblobs") ==
        "/myaccount/"
        "mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\nrestype:container");
  CHECK(canonicalized_resource(
            "myaccount", "https://myaccount-secondary.blob.core.windows.net/mycontainer/myblob") ==
        "/myaccount/mycontainer/myblob");
}

TEST_CASE("canonicalized resource keeps the emulator's account path segment and encoding") {
  // Path-style (emulator) URLs carry the account in the path, so it appears twice.
  CHECK(canonicalized_resource("devstoreaccount1",
                               "http://127.0.0.1:10000/devstoreaccount1/photos/a%20b%2Bc.txt") ==
        "/devstoreaccount1/devstoreaccount1/photos/a%20b%2Bc.txt");
  // Query names are lower-cased and values URL-decoded.
  CHECK(canonicalized_resource(
            "acct",
            "https://acct.blob.core.windows.net/c?Prefix=a%2Fb%20c&comp=list&restype=container") ==
        "/acct/c\ncomp:list\nprefix:a/b c\nrestype:container");
  CHECK(canonicalized_resource("acct", "https://acct.blob.core.windows.net") == "/acct/");
}

TEST_CASE("canonicalized headers keep only x-ms-*, lower-cased, sorted and trimmed") {
  const http::Headers headers = {{"X-MS-Version", "2021-12-02"},
                                 {"Content-Type", "text/plain"},
                                 {"x-ms-meta-b", "  two "},
                                 {"x-ms-date", "Mon, 02 Jan 2023 03:04:05 GMT"},
                                 {"x-ms-meta-a", "one"}};
  CHECK(canonicalized_headers(headers) ==
        "x-ms-date:Mon, 02 Jan 2023 03:04:05 GMT\nx-ms-meta-a:one\nx-ms-meta-b:two\n"
        "x-ms-version:2021-12-02\n");
}

TEST_CASE("string to sign places standard headers and content length in their lines") {
  const http::Headers headers = {
      {"x-ms-version", "2021-12-02"},  {"x-ms-date", "Mon, 02 Jan 2023 03:04:05 GMT"},
      {"x-ms-blob-type", "BlockBlob"}, {"Content-Type", "text/plain; charset=UTF-8"},
      {"If-Match", "\"0x8D\""},        {"x-ms-meta-file_x2d_mode", "0644"}};
  const std::string url =
      "http://127.0.0.1:10000/devstoreaccount1/photos/a%20b/%2B%25%23%3F%3D%26.txt";
  const std::string sts = string_to_sign("PUT", url, headers, 11, "devstoreaccount1");
  CHECK(sts ==
        "PUT\n\n\n11\n\ntext/plain; charset=UTF-8\n\n\n\"0x8D\"\n\n\n\n"
        "x-ms-blob-type:BlockBlob\nx-ms-date:Mon, 02 Jan 2023 03:04:05 GMT\n"
        "x-ms-meta-file_x2d_mode:0644\nx-ms-version:2021-12-02\n"
        "/devstoreaccount1/devstoreaccount1/photos/a%20b/%2B%25%23%3F%3D%26.txt");
  // Computed independently with python3's hmac module (key: the emulator's documented key).
  CHECK(shared_key_signature(dev_key(), sts) == "QxDu6Vpr8fryYqn3/YamxvQVtL2dusJSKzx7btdMFhE=");
  // A zero Content-Length is signed as an empty line (version 2015-02-21 and later).
  CHECK(string_to_sign("PUT", url, headers, 0, "devstoreaccount1").starts_with("PUT\n\n\n\n\n"));
}

}  // namespace
}  // namespace autosync::backends::azure
