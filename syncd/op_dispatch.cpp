// Dispatch of journal rows to their operation, and the retry backoff.
#include <algorithm>

#include "syncd/journal_ops.h"
#include "syncd/worker_options.h"

namespace autosync::syncd {

OpResult run_journal_op(const OpContext& ctx, const index::JournalEntry& row) {
  switch (row.op) {
    case index::JournalOp::kUpload:
      return run_upload(ctx, row);
    case index::JournalOp::kDelete:
      return run_delete(ctx, row);
    case index::JournalOp::kMove:
      return run_move(ctx, row);
    case index::JournalOp::kMkdirMarker:
      return run_mkdir_marker(ctx, row);
    case index::JournalOp::kRmdirMarker:
      return run_rmdir_marker(ctx, row);
    case index::JournalOp::kSetMeta:
      return run_set_meta(ctx, row);
  }
  return internal("journal row with an unknown op");
}

std::string_view to_string(index::JournalOp op) {
  switch (op) {
    case index::JournalOp::kUpload:
      return "upload";
    case index::JournalOp::kDelete:
      return "delete";
    case index::JournalOp::kMove:
      return "move";
    case index::JournalOp::kMkdirMarker:
      return "mkdir";
    case index::JournalOp::kRmdirMarker:
      return "rmdir";
    case index::JournalOp::kSetMeta:
      return "setmeta";
  }
  return "unknown";
}

std::chrono::milliseconds retry_delay(const RetryBackoff& backoff, uint32_t attempts) {
  auto delay = backoff.initial;
  for (uint32_t i = 0; i < attempts && delay < backoff.max; ++i)
    delay *= 2;
  return std::min(delay, backoff.max);
}

}  // namespace autosync::syncd
