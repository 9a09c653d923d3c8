#include "key_plan.hpp"

#include <map>

#include "no_postgres.hpp"

namespace fkg {

using sql::Ident;
using sql::Script;

namespace {

const char *kEq = " OPERATOR(pg_catalog.=) ";
const char *kMapTable = "pg_temp.fk_guard_keymap";
const char *kMapFunction = "pg_temp.fk_guard_key";

std::string size_text(long long rows, const std::string &size) {
  std::string s = rows >= 0 ? "about " + std::to_string(rows) + (rows == 1 ? " row" : " rows") : "rows unknown";
  return size.empty() ? s : s + ", " + size;
}

std::string using_for(const std::string &column, const std::string &type, Conversion c) {
  switch (c) {
    case Conversion::Assignment:
      return "";
    case Conversion::Explicit:
      return " USING " + column + "::" + using_cast_type(type);
    case Conversion::ExplicitTypmod:
      return " USING " + column + "::" + type;
    case Conversion::None:
      return std::string(" USING ") + kMapFunction + "(" + column + ")";
    case Conversion::ToNull:
      return " USING NULL";
  }
  return "";
}

struct TableChange {
  std::vector<std::string> clauses;
  std::vector<std::string> columns;
};

std::string raise(const std::string &message, const std::string &hint) {
  return "    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation', MESSAGE = " + sql::literal(message) +
         ",\n      HINT = " + sql::literal(hint) + ";\n";
}

}  // namespace

std::string write_key_type_plan(const KeyPlanInput &in) {
  if (in.online.enabled) return write_online_key_type_plan(in);
  const bool mapped = in.conversion == Conversion::None;
  const std::string &key_table = in.table.str();
  const std::string &key_column = in.column.str();
  const std::string key = key_table + "." + key_column;

  Script s;
  s.header("pg_fk_guard key type plan: " + key + " (" + in.old_type + ") -> " + in.new_type + ", " +
           size_text(in.rows, in.size));
  if (in.referrers.empty()) {
    s.header("No column references " + key + ".");
  } else {
    s.header("Referenced by " + std::to_string(in.referrers.size()) +
             (in.referrers.size() == 1 ? " column:" : " columns:"));
    for (const KeyReferrer &r : in.referrers)
      s.header("  " + r.table.str() + "." + r.column.str() + " (" + r.source_type + "), " +
               (r.constraint ? "foreign key " + r.constraint->str() : std::string("implied by its name")) + ", " +
               size_text(r.rows, r.size) + (r.not_valid ? ", NOT VALID (it stays so)" : ""));
  }
  if (mapped)
    s.header("No cast turns " + in.old_type + " into " + in.new_type + ": every key gets a new value (" +
             in.new_key_expression + "), and every reference follows its key through a temporary map, row for row.");
  if (mapped && in.key_part)
    s.header(key +
             " is one part of a multi-column key, so a value may repeat: each distinct value gets one new "
             "value (the expression of one of its rows), and every key stays unique.");
  s.header(
      "Kept: every column is converted in place, so its position, NOT NULL, comment, privileges and indexes stay "
      "(PostgreSQL rebuilds the indexes); each foreign key is added again with its whole definition. Run ANALYZE "
      "afterwards.");
  if (!in.current_default.empty() && mapped)
    s.header("Dropped: the DEFAULT of " + key + " (" + in.current_default + ")" +
             (in.new_default ? ", replaced by DEFAULT " + in.new_key_expression : std::string()) + "." +
             (in.owned_sequence ? " Its sequence " + in.owned_sequence->str() + " is left in place, unused." : ""));
  if (in.identity && mapped)
    s.header("Dropped: the identity of " + key + " (its sequence goes with it)" +
             (in.new_default ? ", replaced by DEFAULT " + in.new_key_expression : std::string()) + ".");
  if (mapped && in.new_default && in.current_default.empty() && !in.identity)
    s.header("Added: DEFAULT " + in.new_key_expression + " on " + key + ", for the keys of new rows.");
  for (const std::string &n : in.notes) s.header(n);
  const KeyCitusPlan &citus = in.citus;
  const bool redistribute = !citus.redistribute.empty();
  if (redistribute) {
    std::string tables, keys;
    for (const citus_rules::Redistribution &r : citus.redistribute) tables += (tables.empty() ? "" : ", ") + r.table;
    for (const ReaddedKey &k : citus.other_keys)
      keys += (keys.empty() ? "" : ", ") + k.constraint.str() + " on " + k.table.str();
    s.header("On Citus: " + citus.reason + ". So the plan turns " + tables +
             " into PostgreSQL tables first (undistribute_table, which moves their rows to the coordinator), "
             "converts them there and makes them Citus tables again as they were (create_distributed_table, "
             "colocated with the key's table where a distribution column follows the key; create_reference_table), "
             "which rewrites each and moves its rows twice; Citus keeps what it copies when it re-creates a table "
             "(columns in order, indexes, constraints, owner): check comments, privileges and statistics afterwards." +
             (keys.empty() ? std::string()
                           : " undistribute_table refuses while foreign keys involve a table: " + keys +
                                 (citus.other_keys.size() == 1 ? " is" : " are") +
                                 " dropped first and added again after with the whole definition."));
  }
  s.header("Run it in one transaction (BEGIN; ... COMMIT;): a step that fails then changes nothing.");

  s.add(
      {"SET", "SET lock_timeout = '5s'", "wait at most 5 s for each lock instead of queueing behind others.", "", ""});
  if (citus.involved)
    s.add({"SET", "SET LOCAL citus.multi_shard_modify_mode = 'sequential'",
           "one connection per node in this transaction, which Citus needs for the steps below (until COMMIT).", "",
           ""});

  auto drop_keys = [&]() {
    for (const KeyReferrer &r : in.referrers)
      if (r.constraint)
        s.add({"ALTER TABLE", "ALTER TABLE " + r.table.str() + " DROP CONSTRAINT " + r.constraint->str(),
               "drop foreign key " + r.constraint->str() + " (added again below).",
               "ACCESS EXCLUSIVE on " + r.table.str() +
                   (r.same_table ? std::string() : ", SHARE ROW EXCLUSIVE on " + key_table),
               ""});
    for (const ReaddedKey &k : citus.other_keys)
      s.add({"ALTER TABLE", "ALTER TABLE " + k.table.str() + " DROP CONSTRAINT " + k.constraint.str(),
             "drop foreign key " + k.constraint.str() + " on " + k.table.str() + " (added again below).",
             "ACCESS EXCLUSIVE on " + k.table.str(), ""});
  };
  if (redistribute) {
    drop_keys();
    for (const citus_rules::Redistribution &r : citus.redistribute)
      s.add({"SELECT", citus_rules::undistribute_sql(r),
             "turn " + r.table + " into a PostgreSQL table, its rows moved to the coordinator.",
             "ACCESS EXCLUSIVE on " + r.table, r.table});
  }

  if (mapped) {
    s.add({"CREATE TABLE",
           std::string("CREATE TABLE ") + kMapTable + " (old " + in.old_type + " PRIMARY KEY, new " + in.new_type +
               " NOT NULL UNIQUE)",
           "a temporary map from each key to its new value.", "", ""});
    s.add({"INSERT",
           std::string("INSERT INTO ") + kMapTable + " (old, new) SELECT " +
               (in.key_part ? "DISTINCT ON (r." + key_column + ") " : std::string()) + "r." + key_column + ", (" +
               in.new_key_expression + ") FROM " + key_table + " r WHERE r." + key_column + " IS NOT NULL",
           in.key_part ? "a new value for every distinct value of the key column." : "a new value for every key.",
           "ACCESS SHARE on " + key_table, ""});
    s.add({"CREATE FUNCTION",
           std::string("CREATE FUNCTION ") + kMapFunction + "(" + in.old_type + ") RETURNS " + in.new_type +
               " LANGUAGE sql STABLE STRICT AS " +
               sql::dollar_quoted(std::string("SELECT m.new FROM ") + kMapTable + " m WHERE m.old" + kEq + "$1"),
           "the lookup each conversion uses (ALTER COLUMN ... USING cannot hold a subquery).", "", ""});
    for (const KeyReferrer &r : in.referrers) {
      const std::string &t = r.table.str(), &c = r.column.str();
      std::string orphan = "t." + c + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + kMapTable + " m WHERE m.old" +
                           kEq + "t." + c + ")";
      std::string what = t + "." + c + " where it references no key of " + key + ".";
      switch (in.mode) {
        case OnUnconvertible::Null:
          s.add({"UPDATE", "UPDATE " + t + " t SET " + c + " = NULL WHERE " + orphan, "set to NULL " + what,
                 "ROW EXCLUSIVE on " + t, ""});
          break;
        case OnUnconvertible::Delete:
          s.add({"DELETE", "DELETE FROM " + t + " t WHERE " + orphan, "delete the rows of " + what,
                 "ROW EXCLUSIVE on " + t, ""});
          break;
        default:
          s.add({"DO",
                 "DO " +
                     sql::dollar_quoted("\nBEGIN\n  IF EXISTS (SELECT 1 FROM " + t + " t WHERE " + orphan + ") THEN\n" +
                                        raise("pg_fk_guard key type plan: some values of " + t + "." + c +
                                                  " reference no key of " + key,
                                              "Plan again with on_unconvertible => 'null' or 'delete' for them, "
                                              "or add the missing keys.") +
                                        "  END IF;\nEND\n"),
                 "stop before changing anything if " + what, "ACCESS SHARE on " + t, ""});
      }
    }
  }

  if (!redistribute) drop_keys();

  // An identity column must be of an integer type already when ALTER TABLE
  // prepares its type change: its identity goes in a statement of its own.
  if (mapped && in.identity)
    s.add({"ALTER TABLE", "ALTER TABLE " + key_table + " ALTER COLUMN " + key_column + " DROP IDENTITY",
           "drop the identity of " + key + " (its sequence goes with it).", "ACCESS EXCLUSIVE on " + key_table, ""});

  // One ALTER TABLE per table: the key's table first (with its self-references).
  std::vector<std::string> order{key_table};
  std::map<std::string, TableChange> changes;
  if (mapped && !in.current_default.empty() && !in.identity)
    changes[key_table].clauses.push_back("ALTER COLUMN " + key_column + " DROP DEFAULT");
  changes[key_table].clauses.push_back("ALTER COLUMN " + key_column + " TYPE " + in.new_type +
                                       using_for(key_column, in.new_type, in.conversion));
  changes[key_table].columns.push_back(key_column);
  if (mapped && in.new_default)
    changes[key_table].clauses.push_back("ALTER COLUMN " + key_column + " SET DEFAULT (" + in.new_key_expression + ")");
  for (const KeyReferrer &r : in.referrers) {
    const std::string &t = r.table.str(), &c = r.column.str();
    if (changes.find(t) == changes.end()) order.push_back(t);
    changes[t].clauses.push_back("ALTER COLUMN " + c + " TYPE " + in.new_type +
                                 using_for(c, in.new_type, mapped ? Conversion::None : r.conversion));
    changes[t].columns.push_back(c);
  }
  for (const std::string &t : order) {
    const TableChange &ch = changes[t];
    std::string sql = "ALTER TABLE " + t;
    for (size_t i = 0; i < ch.clauses.size(); i++) sql += (i ? ", " : " ") + ch.clauses[i];
    std::string cols;
    for (const std::string &c : ch.columns) cols += (cols.empty() ? "" : ", ") + c;
    s.add({"ALTER TABLE", sql, "convert " + t + " (" + cols + ") to " + in.new_type + " in place.",
           "ACCESS EXCLUSIVE on " + t, t});
  }
  if (in.owned_sequence && !mapped)
    s.add({"ALTER SEQUENCE", "ALTER SEQUENCE " + in.owned_sequence->str() + " AS " + in.new_type,
           "the key's sequence follows (its maximum too, when it was the old type's).",
           "SHARE ROW EXCLUSIVE on " + in.owned_sequence->str(), ""});

  for (const citus_rules::Redistribution &r : citus.redistribute)
    s.add({"SELECT", citus_rules::distribute_again_sql(r),
           "make " + r.table + " a Citus table again, its rows moved back to the nodes.",
           "ACCESS EXCLUSIVE on " + r.table, r.table});
  for (const ReaddedKey &k : citus.other_keys)
    s.add({"ALTER TABLE", "ALTER TABLE " + k.table.str() + " ADD CONSTRAINT " + k.add_as.str() + " " + k.definition,
           "add " + k.add_as.str() + " again with its whole definition (this checks every row).",
           "SHARE ROW EXCLUSIVE on " + k.table.str(), ""});
  for (const KeyReferrer &r : in.referrers) {
    if (!r.constraint) continue;
    const std::string &t = r.table.str(), &n = r.constraint->str();
    bool later = !r.not_valid && !r.partitioned;
    s.add({"ALTER TABLE",
           "ALTER TABLE " + t + " ADD CONSTRAINT " + n + " " + r.definition + (later ? " NOT VALID" : ""),
           later ? "add " + n + " again, without scanning " + t + " under a heavy lock."
                 : "add " + n + " again" + (r.partitioned ? " in one step (partitioned table)." : "."),
           "SHARE ROW EXCLUSIVE on " + t + (r.same_table ? std::string() : " and " + key_table), ""});
  }
  for (const KeyReferrer &r : in.referrers) {
    if (!r.constraint || r.not_valid || r.partitioned) continue;
    const std::string &t = r.table.str(), &n = r.constraint->str();
    s.add({"ALTER TABLE", "ALTER TABLE " + t + " VALIDATE CONSTRAINT " + n, "then validate " + n + ".",
           "SHARE UPDATE EXCLUSIVE on " + t + (r.same_table ? std::string() : ", ROW SHARE on " + key_table), ""});
  }
  if (mapped) {
    s.add({"DROP FUNCTION", std::string("DROP FUNCTION ") + kMapFunction + "(" + in.old_type + ")",
           "the temporary lookup is no longer needed.", "", ""});
    s.add({"DROP TABLE", std::string("DROP TABLE ") + kMapTable, "nor the map.", "", ""});
  }
  s.add({"RESET", "RESET lock_timeout", "", "", ""});
  return s.render(true);
}

}  // namespace fkg
