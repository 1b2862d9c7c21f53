#include "core/db/statement.h"

#include <fmt/format.h>

#include <cstdint>
#include <utility>

#include "core/db/sqlite_error.h"

namespace autosync::db {
namespace {

// SQLITE_TRANSIENT without its C-style cast: SQLite copies the bytes before the bind call
// returns, so callers may pass views of temporaries.
const sqlite3_destructor_type kSqliteCopies =
    reinterpret_cast<sqlite3_destructor_type>(  // NOLINT(performance-no-int-to-ptr): SQLite's
        static_cast<intptr_t>(-1));             // sentinel, never called

// A non-null pointer for empty values: SQLite binds a null pointer as SQL NULL, and an empty
// string or blob must stay distinguishable from NULL.
constexpr char kEmpty[] = "";

}  // namespace

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql,
                                     unsigned int prepare_flags) {
  if (sql.size() > static_cast<size_t>(INT32_MAX)) return invalid("prepare: SQL text too long");
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), prepare_flags, &raw, &tail);
  Statement stmt(raw);  // owns it from here, whatever happens next
  if (rc != SQLITE_OK) return sqlite_status(db, rc, "prepare " + sql_snippet(sql));
  if (raw == nullptr) return invalid("prepare: no SQL statement in \"" + std::string(sql) + "\"");
  const std::string_view rest(tail, static_cast<size_t>(sql.data() + sql.size() - tail));
  if (rest.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return invalid("prepare: more than one statement in " + sql_snippet(sql) +
                   " (use Database::exec for scripts)");
  }
  return stmt;
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), bind_error_(std::move(other.bind_error_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    bind_error_ = std::move(other.bind_error_);
  }
  return *this;
}

Statement& Statement::note_bind_result(int rc, int index) {
  if (rc != SQLITE_OK && bind_error_.is_ok()) {
    bind_error_ = sqlite_status(sqlite3_db_handle(stmt_), rc,
                                fmt::format("bind parameter {} of {}", index, sql_snippet(sql())));
  }
  return *this;
}

Statement& Statement::bind_int64(int index, int64_t value) {
  if (stmt_ == nullptr) return *this;  // step() reports the empty statement
  return note_bind_result(sqlite3_bind_int64(stmt_, index, value), index);
}

Statement& Statement::bind(int index, double value) {
  if (stmt_ == nullptr) return *this;
  return note_bind_result(sqlite3_bind_double(stmt_, index, value), index);
}

Statement& Statement::bind(int index, std::string_view text) {
  if (stmt_ == nullptr) return *this;
  const char* data = text.empty() ? kEmpty : text.data();
  return note_bind_result(
      sqlite3_bind_text64(stmt_, index, data, text.size(), kSqliteCopies, SQLITE_UTF8), index);
}

Statement& Statement::bind(int index, Blob blob) {
  if (stmt_ == nullptr) return *this;
  const void* data = blob.bytes.empty() ? static_cast<const void*>(kEmpty) : blob.bytes.data();
  return note_bind_result(sqlite3_bind_blob64(stmt_, index, data, blob.bytes.size(), kSqliteCopies),
                          index);
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (stmt_ == nullptr) return *this;
  return note_bind_result(sqlite3_bind_null(stmt_, index), index);
}

int Statement::parameter_index(std::string_view name) {
  if (stmt_ == nullptr) return 0;
  const int index = sqlite3_bind_parameter_index(stmt_, std::string(name).c_str());
  if (index == 0 && bind_error_.is_ok()) {
    bind_error_ =
        invalid(fmt::format("bind: no parameter named {} in {}", name, sql_snippet(sql())));
  }
  return index;
}

Result<bool> Statement::step() {
  if (stmt_ == nullptr) return internal("step: the statement is empty (moved from?)");
  if (!bind_error_.is_ok()) return bind_error_;
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_status(sqlite3_db_handle(stmt_), rc, "step " + sql_snippet(sql()));
}

Status Statement::run() {
  for (;;) {
    AUTOSYNC_ASSIGN_OR_RETURN(const bool row, step());
    if (!row) return Status::ok();
  }
}

void Statement::reset() {
  bind_error_ = Status::ok();
  if (stmt_ == nullptr) return;
  // sqlite3_reset repeats the error of the last step, which step() already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::column_count() const {
  return sqlite3_column_count(stmt_);
}

bool Statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t Statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

double Statement::real(int column) const {
  return sqlite3_column_double(stmt_, column);
}

std::string_view Statement::text(int column) const {
  // Text first, then its length: the order SQLite documents for a stable answer.
  const unsigned char* data = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return {reinterpret_cast<const char*>(data), static_cast<size_t>(size)};
}

std::span<const std::byte> Statement::blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (data == nullptr) return {};
  return {static_cast<const std::byte*>(data), static_cast<size_t>(size)};
}

std::string_view Statement::sql() const {
  const char* text = stmt_ != nullptr ? sqlite3_sql(stmt_) : nullptr;
  return text != nullptr ? std::string_view(text) : std::string_view();
}

}  // namespace autosync::db
