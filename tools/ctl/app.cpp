#include "tools/ctl/app.h"

#include <CLI/CLI.hpp>
#include <functional>
#include <ostream>

#include "core/config/units.h"
#include "tools/ctl/commands.h"

namespace autosync::ctl {
namespace {

constexpr const char* kDescription =
    "autosyncctl: see and steer an AutoSync cache and its autosyncd (see autosyncctl(1)).\n"
    "Exit codes: 0 ok, 1 failed, 2 bad command line, 3 autosyncd not running.";

struct Parsed {
  std::optional<std::string> cache, mount, path, timeout, config;
  std::string file, version;  // versions, restore
  bool force = false;
  std::vector<std::string> option_lists;
  std::string remote;
  std::vector<std::string> paths;
  std::string mountpoint;
  std::string keep;
  std::string size;
  bool json = false, wait = false, all = false, repair = false;
  std::optional<uint64_t> count;
  std::function<int(const Session&)> run;
};

// Options every command takes, given before or after the command's name.
void add_globals(CLI::App& app, Parsed& p) {
  app.add_option("--cache", p.cache, "the cache directory to work on")->type_name("DIR");
  app.add_option("--mount", p.mount, "the autosync mount to work on")->type_name("MOUNTPOINT");
  app.add_flag("--json", p.json, "print JSON instead of a table");
}

std::optional<std::chrono::milliseconds> timeout_of(const Parsed& p, int& code, const Session& s) {
  if (!p.timeout) return std::nullopt;
  auto parsed = config::parse_duration(*p.timeout);
  if (!parsed) {
    code = s.fail(kExitUsage, "--timeout: " + parsed.status().message());
    return std::nullopt;
  }
  return *parsed;
}

// A command's run that first parses --timeout (exit 2 when it is bad), then calls `run`.
using TimedRun =
    std::function<int(const Session&, std::optional<std::chrono::milliseconds> timeout)>;
std::function<int(const Session&)> with_timeout(Parsed& p, TimedRun run) {
  return [&p, run = std::move(run)](const Session& s) {
    int code = kExitOk;
    auto timeout = timeout_of(p, code, s);
    if (code != kExitOk) return code;
    return run(s, timeout);
  };
}

void add_versions_commands(CLI::App& app, Parsed& p) {
  auto* versions = app.add_subcommand("versions", "a file's versions on the store");
  versions->add_option("PATH", p.file, "a file in the mount")->required();
  versions->callback([&p] { p.run = [&p](const Session& s) { return cmd_versions(s, p.file); }; });
  auto* restore = app.add_subcommand("restore", "make an older version the current content");
  restore->add_option("PATH", p.file, "a file in the mount")->required();
  restore->add_option("--version", p.version, "the version id (autosyncctl versions lists them)")
      ->type_name("V")
      ->required();
  restore->add_flag("--force", p.force, "drop local changes not on the store yet");
  restore->callback([&p] {
    p.run = [&p](const Session& s) {
      return cmd_restore(s, RestoreArgs{.path = p.file, .version = p.version, .force = p.force});
    };
  });
}

void add_commands(CLI::App& app, Parsed& p) {
  app.add_subcommand("status", "the remote, the queue, the cache and the last error")
      ->callback([&p] { p.run = [](const Session& s) { return cmd_status(s); }; });
  app.add_subcommand("queue", "the journal: changes still to make on the store")->callback([&p] {
    p.run = [](const Session& s) { return cmd_queue(s); };
  });
  auto* flush = app.add_subcommand("flush", "wait until everything (or PATH) is on the store");
  flush->add_option("PATH", p.path, "a file or directory in the mount");
  flush->add_option("--timeout", p.timeout, "give up after this long (30s, 5m)")
      ->type_name("DURATION");
  flush->callback([&p] {
    p.run = with_timeout(p, [&p](const Session& s, auto timeout) {
      return cmd_flush(s, FlushArgs{.path = p.path, .timeout = timeout});
    });
  });
  app.add_subcommand("pause", "workers take no new uploads")->callback([&p] {
    p.run = [](const Session& s) { return cmd_pause(s, true); };
  });
  app.add_subcommand("resume", "workers upload again")->callback([&p] {
    p.run = [](const Session& s) { return cmd_pause(s, false); };
  });
  auto* ls = app.add_subcommand("ls", "cache and sync state per file (no daemon needed)");
  ls->add_option("PATH", p.path, "a file or directory in the mount");
  ls->callback([&p] { p.run = [&p](const Session& s) { return cmd_ls(s, p.path); }; });
  for (const bool pin : {true, false}) {
    auto* cmd = app.add_subcommand(pin ? "pin" : "unpin",
                                   pin ? "download files or trees and keep them in the cache"
                                       : "let pinned files be evicted again");
    cmd->add_option("PATH", p.paths, "files or directories in the mount")->required();
    cmd->callback(
        [&p, pin] { p.run = [&p, pin](const Session& s) { return cmd_pin(s, p.paths, pin); }; });
  }
  auto* evict = app.add_subcommand("evict", "drop the cached bytes of clean files now");
  evict->add_option("PATH", p.paths, "files or directories in the mount")->required();
  evict->callback([&p] { p.run = [&p](const Session& s) { return cmd_evict(s, p.paths); }; });
  app.add_subcommand("gc", "remove content files no inode uses any more")->callback([&p] {
    p.run = [](const Session& s) { return cmd_gc(s); };
  });
  auto* conflicts =
      app.add_subcommand("conflicts", "conflicts autosyncd met and how it settled them");
  conflicts->add_flag("--all", p.all, "settled ones too (default: kept-both copies to look at)");
  conflicts->callback([&p] { p.run = [&p](const Session& s) { return cmd_conflicts(s, p.all); }; });
  auto* resolve = app.add_subcommand("resolve", "settle a kept-both conflict");
  resolve->add_option("PATH", p.path, "the conflicted file or its conflict copy")->required();
  resolve->add_option("--keep", p.keep, "which version stays: local, remote or both")
      ->required()
      ->check(CLI::IsMember({"local", "remote", "both"}));
  resolve->callback([&p] {
    p.run = [&p](const Session& s) {
      return cmd_resolve(s, ResolveArgs{.path = p.path.value_or(""), .keep = p.keep});
    };
  });
  auto* scan = app.add_subcommand("scan", "look for changes on the store now and wait for it");
  scan->add_option("PATH", p.path, "a directory (or file) in the mount");
  scan->add_option("--timeout", p.timeout, "give up after this long (30s, 5m)")
      ->type_name("DURATION");
  scan->callback([&p] {
    p.run = with_timeout(p, [&p](const Session& s, auto timeout) {
      return cmd_scan(s, ScanArgs{.path = p.path, .timeout = timeout});
    });
  });
  auto* cache = app.add_subcommand("cache", "the cache's settings");
  cache->require_subcommand(1);
  cache->fallthrough();
  auto* set_limit =
      cache->add_subcommand("set-limit", "change the cache size limit now, evicting clean data");
  set_limit->add_option("SIZE", p.size, "the new limit: 10G, 500M (at least 1M)")->required();
  set_limit->callback(
      [&p] { p.run = [&p](const Session& s) { return cmd_cache_set_limit(s, p.size); }; });
  auto* fsck = app.add_subcommand("fsck", "check the cache index against the content (no daemon)");
  fsck->add_flag("--repair", p.repair, "fix what is safe (not while the cache is mounted)");
  fsck->callback([&p] { p.run = [&p](const Session& s) { return cmd_fsck(s, p.repair); }; });
  auto* watch = app.add_subcommand("watch", "autosyncd's events as they happen");
  watch->add_option("--count", p.count, "stop after this many events")->type_name("N");
  watch->add_option("--timeout", p.timeout, "stop after this long (30s, 5m)")
      ->type_name("DURATION");
  watch->callback([&p] {
    p.run = with_timeout(p, [&p](const Session& s, auto timeout) {
      return cmd_watch(s, WatchArgs{.count = p.count, .timeout = timeout});
    });
  });
  auto* check = app.add_subcommand("check", "check options and credentials against the store");
  check->add_option("REMOTE", p.remote, "s3://B[/P], gs://B, azure://C or file:///DIR")->required();
  check->add_option("-o", p.option_lists, "options, as for autosyncfs")->type_name("LIST");
  check->add_option("--config", p.config, "the TOML config file")->type_name("FILE");
  check->callback([&p] {
    p.run = [&p](const Session& s) {
      return cmd_check(
          s,
          CheckArgs{.remote = p.remote, .option_lists = p.option_lists, .config_file = p.config});
    };
  });
  add_versions_commands(app, p);
  auto* unmount = app.add_subcommand("unmount", "unmount, warning about pending uploads");
  unmount->add_option("MOUNTPOINT", p.mountpoint, "the autosync mount")->required();
  unmount->add_flag("--wait", p.wait, "flush first; do not unmount if that fails");
  unmount->add_option("--timeout", p.timeout, "with --wait: give up after this long")
      ->type_name("DURATION");
  unmount->callback([&p] {
    p.run = with_timeout(p, [&p](const Session& s, auto timeout) {
      return cmd_unmount(
          s, UnmountArgs{.mountpoint = p.mountpoint, .wait = p.wait, .timeout = timeout});
    });
  });
}

}  // namespace

int run_autosyncctl(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  CLI::App app(kDescription, "autosyncctl");
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", "autosyncctl 0.1.0");
  Parsed p;
  add_globals(app, p);
  add_commands(app, p);
  std::vector<std::string> args(argv.rbegin(), argv.rend() - (argv.empty() ? 0 : 1));
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, out, err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  Session session{.hints = {}, .json = p.json, .out = out, .err = err};
  if (p.cache) session.hints.cache = *p.cache;
  if (p.mount) session.hints.mount = *p.mount;
  if (!p.run) return session.fail(kExitUsage, "no command given");
  try {
    return p.run(session);
  } catch (const std::exception& e) {  // a library's exception: one line, never an abort
    return session.fail(kExitFailed, e.what());
  }
}

}  // namespace autosync::ctl
