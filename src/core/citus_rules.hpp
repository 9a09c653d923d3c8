// Citus's own rules for a foreign key between its tables, as Citus checks
// them after PostgreSQL has created the key (commands/foreign_constraint.c,
// ErrorIfUnsupportedForeignConstraintExists): judged here before PostgreSQL
// or Citus starts, with Citus's wording, and a fix that works on Citus.
// Pure C++ (no PostgreSQL header): the facts come from src/pg/citus.*.
#pragma once

#include <optional>
#include <string>

namespace fkg::citus_rules {

enum class Table {
  Plain,        // not a Citus table
  Distributed,  // hash-distributed (has a distribution column)
  SingleShard,  // distributed without a distribution column
  Reference,
  Local,  // Citus local table
};

struct Side {
  Table kind = Table::Plain;
  std::string table;        // as messages name it (quoted as PostgreSQL quotes it)
  std::string dist_column;  // its distribution column as stored, empty if none
  std::string dist_type;    // that column's type as PostgreSQL prints it (with COLLATE when not default)
  int dist_position = -1;   // where the distribution column stands in the key's columns, -1 if not in it
  unsigned colocation = 0;  // Citus's colocation id, 0 for none
  // The distribution column's type and collation as Citus compares them (by
  // oid, as EnsureColumnTypeEquality does: a domain is not its base type, a
  // typmod does not count); 0 when unknown, then dist_type is compared.
  unsigned dist_type_oid = 0, dist_collation_oid = 0;
};

struct Key {
  Side referencing, referenced;
  bool self = false;     // a table referencing itself
  char on_delete = 'a';  // pg_constraint's action codes: a r c n d
  char on_update = 'a';
};

struct Refusal {
  int sqlstate_class;  // 0: feature not supported (0A000), 1: invalid table definition (42P16)
  std::string message, detail, hint;
  // The kind diagnose_fk_mismatches() reports: citus_distribution_type,
  // citus_not_colocated, citus_distribution_column, citus_referential_action,
  // citus_reference_to_distributed, citus_distributed_to_local,
  // citus_referenced_not_distributed.
  std::string kind;
};

// Can Citus colocate tables whose distribution columns are these (same type
// and collation)?
bool same_distribution_type(const Side &a, const Side &b);

// The rule Citus would refuse this key by, first as Citus checks them; none
// when Citus accepts it (or when Citus would first turn a plain table into a
// Citus local table, or the pair is one Citus checks elsewhere).
std::optional<Refusal> check(const Key &key);

// Citus cannot change a distribution column's type in place ("cannot execute
// ALTER TABLE command involving partition column"): the statements that do it
// by distributing the table again, around `alter` (the ALTER TABLE ... TYPE,
// without its semicolon). table as messages name it (quoted), column as
// stored; colocate_with: a table as messages name it, or "default". Empty when
// table is not a quoted identifier chain.
std::string change_distribution_column(const std::string &table, const std::string &column, const std::string &alter,
                                       const std::string &colocate_with);

// A Citus table that a plan turns into a PostgreSQL table for a while
// (undistribute_table) and back, because Citus cannot do a step on it:
// change a distribution column's type, or run ALTER COLUMN ... USING a
// temporary function (which the other nodes do not have).
struct Redistribution {
  Table kind = Table::Plain;
  std::string table;          // as regclass prints it (quoted identifiers)
  std::string column;         // the distribution column as stored (Distributed only)
  std::string colocate_with;  // a table as regclass prints it, or "default"
  int shard_count = 0;        // with colocate_with "default": the table's shard count (0: Citus's default)
};

// "SELECT undistribute_table('t')", without the semicolon; throws unless the
// table is a quoted identifier chain.
std::string undistribute_sql(const Redistribution &r);

// The statement that makes the table what it was: create_distributed_table
// (colocated as given), create_reference_table or
// citus_add_local_table_to_metadata, without the semicolon.
std::string distribute_again_sql(const Redistribution &r);

}  // namespace fkg::citus_rules
