// SyncdLauncher: makes sure an autosyncd uploads from this mount's cache.
//
// autosyncd holds CACHE/syncd.lock while it runs, so "is one running" is a lock probe, and
// a daemon that crashed is noticed at the next probe and started again. The daemon gets the
// mount's own REMOTE, -o lists and config file (it loads the same Options), plus the cache
// directory spelled out, and our environment (secrets given as env:NAME keep working).
// Two launchers racing is harmless: the second daemon finds the lock taken and leaves.
//
// The program: $AUTOSYNCD when set, else `autosyncd` beside our own executable, else the
// first `autosyncd` on PATH.
// Threading: ensure_running() may be called from any one thread at a time (the mount's
// watchdog). Ownership: copies what it needs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/result.h"
#include "core/config/config.h"

namespace autosync::fs {

class SyncdLauncher {
 public:
  SyncdLauncher(const config::CommandLine& command_line, const std::filesystem::path& cache_dir);

  // Starts autosyncd unless one holds the cache's lock. kNotFound when no autosyncd program
  // can be found; errors from starting it otherwise.
  Status ensure_running();

  // The command that would be run (for messages and tests).
  Result<std::vector<std::string>> command() const;

 private:
  config::CommandLine command_line_;
  std::filesystem::path cache_dir_;
};

// Where the autosyncd program is, by the rule above.
Result<std::filesystem::path> find_syncd_program();

}  // namespace autosync::fs
