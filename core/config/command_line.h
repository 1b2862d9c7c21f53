// The programs' argument syntax, parsed into config::CommandLine (config.h) for load_options.
//
//   autosyncfs [REMOTE] [MOUNTPOINT] [-o LIST]... [-f] [-d] [--config FILE] [-h] [-V]
//   mount.autosyncfs REMOTE MOUNTPOINT [-sfnv] [-o LIST] [-t TYPE] [-N NS]   (from mount(8):
//                       there -f means "fake", and -s, -n, -v, -t, -N are mount(8)'s business)
//   autosyncd [REMOTE] [-o LIST]... [--config FILE] [--idle-exit DURATION] [-h] [-V]
//
// `-oLIST`, `--config=FILE`, `--idle-exit=D` and `--` (end of options) are accepted too.
// Pure functions; thread-compatible.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/config/config.h"

namespace autosync::config {

enum class Syntax {
  kMount,        // autosyncfs
  kMountHelper,  // autosyncfs run as mount.autosyncfs / mount.fuse.autosyncfs
  kDaemon,       // autosyncd
};

struct ParsedCommandLine {
  CommandLine command_line;
  bool help = false;
  bool version = false;
  bool fake = false;                     // mount -f: check everything, mount nothing
  std::optional<std::string> idle_exit;  // autosyncd --idle-exit, unparsed
};

// Which syntax a program called `argv0` speaks: kMountHelper when its file name starts with
// "mount.", else `otherwise`.
Syntax syntax_of(std::string_view argv0, Syntax otherwise);

// `args` excludes argv[0]. Errors are kInvalid, one line: "unknown option -x", "-o needs a
// value", "too many arguments: X".
Result<ParsedCommandLine> parse_command_line(std::span<const std::string> args, Syntax syntax);

}  // namespace autosync::config
