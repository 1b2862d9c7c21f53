// WorkerOptions: how autosyncd's upload workers run. Plain struct with documented defaults;
// copied into the WorkerPool.
#pragma once

#include <chrono>
#include <string>

#include "backends/transfer/transfer.h"
#include "core/index/index_options.h"
#include "syncd/conflict_policy.h"

namespace autosync::syncd {

// How long a row that failed with a retryable error waits before its next attempt:
// min(max, initial * 2^attempts), attempts counting the row's earlier failures.
struct RetryBackoff {
  std::chrono::milliseconds initial{1000};
  std::chrono::milliseconds max{std::chrono::minutes(5)};
};

struct WorkerOptions {
  unsigned workers = 4;  // threads claiming journal rows (at least 1)
  // Workers look at the journal this often even when no doorbell rang (a lost ring, rows
  // whose retry time came).
  std::chrono::milliseconds rescan_interval{5000};
  // On start, rows claimed longer ago than this (a crashed or stopped daemon's) are requeued.
  std::chrono::milliseconds stale_claim_after{std::chrono::minutes(10)};
  // sync.writeback_delay: a metadata-only row (directory marker, setmeta) waits this long
  // after it was journaled, so the chown, chmod and utimens that follow a mkdir or each other
  // merge into one request (the journal coalesces pending rows).
  std::chrono::milliseconds metadata_writeback_delay{1000};
  // sync.writeback_max_delay: an upload announced by a lone ring starts at once; while rings
  // come less than a quarter of this apart (a burst: files created one after another, a
  // log appended to), uploads wait until the rings pause that long, or until they are this
  // old. So work right after a burst (reading back what it wrote) does not compete with its
  // uploads, and a file closed again and again uploads once; a long burst (a tar) still
  // uploads as it goes, this far behind. 0: uploads never wait.
  std::chrono::milliseconds upload_max_delay{250};
  // Objects a directory move copies (and deletes) at once.
  unsigned move_concurrency = 8;
  backends::TransferOptions transfer;
  RetryBackoff backoff;
  // How a local change that meets a remote one is resolved, and who this client is
  // (sync.conflict_policy, sync.conflict_rules, sync.host, sync.priority).
  ConflictOptions conflicts;
  // This cache's client id, written into every upload (syncd/own_upload.h); "": none.
  std::string client_id;
  // Nanoseconds since the epoch for claims and retry times; empty = the system clock.
  index::Clock clock;
};

// The wait before retry number `attempts` + 1 of a row that failed `attempts` times before.
std::chrono::milliseconds retry_delay(const RetryBackoff& backoff, uint32_t attempts);

}  // namespace autosync::syncd
