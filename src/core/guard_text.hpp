// The guard's sentences: the primary message, DETAIL and HINT of a refused
// or soft foreign key, and the sentence that describes a column's data. Pure
// C++, shared by the extension's event-trigger guard (src/pg/guard*.cpp) and
// the npm package's guard (src/wasm, clients/node), so both say the same
// thing for the same key. The callers gather the facts (catalog, data,
// statement) and pass them in; nothing here reads anything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fix_writer.hpp"
#include "verdict.hpp"

namespace fkg {

// "3 rows" / "1 row".
std::string plural(int64_t n, const std::string &one, const std::string &many);

// What a column holds with respect to a target type and the referenced key:
// the counts of a profile (fk_guard.profile_column()), or why none was read.
struct DataFacts {
  bool read = false;          // false: not read; the counts mean nothing
  double estimated = -1;      // estimated rows
  int64_t row_limit = 0;      // the profile row limit: above it, the data is not read
  std::string not_read;       // why not, when that is worth saying
  bool user_code = false;     // not_read names user-defined code the conversion would run
  std::string keys;           // the referenced key as messages name it (users.id), when orphans were counted
  std::string keys_not_read;  // why the values were not compared with the keys, when worth saying
  int64_t rows_total = 0, rows_null = 0, rows_convertible = 0, rows_unconvertible = 0, rows_orphaned = 0;
  bool orphans_checked = false;
  std::vector<std::string> sample_unconvertible, sample_orphaned;
};

// "sessions holds 3 rows: 1 with "userId" NULL, 2 uuid values that cannot
// become integer (for example ...)." table and column as messages name them;
// source and target as the types print. Empty when there is nothing to say.
std::string data_sentence(const std::string &table, const std::string &column, const std::string &source,
                          const std::string &target, const DataFacts &data);

// Which functions a HINT names: the extension's SQL functions, or, where the
// extension is not installed, the npm package's JavaScript equivalents
// (clients/node: fixPlan(), changeKeyTypePlan()).
enum class CallStyle { Sql, Package };

// A JavaScript string literal: single-quoted, backslash escapes.
std::string js_literal(const std::string &s);

// "SELECT fk_guard.fix_plan('sessions', 'userId', 'users', 'id', ...)", or
// for the package "fixPlan(db, {referencingTable: 'sessions', ...})": names
// as stored; mode and constraint may be null.
std::string fix_plan_call(const std::string &table, const std::string &column, const std::string &referenced_table,
                          const std::string &referenced_column, const char *mode, const char *constraint,
                          CallStyle calls = CallStyle::Sql);

// "SELECT fk_guard.explain('public.sessions', 'userId');": qualified is the
// table's quote_qualified_identifier form, column its name as stored.
// For the package: "explain(db, {table: 'public.sessions', column: 'userId'});".
std::string explain_call(const std::string &qualified, const std::string &column, CallStyle calls = CallStyle::Sql);

// "SELECT fk_guard.change_key_type_plan('users', 'id', 'uuid')", or for the
// package "changeKeyTypePlan(db, {referencedTable: 'users', ...})": names as
// stored, the type as it prints.
std::string change_key_type_plan_call(const std::string &referenced_table, const std::string &referenced_column,
                                      const std::string &new_type, CallStyle calls = CallStyle::Sql);

// A type as messages print it, with " COLLATE <collation>" when asked.
std::string type_with_collation_note(const ColumnType &c, bool show_collation);

// A foreign key of the statement, as the guard's messages name it.
struct KeyNames {
  std::string referencing_table;    // as regclass prints it (or as the statement names a new table)
  std::string referencing_column;   // quoted
  std::string referencing_attname;  // as stored
  std::string referenced_table;
  std::string referenced_column;   // quoted
  std::string referenced_attname;  // as stored
  std::string constraint;          // the constraint's name as stored (asked for, or PostgreSQL's choice)
};

// "foreign key constraint "c" cannot be implemented"
std::string refusal_message(const std::string &constraint);

// "sessions."userId" is uuid; users.id is integer. <why>" ("becomes" for a
// side the statement retypes).
std::string pair_detail(const KeyNames &n, const ColumnType &fk, bool fk_retyped, const ColumnType &pk, bool pk_retyped,
                        const Verdict &v);

// "foreign key constraint "c" pairs integer with bigint (narrower)"
std::string soft_message(const std::string &constraint, bool rebuilt, const ColumnType &fk, const ColumnType &pk,
                         Kind kind);

// " Or, if users.id should become uuid instead: SELECT
// fk_guard.change_key_type_plan(...) writes ..." (caller decides whether
// the key may follow the referencing type).
std::string key_change_note(const KeyNames &n, const std::string &new_type, CallStyle calls = CallStyle::Sql);

// What fk_guard.explain() would add: " What the DETAIL leaves out (...): <call>",
// or empty when nothing is left out.
struct LeftOut {
  bool data_not_read = false;  // the data was not read
  bool keys_not_read = false;  // read, but not compared with the keys
  bool objects = false;        // objects on the column that a conversion touches
  bool history = false;        // a migration tool's history table is on the search path
};
std::string explain_note(const LeftOut &what, const std::string &explain_call_sql);

// Everything the HINT of a refused (incompatible) key says, except a rebuild
// by ALTER COLUMN TYPE (src/pg/guard.cpp writes that one).
struct RefusalFacts {
  KeyNames names;
  ColumnType fk, pk;
  bool declared_here = false;      // the referencing column is declared in this statement
  bool type_changed = false;       // this statement changes the referencing column's type
  bool collation_refusal = false;  // PostgreSQL 18+ refused the collations, not the types
  Conversion conversion = Conversion::None;
  std::string alter;          // the statement that converts the referencing column
  bool distribution = false;  // alter redistributes a Citus table
  DataFacts data;
  std::string key_change_note;  // key_change_note(), or empty
  bool later_statement_retypes = false;
  std::string tool_note;             // for the tool that sent the statement
  std::string explain_note;          // explain_note(), or empty
  CallStyle calls = CallStyle::Sql;  // the functions the HINT names
};
std::string incompatible_hint(const RefusalFacts &f);

// The HINT of a soft mismatch.
struct SoftFacts {
  KeyNames names;
  ColumnType pk;
  Kind kind = Kind::None;
  bool declared_here = false;
  bool referenced_retyped = false;
  std::string alter;
  bool distribution = false;
  std::string key_change_note;  // for a width mismatch
};
std::string soft_hint(const SoftFacts &f);

// An ALTER COLUMN ... TYPE that no cast can do, as messages name it: what
// cast_refusal() and dropped_keys_refusal() share.
struct ConversionText {
  std::string table;        // as regclass prints it
  std::string column;       // quoted
  std::string attname;      // as stored
  std::string source;       // the column's type now, as it prints (no modifier)
  std::string target;       // the statement's new type, with its modifier
  std::string cast_to;      // USING's cast type (with_using), else the new type without its modifier
  bool with_using = false;  // USING "col"::type: PostgreSQL's 42846 message; else 42804's
};

// ---- A key column whose foreign keys this transaction dropped ----
// ALTER COLUMN ... TYPE with no cast on a column that foreign keys dropped
// earlier in the transaction referenced (a tool that changes a key's type
// drops the keys that reference it first): the DETAIL names them, the HINT
// the key type plan that gives every key a new value and carries every
// reference along.
struct DroppedReference {
  std::string column;      // the referencing column as messages name it: shop_session.user_id
  std::string type;        // its type now
  std::string constraint;  // the dropped key's name, quoted as PostgreSQL quotes it
};
struct DroppedKeysFacts : ConversionText {
  bool uuid_target = false;  // the new type is uuid: the key type plan gives each key gen_random_uuid()
  std::vector<DroppedReference> references;
  CallStyle calls = CallStyle::Sql;
};

// ---- Keys rebuilt by ALTER COLUMN TYPE ----

// The DETAIL's opening when the refused keys are existing ones that ALTER
// COLUMN TYPE makes PostgreSQL rebuild: "ALTER COLUMN TYPE makes PostgreSQL
// rebuild this foreign key, which it could not implement. "
std::string rebuilt_detail_opening(bool several);

// A foreign key that references the key column whose type the refused
// statement concerns (the key itself, or the key a converted referencing
// column references), as the HINT's steps need it.
struct RebuiltReferrer {
  std::string table;                         // as regclass prints it
  std::string constraint;                    // quoted
  std::string column;                        // quoted
  std::string definition;                    // pg_get_constraintdef()
  bool large = false;                        // more rows than the profile row limit: added NOT VALID, then validated
  bool multi = false;                        // a key of more than one column: no script
  bool of_new_type = false;                  // its column already has the new type
  bool altered_here = false;                 // the refused key itself, whose column the statement converts
  Conversion conversion = Conversion::None;  // from its column's type to the new one (when neither of the above)
};

// The HINT of a refused rebuilt key. fallback: the first pair is not a
// matter of other tables' types (collations, both sides converted), or the
// statement's text is unknown and its conversion impossible: only the
// general advice.
struct RebuiltFacts {
  KeyNames names;  // the first refused pair
  bool fallback = false;
  bool key_side = false;                   // the statement converts the referenced key, not the referencing column
  std::string statement;                   // the statement as sent (or its conversion written anew)
  std::string new_type;                    // the type the statement gives, as it prints
  std::string key_type;                    // the referenced key's type (stays, when !key_side)
  std::vector<RebuiltReferrer> referrers;  // every key that references the key column
  Conversion key_conversion = Conversion::None;  // !key_side: the key column to the new type
  bool later_statement_retypes = false;          // key_side: a later statement converts the referencing column
  bool key_may_follow = false;                   // key_side: a surrogate key change_key_type_plan() can change
  CallStyle calls = CallStyle::Sql;
};
std::string rebuilt_hint(const RebuiltFacts &f);

// ---- Beyond types: duplicate keys and the validating scan ----

// What a foreign key does besides pairing columns, with PostgreSQL's codes:
// actions 'a' NO ACTION, 'r' RESTRICT, 'c' CASCADE, 'n' SET NULL, 'd' SET
// DEFAULT; match 's' SIMPLE, 'f' FULL.
struct KeyDefinition {
  char on_update = 'a', on_delete = 'a';
  char match = 's';
  bool deferrable = false, deferred = false;
};

// A foreign key the statement adds, as the guard's notices name it.
struct NewKeyText {
  std::string name;         // as PostgreSQL will store it
  std::string quoted_name;  // quote_identifier
  bool named = false;       // the statement gives the name
  std::string table;        // as regclass prints it, or as the statement names a new table
  std::string referenced_table;
  std::vector<std::string> columns, referenced_columns;  // quoted, in the statement's order
  KeyDefinition definition;
  std::vector<std::string> on_delete_columns;  // quoted: ON DELETE SET NULL (a, b)
  bool new_column = false;                     // ADD COLUMN ... REFERENCES
};

// A foreign key the table has.
struct ExistingKeyText {
  std::string name;    // as stored
  std::string quoted;  // quote_identifier
  KeyDefinition definition;
  bool validated = true;
};

// A notice's text; its level and SQLSTATE are the caller's.
struct NoticeText {
  std::string message, detail, hint;
};

// The new key duplicates one the table has (refused: as_error, with
// duplicate_keys = error; else a WARNING).
NoticeText duplicate_existing(const NewKeyText &k, const ExistingKeyText &old, bool as_error,
                              CallStyle calls = CallStyle::Sql);

// The new key duplicates one the same statement adds before it.
NoticeText duplicate_in_statement(const NewKeyText &k, const NewKeyText &first, bool as_error,
                                  CallStyle calls = CallStyle::Sql);

// ADD FOREIGN KEY without NOT VALID on a large table: the scan and its locks.
struct ValidationScan {
  std::string own_lock;      // the statement's lock on the table, at least SHARE ROW EXCLUSIVE ("ACCESS EXCLUSIVE")
  bool self = false;         // the key references its own table
  long long rows = 0;        // estimated rows (of every partition)
  bool partitioned = false;  // the table is partitioned
  std::string size;          // pg_size_pretty of the table and its partitions
  bool two_steps_refused = false;  // PostgreSQL 17 and older: no NOT VALID foreign key on a partitioned table
  long long notice_rows = 0;       // the threshold now
};
NoticeText validation_scan(const NewKeyText &k, const ValidationScan &s, CallStyle calls = CallStyle::Sql);

// ---- A key column's conversion that no cast can do ----

// ALTER COLUMN ... TYPE on a column that holds keys of another table (by a
// declared foreign key, or by its name), from a type no cast turns into the
// new one (uuid to integer). PostgreSQL refuses it with its own message; the
// guard refuses it first with the same message and its own DETAIL and HINT.
struct CastRefusalFacts : ConversionText {
  std::string referenced_table;     // as regclass prints it
  std::string referenced_column;    // quoted
  std::string referenced_attname;   // as stored
  std::string key_type;             // the referenced key's type, with its modifier
  std::string constraint;           // the declared foreign key, quoted; empty when implied by the name
  bool key_of_target_type = false;  // the key already has the new type (the values were compared with it)
  DataFacts data;                   // the column's values converted to the new type
  bool key_may_follow = false;      // the key is a surrogate key change_key_type_plan() can change
  std::string tool_note;            // for the tool whose conversion shape this is, or empty
  CallStyle calls = CallStyle::Sql;
};
NoticeText cast_refusal(const CastRefusalFacts &f);

// The refusal of a key column that no cast converts, whose referencing keys
// this transaction dropped (DroppedKeysFacts above).
NoticeText dropped_keys_refusal(const DroppedKeysFacts &f);

// Citus: the distribution column's note in a HINT.
extern const char *const kDistributionNote;

}  // namespace fkg
