#include "core/content/range_set.h"

#include <catch2/catch.hpp>

using autosync::content::ByteSpan;
using autosync::content::RangeSet;

TEST_CASE("adding ranges merges overlapping and touching spans", "[ranges]") {
  RangeSet set;
  set.add(10, 20);
  set.add(30, 40);
  CHECK(set.spans() == std::vector<ByteSpan>{{10, 20}, {30, 40}});
  set.add(20, 30);  // touches both: one span
  CHECK(set.spans() == std::vector<ByteSpan>{{10, 40}});
  set.add(5, 12);
  set.add(38, 50);
  CHECK(set.spans() == std::vector<ByteSpan>{{5, 50}});
  set.add(60, 60);  // empty: ignored
  CHECK(set.total() == 45);
}

TEST_CASE("removing ranges splits spans", "[ranges]") {
  RangeSet set;
  set.add(0, 100);
  set.remove(10, 20);
  set.remove(90, 200);
  CHECK(set.spans() == std::vector<ByteSpan>{{0, 10}, {20, 90}});
  set.truncate(50);
  CHECK(set.spans() == std::vector<ByteSpan>{{0, 10}, {20, 50}});
  set.remove(0, 1000);
  CHECK(set.empty());
}

TEST_CASE("gaps are the missing parts of a request, in order", "[ranges]") {
  RangeSet set;
  set.add(10, 20);
  set.add(30, 40);
  CHECK(set.gaps(0, 50) == std::vector<ByteSpan>{{0, 10}, {20, 30}, {40, 50}});
  CHECK(set.gaps(12, 18).empty());
  CHECK(set.gaps(15, 35) == std::vector<ByteSpan>{{20, 30}});
  CHECK(set.gaps(40, 45) == std::vector<ByteSpan>{{40, 45}});
  CHECK(set.contains(10, 20));
  CHECK_FALSE(set.contains(10, 21));
  CHECK(set.contains(5, 5));
}
