#include "tests/stack/counting_store.h"

namespace autosync::testing {
namespace {

// Passes writes through and adds up how many bytes went by.
class CountingSink final : public backends::ByteSink {
 public:
  CountingSink(backends::ByteSink& inner, std::atomic<uint64_t>& bytes)
      : inner_(inner), bytes_(bytes) {}
  Status write_at(uint64_t offset, std::span<const char> data) override {
    bytes_ += data.size();
    return inner_.write_at(offset, data);
  }

 private:
  backends::ByteSink& inner_;
  std::atomic<uint64_t>& bytes_;
};

}  // namespace

StoreCounts CountingStore::counts() const {
  return StoreCounts{gets_.load(), get_bytes_.load(), puts_.load(), parts_.load(), lists_.load()};
}

void CountingStore::reset() {
  gets_ = 0;
  get_bytes_ = 0;
  puts_ = 0;
  parts_ = 0;
  lists_ = 0;
}

Result<backends::ObjectInfo> CountingStore::get(std::string_view key,
                                                const backends::GetOptions& options,
                                                backends::ByteSink& sink) {
  ++gets_;
  CountingSink counting(sink, get_bytes_);
  return inner_->get(key, options, counting);
}

std::unique_ptr<CountingStore::PutHold> CountingStore::hold_puts(std::string key) {
  const std::lock_guard lock(hold_mu_);
  held_key_ = key;
  hold_cv_.notify_all();  // the previous key's puts go
  return std::make_unique<PutHold>(*this, std::move(key));
}

bool CountingStore::PutHold::wait_held(std::chrono::milliseconds timeout) {
  std::unique_lock lock(store_->hold_mu_);
  return store_->hold_cv_.wait_for(lock, timeout, [&] { return store_->puts_waiting_ > 0; });
}

void CountingStore::PutHold::release() {
  {
    const std::lock_guard lock(store_->hold_mu_);
    if (store_->held_key_ == key_) store_->held_key_.clear();
  }
  store_->hold_cv_.notify_all();
}

void CountingStore::wait_if_held(std::string_view key) {
  std::unique_lock lock(hold_mu_);
  if (held_key_.empty() || held_key_ != key) return;
  ++puts_waiting_;
  hold_cv_.notify_all();
  hold_cv_.wait(lock, [&] { return held_key_ != key; });
  --puts_waiting_;
}

Result<backends::ObjectInfo> CountingStore::put(std::string_view key,
                                                const backends::ByteSource& data,
                                                const backends::PutOptions& options) {
  ++puts_;
  wait_if_held(key);
  return inner_->put(key, data, options);
}

Result<backends::ListPage> CountingStore::list(const backends::ListOptions& options) {
  ++lists_;
  return inner_->list(options);
}

Result<backends::CompletedPart> CountingStore::upload_part(std::string_view key,
                                                           std::string_view upload_id,
                                                           int part_number,
                                                           const backends::ByteSource& data) {
  ++parts_;
  return inner_->upload_part(key, upload_id, part_number, data);
}

}  // namespace autosync::testing
