// Entry point of the contract suite: `contract_tests --backend NAME [catch options]`.
// Starts the backend (and its server) once, runs the tests, stops the server even when
// tests fail.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>
#include <cstdio>

#include "tests/contract/backend_fixture.h"

int main(int argc, char* argv[]) {
  Catch::Session session;
  std::string name = "local";
  using namespace Catch::clara;
  session.cli(session.cli() | Opt(name, "local|s3|azure")["--backend"]("backend to test"));
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;

  auto started = autosync::testing::Backend::start(name);
  if (!started.is_ok()) {
    std::fprintf(stderr, "contract_tests: cannot start backend %s: %s\n", name.c_str(),
                 started.status().to_string().c_str());
    return 2;
  }
  autosync::testing::set_backend(std::move(started).value());
  const int failed = session.run();
  autosync::testing::set_backend(nullptr);  // stops the server before exit
  return failed;
}
