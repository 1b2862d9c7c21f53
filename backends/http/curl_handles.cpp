#include "backends/http/curl_handles.h"

namespace autosync::backends::http {
namespace {

// curl_global_init is not thread-safe; run it once, before the first handle exists.
void global_init_once() {
  static const bool initialized = [] {
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  }();
  (void)initialized;
}

}  // namespace

ShareHandle::ShareHandle() {
  global_init_once();
  share_ = curl_share_init();
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &ShareHandle::lock);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &ShareHandle::unlock);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
}

ShareHandle::~ShareHandle() {
  curl_share_cleanup(share_);
}

void ShareHandle::lock(CURL* /*handle*/, curl_lock_data data, curl_lock_access /*access*/,
                       void* user) {
  static_cast<ShareHandle*>(user)->locks_.at(static_cast<size_t>(data)).lock();
}

void ShareHandle::unlock(CURL* /*handle*/, curl_lock_data data, void* user) {
  static_cast<ShareHandle*>(user)->locks_.at(static_cast<size_t>(data)).unlock();
}

EasyHandle EasyPool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      EasyHandle h = std::move(idle_.back());
      idle_.pop_back();
      curl_easy_reset(h.get());
      return h;
    }
  }
  global_init_once();
  return EasyHandle(curl_easy_init());
}

void EasyPool::release(EasyHandle handle) {
  std::lock_guard lock(mu_);
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(handle));
}

}  // namespace autosync::backends::http
