// upload(): one put for small objects, a parallel multipart upload for large ones, which
// MultipartHooks make resumable.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <vector>

#include "backends/transfer/parallel.h"
#include "backends/transfer/part_plan.h"
#include "backends/transfer/transfer.h"

namespace autosync::backends {
namespace {

bool wants_multipart(uint64_t size, const Capabilities& capabilities,
                     const TransferOptions& transfer) {
  if (size == 0) return false;  // an empty object is always one put
  return size >= transfer.multipart_threshold || size > capabilities.max_single_put;
}

// Best effort: the upload already failed, so a failed abort is only worth a warning (the
// bucket's lifecycle rule is the last line of defence against orphaned parts).
void abort_quietly(ObjectStore& store, std::string_view key, const std::string& upload_id) {
  const Status aborted = store.abort_multipart(key, upload_id);
  if (!aborted.is_ok()) {
    spdlog::warn("upload {}: could not abort multipart upload {}: {}", key, upload_id,
                 aborted.to_string());
  }
}

// One multipart upload of `data` to `key`, new or resumed. Not thread-safe itself; the
// parts it sends run on run_parallel's threads.
class MultipartUpload {
 public:
  MultipartUpload(ObjectStore& store, std::string_view key, const ByteSource& data,
                  const PutOptions& options, const TransferOptions& transfer,
                  const MultipartHooks* hooks)
      : store_(store),
        key_(key),
        data_(data),
        options_(options),
        transfer_(transfer),
        hooks_(hooks) {}

  Result<ObjectInfo> run() {
    // Checked up front so that a condition the store cannot honour fails before the upload.
    if (!options_.conditions.empty() && !store_.capabilities().conditional_write) {
      return unsupported(fmt::format("upload {}: {} does not support conditional writes", key_,
                                     store_.describe()));
    }
    if (hooks_ != nullptr && hooks_->resume != nullptr) {
      std::optional<Result<ObjectInfo>> resumed = resume(*hooks_->resume);
      if (resumed) return std::move(*resumed);
    }
    return fresh();
  }

 private:
  // Continues `earlier`; nullopt when it cannot be (the caller starts a new upload).
  std::optional<Result<ObjectInfo>> resume(const MultipartResume& earlier) {
    auto plan = plan_parts(data_.size(), earlier.part_size, store_.capabilities());
    if (!plan.is_ok() || plan->part_size != earlier.part_size) {
      discard(earlier.upload_id);  // cut differently: its parts do not fit these bytes
      return std::nullopt;
    }
    std::vector<CompletedPart> parts(plan->part_count);
    for (const UploadedPart& done : earlier.parts) {
      if (done.number < 1 || static_cast<uint64_t>(done.number) > plan->part_count) continue;
      const Part part = plan->part(static_cast<uint64_t>(done.number) - 1);
      if (done.size != part.length || done.etag.empty()) continue;  // not this part: resend
      parts[part.number - 1] = CompletedPart{.number = done.number, .etag = done.etag};
    }
    spdlog::info("upload {}: resuming multipart upload {} ({} of {} parts on the store)", key_,
                 earlier.upload_id, earlier.parts.size(), plan->part_count);
    Status sent = send_parts(earlier.upload_id, *plan, parts);
    // The store no longer has the upload (expired, or aborted by someone): start over.
    if (sent.is(ErrorKind::kNotFound)) {
      discard(earlier.upload_id);
      return std::nullopt;
    }
    if (!sent.is_ok()) return give_up(earlier.upload_id, std::move(sent));
    auto completed = complete(earlier.upload_id, parts);
    if (completed.is_ok() || completed.status().is(ErrorKind::kPreconditionFailed) ||
        completed.status().retryable()) {
      return completed;
    }
    // Refused for good, e.g. parts the store dropped (an Azure blob committed meanwhile
    // discards its uncommitted blocks): the upload is aborted by complete(); start over.
    spdlog::info("upload {}: resumed upload {} could not complete ({}); starting over", key_,
                 earlier.upload_id, completed.status().to_string());
    return std::nullopt;
  }

