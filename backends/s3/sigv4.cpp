#include "backends/s3/sigv4.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "core/base/crypto.h"
#include "core/base/encoding.h"

namespace autosync::backends::s3::sigv4 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
// Big enough that hashing costs little per read call, small enough to stay in cache.
constexpr size_t kHashChunkBytes = 1 << 20;

// Trimmed, with every run of spaces inside collapsed to one (SigV4's header normalisation).
std::string normalise_value(std::string_view value) {
  const std::string_view trimmed = trim(value);
  std::string out;
  out.reserve(trimmed.size());
  for (char c : trimmed) {
    if (c == ' ' && !out.empty() && out.back() == ' ') continue;
    out.push_back(c);
  }
  return out;
}

// Headers as (lower-case name, normalised value), sorted by name; stable so that repeated
// headers keep the order they were given in.
std::vector<std::pair<std::string, std::string>> sorted_headers(const http::Headers& headers) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(headers.size());
  for (const auto& [name, value] : headers)
    out.emplace_back(to_lower(name), normalise_value(value));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

}  // namespace

std::string Scope::credential_scope() const {
  return fmt::format("{}/{}/{}/aws4_request", date, region, service);
}

std::string signed_headers(const http::Headers& headers) {
  std::string out;
  std::string_view previous;
  const auto sorted = sorted_headers(headers);
  for (const auto& [name, value] : sorted) {
    if (name == previous) continue;
    if (!out.empty()) out.push_back(';');
    out += name;
    previous = name;
  }
  return out;
}

std::string canonical_headers(const http::Headers& headers) {
  std::string out;
  const auto sorted = sorted_headers(headers);
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0 && sorted[i].first == sorted[i - 1].first) {
      out.back() = ',';  // replace the previous line's '\n': "name:v1,v2\n"
    } else {
      out += sorted[i].first;
      out.push_back(':');
    }
    out += sorted[i].second;
    out.push_back('\n');
  }
  return out;
}

std::string canonical_request(const Request& request) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.method, request.canonical_uri,
                     request.canonical_query, canonical_headers(*request.headers),
                     signed_headers(*request.headers), request.payload_hash);
}

std::string string_to_sign(std::string_view amz_date, const Scope& scope,
                           std::string_view canonical_request) {
  return fmt::format("{}\n{}\n{}\n{}", kAlgorithm, amz_date, scope.credential_scope(),
                     to_hex(sha256(canonical_request)));
}

std::string signing_key(std::string_view secret_access_key, const Scope& scope) {
  const std::string date_key = hmac_sha256(fmt::format("AWS4{}", secret_access_key), scope.date);
  const std::string region_key = hmac_sha256(date_key, scope.region);
  const std::string service_key = hmac_sha256(region_key, scope.service);
  return hmac_sha256(service_key, "aws4_request");
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return to_hex(hmac_sha256(signing_key, string_to_sign));
}

std::string authorization(std::string_view access_key_id, std::string_view secret_access_key,
                          std::string_view amz_date, const Scope& scope, const Request& request) {
  const std::string to_sign = string_to_sign(amz_date, scope, canonical_request(request));
  return fmt::format("{} Credential={}/{},SignedHeaders={},Signature={}", kAlgorithm, access_key_id,
                     scope.credential_scope(), signed_headers(*request.headers),
                     signature(signing_key(secret_access_key, scope), to_sign));
}

Result<std::string> payload_sha256(const ByteSource& body) {
  const uint64_t size = body.size();
  if (size == 0) return std::string(kEmptyPayloadSha256);
  const auto buffer = std::make_unique_for_overwrite<char[]>(kHashChunkBytes);
  Sha256Stream hash;
  uint64_t offset = 0;
  while (offset < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kHashChunkBytes, size - offset));
    AUTOSYNC_ASSIGN_OR_RETURN(const size_t n, body.read_at(offset, {buffer.get(), want}));
    if (n == 0) return io_error(fmt::format("body ended at byte {} of {}", offset, size));
    hash.update({reinterpret_cast<const unsigned char*>(buffer.get()), n});  // NOLINT
    offset += n;
  }
  return to_hex(hash.finish());
}

}  // namespace autosync::backends::s3::sigv4
