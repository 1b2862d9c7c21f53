// FakeHttpServer: a tiny TCP server on 127.0.0.1 that answers every request with bytes a
// test chooses, to check how clients handle servers that misbehave (garbage, a body cut
// short, an HTML error page, silence). One thread; stops and joins in the destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "core/base/unique_fd.h"

namespace autosync::testing {

class FakeHttpServer {
 public:
  // `respond` gets the request head (request line and headers) and returns the raw bytes to
  // send before the connection is closed. An empty answer means: say nothing, keep the
  // connection open until the server stops (a hung server).
  explicit FakeHttpServer(std::function<std::string(const std::string& request_head)> respond);
  ~FakeHttpServer();
  FakeHttpServer(const FakeHttpServer&) = delete;
  FakeHttpServer& operator=(const FakeHttpServer&) = delete;

  uint16_t port() const { return port_; }
  std::string endpoint() const;
  int requests() const { return requests_.load(); }

  // Canned answers.
  static std::string garbage() { return "this is not HTTP at all\r\n\r\n"; }
  // Promises `promised` bytes, sends `sent`, then hangs up.
  static std::string truncated_body(size_t promised, size_t sent);
  static std::string html_page(int status);

 private:
  void serve();

  std::function<std::string(const std::string&)> respond_;
  UniqueFd listener_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

}  // namespace autosync::testing
