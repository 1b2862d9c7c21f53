// WriterGate: this process's writers take turns; a thread never waits for its own turn.
#include "core/db/writer_gate.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

namespace autosync::db {
namespace {

TEST_CASE("a second writer waits until the first one's turn is over", "[db]") {
  WriterGate gate;
  std::atomic<bool> second_has_it{false};
  std::thread second;
  {
    WriterGate::Turn first = gate.take();
    REQUIRE(first.holds());
    second = std::thread([&] {
      WriterGate::Turn turn = gate.take();
      second_has_it = turn.holds();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK_FALSE(second_has_it);
  }
  second.join();
  CHECK(second_has_it);
}

TEST_CASE("a thread that holds a turn gets an empty second one instead of waiting for itself",
          "[db]") {
  WriterGate gate;
  WriterGate::Turn outer = gate.take();
  {
    WriterGate::Turn inner = gate.take();
    CHECK_FALSE(inner.holds());
  }
  CHECK(outer.holds());
  WriterGate::Turn moved = std::move(outer);
  CHECK(moved.holds());
}

}  // namespace
}  // namespace autosync::db
