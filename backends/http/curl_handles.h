// RAII owners for libcurl handles, private to backends/http.
//
// ShareHandle shares the connection cache, DNS cache and TLS sessions between all easy
// handles of one HttpClient (with the locks libcurl asks for). EasyPool keeps finished easy
// handles for reuse so a request does not pay for handle set-up. Both are thread-safe.
#pragma once

#include <curl/curl.h>

#include <array>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace autosync::backends::http {

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

class ShareHandle {
 public:
  ShareHandle();
  ~ShareHandle();
  ShareHandle(const ShareHandle&) = delete;
  ShareHandle& operator=(const ShareHandle&) = delete;
  CURLSH* get() const { return share_; }

 private:
  static void lock(CURL* handle, curl_lock_data data, curl_lock_access access, void* user);
  static void unlock(CURL* handle, curl_lock_data data, void* user);

  CURLSH* share_;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks_;
};

class EasyPool {
 public:
  EasyHandle acquire();  // a reset handle: no options from its previous use
  void release(EasyHandle handle);

 private:
  static constexpr size_t kMaxIdle = 64;
  std::mutex mu_;
  std::vector<EasyHandle> idle_;  // GUARDED_BY(mu_)
};

// A curl_slist of request headers, freed on scope exit.
class HeaderList {
 public:
  HeaderList() = default;
  ~HeaderList() { curl_slist_free_all(list_); }
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  void append(const std::string& line) { list_ = curl_slist_append(list_, line.c_str()); }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace autosync::backends::http
