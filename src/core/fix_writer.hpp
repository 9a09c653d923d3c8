// The fix writer: SQL text that repairs one mismatched key pair. Pure C++;
// names arrive already quoted the way PostgreSQL quotes them.
#pragma once

#include <string>

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

// A runnable script, in a safe order, that converts the referencing column to
// the referenced column's type so the pair matches exactly.
std::string write_type_fix(const FixTarget &t, const Verdict &v);

}  // namespace fkg
