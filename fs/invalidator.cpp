#include "fs/invalidator.h"

#include <spdlog/spdlog.h>

namespace autosync::fs {

Result<std::unique_ptr<Invalidator>> Invalidator::start(zmq::context_t& context,
                                                        const std::filesystem::path& socket_path,
                                                        KernelCaches& kernel) {
  AUTOSYNC_ASSIGN_OR_RETURN(auto subscriber,
                            events::EventSubscriber::connect(context, socket_path));
  return std::make_unique<Invalidator>(Key{}, std::move(subscriber), kernel);
}

Invalidator::Invalidator(Key /*key*/, std::unique_ptr<events::EventSubscriber> subscriber,
                         KernelCaches& kernel)
    : subscriber_(std::move(subscriber)),
      kernel_(kernel),
      thread_([this](const std::stop_token& stop) { run(stop); }) {}

Invalidator::~Invalidator() {
  thread_.request_stop();
  if (thread_.joinable()) thread_.join();
}

void Invalidator::run(const std::stop_token& stop) {
  while (!stop.stop_requested()) {
    if (auto event = subscriber_->receive(kPollInterval)) apply(*event);
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
