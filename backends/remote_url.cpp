#include "backends/remote_url.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace autosync::backends {
namespace {

constexpr std::string_view kForms =
    "expected s3://BUCKET[/PREFIX], gs://BUCKET[/PREFIX], azure://CONTAINER[/PREFIX] or "
    "file:///DIRECTORY";

constexpr std::array<std::pair<std::string_view, Scheme>, 4> kSchemes = {{
    {"s3://", Scheme::kS3},
    {"gs://", Scheme::kGcs},
    {"azure://", Scheme::kAzure},
    {"file://", Scheme::kFile},
}};

std::string_view scheme_text(Scheme s) {
  for (const auto& [text, scheme] : kSchemes) {
    if (scheme == s) return text;
  }
  return "";
}

}  // namespace

Result<RemoteUrl> parse_remote_url(std::string_view text) {
  for (const auto& [prefix, scheme] : kSchemes) {
    if (!text.starts_with(prefix)) continue;
    std::string_view rest = text.substr(prefix.size());
    RemoteUrl url;
    url.scheme = scheme;
    if (scheme == Scheme::kFile) {
      if (!rest.starts_with('/')) {
        return invalid(
            fmt::format("remote {}: file:// needs an absolute path (file:///dir)", text));
      }
      url.path = std::string(rest);
      return url;
    }
    const size_t slash = rest.find('/');
    url.bucket = std::string(rest.substr(0, slash));
    if (url.bucket.empty())
      return invalid(fmt::format("remote {}: no bucket name; {}", text, kForms));
    if (slash != std::string_view::npos) {
      std::string_view p = rest.substr(slash + 1);
      while (p.ends_with('/'))
        p.remove_suffix(1);
      if (!p.empty()) url.prefix = std::string(p) + "/";
    }
    return url;
  }
  return invalid(fmt::format("remote {}: unknown form; {}", text, kForms));
}

std::string to_string(const RemoteUrl& url) {
  if (url.scheme == Scheme::kFile) return "file://" + url.path;
  std::string out = std::string(scheme_text(url.scheme)) + url.bucket;
  if (!url.prefix.empty()) out += "/" + url.prefix.substr(0, url.prefix.size() - 1);
  return out;
}

}  // namespace autosync::backends
