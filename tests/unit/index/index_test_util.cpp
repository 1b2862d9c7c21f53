#include "tests/unit/index/index_test_util.h"

#include <catch2/catch.hpp>

#include "tests/support/child_process.h"

namespace autosync::index::testing {

IndexFixture::IndexFixture() : file(dir.path() / "index.db") {
  reopen();
}

IndexOptions IndexFixture::options() {
  IndexOptions opts;
  opts.clock = clock.as_clock();
  return opts;
}

void IndexFixture::reopen() {
  index.reset();
  auto opened = Index::open(file, options());
  INFO(opened.status().to_string());
  REQUIRE(opened.is_ok());
  index = std::move(opened).value();
}

InodeRecord IndexFixture::mkfile(Ino parent, std::string_view name, uint64_t size) {
  auto rec = index->create(parent, name, file_spec(size));
  INFO(rec.status().to_string());
  REQUIRE(rec.is_ok());
  return *rec;
}

InodeRecord IndexFixture::mkdir(Ino parent, std::string_view name) {
  auto rec = index->create(parent, name, dir_spec());
  INFO(rec.status().to_string());
  REQUIRE(rec.is_ok());
  return *rec;
}

std::string run_in_child(const std::function<std::string()>& body,
                         const std::function<void()>& meanwhile) {
  const autosync::testing::ChildReport child = autosync::testing::run_in_child(body, meanwhile);
  if (child.exit_code != 0) return "exit " + std::to_string(child.exit_code);
  return child.output;
}

}  // namespace autosync::index::testing
