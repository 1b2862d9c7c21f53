// Result<T>: a value or the Status that says why there is none (std::expected for C++20).
#pragma once

#include <cassert>
#include <utility>
#include <variant>

#include "core/base/status.h"

namespace autosync {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).is_ok() && "a Result built from a Status must be an error");
  }

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }

  const Status& status() const {
    static const Status kOk;
    return is_ok() ? kOk : std::get<Status>(v_);
  }
  Status take_status() && { return is_ok() ? Status() : std::get<Status>(std::move(v_)); }

  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace autosync

// Declares `lhs` from a Result-returning `expr`, or returns its Status from the enclosing
// function. Usage: AUTOSYNC_ASSIGN_OR_RETURN(auto meta, store.head(key));
#define AUTOSYNC_CONCAT_INNER_(a, b) a##b
#define AUTOSYNC_CONCAT_(a, b) AUTOSYNC_CONCAT_INNER_(a, b)
#define AUTOSYNC_ASSIGN_OR_RETURN(lhs, expr) \
  AUTOSYNC_ASSIGN_OR_RETURN_IMPL_(AUTOSYNC_CONCAT_(autosync_result_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration, tmp a fresh name.
#define AUTOSYNC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                     \
  if (!tmp.is_ok()) return std::move(tmp).take_status(); \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)
