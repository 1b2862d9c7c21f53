#include "backends/s3/list_paging.h"

#include <algorithm>

#include "core/base/encoding.h"

namespace autosync::backends::s3 {
namespace {

constexpr std::string_view kStartAfterMarker = "autosync-start-after:";

}  // namespace

void sort_page(ListPage& page) {
  const auto by_key = [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; };
  if (!std::is_sorted(page.objects.begin(), page.objects.end(), by_key)) {
    std::sort(page.objects.begin(), page.objects.end(), by_key);
  }
  if (!std::is_sorted(page.common_prefixes.begin(), page.common_prefixes.end())) {
    std::sort(page.common_prefixes.begin(), page.common_prefixes.end());
  }
}

void limit_page(ListPage& page, uint32_t max_keys) {
  if (page.objects.size() + page.common_prefixes.size() <= max_keys) return;
  size_t objects = 0;
  size_t prefixes = 0;
  std::string start_after;
  while (objects + prefixes < max_keys) {
    const bool take_object = prefixes == page.common_prefixes.size() ||
                             (objects < page.objects.size() &&
                              page.objects[objects].key < page.common_prefixes[prefixes]);
    if (take_object) {
      start_after = page.objects[objects++].key;
    } else {
      // Past every key under the prefix: no UTF-8 key has a 0xFF byte, so prefix + 0xFF
      // sorts after all of them and before the next sibling.
      start_after = page.common_prefixes[prefixes++] + "\xFF";
    }
  }
  page.objects.resize(objects);
  page.common_prefixes.resize(prefixes);
  page.next_token = std::string(kStartAfterMarker) + base64_encode(start_after);
}

Result<std::optional<std::string>> start_after_in(std::string_view token) {
  if (!token.starts_with(kStartAfterMarker)) return std::optional<std::string>{};
  auto key = base64_decode(token.substr(kStartAfterMarker.size()));
  if (!key) return invalid("malformed continuation token");
  return std::optional<std::string>(std::move(*key));
}

}  // namespace autosync::backends::s3
