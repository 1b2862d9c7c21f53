#include "core/db/statement_cache.h"

#include <cassert>
#include <utility>

namespace autosync::db {

CachedStatement::CachedStatement(StatementCache* cache, std::vector<Statement>* home,
                                 Statement stmt)
    : cache_(cache), home_(home), stmt_(std::move(stmt)) {}

CachedStatement::CachedStatement(CachedStatement&& other) noexcept
    : cache_(std::exchange(other.cache_, nullptr)),
      home_(std::exchange(other.home_, nullptr)),
      stmt_(std::move(other.stmt_)) {}

CachedStatement::~CachedStatement() {
  if (cache_ != nullptr) cache_->give_back(home_, std::move(stmt_));
}

StatementCache::~StatementCache() {
  assert(on_loan_ == 0 && "a CachedStatement outlived its Database");
}

Result<CachedStatement> StatementCache::checkout(sqlite3* db, std::string_view sql) {
  auto it = idle_.find(sql);
  if (it == idle_.end()) it = idle_.emplace(std::string(sql), std::vector<Statement>()).first;
  std::vector<Statement>& home = it->second;
  if (!home.empty()) {
    Statement stmt = std::move(home.back());
    home.pop_back();
    ++on_loan_;
    return CachedStatement(this, &home, std::move(stmt));
  }
  // PERSISTENT: a hint that the statement lives long, so SQLite allocates it accordingly.
  AUTOSYNC_ASSIGN_OR_RETURN(Statement stmt, Statement::prepare(db, sql, SQLITE_PREPARE_PERSISTENT));
  ++on_loan_;
  return CachedStatement(this, &home, std::move(stmt));
}

void StatementCache::give_back(std::vector<Statement>* home, Statement stmt) {
  --on_loan_;
  stmt.reset();  // ends any read snapshot and forgets the caller's bindings
  home->push_back(std::move(stmt));
}

size_t StatementCache::idle_count() const {
  size_t count = 0;
  for (const auto& [sql, statements] : idle_)
    count += statements.size();
  return count;
}

}  // namespace autosync::db
