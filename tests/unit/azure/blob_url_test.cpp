// URL building: every byte of a key must reach the service as written.
#include "backends/azure/blob_url.h"

#include <catch2/catch.hpp>

#include "backends/azure/shared_key.h"
#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

TEST_CASE("blob paths percent-encode everything but '/' and unreserved characters") {
  CHECK(blob_path("photos", "a.txt") == "/photos/a.txt");
  CHECK(blob_path("photos", "deep/er/path/x_y-z~1.bin") == "/photos/deep/er/path/x_y-z~1.bin");
  CHECK(blob_path("photos", "with space+plus%pct#hash?q=1&b") ==
        "/photos/with%20space%2Bplus%25pct%23hash%3Fq%3D1%26b");
  CHECK(blob_path("photos", "unicode/caf\xC3\xA9 \xE2\x9C\x93") ==
        "/photos/unicode/caf%C3%A9%20%E2%9C%93");
  CHECK(blob_path("photos", "dir/") == "/photos/dir/");
  CHECK(blob_path("photos", "a//b") == "/photos/a//b");
}

TEST_CASE("dot-only path segments are encoded so nothing folds them away") {
  CHECK(blob_path("c", "a/../b") == "/c/a/%2E%2E/b");
  CHECK(blob_path("c", "./x") == "/c/%2E/x");
  CHECK(blob_path("c", "a/.hidden/..more") == "/c/a/.hidden/..more");
}

TEST_CASE("encoded keys decode back to the original bytes") {
  const std::string tricky = "d1/d2/d3/ sp+%25#?=&\xF0\x9F\x98\x80.txt";
  const std::string path = blob_path("c", tricky);
  CHECK(uri_decode(path, false) == "/c/" + tricky);
}

TEST_CASE("query strings encode names and values, the SAS token goes last as given") {
  const QueryParams query = {{"restype", "container"}, {"comp", "list"}, {"prefix", "a b/c+d&e"}};
  CHECK(encode_query(query) == "restype=container&comp=list&prefix=a%20b%2Fc%2Bd%26e");
  CHECK(build_url("http://127.0.0.1:10000/devstoreaccount1", "/c", query, "") ==
        "http://127.0.0.1:10000/devstoreaccount1/"
        "c?restype=container&comp=list&prefix=a%20b%2Fc%2Bd%26e");
  CHECK(build_url("https://a.blob.core.windows.net", "/c/k", {}, "sv=1&sig=x%3D") ==
        "https://a.blob.core.windows.net/c/k?sv=1&sig=x%3D");
  CHECK(build_url("https://a.blob.core.windows.net", "/c", {{"comp", "list"}}, "sv=1") ==
        "https://a.blob.core.windows.net/c?comp=list&sv=1");
}

TEST_CASE("the signed resource of a built URL names the decoded query values") {
  const std::string url = build_url("https://a.blob.core.windows.net", "/c",
                                    {{"comp", "list"}, {"prefix", "x y+z"}}, "");
  CHECK(canonicalized_resource("a", url) == "/a/c\ncomp:list\nprefix:x y+z");
}

}  // namespace
}  // namespace autosync::backends::azure
