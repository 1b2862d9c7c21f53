#include "backends/decorators/retry_store.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>
#include <type_traits>

#include "backends/decorators/forwarding_store.h"
#include "core/base/crypto.h"

namespace autosync::backends {
namespace {

const Status& status_of(const Status& status) {
  return status;
}
template <typename T>
const Status& status_of(const Result<T>& result) {
  return result.status();
}

// The same error, its message saying how hard we tried; server details are kept.
Status note_attempts(const Status& last, int attempts) {
  Status out =
      Status::error(last.kind(), fmt::format("{} (after {} attempts)", last.message(), attempts));
  out.with_server_code(last.server_code())
      .with_http_status(last.http_status())
      .with_request_id(last.request_id());
  return out;
}

uint64_t seed_from(const RetryPolicy& policy) {
  if (policy.seed != 0) return policy.seed;
  const std::string bytes = random_bytes(sizeof(uint64_t));
  uint64_t seed = 0;
  std::memcpy(&seed, bytes.data(), std::min(bytes.size(), sizeof(seed)));
  return seed;
}

class RetryStore final : public ForwardingStore {
 public:
  RetryStore(std::unique_ptr<ObjectStore> inner, RetryPolicy policy)
      : ForwardingStore(std::move(inner)), policy_(std::move(policy)), rng_(seed_from(policy_)) {
    if (!policy_.sleep) policy_.sleep = RetryPolicy{}.sleep;
  }

  Result<ObjectInfo> head(std::string_view key) override {
    return run("head", key, [&](int) { return inner().head(key); });
  }
  Result<ObjectInfo> get(std::string_view key, const GetOptions& options, ByteSink& sink) override {
    // The sink is positional, so a retry simply writes the range again from offset 0.
    return run("get", key, [&](int) { return inner().get(key, options, sink); });
  }
  Result<ObjectInfo> put(std::string_view key, const ByteSource& data,
                         const PutOptions& options) override {
    return run("put", key, [&](int) { return inner().put(key, data, options); });
  }
  Status remove(std::string_view key) override {
    return run("remove", key, [&](int) { return inner().remove(key); });
  }
  Result<std::vector<KeyError>> remove_many(std::span<const std::string> keys) override {
    return run("remove_many", "", [&](int) { return inner().remove_many(keys); });
  }
  Result<ListPage> list(const ListOptions& options) override {
    return run("list", options.prefix, [&](int) { return inner().list(options); });
  }
  Result<ObjectInfo> copy(std::string_view source, std::string_view dest,
                          const CopyOptions& options) override {
    return run("copy", dest, [&](int) { return inner().copy(source, dest, options); });
  }
  Result<std::string> create_multipart(std::string_view key, const PutOptions& options) override {
    return run("create_multipart", key,
               [&](int) { return inner().create_multipart(key, options); });
  }
  Result<CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                    int part_number, const ByteSource& data) override {
    return run("upload_part", key,
               [&](int) { return inner().upload_part(key, upload_id, part_number, data); });
  }
  Result<ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                        std::span<const CompletedPart> parts,
                                        const Conditions& conditions) override {
    return run("complete_multipart", key, [&](int attempt) {
      return complete_once(key, upload_id, parts, conditions, attempt);
    });
  }
  Status abort_multipart(std::string_view key, std::string_view upload_id) override {
    return run("abort_multipart", key,
               [&](int) { return inner().abort_multipart(key, upload_id); });
  }
  Result<VersionPage> list_versions(std::string_view key,
                                    std::string_view continuation_token) override {
    return run("list_versions", key,
               [&](int) { return inner().list_versions(key, continuation_token); });
  }
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override {
    return run("list_multipart_uploads", key,
               [&](int) { return inner().list_multipart_uploads(key); });
  }

 private:
  // Calls `call(attempt)` until it succeeds, fails for good, or the attempts run out.
  template <typename Call>
  std::invoke_result_t<Call&, int> run(std::string_view op, std::string_view key, Call&& call);
  Result<ObjectInfo> complete_once(std::string_view key, std::string_view upload_id,
                                   std::span<const CompletedPart> parts,
                                   const Conditions& conditions, int attempt);
  std::chrono::milliseconds jittered_delay(int retry);

  RetryPolicy policy_;
  std::mutex rng_mutex_;
  std::mt19937_64 rng_;  // guarded by rng_mutex_
};

template <typename Call>
std::invoke_result_t<Call&, int> RetryStore::run(std::string_view op, std::string_view key,
                                                 Call&& call) {
  const int max_attempts = std::max(1, policy_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    auto result = call(attempt);
    const Status& status = status_of(result);
    if (status.is_ok() || !status.retryable()) return result;
    if (attempt >= max_attempts) {
      if (attempt == 1) return result;
      return note_attempts(status, attempt);
    }
    const std::chrono::milliseconds delay = jittered_delay(attempt - 1);
    spdlog::debug("{} {}: attempt {} of {} failed, retrying in {} ms: {}", op, key, attempt,
                  max_attempts, delay.count(), status.to_string());
    policy_.sleep(delay);
  }
}

Result<ObjectInfo> RetryStore::complete_once(std::string_view key, std::string_view upload_id,
                                             std::span<const CompletedPart> parts,
                                             const Conditions& conditions, int attempt) {
  auto completed = inner().complete_multipart(key, upload_id, parts, conditions);
  if (attempt == 1 || !completed.status().is(ErrorKind::kNotFound)) return completed;
  // NoSuchUpload on a retry: an earlier attempt completed the upload (which removes it) but
  // its answer was lost on the way back. The object under the key is the proof.
  auto object = inner().head(key);
  if (object.is_ok()) {
    spdlog::debug("complete_multipart {}: upload already completed by an earlier attempt", key);
    return object;
  }
  // A retryable head failure lets the loop try again; otherwise the upload really is gone.
  if (object.status().retryable()) return object;
  return completed;
}

std::chrono::milliseconds RetryStore::jittered_delay(int retry) {
  const int64_t ceiling = backoff_ceiling(policy_, retry).count();
  if (ceiling <= 0) return std::chrono::milliseconds{0};
  std::uniform_int_distribution<int64_t> pick(0, ceiling);
  const std::lock_guard lock(rng_mutex_);
  return std::chrono::milliseconds{pick(rng_)};
}

}  // namespace

std::chrono::milliseconds backoff_ceiling(const RetryPolicy& policy, int retry) {
  const double max_ms = static_cast<double>(std::max<int64_t>(0, policy.max_delay.count()));
  const double initial_ms = static_cast<double>(std::max<int64_t>(0, policy.initial_delay.count()));
  const double growth = std::pow(std::max(1.0, policy.multiplier), std::max(0, retry));
  // Compared as doubles first so a large exponent cannot overflow the integer conversion.
  const double ceiling = std::min(max_ms, initial_ms * growth);
  return std::chrono::milliseconds{static_cast<int64_t>(ceiling)};
}

std::unique_ptr<ObjectStore> with_retry(std::unique_ptr<ObjectStore> inner, RetryPolicy policy) {
  return std::make_unique<RetryStore>(std::move(inner), std::move(policy));
}

}  // namespace autosync::backends
