// autosyncfs, the program: the command line in, a served mount out.
//
// Start-up, in order, each failure one line on stderr and a non-zero exit before anything is
// mounted: parse the arguments and load the Options; check the mountpoint; detach into the
// background (unless -f), still reporting to the terminal; lock the cache directory (one
// mount per cache); open the cache index and content store; open the object store and make
// one request to it (wrong credentials, a missing bucket or an unreachable server are told
// now — except that a store that cannot be reached is served offline from a warm cache);
// start autosyncd for this cache if none runs; mount; tell the terminal we are up.
// Then serve until unmounted (fusermount3 -u, umount) or SIGINT/SIGTERM/SIGHUP, while a
// watchdog restarts autosyncd if it dies.
//
// Exit codes: 0 mounted (and, in the foreground, cleanly unmounted); 1 could not mount or
// serve; 2 bad command line or options.
#pragma once

#include <string>
#include <vector>

namespace autosync::fs {

// `argv` includes the program name.
int run_autosyncfs(const std::vector<std::string>& argv);

}  // namespace autosync::fs
