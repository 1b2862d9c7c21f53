// Contract: conditional requests (If-Match / If-None-Match), where the store supports them.
#include <catch2/catch.hpp>

#include "tests/contract/backend_fixture.h"

using namespace autosync;
using namespace autosync::backends;
using autosync::testing::backend;
using autosync::testing::get_text;
using autosync::testing::put_text;
using autosync::testing::unique_prefix;

TEST_CASE("If-None-Match: * creates only when the key is absent", "[conditional]") {
  if (!backend().store().capabilities().conditional_write) {
    WARN(backend().name() << " does not claim conditional writes; nothing to check");
    return;
  }
  const std::string key = unique_prefix() + "create-once";
  PutOptions create;
  create.conditions.if_none_match = "*";
  REQUIRE(backend().store().put(key, BufferSource("first"), create).is_ok());
  auto again = backend().store().put(key, BufferSource("second"), create);
  REQUIRE_FALSE(again.is_ok());
  CHECK(again.status().is(ErrorKind::kPreconditionFailed));
  CHECK(get_text(key) == "first");
}

TEST_CASE("If-Match writes only over the expected version", "[conditional]") {
  if (!backend().store().capabilities().conditional_write) {
    WARN(backend().name() << " does not claim conditional writes; nothing to check");
    return;
  }
  const std::string key = unique_prefix() + "guarded";
  const ObjectInfo v1 = put_text(key, "v1");
  PutOptions update;
  update.conditions.if_match = v1.etag;
  auto v2 = backend().store().put(key, BufferSource("v2"), update);
  REQUIRE(v2.is_ok());
  auto stale = backend().store().put(key, BufferSource("v3"), update);  // still names v1
  REQUIRE_FALSE(stale.is_ok());
  CHECK(stale.status().is(ErrorKind::kPreconditionFailed));
  CHECK(get_text(key) == "v2");
}

TEST_CASE("a get pinned to an old ETag fails once the object changed", "[conditional]") {
  const std::string key = unique_prefix() + "pinned";
  const ObjectInfo v1 = put_text(key, "old");
  put_text(key, "new!");
  GetOptions options;
  options.conditions.if_match = v1.etag;
  BufferSink sink;
  auto got = backend().store().get(key, options, sink);
  REQUIRE_FALSE(got.is_ok());
  CHECK(got.status().is(ErrorKind::kPreconditionFailed));
}
