#include "syncd/worker_pool.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "syncd/multipart_resume.h"

namespace autosync::syncd {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

int64_t to_ns(milliseconds ms) {
  return duration_cast<nanoseconds>(ms).count();
}

// A burst: rings less than upload_max_delay / kBurstGapDivisor apart.
constexpr int64_t kBurstGapDivisor = 4;

int64_t system_now_ns() {
  return duration_cast<nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Removes the object an unlinked inode still has on the store, if it is still that version.
index::JournalEntry delete_row_for(const SyncedInode& inode) {
  index::JournalEntry row;
  row.op = index::JournalOp::kDelete;
  row.ino = inode.ino;
  row.key = inode.remote.key;
  row.gen = inode.gen;
  row.base_etag = inode.remote.etag;
  return row;
}

// The sink of a pool nobody listens to (stateless, so one serves every pool).
events::EventSink& no_events() {
  static events::NullEventSink sink;
  return sink;
}

}  // namespace

WorkerPool::WorkerPool(index::Index& index, content::ContentStore& content,
                       backends::ObjectStore& store, WorkerOptions options, std::string worker_id)
    : WorkerPool(index, content, store, std::move(options), std::move(worker_id), no_events()) {}

WorkerPool::WorkerPool(index::Index& index, content::ContentStore& content,
                       backends::ObjectStore& store, WorkerOptions options, std::string worker_id,
                       events::EventSink& events)
    : index_(index),
      content_(content),
      store_(store),
      options_(std::move(options)),
      worker_id_(std::move(worker_id)),
      events_(events) {}

WorkerPool::~WorkerPool() {
  stop();
}

int64_t WorkerPool::now_ns() const {
  return options_.clock ? options_.clock() : system_now_ns();
}

Status WorkerPool::start() {
  if (running()) return invalid(fmt::format("worker pool {}: already running", worker_id_));
  const int64_t stale_before = now_ns() - to_ns(options_.stale_claim_after);
  AUTOSYNC_ASSIGN_OR_RETURN(const uint64_t requeued, index_.requeue_stale(stale_before));
  if (requeued > 0) spdlog::info("syncd {}: requeued {} stale journal rows", worker_id_, requeued);
  // Multipart uploads a killed daemon left that no pending row will resume cost storage on
  // the store until aborted. On a thread of its own: an unreachable store must not hold up
  // the workers (what it cannot abort waits for the next start).
  sweeper_ = std::jthread([this] {
    auto swept = sweep_multipart_uploads(index_, store_);
    if (!swept.is_ok()) {
      spdlog::warn("syncd {}: multipart sweep: {}", worker_id_, swept.status().to_string());
    } else if (*swept > 0) {
      spdlog::info("syncd {}: aborted {} multipart uploads left behind", worker_id_, *swept);
    }
  });
  const unsigned count = std::max(1U, options_.workers);
  for (unsigned i = 0; i < count; ++i) {
    threads_.emplace_back([this](const std::stop_token& stop) { run(stop); });
  }
  spdlog::info("syncd {}: {} workers on {}", worker_id_, count, store_.describe());
  return {};
}

void WorkerPool::stop() {
  for (auto& thread : threads_)
    thread.request_stop();
  threads_.clear();  // joins; a stop request also ends a worker's wait on work_cv_
  if (sweeper_.joinable()) sweeper_.join();
}

void WorkerPool::ring() {
  {
    const std::lock_guard lock(mu_);
    ++wakes_;
    note_held_rows();
    note_burst();
  }
  work_cv_.notify_all();
}

void WorkerPool::wake() {
  {
    const std::lock_guard lock(mu_);
    ++wakes_;
    note_held_rows();
    burst_until_ns_ = 0;
  }
  work_cv_.notify_all();
}

// A ring less than a burst's gap after the last one: uploads wait until the rings stop for
// that long (a look is scheduled for then).
void WorkerPool::note_burst() {
  const int64_t gap = to_ns(options_.upload_max_delay) / kBurstGapDivisor;
  const int64_t now = now_ns();
  if (gap > 0 && now - last_ring_ns_ < gap) {
    burst_until_ns_ = now + gap;
  }
  last_ring_ns_ = now;
}

// How old an upload must be to start now: any age outside a burst.
int64_t WorkerPool::upload_min_age_ns() const {
  const std::lock_guard lock(mu_);
  return now_ns() < burst_until_ns_ ? to_ns(options_.upload_max_delay) : 0;
}

// A ring may announce a metadata row the journal holds back for metadata_writeback_delay:
// someone must look again when that has passed. Rings close together share one look (a
// row waits at most an eighth of the delay longer), so the queue stays short.
void WorkerPool::note_held_rows() {
  const int64_t delay = to_ns(options_.metadata_writeback_delay);
  if (delay <= 0) return;
  const int64_t due = now_ns() + delay;
  if (!held_due_ns_.empty() && due - held_due_ns_.back() < delay / 8) {
    held_due_ns_.back() = due;
  } else {
    held_due_ns_.push_back(due);
  }
}

void WorkerPool::pause() {
  const std::lock_guard lock(mu_);
  paused_ = true;
}

void WorkerPool::resume() {
  {
    const std::lock_guard lock(mu_);
    paused_ = false;
    ++wakes_;
  }
  work_cv_.notify_all();
}

bool WorkerPool::paused() const {
  const std::lock_guard lock(mu_);
  return paused_;
}

void WorkerPool::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    uint64_t seen = 0;
    {
      std::unique_lock lock(mu_);
      work_cv_.wait(lock, stop, [this] { return !paused_; });
      if (stop.stop_requested()) return;
      seen = wakes_;  // read before claiming, so a ring during the claim is not lost
    }
    if (work_once()) continue;
    wait_for_work(stop, seen);
  }
}

