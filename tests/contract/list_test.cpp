// Contract: listing with prefix, delimiter and paging.
#include <algorithm>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "tests/contract/backend_fixture.h"

using namespace autosync;
using namespace autosync::backends;
using autosync::testing::backend;
using autosync::testing::put_text;
using autosync::testing::unique_prefix;

namespace {

struct Listing {
  std::vector<std::string> keys;
  std::vector<std::string> prefixes;
  int pages = 0;
};

Listing list_all(const std::string& prefix, const std::string& delimiter, uint32_t max_keys) {
  Listing out;
  ListOptions options;
  options.prefix = prefix;
  options.delimiter = delimiter;
  options.max_keys = max_keys;
  do {
    auto page = backend().store().list(options);
    INFO(page.status().to_string());
    REQUIRE(page.is_ok());
    ++out.pages;
    REQUIRE(page->objects.size() + page->common_prefixes.size() <= max_keys);
    for (const auto& o : page->objects)
      out.keys.push_back(o.key);
    for (const auto& p : page->common_prefixes)
      out.prefixes.push_back(p);
    options.continuation_token = page->next_token;
    REQUIRE(out.pages < 10000);
  } while (!options.continuation_token.empty());
  return out;
}

void put_many(const std::vector<std::string>& keys) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  const size_t workers = 8;
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (size_t i = w; i < keys.size(); i += workers) {
        if (!backend().store().put(keys[i], BufferSource("x"), {}).is_ok()) ++failures;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  REQUIRE(failures == 0);
}

}  // namespace

TEST_CASE("a delimiter splits objects from common prefixes, one level at a time", "[list]") {
  const std::string p = unique_prefix();
  put_many({p + "top.txt", p + "a/one", p + "a/two", p + "a/sub/three", p + "b/four", p + "c.txt"});
  const Listing root = list_all(p, "/", 1000);
  CHECK(root.keys == std::vector<std::string>{p + "c.txt", p + "top.txt"});
  CHECK(root.prefixes == std::vector<std::string>{p + "a/", p + "b/"});

  const Listing a = list_all(p + "a/", "/", 1000);
  CHECK(a.keys == std::vector<std::string>{p + "a/one", p + "a/two"});
  CHECK(a.prefixes == std::vector<std::string>{p + "a/sub/"});

  const Listing deep = list_all(p, "", 1000);
  CHECK(deep.keys == std::vector<std::string>{p + "a/one", p + "a/sub/three", p + "a/two",
                                              p + "b/four", p + "c.txt", p + "top.txt"});
  CHECK(deep.prefixes.empty());
}

TEST_CASE("a prefix that ends mid-name matches names that start with it", "[list]") {
  const std::string p = unique_prefix();
  put_many({p + "report-2024.txt", p + "report-2025.txt", p + "reports/x", p + "other"});
  const Listing l = list_all(p + "report", "/", 1000);
  CHECK(l.keys == std::vector<std::string>{p + "report-2024.txt", p + "report-2025.txt"});
  CHECK(l.prefixes == std::vector<std::string>{p + "reports/"});
}

TEST_CASE("keys come back in byte order across directory boundaries", "[list]") {
  const std::string p = unique_prefix();
  put_many({p + "a0", p + "a/b", p + "a-b", p + "a.b"});
  const Listing l = list_all(p, "", 1000);
  // '-' (0x2d) < '.' (0x2e) < '/' (0x2f) < '0' (0x30)
  CHECK(l.keys == std::vector<std::string>{p + "a-b", p + "a.b", p + "a/b", p + "a0"});
}

TEST_CASE("small pages chain through continuation tokens without gaps or repeats", "[list]") {
  const std::string p = unique_prefix();
  std::vector<std::string> keys;
  for (int i = 0; i < 10; ++i)
    keys.push_back(p + "k" + std::to_string(i));
  for (int i = 0; i < 3; ++i)
    keys.push_back(p + "d" + std::to_string(i) + "/inner");
  put_many(keys);
  const Listing l = list_all(p, "/", 3);
  CHECK(l.pages == 5);
  std::vector<std::string> expected_keys(keys.begin(), keys.begin() + 10);
  std::sort(expected_keys.begin(), expected_keys.end());
  CHECK(l.keys == expected_keys);
  CHECK(l.prefixes == std::vector<std::string>{p + "d0/", p + "d1/", p + "d2/"});
}

TEST_CASE("listing past 1000 keys pages with the store's own page size", "[list][slow]") {
  const std::string p = unique_prefix();
  std::vector<std::string> keys;
  for (int i = 0; i < 1050; ++i) {
    char name[16];  // NOLINT
    std::snprintf(name, sizeof name, "f%05d", i);
    keys.push_back(p + name);
  }
  put_many(keys);
  const Listing l = list_all(p, "/", 1000);
  CHECK(l.pages == 2);
  CHECK(l.keys == keys);
}

TEST_CASE("listing a prefix with nothing under it is one empty page", "[list]") {
  ListOptions options;
  options.prefix = unique_prefix();
  auto page = backend().store().list(options);
  REQUIRE(page.is_ok());
  CHECK(page->objects.empty());
  CHECK(page->common_prefixes.empty());
  CHECK(page->next_token.empty());
}

TEST_CASE("list entries carry size, ETag and modification time", "[list]") {
  const std::string p = unique_prefix();
  const ObjectInfo put = put_text(p + "sized", "twelve bytes");
  ListOptions options;
  options.prefix = p;
  auto page = backend().store().list(options);
  REQUIRE(page.is_ok());
  REQUIRE(page->objects.size() == 1);
  CHECK(page->objects[0].size == 12);
  CHECK(page->objects[0].etag == put.etag);
  CHECK(page->objects[0].last_modified.time_since_epoch().count() > 0);
}
