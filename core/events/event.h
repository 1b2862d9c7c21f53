// Events: what autosyncd did or saw, told to whoever listens — autosyncfs (to invalidate the
// kernel's caches), autosyncctl watch, and other tools.
//
// This header is the seam: code that has something to tell takes an EventSink& and calls
// publish(); it never knows how events travel. The ZeroMQ PUB/SUB transport (CACHE/events.sock)
// implements EventSink in this module; tests use a recording sink.
//
// Delivery is best effort (PUB/SUB drops under pressure and before a subscriber connects):
// an event is a hint to act sooner, never the only way state reaches anyone. The index stays
// the truth (a mount that missed an invalidation still sees the change when its attribute and
// entry timeouts pass, and open() compares versions before keeping the page cache).
//
// Threading: publish() may be called from any thread at once; it never blocks on the network.
#pragma once

#include <cstdint>
#include <string>

namespace autosync::events {

enum class EventKind {
  kUploaded,         // a local change reached the store (path, detail: etag)
  kDownloaded,       // bytes were fetched into the cache (path)
  kRemoved,          // a local delete reached the store (path)
  kMoved,            // a local rename reached the store (path: new, detail: old)
  kRemoteChanged,    // the store has a new version of a known file (ino, path)
  kRemoteAdded,      // a new object appeared on the store (parent, name, path)
  kRemoteRemoved,    // an object vanished from the store (parent, name, path)
  kConflict,         // a local and a remote change met (path, detail: how it was resolved)
  kError,            // a journal row failed for good or a scan failed (path, detail)
  kInvalidateInode,  // kernel: drop cached attributes and data of `ino`
  kInvalidateEntry,  // kernel: drop the cached name `name` under `parent`
};

// The wire name of a kind ("uploaded", "remote-changed", "invalidate-entry", ...), and back.
std::string_view kind_name(EventKind kind);
bool parse_kind(std::string_view name, EventKind& kind);

struct Event {
  EventKind kind = EventKind::kError;
  uint64_t ino = 0;     // the inode concerned; 0 when none
  uint64_t parent = 0;  // entry events: the directory's inode
  std::string name;     // entry events: the name under `parent`
  std::string path;     // the file's path in the mount (or its key), for people
  std::string detail;   // free text: an etag, an error message, a resolution
  int64_t time_ns = 0;  // when it happened (wall clock)
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void publish(const Event& event) = 0;
};

// Drops everything: for code paths and tests that tell no one.
class NullEventSink final : public EventSink {
 public:
  void publish(const Event&) override {}
};

}  // namespace autosync::events
