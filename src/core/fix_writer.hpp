// The fix writer: SQL text that repairs one mismatched key pair. Pure C++;
// every name and literal goes through the one SQL writer (sql_writer.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "citus_rules.hpp"
#include "sql_writer.hpp"
#include "verdict.hpp"

namespace fkg {

// How a value of the referencing type becomes the referenced type.
enum class Conversion {
  Assignment,      // ALTER COLUMN ... TYPE works without USING
  Explicit,        // needs USING col::type (to the unconstrained type where the type limits a length)
  ExplicitTypmod,  // needs USING col::type, whose cast applies the type modifier itself (integer to bit(n))
  None,            // no conversion exists (e.g. uuid -> integer)
  ToNull,          // every value is NULL: USING NULL
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
  std::string whole_value;           // whole_value_problem() of the pair: no conversion is proposed
  bool distribution_column = false;  // the referencing column is a Citus distribution column
};

// The type a USING expression casts to for a column of type `type`
// (format_type's text): for a type whose modifier limits a length --
// character varying(n), character(n), bit(n), bit varying(n) -- the same type
// without it ("character varying", "bpchar", "\"bit\"", "bit varying", as
// format_type prints them), so that ALTER COLUMN ... TYPE applies the length
// by assignment, which refuses a value that does not fit ("value too long for
// type character varying(3)") where an explicit cast would cut it silently;
// any other type as it is.
std::string using_cast_type(const std::string &type);

// "ALTER TABLE t ALTER COLUMN c TYPE type [COLLATE coll] [USING c::type]": the
// one statement that converts a column, with USING only when no assignment
// cast exists; a USING cast to a length-limited type goes to the unconstrained
// type (using_cast_type), never truncating, unless the cast applies the
// modifier itself (Conversion::ExplicitTypmod). Table, column and collation
// are checked to be quoted identifiers (throws otherwise); the type is
// format_type's text.
std::string alter_column_type_sql(const std::string &table, const std::string &column, const std::string &type,
                                  const std::string &collation, Conversion conversion);

// A runnable script, in a safe order, that converts the referencing column to
// the referenced column's type so the pair matches exactly. PostgreSQL
// rebuilds the declared constraint itself, with its whole definition.
std::string write_type_fix(const FixTarget &t, const Verdict &v);

}  // namespace fkg

