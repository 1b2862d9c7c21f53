#include "backends/local/local_lister.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace autosync::backends::local {
namespace {

constexpr uint32_t kMaxPage = 1000;

struct Entry {
  std::string key;  // full key; directories end with '/'
  bool is_dir = false;
};

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

bool overlaps(std::string_view a, std::string_view b) {
  return a.starts_with(b) || b.starts_with(a);
}

class Walker {
 public:
  Walker(const KeyPaths& paths, const ListOptions& options, const StatFn& stat)
      : paths_(paths),
        opt_(options),
        stat_(stat),
        limit_(options.max_keys == 0 ? kMaxPage : std::min(options.max_keys, kMaxPage)) {}

  Result<ListPage> run() {
    // The deepest directory holding every match: for "a/b/" that is "a/", so that the marker
    // "a/b/" itself is listed too, as S3 lists it.
    const std::string& prefix = opt_.prefix;
    const size_t slash =
        prefix.size() < 2 ? std::string::npos : prefix.rfind('/', prefix.size() - 2);
    const std::string base = slash == std::string::npos ? "" : opt_.prefix.substr(0, slash + 1);
    visit(base);
    if (!error_.is_ok()) return error_;
    if (truncated_) page_.next_token = last_emitted_;
    return std::move(page_);
  }

 private:
  std::vector<Entry> read_sorted(const std::string& dir_key) const {
    std::vector<Entry> out;
    const std::unique_ptr<DIR, DirCloser> dir(::opendir(paths_.data(dir_key).c_str()));
    if (!dir) return out;  // gone or not a directory: nothing below it
    // readdir is safe here: each call walks its own DIR stream.
    while (const dirent* d = ::readdir(dir.get())) {  // NOLINT(concurrency-mt-unsafe)
      const std::string_view name(static_cast<const char*>(d->d_name));
      if (name == "." || name == "..") continue;
      if (dir_key.empty() && (name == kMetaDir || name == kTempDir || name == kVersionsDir))
        continue;
      unsigned char type = d->d_type;
      if (type == DT_UNKNOWN) {
        struct stat st {};
        if (::lstat(paths_.data(dir_key + std::string(name)).c_str(), &st) != 0) continue;
        type = S_ISDIR(st.st_mode) ? DT_DIR : (S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN);
      }
      if (type == DT_DIR) out.push_back({dir_key + std::string(name) + "/", true});
      if (type == DT_REG) out.push_back({dir_key + std::string(name), false});
    }
    std::sort(out.begin(), out.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    return out;
  }

  // False once the page is full or an error stopped the walk.
  bool visit(const std::string& dir_key) {
    for (const Entry& e : read_sorted(dir_key)) {
      if (!overlaps(e.key, opt_.prefix)) continue;
      if (!(e.is_dir ? visit_dir(e.key) : offer_object(e.key))) return false;
    }
    return true;
  }

  bool visit_dir(const std::string& key) {
    const std::string& token = opt_.continuation_token;
    if (!token.empty() && token > key && !token.starts_with(key)) return true;  // all before token
    if (auto cp = common_prefix_of(key); cp && cp->size() <= key.size()) {
      return has_objects(key) ? offer_prefix(*cp) : true;  // the whole directory folds into cp
    }
    if (key.starts_with(opt_.prefix) && is_marker(key) && !offer_object(key)) return false;
    return visit(key);
  }

  bool offer_object(const std::string& key) {
    if (!key.starts_with(opt_.prefix)) return true;
    if (auto cp = common_prefix_of(key)) return offer_prefix(*cp);
    if (!opt_.continuation_token.empty() && key <= opt_.continuation_token) return true;
    auto info = stat_(key);
    if (!info.is_ok()) {
      if (info.status().is(ErrorKind::kNotFound)) return true;  // deleted while we walked
      error_ = info.status();
      return false;
    }
    if (!room()) return false;
    info->metadata.clear();
    page_.objects.push_back(std::move(info).value());
    last_emitted_ = key;
    return true;
  }

  bool offer_prefix(const std::string& cp) {
    if ((!opt_.continuation_token.empty() && cp <= opt_.continuation_token) || cp == last_prefix_) {
      return true;
    }
    if (!room()) return false;
    page_.common_prefixes.push_back(cp);
    last_prefix_ = cp;
    last_emitted_ = cp;
    return true;
  }

  bool room() {
    if (page_.objects.size() + page_.common_prefixes.size() < limit_) return true;
    truncated_ = true;
    return false;
  }

  std::optional<std::string> common_prefix_of(const std::string& key) const {
    if (opt_.delimiter.empty() || key.size() <= opt_.prefix.size()) return std::nullopt;
    const size_t pos = key.find(opt_.delimiter, opt_.prefix.size());
    if (pos == std::string::npos) return std::nullopt;
    return key.substr(0, pos + opt_.delimiter.size());
  }

  bool is_marker(const std::string& key) const {
    struct stat st {};
    return ::stat(paths_.sidecar(key).c_str(), &st) == 0;
  }

  // Whether any object (file or marker) lives at or below directory `key`.
  bool has_objects(const std::string& key) const {
    if (is_marker(key)) return true;
    for (const Entry& e : read_sorted(key)) {
      if (!e.is_dir || has_objects(e.key)) return true;
    }
    return false;
  }

  const KeyPaths& paths_;
  const ListOptions& opt_;
  const StatFn& stat_;
  const uint32_t limit_;
  ListPage page_;
  std::string last_emitted_;
  std::string last_prefix_;
  bool truncated_ = false;
  Status error_;
};

}  // namespace

Result<ListPage> list_directory_tree(const KeyPaths& paths, const ListOptions& options,
                                     const StatFn& stat) {
  return Walker(paths, options, stat).run();
}

}  // namespace autosync::backends::local
