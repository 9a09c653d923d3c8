// The online key type plan (change_key_type_plan(..., online => true)): new
// columns kept in sync by triggers, a batched backfill, indexes built
// CONCURRENTLY, new keys validated, then a short swap. Every name reaches SQL
// as an sql::Ident (raw names through Ident::quote / Ident::qualified), every
// other text as sql::literal.
#include <set>
#include <stdexcept>

#include "key_plan.hpp"
#include "no_postgres.hpp"

namespace fkg {

using sql::Ident;
using sql::Script;
using sql::Statement;

std::string clip_name(const std::string &name, size_t bytes) {
  if (name.size() <= bytes) return name;
  size_t n = bytes;
  while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80) n--;
  return name.substr(0, n);
}

namespace {

const char *kEq = " OPERATOR(pg_catalog.=) ";
// Every step that takes a lock blocking writes waits at most kLockTimeout for
// it (a request in the queue blocks every writer behind it), and tries again
// kLockTries times in all, 1 s apart.
const int kLockTries = 20;
const char *kLockTimeout = "500ms";

// One column that changes: the key, or a column that references it.
struct Column {
  const KeyReferrer *ref = nullptr;  // null: the key column
  std::string raw;                   // its name
  Ident old_col, new_col;
  std::string new_raw;
  Conversion conversion = Conversion::Assignment;
  bool not_null = false;
  std::string sync_check, not_null_check;  // raw constraint names (empty: none)
  std::string new_index;                   // raw index name (empty: none)
};

// One table with the columns that change in it, the key's table first.
struct Table {
  Ident name;
  std::string schema, raw;
  std::vector<Column> columns;
  std::string trigger, function;  // raw
  Ident function_q;
};

std::string cast_of(const std::string &expr, const std::string &type, Conversion c) {
  return expr + "::" + (c == Conversion::Explicit ? using_cast_type(type) : type);
}

std::string regclass(const Ident &t) { return sql::literal(t.str()) + "::pg_catalog.regclass"; }

std::string constraint_exists(const Ident &table, const std::string &raw) {
  return "SELECT 1 FROM pg_catalog.pg_constraint WHERE conrelid = " + regclass(table) +
         " AND conname = " + sql::literal(raw);
}

std::string do_block(const std::string &body) { return "DO " + sql::dollar_quoted("\n" + body); }

// Runs `body` (statements, each on its own line, indented by 6) waiting at
// most kLockTimeout for each lock, again after 1 s when the wait times out,
// kLockTries tries in all (then the error). In each try the body runs
// whole or not at all.
std::string with_lock_retries(const std::string &declare, const std::string &before, const std::string &body) {
  return do_block("DECLARE\n  tries integer := 0;\n" + declare + "BEGIN\n" + before + "  LOOP\n    BEGIN\n" +
                  "      PERFORM pg_catalog.set_config('lock_timeout', " + sql::literal(kLockTimeout) + ", true);\n" +
                  body + "      EXIT;\n    EXCEPTION WHEN lock_not_available THEN\n      tries := tries + 1;\n" +
                  "      IF tries >= " + std::to_string(kLockTries) + " THEN\n        RAISE;\n      END IF;\n" +
                  "      PERFORM pg_catalog.pg_sleep(1);\n    END;\n  END LOOP;\nEND\n");
}

// Adds a constraint unless it is there (a CHECK takes ACCESS EXCLUSIVE, a
// foreign key SHARE ROW EXCLUSIVE, each for a moment: NOT VALID, no scan).
std::string guarded_add(const Ident &table, const std::string &raw, const std::string &add) {
  return with_lock_retries(
      "", "",
      "      IF NOT EXISTS (" + constraint_exists(table, raw) + ") THEN\n        " + add + ";\n      END IF;\n");
}

std::string action(char c) {
  switch (c) {
    case 'r':
      return "RESTRICT";
    case 'c':
      return "CASCADE";
    case 'n':
      return "SET NULL";
    case 'd':
      return "SET DEFAULT";
    default:
      return "NO ACTION";
  }
}

// A foreign key's definition as pg_get_constraintdef() prints it, on other columns.
std::string fk_definition(const KeyReferrer &r, const Ident &column, const Ident &key_table, const Ident &key_column) {
  std::string d = "FOREIGN KEY (" + column.str() + ") REFERENCES " + key_table.str() + "(" + key_column.str() + ")";
  if (r.match_type == 'f') d += " MATCH FULL";
  if (r.update_action != 'a') d += " ON UPDATE " + action(r.update_action);
  if (r.delete_action != 'a') d += " ON DELETE " + action(r.delete_action);
  if (r.deferrable) d += r.deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE";
  return d;
}

}  // namespace

