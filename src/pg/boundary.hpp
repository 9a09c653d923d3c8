// The C++ / PostgreSQL error boundary.
//
// Two rules, enforced by the two helpers below:
//  1. No C++ exception reaches PostgreSQL: every SQL-callable entry point runs
//     its C++ body through invoke_cpp(), which catches everything, copies the
//     message out, leaves the catch block, and only then raises the ERROR.
//  2. No PostgreSQL error longjmps over a live C++ object: C++ code calls
//     PostgreSQL functions that can raise an ERROR through pg_guard(), which
//     catches the error with PG_TRY, copies it, and rethrows it as PgError
//     after PG_END_TRY. The callable given to pg_guard must itself hold no
//     object with a destructor and must not throw.
#pragma once

#include "prelude.hpp"

#include <type_traits>
#include <utility>

namespace fkg {

// A PostgreSQL error caught under C++ frames, carried up to the entry point
// and rethrown there with its SQLSTATE, DETAIL, HINT and CONTEXT intact.
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData *edata) : edata_(edata) {}
  const char *what() const noexcept override { return edata_->message ? edata_->message : "error"; }
  ErrorData *edata() const { return edata_; }

 private:
  ErrorData *edata_;  // palloc'd by CopyErrorData in the caller's context
};

// An error meant for the user, raised from C++ code.
class UserError : public std::exception {
 public:
  UserError(int sqlstate, std::string message, std::string detail = {}, std::string hint = {})
      : sqlstate_(sqlstate), message_(std::move(message)), detail_(std::move(detail)), hint_(std::move(hint)) {}
  const char *what() const noexcept override { return message_.c_str(); }
  int sqlstate() const { return sqlstate_; }
  const std::string &detail() const { return detail_; }
  const std::string &hint() const { return hint_; }

 private:
  int sqlstate_;
  std::string message_, detail_, hint_;
};

// Runs fn() under PG_TRY; a PostgreSQL error becomes a PgError thrown after
// PG_END_TRY, once PostgreSQL's error state has been cleaned up.
template <typename Fn>
void pg_guard_void(Fn &&fn) {
  MemoryContext volatile caller_context = CurrentMemoryContext;
  ErrorData *volatile edata = nullptr;
  PG_TRY();
  { fn(); }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller_context);
    edata = CopyErrorData();
    FlushErrorState();
  }
  PG_END_TRY();
  if (edata) throw PgError(edata);
}

template <typename Fn>
auto pg_guard(Fn &&fn) -> decltype(fn()) {
  using Result = decltype(fn());
  if constexpr (std::is_void_v<Result>) {
    pg_guard_void(fn);
  } else {
    static_assert(std::is_trivially_copyable_v<Result>, "pg_guard returns plain PostgreSQL values only");
    // Written through a pointer from inside the guarded call, so the value
    // lives outside the frame that longjmp returns to.
    Result result{};
    Result *out = &result;
    pg_guard_void([&fn, out]() { *out = fn(); });
    return result;
  }
}

namespace detail {
// Raises the error recorded by the last failed invoke_cpp. Never returns.
[[noreturn]] void raise_recorded_error();
// Records the exception being handled; called only inside a catch block.
void record_current_exception() noexcept;
}  // namespace detail

// Runs a C++ body for a SQL-callable function; nothing thrown escapes.
template <typename Body>
Datum invoke_cpp(Body &&body, FunctionCallInfo fcinfo) {
  bool failed = false;
  Datum result = (Datum)0;
  try {
    result = body(fcinfo);
  } catch (...) {
    detail::record_current_exception();
    failed = true;
  }
  // The catch block has ended: no exception object is alive any more.
  if (failed) detail::raise_recorded_error();
  return result;
}

}  // namespace fkg

// Declares a SQL-callable function NAME whose body is the C++ function
// NAME_impl(FunctionCallInfo), run behind the error boundary.
#define FKG_SQL_FUNCTION(name)                                                  \
  static Datum name##_impl(FunctionCallInfo fcinfo);                            \
  extern "C" {                                                                  \
  PG_FUNCTION_INFO_V1(name);                                                    \
  Datum name(PG_FUNCTION_ARGS) { return fkg::invoke_cpp(name##_impl, fcinfo); } \
  }                                                                             \
  static Datum name##_impl(FunctionCallInfo fcinfo)