void WorkerPool::wait_for_work(const std::stop_token& stop, uint64_t seen_wakes) {
  std::unique_lock lock(mu_);
  const int64_t now = now_ns();
  bool due = false;
  while (!held_due_ns_.empty() && held_due_ns_.front() <= now) {
    held_due_ns_.pop_front();
    due = true;
  }
  if (next_retry_ns_ <= now) {
    next_retry_ns_ = std::numeric_limits<int64_t>::max();
    due = true;
  }
  if (burst_until_ns_ != 0 && burst_until_ns_ <= now) {  // the burst is over
    burst_until_ns_ = 0;
    due = true;
  }
  if (due) {  // every worker looks: several rows may have come due at once
    ++wakes_;
    lock.unlock();
    work_cv_.notify_all();
    return;
  }
  int64_t next = next_retry_ns_;
  if (!held_due_ns_.empty()) next = std::min(next, held_due_ns_.front());
  if (burst_until_ns_ != 0) next = std::min(next, burst_until_ns_);
  milliseconds timeout = options_.rescan_interval;
  if (next != std::numeric_limits<int64_t>::max()) {
    const auto until_next = duration_cast<milliseconds>(nanoseconds(next - now));
    timeout = std::min(timeout, until_next + milliseconds(1));
  }
  work_cv_.wait_for(lock, stop, timeout, [&] { return wakes_ != seen_wakes; });
}

bool WorkerPool::work_once() {
  auto rows = index_.claim(worker_id_, now_ns(), 1, to_ns(options_.metadata_writeback_delay),
                           upload_min_age_ns());
  if (!rows.is_ok()) {
    spdlog::warn("syncd {}: claim: {}", worker_id_, rows.status().to_string());
    return false;
  }
  if (rows->empty()) return false;
  apply(rows->front());
  return true;
}

void WorkerPool::apply(const index::JournalEntry& row) {
  FollowUp follow_up;
  const int64_t wall_ns = system_now_ns();
  const OpContext ctx{.index = index_,
                      .content = content_,
                      .store = store_,
                      .transfer = options_.transfer,
                      .move_concurrency = options_.move_concurrency,
                      .conflicts = &options_.conflicts,
                      .follow_up = &follow_up,
                      .now_ns = wall_ns,
                      .client_id = options_.client_id};
  const auto started = std::chrono::steady_clock::now();
  OpResult result = run_journal_op(ctx, row);
  const auto elapsed = duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  record(row, std::move(result), elapsed.count(), follow_up);
  done_cv_.notify_all();
}

namespace {

// What a finished row tells listeners: the change reached the store.
events::Event outcome_event(const index::JournalEntry& row) {
  events::Event event{.kind = events::EventKind::kUploaded,
                      .ino = row.ino,
                      .parent = 0,
                      .name = {},
                      .path = row.key,
                      .detail = {},
                      .time_ns = 0};
  switch (row.op) {
    case index::JournalOp::kDelete:
    case index::JournalOp::kRmdirMarker:
      event.kind = events::EventKind::kRemoved;
      break;
    case index::JournalOp::kMove:
      event.kind = events::EventKind::kMoved;
      event.detail = row.src_key;
      break;
    case index::JournalOp::kUpload:
    case index::JournalOp::kMkdirMarker:
    case index::JournalOp::kSetMeta:
      break;
  }
  return event;
}

}  // namespace

