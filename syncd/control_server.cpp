#include "syncd/control_server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/un.h>

#include <array>
#include <chrono>

namespace autosync::syncd {
namespace {

// How often the serving thread looks at its stop token between requests.
constexpr auto kPollPeriod = std::chrono::milliseconds(200);

}  // namespace

ControlCommands make_control_commands(ControlContext& context) {
  ControlCommands commands;
  add_status_commands(commands, context);
  add_sync_commands(commands, context);
  add_cache_commands(commands, context);
  add_conflict_commands(commands, context);
  add_scan_commands(commands, context);
  add_cache_limit_commands(commands, context);
  add_versions_commands(commands, context);
  return commands;
}

Result<std::unique_ptr<ControlServer>> ControlServer::start(
    zmq::context_t& context, const std::filesystem::path& socket_path, ControlCommands commands) {
  const std::string path = socket_path.string();
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return invalid(fmt::format("control socket {}: path too long for a Unix socket", path));
  }
  try {
    zmq::socket_t socket(context, zmq::socket_type::rep);
    socket.set(zmq::sockopt::linger, 0);
    socket.bind("ipc://" + path);
    return std::make_unique<ControlServer>(Key{}, std::move(socket), socket_path,
                                           std::move(commands));
  } catch (const zmq::error_t& e) {
    return io_error(fmt::format("control socket {}: bind: {}", path, e.what()));
  }
}

ControlServer::ControlServer(Key /*key*/, zmq::socket_t socket, std::filesystem::path path,
                             ControlCommands commands)
    : socket_(std::move(socket)),
      path_(std::move(path)),
      commands_(std::move(commands)),
      thread_([this](const std::stop_token& stop) { serve(stop); }) {}

ControlServer::~ControlServer() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
  socket_.close();
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

void ControlServer::serve(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    try {
      std::array<zmq::pollitem_t, 1> items{zmq::pollitem_t{socket_.handle(), 0, ZMQ_POLLIN, 0}};
      if (zmq::poll(items.data(), items.size(), kPollPeriod) <= 0) continue;
      zmq::message_t request;
      if (!socket_.recv(request, zmq::recv_flags::dontwait)) continue;
      const std::string reply = dispatch(commands_, request.to_string_view());
      (void)socket_.send(zmq::buffer(reply), zmq::send_flags::none);
    } catch (const zmq::error_t& e) {
      // EINTR, or a client gone before its reply: the REP socket is ready for the next.
      spdlog::debug("control socket {}: {}", path_.string(), e.what());
    }
  }
}

}  // namespace autosync::syncd
