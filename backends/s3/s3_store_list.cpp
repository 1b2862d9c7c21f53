// S3ObjectStore::list: ListObjectsV2 with URL-encoded keys, and the page repairs of
// list_paging.h for servers that bend its rules.
#include <fmt/format.h>

#include <algorithm>

#include "backends/s3/list_paging.h"
#include "backends/s3/s3_object_store.h"
#include "backends/s3/s3_xml.h"

namespace autosync::backends::s3 {
namespace {

constexpr uint32_t kMaxPage = 1000;

}  // namespace

Result<ListPage> S3ObjectStore::list(const ListOptions& options) {
  const std::string what = fmt::format("list {}", options.prefix.empty() ? "/" : options.prefix);
  const uint32_t max_keys =
      options.max_keys == 0 ? kMaxPage : std::min<uint32_t>(options.max_keys, kMaxPage);
  S3Request request{.method = "GET"};
  // Ask for URL-encoded keys: XML 1.0 cannot carry every byte a key may hold.
  request.query = {
      {"list-type", "2"}, {"encoding-type", "url"}, {"max-keys", std::to_string(max_keys)}};
  if (!options.prefix.empty()) request.query.emplace_back("prefix", options.prefix);
  if (!options.delimiter.empty()) request.query.emplace_back("delimiter", options.delimiter);
  auto start_after = start_after_in(options.continuation_token);
  if (!start_after.is_ok()) return std::move(start_after).take_status().context(what);
  if (*start_after) {
    request.query.emplace_back("start-after", **start_after);
  } else if (!options.continuation_token.empty()) {
    request.query.emplace_back("continuation-token", options.continuation_token);
  }
  AUTOSYNC_ASSIGN_OR_RETURN(const auto response, call(request, what));
  auto page = parse_list_page(response.body);
  if (!page.is_ok()) return std::move(page).take_status().context(what);
  sort_page(*page);
  limit_page(*page, max_keys);
  return page;
}

}  // namespace autosync::backends::s3