std::string write_online_key_type_plan(const KeyPlanInput &in) {
  const bool mapped = in.conversion == Conversion::None;
  const Ident &kt = in.table;
  const std::string key = kt.str() + "." + in.column.str();
  const std::string T = in.new_type;

  // The tables and columns, with every new name; no two new names may meet.
  std::vector<Table> tables;
  std::set<std::string> index_names, function_names;
  auto table_of = [&](const Ident &name, const std::string &schema, const std::string &raw) -> Table & {
    for (Table &t : tables)
      if (t.name.str() == name.str()) return t;
    Table t;
    t.name = name;
    t.schema = schema;
    t.raw = raw;
    t.trigger = clip_name(raw, 50) + "_fkg_sync";
    t.function = clip_name(raw, 50) + "_fkg_sync";
    if (!function_names.insert(schema + "." + t.function).second)
      throw std::invalid_argument("two tables' new sync functions would both be named " + t.function);
    t.function_q = Ident::qualified(schema, t.function);
    tables.push_back(t);
    return tables.back();
  };
  auto add_column = [&](Table &t, Column c) {
    c.new_raw = clip_name(c.raw, 55) + "_fkg_new";
    c.old_col = Ident::quote(c.raw);
    c.new_col = Ident::quote(c.new_raw);
    std::string base = clip_name(c.raw, 50);
    if (!(mapped && !c.ref)) c.sync_check = base + "_fkg_sync";
    if (c.not_null) c.not_null_check = base + "_fkg_not_null";
    if (!c.ref || c.ref->index) {
      c.new_index = clip_name(t.raw + "_" + c.raw, 54) + "_fkg_new";
      if (!index_names.insert(t.schema + "." + c.new_index).second)
        throw std::invalid_argument("two new indexes would both be named " + c.new_index);
    }
    for (const Column &o : t.columns)
      if (o.new_raw == c.new_raw)
        throw std::invalid_argument("two new columns of " + t.name.str() + " would both be named " + c.new_raw);
    t.columns.push_back(c);
  };
  {
    Column k;
    k.raw = in.column_name;
    k.conversion = in.conversion;
    k.not_null = true;
    add_column(table_of(kt, in.schema_name, in.table_name), k);
  }
  for (const KeyReferrer &r : in.referrers) {
    if (!r.constraint) throw std::invalid_argument("online: a column implied by its name");
    Column c;
    c.ref = &r;
    c.raw = r.column_name;
    c.conversion = mapped ? Conversion::None : r.conversion;
    c.not_null = r.not_null;
    add_column(table_of(r.table, r.schema_name, r.table_name), c);
  }
  const Column &kc = tables[0].columns[0];
  std::vector<std::string> new_fk_raw;
  for (const KeyReferrer &r : in.referrers) new_fk_raw.push_back(clip_name(r.constraint_name, 55) + "_fkg_new");

  Script s;
  s.header("pg_fk_guard key type plan, online: " + key + " (" + in.old_type + ") -> " + T + ", " +
           (in.rows >= 0 ? "about " + std::to_string(in.rows) + " rows" : std::string("rows unknown")) +
           (in.size.empty() ? "" : ", " + in.size));
  s.header("Referenced by " + std::to_string(in.referrers.size()) +
           (in.referrers.size() == 1 ? " column:" : " columns:"));
  for (const KeyReferrer &r : in.referrers)
    s.header("  " + r.table.str() + "." + r.column.str() + " (" + r.source_type + "), foreign key " +
             r.constraint->str() + ", " +
             (r.rows >= 0 ? "about " + std::to_string(r.rows) + " rows" : std::string("rows unknown")) +
             (r.size.empty() ? "" : ", " + r.size) + (r.not_valid ? ", NOT VALID (it stays so)" : ""));
  s.header(
      "Five phases: (1) a new column beside each old one (no rewrite) and a trigger per table that keeps it in "
      "sync on every INSERT and UPDATE; (2) backfill in batches of " +
      std::to_string(in.online.batch_size) + " rows by ctid range, COMMIT and pg_sleep(" + in.online.batch_pause +
      ") after each; (3) the new indexes, CONCURRENTLY; (4) CHECKs that prove every new column in sync, and the new "
      "foreign keys, each added NOT VALID then validated; (5) the swap, in one short transaction. Phase 2 ends with "
      "VACUUM (ANALYZE) of each table.");
  if (mapped)
    s.header("No cast turns " + in.old_type + " into " + T + ": every key gets a new value (" + in.new_key_expression +
             ") once, and every reference takes the new value of the key it references, row for row.");
  s.header(
      "Phases 2 and 3 must run outside a transaction block (autocommit: psql -f, never psql -1 or "
      "--single-transaction); phases 1, 4 and 5 may run in one or not. Run the whole script with psql -f, or phase "
      "by phase; each phase starts with a \"Phase N of 5\" line.");
  s.header(
      "Every phase is safe to run again: IF NOT EXISTS, CREATE OR REPLACE, guarded DO blocks; the backfill updates "
      "only rows not yet in sync; the swap does nothing once done. If phase 4 finds a row out of sync, run phase 2 "
      "again, then phase 4. If CREATE INDEX CONCURRENTLY fails, it leaves an invalid index: DROP INDEX CONCURRENTLY "
      "it and run phase 3 again (the swap refuses invalid indexes and keys not validated).");
  s.header(
      std::string("Locks that block writes are held only for catalog work (no scan, no rewrite, whatever the tables' "
                  "sizes): ADD COLUMN and adding a CHECK NOT VALID (ACCESS EXCLUSIVE), CREATE TRIGGER and adding a "
                  "foreign key NOT VALID (SHARE ROW EXCLUSIVE), and the swap; every scan runs under locks that let "
                  "writes go on (the backfill's batches, CREATE INDEX CONCURRENTLY, VALIDATE CONSTRAINT). Each of "
                  "those steps waits at most ") +
      kLockTimeout + " for its lock (a waiting request holds up the writers behind it), up to " +
      std::to_string(kLockTries) + " tries, 1 s apart.");
  s.header(std::string("The swap locks ") + std::to_string(tables.size()) +
           (tables.size() == 1 ? " table" : " tables") +
           " ACCESS EXCLUSIVE in one transaction; it drops the old foreign keys and columns, renames the new ones to "
           "the old names, makes "
           "the new "
           "unique index the primary key " +
           Ident::quote(in.primary_key_name).str() +
           " and sets NOT NULL where it was (the validated CHECKs spare "
           "both a scan).");
  std::string moved =
      "Changed: the converted columns move to the end of their tables; a column comment, column "
      "privileges and statistics target of an old column are not carried over.";
  s.header(moved);
  if (in.owned_sequence && !mapped)
    s.header("Kept: the sequence " + in.owned_sequence->str() + " (it becomes " + T + " and is owned by the new " +
             key + ").");
  if (in.identity_kind && !mapped)
    s.header("Kept: the identity of " + key +
             ": the new column becomes an identity column that goes on from the old one's last value (its sequence "
             "is created again with default options).");
  if (mapped && !in.current_default.empty())
    s.header("Dropped: the DEFAULT of " + key + " (" + in.current_default + ")" +
             (in.owned_sequence ? " and its sequence, with the old column" : std::string()) +
             (in.new_default ? "; the new key's DEFAULT is " + in.new_key_expression : std::string()) + ".");
  if (mapped && in.identity_kind)
    s.header("Dropped: the identity of " + key + " (its sequence goes with it)" +
             (in.new_default ? "; the new key's DEFAULT is " + in.new_key_expression : std::string()) + ".");
  if (mapped && in.new_default && in.current_default.empty() && !in.identity_kind)
    s.header("Added: DEFAULT " + in.new_key_expression + " on the new " + key + ", for the keys of new rows.");
  for (const std::string &n : in.notes) s.header(n);

  const std::string p1 = "Phase 1 of 5: new columns and the triggers that keep them in sync (safe to re-run).";
  const std::string p2 =
      "Phase 2 of 5: backfill in batches (outside a transaction block; safe to re-run, it updates only rows not "
      "yet in sync).";
  const std::string p3 = "Phase 3 of 5: indexes, CONCURRENTLY (outside a transaction block; safe to re-run).";
  const std::string p4 =
      "Phase 4 of 5: CHECKs and new foreign keys, added NOT VALID then validated (safe to re-run; guarded).";
  const std::string p5 = "Phase 5 of 5: the swap, in one short transaction (safe to re-run; does nothing once done).";

  // Phase 1.
  for (const Table &t : tables) {
    std::string sql = "ALTER TABLE " + t.name.str();
    std::string cols;
    for (size_t i = 0; i < t.columns.size(); i++) {
      sql += (i ? ", " : " ") + std::string("ADD COLUMN IF NOT EXISTS ") + t.columns[i].new_col.str() + " " + T;
      cols += (i ? ", " : "") + t.columns[i].new_col.str();
    }
    s.add({"DO", with_lock_retries("", "", "      " + sql + ";\n"),
           "add " + cols + " to " + t.name.str() + ": NULL, no default, so no rewrite.",
           "ACCESS EXCLUSIVE on " + t.name.str() + " (a moment)", "", p1});
  }
  for (const Table &t : tables) {
    std::string body = "BEGIN\n";
    for (const Column &c : t.columns) {
      const std::string n = "NEW." + c.new_col.str(), o = "NEW." + c.old_col.str();
      if (!c.ref) {
        if (mapped)
          body += "  IF " + n + " IS NULL THEN\n    " + n + " := (SELECT (" + in.new_key_expression +
                  ") FROM (SELECT (NEW).*) r);\n  END IF;\n";
        else
          body += "  " + n + " := " + cast_of(o, T, c.conversion) + ";\n";
      } else if (!mapped) {
        body += "  " + n + " := " + cast_of(o, T, c.conversion) + ";\n";
      } else {
        std::string lookup =
            "(SELECT k." + kc.new_col.str() + " FROM " + kt.str() + " k WHERE k." + kc.old_col.str() + kEq + o + ")";
        if (c.ref->same_table)
          body += "  IF " + o + " IS NOT DISTINCT FROM NEW." + kc.old_col.str() + " THEN\n    " + n + " := NEW." +
                  kc.new_col.str() + ";\n  ELSE\n    " + n + " := " + lookup + ";\n  END IF;\n";
        else
          body += "  " + n + " := " + lookup + ";\n";
      }
    }
    body += "  RETURN NEW;\nEND\n";
    s.add({"CREATE FUNCTION",
           "CREATE OR REPLACE FUNCTION " + t.function_q.str() + "() RETURNS trigger LANGUAGE plpgsql AS " +
               sql::dollar_quoted("\n" + body),
           "the trigger function that keeps the new columns of " + t.name.str() + " in sync.", "", "", p1});
    s.add({"DO",
           with_lock_retries("", "",
                             "      CREATE OR REPLACE TRIGGER " + Ident::quote(t.trigger).str() +
                                 " BEFORE INSERT OR UPDATE ON " + t.name.str() + " FOR EACH ROW EXECUTE FUNCTION " +
                                 t.function_q.str() + "();\n"),
           "from now on every INSERT and UPDATE of " + t.name.str() + " fills its new columns.",
           "SHARE ROW EXCLUSIVE on " + t.name.str() + " (a moment)", "", p1});
  }

  // Phase 2: the key first (references look up its new values), then each referencing column.
  for (const Table &t : tables)
    for (const Column &c : t.columns) {
      const std::string nc = c.new_col.str(), oc = c.old_col.str();
      std::string update;
      const std::string a = !c.ref && mapped ? "r" : "t";  // new_key_expression is over alias r
      const std::string range = a + ".ctid >= pg_catalog.format('(%s,0)', first_page)::pg_catalog.tid AND " + a +
                                ".ctid < pg_catalog.format('(%s,0)', first_page + pages_per_batch)::pg_catalog.tid";
      if (!c.ref && mapped)
        update = "UPDATE " + t.name.str() + " r SET " + nc + " = (" + in.new_key_expression + ") WHERE " + range +
                 " AND r." + nc + " IS NULL";
      else if (!mapped) {
        std::string expected = cast_of("t." + oc, T, c.conversion);
        update = "UPDATE " + t.name.str() + " t SET " + nc + " = " + expected + " WHERE " + range + " AND t." + nc +
                 " IS DISTINCT FROM " + expected;
      } else
        update = "UPDATE " + t.name.str() + " t SET " + nc + " = k." + kc.new_col.str() + " FROM " + kt.str() +
                 " k WHERE " + range + " AND k." + kc.old_col.str() + kEq + "t." + oc + " AND t." + nc +
                 " IS DISTINCT FROM k." + kc.new_col.str();
      std::string body =
          "DECLARE\n  first_page bigint := 0;\n  last_page bigint;\n  pages_per_batch bigint;\nBEGIN\n"
          "  SELECT pg_catalog.pg_relation_size(c.oid) / pg_catalog.current_setting('block_size')::bigint,\n"
          "         GREATEST(1, (" +
          std::to_string(in.online.batch_size) +
          " / CASE WHEN c.reltuples > 0 AND c.relpages > 0 THEN c.reltuples / c.relpages ELSE 100 END)::bigint)\n"
          "    INTO last_page, pages_per_batch FROM pg_catalog.pg_class c WHERE c.oid = " +
          regclass(t.name) + ";\n  WHILE first_page <= last_page LOOP\n    " + update +
          ";\n    COMMIT;\n    PERFORM pg_catalog.pg_sleep(" + sql::literal(in.online.batch_pause) +
          "::pg_catalog.float8);\n    first_page := first_page + pages_per_batch;\n  END LOOP;\nEND\n";
      s.add({"DO", do_block(body),
             "backfill " + t.name.str() + "." + nc + " from " + oc + ", about " + std::to_string(in.online.batch_size) +
                 " rows per transaction.",
             "ROW EXCLUSIVE on " + t.name.str() + (c.ref && mapped ? ", ACCESS SHARE on " + kt.str() : ""), "", p2});
    }

  // Each table vacuumed once its backfill is done: autovacuum would start on
  // it, and a later lock request that blocks writers would wait for it to be
  // cancelled (deadlock_timeout) while every writer queues behind.
  for (const Table &t : tables)
    s.add({"VACUUM", "VACUUM (ANALYZE) " + t.name.str(),
           "free the old row versions the backfill left in " + t.name.str() +
               " and gather statistics for its new columns, so that autovacuum has no reason to start on it while "
               "the later phases wait for their locks.",
           "SHARE UPDATE EXCLUSIVE on " + t.name.str(), "", p2});

  // Phase 3.
  for (const Table &t : tables)
    for (const Column &c : t.columns) {
      if (c.new_index.empty()) continue;
      bool unique = !c.ref;
      s.add({"CREATE INDEX",
             std::string("CREATE ") + (unique ? "UNIQUE " : "") + "INDEX CONCURRENTLY IF NOT EXISTS " +
                 Ident::quote(c.new_index).str() + " ON " + t.name.str() + " USING " +
                 (unique ? std::string("btree") : Ident::quote(c.ref->index_method).str()) + " (" + c.new_col.str() +
                 ")",
             unique ? "the unique index that becomes the primary key at the swap (the new foreign keys use it)."
                    : "the index that replaces " + c.ref->index->str() + ".",
             "SHARE UPDATE EXCLUSIVE on " + t.name.str(), "", p3});
    }

  // Phase 4.
  std::vector<std::pair<const Ident *, std::string>> to_be_valid;  // checked by the swap
  for (const Table &t : tables)
    for (const Column &c : t.columns) {
      const std::string nc = c.new_col.str(), oc = c.old_col.str();
      std::vector<std::pair<std::string, std::string>> checks;
      if (!c.sync_check.empty())
        checks.push_back({c.sync_check, mapped ? "(" + oc + " IS NULL) = (" + nc + " IS NULL)"
                                               : nc + " IS NOT DISTINCT FROM " + cast_of(oc, T, c.conversion)});
      if (!c.not_null_check.empty()) checks.push_back({c.not_null_check, nc + " IS NOT NULL"});
      for (const auto &ch : checks) {
        Ident n = Ident::quote(ch.first);
        s.add({"DO",
               guarded_add(t.name, ch.first,
                           "ALTER TABLE " + t.name.str() + " ADD CONSTRAINT " + n.str() + " CHECK (" + ch.second +
                               ") NOT VALID"),
               "add CHECK " + n.str() + " (" + ch.second + ") NOT VALID, unless it is there.",
               "ACCESS EXCLUSIVE on " + t.name.str() + " (a moment)", "", p4});
        s.add({"ALTER TABLE", "ALTER TABLE " + t.name.str() + " VALIDATE CONSTRAINT " + n.str(),
               "validate " + n.str() + " without blocking writes" +
                   (ch.first == c.sync_check ? std::string(" (a row out of sync: run phase 2 again).") : "."),
               "SHARE UPDATE EXCLUSIVE on " + t.name.str(), "", p4});
        to_be_valid.push_back({&t.name, ch.first});
      }
    }
  for (size_t i = 0; i < in.referrers.size(); i++) {
    const KeyReferrer &r = in.referrers[i];
    const Table *t = nullptr;
    const Column *c = nullptr;
    for (const Table &x : tables)
      for (const Column &y : x.columns)
        if (y.ref == &r) t = &x, c = &y;
    Ident n = Ident::quote(new_fk_raw[i]);
    std::string def = fk_definition(r, c->new_col, kt, kc.new_col);
    s.add({"DO",
           guarded_add(t->name, new_fk_raw[i],
                       "ALTER TABLE " + t->name.str() + " ADD CONSTRAINT " + n.str() + " " + def + " NOT VALID"),
           "add the new foreign key " + n.str() + " NOT VALID, unless it is there.",
           "SHARE ROW EXCLUSIVE on " + t->name.str() + (r.same_table ? "" : " and " + kt.str()) + " (a moment)", "",
           p4});
    if (r.not_valid) continue;
    s.add({"ALTER TABLE", "ALTER TABLE " + t->name.str() + " VALIDATE CONSTRAINT " + n.str(),
           "validate " + n.str() + " without blocking writes.",
           "SHARE UPDATE EXCLUSIVE on " + t->name.str() + (r.same_table ? "" : ", ROW SHARE on " + kt.str()), "", p4});
    to_be_valid.push_back({&t->name, new_fk_raw[i]});
  }

  // Phase 5: the swap.
  std::string lock_list, indexes, constraints;
  for (const Table &t : tables) {
    lock_list += (lock_list.empty() ? "" : ", ") + t.name.str();
    for (const Column &c : t.columns)
      if (!c.new_index.empty())
        indexes += std::string(indexes.empty() ? "" : ", ") + "(" +
                   sql::literal(Ident::qualified(t.schema, c.new_index).str()) + ")";
  }
  for (const auto &v : to_be_valid)
    constraints +=
        std::string(constraints.empty() ? "" : ", ") + "(" + regclass(*v.first) + ", " + sql::literal(v.second) + ")";
  std::string pre, b;
  pre += "  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = " + regclass(kt) +
         " AND attname = " + sql::literal(kc.new_raw) + " AND NOT attisdropped) THEN\n";
  pre +=
      "    RAISE NOTICE USING MESSAGE = " + sql::literal("pg_fk_guard key type plan: " + key + " is swapped already") +
      ";\n    RETURN;\n  END IF;\n";
  pre +=
      "  IF EXISTS (SELECT 1 FROM (VALUES " + indexes +
      ") v(name) LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = pg_catalog.to_regclass(v.name) WHERE i.indisvalid "
      "IS NOT TRUE)\n";
  if (!constraints.empty())
    pre += "     OR EXISTS (SELECT 1 FROM (VALUES " + constraints +
           ") v(rel, name) LEFT JOIN pg_catalog.pg_constraint c ON c.conrelid = v.rel AND c.conname "
           "OPERATOR(pg_catalog.=) v.name WHERE c.convalidated IS NOT TRUE) THEN\n";
  else
    pre += "  THEN\n";
  pre += "    RAISE EXCEPTION USING ERRCODE = 'object_not_in_prerequisite_state', MESSAGE = " +
         sql::literal("pg_fk_guard key type plan: phases 3 and 4 are not done for " + key) + ",\n      HINT = " +
         sql::literal(
             "Run phases 3 and 4 (again) first: an index is missing or invalid, or a CHECK or foreign key "
             "is not validated.") +
         ";\n  END IF;\n";
  b += "      LOCK TABLE " + lock_list + " IN ACCESS EXCLUSIVE MODE;\n";
  for (const Table &t : tables)
    b += "      DROP TRIGGER IF EXISTS " + Ident::quote(t.trigger).str() + " ON " + t.name.str() + ";\n";
  for (const KeyReferrer &r : in.referrers)
    b += "      ALTER TABLE " + r.table.str() + " DROP CONSTRAINT " + r.constraint->str() + ";\n";
  for (const Table &t : tables)
    for (const Column &c : t.columns) {
      const std::string &tn = t.name.str();
      bool is_key = !c.ref;
      if (is_key && !mapped && in.owned_sequence)
        b += "      ALTER SEQUENCE " + in.owned_sequence->str() + " OWNED BY NONE;\n";
      if (is_key && !mapped && in.identity_kind)
        b += "      last_key := pg_catalog.pg_sequence_last_value(pg_catalog.pg_get_serial_sequence(" +
             sql::literal(tn) + ", " + sql::literal(c.raw) + ")::pg_catalog.regclass);\n";
      b += "      ALTER TABLE " + tn + " DROP COLUMN " + c.old_col.str() + ";\n";
      b += "      ALTER TABLE " + tn + " RENAME COLUMN " + c.new_col.str() + " TO " + c.old_col.str() + ";\n";
      if (c.not_null)
        b += "      ALTER TABLE " + tn + " ALTER COLUMN " + c.old_col.str() + " SET NOT NULL;\n      ALTER TABLE " +
             tn + " DROP CONSTRAINT " + Ident::quote(c.not_null_check).str() + ";\n";
      if (is_key) {
        b += "      ALTER TABLE " + tn + " ADD CONSTRAINT " + Ident::quote(in.primary_key_name).str() +
             " PRIMARY KEY USING INDEX " + Ident::quote(c.new_index).str() + ";\n";
        if (!mapped && in.owned_sequence) {
          b += "      ALTER TABLE " + tn + " ALTER COLUMN " + c.old_col.str() + " SET DEFAULT pg_catalog.nextval(" +
               sql::literal(in.owned_sequence->str()) + "::pg_catalog.regclass);\n";
          b += "      ALTER SEQUENCE " + in.owned_sequence->str() + " AS " + T + " OWNED BY " + tn + "." +
               c.old_col.str() + ";\n";
        }
        if (!mapped && in.identity_kind) {
          b += "      ALTER TABLE " + tn + " ALTER COLUMN " + c.old_col.str() + " ADD GENERATED " +
               (in.identity_kind == 'a' ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY;\n";
          b += "      IF last_key IS NOT NULL THEN\n        PERFORM "
               "pg_catalog.setval(pg_catalog.pg_get_serial_sequence(" +
               sql::literal(tn) + ", " + sql::literal(c.raw) + "), last_key);\n      END IF;\n";
        }
        if (mapped && in.new_default)
          b += "      ALTER TABLE " + tn + " ALTER COLUMN " + c.old_col.str() + " SET DEFAULT (" +
               in.new_key_expression + ");\n";
      } else {
        if (c.ref->index)
          b += "      ALTER INDEX " + Ident::qualified(t.schema, c.new_index).str() + " RENAME TO " +
               Ident::quote(c.ref->index_name).str() + ";\n";
      }
    }
  for (size_t i = 0; i < in.referrers.size(); i++)
    b += "      ALTER TABLE " + in.referrers[i].table.str() + " RENAME CONSTRAINT " +
         Ident::quote(new_fk_raw[i]).str() + " TO " + in.referrers[i].constraint->str() + ";\n";
  for (const Table &t : tables) b += "      DROP FUNCTION " + t.function_q.str() + "();\n";
  s.add({"DO", with_lock_retries("  last_key bigint;\n", pre, b),
         "the swap: old keys and columns out, new ones in under the old names; catalog work only (no scan, no "
         "rewrite); retried on lock_timeout (" +
             std::string(kLockTimeout) + ", " + std::to_string(kLockTries) + " tries).",
         "ACCESS EXCLUSIVE on " + lock_list, "", p5});
  s.add({"ANALYZE", "ANALYZE " + lock_list, "fresh statistics for the new columns.", "", "", p5});
  return s.render(true);
}

}  // namespace fkg
