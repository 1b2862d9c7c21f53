// Unit tests for plan_parts: part sizes within the store's limits.
#include "backends/transfer/part_plan.h"

#include <catch2/catch.hpp>

namespace autosync::backends {
namespace {

Capabilities limits(uint64_t min_part, uint64_t max_part, uint32_t max_parts) {
  Capabilities caps;
  caps.min_part_size = min_part;
  caps.max_part_size = max_part;
  caps.max_parts = max_parts;
  return caps;
}

TEST_CASE("part plan: the last part holds the remainder") {
  auto plan = plan_parts(1000, 300, limits(1, 1 << 20, 100));
  REQUIRE(plan.is_ok());
  CHECK(plan->part_size == 300);
  CHECK(plan->part_count == 4);
  const Part last = plan->part(3);
  CHECK(last.number == 4);
  CHECK(last.offset == 900);
  CHECK(last.length == 100);
}

TEST_CASE("part plan: parts are raised to the store's minimum") {
  auto plan = plan_parts(10ULL << 20, 1ULL << 20, Capabilities{});
  REQUIRE(plan.is_ok());
  CHECK(plan->part_size == 5ULL << 20);
  CHECK(plan->part_count == 2);
}

TEST_CASE("part plan: parts grow to stay within max_parts") {
  auto plan = plan_parts(1000, 100, limits(1, 1 << 20, 4));
  REQUIRE(plan.is_ok());
  CHECK(plan->part_size == 250);
  CHECK(plan->part_count == 4);
  // S3's real limits: 1 TiB in 16 MiB parts would need 65,536 parts.
  auto big = plan_parts(1ULL << 40, 16ULL << 20, Capabilities{});
  REQUIRE(big.is_ok());
  CHECK(big->part_count <= 10000);
  CHECK(big->part_size * big->part_count >= 1ULL << 40);
}

TEST_CASE("part plan: a wish above max_part_size is capped, too big an object refused") {
  auto capped = plan_parts(1000, 600, limits(1, 400, 10));
  REQUIRE(capped.is_ok());
  CHECK(capped->part_size == 400);
  CHECK(capped->part_count == 3);
  auto too_big = plan_parts(5000, 100, limits(1, 400, 10));
  CHECK(too_big.status().is(ErrorKind::kInvalid));
  CHECK(plan_parts(10, 0, limits(1, 400, 10)).status().is(ErrorKind::kInvalid));
}

TEST_CASE("part plan: an empty object is one empty part") {
  auto plan = plan_parts(0, 100, limits(1, 400, 10));
  REQUIRE(plan.is_ok());
  CHECK(plan->part_count == 1);
  CHECK(plan->part(0).length == 0);
}

}  // namespace
}  // namespace autosync::backends
