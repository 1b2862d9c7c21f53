#include "core/events/event_socket.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/un.h>

#include <array>

#include "core/events/wire.h"

namespace autosync::events {
namespace {

// Events queued per subscriber before further events are dropped: enough for a scan that
// finds a few thousand changes while autosyncfs is busy, small enough to bound memory.
constexpr int kSendHighWaterMark = 10000;
constexpr int kReceiveHighWaterMark = 10000;

std::string endpoint_for(const std::filesystem::path& socket_path) {
  return "ipc://" + socket_path.string();
}

Status check_path(const std::filesystem::path& socket_path) {
  const std::string path = socket_path.string();
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return invalid(fmt::format("events {}: path too long for a Unix socket ({} bytes, limit {})",
                               path, path.size(), sizeof(sockaddr_un{}.sun_path) - 1));
  }
  return {};
}

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<std::unique_ptr<EventPublisher>> EventPublisher::bind(
    zmq::context_t& context, const std::filesystem::path& socket_path) {
  AUTOSYNC_RETURN_IF_ERROR(check_path(socket_path));
  try {
    zmq::socket_t socket(context, zmq::socket_type::pub);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndhwm, kSendHighWaterMark);
    socket.bind(endpoint_for(socket_path));  // libzmq replaces a stale socket file
    return std::make_unique<EventPublisher>(Key{}, std::move(socket), socket_path);
  } catch (const zmq::error_t& e) {
    return io_error(fmt::format("events {}: bind: {}", socket_path.string(), e.what()));
  }
}

EventPublisher::EventPublisher(Key /*key*/, zmq::socket_t socket, std::filesystem::path path)
    : socket_(std::move(socket)), path_(std::move(path)) {}

EventPublisher::~EventPublisher() {
  {
    const std::lock_guard lock(mu_);
    socket_.close();
  }
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

void EventPublisher::publish(const Event& event) {
  std::string message;
  if (event.time_ns == 0) {
    Event stamped = event;
    stamped.time_ns = wall_clock_ns();
    message = encode(stamped);
  } else {
    message = encode(event);
  }
  const std::lock_guard lock(mu_);
  try {
    // A PUB socket drops for a full subscriber queue by itself; dontwait keeps it so.
    (void)socket_.send(zmq::buffer(message), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::debug("events {}: {} dropped: {}", path_.string(), kind_name(event.kind), e.what());
  }
}

Result<std::unique_ptr<EventSubscriber>> EventSubscriber::connect(
    zmq::context_t& context, const std::filesystem::path& socket_path) {
  AUTOSYNC_RETURN_IF_ERROR(check_path(socket_path));
  const std::string endpoint = endpoint_for(socket_path);
  try {
    zmq::socket_t socket(context, zmq::socket_type::sub);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::rcvhwm, kReceiveHighWaterMark);
    socket.set(zmq::sockopt::subscribe, "");
    socket.connect(endpoint);  // asynchronous: retried by libzmq until a publisher binds
    return std::make_unique<EventSubscriber>(Key{}, std::move(socket), endpoint);
  } catch (const zmq::error_t& e) {
    return io_error(fmt::format("events {}: connect: {}", socket_path.string(), e.what()));
  }
}

EventSubscriber::EventSubscriber(Key /*key*/, zmq::socket_t socket, std::string endpoint)
    : socket_(std::move(socket)), endpoint_(std::move(endpoint)) {}

EventSubscriber::~EventSubscriber() {
  socket_.close();
}

std::optional<Event> EventSubscriber::receive(std::chrono::milliseconds timeout) {
  std::array<zmq::pollitem_t, 1> items{zmq::pollitem_t{socket_.handle(), 0, ZMQ_POLLIN, 0}};
  try {
    if (zmq::poll(items.data(), items.size(), timeout) <= 0) return std::nullopt;
  } catch (const zmq::error_t& e) {
    // EINTR from a signal, or the context shutting down: the caller's loop decides.
    spdlog::debug("events {}: receive: {}", endpoint_, e.what());
    return std::nullopt;
  }
  return try_receive();
}

std::optional<Event> EventSubscriber::try_receive() {
  try {
    zmq::message_t message;
    if (!socket_.recv(message, zmq::recv_flags::dontwait)) return std::nullopt;
    auto event = decode(message.to_string_view());
    if (!event.is_ok()) {
      spdlog::debug("events {}: skipped: {}", endpoint_, event.status().message());
      return std::nullopt;
    }
    return std::move(event).value();
  } catch (const zmq::error_t& e) {
    // EINTR from a signal, or the context shutting down: the caller's loop decides.
    spdlog::debug("events {}: receive: {}", endpoint_, e.what());
    return std::nullopt;
  }
}

}  // namespace autosync::events
