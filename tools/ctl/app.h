// autosyncctl, the program: the command line (CLI11) in, one command run (commands.h), its
// exit code out (session.h lists them). main() is a one-line call of run_autosyncctl.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace autosync::ctl {

// `argv` includes the program name. Prints on `out` and `err`.
int run_autosyncctl(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

}  // namespace autosync::ctl
