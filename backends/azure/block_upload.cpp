#include "backends/azure/block_upload.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::azure {
namespace {

constexpr size_t kNonceBytes = 16;
constexpr size_t kNonceChars = 2 * kNonceBytes;

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

std::string to_base64url(std::string_view bytes) {
  std::string text = base64_encode(bytes);
  std::replace(text.begin(), text.end(), '+', '-');
  std::replace(text.begin(), text.end(), '/', '_');
  while (!text.empty() && text.back() == '=')
    text.pop_back();
  return text;
}

std::optional<std::string> from_base64url(std::string_view text) {
  std::string padded(text);
  std::replace(padded.begin(), padded.end(), '-', '+');
  std::replace(padded.begin(), padded.end(), '_', '/');
  while (padded.size() % 4 != 0)
    padded += '=';
  return base64_decode(padded);
}

// Line 1: content type; then one "name=value" line per metadata entry.
std::string serialize(const PutOptions& options) {
  std::string out = options.content_type;
  for (const auto& [name, value] : options.metadata) {
    out += fmt::format("\n{}={}", name, value);
  }
  return out;
}

bool deserialize(std::string_view text, UploadState& state) {
  size_t end = text.find('\n');
  state.content_type = std::string(text.substr(0, end));
  while (end != std::string_view::npos) {
    text = text.substr(end + 1);
    end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) return false;
    state.metadata[std::string(line.substr(0, eq))] = std::string(line.substr(eq + 1));
  }
  return true;
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

Result<std::string> make_upload_id(const PutOptions& options) {
  if (has_line_break(options.content_type)) return invalid("the content type holds a line break");
  for (const auto& [name, value] : options.metadata) {
    if (name.empty() || name.find('=') != std::string::npos || has_line_break(name) ||
        has_line_break(value)) {
      return invalid(fmt::format("metadata '{}' is not a valid name and value", name));
    }
  }
  std::string id = to_hex(random_bytes(kNonceBytes));
  if (!options.content_type.empty() || !options.metadata.empty()) {
    id += '.';
    id += to_base64url(serialize(options));
  }
  return id;
}

Result<UploadState> parse_upload_id(std::string_view upload_id) {
  const auto bad = [&] { return invalid("not an upload id this Azure backend made"); };
  UploadState state;
  state.nonce = std::string(upload_id.substr(0, kNonceChars));
  if (state.nonce.size() != kNonceChars || !is_hex(state.nonce)) return bad();
  const std::string_view rest = upload_id.substr(kNonceChars);
  if (rest.empty()) return state;
  if (rest.front() != '.') return bad();
  const auto options = from_base64url(rest.substr(1));
  if (!options || !deserialize(*options, state)) return bad();
  return state;
}

std::string block_id(std::string_view nonce, int part_number) {
  return base64_encode(fmt::format("{}-{:05d}", nonce, part_number));
}

}  // namespace autosync::backends::azure
