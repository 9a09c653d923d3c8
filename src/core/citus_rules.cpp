#include "citus_rules.hpp"

#include "no_postgres.hpp"
#include "sql_writer.hpp"

#include <stdexcept>

namespace fkg::citus_rules {

namespace {

bool local_or_reference(Table t) { return t == Table::Reference || t == Table::Local; }

std::string arg(const std::string &text) { return sql::literal(text); }

// How a distributed table gets the distribution column type it needs.
std::string retype_distribution_column(const Side &s, const std::string &type, const std::string &colocate_with) {
  if (!sql::is_quoted_identifier_chain(s.table)) return "";
  return change_distribution_column(s.table, s.dist_column,
                                    "ALTER TABLE " + sql::Ident::checked(s.table).str() + " ALTER COLUMN " +
                                        sql::always_quoted(s.dist_column) + " TYPE " + type,
                                    colocate_with);
}

}  // namespace

std::string change_distribution_column(const std::string &table, const std::string &column, const std::string &alter,
                                       const std::string &colocate_with) {
  if (!sql::is_quoted_identifier_chain(table)) return "";
  return "SELECT undistribute_table(" + arg(table) + "); " + alter + "; SELECT create_distributed_table(" + arg(table) +
         ", " + arg(column) + ", colocate_with => " + arg(colocate_with) + ")";
}

std::string undistribute_sql(const Redistribution &r) {
  return "SELECT undistribute_table(" + arg(sql::Ident::checked(r.table).str()) + ")";
}

std::string distribute_again_sql(const Redistribution &r) {
  const std::string t = arg(sql::Ident::checked(r.table).str());
  switch (r.kind) {
    case Table::Reference:
      return "SELECT create_reference_table(" + t + ")";
    case Table::Local:
      return "SELECT citus_add_local_table_to_metadata(" + t + ")";
    case Table::Distributed: {
      std::string out = "SELECT create_distributed_table(" + t + ", " + arg(r.column) + ", colocate_with => ";
      if (r.colocate_with == "default" || r.colocate_with.empty()) {
        out += "'default'";
        if (r.shard_count > 0) out += ", shard_count => " + std::to_string(r.shard_count);
      } else {
        out += arg(sql::Ident::checked(r.colocate_with).str());
      }
      return out + ")";
    }
    case Table::SingleShard:
      return "SELECT create_distributed_table(" + t + ", NULL, colocate_with => " +
             (r.colocate_with.empty() || r.colocate_with == "default"
                  ? std::string("'none'")
                  : arg(sql::Ident::checked(r.colocate_with).str())) +
             ")";
    case Table::Plain:
      break;
  }
  throw std::invalid_argument("not a Citus table");
}

bool same_distribution_type(const Side &a, const Side &b) {
  if (a.dist_type_oid != 0 && b.dist_type_oid != 0)
    return a.dist_type_oid == b.dist_type_oid && a.dist_collation_oid == b.dist_collation_oid;
  return a.dist_type == b.dist_type;
}

std::optional<Refusal> check(const Key &k) {
  const Side &fk = k.referencing, &pk = k.referenced;
  // A plain referencing table: Citus turns it into a Citus local table or
  // refuses by rules of its own, elsewhere.
  if (fk.kind == Table::Plain) return std::nullopt;
  if (!k.self && pk.kind == Table::Plain) {
    if (fk.kind == Table::Local) return std::nullopt;  // Citus adds the table to its metadata
    std::string named = !pk.table.empty() && pk.table.front() == '"' ? pk.table : "\"" + pk.table + "\"";
    return Refusal{1, "referenced table " + named + " must be a distributed table or a reference table",
                   "To enforce foreign keys, the referencing and referenced rows need to be stored on the same node.",
                   "Make " + pk.table + " a reference table first: SELECT create_reference_table(" + arg(pk.table) +
                       "); or distribute it colocated with " + fk.table + ".",
                   "citus_referenced_not_distributed"};
  }
  if (local_or_reference(fk.kind) && local_or_reference(pk.kind)) return std::nullopt;
  if (local_or_reference(fk.kind))
    return Refusal{0,
                   "cannot create foreign key constraint since foreign keys from reference tables and local tables to "
                   "distributed tables are not supported",
                   "Reference tables and local tables can only have foreign keys to reference tables and local tables.",
                   "Reverse the reference, or make " + pk.table + " a reference table if every node should hold it.",
                   "citus_reference_to_distributed"};
  // From here on the referencing table is distributed.
  bool colocated = k.self || (fk.colocation != 0 && fk.colocation == pk.colocation);
  if (pk.kind != Table::Reference && !colocated) {
    Refusal r{0,
              "cannot create foreign key constraint since relations are not colocated or not referencing a "
              "reference table",
              "A distributed table can only have foreign keys if it is referencing another colocated hash "
              "distributed table or a reference table.",
              "", "citus_not_colocated"};
    if (pk.kind == Table::Local) {
      r.kind = "citus_distributed_to_local";
      r.hint = "A distributed table cannot reference a Citus local table: make " + pk.table +
               " a reference table (SELECT undistribute_table(" + arg(pk.table) + "); SELECT create_reference_table(" +
               arg(pk.table) + ")) or distribute it colocated with " + fk.table + ".";
    } else if (fk.kind == Table::Distributed && pk.kind == Table::Distributed && !same_distribution_type(fk, pk) &&
               !retype_distribution_column(fk, pk.dist_type, pk.table).empty()) {
      r.kind = "citus_distribution_type";
      r.hint = "Citus colocates only tables whose distribution columns have the same type and collation: " + fk.table +
               "." + sql::always_quoted(fk.dist_column) + " is " + fk.dist_type + " and " + pk.table + "." +
               sql::always_quoted(pk.dist_column) + " is " + pk.dist_type +
               ", so the two can never be colocated, and Citus cannot change a distribution column's type in place. "
               "Distribute " +
               fk.table + " again with " + pk.dist_type +
               " as the type of its distribution column: " + retype_distribution_column(fk, pk.dist_type, pk.table) +
               "; then add the foreign key (undistribute_table refuses while other foreign keys involve the table: "
               "drop them first, or pass cascade_via_foreign_keys => true).";
    } else {
      r.hint = "Colocate the two tables first: SELECT alter_distributed_table(" + arg(fk.table) +
               ", colocate_with => " + arg(pk.table) + "); then add the foreign key.";
    }
    return r;
  }
  if (fk.dist_position >= 0) {
    if (k.on_delete == 'n' || k.on_delete == 'd')
      return Refusal{0, "cannot create foreign key constraint",
                     "SET NULL or SET DEFAULT is not supported in ON DELETE operation when distribution key is "
                     "included in the foreign key constraint.",
                     "Use ON DELETE CASCADE, RESTRICT or NO ACTION: a distribution column cannot become NULL or its "
                     "default.",
                     "citus_referential_action"};
    if (k.on_update == 'n' || k.on_update == 'd' || k.on_update == 'c')
      return Refusal{0, "cannot create foreign key constraint",
                     "SET NULL, SET DEFAULT or CASCADE is not supported in ON UPDATE operation when distribution key "
                     "included in the foreign constraint.",
                     "Use ON UPDATE RESTRICT or NO ACTION: Citus never updates a distribution column.",
                     "citus_referential_action"};
  }
  bool on_dist_key = fk.dist_position >= 0 && fk.dist_position == pk.dist_position;
  if (pk.kind == Table::Distributed && !on_dist_key)
    return Refusal{0, "cannot create foreign key constraint",
                   "Foreign keys are supported in two cases, either in between two colocated tables including "
                   "partition column in the same ordinal in the both tables or from distributed to reference tables.",
                   "Include " + fk.table + "." + sql::always_quoted(fk.dist_column) +
                       " in the foreign key, at the "
                       "position of " +
                       pk.table + "." + sql::always_quoted(pk.dist_column) +
                       " in the referenced key (which must then include it as well).",
                   "citus_distribution_column"};
  return std::nullopt;
}

}  // namespace fkg::citus_rules
