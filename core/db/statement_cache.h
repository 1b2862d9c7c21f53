// StatementCache: prepared statements kept per connection, so hot paths do not re-prepare.
//
// Database::prepare_cached hands out a CachedStatement: a Statement on loan that resets
// itself (and clears its bindings) and goes back to the cache when it leaves scope. If the
// same SQL is checked out twice at once (a query nested in a loop over itself), the second
// checkout prepares a second copy, which is kept too. Meant for SQL text that is a constant
// in the code; SQL built at run time should use Database::prepare so the cache stays small.
//
// Ownership and threading: the cache belongs to one Database and shares its thread. Every
// CachedStatement must be gone before its Database is destroyed (debug builds assert it).
#pragma once

#include <sqlite3.h>

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/base/result.h"
#include "core/db/statement.h"

namespace autosync::db {

class StatementCache;

class CachedStatement {
 public:
  CachedStatement(CachedStatement&& other) noexcept;
  CachedStatement& operator=(CachedStatement&&) = delete;
  CachedStatement(const CachedStatement&) = delete;
  CachedStatement& operator=(const CachedStatement&) = delete;
  ~CachedStatement();

  Statement& operator*() { return stmt_; }
  Statement* operator->() { return &stmt_; }

 private:
  friend class StatementCache;
  CachedStatement(StatementCache* cache, std::vector<Statement>* home, Statement stmt);

  StatementCache* cache_;
  std::vector<Statement>* home_;  // the cache's idle list for this SQL (a stable node)
  Statement stmt_;
};

class StatementCache {
 public:
  StatementCache() = default;
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // An idle statement for `sql` on `db`, or a freshly prepared one.
  Result<CachedStatement> checkout(sqlite3* db, std::string_view sql);
  // Statements prepared and waiting in the cache (not counting those on loan).
  size_t idle_count() const;

 private:
  friend class CachedStatement;
  void give_back(std::vector<Statement>* home, Statement stmt);

  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view sql) const { return std::hash<std::string_view>{}(sql); }
  };
  // Node-based: the vectors stay where they are when the map grows, so a CachedStatement
  // can point at its home list.
  std::unordered_map<std::string, std::vector<Statement>, SqlHash, std::equal_to<>> idle_;
  int on_loan_ = 0;
};

}  // namespace autosync::db
