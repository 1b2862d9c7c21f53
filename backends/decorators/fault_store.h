// Fault-injection decorator for tests: latency, errors and dropped connections on a schedule
// or at random, reproducibly.
//
// A FaultPlan is a list of rules. Each rule names the operations (and, optionally, the key
// prefix) it watches and counts the calls it sees (1-based, its own counter); it fires on
// the listed call numbers, or else with a probability per call drawn from the plan's seeded
// PRNG. When it fires it waits `delay`, then (if it has an error) fails the call in one of
// three ways:
//   kBeforeCall  the store is never reached (a refused or reset connection);
//   kAfterCall   the store did the work but the answer is lost (a timeout after commit);
//   kMidBody     get: part of the body reaches the sink, then the error (a connection
//                dropped mid-download; the body is buffered in memory to cut it). Other
//                calls treat it as kBeforeCall (an upload cut mid-body never commits).
// Examples:
//   "the 2nd and 3rd put fail kThrottled":
//       {.ops = {StoreOp::kPut}, .on_calls = {2, 3},
//        .error = Status::error(ErrorKind::kThrottled, "slow down")}
//   "10% of all calls fail kTransient 'connection reset', seed 42":
//       plan.seed = 42; {.probability = 0.1, .error = transient("connection reset")}
//   "every get waits 50 ms":  {.ops = {StoreOp::kGet}, .probability = 1, .delay = 50ms}
//   "a get delivers half its bytes then fails kTransient":
//       {.ops = {StoreOp::kGet}, .on_calls = {1}, .error = transient("connection reset"),
//        .timing = FaultTiming::kMidBody, .body_fraction = 0.5}
// Thread-safety: safe from many threads; one mutex guards the counters and the PRNG (the
// draws are reproducible when the calls arrive in a reproducible order). Owns `inner`.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "backends/object_store.h"

namespace autosync::backends {

enum class StoreOp {
  kHead,
  kGet,
  kPut,
  kRemove,
  kRemoveMany,
  kList,
  kCopy,
  kCreateMultipart,
  kUploadPart,
  kCompleteMultipart,
  kAbortMultipart,
  kListVersions,
  kListMultipartUploads,
};

std::string_view to_string(StoreOp op);

enum class FaultTiming { kBeforeCall, kAfterCall, kMidBody };

struct FaultRule {
  std::set<StoreOp> ops;               // operations this rule watches; empty = all of them
  std::vector<uint64_t> on_calls;      // fire on these calls (1-based, counted by this rule)
  double probability = 0.0;            // used when on_calls is empty: chance per call, 0..1
  std::chrono::milliseconds delay{0};  // latency added before the call
  std::optional<Status> error;         // how the call fails; none = only the delay
  FaultTiming timing = FaultTiming::kBeforeCall;
  double body_fraction = 0.5;  // kMidBody: share of the body delivered before the error
  std::string key_prefix{};    // only calls on keys starting with this ("": every key)
};

struct FaultPlan {
  std::vector<FaultRule> rules;
  uint64_t seed = 1;  // the PRNG behind `probability`; the same seed gives the same faults
  // How latency is spent; tests may record instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep = [](std::chrono::milliseconds delay) {
    std::this_thread::sleep_for(delay);
  };
};

std::unique_ptr<ObjectStore> with_faults(std::unique_ptr<ObjectStore> inner, FaultPlan plan);

}  // namespace autosync::backends
