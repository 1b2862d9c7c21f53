// Statement: one prepared SQLite statement, finalized when the object goes away.
//
// Binding is chainable and never fails on the spot: the first bind error (an index out of
// range, an unknown :name) is remembered and returned by the next step()/run(), so a call
// site reads as one expression:
//   AUTOSYNC_RETURN_IF_ERROR(stmt.bind(1, inode).bind(":name", name).run());
// Parameter indexes start at 1 and column indexes at 0, as in SQLite.
//
// Integers: every integral type binds as a 64-bit INTEGER. An unsigned 64-bit value is stored
// as the int64 with the same bits, so values >= 2^63 come back negative from int64() but exact
// from uint64(); SQL comparisons and ORDER BY see the signed value. Use uint64 columns for
// identities (hashes, generation numbers), not for values SQL must compare or sum.
//
// Ownership and threading: move-only; owns the sqlite3_stmt. Used by the one thread that
// owns its Database, and destroyed before that Database. A statement that returned a row
// keeps a read snapshot open until reset() or destruction (in WAL mode that holds back
// checkpoints), so reset or drop statements when done with them.
#pragma once

#include <sqlite3.h>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/base/result.h"
#include "core/base/status.h"

namespace autosync::db {

// Bytes to store as a BLOB (a string_view binds as TEXT). May hold NUL bytes.
struct Blob {
  std::span<const std::byte> bytes;
};

class Statement {
 public:
  Statement() = default;  // holds nothing; every call on it is an error
  // Takes ownership of a prepared statement.
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  // Prepares exactly one statement on `db` (more than one, or none, is kInvalid: use
  // Database::exec for scripts). `prepare_flags` are SQLITE_PREPARE_* bits.
  static Result<Statement> prepare(sqlite3* db, std::string_view sql,
                                   unsigned int prepare_flags = 0);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // ---- binding (index from 1, or a name with its prefix: ":inode", "@name", "$x") ----
  // Any integral type (bool binds 0/1); uint64_t keeps its bits (see the header comment).
  template <std::integral T>
  Statement& bind(int index, T value) {
    return bind_int64(index, static_cast<int64_t>(value));
  }
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, Blob blob);
  Statement& bind(int index, std::nullopt_t);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value.has_value() ? bind(index, *value) : bind(index, std::nullopt);
  }
  template <typename T>
  Statement& bind(std::string_view name, const T& value) {
    return bind(parameter_index(name), value);
  }

  // ---- running ----
  // Advances to the next row: true when a row is ready to read, false when done. Returns the
  // first bind error instead, if binding failed.
  Result<bool> step();
  // Steps until done, discarding any rows: for INSERT, UPDATE, DELETE and DDL.
  Status run();
  // Makes the statement ready to run again and clears its bindings and bind error.
  void reset();

  // ---- the current row (valid after step() returned true) ----
  int column_count() const;
  bool is_null(int column) const;
  int64_t int64(int column) const;
  uint64_t uint64(int column) const { return static_cast<uint64_t>(int64(column)); }
  double real(int column) const;
  // Views into SQLite's copy of the value: valid until the next step(), reset() or
  // destruction. NULL reads as empty.
  std::string_view text(int column) const;
  std::span<const std::byte> blob(int column) const;

  // The SQL this statement was prepared from.
  std::string_view sql() const;
  bool valid() const { return stmt_ != nullptr; }

 private:
  Statement& bind_int64(int index, int64_t value);
  // Records (once) a bind error for step() to report; returns *this for chaining.
  Statement& note_bind_result(int rc, int index);
  int parameter_index(std::string_view name);

  sqlite3_stmt* stmt_ = nullptr;
  Status bind_error_;
};

}  // namespace autosync::db
