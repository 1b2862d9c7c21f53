// TestServer: a real object-store server (s3rver or azurite from tests/servers/node_modules)
// run as a child process on 127.0.0.1 with a free port, for the lifetime of this object.
//
// The child gets PR_SET_PDEATHSIG so it dies with the test process even on a crash; the
// destructor stops it by pid (SIGTERM, then SIGKILL) and removes its data directory.
// Move-only; not thread-safe.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "tests/support/temp_dir.h"

namespace autosync::testing {

class TestServer {
 public:
  // s3rver with `bucket` configured; credentials S3RVER / S3RVER.
  static Result<TestServer> start_s3rver(const std::string& bucket);
  // azurite's blob service; account devstoreaccount1 with the emulator's well-known key.
  static Result<TestServer> start_azurite();

  TestServer(TestServer&& other) noexcept;
  TestServer& operator=(TestServer&&) = delete;
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
  ~TestServer();

  uint16_t port() const { return port_; }
  std::string endpoint() const;  // http://127.0.0.1:PORT
  // Stops the server (it can be started again on the same port and data with restart()).
  void stop();
  Status restart();

 private:
  TestServer(std::vector<std::string> argv, uint16_t port, std::unique_ptr<TempDir> data);
  Status launch();

  std::vector<std::string> argv_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::unique_ptr<TempDir> data_;
};

// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
uint16_t free_port();

// The emulator's documented development-storage account key (public; not a secret).
inline constexpr const char* kAzuriteAccount = "devstoreaccount1";
inline constexpr const char* kAzuriteKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

}  // namespace autosync::testing
