#include "syncd/multipart_resume.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace autosync::syncd {

ResumableUpload::ResumableUpload(const OpContext& ctx, const index::InodeRecord& inode,
                                 const index::JournalEntry& row)
    : ctx_(ctx), inode_(inode), row_(row) {
  index::Index& index = ctx.index;
  hooks_.started = [&index, this](std::string_view upload_id, uint64_t part_size) {
    return index.add_multipart({.upload_id = std::string(upload_id),
                                .key = row_.key,
                                .ino = inode_.ino,
                                .gen = row_.gen,
                                .size = inode_.size,
                                .mtime_ns = inode_.mtime_ns,
                                .part_size = part_size,
                                .created_ns = 0,
                                .parts = {}});
  };
  hooks_.part_done = [&index](std::string_view upload_id, const backends::UploadedPart& part) {
    return index.add_multipart_part(upload_id,
                                    {.number = part.number, .etag = part.etag, .size = part.size});
  };
  hooks_.ended = [&index](std::string_view upload_id) {
    // Left behind, the record only costs the next sweep an abort the store answers "no such
    // upload" to.
    if (Status s = index.remove_multipart(upload_id); !s.is_ok()) {
      spdlog::warn("syncd: forget multipart upload {}: {}", upload_id, s.to_string());
    }
  };
}

// The same bytes as the upload began with: the row's generation, nothing written since
// (local_gen moves with every write and metadata change), and the same size and mtime.
bool ResumableUpload::resumable(const index::MultipartRecord& upload) const {
  return upload.key == row_.key && upload.gen == row_.gen && inode_.local_gen == row_.gen &&
         upload.size == inode_.size && upload.mtime_ns == inode_.mtime_ns && upload.part_size > 0;
}

Status ResumableUpload::prepare() {
  AUTOSYNC_ASSIGN_OR_RETURN(auto uploads, ctx_.index.multipart_uploads(inode_.ino));
  for (const auto& upload : uploads) {
    if (!resume_ && resumable(upload)) {
      backends::MultipartResume resume{
          .upload_id = upload.upload_id, .part_size = upload.part_size, .parts = {}};
      for (const auto& part : upload.parts) {
        resume.parts.push_back({.number = part.number, .etag = part.etag, .size = part.size});
      }
      resume_ = std::move(resume);
      continue;
    }
    spdlog::info("syncd: {} changed since multipart upload {} began: aborting it", row_.key,
                 upload.upload_id);
    (void)abort_recorded(ctx_.index, ctx_.store, upload);  // logged; the sweep tries again
  }
  if (resume_) hooks_.resume = &*resume_;
  return {};
}

Status abort_recorded(index::Index& index, backends::ObjectStore& store,
                      const index::MultipartRecord& upload) {
  Status aborted = store.abort_multipart(upload.key, upload.upload_id);
  if (aborted.is(ErrorKind::kUnsupported)) {
    // A store that cannot abort (some test servers) never will: asking again at every start
    // would change nothing.
    spdlog::warn("syncd: multipart upload {} of {} left on the store: {}", upload.upload_id,
                 upload.key, aborted.to_string());
  } else if (!aborted.is_ok() && !aborted.is(ErrorKind::kNotFound)) {
    spdlog::warn("syncd: abort multipart upload {} of {}: {}", upload.upload_id, upload.key,
                 aborted.to_string());
    return aborted;
  }
  return index.remove_multipart(upload.upload_id);
}

Result<size_t> sweep_multipart_uploads(index::Index& index, backends::ObjectStore& store) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto uploads, index.multipart_uploads(std::nullopt));
  size_t aborted = 0;
  for (const auto& upload : uploads) {
    AUTOSYNC_ASSIGN_OR_RETURN(const bool wanted,
                              index.upload_row_pending(upload.ino, upload.gen, upload.key));
    if (wanted) continue;  // its row resumes it (or aborts it, if the file changed)
    if (abort_recorded(index, store, upload).is_ok()) ++aborted;
  }
  return aborted;
}

}  // namespace autosync::syncd
