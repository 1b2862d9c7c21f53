// fs::Invalidator without a kernel: events from a real EventPublisher over ipc reach a fake
// KernelCaches; other kinds and incomplete events are ignored.
#include "fs/invalidator.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "tests/support/temp_dir.h"

namespace autosync::fs {
namespace {

using events::Event;
using events::EventKind;
using std::chrono::milliseconds;

class FakeKernel final : public KernelCaches {
 public:
  void invalidate_inode(uint64_t ino) override {
    const std::lock_guard lock(mu_);
    calls_.push_back("inode " + std::to_string(ino));
  }
  void invalidate_entry(uint64_t parent, std::string_view name) override {
    const std::lock_guard lock(mu_);
    calls_.push_back("entry " + std::to_string(parent) + "/" + std::string(name));
  }
  std::vector<std::string> calls() {
    const std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> calls_;
};

Event make(EventKind kind, uint64_t ino, uint64_t parent, std::string name) {
  Event e;
  e.kind = kind;
  e.ino = ino;
  e.parent = parent;
  e.name = std::move(name);
  return e;
}

TEST_CASE("invalidator: invalidation events reach the kernel, the rest is ignored") {
  autosync::testing::TempDir dir;
  zmq::context_t context;
  const auto path = dir.path() / "events.sock";
  FakeKernel kernel;
  auto invalidator = Invalidator::start(context, path, kernel);
  REQUIRE(invalidator.is_ok());
  auto publisher = events::EventPublisher::bind(context, path);
  REQUIRE(publisher.is_ok());

  // The subscription reaches the publisher a moment after it binds: send until one lands.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*invalidator)->applied() == 0 && std::chrono::steady_clock::now() < deadline) {
    (*publisher)->publish(make(EventKind::kInvalidateInode, 1, 0, ""));
    std::this_thread::sleep_for(milliseconds(20));
  }
  REQUIRE((*invalidator)->applied() > 0);
  const uint64_t before = (*invalidator)->applied();

  (*publisher)->publish(make(EventKind::kRemoteChanged, 5, 1, "ignored"));
  (*publisher)->publish(make(EventKind::kInvalidateInode, 0, 0, ""));           // no inode
  (*publisher)->publish(make(EventKind::kInvalidateEntry, 0, 1, ""));           // no name
  (*publisher)->publish(make(EventKind::kInvalidateEntry, 0, 0, "no-parent"));  // no parent
  (*publisher)->publish(make(EventKind::kInvalidateEntry, 0, 7, "b.txt"));
  (*publisher)->publish(make(EventKind::kInvalidateInode, 42, 0, ""));
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((*invalidator)->applied() < before + 2 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  CHECK((*invalidator)->applied() == before + 2);
  auto calls = kernel.calls();
  REQUIRE(calls.size() >= 2);
  CHECK(calls[calls.size() - 2] == "entry 7/b.txt");
  CHECK(calls.back() == "inode 42");

  invalidator->reset();  // stops within a poll interval
}

}  // namespace
}  // namespace autosync::fs
