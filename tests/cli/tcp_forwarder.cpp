#include "tests/cli/tcp_forwarder.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <string>

namespace autosync::testing {
namespace {

constexpr int kPollMs = 50;  // how soon a relay or the acceptor notices a stop request

sockaddr_in loopback(uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return addr;
}

// Closes with a reset (RST) rather than an orderly FIN: the peer sees the connection fail.
void reset(UniqueFd& fd) {
  const linger hard{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
  fd.reset();
}

// Copies what `from` has to `to`; false when `from` ended or either side failed.
bool pump(int from, int to) {
  std::array<char, 64 * 1024> buf{};
  const ssize_t n = ::recv(from, buf.data(), buf.size(), 0);
  if (n <= 0) return false;
  for (ssize_t sent = 0; sent < n;) {
    const ssize_t w = ::send(to, buf.data() + sent, static_cast<size_t>(n - sent), MSG_NOSIGNAL);
    if (w <= 0) return false;
    sent += w;
  }
  return true;
}

void relay(const std::stop_token& stop, UniqueFd client, UniqueFd server) {
  std::array<pollfd, 2> fds{pollfd{.fd = client.get(), .events = POLLIN, .revents = 0},
                            pollfd{.fd = server.get(), .events = POLLIN, .revents = 0}};
  while (!stop.stop_requested()) {
    if (::poll(fds.data(), fds.size(), kPollMs) < 0) break;
    if (fds[0].revents != 0 && !pump(client.get(), server.get())) break;
    if (fds[1].revents != 0 && !pump(server.get(), client.get())) break;
  }
  reset(client);
  reset(server);
}

}  // namespace

TcpForwarder::TcpForwarder(uint16_t target_port)
    : target_port_(target_port), listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (!listener_.valid() || ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listener_.get(), 64) != 0 ||
      ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("TcpForwarder: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::jthread([this](const std::stop_token& stop) { accept_loop(stop); });
}

TcpForwarder::~TcpForwarder() {
  acceptor_.request_stop();
  if (acceptor_.joinable()) acceptor_.join();
  drop_relays();
}

std::string TcpForwarder::endpoint() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

void TcpForwarder::cut() {
  cut_.store(true);
  drop_relays();
}

void TcpForwarder::restore() {
  cut_.store(false);
}

void TcpForwarder::drop_relays() {
  std::list<std::jthread> dropped;
  {
    const std::lock_guard lock(mutex_);
    dropped.swap(relays_);
  }
  dropped.clear();  // each jthread asks its relay to stop and joins it
}

void TcpForwarder::accept_loop(const std::stop_token& stop) {
  pollfd listening{.fd = listener_.get(), .events = POLLIN, .revents = 0};
  while (!stop.stop_requested()) {
    if (::poll(&listening, 1, kPollMs) <= 0) continue;
    UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!client.valid()) continue;
    if (cut_.load()) {
      reset(client);
      continue;
    }
    UniqueFd server(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const sockaddr_in target = loopback(target_port_);
    if (::connect(server.get(), reinterpret_cast<const sockaddr*>(&target), sizeof target) != 0) {
      reset(client);
      continue;
    }
    const std::lock_guard lock(mutex_);
    relays_.emplace_back(relay, std::move(client), std::move(server));
  }
}

}  // namespace autosync::testing
