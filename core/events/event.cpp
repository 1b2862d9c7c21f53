// Event kinds and their wire names (event.h). The names are part of the wire format: never
// rename one, only add.
#include "core/events/event.h"

#include <array>
#include <utility>

namespace autosync::events {
namespace {

constexpr std::array<std::pair<EventKind, std::string_view>, 11> kNames{{
    {EventKind::kUploaded, "uploaded"},
    {EventKind::kDownloaded, "downloaded"},
    {EventKind::kRemoved, "removed"},
    {EventKind::kMoved, "moved"},
    {EventKind::kRemoteChanged, "remote-changed"},
    {EventKind::kRemoteAdded, "remote-added"},
    {EventKind::kRemoteRemoved, "remote-removed"},
    {EventKind::kConflict, "conflict"},
    {EventKind::kError, "error"},
    {EventKind::kInvalidateInode, "invalidate-inode"},
    {EventKind::kInvalidateEntry, "invalidate-entry"},
}};

}  // namespace

std::string_view kind_name(EventKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

bool parse_kind(std::string_view name, EventKind& kind) {
  for (const auto& [k, n] : kNames) {
    if (n == name) {
      kind = k;
      return true;
    }
  }
  return false;
}

}  // namespace autosync::events
