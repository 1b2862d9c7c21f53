// ControlClient: autosyncctl's side of the control socket (control_protocol.h). One request,
// one reply, with a time limit: a fresh REQ socket per call, closed with linger 0, so a
// daemon that died mid-request costs `timeout`, never a hang and never a stuck socket.
//
// Ownership: owns its zmq context. Threading: one thread at a time.
#pragma once

#include <chrono>
#include <filesystem>
#include <zmq.hpp>

#include "core/base/result.h"
#include "syncd/control_protocol.h"

namespace autosync::syncd {

class ControlClient {
 public:
  explicit ControlClient(std::filesystem::path socket_path,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Sends {"v":1,"cmd":cmd,...arguments} and returns the reply's fields (parse_reply).
  // kTransient "autosyncd did not answer within T" when no reply came in time; kInvalid
  // with the daemon's message when it refused.
  Result<Json> call(std::string_view cmd, Json arguments = Json::object());

 private:
  zmq::context_t context_;
  std::filesystem::path socket_path_;
  std::chrono::milliseconds timeout_;
};

}  // namespace autosync::syncd