void WorkerPool::record(const index::JournalEntry& row, OpResult result, int64_t elapsed_ms,
                        const FollowUp& follow_up) {
  const auto op = to_string(row.op);
  if (result.is_ok()) {
    std::vector<events::Event> published;
    Status recorded = record_success(row, *result, follow_up, published);
    if (recorded.is_ok()) {
      for (const auto& after : follow_up.after_commit)
        after();
      published.push_back(outcome_event(row));
      for (auto& event : published) {
        if (event.kind == events::EventKind::kConflict) {
          spdlog::warn("syncd: conflict on {}: {}", event.path, event.detail);
        }
        if (event.time_ns == 0) event.time_ns = system_now_ns();
        events_.publish(event);
      }
      spdlog::info("syncd: {} {} (row {}, ino {}, gen {}) done in {} ms", op, row.key, row.seq,
                   row.ino, row.gen, elapsed_ms);
      return;
    }
    // The store has the change but the index does not know: do the row again later.
    schedule_retry(row, std::move(recorded).context("record the result"));
    return;
  }
  const Status& error = result.status();
  if (error.retryable()) {
    schedule_retry(row, error);
    return;
  }
  spdlog::warn("syncd: {} {} (row {}) failed: {}", op, row.key, row.seq, error.to_string());
  if (Status s = index_.fail(row.seq, error.to_string()); !s.is_ok()) {
    spdlog::warn("syncd: row {}: mark failed: {}", row.seq, s.to_string());
  }
  events_.publish(events::Event{.kind = events::EventKind::kError,
                                .ino = row.ino,
                                .parent = 0,
                                .name = {},
                                .path = row.key,
                                .detail = error.to_string(),
                                .time_ns = system_now_ns()});
}

Status WorkerPool::record_success(const index::JournalEntry& row,
                                  const std::vector<SyncedInode>& synced, const FollowUp& follow_up,
                                  std::vector<events::Event>& published) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index_.write());
  for (const auto& inode : synced) {
    auto before = txn.get(inode.ino);
    auto marked = txn.mark_synced(inode.ino, inode.gen, inode.remote);
    if (!marked.is_ok() && !marked.status().is(ErrorKind::kNotFound)) {
      return std::move(marked).take_status();
    }
    // The object changed key (a move, or an upload under a new name that removed the old
    // object): rows journaled meanwhile at the old key follow it.
    if (marked.is_ok() && before.is_ok() && before->remote && marked->remote &&
        before->remote->key != marked->remote->key) {
      AUTOSYNC_RETURN_IF_ERROR(
          txn.rekey(inode.ino, before->remote->key, marked->remote->key, row.seq));
    }
    // A file unlinked (or purged) since the operation looked: its unlink found no object to
    // delete then, so this transaction, which an unlink cannot interleave with, journals it.
    // (A removed directory's rmdir row always removes its marker.)
    const bool file = !inode.remote.key.ends_with('/');
    if (file && (!marked.is_ok() || marked->nlink == 0)) {
      AUTOSYNC_RETURN_IF_ERROR(txn.enqueue(delete_row_for(inode)).status());
    }
  }
  if (row.op == index::JournalOp::kMove && row.src_key.ends_with('/')) {
    AUTOSYNC_RETURN_IF_ERROR(txn.rekey_after_move(row));  // also the rows of purged inodes
  }
  for (const auto& step : follow_up.in_txn)  // a conflict's resolution, versions seen
    AUTOSYNC_RETURN_IF_ERROR(step(txn, published));
  AUTOSYNC_RETURN_IF_ERROR(txn.finish(row.seq));
  return txn.commit();
}

void WorkerPool::schedule_retry(const index::JournalEntry& row, const Status& error) {
  const milliseconds delay = retry_delay(options_.backoff, row.attempts);
  const int64_t not_before = now_ns() + to_ns(delay);
  spdlog::warn("syncd: {} {} (row {}, attempt {}) retry in {} ms: {}", to_string(row.op), row.key,
               row.seq, row.attempts + 1, delay.count(), error.to_string());
  if (Status s = index_.retry_later(row.seq, error.to_string(), not_before); !s.is_ok()) {
    spdlog::warn("syncd: row {}: schedule retry: {}", row.seq, s.to_string());
    return;
  }
  const std::lock_guard lock(mu_);
  next_retry_ns_ = std::min(next_retry_ns_, not_before);
}

Status WorkerPool::drain(milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(const auto stats, index_.pending_stats());
    if (stats.count == 0) return {};
    if (std::chrono::steady_clock::now() >= deadline) {
      return transient(
          fmt::format("drain: {} rows still pending after {} ms", stats.count, timeout.count()));
    }
    wake();
    std::unique_lock lock(mu_);
    // Polls as well: rows may also be finished by another process sharing the index.
    done_cv_.wait_for(lock, milliseconds(20));
  }
}

}  // namespace autosync::syncd
