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
// One window stays: a kill between the store's answer to create_multipart and the index's
// commit leaves an upload nobody recorded. It holds no part (none is sent before the record
// is durable), so it costs no storage; the bucket's lifecycle rule for incomplete multipart
// uploads is the backstop there.
//
// Threading: a ResumableUpload belongs to one journal row's run; its hooks are called from
// the transfer's threads (the index is safe from many threads). sweep_multipart_uploads may
// run beside the workers: it leaves every upload whose row is pending or running to that row,
// and aborting or forgetting an upload twice is harmless.
#pragma once

#include <optional>

#include "backends/transfer/transfer.h"
#include "syncd/journal_ops.h"

namespace autosync::syncd {

class ResumableUpload {
 public:
  ResumableUpload(const OpContext& ctx, const index::InodeRecord& inode,
                  const index::JournalEntry& row);
  ResumableUpload(const ResumableUpload&) = delete;
  ResumableUpload& operator=(const ResumableUpload&) = delete;

  // Reads the inode's recorded uploads: keeps the one this row may resume, aborts the rest.
  // Index errors only (an abort that fails is logged and left for the next sweep).
  Status prepare();
  const backends::MultipartHooks& hooks() const { return hooks_; }

 private:
  bool resumable(const index::MultipartRecord& upload) const;

  const OpContext& ctx_;
  const index::InodeRecord& inode_;
  const index::JournalEntry& row_;
  std::optional<backends::MultipartResume> resume_;
  backends::MultipartHooks hooks_;
};

// Aborts `upload` on the store and forgets it; kept (and the error returned) when the store
// could not be asked (it stays for the next try). An upload the store no longer has, or one
// on a store that cannot abort (kUnsupported: logged), is forgotten.
Status abort_recorded(index::Index& index, backends::ObjectStore& store,
                      const index::MultipartRecord& upload);

// Aborts and forgets every recorded upload no pending or running upload row can resume.
// Returns how many it aborted; failures to abort are logged and kept for the next sweep.
Result<size_t> sweep_multipart_uploads(index::Index& index, backends::ObjectStore& store);

}  // namespace autosync::syncd
