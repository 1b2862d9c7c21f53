#include "tests/unit/transfer/memory_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace autosync::backends::testing {
namespace {

constexpr size_t kDeliveryChunk = size_t{64}
                                  << 10;  // bodies reach the sink in pieces, like a socket

Status no_such_key(std::string_view what, std::string_view key) {
  return not_found(fmt::format("{} {}: no such key", what, key))
      .with_server_code("NoSuchKey")
      .with_http_status(404);
}

Status precondition_failed(std::string_view what, std::string_view key) {
  return Status::error(ErrorKind::kPreconditionFailed,
                       fmt::format("{} {}: precondition failed", what, key))
      .with_server_code("PreconditionFailed")
      .with_http_status(412);
}

}  // namespace

Capabilities memory_capabilities() {
  Capabilities caps;
  caps.conditional_write = true;
  caps.batch_delete = true;
  caps.min_part_size = 1;
  return caps;
}

void MemoryStore::count(std::string_view op) {
  const std::lock_guard lock(mutex_);
  auto it = calls_.find(op);
  if (it == calls_.end()) it = calls_.emplace(std::string(op), 0).first;
  ++it->second;
}

std::string MemoryStore::next_etag() {
  return fmt::format("e{}", ++generation_);
}

Status MemoryStore::check_write_conditions(std::string_view what, std::string_view key,
                                           const Conditions& conditions) const {
  if (conditions.empty()) return {};
  if (!capabilities_.conditional_write) {
    return unsupported(fmt::format("{} {}: conditional writes not supported", what, key));
  }
  const auto it = objects_.find(key);
  if (!conditions.if_none_match.empty() && it != objects_.end()) {
    return precondition_failed(what, key);
  }
  if (!conditions.if_match.empty() &&
      (it == objects_.end() || it->second.info.etag != conditions.if_match)) {
    return precondition_failed(what, key);
  }
  return {};
}

ObjectInfo MemoryStore::store_object(std::string_view key, std::string data, UserMetadata metadata,
                                     std::string content_type) {
  Object object;
  object.info.key = std::string(key);
  object.info.size = data.size();
  object.info.etag = next_etag();
  object.info.last_modified = std::chrono::system_clock::now();
  object.info.metadata = std::move(metadata);
  object.info.content_type = std::move(content_type);
  object.data = std::move(data);
  ObjectInfo info = object.info;
  objects_.insert_or_assign(std::string(key), std::move(object));
  return info;
}

Result<ObjectInfo> MemoryStore::head(std::string_view key) {
  count("head");
  const std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return no_such_key("head", key);
  return it->second.info;
}

Result<ObjectInfo> MemoryStore::get(std::string_view key, const GetOptions& options,
                                    ByteSink& sink) {
  count("get");
  std::function<void(std::string_view, const GetOptions&)> hook;
  {
    const std::lock_guard lock(mutex_);
    hook = before_get_;
  }
  if (hook) hook(key, options);
  ObjectInfo info;
  std::string body;
  {
    const std::lock_guard lock(mutex_);
    const auto it = objects_.find(key);
    if (it == objects_.end()) return no_such_key("get", key);
    info = it->second.info;
    const Conditions& cond = options.conditions;
    if ((!cond.if_match.empty() && cond.if_match != info.etag) ||
        (!cond.if_none_match.empty() &&
         (cond.if_none_match == "*" || cond.if_none_match == info.etag))) {
      return precondition_failed("get", key);
    }
    const std::string& data = it->second.data;
    const uint64_t offset = std::min<uint64_t>(options.range.offset, data.size());
    body = data.substr(offset, std::min<uint64_t>(options.range.length, data.size() - offset));
  }
  for (size_t done = 0; done < body.size(); done += kDeliveryChunk) {
    const size_t n = std::min(kDeliveryChunk, body.size() - done);
    Status written = sink.write_at(done, std::span(body).subspan(done, n));
    if (!written.is_ok()) return std::move(written).context(fmt::format("get {}", key));
  }
  return info;
}

