// TcpForwarder: a TCP relay on 127.0.0.1 in front of one server port, which a test can cut
// and restore, so one client of a shared server goes offline while the others stay online.
//
// Connected: every accepted connection is relayed byte for byte to 127.0.0.1:TARGET.
// Cut: the relayed connections are reset, and new ones are accepted and reset at once (a
// client sees "connection reset", as when a network path drops), until restore().
// Threads: one accept thread, one per relayed connection; all stopped and joined by cut() and
// the destructor. cut()/restore() may be called from any one thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <stop_token>
#include <thread>

#include "core/base/unique_fd.h"

namespace autosync::testing {

class TcpForwarder {
 public:
  explicit TcpForwarder(uint16_t target_port);
  ~TcpForwarder();
  TcpForwarder(const TcpForwarder&) = delete;
  TcpForwarder& operator=(const TcpForwarder&) = delete;

  uint16_t port() const { return port_; }
  std::string endpoint() const;  // http://127.0.0.1:PORT

  void cut();
  void restore();

 private:
  void accept_loop(const std::stop_token& stop);
  void drop_relays();

  uint16_t target_port_;
  uint16_t port_ = 0;
  UniqueFd listener_;
  std::atomic<bool> cut_{false};
  std::mutex mutex_;
  std::list<std::jthread> relays_;  // guarded by mutex_
  std::jthread acceptor_;           // last: stopped first
};

}  // namespace autosync::testing
