// The journal operations: each applies one claimed journal row to the object store and says
// which inodes the store now holds at which version. The WorkerPool records that and
// deletes the row in one index transaction, so a crash between the store write and the
// index update only repeats idempotent work.
//
// Conflicts (the object changed on the store since our base version) are resolved by the
// policy in OpContext::conflicts (conflict_resolve.h): the operation does the store's part
// and leaves the index's part in OpContext::follow_up, which the pool runs in the
// transaction that records the row. Without conflict options, or when a conflict cannot be
// resolved, it comes back as ErrorKind::kPreconditionFailed with a message starting
// "conflict:"; the pool fails the row and the object is left as the store has it.
// Retryable errors are Status::retryable().
// Threading: the functions are stateless; each call uses only its arguments (the index,
// content store and object store are safe from many threads).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "backends/object_store.h"
#include "backends/transfer/transfer.h"
#include "core/content/content_store.h"
#include "core/events/event.h"
#include "core/index/index.h"
#include "syncd/conflict_policy.h"

namespace autosync::syncd {

// Index work an operation leaves to the pool beyond "these inodes are synced" (a
// conflict's resolution, the versions seen): the `in_txn` steps run in the transaction that
// records the row (before the row is finished; an error rolls it all back and the row is
// retried) and may add events, which are published once that transaction committed, after
// the `after_commit` actions ran.
struct FollowUp {
  using Step = std::function<Status(index::WriteTxn&, std::vector<events::Event>&)>;
  std::vector<Step> in_txn;                         // in order
  std::vector<std::function<void()>> after_commit;  // in order
};

struct OpContext {
  index::Index& index;
  content::ContentStore& content;
  backends::ObjectStore& store;
  const backends::TransferOptions& transfer;
  unsigned move_concurrency = 8;  // objects a directory move copies at once
  // How conflicts are resolved; nullptr: they fail the row ("conflict: ...").
  const ConflictOptions* conflicts = nullptr;
  // Where an operation leaves its FollowUp (the pool's, one per row); nullptr: none wanted.
  FollowUp* follow_up = nullptr;
  // The wall clock for conflict names and records (nanoseconds since the epoch).
  int64_t now_ns = 0;
  // This cache's client id (cachedir::client_id), written into uploads; "": none written.
  std::string_view client_id;
};

// "Inode `ino` is on the store at `remote` as of local generation `gen`" (mark_synced).
struct SyncedInode {
  index::Ino ino = 0;
  uint64_t gen = 0;
  index::RemoteVersion remote;
};

using OpResult = Result<std::vector<SyncedInode>>;

OpResult run_upload(const OpContext& ctx, const index::JournalEntry& row);
OpResult run_delete(const OpContext& ctx, const index::JournalEntry& row);
OpResult run_move(const OpContext& ctx, const index::JournalEntry& row);
OpResult run_mkdir_marker(const OpContext& ctx, const index::JournalEntry& row);
OpResult run_rmdir_marker(const OpContext& ctx, const index::JournalEntry& row);
OpResult run_set_meta(const OpContext& ctx, const index::JournalEntry& row);

// Dispatches on row.op.
OpResult run_journal_op(const OpContext& ctx, const index::JournalEntry& row);

std::string_view to_string(index::JournalOp op);

}  // namespace autosync::syncd