Result<ObjectInfo> MemoryStore::put(std::string_view key, const ByteSource& data,
                                    const PutOptions& options) {
  count("put");
  if (data.size() > capabilities_.max_single_put) {
    return invalid(fmt::format("put {}: {} bytes is over the single put limit", key, data.size()));
  }
  auto body = read_all(data);
  if (!body.is_ok()) return std::move(body).take_status().context(fmt::format("put {}", key));
  const std::lock_guard lock(mutex_);
  AUTOSYNC_RETURN_IF_ERROR(check_write_conditions("put", key, options.conditions));
  return store_object(key, std::move(body).value(), options.metadata, options.content_type);
}

Status MemoryStore::remove(std::string_view key) {
  count("remove");
  const std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it != objects_.end()) objects_.erase(it);
  return {};
}

Result<std::vector<KeyError>> MemoryStore::remove_many(std::span<const std::string> keys) {
  count("remove_many");
  if (keys.size() > 1000) return invalid("remove_many: more than 1000 keys");
  const std::lock_guard lock(mutex_);
  for (const std::string& key : keys)
    objects_.erase(key);
  return std::vector<KeyError>{};
}

Result<ListPage> MemoryStore::list(const ListOptions& options) {
  count("list");
  if (options.max_keys == 0) return invalid("list: max_keys must be at least 1");
  const std::lock_guard lock(mutex_);
  return list_locked(options);
}

ListPage MemoryStore::list_locked(const ListOptions& options) const {
  // A token names the last entry of the page: "k<key>" for an object, "p<prefix>" for a
  // common prefix (whose whole subtree is then skipped).
  const std::string_view token = options.continuation_token;
  const std::string_view after = token.empty() ? std::string_view{} : token.substr(1);
  const bool after_prefix = token.starts_with('p');
  auto it = token.empty() ? objects_.lower_bound(options.prefix) : objects_.upper_bound(after);
  if (it != objects_.end() && it->first < options.prefix) it = objects_.lower_bound(options.prefix);
  ListPage page;
  std::string last;
  uint32_t entries = 0;
  for (; it != objects_.end() && it->first.starts_with(options.prefix); ++it) {
    const std::string& key = it->first;
    if (after_prefix && key.starts_with(after)) continue;
    const size_t cut = options.delimiter.empty()
                           ? std::string::npos
                           : key.find(options.delimiter, options.prefix.size());
    std::string entry =
        cut == std::string::npos ? "k" + key : "p" + key.substr(0, cut + options.delimiter.size());
    if (entry == last) continue;  // another key under the same common prefix
    if (entries == options.max_keys) {
      page.next_token = last;
      break;
    }
    ++entries;
    last = entry;
    if (entry.front() == 'p') {
      page.common_prefixes.push_back(entry.substr(1));
    } else {
      page.objects.push_back(it->second.info);
      page.objects.back().metadata.clear();  // list leaves metadata empty
    }
  }
  return page;
}

Result<ObjectInfo> MemoryStore::copy(std::string_view source, std::string_view dest,
                                     const CopyOptions& options) {
  count("copy");
  const std::lock_guard lock(mutex_);
  const auto it = objects_.find(source);
  if (it == objects_.end()) return no_such_key("copy", source);
  const Conditions& cond = options.source_conditions;
  if ((!cond.if_match.empty() && cond.if_match != it->second.info.etag) ||
      (!cond.if_none_match.empty() &&
       (cond.if_none_match == "*" || cond.if_none_match == it->second.info.etag))) {
    return precondition_failed("copy", source);
  }
  const Object& from = it->second;
  return store_object(dest, from.data,
                      options.replace_metadata ? options.metadata : from.info.metadata,
                      from.info.content_type);
}

uint64_t MemoryStore::calls(std::string_view op) const {
  const std::lock_guard lock(mutex_);
  const auto it = calls_.find(op);
  return it == calls_.end() ? 0 : it->second;
}

size_t MemoryStore::open_uploads() const {
  const std::lock_guard lock(mutex_);
  return uploads_.size();
}

size_t MemoryStore::object_count() const {
  const std::lock_guard lock(mutex_);
  return objects_.size();
}

std::optional<std::string> MemoryStore::content(std::string_view key) const {
  const std::lock_guard lock(mutex_);
  const auto it = objects_.find(key);
  if (it == objects_.end()) return std::nullopt;
  return it->second.data;
}

void MemoryStore::set_before_get(
    std::function<void(std::string_view key, const GetOptions&)> hook) {
  const std::lock_guard lock(mutex_);
  before_get_ = std::move(hook);
}

}  // namespace autosync::backends::testing
