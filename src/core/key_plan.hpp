// The key type plan writer: the script that changes a key column's type
// together with every column that references it (fk_guard.change_key_type_plan()).
// Pure C++; every name and literal goes through the one SQL writer.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fix_writer.hpp"
#include "sql_writer.hpp"

namespace fkg {

// A column that references the key: through a declared foreign key (dropped
// and added again with its whole definition), or implied by its name
// (converted only).
struct KeyReferrer {
  sql::Ident table;   // qualified
  sql::Ident column;  // the column paired with the key column
  std::string source_type;
  Conversion conversion = Conversion::Assignment;  // this column to the new type, when a cast exists
  std::optional<sql::Ident> constraint;            // none: implied by its name
  std::string definition;                          // pg_get_constraintdef(), names schema-qualified
  bool not_valid = false;                          // declared NOT VALID: stays so, is not validated
  bool partitioned = false;                        // add in one step (NOT VALID is refused there)
  bool same_table = false;                         // a self-reference: converted with the key
  long long rows = -1;                             // estimated
  std::string size;                                // pg_size_pretty of the table
};

struct KeyPlanInput {
  sql::Ident table;  // the key's table, qualified
  sql::Ident column;
  std::string old_type, new_type;
  Conversion conversion = Conversion::Assignment;  // None: new key values are generated and carried across
  std::optional<sql::Ident> owned_sequence;        // serial: the sequence follows the type (integer types)
  bool identity = false;                           // identity: its sequence follows by itself; dropped for None
  std::string current_default;                     // the key's DEFAULT (pg_get_expr), dropped when no cast exists
  std::string new_key_expression;                  // None: each row's new key, over the key table under alias r
  bool new_default = false;                        // None: new_key_expression becomes the key's DEFAULT
  OnUnconvertible mode = OnUnconvertible::Fail;    // referencing values that match no key
  std::vector<KeyReferrer> referrers;
  long long rows = -1;
  std::string size;
  std::vector<std::string> notes;
};

// A runnable script in one transaction. With a cast: drop the foreign keys,
// convert the key (its serial sequence follows) and every referencing column
// in place, one ALTER TABLE per table, add the keys again NOT VALID and
// validate them. Without one: a temporary map from every old key to its new
// value, then the same order, each column converted through the map. The
// header lists every referencing column with its table's size, and every
// statement's lock and rewrite.
std::string write_key_type_plan(const KeyPlanInput &in);

}  // namespace fkg
