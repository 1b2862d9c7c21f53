// Entry point of stack_tests: `stack_tests --backend local|s3|azure [--writeback]
// [--s3fs-interop] [catch options]`. --writeback mounts with the kernel's write-back cache,
// as autosyncfs does by default. Starts the backend's test server, mounts the whole stack
// (stack_mount.h) at a fresh temp dir over a fresh cache, runs the tests through the kernel, and
// unmounts and stops the server when they end, pass or fail.
//
// Needs root and /dev/fuse: without them it fails, unless AUTOSYNC_ALLOW_NO_FUSE=1 says this
// machine cannot run FUSE tests (then it says SKIPPED and exits 77). --s3fs-interop runs the
// tests tagged [s3fs] and exits 77 with a SKIP line when s3fs is not installed.
// AUTOSYNC_FUSE_TEST_TIMEOUT=SECONDS (default 240) arms the watchdog (tests/fuse/watchdog.h).
// AUTOSYNC_FUSE_LOG=debug (or info, ...) shows the adapter's and the workers' logs.
#define CATCH_CONFIG_RUNNER
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <string>
#include <system_error>

#include "core/base/env.h"
#include "core/base/unique_fd.h"
#include "tests/fuse/watchdog.h"
#include "tests/stack/s3fs_mount.h"
#include "tests/stack/stack_fixture.h"

namespace {

constexpr int kSkipExit = 77;  // ctest's SKIP_RETURN_CODE for these tests

std::optional<std::string> why_fuse_is_unavailable() {
  autosync::UniqueFd fuse(::open("/dev/fuse", O_RDWR | O_CLOEXEC));
  if (!fuse.valid()) return "cannot open /dev/fuse: " + std::generic_category().message(errno);
  if (::geteuid() != 0) return std::string("the stack tests need root (chown, mounts)");
  return std::nullopt;
}

int run(Catch::Session& session, const std::string& name, bool writeback) {
  using namespace autosync::testing;
  StackContext context;
  context.mount_options.writeback_cache = writeback;
  auto started = StackBackend::start(name);
  if (!started.is_ok()) {
    std::fprintf(stderr, "stack_tests: cannot start backend %s: %s\n", name.c_str(),
                 started.status().to_string().c_str());
    return 2;
  }
  context.backend = std::move(started).value();
  auto mount = StackMount::open(context.backend->config(), context.cache_dir.path(),
                                context.mount_dir.path(), context.mount_options);
  if (!mount.is_ok()) {
    std::fprintf(stderr, "stack_tests: cannot mount: %s\n", mount.status().to_string().c_str());
    return 2;
  }
  context.mount = std::move(mount).value();
  set_stack(&context);
  if (writeback) {
    // Serving has begun once the root answers; then the kernel has said yes or no.
    struct stat st {};
    if (::stat(context.mount_dir.path().c_str(), &st) != 0 ||
        !context.mount->writeback_cache_active()) {
      std::fprintf(stderr, "stack_tests: the kernel did not take the write-back cache\n");
      set_stack(nullptr);
      return 2;
    }
  }
  const int failed = session.run();
  set_stack(nullptr);
  return failed;  // `context` unmounts, then stops the server
}

}  // namespace

int main(int argc, char* argv[]) {
  Catch::Session session;
  std::string name = "local";
  bool s3fs_interop = false;
  bool writeback = false;
  using namespace Catch::clara;
  session.cli(session.cli() | Opt(name, "local|s3|azure")["--backend"]("backend to test") |
              Opt(s3fs_interop)["--s3fs-interop"]("run the [s3fs] tests; skip without s3fs") |
              Opt(writeback)["--writeback"]("mount with the kernel write-back cache"));
  if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;

  if (const auto reason = why_fuse_is_unavailable()) {
    if (autosync::env_var("AUTOSYNC_ALLOW_NO_FUSE") == "1") {
      std::fprintf(stderr, "stack_tests: SKIPPED: %s (AUTOSYNC_ALLOW_NO_FUSE=1)\n",
                   reason->c_str());
      return kSkipExit;
    }
    std::fprintf(stderr, "stack_tests: %s; set AUTOSYNC_ALLOW_NO_FUSE=1 to skip\n",
                 reason->c_str());
    return 2;
  }
  if (s3fs_interop) {
    if (!autosync::testing::s3fs_installed()) {
      std::printf("SKIP: s3fs is not installed (apt-get install s3fs); interop not tested\n");
      return kSkipExit;
    }
    session.configData().testsOrTags = {"[s3fs]"};
  }
  const auto limit = autosync::env_var("AUTOSYNC_FUSE_TEST_TIMEOUT");
  const autosync::testing::Watchdog watchdog(std::chrono::seconds(limit ? std::stoi(*limit) : 240),
                                             autosync::testing::stack_fsname());
  if (const auto level = autosync::env_var("AUTOSYNC_FUSE_LOG")) {
    spdlog::set_level(spdlog::level::from_str(*level));
  } else {
    spdlog::set_level(spdlog::level::warn);
  }
  return run(session, name, writeback);
}
