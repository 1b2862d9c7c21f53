// Shorthands for the autosyncctl tests: run autosyncctl, parse its --json output, and a
// mounted CliFixture whose daemon runs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/cli/cli_fixture.h"

namespace autosync::testing {

// BUILD/bin/autosyncctl ARGS...
CommandResult ctl(std::vector<std::string> args);
// The JSON autosyncctl printed (a null json when it printed none that parses).
nlohmann::json json_of(const CommandResult& result);
// Mounts `f` and waits for its autosyncd to answer on the control socket.
void mount_with_daemon(CliFixture& f);
// Whether stderr is exactly one line starting with "autosyncctl: ".
bool one_error_line(const CommandResult& result);

}  // namespace autosync::testing
