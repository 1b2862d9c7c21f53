// autosyncd, the program: the sync daemon of one cache directory.
//
// It loads the same Options as the mount (REMOTE, -o lists, --config; the cache directory is
// cache.dir or its default), takes CACHE/syncd.lock (a second daemon for the same cache
// leaves at once, exit 0), opens the cache and the store, starts the upload workers, and
// listens on the doorbell CACHE/syncd.sock. It stays in the foreground: autosyncfs starts it
// detached, and a service manager can run it as is.
//
// It ends on SIGINT/SIGTERM/SIGHUP, letting the rows in flight finish; or once no mount holds
// the cache and the journal has had nothing pending for sync.idle_exit (--idle-exit D wins;
// default 30s; 0 = never) — so a write made just before an unmount is still uploaded, and
// no daemon lingers after.
//
// Exit codes: 0 clean end; 1 could not start or run; 2 bad command line or options.
#pragma once

#include <string>
#include <vector>

namespace autosync::syncd {

// `argv` includes the program name.
int run_autosyncd(const std::vector<std::string>& argv);

}  // namespace autosync::syncd
