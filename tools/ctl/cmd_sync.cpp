// autosyncctl flush, pause, resume and unmount: steering the uploads.
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ostream>
#include <thread>

#include "tools/ctl/commands.h"

namespace autosync::ctl {
namespace {

using syncd::Json;
using Clock = std::chrono::steady_clock;

constexpr auto kFlushPoll = std::chrono::milliseconds(100);

struct FlushOutcome {
  int code = kExitOk;
  Json last;  // the daemon's last flush reply
};

// Polls "flush" until nothing under `path` is pending, the time is up, or uploads are paused.
FlushOutcome wait_for_flush(const Session& s, Daemon& daemon, const std::string& path,
                            std::optional<std::chrono::milliseconds> timeout) {
  const auto deadline = timeout ? Clock::now() + *timeout : Clock::time_point::max();
  FlushOutcome outcome;
  for (;;) {
    auto reply = call(s, daemon, "flush", Json{{"path", path}}, outcome.code);
    if (!reply) return outcome;
    outcome.last = *reply;
    const uint64_t pending = reply->value("pending", uint64_t{0});
    const uint64_t failed = reply->value("failed", uint64_t{0});
    const std::string what = path.empty() ? "the journal" : path;
    if (pending == 0 && failed == 0) return outcome;
    if (pending == 0) {
      outcome.code = s.fail(kExitFailed, fmt::format("flush: {} rows of {} failed for good "
                                                     "(autosyncctl queue shows why)",
                                                     failed, what));
      return outcome;
    }
    if (reply->value("paused", false)) {
      outcome.code = s.fail(kExitFailed, fmt::format("flush: uploads are paused with {} rows "
                                                     "pending (autosyncctl resume)",
                                                     pending));
      return outcome;
    }
    if (Clock::now() >= deadline) {
      outcome.code =
          s.fail(kExitFailed, fmt::format("flush: {} rows of {} still pending after {} ms", pending,
                                          what, timeout->count()));
      return outcome;
    }
    std::this_thread::sleep_for(kFlushPoll);
  }
}

int run_fusermount(const Session& s, const std::string& mountpoint) {
  const pid_t pid = ::fork();
  if (pid < 0) return s.fail(kExitFailed, "unmount: fork failed");
  if (pid == 0) {
    ::execlp("fusermount3", "fusermount3", "-u", mountpoint.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return kExitOk;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    return s.fail(kExitFailed, "unmount: fusermount3 not found");
  }
  return s.fail(kExitFailed, fmt::format("unmount: fusermount3 -u {} failed", mountpoint));
}

}  // namespace

int cmd_flush(const Session& s, const FlushArgs& args) {
  int code = kExitOk;
  std::string path;
  auto daemon = connect_for(s, args.path, path, code);
  if (!daemon) return code;
  const FlushOutcome outcome = wait_for_flush(s, *daemon, path, args.timeout);
  if (s.json && outcome.last.is_object()) {
    Json out = outcome.last;
    out["flushed"] = outcome.code == kExitOk;
    out["path"] = path;
    s.out << out.dump(2) << '\n';
  } else if (outcome.code == kExitOk) {
    s.out << "flushed: " << (path.empty() ? "everything" : path) << " is on the store\n";
  }
  return outcome.code;
}

int cmd_pause(const Session& s, bool pause) {
  int code = kExitOk;
  auto daemon = connect(s, code);
  if (!daemon) return code;
  auto reply = call(s, *daemon, pause ? "pause" : "resume", Json::object(), code);
  if (!reply) return code;
  if (s.json) {
    s.out << reply->dump(2) << '\n';
  } else {
    s.out << (pause ? "uploads paused (rows in flight finish)\n" : "uploads resumed\n");
  }
  return kExitOk;
}

int cmd_unmount(const Session& s, const UnmountArgs& args) {
  Session scoped = s;
  scoped.hints = TargetHints{.cache = std::nullopt, .mount = args.mountpoint, .path = std::nullopt};
  int code = kExitOk;
  auto daemon = connect(scoped, code);
  if (daemon && args.wait) {
    const FlushOutcome flushed = wait_for_flush(s, *daemon, "", args.timeout);
    if (flushed.code != kExitOk) return s.fail(flushed.code, "not unmounted");
  } else if (daemon) {
    auto reply = call(s, *daemon, "flush", Json{{"path", ""}}, code);
    const uint64_t pending = reply ? reply->value("pending", uint64_t{0}) : 0;
    if (pending > 0) {
      s.warn(
          fmt::format("{} uploads pending; autosyncd finishes them after the unmount "
                      "(--wait to wait for them first)",
                      pending));
    }
  } else if (code == kExitFailed) {
    return code;  // not an autosync mount
  }
  // code 3 (no daemon): unmounting is still what was asked; the journal waits for a daemon.
  code = run_fusermount(s, daemon ? daemon->target.mountpoint->string() : args.mountpoint);
  if (code == kExitOk && !s.json) s.out << "unmounted " << args.mountpoint << '\n';
  if (code == kExitOk && s.json) s.out << Json{{"unmounted", args.mountpoint}}.dump(2) << '\n';
  return code;
}

}  // namespace autosync::ctl
