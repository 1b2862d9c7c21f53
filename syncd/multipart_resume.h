// Resumable multipart uploads: autosyncd's side of backends::MultipartHooks.
//
// Every multipart upload a kUpload row starts is recorded in the index (multipart_records.h)
// before its first part is sent, and each part as the store takes it. When that row runs
// again — after a transient failure, or in the next daemon after a kill -9 — and the file is
// still the same bytes (same inode, journal generation, key, size and mtime, and nothing
// written since: local_gen is still the row's gen), the upload resumes: only the missing
// parts are sent. Any other recorded upload of the inode is aborted on the store and
// forgotten. At daemon start, sweep_multipart_uploads() aborts every recorded upload that no
// pending row can resume (its row finished, failed or was coalesced into a newer one).
//
// The upload's id reaches the index only after the store answered create_multipart: a kill
// in between, or an answer lost on the way (the store made the upload, we saw an error, and
// the retry layer may have sent the create again), would leave an upload nobody recorded.
// So an intent (index::MultipartIntent: key, inode, row, time) is made durable before the
// store is asked, and settled: the store's in-progress uploads of the key that no record
// knows and that began since the intent (and, once the answer arrived, no later than it),
// give or take kClockSkewMargin, are aborted; then the intent is forgotten. An intent is
// settled right after the answer (which catches the uploads of retried creates), by its
// row's next run (prepare(): a lost answer), and by the start sweep (a kill).
//
// Stores whose uploads do not exist before their first part (Azure:
// Capabilities::upload_listing kNotOnStore) need no intent. A store that cannot list uploads
// (s3rver) has its intents dropped (with a warning if no answer came); the bucket's lifecycle
// rule for incomplete uploads is the backstop there (such an upload holds no part: none is
// sent before the record is durable).
//
// The price: an upload of the same key that another client began within that window and
// has not completed is aborted too; its next upload_part or complete answers NoSuchUpload.
// Our own transfer meets that as a transient failure (transfer.h) and starts over on the
// row's retry. Two clients writing one key at once is a conflict anyway; the window is
// what keeps the chance small.
//
// Threading: a ResumableUpload belongs to one journal row's run; its hooks are called from
// the transfer's threads (the index is safe from many threads). sweep_multipart_uploads may
// run beside the workers: it leaves every upload and intent whose row is pending or running
// to that row, and aborting or forgetting an upload twice is harmless.
#pragma once

#include <chrono>
#include <optional>

#include "backends/transfer/transfer.h"
#include "syncd/journal_ops.h"

namespace autosync::syncd {

// How far behind ours the store's clock may be and an upload it began right after our
// intent still count as begun since the intent (and how far ahead, after the answer).
// Machines with NTP agree within a second; a store whose clock is minutes off still takes
// requests (S3 refuses requests only 15 minutes off), so a few minutes keep such an upload
// in the window. It is also how far before our create another client's upload of the same
// key may have begun and still be aborted: kept short for that.
inline constexpr std::chrono::minutes kClockSkewMargin{5};

class ResumableUpload {
 public:
  ResumableUpload(const OpContext& ctx, const index::InodeRecord& inode,
                  const index::JournalEntry& row);
  ResumableUpload(const ResumableUpload&) = delete;
  ResumableUpload& operator=(const ResumableUpload&) = delete;

  // Settles the inode's intents (settle_intent), reads its recorded uploads: keeps the one
  // this row may resume, aborts the rest. Index errors only (a store that fails is logged
  // and left for the next try or sweep).
  Status prepare();
  const backends::MultipartHooks& hooks() const { return hooks_; }

 private:
  bool resumable(const index::MultipartRecord& upload) const;
  Status note_intent();
  Status record_started(std::string_view upload_id, uint64_t part_size);

  const OpContext& ctx_;
  const index::InodeRecord& inode_;
  const index::JournalEntry& row_;
  std::optional<backends::MultipartResume> resume_;
  // This run's intent; set by hooks_.creating, read by hooks_.started (both on the thread
  // that runs the upload, one after the other).
  std::optional<int64_t> intent_id_;
  backends::MultipartHooks hooks_;
};

// Aborts `upload` on the store and forgets it; kept (and the error returned) when the store
// could not be asked (it stays for the next try). An upload the store no longer has, or one
// on a store that cannot abort (kUnsupported: logged), is forgotten.
Status abort_recorded(index::Index& index, backends::ObjectStore& store,
                      const index::MultipartRecord& upload);

// Settles `intent`: aborts the uploads of its key the store holds that no record knows and
// that began in its window (see above), then forgets it. Returns how many it aborted. A
// store that fails (listing or aborting) keeps the intent and returns the error; one that
// cannot list, or has nothing to list (kNotOnStore), drops it.
Result<size_t> settle_intent(index::Index& index, backends::ObjectStore& store,
                             const index::MultipartIntent& intent);

// Aborts and forgets every recorded upload no pending or running upload row can resume, and
// settles every intent no such row will settle. Returns how many uploads it aborted;
// failures are logged and kept for the next sweep.
Result<size_t> sweep_multipart_uploads(index::Index& index, backends::ObjectStore& store);

}  // namespace autosync::syncd
