// autosyncctl's commands, one function each; each returns the process's exit code
// (session.h) and prints its result — JSON with --json, a table otherwise — on session.out.
// Files by group: cmd_status.cpp (status, queue), cmd_sync.cpp (flush, pause, resume,
// unmount), cmd_files.cpp (ls, pin, unpin, evict, gc), cmd_events.cpp (conflicts, watch),
// cmd_resolve.cpp (resolve), cmd_scan.cpp (scan), cmd_cache.cpp (cache set-limit),
// cmd_versions.cpp (versions, restore), cmd_fsck.cpp (fsck).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "tools/ctl/session.h"

namespace autosync::ctl {

int cmd_status(const Session& s);
int cmd_queue(const Session& s);

struct FlushArgs {
  std::optional<std::string> path;
  std::optional<std::chrono::milliseconds> timeout;  // none: wait as long as it takes
};
int cmd_flush(const Session& s, const FlushArgs& args);
int cmd_pause(const Session& s, bool pause);

struct UnmountArgs {
  std::string mountpoint;
  bool wait = false;
  std::optional<std::chrono::milliseconds> timeout;
};
int cmd_unmount(const Session& s, const UnmountArgs& args);

int cmd_ls(const Session& s, const std::optional<std::string>& path);
int cmd_pin(const Session& s, const std::vector<std::string>& paths, bool pin);
int cmd_evict(const Session& s, const std::vector<std::string>& paths);
int cmd_gc(const Session& s);

// cmd_events.cpp: the conflicts autosyncd recorded (unsettled ones, or `all`), from the
// index; and the daemon's events as they happen, until SIGINT/SIGTERM, `count` events
// (exit 1 if the timeout comes first) or `timeout`.
int cmd_conflicts(const Session& s, bool all);
struct WatchArgs {
  std::optional<uint64_t> count;
  std::optional<std::chrono::milliseconds> timeout;
};
int cmd_watch(const Session& s, const WatchArgs& args);

struct CheckArgs {
  std::string remote;
  std::vector<std::string> option_lists;  // each -o LIST
  std::optional<std::string> config_file;
};
int cmd_check(const Session& s, const CheckArgs& args);  // cmd_check.cpp

// cmd_resolve.cpp: settles the newest unsettled conflict PATH names (its path or its copy's)
// by keeping "local", "remote" or "both" (autosyncctl(1) says what each does).
struct ResolveArgs {
  std::string path;
  std::string keep;
};
int cmd_resolve(const Session& s, const ResolveArgs& args);

// cmd_scan.cpp: the remote watcher scans now (under PATH, or everything); waits for the
// scan (exit 1 if `timeout` comes first or the scan failed).
struct ScanArgs {
  std::optional<std::string> path;
  std::optional<std::chrono::milliseconds> timeout;
};
int cmd_scan(const Session& s, const ScanArgs& args);

// cmd_cache.cpp: cache set-limit SIZE (10G, 500M; at least 1M), as cache.size parses it.
int cmd_cache_set_limit(const Session& s, const std::string& size);

// cmd_versions.cpp: a file's versions (the store's, or this cache's history where the store
// keeps none), and making one of them the current content again.
int cmd_versions(const Session& s, const std::string& path);
struct RestoreArgs {
  std::string path;
  std::string version;
  bool force = false;  // drop local changes not on the store yet
};
int cmd_restore(const Session& s, const RestoreArgs& args);

// cmd_fsck.cpp: checks the cache (exit 1 when problems are found, or left by --repair).
int cmd_fsck(const Session& s, bool repair);

}  // namespace autosync::ctl
