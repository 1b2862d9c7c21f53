// The ZeroMQ transport of events: autosyncd's EventPublisher binds a PUB socket at
// ipc://CACHE/events.sock (cachedir::Paths::events_socket()); autosyncfs's invalidator and
// tools connect an EventSubscriber to it. Messages are wire.h's JSON, one event each.
//
// PUB/SUB is best effort by design (event.h): a publisher never waits for subscribers, a
// slow subscriber loses what overflows its queue, and a subscriber that connects late misses
// what came before. A subscriber reconnects by itself when the daemon restarts (libzmq
// retries the connect), so it outlives any number of publishers.
//
// Ownership: the zmq::context_t is one per process, owned by the caller and passed in; it
// must outlive every publisher and subscriber made from it. Each class owns its socket
// (linger 0, so destruction never blocks).
// Threading: EventPublisher::publish() may be called from many threads at once (a mutex
// serialises them on the one socket) and never blocks (ZMQ_DONTWAIT: dropped when the send
// queue is full). An EventSubscriber is used by one thread at a time (zguide: one socket per
// thread; it may be handed to another thread across a thread start).
// Errors: ZeroMQ's exceptions stop here; bind/connect report a Status, publish() drops,
// receive() returns nothing.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <zmq.hpp>

#include "core/base/result.h"
#include "core/events/event.h"

namespace autosync::events {

class EventPublisher final : public EventSink {
 public:
  // Binds a PUB socket at ipc://`socket_path`, replacing a stale socket file left by a
  // crashed daemon. kInvalid for a path too long for a Unix socket, else kIo.
  static Result<std::unique_ptr<EventPublisher>> bind(zmq::context_t& context,
                                                      const std::filesystem::path& socket_path);
  ~EventPublisher() override;  // removes the socket file
  EventPublisher(const EventPublisher&) = delete;
  EventPublisher& operator=(const EventPublisher&) = delete;

  // Sends `event` to every connected subscriber, without blocking; dropped when a queue is
  // full or ZeroMQ fails. time_ns 0 is stamped with the wall clock.
  void publish(const Event& event) override;

  // For bind() only (a passkey: make_unique needs a public constructor).
  class Key {
    friend class EventPublisher;
    Key() = default;
  };
  EventPublisher(Key key, zmq::socket_t socket, std::filesystem::path path);

 private:
  std::mutex mu_;               // guards socket_: events come from any thread
  zmq::socket_t socket_;        // guarded by mu_
  std::filesystem::path path_;  // the socket file, removed on destruction
};

class EventSubscriber {
 public:
  // A SUB socket connected to ipc://`socket_path`, subscribed to everything. Succeeds
  // whether or not a publisher is there yet (the connect completes when one binds).
  static Result<std::unique_ptr<EventSubscriber>> connect(zmq::context_t& context,
                                                          const std::filesystem::path& socket_path);
  ~EventSubscriber();
  EventSubscriber(const EventSubscriber&) = delete;
  EventSubscriber& operator=(const EventSubscriber&) = delete;

  // The next event, waiting up to `timeout` for one; nothing when the time ran out, the
  // wait was interrupted, or the message was not a valid event (logged at debug and
  // skipped: a reader of version 1 ignores a newer daemon's messages).
  std::optional<Event> receive(std::chrono::milliseconds timeout);
  // The next event if one is queued, without waiting; for a caller that polls this socket
  // (handle()) together with sockets of its own.
  std::optional<Event> try_receive();
  void* handle() { return socket_.handle(); }

  class Key {
    friend class EventSubscriber;
    Key() = default;
  };
  EventSubscriber(Key key, zmq::socket_t socket, std::string endpoint);

 private:
  zmq::socket_t socket_;
  std::string endpoint_;
};

}  // namespace autosync::events
