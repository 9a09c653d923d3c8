// PostgreSQL 15's input rules for the common key types, without a server.
//
// PostgreSQL 15 AND OLDER ONLY. Called only where compat::has_soft_input_errors
// is false (builds for PostgreSQL 13 to 15): by src/pg/profile.cpp's
// plan_for(), check_value() and value_converts(). From 16 on, PostgreSQL's own
// input functions report refused values softly (InputFunctionCallSafe) and
// decide instead; this code is not called. Remove it with 15's support.
//
// Decides whether a text value would be accepted by the input function of a
// target type (int2in, int4in, int8in, numeric_in, uuid_in, boolin, textin,
// varcharin, bpcharin), with the same result PostgreSQL 15 gives, so that a
// column can be profiled in one pass ("how many values of this text column
// can become integer?") without a subtransaction per row.
//
// Assumptions, matching the databases pg_fk_guard is used on:
//   - the server encoding is UTF-8 (varchar(n)/char(n) count characters);
//   - LC_CTYPE is C, C.UTF-8 or another UTF-8 locale, in which isspace(),
//     isdigit() and isxdigit() on a single byte are the ASCII classes
//     (whitespace is exactly space, \t, \n, \v, \f, \r).
// A value is the text the input function receives: a NUL byte (impossible in
// a PostgreSQL text value) ends it, as it ends the C string PostgreSQL passes.
//
// Differentially tested against a PostgreSQL 15 server by
// test/input_check_differential.sh.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fkg {

enum class CheckType { Int2, Int4, Int8, Numeric, Uuid, Bool, Text, Varchar, Bpchar };

struct CheckResult {
  bool ok = true;
  std::string error;  // PostgreSQL's primary message (errmsg) when !ok, e.g.
                      // invalid input syntax for type integer: "abc"
};

// Maps a type name to the rules for it: the catalog typname ("int2", "int4",
// "int8", "numeric", "uuid", "bool", "text", "varchar", "bpchar") or the SQL
// spelling format_type() prints ("smallint", "integer", "bigint", "boolean",
// "character varying", "character"; also "int" and "decimal"). Case-sensitive,
// like typname. Anything else (including "char", which is PostgreSQL's
// one-byte "char" type, not bpchar): std::nullopt.
std::optional<CheckType> check_type_for(std::string_view type_name);

// The catalog typname of a CheckType, e.g. "int4".
const char *check_type_name(CheckType t);

// True when PostgreSQL 15's input function of `type` accepts `text` with the
// type modifier `typmod` (as PostgreSQL stores it: -1 for none; varchar(n) and
// char(n) => n + 4; numeric(p,s) => ((p << 16) | (s & 0x7ff)) + 4, see the
// helpers below). The typmod is ignored for types that have none.
// Never allocates and never throws.
bool input_ok(CheckType type, std::string_view text, int32_t typmod = -1) noexcept;

// Same decision, plus PostgreSQL's error message when the value is refused.
CheckResult check_input(CheckType type, std::string_view text, int32_t typmod = -1);

// Typmods as PostgreSQL builds them (varchar(n), char(n), numeric(p,s); PG 15
// allows a scale from -1000 to 1000, also greater than the precision).
constexpr int32_t varchar_typmod(int32_t n) { return n + 4; }
constexpr int32_t numeric_typmod(int32_t precision, int32_t scale) {
  return static_cast<int32_t>((static_cast<uint32_t>(precision) << 16) | (static_cast<uint32_t>(scale) & 0x7ffu)) + 4;
}

}  // namespace fkg
