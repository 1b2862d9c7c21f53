#include "tests/unit/vfs/vfs_test_util.h"

#include <fcntl.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "backends/open.h"

namespace autosync::vfs::testing {

Result<backends::ObjectInfo> CountingStore::get(std::string_view key,
                                                const backends::GetOptions& options,
                                                backends::ByteSink& sink) {
  ++gets;
  {
    std::lock_guard lock(ranges_mu);
    ranges.push_back(options.range);
  }
  if (offline) return transient("get " + std::string(key) + ": connection refused");
  return ForwardingStore::get(key, options, sink);
}

Result<backends::ListPage> CountingStore::list(const backends::ListOptions& options) {
  ++lists;
  if (offline) return transient("list " + options.prefix + ": connection refused");
  auto page = ForwardingStore::list(options);
  if (after_list) after_list();
  return page;
}

Result<backends::ObjectInfo> CountingStore::head(std::string_view key) {
  if (offline) return transient("head " + std::string(key) + ": connection refused");
  return ForwardingStore::head(key);
}

VfsFixture::VfsFixture() {
  std::filesystem::create_directories(dir.path() / "remote");
  index::IndexOptions index_options;
  index_options.clock = [this] { return now_ns.load(); };
  auto opened = index::Index::open(dir.path() / "index.db", index_options);
  REQUIRE(opened.is_ok());
  index = std::move(opened).value();
  auto store_content = content::ContentStore::open(dir.path() / "content");
  REQUIRE(store_content.is_ok());
  content = std::move(store_content).value();

  backends::StoreConfig config;
  auto url = backends::parse_remote_url("file://" + (dir.path() / "remote").string());
  REQUIRE(url.is_ok());
  config.remote = *url;
  auto backend = backends::open(config);
  REQUIRE(backend.is_ok());
  store = std::make_unique<CountingStore>(std::move(backend).value());

  options.uid = 1000;
  options.gid = 1000;
  options.umask = 022;
  options.attr_ttl = std::chrono::seconds(1);
  options.dir_ttl = std::chrono::seconds(60);
  options.clock = [this] { return now_ns.load(); };
  vfs = std::make_unique<CacheVfs>(*index, *content, *store, notifier, options);
}

void VfsFixture::rebuild_vfs() {
  vfs.reset();
  vfs = std::make_unique<CacheVfs>(*index, *content, *store, notifier, options);
}

void VfsFixture::put_remote(const std::string& key, std::string_view body,
                            backends::UserMetadata metadata) {
  backends::BufferSource source(body);
  backends::PutOptions put;
  put.metadata = std::move(metadata);
  REQUIRE(store->put(key, source, put).is_ok());
}

void VfsFixture::record_upload(Ino ino, const std::string& key, const std::string& etag, bool own) {
  auto rec = index->get(ino);
  REQUIRE(rec.is_ok());
  auto txn = index->write();
  REQUIRE(txn.is_ok());
  index::RemoteVersion remote;
  remote.key = key;
  remote.etag = etag;
  remote.size = rec->size;
  remote.mtime_ns = rec->mtime_ns;
  REQUIRE(txn->mark_synced(ino, rec->local_gen, remote).is_ok());
  if (own) {
    index::VersionRecord version;
    version.path = key;
    version.ino = ino;
    version.etag = etag;
    version.size = rec->size;
    version.mtime_ns = rec->mtime_ns;
    version.uploaded = true;
    REQUIRE(txn->add_version(version).is_ok());
  }
  REQUIRE(txn->commit().is_ok());
}

void VfsFixture::remove_remote(const std::string& key) {
  REQUIRE(store->remove(key).is_ok());
}

void VfsFixture::expire_listings() {
  now_ns += 61'000'000'000;
}

std::vector<index::JournalEntry> VfsFixture::journal() {
  std::vector<index::JournalEntry> rows;
  for (int64_t seq = 1; seq < 200; ++seq) {
    auto row = index->journal_entry(seq);
    if (row.is_ok()) rows.push_back(*row);
  }
  return rows;
}

Entry VfsFixture::make_file(Ino parent, std::string_view name, std::string_view body) {
  auto made = vfs->create(who, parent, name, 0644, O_WRONLY | O_CREAT);
  REQUIRE(made.is_ok());
  const auto& [entry, reply] = *made;
  if (!body.empty()) {
    auto wrote = vfs->write(entry.attr.ino, reply.handle, 0, body);
    REQUIRE(wrote.is_ok());
    REQUIRE(*wrote == body.size());
  }
  REQUIRE(vfs->release(entry.attr.ino, reply.handle).is_ok());
  return entry;
}

std::string VfsFixture::read_all(Ino ino) {
  auto opened = vfs->open(who, ino, O_RDONLY);
  REQUIRE(opened.is_ok());
  auto attr = vfs->getattr(ino);
  REQUIRE(attr.is_ok());
  std::string out(attr->size, '\0');
  auto got = vfs->read(ino, opened->handle, 0, out);
  REQUIRE(got.is_ok());
  out.resize(*got);
  REQUIRE(vfs->release(ino, opened->handle).is_ok());
  return out;
}

Ino VfsFixture::lookup_ino(Ino parent, std::string_view name) {
  auto found = vfs->lookup(who, parent, name);
  INFO(found.status().to_string());
  REQUIRE(found.is_ok());
  return found->attr.ino;
}

}  // namespace autosync::vfs::testing
