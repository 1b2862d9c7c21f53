// JSON encoding of events (wire.h), with nlohmann-json; no exception leaves this file.
#include "core/events/wire.h"

#include <nlohmann/json.hpp>

namespace autosync::events {

std::string encode(const Event& event) {
  const nlohmann::json j = {
      {"v", kWireVersion},      {"kind", std::string(kind_name(event.kind))},
      {"ino", event.ino},       {"parent", event.parent},
      {"name", event.name},     {"path", event.path},
      {"detail", event.detail}, {"time_ns", event.time_ns},
  };
  // Names and paths are bytes, not always UTF-8: replace what JSON cannot carry rather than
  // throw (a person reads path; invalidation uses ino/parent and a valid name).
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

namespace {

template <typename T>
void read_field(const nlohmann::json& j, const char* field, T& out) {
  if (auto it = j.find(field); it != j.end() && !it->is_null()) out = it->get<T>();
}

}  // namespace

Result<Event> decode(std::string_view message) {
  auto j = nlohmann::json::parse(message, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid("event: not a JSON object");
  try {
    int version = 0;
    read_field(j, "v", version);
    if (version != kWireVersion) return invalid("event: version " + std::to_string(version));
    std::string kind;
    read_field(j, "kind", kind);
    Event event;
    if (!parse_kind(kind, event.kind)) return invalid("event: unknown kind '" + kind + "'");
    read_field(j, "ino", event.ino);
    read_field(j, "parent", event.parent);
    read_field(j, "name", event.name);
    read_field(j, "path", event.path);
    read_field(j, "detail", event.detail);
    read_field(j, "time_ns", event.time_ns);
    return event;
  } catch (const nlohmann::json::exception& e) {  // a field of the wrong type
    return invalid(std::string("event: ") + e.what());
  }
}

}  // namespace autosync::events
