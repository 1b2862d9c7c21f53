// The decorators pass list_multipart_uploads through: the retry store retries a transient
// failure (a read: nothing is repeated on the store), the fault store can fail it by name
// (op=list_multipart_uploads), and a store that cannot list answers kUnsupported through all
// of them. (The prefix store's part is in prefix_store_test.cpp.)
#include <catch2/catch.hpp>
#include <string>

#include "backends/decorators/fault_spec.h"
#include "backends/decorators/fault_store.h"
#include "backends/decorators/forwarding_store.h"
#include "backends/decorators/retry_store.h"
#include "tests/unit/transfer/memory_store.h"
#include "tests/unit/transfer/test_util.h"

namespace autosync::backends {
namespace {

// Fails the first `failures` listings as a dropped connection would; `listing` false: a
// store without the call (the ObjectStore default).
class FlakyLister final : public ForwardingStore {
 public:
  FlakyLister(int failures, bool listing)
      : ForwardingStore(std::make_unique<testing::MemoryStore>()),
        failures_(failures),
        listing_(listing) {}
  Result<std::vector<PendingUpload>> list_multipart_uploads(std::string_view key) override {
    ++calls;
    // The interface's own answer, as a store that cannot list gives it.
    if (!listing_)
      return ObjectStore::list_multipart_uploads(key);  // NOLINT(bugprone-parent-virtual-call)
    if (failures_-- > 0) return transient("connection reset");
    return ForwardingStore::list_multipart_uploads(key);
  }
  int calls = 0;

 private:
  int failures_;
  bool listing_;
};

}  // namespace

TEST_CASE("uploads: the retry store retries a listing that failed on the way") {
  auto fake = std::make_unique<FlakyLister>(2, true);
  FlakyLister* raw = fake.get();
  auto store = with_retry(std::move(fake), testing::sleepless_retries(3));
  auto id = store->create_multipart("big.bin", {});
  REQUIRE(id.is_ok());
  auto listed = store->list_multipart_uploads("big.bin");
  REQUIRE(listed.is_ok());
  REQUIRE(listed->size() == 1);
  CHECK(listed->front().upload_id == *id);
  CHECK(raw->calls == 3);
}

TEST_CASE("uploads: a store that cannot list says kUnsupported through every decorator") {
  auto plan = parse_fault_spec("op=put,p=1,error=reset");
  REQUIRE(plan.is_ok());
  auto store = with_retry(with_faults(std::make_unique<FlakyLister>(0, false), *plan),
                          testing::sleepless_retries(3));
  auto listed = store->list_multipart_uploads("big.bin");
  REQUIRE_FALSE(listed.is_ok());
  CHECK(listed.status().is(ErrorKind::kUnsupported));
}

TEST_CASE("uploads: the fault store fails a listing by its name") {
  auto plan = parse_fault_spec("op=list_multipart_uploads,calls=1,error=denied");
  REQUIRE(plan.is_ok());
  auto store = with_faults(std::make_unique<FlakyLister>(0, true), *plan);
  auto failed = store->list_multipart_uploads("big.bin");
  REQUIRE_FALSE(failed.is_ok());
  CHECK(failed.status().is(ErrorKind::kAccessDenied));
  CHECK_THAT(failed.status().message(), Catch::Contains("list_multipart_uploads big.bin"));
  CHECK(store->list_multipart_uploads("big.bin").is_ok());  // the 2nd call passes
}

}  // namespace autosync::backends
