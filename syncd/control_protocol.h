// The control protocol between autosyncctl and autosyncd: one JSON object per message over
// a ZeroMQ REQ/REP socket at CACHE/control.sock.
//
//   request   {"v":1, "cmd":"status", ...arguments}
//   reply     {"v":1, "ok":true, ...results}   or   {"v":1, "ok":false, "error":"one line"}
//
// "v" is the protocol version the sender speaks. The daemon answers requests of its version
// or older; a newer one, a missing "cmd", an unknown command, bad JSON or arguments of the
// wrong type get an error reply — never a crash, never silence (a REP socket must answer).
// Arguments and results per command are documented where the commands are registered
// (control_status.cpp, control_sync.cpp, control_cache.cpp, control_conflicts.cpp,
// control_scan.cpp) and in autosyncctl(1).
//
// Pure functions over nlohmann::json; thread-compatible. No exception leaves them.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/base/result.h"

namespace autosync::syncd {

inline constexpr int kControlProtocolVersion = 1;

using Json = nlohmann::json;

// A command: the request's arguments in, the reply's fields out (ok/v are added), or an
// error Status whose message becomes the reply's "error". May throw nlohmann exceptions for
// arguments of the wrong type: dispatch() turns them into error replies.
using ControlHandler = std::function<Result<Json>(const Json& request)>;
using ControlCommands = std::map<std::string, ControlHandler, std::less<>>;

// Parses and checks one request, runs its command and returns the serialised reply.
std::string dispatch(const ControlCommands& commands, std::string_view request);

// Builders for both sides.
Json make_request(std::string_view cmd, Json arguments = Json::object());
std::string ok_reply(Json fields);
std::string error_reply(std::string_view message);

// The client's reading of a reply: its fields when ok, else kInvalid with the daemon's error
// (or with what is wrong with the reply itself).
Result<Json> parse_reply(std::string_view reply);

// Argument helpers for handlers: a string / unsigned field, or `fallback` when absent;
// kInvalid naming the field when it has another type.
Result<std::string> string_arg(const Json& request, std::string_view name,
                               std::string fallback = "");
Result<std::vector<std::string>> string_list_arg(const Json& request, std::string_view name);

}  // namespace autosync::syncd
