#include "backends/decorators/fault_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <type_traits>

#include "backends/decorators/forwarding_store.h"

namespace autosync::backends {
namespace {

// What the rules decided for one call.
struct Decision {
  std::chrono::milliseconds delay{0};
  std::optional<Status> error;
  FaultTiming timing = FaultTiming::kBeforeCall;
  double body_fraction = 0.5;
};

bool watches(const FaultRule& rule, StoreOp op, std::string_view key) {
  return (rule.ops.empty() || rule.ops.contains(op)) && key.starts_with(rule.key_prefix);
}

class FaultStore final : public ForwardingStore {
 public:
  FaultStore(std::unique_ptr<ObjectStore> inner, FaultPlan plan)
      : ForwardingStore(std::move(inner)),
        plan_(std::move(plan)),
        calls_seen_(plan_.rules.size(), 0),
        rng_(plan_.seed) {
    if (!plan_.sleep) plan_.sleep = FaultPlan{}.sleep;
  }

  Result<ObjectInfo> head(std::string_view key) override {
    return inject(StoreOp::kHead, key, [&] { return inner().head(key); });
  }
  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override;
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override {
    return inject(StoreOp::kPut, key, [&] { return inner().put(key, data, options); });
  }
  Status remove(std::string_view key) override {
    return inject(StoreOp::kRemove, key, [&] { return inner().remove(key); });
  }
  Result<std::vector<KeyError>> remove_many(std::span<const std::string> keys) override {
    return inject(StoreOp::kRemoveMany, "", [&] { return inner().remove_many(keys); });
  }
  Result<ListPage> list(const ListOptions& options) override {
    return inject(StoreOp::kList, options.prefix, [&] { return inner().list(options); });
  }
  Result<ObjectInfo> copy(std::string_view source, std::string_view dest,
                          const CopyOptions& options) override {
    return inject(StoreOp::kCopy, dest, [&] { return inner().copy(source, dest, options); });
  }
  Result<std::string> create_multipart(std::string_view key, const PutOptions& options) override {
    return inject(StoreOp::kCreateMultipart, key,
                  [&] { return inner().create_multipart(key, options); });
  }
  Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                    int part_number, const ByteSource& data) override {
    return inject(StoreOp::kUploadPart, key,
                  [&] { return inner().upload_part(key, upload_id, part_number, data); });
  }
  Result<ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                        std::span<const CompletedPart> parts,
                                        const Conditions& conditions) override {
    return inject(StoreOp::kCompleteMultipart, key,
                  [&] { return inner().complete_multipart(key, upload_id, parts, conditions); });
  }
  Status abort_multipart(std::string_view key, std::string_view upload_id) override {
    return inject(StoreOp::kAbortMultipart, key,
                  [&] { return inner().abort_multipart(key, upload_id); });
  }
  Result<VersionPage> list_versions(std::string_view key,
                                    std::string_view continuation_token) override {
    return inject(StoreOp::kListVersions, key,
                  [&] { return inner().list_versions(key, continuation_token); });
  }
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override {
    return inject(StoreOp::kListMultipartUploads, key,
                  [&] { return inner().list_multipart_uploads(key); });
  }

 private:
  Decision decide(StoreOp op, std::string_view key);
  template <typename Call>
  std::invoke_result_t<Call&> inject(StoreOp op, std::string_view key, Call&& call);
  static Status injected(const Status& error, StoreOp op, std::string_view key) {
    return Status(error).context(fmt::format("{} {}", to_string(op), key));
  }

  FaultPlan plan_;
  std::mutex mutex_;
  std::vector<uint64_t> calls_seen_;  // per rule; guarded by mutex_
  std::mt19937_64 rng_;               // guarded by mutex_
};

Decision FaultStore::decide(StoreOp op, std::string_view key) {
  const std::lock_guard lock(mutex_);
  Decision decision;
  for (size_t i = 0; i < plan_.rules.size(); ++i) {
    const FaultRule& rule = plan_.rules[i];
    if (!watches(rule, op, key)) continue;
    const uint64_t call = ++calls_seen_[i];
    bool fires = false;
    if (!rule.on_calls.empty()) {
      fires = std::find(rule.on_calls.begin(), rule.on_calls.end(), call) != rule.on_calls.end();
    } else {
      // 53 random bits as a double in [0, 1): the same on every platform for one seed.
      const double draw = std::ldexp(static_cast<double>(rng_() >> 11), -53);
      fires = draw < rule.probability;
    }
    if (!fires) continue;
    decision.delay += rule.delay;
    if (rule.error && !decision.error) {
      decision.error = rule.error;
      decision.timing = rule.timing;
      decision.body_fraction = rule.body_fraction;
    }
  }
  return decision;
}

template <typename Call>
std::invoke_result_t<Call&> FaultStore::inject(StoreOp op, std::string_view key, Call&& call) {
  const Decision decision = decide(op, key);
  if (decision.delay.count() > 0) plan_.sleep(decision.delay);
  if (!decision.error) return call();
  if (decision.timing == FaultTiming::kAfterCall) {
    auto lost = call();  // the store does the work; the caller never hears of it
    (void)lost;
  }
  return injected(*decision.error, op, key);
}

Result<ObjectInfo> FaultStore::get(std::string_view key, const GetOptions& options,
                                   ByteSink& sink) {
  const Decision decision = decide(StoreOp::kGet, key);
  if (decision.delay.count() > 0) plan_.sleep(decision.delay);
  if (!decision.error) return inner().get(key, options, sink);
  switch (decision.timing) {
    case FaultTiming::kBeforeCall:
      break;
    case FaultTiming::kAfterCall: {
      auto lost = inner().get(key, options, sink);
      (void)lost;
      break;
    }
    case FaultTiming::kMidBody: {
      BufferSink body;
      auto info = inner().get(key, options, body);
      if (!info.is_ok()) return info;  // a real failure beats the planned one
      const double share = std::clamp(decision.body_fraction, 0.0, 1.0);
      const auto delivered = static_cast<size_t>(static_cast<double>(body.data().size()) * share);
      AUTOSYNC_RETURN_IF_ERROR(sink.write_at(0, std::span(body.data()).first(delivered)));
      break;
    }
  }
  return injected(*decision.error, StoreOp::kGet, key);
}

}  // namespace

std::string_view to_string(StoreOp op) {
  switch (op) {
    case StoreOp::kHead:
      return "head";
    case StoreOp::kGet:
      return "get";
    case StoreOp::kPut:
      return "put";
    case StoreOp::kRemove:
      return "remove";
    case StoreOp::kRemoveMany:
      return "remove_many";
    case StoreOp::kList:
      return "list";
    case StoreOp::kCopy:
      return "copy";
    case StoreOp::kCreateMultipart:
      return "create_multipart";
    case StoreOp::kUploadPart:
      return "upload_part";
    case StoreOp::kCompleteMultipart:
      return "complete_multipart";
    case StoreOp::kAbortMultipart:
      return "abort_multipart";
    case StoreOp::kListVersions:
      return "list_versions";
    case StoreOp::kListMultipartUploads:
      return "list_multipart_uploads";
  }
  return "unknown";
}

std::unique_ptr<ObjectStore> with_faults(std::unique_ptr<ObjectStore> inner, FaultPlan plan) {
  return std::make_unique<FaultStore>(std::move(inner), std::move(plan));
}

}  // namespace autosync::backends
