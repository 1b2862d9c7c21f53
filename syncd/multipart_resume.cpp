#include "syncd/multipart_resume.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <string>

namespace autosync::syncd {

namespace {

SystemTime time_of(int64_t ns) {
  return SystemTime{std::chrono::duration_cast<SystemTime::duration>(std::chrono::nanoseconds(ns))};
}

}  // namespace

ResumableUpload::ResumableUpload(const OpContext& ctx, const index::InodeRecord& inode,
                                 const index::JournalEntry& row)
    : ctx_(ctx), inode_(inode), row_(row) {
  index::Index& index = ctx.index;
  hooks_.creating = [this] { return note_intent(); };
  hooks_.started = [this](std::string_view upload_id, uint64_t part_size) {
    return record_started(upload_id, part_size);
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

Status ResumableUpload::note_intent() {
  intent_id_.reset();
  // Nothing exists on such a store before a part is sent, which comes after the record.
  if (ctx_.store.capabilities().upload_listing == backends::UploadListing::kNotOnStore) return {};
  AUTOSYNC_ASSIGN_OR_RETURN(const int64_t id,
                            ctx_.index.add_multipart_intent({.id = 0,
                                                             .key = row_.key,
                                                             .ino = inode_.ino,
                                                             .gen = row_.gen,
                                                             .journal_seq = row_.seq,
                                                             .created_ns = 0,
                                                             .upload_id = {},
                                                             .answered_ns = 0}));
  intent_id_ = id;
  return {};
}

Status ResumableUpload::record_started(std::string_view upload_id, uint64_t part_size) {
  const index::MultipartRecord record{.upload_id = std::string(upload_id),
                                      .key = row_.key,
                                      .ino = inode_.ino,
                                      .gen = row_.gen,
                                      .size = inode_.size,
                                      .mtime_ns = inode_.mtime_ns,
                                      .part_size = part_size,
                                      .created_ns = 0,
                                      .parts = {}};
  if (!intent_id_) return ctx_.index.add_multipart(record);
  AUTOSYNC_RETURN_IF_ERROR(ctx_.index.add_multipart_answer(*intent_id_, record));
  // Settled now: a create the retry layer sent twice (the first answer lost) made an upload
  // nobody will record. A failure here only leaves the intent for the next try or sweep.
  auto intents = ctx_.index.multipart_intents(inode_.ino);
  if (!intents.is_ok()) return {};
  for (const index::MultipartIntent& intent : *intents) {
    if (intent.id != *intent_id_) continue;
    auto settled = settle_intent(ctx_.index, ctx_.store, intent);
    if (!settled.is_ok()) {
      spdlog::info("syncd: {}: multipart intent kept for later: {}", row_.key,
                   settled.status().to_string());
    }
  }
  return {};
}

// The same bytes as the upload began with: the row's generation, nothing written since
// (local_gen moves with every write and metadata change), and the same size and mtime.
bool ResumableUpload::resumable(const index::MultipartRecord& upload) const {
  return upload.key == row_.key && upload.gen == row_.gen && inode_.local_gen == row_.gen &&
         upload.size == inode_.size && upload.mtime_ns == inode_.mtime_ns && upload.part_size > 0;
}

Status ResumableUpload::prepare() {
  // An earlier run's create whose answer never came (a lost answer, a kill) is settled
  // before this run creates anything.
  AUTOSYNC_ASSIGN_OR_RETURN(auto intents, ctx_.index.multipart_intents(inode_.ino));
  for (const index::MultipartIntent& intent : intents) {
    auto settled = settle_intent(ctx_.index, ctx_.store, intent);
    if (!settled.is_ok()) {
      spdlog::warn("syncd: {}: settle multipart intent {}: {}", row_.key, intent.id,
                   settled.status().to_string());
    }
  }
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

// An upload the store holds that this intent's create may have made: in its window, not
// its own answer, and recorded by nobody.
Result<bool> made_by(index::Index& index, const index::MultipartIntent& intent,
                     const backends::PendingUpload& upload) {
  if (upload.key != intent.key || upload.upload_id == intent.upload_id) return false;
  if (upload.initiated < time_of(intent.created_ns) - kClockSkewMargin) return false;
  if (intent.answered_ns != 0 && upload.initiated > time_of(intent.answered_ns) + kClockSkewMargin)
    return false;
  AUTOSYNC_ASSIGN_OR_RETURN(const bool recorded, index.multipart_recorded(upload.upload_id));
  return !recorded;  // a recorded one is its row's to resume, or the sweep's to abort
}

Result<size_t> settle_intent(index::Index& index, backends::ObjectStore& store,
                             const index::MultipartIntent& intent) {
  if (store.capabilities().upload_listing == backends::UploadListing::kNotOnStore) {
    AUTOSYNC_RETURN_IF_ERROR(index.remove_multipart_intent(intent.id));
    return size_t{0};
  }
  auto listed = store.list_multipart_uploads(intent.key);
  if (!listed.is_ok() && listed.status().is(ErrorKind::kUnsupported)) {
    // Asking again would change nothing.
    if (intent.answered_ns == 0) {
      spdlog::warn("syncd: {}: a multipart upload the store may have begun cannot be found: {}",
                   intent.key, listed.status().to_string());
    }
    AUTOSYNC_RETURN_IF_ERROR(index.remove_multipart_intent(intent.id));
    return size_t{0};
  }
  if (!listed.is_ok()) return std::move(listed).take_status();
  size_t aborted = 0;
  for (const backends::PendingUpload& upload : *listed) {
    AUTOSYNC_ASSIGN_OR_RETURN(const bool lost, made_by(index, intent, upload));
    if (!lost) continue;
    spdlog::info(
        "syncd: {}: aborting multipart upload {}, begun for a create whose answer never "
        "reached the index",
        intent.key, upload.upload_id);
    const Status s = store.abort_multipart(intent.key, upload.upload_id);
    if (s.is_ok() || s.is(ErrorKind::kNotFound)) {
      ++aborted;
    } else if (s.is(ErrorKind::kUnsupported)) {
      spdlog::warn("syncd: multipart upload {} of {} left on the store: {}", upload.upload_id,
                   intent.key, s.to_string());
    } else {
      return s;
    }
  }
  AUTOSYNC_RETURN_IF_ERROR(index.remove_multipart_intent(intent.id));
  return aborted;
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
  // After the records: an upload recorded by nobody now is one no record will claim.
  AUTOSYNC_ASSIGN_OR_RETURN(auto intents, index.multipart_intents(std::nullopt));
  for (const auto& intent : intents) {
    AUTOSYNC_ASSIGN_OR_RETURN(const bool wanted,
                              index.upload_row_pending(intent.ino, intent.gen, intent.key));
    if (wanted) continue;  // its row settles it before it creates another upload
    auto settled = settle_intent(index, store, intent);
    if (settled.is_ok()) {
      aborted += *settled;
    } else {
      spdlog::warn("syncd: settle multipart intent of {}: {}", intent.key,
                   settled.status().to_string());
    }
  }
  return aborted;
}

}  // namespace autosync::syncd
