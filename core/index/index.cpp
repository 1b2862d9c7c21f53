#include "core/index/index.h"

#include <utility>

#include "core/db/migrate.h"
#include "core/index/schema.h"

namespace autosync::index {

using db::Transaction;

Index::Index(OpenKey /*key*/, const std::filesystem::path& file, IndexOptions options)
    : options_(std::move(options)), pool_(file, options_.pool) {}

Index::~Index() {
  (void)flush_touches();
}

Result<std::unique_ptr<Index>> Index::open(const std::filesystem::path& file,
                                           IndexOptions options) {
  auto index = std::make_unique<Index>(OpenKey(), file, std::move(options));
  {
    AUTOSYNC_ASSIGN_OR_RETURN(auto conn, index->pool_.acquire());
    AUTOSYNC_RETURN_IF_ERROR(db::migrate(*conn, schema_migrations()));
  }
  return index;
}

Result<ReadTxn> Index::read() {
  AUTOSYNC_ASSIGN_OR_RETURN(auto conn, pool_.acquire());
  AUTOSYNC_ASSIGN_OR_RETURN(auto tx, Transaction::begin(*conn, Transaction::Mode::kDeferred));
  return ReadTxn(std::move(conn), std::move(tx), &options_);
}

Result<WriteTxn> Index::write(Durability durability) {
  db::WriterGate::Turn turn = writers_.take();  // before the connection: see writer_gate.h
  AUTOSYNC_ASSIGN_OR_RETURN(auto conn, pool_.acquire());
  AUTOSYNC_ASSIGN_OR_RETURN(auto tx,
                            Transaction::begin(*conn, Transaction::Mode::kImmediate, durability));
  return WriteTxn(std::move(conn), std::move(tx), &options_, std::move(turn));
}

template <typename Op>
auto Index::in_write(Durability durability, Op&& op) -> decltype(op(std::declval<WriteTxn&>())) {
  auto txn = write(durability);
  if (!txn.is_ok()) return std::move(txn).take_status();
  auto result = op(*txn);
  if (!result.is_ok()) return result;
  AUTOSYNC_RETURN_IF_ERROR(txn->commit());
  return result;
}

template <typename Op>
auto Index::in_read(Op&& op) -> decltype(op(std::declval<ReadTxn&>())) {
  auto txn = read();
  if (!txn.is_ok()) return std::move(txn).take_status();
  return op(*txn);  // read-only: the snapshot ends when txn rolls back
}

// ---- reads ----
Result<InodeRecord> Index::get(Ino ino) {
  return in_read([&](ReadTxn& t) { return t.get(ino); });
}
Result<std::optional<InodeRecord>> Index::lookup(Ino parent, std::string_view name) {
  return in_read([&](ReadTxn& t) { return t.lookup(parent, name); });
}
Result<std::vector<std::optional<InodeRecord>>> Index::lookup_many(
    Ino parent, std::span<const std::string> names) {
  return in_read([&](ReadTxn& t) -> Result<std::vector<std::optional<InodeRecord>>> {
    std::vector<std::optional<InodeRecord>> found;
    found.reserve(names.size());
    for (const auto& name : names) {
      AUTOSYNC_ASSIGN_OR_RETURN(auto rec, t.lookup(parent, name));
      found.push_back(std::move(rec));
    }
    return found;
  });
}
Result<std::string> Index::path_of(Ino ino) {
  return in_read([&](ReadTxn& t) { return t.path_of(ino); });
}
Result<Ino> Index::parent_of(Ino ino) {
  return in_read([&](ReadTxn& t) { return t.parent_of(ino); });
}
Result<std::vector<DirEntryRecord>> Index::list_dir(Ino dir, std::string_view after_name,
                                                    size_t limit) {
  return in_read([&](ReadTxn& t) { return t.list_dir(dir, after_name, limit); });
}
Result<uint64_t> Index::child_count(Ino dir) {
  return in_read([&](ReadTxn& t) { return t.child_count(dir); });
}
Result<bool> Index::is_empty(Ino dir) {
  return in_read([&](ReadTxn& t) { return t.is_empty(dir); });
}
Result<std::string> Index::get_xattr(Ino ino, std::string_view name) {
  return in_read([&](ReadTxn& t) { return t.get_xattr(ino, name); });
}
Result<std::vector<std::string>> Index::list_xattrs(Ino ino) {
  return in_read([&](ReadTxn& t) { return t.list_xattrs(ino); });
}
Result<content::RangeSet> Index::load_ranges(Ino ino) {
  return in_read([&](ReadTxn& t) { return t.load_ranges(ino); });
}
Result<std::optional<DirListing>> Index::listed_at(Ino dir) {
  return in_read([&](ReadTxn& t) { return t.listed_at(dir); });
}
Result<std::vector<Ino>> Index::unlinked_inodes() {
  return in_read([&](ReadTxn& t) { return t.unlinked_inodes(); });
}
Result<uint64_t> Index::cached_bytes_total() {
  return in_read([&](ReadTxn& t) { return t.cached_bytes_total(); });
}
Result<std::vector<Ino>> Index::unjournaled_dirty_inodes() {
  return in_read([&](ReadTxn& t) { return t.unjournaled_dirty_inodes(); });
}
Result<std::vector<std::string>> Index::keys_being_removed() {
  return in_read([&](ReadTxn& t) { return t.keys_being_removed(); });
}
Result<JournalEntry> Index::journal_entry(int64_t seq) {
  return in_read([&](ReadTxn& t) { return t.journal_entry(seq); });
}
Result<PendingStats> Index::pending_stats() {
  return in_read([&](ReadTxn& t) { return t.pending_stats(); });
}
Result<std::vector<EvictionCandidate>> Index::eviction_candidates(size_t limit) {
  AUTOSYNC_RETURN_IF_ERROR(flush_touches());
  return in_read([&](ReadTxn& t) { return t.eviction_candidates(limit); });
}

// ---- writes ----
namespace {
constexpr auto kDefault = Index::Durability::kConnectionDefault;
}  // namespace

Result<InodeRecord> Index::create(Ino parent, std::string_view name, const NewInode& inode) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.create(parent, name, inode); });
}
Result<InodeRecord> Index::link(Ino ino, Ino new_parent, std::string_view new_name) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.link(ino, new_parent, new_name); });
}
Result<InodeRecord> Index::unlink(Ino parent, std::string_view name) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.unlink(parent, name); });
}
Result<InodeRecord> Index::rmdir(Ino parent, std::string_view name) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.rmdir(parent, name); });
}
Result<RenameOutcome> Index::rename(Ino parent, std::string_view name, Ino new_parent,
                                    std::string_view new_name, unsigned int flags) {
  return in_write(kDefault,
                  [&](WriteTxn& t) { return t.rename(parent, name, new_parent, new_name, flags); });
}
Result<InodeRecord> Index::set_attrs(Ino ino, const AttrChanges& changes) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.set_attrs(ino, changes); });
}
Result<uint64_t> Index::bump_local_gen(Ino ino) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.bump_local_gen(ino); });
}
Result<InodeRecord> Index::mark_synced(Ino ino, uint64_t gen, const RemoteVersion& remote) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.mark_synced(ino, gen, remote); });
}
Result<InodeRecord> Index::add_open(Ino ino) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.add_open(ino); });
}
Result<InodeRecord> Index::drop_open(Ino ino) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.drop_open(ino); });
}
Status Index::reset_open_counts() {
  return in_write(kDefault, [&](WriteTxn& t) { return t.reset_open_counts(); });
}
Result<bool> Index::purge(Ino ino) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.purge(ino); });
}
Status Index::set_xattr(Ino ino, std::string_view name, std::string_view value, int flags) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.set_xattr(ino, name, value, flags); });
}
Status Index::remove_xattr(Ino ino, std::string_view name) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.remove_xattr(ino, name); });
}
Result<uint64_t> Index::add_range(Ino ino, uint64_t start, uint64_t end) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.add_range(ino, start, end); });
}
Result<uint64_t> Index::truncate_ranges(Ino ino, uint64_t size) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.truncate_ranges(ino, size); });
}
Status Index::clear_ranges(Ino ino) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.clear_ranges(ino); });
}
Result<uint64_t> Index::drop_clean_cache(Ino ino) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.drop_clean_cache(ino); });
}
Status Index::set_listed(Ino dir, int64_t listed_at_ns, bool complete) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.set_listed(dir, listed_at_ns, complete); });
}
Result<int64_t> Index::enqueue(const JournalEntry& entry, Durability durability) {
  return in_write(durability, [&](WriteTxn& t) { return t.enqueue(entry); });
}
Result<std::vector<JournalEntry>> Index::claim(std::string_view worker, int64_t now, size_t limit,
                                               int64_t metadata_quiet_ns,
                                               int64_t upload_min_age_ns) {
  return in_write(kDefault, [&](WriteTxn& t) {
    return t.claim(worker, now, limit, metadata_quiet_ns, upload_min_age_ns);
  });
}
Status Index::finish(int64_t seq) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.finish(seq); });
}
Status Index::retry_later(int64_t seq, std::string_view error, int64_t not_before_ns) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.retry_later(seq, error, not_before_ns); });
}
Status Index::fail(int64_t seq, std::string_view error) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.fail(seq, error); });
}
Result<uint64_t> Index::requeue_stale(int64_t claimed_before_ns) {
  return in_write(kDefault, [&](WriteTxn& t) { return t.requeue_stale(claimed_before_ns); });
}

// ---- access times ----
Status Index::touch(Ino ino, int64_t when_ns) {
  bool full = false;
  {
    std::lock_guard lock(touch_mutex_);
    int64_t& latest = touched_[ino];
    latest = std::max(latest, when_ns);
    full = touched_.size() >= options_.touch_batch;
  }
  return full ? flush_touches() : Status::ok();
}

Status Index::flush_touches() {
  std::unordered_map<Ino, int64_t> batch;
  {
    std::lock_guard lock(touch_mutex_);
    batch.swap(touched_);
  }
  if (batch.empty()) return Status::ok();
  Status status = in_write(kDefault, [&](WriteTxn& t) {
    for (const auto& [ino, when] : batch)
      AUTOSYNC_RETURN_IF_ERROR(t.touch(ino, when));
    return Status::ok();
  });
  if (!status.is_ok()) {  // keep them for the next flush, merged with newer touches
    std::lock_guard lock(touch_mutex_);
    for (const auto& [ino, when] : batch) {
      int64_t& latest = touched_[ino];
      latest = std::max(latest, when);
    }
  }
  return status;
}

}  // namespace autosync::index
