// The fix writer: SQL text that repairs one mismatched key pair. Pure C++;
// names arrive already quoted the way PostgreSQL quotes them.
#pragma once

#include <string>
#include <vector>

#include "verdict.hpp"

namespace fkg {

// How a value of the referencing type becomes the referenced type.
enum class Conversion {
  Assignment,  // ALTER COLUMN ... TYPE works without USING
  Explicit,    // needs USING col::type
  None,        // no conversion exists (e.g. uuid -> integer)
};

struct FixTarget {
  std::string referencing_table;   // qualified and quoted, e.g. public.sessions
  std::string referencing_column;  // quoted, e.g. "userId"
  std::string referenced_table;
  std::string referenced_column;
  std::string target_type;       // referenced column's type with typmod (base type if a domain)
  std::string target_collation;  // quoted collation to add, empty if none is needed
  std::string constraint_name;   // quoted; empty if there is no declared constraint
  Conversion conversion = Conversion::Assignment;
};

// "ALTER TABLE t ALTER COLUMN c TYPE type [COLLATE coll] [USING c::type]": the
// one statement that converts a column, with USING only when no assignment
// cast exists. Names and types arrive quoted.
std::string alter_column_type_sql(const std::string &table, const std::string &column, const std::string &type,
                                  const std::string &collation, Conversion conversion);

// A runnable script, in a safe order, that converts the referencing column to
// the referenced column's type so the pair matches exactly.
std::string write_type_fix(const FixTarget &t, const Verdict &v);

}  // namespace fkg

namespace fkg {

// What to do with rows whose value cannot become the referenced type or
// references no key.
enum class OnUnconvertible { Fail, Null, Delete, Map };
bool parse_on_unconvertible(const std::string &s, OnUnconvertible *out);

struct PlanCounts {
  long long rows = 0, nulls = 0, convertible = 0, unconvertible = 0, orphaned = 0;
};

struct PlanMapping {
  std::string column;  // quoted column of the referenced table holding the referencing values
  long long covered = 0, total = 0;
};

struct PlanInput {
  std::string table;                          // referencing table, qualified and quoted
  std::string column;                         // quoted
  std::string source_type;                    // current type of the column
  std::string referenced_table;               // qualified and quoted
  std::string referenced_column;              // quoted
  std::string target_type;                    // the referenced column's type
  std::string conversion;                     // USING expression, e.g. "userId"::text::integer
  bool conversion_needed = true;              // false when the column already has the target type
  std::string constraint;                     // quoted name of the constraint to add
  std::vector<std::string> drop_constraints;  // quoted names of constraints on the column to drop first
  std::vector<std::string> notes;             // extra comment lines
  std::string converts_function;              // qualified name of the converts() function
  OnUnconvertible mode = OnUnconvertible::Fail;
  const PlanCounts *counts = nullptr;    // data when planned, if read
  const PlanMapping *mapping = nullptr;  // a mapping column, if one was found
};

// A runnable script in a safe order: lock_timeout; stop or repair rows that
// would be lost; drop blocking constraints; convert the column (or map it
// through another column); add the foreign key NOT VALID; validate it.
std::string write_fix_plan(const PlanInput &in);

}  // namespace fkg
