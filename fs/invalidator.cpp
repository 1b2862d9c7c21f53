#include "fs/invalidator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>

namespace autosync::fs {

Result<std::unique_ptr<Invalidator>> Invalidator::start(zmq::context_t& context,
                                                        const std::filesystem::path& socket_path,
                                                        KernelCaches& kernel) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto subscriber,
                            events::EventSubscriber::connect(context, socket_path));
  try {
    // A private inproc pair: the destructor's message ends the thread's wait at once.
    static std::atomic<uint64_t> next_id{0};
    const std::string endpoint = fmt::format("inproc://autosync-invalidator-{}", next_id++);
    zmq::socket_t rx(context, zmq::socket_type::pair);
    rx.set(zmq::sockopt::linger, 0);
    rx.bind(endpoint);
    zmq::socket_t tx(context, zmq::socket_type::pair);
    tx.set(zmq::sockopt::linger, 0);
    tx.connect(endpoint);
    return std::make_unique<Invalidator>(Key{}, std::move(subscriber), std::move(rx), std::move(tx),
                                         kernel);
  } catch (const zmq::error_t& e) {
    return io_error(fmt::format("invalidator: wake socket: {}", e.what()));
  }
}

Invalidator::Invalidator(Key /*key*/, std::unique_ptr<events::EventSubscriber> subscriber,
                         zmq::socket_t wake_rx, zmq::socket_t wake_tx, KernelCaches& kernel)
    : subscriber_(std::move(subscriber)),
      wake_rx_(std::move(wake_rx)),
      wake_tx_(std::move(wake_tx)),
      kernel_(kernel),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

Invalidator::~Invalidator() {
  thread_.request_stop();
  try {
    (void)wake_tx_.send(zmq::const_buffer(nullptr, 0), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // The thread still sees the stop request within kPollInterval.
  }
  if (thread_.joinable()) thread_.join();
}

void Invalidator::run(const std::stop_token& stop) {
  std::array<zmq::pollitem_t, 2> items{zmq::pollitem_t{subscriber_->handle(), 0, ZMQ_POLLIN, 0},
                                       zmq::pollitem_t{wake_rx_.handle(), 0, ZMQ_POLLIN, 0}};
  while (!stop.stop_requested()) {
    try {
      if (zmq::poll(items.data(), items.size(), kPollInterval) <= 0) continue;
    } catch (const zmq::error_t& e) {
      spdlog::debug("invalidator: poll: {}", e.what());  // EINTR; the loop checks stop
      continue;
    }
    if ((items[1].revents & ZMQ_POLLIN) != 0) return;
    // Everything queued, then back to waiting.
    while (auto event = subscriber_->try_receive())
      apply(*event);
  }
}

void Invalidator::apply(const events::Event& event) {
  switch (event.kind) {
    case events::EventKind::kInvalidateInode:
      if (event.ino == 0) return;
      kernel_.invalidate_inode(event.ino);
      break;
    case events::EventKind::kInvalidateEntry:
      if (event.parent == 0 || event.name.empty()) return;
      kernel_.invalidate_entry(event.parent, event.name);
      break;
    default:
      return;  // the rest is for people and tools
  }
  applied_.fetch_add(1);
  spdlog::debug("invalidated after {} ({})", events::kind_name(event.kind), event.path);
}

}  // namespace autosync::fs
