// The cache's client id: made once, the same for every process that asks, never silently
// replaced when the file is damaged.
#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/cachedir/cache_dir.h"
#include "tests/support/temp_dir.h"

using autosync::ErrorKind;
using autosync::cachedir::client_id;
using autosync::cachedir::Paths;

TEST_CASE("a cache's client id is made once and then always the same", "[cachedir]") {
  autosync::testing::TempDir tmp;
  const Paths paths(tmp.path());
  const auto first = client_id(paths);
  REQUIRE(first.is_ok());
  CHECK(first->size() == 32);
  CHECK(client_id(paths).value() == *first);

  autosync::testing::TempDir other;
  CHECK(client_id(Paths(other.path())).value() != *first);
}

TEST_CASE("threads asking for a new cache's client id all get the same one", "[cachedir]") {
  autosync::testing::TempDir tmp;
  const Paths paths(tmp.path());
  std::vector<std::string> ids(8);
  {
    std::vector<std::jthread> threads;
    for (auto& id : ids) threads.emplace_back([&] { id = client_id(paths).value(); });
  }
  CHECK(std::set<std::string>(ids.begin(), ids.end()).size() == 1);
}

TEST_CASE("a damaged client-id file is reported, not replaced", "[cachedir]") {
  autosync::testing::TempDir tmp;
  const Paths paths(tmp.path());
  std::ofstream(paths.client_id()) << "not an id\n";
  const auto id = client_id(paths);
  REQUIRE_FALSE(id.is_ok());
  CHECK(id.status().is(ErrorKind::kCorrupt));
}
