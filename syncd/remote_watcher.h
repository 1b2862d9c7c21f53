// RemoteWatcher: autosyncd's eye on the store — changes made there by other clients (another
// mount, s3fs, the console, a script) reach this cache without waiting for the mount to
// list a directory again.
//
// Every poll it lists, one level each, the directories the mount has listed (their index
// listing is complete) and reconciles each with the index exactly as the mount's own listing
// pass does (core/vfs/listing_reconcile.h): a new object under a known directory becomes an
// entry; a changed object of a clean file updates the inode's remote version and drops its
// stale cached ranges; a vanished object of a clean file (confirmed by a HEAD) loses its
// entry. Each change is published (kRemoteAdded / kRemoteChanged / kRemoteRemoved) with the
// kernel invalidations autosyncfs applies (kInvalidateEntry / kInvalidateInode).
// Left alone: dirty files (their upload's conditional write meets the conflict), names whose
// delete or move is journaled, and files open in the mount, whose change waits for the close
// (the next poll after it), so a reader keeps one version.
//
// Timing: every poll_interval; a poll that finds nothing doubles the wait up to
// poll_max_interval, any change resets it. Every full_scan_interval a pass also lists the
// known directories the mount never listed. A store that cannot be reached backs off the same
// way and publishes one kError per outage; the watcher never stops for it.
//
// Stale bytes: a changed file's ranges are forgotten at once (reads fetch the new version);
// its content file is truncated only while no mount uses the cache (`content_in_use`), as
// the mount may be writing it. Otherwise the old bytes stay on disk, unused, until the file
// is evicted or fetched again.
//
// Scans on request: request_scan() (autosyncctl scan, through the control socket) wakes the
// loop, which scans every directory the index knows at or under a path at once, whatever
// the interval, and keeps what it found for scan_result(). With poll_interval 0 the loop
// still runs, only for such requests.
//
// Threading: start() runs the loop on a thread of its own; stop() (or the destructor) ends
// it within a moment. scan() may be called directly instead (tests), from one thread at a
// time. request_scan() and scan_result() may be called from any thread. Ownership: borrows the
// index, content store, store and event sink; they must outlive the watcher.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backends/object_store.h"
#include "core/base/result.h"
#include "core/content/content_store.h"
#include "core/events/event.h"
#include "core/index/index.h"
#include "core/vfs/listing_reconcile.h"

namespace autosync::syncd {

struct RemoteWatcherOptions {
  std::chrono::milliseconds poll_interval{15'000};          // sync.poll_interval; 0 = no watcher
  std::chrono::milliseconds poll_max_interval{300'000};     // sync.poll_max_interval
  std::chrono::milliseconds full_scan_interval{3'600'000};  // sync.full_scan_interval; 0 = never
  vfs::ListingDefaults defaults;  // modes and owners of objects without metadata (as the mount)
  // Whether a mount may be writing the content store (then stale bytes are left in place).
  std::function<bool()> content_in_use = [] { return true; };
};

// What one scan found.
struct ScanReport {
  uint64_t dirs = 0;      // directories listed
  uint64_t added = 0;     // new entries
  uint64_t changed = 0;   // files that took a new remote version
  uint64_t removed = 0;   // entries gone with their objects
  uint64_t deferred = 0;  // changed files left for after their close
  bool found_changes() const { return added + changed + removed + deferred > 0; }
};

enum class ScanScope {
  kListed,  // the directories whose listing is complete (what the mount shows)
  kFull,    // every directory the index knows
};

// What a requested scan came to: still running, or done with its report or its error.
struct RequestedScan {
  bool done = false;
  Status status;  // the scan's error, when done and failed
  ScanReport report;
};

class RemoteWatcher {
 public:
  RemoteWatcher(index::Index& index, content::ContentStore& content, backends::ObjectStore& store,
                events::EventSink& events, RemoteWatcherOptions options);
  ~RemoteWatcher();  // stop()
  RemoteWatcher(const RemoteWatcher&) = delete;
  RemoteWatcher& operator=(const RemoteWatcher&) = delete;

  // One pass over the directories of `scope` at or under `under` ("" = all; a directory's
  // path, "a/b"). A store or index error ends it early and is returned (what was merged
  // before stays merged).
  Result<ScanReport> scan(ScanScope scope, std::string_view under = "");

  // Runs the loop on a thread of its own: polls every poll_interval (never when it is 0)
  // and serves requested scans.
  void start();
  void stop();

  // Asks the loop to scan every known directory at or under `under` ("" = all) now;
  // returns the request's number for scan_result.
  uint64_t request_scan(std::string under);
  // Request `id`'s outcome; kNotFound for a number never handed out or long forgotten (the
  // newest kKeptResults are kept).
  Result<RequestedScan> scan_result(uint64_t id);
  static constexpr size_t kKeptResults = 64;

  // The wait the loop uses after `previous` when the last poll found changes (or not): the
  // adaptive back-off, exposed for tests.
  static std::chrono::milliseconds next_interval(const RemoteWatcherOptions& options,
                                                 std::chrono::milliseconds previous, bool quiet);

 private:
  struct DirPass;  // remote_watcher_scan.cpp

  void run(const std::stop_token& stop);
  void serve_requests();
  void note_outcome(const Result<ScanReport>& outcome);

  // remote_watcher_scan.cpp
  Status scan_dir(index::Ino dir, std::string_view under, const std::set<std::string>& removing,
                  ScanReport& report);
  Status merge_page(DirPass& pass, const backends::ListPage& page,
                    const std::set<std::string>& removing, ScanReport& report);
  Status drop_vanished(DirPass& pass, ScanReport& report);
  void drop_stale_bytes(index::Ino ino);
  void publish(events::EventKind kind, index::Ino ino, index::Ino parent, std::string name,
               std::string path, std::string detail = "");
  int64_t next_epoch();

  index::Index& index_;
  content::ContentStore& content_;
  backends::ObjectStore& store_;
  events::EventSink& events_;
  const RemoteWatcherOptions options_;
  int64_t last_epoch_ = 0;  // scan()'s caller's thread only
  bool in_outage_ = false;  // the loop's thread only: a kError went out for this outage

  std::mutex mu_;                       // guards wake-ups of the loop and the requests
  std::condition_variable_any wakeup_;  // stop() and request_scan() end a wait early
  std::vector<std::pair<uint64_t, std::string>> requests_;  // GUARDED_BY(mu_): id, under
  std::map<uint64_t, RequestedScan> results_;               // GUARDED_BY(mu_)
  uint64_t last_request_ = 0;                               // GUARDED_BY(mu_)
  std::jthread thread_;                                     // last: stopped before the rest goes
};

}  // namespace autosync::syncd
