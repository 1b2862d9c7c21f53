// Watchdog: turns a hung fuse_tests run into a failed one instead of a wedged machine.
//
// The tests serve the mount from the same process that uses it. If a test hangs (a FUSE
// deadlock) and the process is then killed, a thread waiting on a request its own dead
// worker had read never wakes, the process never exits, and the mount stays. So a
// watchdog thread, after `limit`, aborts the FUSE connection of every mount whose source
// (fsname) is this run's, detaches those mounts, and exits the process with status 3.
//
// By hand, the same rescue for a wedged mount M: `mount -t fusectl none
// /sys/fs/fuse/connections` (if needed), `echo 1 > /sys/fs/fuse/connections/N/abort` where
// N is the minor device number of M in /proc/self/mountinfo, then `umount -l M`.
//
// Threading: one thread of its own; the destructor stops it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace autosync::testing {

class Watchdog {
 public:
  Watchdog(std::chrono::seconds limit, std::string fsname);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void watch(std::chrono::seconds limit);

  const std::string fsname_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;
};

// Aborts the connection of, lazily unmounts, and removes the (empty) mount point of every
// FUSE mount whose source is `fsname`. Touches no file inside those mounts, so it works
// when they hang. Returns how many mounts it found.
int abort_fuse_mounts(const std::string& fsname);

}  // namespace autosync::testing
