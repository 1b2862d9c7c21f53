// The wire format of one event: a JSON object, one per ZeroMQ message,
//   {"v":1,"kind":"remote-changed","ino":42,"parent":0,"name":"","path":"a/b.txt",
//    "detail":"","time_ns":1700000000000000000}
// "v" is the format's version: a reader skips messages of a version it does not know, and
// ignores fields it does not know (later versions only add fields). Absent fields take the
// Event defaults; "kind" and "v" are required.
//
// Threading: pure functions. Errors: decode() reports a malformed message as kInvalid.
#pragma once

#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/events/event.h"

namespace autosync::events {

inline constexpr int kWireVersion = 1;

std::string encode(const Event& event);
Result<Event> decode(std::string_view message);

}  // namespace autosync::events
