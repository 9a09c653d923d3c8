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
  // Online mode only.
  std::string schema_name, table_name, column_name;  // raw names
  bool not_null = false;
  char match_type = 's', update_action = 'a', delete_action = 'a';  // pg_constraint's letters
  bool deferrable = false, deferred = false;
  std::string constraint_name;           // raw
  std::optional<sql::Ident> index;       // the column's one-column index (qualified), created again
  std::string index_name, index_method;  // raw
  // On Citus: the table's oid and the column's number (for the PostgreSQL side only).
  unsigned rel_oid = 0;
  int att = 0;
};

// On Citus: tables the plan turns into PostgreSQL tables for a while
// (undistribute_table) and back, and the other foreign keys that involve them
// (undistribute_table refuses while any exists), dropped and added again.
struct KeyCitusPlan {
  bool involved = false;                                  // a Citus table is among the plan's tables
  std::vector<citus_rules::Redistribution> redistribute;  // the key's table first
  std::vector<ReaddedKey> other_keys;
  std::string reason;  // why they are distributed again, for the header
};

// Online mode: the key changes through new columns kept in sync by triggers.
struct OnlineOptions {
  bool enabled = false;
  long long batch_size = 10000;
  std::string batch_pause = "0.1";  // seconds, as pg_sleep() takes them
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
  bool key_part = false;  // None: the column is one part of a multi-column key, so its values may repeat
  OnUnconvertible mode = OnUnconvertible::Fail;  // referencing values that match no key
  std::vector<KeyReferrer> referrers;
  long long rows = -1;
  std::string size;
  std::vector<std::string> notes;
  // Online mode only.
  OnlineOptions online;
  std::string schema_name, table_name, column_name;  // raw names
  std::string primary_key_name;                      // raw: the key is its table's one-column primary key
  char identity_kind = '\0';                         // 'a' (ALWAYS) or 'd' (BY DEFAULT)
  KeyCitusPlan citus;
};

// A runnable script in one transaction. With a cast: drop the foreign keys,
// convert the key (its serial sequence follows) and every referencing column
// in place, one ALTER TABLE per table, add the keys again NOT VALID and
// validate them. Without one: a temporary map from every old key to its new
// value, then the same order, each column converted through the map. The
// header lists every referencing column with its table's size, and every
// statement's lock and rewrite.
// With in.online.enabled, write_online_key_type_plan().
std::string write_key_type_plan(const KeyPlanInput &in);

// The online script, in five phases, for tables too big to rewrite under an
// ACCESS EXCLUSIVE lock: (1) a new column beside each old one (no rewrite)
// and a trigger per table that keeps it in sync; (2) a backfill in batches of
// ctid ranges, COMMIT and a pause after each (outside a transaction block);
// (3) the new indexes CONCURRENTLY (outside a transaction block); (4) CHECKs
// that prove the new columns in sync (and NOT NULL), the new foreign keys,
// each added NOT VALID and validated; (5) the swap, in one short transaction
// that retries on lock_timeout. Each phase can run again. Needs the online
// facts of KeyPlanInput and KeyReferrer; throws std::invalid_argument when
// two new names would be the same.
std::string write_online_key_type_plan(const KeyPlanInput &in);

// `name` cut to at most `bytes` bytes, never inside a UTF-8 character.
std::string clip_name(const std::string &name, size_t bytes);

}  // namespace fkg
