// What change_key_type_plan() decides before it writes: which keys and
// references a plan can carry, where the new keys come from, and every
// refusal, over facts read from the catalog and the data. Pure C++, shared
// by the extension (src/pg/key_plan.cpp gathers the facts) and the npm
// package (src/wasm/plan_api.cpp); the script itself is key_plan.*'s.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "key_plan.hpp"
#include "pair_text.hpp"  // PlanRefused

namespace fkg {

// A declared foreign key on the key column, as the catalog has it.
struct KeyPlanReferrerFacts {
  std::string table, column, constraint;           // quoted (table schema-qualified)
  unsigned rel_oid = 0;                            // the table's oid and the column's number,
  int att = 0;                                     // for the Citus step (PostgreSQL side only)
  std::string definition;                          // pg_get_constraintdef() under search_path pg_catalog
  std::string source_type;                         // format_type_be of the column's type
  Conversion conversion = Conversion::Assignment;  // the column to the new type
  bool not_valid = false, partitioned = false, is_partition = false, same_table = false, not_null = false;
  long long rows = -1;
  std::string size;
  std::string schema_name, table_name, column_name, constraint_name;  // raw
  int key_columns = 1;
  bool set_null_columns = false;
  char match_type = 's', update_action = 'a', delete_action = 'a';
  bool deferrable = false, deferred = false;
  std::string blockers;  // views, policies ... using the column (column_blockers)
  std::string cascades;  // "t (c), ..." tables whose rows change when rows of this table are deleted
  // Online mode only (read only then).
  std::string online_blockers;  // what the swap would drop with the old column
  bool online_has_default = false;
  std::string index, index_name, index_method;  // a plain one-column index (qualified / raw)
};

// A column implied by its name to reference the key (include_implied).
struct KeyPlanImpliedFacts {
  std::string table, column, source_type;
  unsigned rel_oid = 0;  // as in KeyPlanReferrerFacts
  int att = 0;
  Conversion conversion = Conversion::Assignment;
  bool same_base_type = true;  // its base type is the key's old base type
  bool same_table = false;
  long long rows = -1;
  std::string size;
  std::string blockers;
};

struct KeyPlanFacts {
  std::string table, column;  // quoted, table schema-qualified
  std::string old_type;       // format_type with typmod
  std::string new_type;       // format_type_be
  bool same_type = false;     // the column already has new_type
  bool identity = false;
  std::string sequence;  // the serial sequence (qualified), empty if none or identity
  std::string current_default;
  long long rows = -1;
  std::string size;
  std::string blockers;
  Conversion conversion = Conversion::Assignment;  // old type to new type
  bool integer_target = false, uuid_target = false;
  OnUnconvertible mode = OnUnconvertible::Fail;
  std::optional<std::string> new_key_expression;
  bool expression_is_one_expression = true;  // parsed by PostgreSQL's parser
  bool include_implied = false;
  OnlineOptions online;
  bool no_not_valid_on_partitioned = true;  // compat: NOT VALID refused on partitioned tables
  // The key's values (read when a cast exists): profiled, or why not.
  bool profiled = true;
  std::string not_profiled_reason;
  long long rows_unconvertible = 0;
  std::vector<std::string> sample_unconvertible;
  std::vector<KeyPlanReferrerFacts> referrers;  // sorted as the plan lists them
  std::vector<KeyPlanImpliedFacts> implied;     // in any order (sorted here)
  // Online mode: the key's own facts.
  bool key_partitioned = false, key_is_partition = false;
  std::string primary_key_name;  // raw; empty: not its table's one-column immediate primary key
  char identity_kind = '\0';
  std::string online_blockers;
  std::string schema_name, table_name, column_name;  // raw
};

// The refusals that need only the key's own facts (same type, blockers,
// modes, new_key_expression), checked before its values are read.
void key_type_plan_precheck(const KeyPlanFacts &f);

// The plan, or PlanRefused with the extension's words (precheck included).
// on_citus, when given, sees the plan's input once every referrer is in it
// (each with its rel_oid and att) and fills in its Citus part (in.citus);
// an online plan that involves a Citus table is refused.
std::string key_type_plan_from_facts(const KeyPlanFacts &f,
                                     const std::function<void(KeyPlanInput &)> &on_citus = nullptr);

}  // namespace fkg
