// The sentences and plans for one judged key pair that both front ends
// write: the extension (src/pg/render.cpp, diagnose.cpp, fix_plan.cpp) and
// the npm package (src/wasm/plan_api.cpp). Pure C++: the names and catalog
// facts come in already read (names quoted as PostgreSQL quotes them).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "fix_writer.hpp"
#include "guard_text.hpp"  // type_with_collation_note
#include "verdict.hpp"

namespace fkg {

// One pair's names, as the catalog gives them.
struct PairNames {
  std::string fk_table;    // as regclass prints it (with search_path = pg_catalog, pg_temp)
  std::string fk_table_q;  // always schema-qualified and quoted, for SQL
  std::string fk_column;   // quoted
  std::string pk_table, pk_table_q, pk_column;
  std::string constraint;            // quoted; empty when no constraint is declared
  bool distribution_column = false;  // the referencing column is its Citus table's distribution column
};

struct RenderedPair {
  std::string referencing_type;  // with a COLLATE note when the collations differ
  std::string referenced_type;
  std::string detail;         // "sessions."userId" is integer; users.id is bigint. <why>"
  std::string suggested_fix;  // runnable SQL
  bool whole_values = false;  // no conversion can fix the pair (see whole_value_problem)
};

// The detail and the type fix of a judged pair.
RenderedPair render_pair_text(const PairNames &names, const PairFacts &facts, const Verdict &verdict,
                              Conversion conversion);

// What an implied pair's detail starts with: "No foreign key is declared; the
// column's name points at <table>. [It could also mean a, b; check which
// table is meant. ]"
std::string implied_detail_prefix(const std::string &referenced_table, const std::vector<std::string> &others);

// A suggested_fix that is no script, only header comments saying why.
std::string no_fix_script(const std::vector<std::string> &lines);

// When ALTER COLUMN ... TYPE refuses the column (views, policies ... use it).
std::string no_fix_for_blockers(const std::string &blockers);

// A plan that cannot be written: PostgreSQL's error fields (sqlstate is the
// five-character code).
struct PlanRefused : std::runtime_error {
  PlanRefused(std::string code, const std::string &message, std::string detail_ = {}, std::string hint_ = {})
      : std::runtime_error(message), sqlstate(std::move(code)), detail(std::move(detail_)), hint(std::move(hint_)) {}
  std::string sqlstate, detail, hint;
};

// "No fix plan: <message>." with the detail and hint, as diagnose's
// suggested_fix says it.
std::string no_fix_plan_script(const PlanRefused &e);

// Everything fix_plan() needs, read from the catalog and the data.
struct FixPlanFacts {
  std::string table_q, column_q;  // referencing table (qualified) and column, quoted
  std::string referenced_table_q, referenced_column_q;
  bool not_null = false;                 // the referencing column is NOT NULL
  std::string source_type, target_type;  // format_type with typmod (target: the key's base type)
  int target_typmod = -1;
  std::string source_base, target_base;           // format_type of the base types
  char source_category = 0, target_category = 0;  // typcategory of the base types
  std::string blockers;                           // views, rules, policies, generated columns using the column
  std::string owner_code;                         // triggers and CHECK functions of ordinary roles
  std::string kept;                               // quoted: a foreign key on exactly this pair
  std::string add;                                // quoted: the name for a new one
  std::vector<std::string> notes;                 // other constraints that use the column
  std::string wanted_constraint;                  // quoted: the name the key must have; empty: any
  std::string lost_default;                       // a DEFAULT that cannot become the target type
  std::string collation;                          // quoted: the key's collation, when the column's differs
  bool partitioned = false;                       // NOT VALID refused on this (partitioned) table
  std::string conversion;                         // conversion_expression() on the quoted column
  std::string guarded_conversion;                 // guarded_conversion_expression() on the quoted column
  bool rewrites = true;
  OnUnconvertible mode = OnUnconvertible::Fail;
  std::optional<PlanCounts> counts;    // the profile, if read
  std::optional<PlanMapping> mapping;  // the best mapping column, if looked for and found
  std::string converts_function = "fk_guard.converts";
  // pg_fk_guard is not installed where the script runs: it defines kConvertsHelper and calls that.
  bool converts_helper = false;
};

// Does the plan need a mapping column looked up (mode map, or values that
// cannot convert)?
bool fix_plan_wants_mapping(const FixPlanFacts &f);

// Throws PlanRefused for a column other objects use, a pair no conversion
// can fix, or 'null' on a NOT NULL column (checked before any data is read).
void fix_plan_precheck(const FixPlanFacts &f);

// The writer's input, checked: fix_plan_precheck(), then 'map' without a
// unique mapping. The result points into f (counts, mapping): f
// must outlive it.
PlanInput fix_plan_input(const FixPlanFacts &f);

// The plan, once the caller has collected the rows other tables lose through
// ON DELETE (in.cascades, for 'delete', from lost_rows_predicate(in)):
// throws PlanRefused when there are some and allow_cascade is false.
std::string finish_fix_plan(const PlanInput &in, bool allow_cascade);

}  // namespace fkg
