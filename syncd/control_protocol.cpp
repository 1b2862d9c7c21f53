#include "syncd/control_protocol.h"

#include <fmt/format.h>

namespace autosync::syncd {
namespace {

Result<Json> parse_object(std::string_view text, std::string_view what) {
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return invalid(fmt::format("{} is not valid JSON", what));
  if (!parsed.is_object()) return invalid(fmt::format("{} is not a JSON object", what));
  return parsed;
}

Result<Json> run_request(const ControlCommands& commands, std::string_view text) {
  AUTOSYNC_ASSIGN_OR_RETURN(Json request, parse_object(text, "request"));
  const auto version = request.find("v");
  if (version == request.end() || !version->is_number_integer()) {
    return invalid("request has no protocol version (\"v\")");
  }
  if (version->get<int64_t>() > kControlProtocolVersion) {
    return invalid(fmt::format("protocol version {} is newer than this autosyncd's ({})",
                               version->get<int64_t>(), kControlProtocolVersion));
  }
  const auto cmd = request.find("cmd");
  if (cmd == request.end() || !cmd->is_string()) return invalid("request has no \"cmd\"");
  const auto handler = commands.find(cmd->get<std::string>());
  if (handler == commands.end()) {
    return invalid(fmt::format("unknown command \"{}\"", cmd->get<std::string>()));
  }
  return handler->second(request);
}

}  // namespace

std::string dispatch(const ControlCommands& commands, std::string_view request) {
  try {
    auto result = run_request(commands, request);
    if (!result) return error_reply(result.status().message());
    return ok_reply(std::move(result).value());
  } catch (const std::exception& e) {  // nlohmann type errors from bad arguments, bad_alloc
    return error_reply(fmt::format("bad request: {}", e.what()));
  }
}

Json make_request(std::string_view cmd, Json arguments) {
  if (!arguments.is_object()) arguments = Json::object();
  arguments["v"] = kControlProtocolVersion;
  arguments["cmd"] = cmd;
  return arguments;
}

std::string ok_reply(Json fields) {
  if (!fields.is_object()) fields = Json::object();
  fields["v"] = kControlProtocolVersion;
  fields["ok"] = true;
  // Replace invalid UTF-8 (file names are bytes) instead of throwing.
  return fields.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string error_reply(std::string_view message) {
  Json reply{{"v", kControlProtocolVersion}, {"ok", false}, {"error", message}};
  return reply.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<Json> parse_reply(std::string_view text) {
  AUTOSYNC_ASSIGN_OR_RETURN(Json reply, parse_object(text, "autosyncd's reply"));
  const auto ok = reply.find("ok");
  if (ok == reply.end() || !ok->is_boolean()) return invalid("autosyncd's reply has no \"ok\"");
  if (ok->get<bool>()) return reply;
  const auto error = reply.find("error");
  return invalid(error != reply.end() && error->is_string() ? error->get<std::string>()
                                                            : "autosyncd refused the request");
}

Result<std::string> string_arg(const Json& request, std::string_view name, std::string fallback) {
  const auto it = request.find(name);
  if (it == request.end() || it->is_null()) return fallback;
  if (!it->is_string()) return invalid(fmt::format("\"{}\" must be a string", name));
  return it->get<std::string>();
}

Result<std::vector<std::string>> string_list_arg(const Json& request, std::string_view name) {
  const auto it = request.find(name);
  if (it == request.end()) return invalid(fmt::format("\"{}\" is missing", name));
  if (!it->is_array()) return invalid(fmt::format("\"{}\" must be a list of strings", name));
  std::vector<std::string> out;
  for (const auto& item : *it) {
    if (!item.is_string()) return invalid(fmt::format("\"{}\" must be a list of strings", name));
    out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace autosync::syncd
