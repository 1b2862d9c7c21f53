// upload(): one put for small objects, a parallel multipart upload for large ones.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

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

// Uploads every part of `plan` in parallel; the first failure, named by part, or the parts.
Result<std::vector<CompletedPart>> upload_parts(ObjectStore& store, std::string_view key,
                                                const std::string& upload_id,
                                                const ByteSource& data, const PartPlan& plan,
                                                unsigned concurrency) {
  std::vector<CompletedPart> parts(plan.part_count);
  auto failure = run_parallel(plan.part_count, concurrency, [&](size_t index) -> Status {
    const Part part = plan.part(index);
    const SliceSource slice(data, part.offset, part.length);
    auto uploaded = store.upload_part(key, upload_id, part.number, slice);
    if (!uploaded.is_ok()) return std::move(uploaded).take_status();
    parts[index] = std::move(uploaded).value();  // each task owns its own element
    parts[index].number = part.number;
    return {};
  });
  if (failure) {
    return std::move(failure->status)
        .context(fmt::format("upload {}: part {} of {}", key, failure->index + 1, plan.part_count));
  }
  return parts;
}

Result<ObjectInfo> upload_multipart(ObjectStore& store, std::string_view key,
                                    const ByteSource& data, const PutOptions& options,
                                    const TransferOptions& transfer) {
  const Capabilities& capabilities = store.capabilities();
  // Checked up front so that a condition the store cannot honour fails before the upload.
  if (!options.conditions.empty() && !capabilities.conditional_write) {
    return unsupported(
        fmt::format("upload {}: {} does not support conditional writes", key, store.describe()));
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const PartPlan plan,
                            plan_parts(data.size(), transfer.part_size, capabilities));
  PutOptions create_options = options;
  create_options.conditions = {};  // conditions belong to the final complete
  AUTOSYNC_ASSIGN_OR_RETURN(const std::string upload_id,
                            store.create_multipart(key, create_options));
  auto parts = upload_parts(store, key, upload_id, data, plan, transfer.concurrency);
  if (!parts.is_ok()) {
    abort_quietly(store, key, upload_id);
    return parts.status();
  }
  auto completed = store.complete_multipart(key, upload_id, *parts, options.conditions);
  if (!completed.is_ok()) {
    // Failed for good (e.g. the condition did not hold): its parts must not linger. If the
    // complete did land after all, the abort finds no upload and changes nothing.
    abort_quietly(store, key, upload_id);
    return std::move(completed).take_status().context(fmt::format("upload {}", key));
  }
  return completed;
}

}  // namespace

Result<ObjectInfo> upload(ObjectStore& store, std::string_view key, const ByteSource& data,
                          const PutOptions& options, const TransferOptions& transfer) {
  if (wants_multipart(data.size(), store.capabilities(), transfer)) {
    return upload_multipart(store, key, data, options, transfer);
  }
  return store.put(key, data, options);
}

}  // namespace autosync::backends
