// Citus awareness, decided at run time from Citus's own catalog (no build
// dependency on Citus): which tables are distributed, reference or Citus
// local tables, which relations are their shards, and which statements Citus
// itself sends (to shards, to shell tables on other nodes, or while it
// re-creates a table in alter_distributed_table / undistribute_table).
//
// Where a statement is Citus's copy of a statement the user sent elsewhere,
// the guard stays silent: it judged the user's statement where it was sent.
// Everything here answers "not Citus" when the citus extension is not
// installed in the current database.
//
// PostgreSQL-side helpers: call them under pg_guard.
#pragma once

#include <string>

#include "../core/citus_rules.hpp"
#include "prelude.hpp"

namespace fkg {
namespace citus {

enum class TableKind {
  None,         // not a Citus table (or Citus is not installed)
  Distributed,  // hash-, range- or append-distributed, or distributed without a shard key
  Reference,    // replicated to every node
  Local,        // a Citus local table (its one shard on the coordinator)
  Shard,        // a shard of one of the above
};

// Is the citus extension installed in the current database?
bool installed();

// What Citus makes of this relation.
TableKind kind_of(Oid rel);

// A Citus table's distribution: its kind (None also for a shard), its
// distribution column and colocation group.
struct Distribution {
  TableKind kind = TableKind::None;
  bool single_shard = false;                // distributed without a distribution column
  AttrNumber dist_att = InvalidAttrNumber;  // the distribution column
  uint32 colocation = 0;                    // 0: none
};
Distribution distribution_of(Oid rel);

// Another table in rel's colocation group (the oldest), or InvalidOid.
Oid colocated_table(Oid rel);

// How many shards Citus lists for rel.
int shard_count(Oid rel);

// A table's side of a key in the terms of Citus's rules (src/core/citus_rules):
// palloc'd, read under pg_guard.
struct RuleSide {
  int kind;                 // citus_rules::Table
  const char *dist_column;  // raw; "" when none
  const char *dist_type;    // format_type, with COLLATE when not the default
  Oid dist_type_oid, dist_collation_oid;
  uint32 colocation;
};
RuleSide rule_side(Oid rel);
// With the table as messages name it (no PostgreSQL call: safe outside pg_guard).
citus_rules::Side to_rule_side(const RuleSide &s, const std::string &table);

// "distributed table", "reference table", "local table" (a Citus local table), "shard".
const char *kind_name(TableKind kind);

// Is `name` in schema `nsp` (InvalidOid: any schema) the name of a shard
// Citus knows (<table>_<shard id>, listed in pg_dist_shard)?
bool is_shard_name(Oid nsp, const char *name);

// Is this node the coordinator (Citus's local group 0)?
bool on_coordinator();

// Was this session opened by Citus (the coordinator sending its commands to
// a worker, the rebalancer, a shard move or split)? Citus marks such sessions
// by their application_name, which any session can set: on the coordinator,
// where users' statements arrive, the name is never taken as proof (false);
// on a worker it counts with DDL propagation off, as Citus sends its commands.
bool internal_session();

// Is Citus re-creating a table right now (alter_distributed_table,
// undistribute_table, alter_table_set_access_method)? Read from Citus's
// own flag when its library exports it. Only meaningful for a statement
// Citus runs itself (one that is not in the query string the client sent).
bool converting_table();

// Citus's flag is cleared by a conversion nested in another (cascading to
// colocated tables or through foreign keys) before the outer one adds its
// keys back; the setting it turns off for a whole conversion (SET LOCAL
// citus.enable_local_reference_table_foreign_keys = off) stays off until
// then. A user may turn it off too: only a hint.
bool conversion_setting_off();

// Is this ALTER TABLE Citus adding back foreign keys it knows to be valid
// (after undistribute_table, create_distributed_table of a Citus local table,
// cascading conversions)? Citus marks each such key to skip validation while
// it stays valid, which no SQL text can say (NOT VALID marks both) -- but it
// marks a user's ALTER TABLE on a Citus table the same way, so this only
// tells for a statement the client did not send itself.
bool recreates_valid_keys(Node *tree);

// May the statements the client sent run code of the user's that sends DDL
// of its own (a DO block, CALL, a function that is neither built in nor
// Citus's, DML with its triggers)? If not, a statement that is not among them
// was sent by Citus (or by an event trigger).
bool client_runs_user_code();

// Is this statement (an ALTER TABLE or CREATE TABLE) one the client sent:
// does the query string hold a statement of the same kind on the same table?
// Citus rewrites the statements it passes on (names constraints, qualifies
// names, marks keys), so the trees are compared by kind and table only.
bool client_sent(Node *tree);

// The shards Citus lists in pg_dist_shard, for whole-catalog scans: loaded
// once, then looked up by a relation's name. NULL when Citus is not installed.
struct ShardSet;
ShardSet *load_shards();
bool is_shard(const ShardSet *set, Oid nsp, const char *relname);

}  // namespace citus
}  // namespace fkg
