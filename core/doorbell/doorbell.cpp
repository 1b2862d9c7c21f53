#include "core/doorbell/doorbell.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/un.h>

#include <array>

namespace autosync::doorbell {
namespace {

// Rings queued per client before further rings are dropped: one is enough to wake the
// daemon, a few absorb a burst while it is busy.
constexpr int kSendHighWaterMark = 4;
constexpr int kReceiveHighWaterMark = 64;

std::string endpoint_for(const std::filesystem::path& socket_path) {
  return "ipc://" + socket_path.string();
}

}  // namespace

std::filesystem::path doorbell_path(const std::filesystem::path& cache_dir) {
  return cache_dir / "syncd.sock";
}

Result<std::unique_ptr<DoorbellListener>> DoorbellListener::bind(
    zmq::context_t& context, const std::filesystem::path& socket_path) {
  const std::string path = socket_path.string();
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return invalid(fmt::format("doorbell {}: path too long for a Unix socket ({} bytes, limit {})",
                               path, path.size(), sizeof(sockaddr_un{}.sun_path) - 1));
  }
  try {
    zmq::socket_t socket(context, zmq::socket_type::pull);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvhwm, kReceiveHighWaterMark);
    socket.bind(endpoint_for(socket_path));  // libzmq replaces a stale socket file
    return std::make_unique<DoorbellListener>(Key{}, std::move(socket), socket_path);
  } catch (const zmq::error_t& e) {
    return io_error(fmt::format("doorbell {}: bind: {}", path, e.what()));
  }
}

DoorbellListener::DoorbellListener(Key /*key*/, zmq::socket_t socket, std::filesystem::path path)
    : socket_(std::move(socket)), path_(std::move(path)) {}

DoorbellListener::~DoorbellListener() {
  socket_.close();
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

bool DoorbellListener::wait(std::chrono::milliseconds timeout) {
  std::array<zmq::pollitem_t, 1> items{zmq::pollitem_t{socket_.handle(), 0, ZMQ_POLLIN, 0}};
  try {
    if (zmq::poll(items.data(), items.size(), timeout) <= 0) return false;
    drain();
    return true;
  } catch (const zmq::error_t& e) {
    // EINTR from a signal, or the context shutting down: the caller's loop decides.
    spdlog::debug("doorbell {}: wait: {}", path_.string(), e.what());
    return false;
  }
}

void DoorbellListener::drain() {
  zmq::message_t message;
  while (socket_.recv(message, zmq::recv_flags::dontwait)) {
  }
}

DoorbellClient::DoorbellClient(zmq::context_t& context, const std::filesystem::path& socket_path)
    : context_(context), endpoint_(endpoint_for(socket_path)) {}

DoorbellClient::~DoorbellClient() {
  const std::lock_guard lock(mu_);
  if (socket_) socket_->close();
}

zmq::socket_t& DoorbellClient::socket() {
  if (!socket_) {
    zmq::socket_t s(context_, zmq::socket_type::push);
    s.set(zmq::sockopt::linger, 0);
    s.set(zmq::sockopt::sndhwm, kSendHighWaterMark);
    s.connect(endpoint_);  // asynchronous: succeeds whether or not anyone listens yet
    socket_.emplace(std::move(s));
  }
  return *socket_;
}

void DoorbellClient::ring() {
  const std::lock_guard lock(mu_);
  try {
    // An empty result (EAGAIN: queue full or no peer) drops the ring; the journal keeps the work.
    (void)socket().send(zmq::const_buffer(nullptr, 0), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::debug("doorbell {}: ring dropped: {}", endpoint_, e.what());
  }
}

}  // namespace autosync::doorbell
