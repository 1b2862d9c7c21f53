#include "core/cachedir/cache_check.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <filesystem>

namespace autosync::cachedir {
namespace {

constexpr size_t kExtentBatch = 512;

std::string kind_of(index::DefectKind kind) {
  switch (kind) {
    case index::DefectKind::kDanglingEntry:
      return "dangling-name";
    case index::DefectKind::kOrphanRows:
      return "orphan-rows";
    case index::DefectKind::kUnknownInodeJournal:
      return "journal-orphan";
    case index::DefectKind::kNegativeSize:
      return "negative-size";
  }
  return "?";
}

// "a/b.txt (inode 12)", or "inode 12" for one without a name.
std::string describe(index::Index& index, index::Ino ino) {
  auto path = index.path_of(ino);
  return path.is_ok() ? fmt::format("{} (inode {})", *path, ino) : fmt::format("inode {}", ino);
}

void note_repair(CheckProblem& problem, const Status& done) {
  problem.repaired = done.is_ok();
  if (!done.is_ok()) problem.unrepaired = done.message();
}

Status check_index(index::Index& index, bool repair, CheckReport& report) {
  std::vector<std::string> damage;
  std::vector<index::IndexDefect> defects;
  {
    AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index.read());
    AUTOSYNC_ASSIGN_OR_RETURN(damage, txn.integrity_problems());
    AUTOSYNC_ASSIGN_OR_RETURN(defects, txn.index_defects());
  }
  for (auto& line : damage) {
    report.problems.push_back(CheckProblem{.kind = "integrity",
                                           .what = std::move(line),
                                           .data_loss = false,
                                           .repaired = false,
                                           .unrepaired = "SQLite damage is not repaired here"});
  }
  for (const auto& defect : defects) {
    CheckProblem problem{.kind = kind_of(defect.kind),
                         .what = defect.detail,
                         .data_loss = false,
                         .repaired = false,
                         .unrepaired = {}};
    if (repair) {
      AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index.write());
      Status done = txn.repair_defect(defect);
      if (done.is_ok()) done = txn.commit();
      note_repair(problem, done);
    }
    report.problems.push_back(std::move(problem));
  }
  return Status::ok();
}

// The size of the content file, or nullopt when there is none.
std::optional<uint64_t> content_size(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

CheckProblem extent_problem(index::Index& index, const index::CachedExtent& extent,
                            std::optional<uint64_t> size) {
  const std::string held = size ? fmt::format("holds {} bytes", *size) : std::string("is missing");
  CheckProblem problem{
      .kind = extent.dirty ? "lost-data" : (size ? "short-content" : "missing-content"),
      .what = fmt::format("{}: cached up to byte {}, its content file {}",
                          describe(index, extent.ino), extent.end, held),
      .data_loss = extent.dirty,
      .repaired = false,
      .unrepaired = {}};
  if (extent.dirty) {
    problem.what += "; its changes were not uploaded yet: DATA LOSS";
    problem.unrepaired = "changes not uploaded: never dropped by fsck";
  }
  return problem;
}

Status check_extents(index::Index& index, content::ContentStore& content, bool repair,
                     CheckReport& report) {
  index::Ino after = 0;
  for (;;) {
    std::vector<index::CachedExtent> extents;
    {
      AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index.read());
      AUTOSYNC_ASSIGN_OR_RETURN(extents, txn.cached_extents(after, kExtentBatch));
    }
    for (const auto& extent : extents) {
      ++report.cached_files;
      const auto size = content_size(content.path_of(extent.ino));
      if (size && *size >= extent.end) continue;
      auto problem = extent_problem(index, extent, size);
      if (repair && !extent.dirty) {
        // Forgotten ranges are fetched again from the store on the next read.
        AUTOSYNC_ASSIGN_OR_RETURN(auto txn, index.write());
        Status done = txn.clear_ranges(extent.ino);
        if (done.is_ok()) done = txn.commit();
        note_repair(problem, done);
      }
      report.problems.push_back(std::move(problem));
    }
    if (extents.size() < kExtentBatch) return Status::ok();
    after = extents.back().ino;
  }
}

Status check_content_files(index::Index& index, content::ContentStore& content, bool repair,
                           CheckReport& report) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(content.dir(), ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    const index::Ino ino = std::stoull(name);
    if (it->path() != content.path_of(ino)) continue;  // not where the store keeps it
    ++report.content_files;
    auto rec = index.get(ino);
    if (rec.is_ok()) continue;
    if (!rec.status().is(ErrorKind::kNotFound)) return rec.status();
    CheckProblem problem{
        .kind = "orphan-content",
        .what = fmt::format("{}: content of inode {}, which has no row", it->path().string(), ino),
        .data_loss = false,
        .repaired = false,
        .unrepaired = {}};
    if (repair) note_repair(problem, content.remove(ino));
    report.problems.push_back(std::move(problem));
  }
  if (ec) return from_errno(ec.value(), "fsck: " + content.dir().string());
  return Status::ok();
}

}  // namespace

Result<CheckReport> check_cache(index::Index& index, content::ContentStore& content, bool repair) {
  CheckReport report;
  AUTOSYNC_RETURN_IF_ERROR(check_index(index, repair, report));
  AUTOSYNC_RETURN_IF_ERROR(check_extents(index, content, repair, report));
  AUTOSYNC_RETURN_IF_ERROR(check_content_files(index, content, repair, report));
  return report;
}

}  // namespace autosync::cachedir