  Result<ObjectInfo> fresh() {
    AUTOSYNC_ASSIGN_OR_RETURN(const PartPlan plan,
                              plan_parts(data_.size(), transfer_.part_size, store_.capabilities()));
    PutOptions create_options = options_;
    create_options.conditions = {};  // conditions belong to the final complete
    if (hooks_ != nullptr && hooks_->creating) {
      AUTOSYNC_RETURN_IF_ERROR(
          hooks_->creating().context(fmt::format("upload {}: record the intent", key_)));
    }
    AUTOSYNC_ASSIGN_OR_RETURN(const std::string upload_id,
                              store_.create_multipart(key_, create_options));
    if (hooks_ != nullptr && hooks_->started) {
      Status recorded = hooks_->started(upload_id, plan.part_size);
      if (!recorded.is_ok()) {
        abort_quietly(store_, key_, upload_id);  // an unrecorded upload would leak if we died
        return std::move(recorded).context(fmt::format("upload {}: record the upload", key_));
      }
    }
    std::vector<CompletedPart> parts(plan.part_count);
    Status sent = send_parts(upload_id, plan, parts);
    if (sent.is(ErrorKind::kNotFound)) {
      ended(upload_id);
      return vanished(upload_id, sent);
    }
    if (!sent.is_ok()) return give_up(upload_id, std::move(sent));
    Result<ObjectInfo> completed = complete(upload_id, parts);  // a failure is discarded
    if (completed.status().is(ErrorKind::kNotFound)) return vanished(upload_id, completed.status());
    return completed;
  }

  // The store no longer has the upload this run created: someone aborted it (see
  // MultipartHooks). A retry starts a new one.
  Status vanished(const std::string& upload_id, const Status& failure) {
    spdlog::info("upload {}: multipart upload {} vanished from the store: {}", key_, upload_id,
                 failure.to_string());
    return transient(fmt::format(
        "upload {}: multipart upload {} vanished from the store (aborted by another client?); "
        "a retry starts a new one: {}",
        key_, upload_id, failure.message()));
  }

  // Sends every part `parts` does not hold yet (number 0), in parallel, filling them in.
  Status send_parts(const std::string& upload_id, const PartPlan& plan,
                    std::vector<CompletedPart>& parts) {
    std::vector<uint64_t> missing;
    for (uint64_t i = 0; i < plan.part_count; ++i) {
      if (parts[i].number == 0) missing.push_back(i);
    }
    auto failure = run_parallel(missing.size(), transfer_.concurrency, [&](size_t task) -> Status {
      const Part part = plan.part(missing[task]);
      const SliceSource slice(data_, part.offset, part.length);
      auto uploaded = store_.upload_part(key_, upload_id, part.number, slice);
      if (!uploaded.is_ok()) return std::move(uploaded).take_status();
      CompletedPart& done = parts[missing[task]];  // each task owns its own element
      done = std::move(uploaded).value();
      done.number = part.number;
      if (hooks_ == nullptr || !hooks_->part_done) return {};
      return hooks_->part_done(
          upload_id, UploadedPart{.number = part.number, .etag = done.etag, .size = part.length});
    });
    if (!failure) return {};
    return std::move(failure->status)
        .context(fmt::format("upload {}: part {} of {}", key_, missing[failure->index] + 1,
                             plan.part_count));
  }

  Result<ObjectInfo> complete(const std::string& upload_id,
                              const std::vector<CompletedPart>& parts) {
    auto completed = store_.complete_multipart(key_, upload_id, parts, options_.conditions);
    if (completed.is_ok()) {
      ended(upload_id);
      return completed;
    }
    // Failed for good (e.g. the condition did not hold): its parts must not linger. If the
    // complete did land after all, the abort finds no upload and changes nothing.
    return give_up(upload_id,
                   std::move(completed).take_status().context(fmt::format("upload {}", key_)));
  }

  // A failed upload: kept on the store for the retry when that can resume it (hooks, and a
  // failure a retry may cure), else aborted.
  Status give_up(const std::string& upload_id, Status failure) {
    const bool resumable = hooks_ != nullptr && hooks_->started;
    if (resumable && failure.retryable()) {
      spdlog::info("upload {}: multipart upload {} kept for the retry", key_, upload_id);
      return failure;
    }
    discard(upload_id);
    return failure;
  }

  void discard(const std::string& upload_id) {
    abort_quietly(store_, key_, upload_id);
    ended(upload_id);
  }

  void ended(const std::string& upload_id) {
    if (hooks_ != nullptr && hooks_->ended) hooks_->ended(upload_id);
  }

  ObjectStore& store_;
  std::string_view key_;
  const ByteSource& data_;
  const PutOptions& options_;
  const TransferOptions& transfer_;
  const MultipartHooks* hooks_;
};

}  // namespace

Result<ObjectInfo> upload(ObjectStore& store, std::string_view key, const ByteSource& data,
                          const PutOptions& options, const TransferOptions& transfer,
                          const MultipartHooks* hooks) {
  if (wants_multipart(data.size(), store.capabilities(), transfer)) {
    return MultipartUpload(store, key, data, options, transfer, hooks).run();
  }
  if (hooks != nullptr && hooks->resume != nullptr) {  // small now: one put replaces it
    abort_quietly(store, key, hooks->resume->upload_id);
    if (hooks->ended) hooks->ended(hooks->resume->upload_id);
  }
  return store.put(key, data, options);
}

}  // namespace autosync::backends
