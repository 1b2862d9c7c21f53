// InstanceLock: one holder at a time, across processes; gone with its holder.
#include "core/process/instance_lock.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "tests/support/child_process.h"
#include "tests/support/temp_dir.h"

using namespace autosync;
using autosync::process::InstanceLock;
using autosync::testing::run_in_child;
using autosync::testing::TempDir;

TEST_CASE("a second process cannot take a held lock and is told the holder's pid", "[lock]") {
  TempDir dir;
  const auto file = dir.path() / "mount.lock";
  CHECK_FALSE(InstanceLock::held(file));
  auto lock = InstanceLock::acquire(file);
  REQUIRE(lock.is_ok());
  CHECK(InstanceLock::holder(file) == std::optional<pid_t>(::getpid()));
  const auto report = run_in_child([&] {
    auto other = InstanceLock::acquire(file);
    if (other.is_ok()) return std::string("acquired");
    return std::string(other.status().kind() == ErrorKind::kAlreadyExists ? "busy: " : "error: ") +
           other.status().message() + (InstanceLock::held(file) ? " held" : " free");
  });
  CHECK(report.exit_code == 0);
  CHECK(report.output ==
        "busy: " + file.string() + " is in use by pid " + std::to_string(::getpid()) + " held");
}

TEST_CASE("a lock is free again once its holder is gone, even killed", "[lock]") {
  TempDir dir;
  const auto file = dir.path() / "syncd.lock";
  const auto report = run_in_child([&] {
    auto lock = InstanceLock::acquire(file);
    if (!lock.is_ok()) return std::string("not acquired");
    ::_exit(9);  // dies holding it, no destructor runs
    return std::string();
  });
  CHECK(report.exit_code == 9);
  CHECK_FALSE(InstanceLock::held(file));
  CHECK(InstanceLock::acquire(file).is_ok());
}

TEST_CASE("a lock file in a missing directory is an error, not a crash", "[lock]") {
  auto lock = InstanceLock::acquire("/nonexistent-dir/x.lock");
  REQUIRE_FALSE(lock.is_ok());
  CHECK(lock.status().kind() == ErrorKind::kNotFound);
}
