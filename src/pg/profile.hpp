// Data profiles: what a column holds with respect to a target type and,
// optionally, the referenced key. One pass over the table through the
// executor, as the calling user (privileges and row-level security apply).
#pragma once

#include <string>
#include <vector>

#include "boundary.hpp"
#include "trust.hpp"

namespace fkg {

struct ColumnProfile {
  // false: the data was not read, and the counts below mean nothing;
  // not_profiled_reason says why ("the cast from mood to integer is
  // user-defined (function public.f(mood), owned by alice)").
  bool profiled = false;
  std::string not_profiled_reason;
  int64_t rows_total = 0;
  int64_t rows_null = 0;
  int64_t rows_convertible = 0;
  int64_t rows_unconvertible = 0;
  int64_t rows_orphaned = 0;  // convertible, but no such key in the referenced table
  bool orphans_checked = false;
  std::vector<std::string> sample_unconvertible;
  std::vector<std::string> sample_orphaned;
  std::string conversion;  // the USING expression the numbers refer to
  std::string method;      // how convertibility was decided (for tests and benchmarks)
};

// referenced_rel may be InvalidOid (no orphan check). Reads nothing, and
// returns profiled = false with the reason, when the conversion (or reading
// the values, or comparing them with the keys) would run code that is not
// trusted (see trust.hpp): built in, a superuser's, or with
// TrustCaller::Yes the calling role's own.
ColumnProfile profile_column(Oid rel, AttrNumber att, Oid target, int32 target_typmod, Oid referenced_rel,
                             AttrNumber referenced_att, int samples, TrustCaller caller = TrustCaller::Yes);

// Does the conversion succeed for one value of type `source`? The same rule
// as profile_column(): C++ input rules where they apply, else PostgreSQL.
// Raises an error naming the code and its owner instead of running code that
// is not trusted (built in, a superuser's or the calling role's own).
bool value_converts(Oid source, Datum value, Oid target, int32 target_typmod);

// The conversion expression for a column (quoted name) to a target type, as
// profile_column() judges it: "col::integer" or "col::text::integer". To a
// type whose modifier limits a length (character varying(n), character(n),
// bit(n), bit varying(n)) it casts to the unconstrained type,
// "col::character varying", so that ALTER COLUMN ... TYPE ... USING applies
// the length by assignment and refuses a longer value instead of cutting it.
std::string conversion_expression(Oid source, Oid target, int32 target_typmod, const std::string &column);

// The same conversion, cast to the target type with its modifier
// ("col::character varying(3)"): that explicit cast cuts a longer value, so
// it is only for values fk_guard.converts() accepts (CASE WHEN converts(...)
// THEN ... END), where it gives what assignment gives.
std::string guarded_conversion_expression(Oid source, Oid target, int32 target_typmod, const std::string &column);

// Does the explicit cast from source to target take the target's type
// modifier itself (integer to bit(n): bit(integer, integer))? Then no
// unconstrained form of it exists. Under pg_guard.
bool cast_applies_typmod(Oid source, Oid target);

}  // namespace fkg
