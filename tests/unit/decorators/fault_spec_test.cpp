// Unit tests for parse_fault_spec (AUTOSYNC_TEST_FAULTS) and the rules' key filter.
#include "backends/decorators/fault_spec.h"

#include <catch2/catch.hpp>

#include "tests/unit/transfer/memory_store.h"

namespace autosync::backends {
namespace {

using std::chrono::milliseconds;

std::string error_of(std::string_view spec) {
  auto plan = parse_fault_spec(spec);
  return plan ? std::string("(parsed)") : plan.status().message();
}

TEST_CASE("fault spec: every field parses into its rule") {
  auto plan = parse_fault_spec(
      "seed=7;op=put+copy,calls=1+3,error=throttled;op=get,p=0.25,delay=40ms,error=reset,"
      "timing=midbody;key=secret/,p=1,error=denied;op=put,p=1,delay=2s");
  INFO(plan.status().to_string());
  REQUIRE(plan.is_ok());
  CHECK(plan->seed == 7);
  REQUIRE(plan->rules.size() == 4);
  const FaultRule& throttle = plan->rules[0];
  CHECK(throttle.ops == std::set<StoreOp>{StoreOp::kPut, StoreOp::kCopy});
  CHECK(throttle.on_calls == std::vector<uint64_t>{1, 3});
  CHECK(throttle.error->kind() == ErrorKind::kThrottled);
  const FaultRule& reset = plan->rules[1];
  CHECK(reset.probability == 0.25);
  CHECK(reset.delay == milliseconds(40));
  CHECK(reset.error->kind() == ErrorKind::kTransient);
  CHECK(reset.timing == FaultTiming::kMidBody);
  const FaultRule& denied = plan->rules[2];
  CHECK(denied.ops.empty());
  CHECK(denied.key_prefix == "secret/");
  CHECK(denied.error->kind() == ErrorKind::kAccessDenied);
  CHECK_FALSE(plan->rules[3].error.has_value());
  CHECK(plan->rules[3].delay == milliseconds(2000));
}

TEST_CASE("fault spec: a mistake names the rule and the field") {
  CHECK(error_of("") == "rule 1: '': not NAME=VALUE");
  CHECK(error_of("op=put,error=reset") == "rule 1: give calls= or p=, one of them");
  CHECK(error_of("op=put,calls=1,p=1,error=reset") == "rule 1: give calls= or p=, one of them");
  CHECK(error_of("op=put,calls=1") == "rule 1: no error= and no delay=");
  CHECK(error_of("seed=1;op=putt,p=1,error=reset") == "rule 1: op=putt: unknown operation 'putt'");
  CHECK(error_of("op=put,p=1,error=reset;p=1.5,error=reset") ==
        "rule 2: p=1.5: not between 0 and 1");
  CHECK(error_of("p=1,error=gone") == "rule 1: error=gone: unknown error 'gone'");
  CHECK(error_of("p=1,delay=5") == "rule 1: delay=5: give a unit, ms or s");
  CHECK(error_of("calls=0,error=reset") == "rule 1: calls=0: calls count from 1");
  CHECK(error_of("p=1,error=reset,colour=red") ==
        "rule 1: colour=red: unknown field (op, key, calls, p, delay, error, timing)");
  CHECK(error_of("seed=x") == "seed=x: 'x' is not a number");
  CHECK(error_of("seed=3") == "no rules");
}

TEST_CASE("faults: a rule with a key prefix fires only on those keys, and counts only them") {
  auto plan = parse_fault_spec("op=put,key=deny/,calls=2,error=denied");
  REQUIRE(plan.is_ok());
  auto store = with_faults(std::make_unique<testing::MemoryStore>(), *plan);
  const BufferSource data("x");
  CHECK(store->put("deny/a", data, {}).is_ok());  // the rule's 1st call
  CHECK(store->put("other", data, {}).is_ok());   // not counted
  auto second = store->put("deny/b", data, {});   // the rule's 2nd call
  CHECK(second.status().is(ErrorKind::kAccessDenied));
  CHECK(store->put("deny/c", data, {}).is_ok());
}

}  // namespace
}  // namespace autosync::backends
