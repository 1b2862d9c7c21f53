// Logging for the daemons: one spdlog logger writing plain lines (no colour codes) to
// stderr, which Background::ready() and spawn_daemon() point at the cache's log file.
// Call once at the start of main(), before any thread logs.
#pragma once

#include <string>

namespace autosync::process {

// `verbose`: debug lines too (autosyncfs -d).
void init_logging(const std::string& program, bool verbose);

}  // namespace autosync::process
