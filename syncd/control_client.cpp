#include "syncd/control_client.h"

#include <fmt/format.h>

namespace autosync::syncd {

ControlClient::ControlClient(std::filesystem::path socket_path, std::chrono::milliseconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

Result<Json> ControlClient::call(std::string_view cmd, Json arguments) {
  const std::string request = make_request(cmd, std::move(arguments)).dump();
  try {
    zmq::socket_t socket(context_, zmq::socket_type::req);
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndtimeo, static_cast<int>(timeout_.count()));
    socket.set(zmq::sockopt::rcvtimeo, static_cast<int>(timeout_.count()));
    socket.connect("ipc://" + socket_path_.string());
    if (!socket.send(zmq::buffer(request), zmq::send_flags::none)) {
      return transient(
          fmt::format("autosyncd did not take the request within {} ms", timeout_.count()));
    }
    zmq::message_t reply;
    if (!socket.recv(reply, zmq::recv_flags::none)) {
      return transient(fmt::format("autosyncd did not answer within {} ms ({})", timeout_.count(),
                                   socket_path_.string()));
    }
    return parse_reply(reply.to_string_view());
  } catch (const zmq::error_t& e) {
    return io_error(fmt::format("control socket {}: {}", socket_path_.string(), e.what()));
  }
}

}  // namespace autosync::syncd
