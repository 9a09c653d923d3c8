// Data profiles: what a column holds with respect to a target type and,
// optionally, the referenced key. One pass over the table through the
// executor, as the calling user (privileges and row-level security apply).
#pragma once

#include <string>
#include <vector>

#include "boundary.hpp"

namespace fkg {

struct ColumnProfile {
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

// referenced_rel may be InvalidOid (no orphan check).
ColumnProfile profile_column(Oid rel, AttrNumber att, Oid target, int32 target_typmod, Oid referenced_rel,
                             AttrNumber referenced_att, int samples);

// Does the conversion succeed for one value of type `source`? The same rule
// as profile_column(): C++ input rules where they apply, else PostgreSQL.
bool value_converts(Oid source, Datum value, Oid target, int32 target_typmod);

// The conversion expression for a column (quoted name) to a target type, as
// profile_column() judges it: "col::integer" or "col::text::integer".
std::string conversion_expression(Oid source, Oid target, int32 target_typmod, const std::string &column);

}  // namespace fkg
