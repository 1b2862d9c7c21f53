// Entry point of fuse_tests: `fuse_tests [--writeback] [catch options]`. Mounts one MemoryVfs
// at a fresh temp dir, runs the tests against it through the kernel, and unmounts when they
// end, pass or fail. Needs root and /dev/fuse: without them it fails, unless
// AUTOSYNC_ALLOW_NO_FUSE=1 says this machine cannot run FUSE tests (then it skips, exit 0).
// AUTOSYNC_FUSE_LOG=debug (or trace, info, ...) shows the adapter's log while debugging.
// AUTOSYNC_FUSE_TEST_TIMEOUT=SECONDS (default 120) arms the watchdog (watchdog.h).
#define CATCH_CONFIG_RUNNER
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

#include "core/base/env.h"
#include "core/base/unique_fd.h"
#include "tests/fuse/mount_fixture.h"
#include "tests/fuse/watchdog.h"

namespace {

std::optional<std::string> why_fuse_is_unavailable() {
  autosync::UniqueFd fuse(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
  if (!fuse.valid()) return "cannot open /dev/fuse: " + std::generic_category().message(errno);
  if (::geteuid() != 0) return std::string("the FUSE tests need root (chown, mounts)");
  return std::nullopt;
}

}  // namespace

int main(int argc, char* argv[]) {
  Catch::Session session;
  bool writeback = false;
  using namespace Catch::clara;
  session.cli(session.cli() |
              Opt(writeback)["--writeback"]("mount with the kernel writeback cache"));
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;

  if (const auto reason = why_fuse_is_unavailable()) {
    if (autosync::env_var("AUTOSYNC_ALLOW_NO_FUSE") == "1") {
      std::fprintf(stderr, "fuse_tests: SKIPPED: %s (AUTOSYNC_ALLOW_NO_FUSE=1)\n", reason->c_str());
      return 0;
    }
    std::fprintf(stderr, "fuse_tests: %s; set AUTOSYNC_ALLOW_NO_FUSE=1 to skip\n", reason->c_str());
    return 2;
  }
  const auto limit = autosync::env_var("AUTOSYNC_FUSE_TEST_TIMEOUT");
  const autosync::testing::Watchdog watchdog(std::chrono::seconds(limit ? std::stoi(*limit) : 120),
                                             autosync::testing::test_fsname());
  if (const auto level = autosync::env_var("AUTOSYNC_FUSE_LOG")) {
    spdlog::set_level(spdlog::level::from_str(*level));
  }
  auto mount = autosync::testing::FuseTestMount::create(writeback);
  if (!mount.is_ok()) {
    std::fprintf(stderr, "fuse_tests: cannot mount: %s\n", mount.status().to_string().c_str());
    return 2;
  }
  autosync::testing::set_fuse_mount(mount->get());
  const int failed = session.run();
  autosync::testing::set_fuse_mount(nullptr);
  return failed;  // `mount` unmounts on the way out
}
