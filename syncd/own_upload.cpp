#include "syncd/own_upload.h"

#include <fmt/format.h>

#include <charconv>

#include "core/layout/object_meta.h"

namespace autosync::syncd {
namespace {

// Parses "CLIENT/INO/GEN" into its generation when CLIENT and INO are ours.
std::optional<uint64_t> generation_in(std::string_view token, std::string_view client_id,
                                      index::Ino ino) {
  const std::string prefix = fmt::format("{}/{}/", client_id, ino);
  if (!token.starts_with(prefix)) return std::nullopt;
  const std::string_view digits = token.substr(prefix.size());
  uint64_t gen = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), gen);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return gen;
}

}  // namespace

std::string upload_token(std::string_view client_id, index::Ino ino, uint64_t gen) {
  if (client_id.empty()) return {};
  return fmt::format("{}/{}/{}", client_id, ino, gen);
}

void add_upload_token(const OpContext& ctx, index::Ino ino, uint64_t gen,
                      backends::UserMetadata& metadata) {
  if (ctx.client_id.empty()) return;
  metadata[std::string(layout::kUploadField)] = upload_token(ctx.client_id, ino, gen);
}

Result<std::optional<OwnUpload>> own_upload_at(const OpContext& ctx, std::string_view key,
                                               index::Ino ino) {
  if (ctx.client_id.empty()) return std::optional<OwnUpload>();
  auto head = ctx.store.head(key);
  if (!head.is_ok()) {
    if (head.status().is(ErrorKind::kNotFound)) return std::optional<OwnUpload>();
    return std::move(head).take_status().context(fmt::format("head {}", key));
  }
  const auto it = head->metadata.find(std::string(layout::kUploadField));
  if (it == head->metadata.end()) return std::optional<OwnUpload>();
  const auto gen = generation_in(it->second, ctx.client_id, ino);
  if (!gen) return std::optional<OwnUpload>();
  return std::optional<OwnUpload>(OwnUpload{.object = std::move(head).value(), .gen = *gen});
}

}  // namespace autosync::syncd