namespace fkg {

// What to do with rows whose value cannot become the referenced type or
// references no key.
enum class OnUnconvertible { Fail, Null, Delete, Map };
bool parse_on_unconvertible(const std::string &s, OnUnconvertible *out);

struct PlanCounts {
  // orphaned < 0: not counted (the type's equality is not its text's).
  long long rows = 0, nulls = 0, convertible = 0, unconvertible = 0, orphaned = 0;
};

struct PlanMapping {
  sql::Ident column;  // column of the referenced table holding the referencing values
  long long covered = 0, total = 0;
  long long ambiguous = 0;  // values with more than one candidate key
  std::vector<std::string> ambiguous_samples;
};

// Rows of another table that deleting the lost rows changes through an
// ON DELETE action.
struct CascadeEffect {
  std::string table;       // qualified and quoted
  std::string constraint;  // quoted
  std::string action;      // "CASCADE", "SET NULL", "SET DEFAULT"
  long long rows = 0;
};

// A foreign key a plan drops and adds again with its whole definition.
struct ReaddedKey {
  sql::Ident table;        // qualified
  sql::Ident constraint;   // as it is named now
  sql::Ident add_as;       // the name it is added again with
  std::string definition;  // pg_get_constraintdef()
};

// The referencing table on Citus.
struct CitusPlan {
  citus_rules::Table kind = citus_rules::Table::Plain;  // Plain: not a Citus table
  // Turned into a PostgreSQL table first (undistribute_table) and back after:
  // Citus cannot change a distribution column's type, nor convert a column
  // through a temporary function (the other nodes lack it).
  std::optional<citus_rules::Redistribution> redistribute;
  std::string reason;                   // why, for the header
  bool referenced_distributed = false;  // the referenced table is a distributed table
  std::vector<ReaddedKey> keys;         // keys that involve the table: undistribute_table refuses while they exist
};

struct PlanInput {
  sql::Ident table;  // referencing table, qualified
  sql::Ident column;
  sql::Ident referenced_table;  // qualified
  sql::Ident referenced_column;
  std::string source_type;  // format_type of the column (type names are quoted by format_type)
  std::string target_type;  // the referenced column's type
  int target_typmod = -1;
  std::string conversion;                      // the conversion on alias t, e.g. t."userId"::text::integer; only
                                               // evaluated where converts_function accepts the value, so it may
                                               // cast to a length-limited type (t.code::character varying(3))
  std::string using_expression;                // the same for ALTER COLUMN ... USING, e.g. "userId"::text::integer;
                                               // to a length-limited type it casts to the unconstrained one
                                               // (code::character varying): assignment then refuses what is too long
  bool conversion_needed = true;               // false when the column already has the target type
  bool rewrites = true;                        // the conversion rewrites the table (false: binary-compatible)
  std::optional<sql::Ident> kept_constraint;   // a foreign key on exactly this pair: PostgreSQL rebuilds it
  std::optional<sql::Ident> constraint;        // the name of the one to add otherwise
  std::optional<sql::Ident> rename_kept_to;    // the name the kept one must have
  std::string lost_default;                    // a DEFAULT that cannot become the target type (dropped, announced)
  std::optional<sql::Ident> target_collation;  // the referenced column's collation, when it differs
  bool partitioned = false;                    // add the key in one step: NOT VALID is refused on partitioned tables
  std::vector<std::string> notes;              // extra header lines
  sql::Ident converts_function;                // qualified name of the converts() function
  bool define_converts = false;                // converts_function is kConvertsHelper: the script defines it
  OnUnconvertible mode = OnUnconvertible::Fail;
  const PlanCounts *counts = nullptr;    // data when planned, if read
  const PlanMapping *mapping = nullptr;  // a mapping column, if one was found
  std::vector<CascadeEffect> cascades;   // for delete
  CitusPlan citus;                       // the referencing table on Citus
};

// The stand-in for fk_guard.converts() that a script defines for itself
// where pg_fk_guard is not installed in the database it runs in.
inline constexpr const char *kConvertsHelper = "pg_temp.fk_guard_converts";

// "CREATE OR REPLACE FUNCTION pg_temp.fk_guard_converts(value anyelement,
// target regtype, target_typmod integer) RETURNS boolean ...", without the
// final semicolon: PL/pgSQL that answers as fk_guard.converts() does (NULL
// for NULL; the value's base type converted through its text with the cast
// PostgreSQL has, else through the text form, in its own subtransaction,
// then against a length-limiting modifier as assignment applies it), and
// first refuses, as fk_guard.converts() does, to run a cast, type
// input/output, domain CHECK or range canonical function owned by a role
// other than a superuser or the caller. Fixed text: no name in it comes
// from the database, its search_path is pinned, and the only dynamic SQL
// casts a parameter to types as format_type() writes them.
std::string converts_helper_sql();

// A runnable script in a safe order: search_path and lock_timeout; stop or
// repair rows that would be lost; convert the column in place (or map it
// through another column, still in place); add the foreign key NOT VALID and
// validate it, unless PostgreSQL rebuilds an existing one. Its header names
// every statement, the lock each takes and the table each rewrites, and
// anything the repair cannot keep.
std::string write_fix_plan(const PlanInput &in);

// The rows that would break the foreign key (the column cannot convert, or
// the converted value is no key), as a condition on the table under alias t.
std::string lost_rows_predicate(const PlanInput &in);

// The statements that let an ALTER COLUMN ... TYPE through when it makes
// PostgreSQL rebuild foreign keys across tables: drop the keys, run the
// statement, convert the other columns, add the keys again (NOT VALID, then
// VALIDATE, for large tables). Names as quote_identifier / regclass print them.
struct RebuildSteps {
  struct Key {
    std::string table, constraint, definition;  // definition: as pg_get_constraintdef() prints it
    bool large = false;                         // add NOT VALID, then VALIDATE
  };
  struct Column {
    std::string table, column, type;
    Conversion conversion = Conversion::Assignment;
  };
  std::vector<Key> keys;
  std::string statement;  // the refused statement as sent
  std::vector<Column> columns;
};

// "BEGIN; ALTER TABLE ... DROP CONSTRAINT ...; <statement>; ...; COMMIT;" or,
// when a column has no cast to its new type, empty.
std::string write_rebuild_steps(const RebuildSteps &s);

// A foreign key written out again for a hint (the guard's duplicate and
// validation messages). Tables as regclass prints them, constraint and
// columns as quote_identifier does: each is checked (throws otherwise).
struct ForeignKeySql {
  std::string table, constraint;
  std::vector<std::string> columns;
  std::string referenced_table;
  std::vector<std::string> referenced_columns;
  bool match_full = false;
  // "" for NO ACTION, else "RESTRICT", "CASCADE", "SET NULL" or "SET DEFAULT"
  // (anything else throws).
  std::string on_update, on_delete;
  std::vector<std::string> on_delete_columns;  // ON DELETE SET NULL (a, b)
  bool deferrable = false, initially_deferred = false;
};

// "ALTER TABLE t ADD CONSTRAINT c FOREIGN KEY (a) REFERENCES r (id) ...
// [NOT VALID]", without the final semicolon.
std::string add_foreign_key_sql(const ForeignKeySql &k, bool not_valid);

// "ALTER TABLE t VALIDATE CONSTRAINT c" / "ALTER TABLE t DROP CONSTRAINT c",
// without the final semicolon.
std::string validate_constraint_sql(const std::string &table, const std::string &constraint);
std::string drop_constraint_sql(const std::string &table, const std::string &constraint);

}  // namespace fkg
