#include "tools/ctl/session.h"

#include <fmt/format.h>

#include <ostream>

#include "core/cachedir/cache_dir.h"
#include "core/process/instance_lock.h"

namespace autosync::ctl {

int Session::fail(int code, std::string_view message) const {
  err << "autosyncctl: " << message << '\n';
  return code;
}

void Session::warn(std::string_view message) const {
  err << "autosyncctl: warning: " << message << '\n';
}

Daemon::Daemon(Target t)
    : target(std::move(t)), client(cachedir::Paths(target.cache_dir).control_socket()) {}

std::unique_ptr<Daemon> connect(const Session& session, int& code) {
  auto target = find_target(session.hints);
  if (!target) {
    code = session.fail(kExitFailed, target.status().message());
    return nullptr;
  }
  const cachedir::Paths paths(target->cache_dir);
  if (!process::InstanceLock::held(paths.syncd_lock())) {
    code = session.fail(kExitNoDaemon, fmt::format("autosyncd is not running for the cache {}",
                                                   paths.root.string()));
    return nullptr;
  }
  if (!std::filesystem::exists(paths.control_socket())) {
    code = session.fail(kExitNoDaemon, fmt::format("autosyncd runs but has no control socket at {}",
                                                   paths.control_socket().string()));
    return nullptr;
  }
  return std::make_unique<Daemon>(std::move(target).value());
}

std::unique_ptr<Daemon> connect_for(const Session& session, const std::optional<std::string>& path,
                                    std::string& rel, int& code, std::string_view what) {
  Session scoped = session;
  if (path && !scoped.hints.cache && !scoped.hints.mount) scoped.hints.path = *path;
  auto daemon = connect(scoped, code);
  if (!daemon || !path) return daemon;
  auto relative = mount_relative(daemon->target, *path);
  if (!relative) {
    const std::string prefix = what.empty() ? "" : std::string(what) + ": ";
    code = session.fail(kExitFailed, prefix + relative.status().message());
    return nullptr;
  }
  rel = *relative;
  return daemon;
}

std::unique_ptr<index::Index> open_index(const Session& session, const Target& target, int& code) {
  const cachedir::Paths paths(target.cache_dir);
  if (!std::filesystem::exists(paths.index())) {
    code = session.fail(kExitFailed, fmt::format("no cache index at {}", paths.index().string()));
    return nullptr;
  }
  index::IndexOptions options;
  options.pool.max_connections = 1;
  auto opened = index::Index::open(paths.index(), std::move(options));
  if (!opened) {
    code = session.fail(kExitFailed, opened.status().to_string());
    return nullptr;
  }
  return std::move(opened).value();
}

std::optional<syncd::Json> call(const Session& session, Daemon& daemon, std::string_view cmd,
                                syncd::Json arguments, int& code) {
  auto reply = daemon.client.call(cmd, std::move(arguments));
  if (reply) return std::move(reply).value();
  const bool silent = reply.status().is(ErrorKind::kTransient) || reply.status().is(ErrorKind::kIo);
  code = session.fail(silent ? kExitNoDaemon : kExitFailed,
                      fmt::format("{}: {}", cmd, reply.status().message()));
  return std::nullopt;
}

}  // namespace autosync::ctl
