// Page repairs for servers that bend ListObjectsV2's rules: order, and max-keys counting
// common prefixes.
#include "backends/s3/list_paging.h"

#include <catch2/catch.hpp>

namespace autosync::backends::s3 {
namespace {

ListPage page_of(std::vector<std::string> keys, std::vector<std::string> prefixes) {
  ListPage page;
  for (auto& k : keys) {
    ObjectInfo info;
    info.key = std::move(k);
    page.objects.push_back(std::move(info));
  }
  page.common_prefixes = std::move(prefixes);
  return page;
}

std::vector<std::string> keys_of(const ListPage& page) {
  std::vector<std::string> out;
  for (const auto& o : page.objects)
    out.push_back(o.key);
  return out;
}

}  // namespace

TEST_CASE("pages are put in byte order", "[s3list]") {
  ListPage page = page_of({"p/a/b", "p/a-b", "p/a.b", "p/a0"}, {"p/z/", "p/b/"});
  sort_page(page);
  CHECK(keys_of(page) == std::vector<std::string>{"p/a-b", "p/a.b", "p/a/b", "p/a0"});
  CHECK(page.common_prefixes == std::vector<std::string>{"p/b/", "p/z/"});
}

TEST_CASE("pages within max-keys are left alone", "[s3list]") {
  ListPage page = page_of({"a", "b"}, {"c/"});
  page.next_token = "server-token";
  limit_page(page, 3);
  CHECK(keys_of(page).size() == 2);
  CHECK(page.next_token == "server-token");
}

TEST_CASE("an overfull page is cut in key order and resumes after its last entry", "[s3list]") {
  // s3rver with max-keys=3: three keys plus three prefixes it did not count.
  ListPage page = page_of({"k0", "k1", "k2"}, {"d0/", "d1/", "d2/"});
  page.next_token = "server-token";
  limit_page(page, 3);
  CHECK(keys_of(page).empty());
  CHECK(page.common_prefixes == std::vector<std::string>{"d0/", "d1/", "d2/"});
  const auto start_after = start_after_in(page.next_token);
  REQUIRE(start_after.is_ok());
  REQUIRE(start_after->has_value());
  CHECK(**start_after == "d2/\xFF");
  // Past every key under d2/, before the next sibling.
  CHECK(std::string("d2/\xF4\x8F\xBF\xBF zzz") < **start_after);
  CHECK(**start_after < std::string("d20"));

  ListPage mixed = page_of({"a", "c", "e"}, {"b/", "d/"});
  limit_page(mixed, 4);
  CHECK(keys_of(mixed) == std::vector<std::string>{"a", "c"});
  CHECK(mixed.common_prefixes == std::vector<std::string>{"b/", "d/"});
  CHECK(**start_after_in(mixed.next_token) == "d/\xFF");

  ListPage objects_last = page_of({"a", "b", "c"}, {"0/"});
  limit_page(objects_last, 2);
  CHECK(**start_after_in(objects_last.next_token) == "a");
}

TEST_CASE("server tokens are not mistaken for start-after tokens", "[s3list]") {
  const auto server = start_after_in("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  REQUIRE(server.is_ok());
  CHECK_FALSE(server->has_value());
  CHECK_FALSE(start_after_in("autosync-start-after:not base64!").is_ok());
}

}  // namespace autosync::backends::s3
