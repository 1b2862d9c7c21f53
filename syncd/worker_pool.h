// WorkerPool: autosyncd's upload workers. Threads that claim journal rows from the cache
// index and apply them to the object store (journal_ops.h), then record the result: the
// row deleted and the inode's remote version updated in one index transaction, or the row
// put back for a later retry (retryable errors, exponential backoff), or failed for good
// (conflicts and other permanent errors, with the message in journal.last_error).
//
// The journal is the truth and the doorbell only a hint: workers wake on ring() (the
// doorbell pump calls it) and wake(), when a retry comes due, metadata_writeback_delay after
// a ring (the rows it announced may be held back that long), and every rescan_interval
// regardless, and when a burst of rings ends. During a burst uploads wait (upload_max_delay
// in worker_options.h); wake() ends such a wait (autosyncctl flush, drain()).
//
// Threading: start/stop/drain from one controlling thread; wake() from any thread. Each
// worker is a std::jthread; stop() joins them all: a row in flight finishes, and one that
// cannot is left claimed and requeued by the next start (requeue_stale). The index needs a
// connection per worker plus one per thread calling drain() (IndexOptions::pool).
// Ownership: borrows the index, content store, object store and event sink, which must
// outlive it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <limits>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backends/object_store.h"
#include "core/content/content_store.h"
#include "core/events/event.h"
#include "core/index/index.h"
#include "syncd/journal_ops.h"
#include "syncd/worker_options.h"

namespace autosync::syncd {

class WorkerPool {
 public:
  // Conflicts and their resolutions are published to `events` (kConflict, and the
  // invalidations for autosyncfs); the first form tells no one.
  WorkerPool(index::Index& index, content::ContentStore& content, backends::ObjectStore& store,
             WorkerOptions options, std::string worker_id);
  WorkerPool(index::Index& index, content::ContentStore& content, backends::ObjectStore& store,
             WorkerOptions options, std::string worker_id, events::EventSink& events);
  ~WorkerPool();  // stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Requeues stale claims (older than stale_claim_after), then starts the workers, and on a
  // thread of its own aborts the recorded multipart uploads no pending row will resume.
  // kInvalid when already running; index errors as the index reports them.
  Status start();
  // Stops and joins every worker. Idempotent.
  void stop();
  // The doorbell: the mount journaled something. Makes idle workers look at the journal; a
  // ring soon after another starts or extends a burst. Any thread; never blocks for long.
  void ring();
  // Makes idle workers look at the journal now, uploads held back for a burst included. Any
  // thread; never blocks for long.
  void wake();
  // Blocks until the journal has no pending or running rows (failed rows do not count), or
  // `timeout` passes: kTransient "drain: N rows still pending after T ms".
  Status drain(std::chrono::milliseconds timeout);

  bool running() const { return !threads_.empty(); }

  // autosyncctl pause / resume: while paused, workers claim no rows (rows in flight finish;
  // drain() then waits until resumed or timed out). Any thread.
  void pause();
  void resume();
  bool paused() const;

 private:
  void run(const std::stop_token& stop);
  bool work_once();  // claims and runs one row; false when none was ready
  void apply(const index::JournalEntry& row);
  void record(const index::JournalEntry& row, OpResult result, int64_t elapsed_ms,
              const FollowUp& follow_up);
  // Events to publish once the transaction committed go to `published`.
  Status record_success(const index::JournalEntry& row, const std::vector<SyncedInode>& synced,
                        const FollowUp& follow_up, std::vector<events::Event>& published);
  void schedule_retry(const index::JournalEntry& row, const Status& error);
  void wait_for_work(const std::stop_token& stop, uint64_t seen_wakes);
  void note_held_rows();  // with mu_ held
  void note_burst();      // with mu_ held
  int64_t upload_min_age_ns() const;
  int64_t now_ns() const;

  index::Index& index_;
  content::ContentStore& content_;
  backends::ObjectStore& store_;
  const WorkerOptions options_;
  const std::string worker_id_;
  events::EventSink& events_;

  mutable std::mutex mu_;  // guards the wake-up state below; never held while doing work
  std::condition_variable_any work_cv_;  // workers wait here (rings, retries due, stop)
  std::condition_variable_any done_cv_;  // drain() waits here (a row was recorded)
  uint64_t wakes_ = 0;                   // guarded by mu_: bumped by wake()
  bool paused_ = false;                  // guarded by mu_: pause() / resume()
  int64_t next_retry_ns_ = std::numeric_limits<int64_t>::max();  // guarded by mu_
  // guarded by mu_: when the metadata rows that rings announced come due, oldest first
  std::deque<int64_t> held_due_ns_;
  // guarded by mu_: the last ring, and until when uploads wait for the burst to end
  int64_t last_ring_ns_ = std::numeric_limits<int64_t>::min() / 2;
  int64_t burst_until_ns_ = 0;
  std::vector<std::jthread> threads_;  // only touched by start/stop (controlling thread)
  std::jthread sweeper_;  // start's multipart sweep (multipart_resume.h); start/stop only
};

}  // namespace autosync::syncd
