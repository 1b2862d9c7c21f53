// CountingStore: an ObjectStore decorator for the stack tests that counts what went over the
// wire — gets and the bytes they returned, puts, multipart parts, lists — so a test can say
// "the warm remount downloaded nothing" or "the big file went up in parts". It can also hold
// the puts of one key (hold_puts) so a test can act while an upload is on the wire.
// Threading: as safe as the store it wraps; the counters are atomics, the hold is guarded by
// hold_mu_. Owns the inner store.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "backends/object_store.h"

namespace autosync::testing {

struct StoreCounts {
  uint64_t gets = 0;
  uint64_t get_bytes = 0;
  uint64_t puts = 0;
  uint64_t parts = 0;
  uint64_t lists = 0;
};

class CountingStore final : public backends::ObjectStore {
 public:
  explicit CountingStore(std::unique_ptr<backends::ObjectStore> inner) : inner_(std::move(inner)) {}

  StoreCounts counts() const;
  void reset();

  // While the returned guard lives, every put of `key` waits before it reaches the store;
  // the guard's end (or release()) lets them go. One key at a time: a new hold lets the
  // puts of the previous key go.
  class PutHold {
   public:
    PutHold(CountingStore& store, std::string key) : store_(&store), key_(std::move(key)) {}
    ~PutHold() { release(); }
    PutHold(const PutHold&) = delete;
    PutHold& operator=(const PutHold&) = delete;
    // Waits until a put of the key is being held; false after `timeout`.
    bool wait_held(std::chrono::milliseconds timeout);
    void release();  // only if the store still holds this guard's key

   private:
    CountingStore* store_;
    std::string key_;
  };
  [[nodiscard]] std::unique_ptr<PutHold> hold_puts(std::string key);

  const backends::Capabilities& capabilities() const override { return inner_->capabilities(); }
  std::string describe() const override { return inner_->describe(); }
  Result<backends::ObjectInfo> head(std::string_view key) override { return inner_->head(key); }
  Result<backends::ObjectInfo> get(std::string_view key, const backends::GetOptions& options,
                                   backends::ByteSink& sink) override;
  Result<backends::ObjectInfo> put(std::string_view key, const backends::ByteSource& data,
                                   const backends::PutOptions& options) override;
  Status remove(std::string_view key) override { return inner_->remove(key); }
  Result<std::vector<backends::KeyError>> remove_many(std::span<const std::string> keys) override {
    return inner_->remove_many(keys);
  }
  Result<backends::ListPage> list(const backends::ListOptions& options) override;
  Result<backends::ObjectInfo> copy(std::string_view source, std::string_view dest,
                                    const backends::CopyOptions& options) override {
    return inner_->copy(source, dest, options);
  }
  Result<std::string> create_multipart(std::string_view key,
                                       const backends::PutOptions& options) override {
    return inner_->create_multipart(key, options);
  }
  Result<backends::CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                              int part_number,
                                              const backends::ByteSource& data) override;
  Result<backends::ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                                  std::span<const backends::CompletedPart> parts,
                                                  const backends::Conditions& conditions) override {
    return inner_->complete_multipart(key, upload_id, parts, conditions);
  }
  Status abort_multipart(std::string_view key, std::string_view upload_id) override {
    return inner_->abort_multipart(key, upload_id);
  }

 private:
  std::unique_ptr<backends::ObjectStore> inner_;
  std::atomic<uint64_t> gets_{0};
  std::atomic<uint64_t> get_bytes_{0};
  std::atomic<uint64_t> puts_{0};
  std::atomic<uint64_t> parts_{0};
  std::atomic<uint64_t> lists_{0};

  void wait_if_held(std::string_view key);
  std::mutex hold_mu_;
  std::condition_variable hold_cv_;
  std::string held_key_;     // guarded by hold_mu_; empty: nothing held
  size_t puts_waiting_ = 0;  // guarded by hold_mu_
};

}  // namespace autosync::testing
