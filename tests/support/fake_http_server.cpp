#include "tests/support/fake_http_server.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <vector>

namespace autosync::testing {
namespace {

constexpr int kPollMs = 50;

std::string read_head(int fd, const std::atomic<bool>& stopping) {
  std::string head;
  char buf[4096];  // NOLINT
  while (!stopping && head.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  return head.substr(0, head.find("\r\n\r\n"));
}

}  // namespace

FakeHttpServer::FakeHttpServer(std::function<std::string(const std::string&)> respond)
    : respond_(std::move(respond)), listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // NOLINT
  ::listen(listener_.get(), 16);
  socklen_t len = sizeof addr;
  ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len);  // NOLINT
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeHttpServer::~FakeHttpServer() {
  stopping_ = true;
  thread_.join();
}

std::string FakeHttpServer::endpoint() const {
  return fmt::format("http://127.0.0.1:{}", port_);
}

void FakeHttpServer::serve() {
  std::vector<UniqueFd> hung;  // connections we keep open without answering
  while (!stopping_) {
    pollfd p{listener_.get(), POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    UniqueFd conn(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn.valid()) continue;
    const std::string head = read_head(conn.get(), stopping_);
    ++requests_;
    const std::string answer = respond_(head);
    if (answer.empty()) {
      hung.push_back(std::move(conn));
      continue;
    }
    size_t sent = 0;
    while (sent < answer.size()) {
      const ssize_t n =
          ::send(conn.get(), answer.data() + sent, answer.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    ::shutdown(conn.get(), SHUT_RDWR);
  }
}

std::string FakeHttpServer::truncated_body(size_t promised, size_t sent) {
  return fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: \"abc\"\r\n"
      "Last-Modified: Fri, 24 May 2013 00:00:00 GMT\r\n\r\n{}",
      promised, std::string(sent, 'x'));
}

std::string FakeHttpServer::html_page(int status) {
  const std::string body = "<html><body><h1>Bad Gateway</h1></body></html>";
  return fmt::format(
      "HTTP/1.1 {} Whatever\r\nContent-Type: text/html\r\nContent-Length: {}\r\n"
      "Connection: close\r\n\r\n{}",
      status, body.size(), body);
}

}  // namespace autosync::testing
