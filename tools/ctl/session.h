// One autosyncctl invocation: its global options, where it prints, and the ways to the
// cache — the daemon over the control socket (connect), or the index read directly
// (open_index, for commands that work without a daemon).
//
// Exit codes (autosyncctl(1)): 0 done; 1 failed (the daemon refused, a flush timed out or
// found failed rows, a file could not be read); 2 bad command line; 3 no autosyncd runs for
// the cache (or it does not answer).
//
// Threading: one thread. Ownership: a Session borrows its streams.
#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/index/index.h"
#include "syncd/control_client.h"
#include "tools/ctl/locate.h"

namespace autosync::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitNoDaemon = 3;

struct Session {
  TargetHints hints;
  bool json = false;
  std::ostream& out;
  std::ostream& err;

  // Prints "autosyncctl: MESSAGE" on err and returns `code`.
  int fail(int code, std::string_view message) const;
  // A one-line warning on err (the result still goes to out).
  void warn(std::string_view message) const;
};

struct Daemon {
  explicit Daemon(Target t);
  Target target;
  syncd::ControlClient client;
};

// The daemon of the target cache. On failure prints why and sets `code` (1: no target;
// 3: no daemon, or no control socket).
std::unique_ptr<Daemon> connect(const Session& session, int& code);

// connect() to the daemon of the mount that holds `path` (unless --cache or --mount names
// one), and `rel`: `path` as that mount names it ("" without a path). nullptr with `code`
// set otherwise; `what` ("scan") starts the message about a path outside the mount.
std::unique_ptr<Daemon> connect_for(const Session& session, const std::optional<std::string>& path,
                                    std::string& rel, int& code, std::string_view what = "");

// The target's cache index, opened for reading (no daemon needed). Prints and sets `code`.
std::unique_ptr<index::Index> open_index(const Session& session, const Target& target, int& code);

// A request to the daemon; on failure prints "CMD: reason" and sets `code` (3 when the
// daemon did not answer, else 1).
std::optional<syncd::Json> call(const Session& session, Daemon& daemon, std::string_view cmd,
                                syncd::Json arguments, int& code);

}  // namespace autosync::ctl
