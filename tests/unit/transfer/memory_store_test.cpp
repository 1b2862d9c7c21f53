// Checks that the in-memory fake keeps the ObjectStore contract the other tests rely on.
#include "tests/unit/transfer/memory_store.h"

#include <catch2/catch.hpp>
#include <vector>

namespace autosync::backends::testing {
namespace {

void put_all(MemoryStore& store, const std::vector<std::string>& keys) {
  for (const std::string& key : keys)
    REQUIRE(store.put(key, BufferSource(key), {}).is_ok());
}

TEST_CASE("memory store: missing keys, removes and new ETags") {
  MemoryStore store;
  CHECK(store.head("nope").status().is(ErrorKind::kNotFound));
  CHECK(store.remove("nope").is_ok());
  auto first = store.put("k", BufferSource("same"), {});
  auto second = store.put("k", BufferSource("same"), {});
  REQUIRE(first.is_ok());
  REQUIRE(second.is_ok());
  CHECK(first->etag != second->etag);
}

TEST_CASE("memory store: ranges and conditions") {
  MemoryStore store;
  auto info = store.put("k", BufferSource("0123456789"), {});
  REQUIRE(info.is_ok());
  BufferSink sink;
  GetOptions options;
  options.range = {3, 4};
  REQUIRE(store.get("k", options, sink).is_ok());
  CHECK(sink.data() == "3456");
  BufferSink past_end;
  options.range = {10, 5};
  REQUIRE(store.get("k", options, past_end).is_ok());
  CHECK(past_end.data().empty());
  options.range = {};
  options.conditions.if_match = "stale";
  CHECK(store.get("k", options, sink).status().is(ErrorKind::kPreconditionFailed));

  PutOptions create_only;
  create_only.conditions.if_none_match = "*";
  CHECK(store.put("k", BufferSource("x"), create_only).status().is(ErrorKind::kPreconditionFailed));
  PutOptions replace;
  replace.conditions.if_match = info->etag;
  CHECK(store.put("k", BufferSource("x"), replace).is_ok());
  CHECK(store.put("k", BufferSource("y"), replace).status().is(ErrorKind::kPreconditionFailed));
}

TEST_CASE("memory store: delimited list pages skip whole common prefixes") {
  MemoryStore store;
  put_all(store, {"a", "b/1", "b/2", "b/3", "c", "d/1"});
  ListOptions options;
  options.delimiter = "/";
  options.max_keys = 2;
  std::vector<std::string> entries;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = store.list(options);
    REQUIRE(page.is_ok());
    for (const ObjectInfo& object : page->objects)
      entries.push_back(object.key);
    for (const std::string& common : page->common_prefixes)
      entries.push_back(common);
    options.continuation_token = page->next_token;
    if (options.continuation_token.empty()) break;
  }
  // Order within one page is objects then prefixes; across pages it is key order.
  CHECK(entries == std::vector<std::string>{"a", "b/", "c", "d/"});
}

TEST_CASE("memory store: multipart checks order, ETags and part sizes") {
  Capabilities caps = memory_capabilities();
  caps.min_part_size = 4;
  MemoryStore store(caps);
  auto id = store.create_multipart("m", {});
  REQUIRE(id.is_ok());
  auto p1 = store.upload_part("m", *id, 1, BufferSource("abc"));
  auto p2 = store.upload_part("m", *id, 2, BufferSource("defg"));
  REQUIRE(p1.is_ok());
  REQUIRE(p2.is_ok());
  const std::vector<CompletedPart> backwards = {*p2, *p1};
  CHECK(store.complete_multipart("m", *id, backwards, {}).status().server_code() ==
        "InvalidPartOrder");
  const std::vector<CompletedPart> small_first = {*p1, *p2};
  CHECK(store.complete_multipart("m", *id, small_first, {}).status().server_code() ==
        "EntityTooSmall");
  const std::vector<CompletedPart> wrong_etag = {{1, "bogus"}};
  CHECK(store.complete_multipart("m", *id, wrong_etag, {}).status().server_code() == "InvalidPart");
  const std::vector<CompletedPart> last_only = {*p2};
  auto done = store.complete_multipart("m", *id, last_only, {});
  REQUIRE(done.is_ok());
  CHECK(store.content("m") == "defg");
  CHECK(store.open_uploads() == 0);
  CHECK(store.complete_multipart("m", *id, last_only, {}).status().server_code() == "NoSuchUpload");
}

}  // namespace
}  // namespace autosync::backends::testing
