// CountingStore: a ForwardingStore for the syncd tests that counts requests by kind
// (multipart calls too), holds each copy for a moment while counting how many run at once,
// checks that no source is deleted before its copy finished, and can claim batch deletes or
// fail one copy.
// Thread-safety: every counter is atomic or under mu_; calls come from many workers.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "backends/decorators/forwarding_store.h"

namespace autosync::syncd::testing {

class CountingStore : public backends::ForwardingStore {
 public:
  explicit CountingStore(std::unique_ptr<backends::ObjectStore> inner)
      : ForwardingStore(std::move(inner)), caps_(ForwardingStore::capabilities()) {}

  const backends::Capabilities& capabilities() const override { return caps_; }
  void set_batch_delete(bool on) { caps_.batch_delete = on; }
  // The next copy from `key` fails with a transient error (once).
  void fail_copy_of(std::string key) {
    const std::lock_guard lock(mu_);
    fail_copy_of_ = std::move(key);
  }
  void reset() {
    heads = puts = copies = removes = batch_removes = listed_copies = 0;
    creates = parts = completes = aborts = 0;
    max_in_flight = 0;
    early_deletes = 0;
  }

  Result<backends::ObjectInfo> head(std::string_view key) override {
    ++heads;
    return ForwardingStore::head(key);
  }
  Result<backends::ObjectInfo> put(std::string_view key, const backends::ByteSource& data,
                                   const backends::PutOptions& options) override {
    ++puts;
    return ForwardingStore::put(key, data, options);
  }
  Result<backends::ObjectInfo> copy(std::string_view source, std::string_view dest,
                                    const backends::CopyOptions& options) override {
    ++copies;
    if (options.listed_source) ++listed_copies;
    {
      const std::lock_guard lock(mu_);
      if (source == fail_copy_of_) {
        fail_copy_of_.clear();
        return transient("copy failed by the test");
      }
    }
    const int now = ++in_flight_;
    int seen = max_in_flight.load();
    while (now > seen && !max_in_flight.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    auto result = ForwardingStore::copy(source, dest, options);
    --in_flight_;
    if (result.is_ok()) {
      const std::lock_guard lock(mu_);
      copied_.insert(std::string(source));
    }
    return result;
  }
  Status remove(std::string_view key) override {
    ++removes;
    note_delete(key);
    return ForwardingStore::remove(key);
  }
  Result<std::vector<backends::KeyError>> remove_many(std::span<const std::string> keys) override {
    ++batch_removes;
    for (const auto& key : keys)
      note_delete(key);
    return ForwardingStore::remove_many(keys);
  }

  Result<std::string> create_multipart(std::string_view key,
                                       const backends::PutOptions& options) override {
    ++creates;
    return ForwardingStore::create_multipart(key, options);
  }
  Result<backends::CompletedPart> upload_part(std::string_view key, std::string_view upload_id,
                                              int part_number,
                                              const backends::ByteSource& data) override {
    ++parts;
    return ForwardingStore::upload_part(key, upload_id, part_number, data);
  }
  Result<backends::ObjectInfo> complete_multipart(std::string_view key, std::string_view upload_id,
                                                  std::span<const backends::CompletedPart> done,
                                                  const backends::Conditions& conditions) override {
    ++completes;
    return ForwardingStore::complete_multipart(key, upload_id, done, conditions);
  }
  Status abort_multipart(std::string_view key, std::string_view upload_id) override {
    ++aborts;
    return ForwardingStore::abort_multipart(key, upload_id);
  }

  std::atomic<int> heads{0}, puts{0}, copies{0}, removes{0}, batch_removes{0};
  std::atomic<int> creates{0}, parts{0}, completes{0}, aborts{0};  // multipart calls
  std::atomic<int> listed_copies{0};  // copies that came with the listing's entry
  std::atomic<int> max_in_flight{0};  // most copies running at once
  std::atomic<int> early_deletes{0};  // deletes of a key no copy had read yet

 private:
  void note_delete(std::string_view key) {
    const std::lock_guard lock(mu_);
    if (!copied_.contains(std::string(key))) ++early_deletes;
  }

  backends::Capabilities caps_;
  std::atomic<int> in_flight_{0};
  std::mutex mu_;
  std::set<std::string> copied_;  // guarded by mu_: sources some copy has read
  std::string fail_copy_of_;      // guarded by mu_
};

}  // namespace autosync::syncd::testing
