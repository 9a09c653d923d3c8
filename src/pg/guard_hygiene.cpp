#include "guard_hygiene.hpp"

#include "catalog_scan.hpp"
#include "compat.hpp"
#include "guard_data.hpp"
#include "ignore_list.hpp"
#include "settings.hpp"
#include "../core/fix_writer.hpp"
#include "../core/hygiene.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace fkg {

namespace {

// What a foreign key does besides pairing columns: the parts that may differ
// between two keys on the same columns.
struct KeyFacts {
  char on_update = FKCONSTR_ACTION_NOACTION, on_delete = FKCONSTR_ACTION_NOACTION;
  char match = FKCONSTR_MATCH_SIMPLE;
  bool deferrable = false, deferred = false;
};

using ColumnPairs = std::vector<std::pair<std::string, std::string>>;  // (referencing, referenced) as stored

// A foreign key the statement adds.
struct NewKey {
  int constraint_no = 0;
  std::string name;         // as PostgreSQL will store it
  std::string quoted_name;  // as quote_identifier writes it
  bool named = false;       // the statement gives the name
  std::string table;        // the referencing table as messages name it (regclass, or as the statement writes it)
  Oid rel = InvalidOid;     // InvalidOid: the statement creates it
  std::string referenced_table;
  Oid referenced_rel = InvalidOid;
  std::vector<std::string> columns, referenced_columns;  // quoted, in the statement's order
  ColumnPairs pairs;                                     // sorted: the same set in the same pairing compares equal
  KeyFacts facts;
  std::vector<std::string> on_delete_columns;  // quoted
  bool enforced = true, validates = false;
  bool new_column = false;  // ADD COLUMN ... REFERENCES
};

// A foreign key the table has.
struct RawKey {
  const char *name;    // as stored
  const char *quoted;  // quote_identifier
  Oid referenced_rel;
  int n;
  const char **columns, **referenced_columns;  // as stored
  char on_update, on_delete, match;
  bool deferrable, deferred, validated, enforced;
};

struct RawKeys {
  RawKey *items;
  int count, cap;
  List *dropped;  // String: constraints the statement drops
};

struct RawNames {
  const char **items;
  int count;
};

bool visit_existing(HeapTuple tup, TupleDesc desc, void *arg) {
  RawKeys *out = (RawKeys *)arg;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  // A partition's clone of its parent's key, and temporal keys (their last
  // column compares by overlap) are left out.
  if (OidIsValid(con->conparentid) || compat::constraint_uses_period(con)) return true;
  ListCell *lc;
  foreach (lc, out->dropped) {
    if (strcmp(strVal(lfirst(lc)), NameStr(con->conname)) == 0) return true;  // dropped by the statement
  }
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  if (n == 0) return true;
  if (out->count == out->cap) {
    out->cap = out->cap ? out->cap * 2 : 8;
    out->items = out->items ? (RawKey *)repalloc(out->items, sizeof(RawKey) * out->cap)
                            : (RawKey *)palloc(sizeof(RawKey) * out->cap);
  }
  RawKey *k = &out->items[out->count++];
  k->name = pstrdup(NameStr(con->conname));
  k->quoted = quote_identifier(k->name);
  k->referenced_rel = con->confrelid;
  k->n = n;
  k->columns = (const char **)palloc(sizeof(char *) * n);
  k->referenced_columns = (const char **)palloc(sizeof(char *) * n);
  for (int i = 0; i < n; i++) {
    k->columns[i] = get_attname(con->conrelid, fk[i], false);
    k->referenced_columns[i] = get_attname(con->confrelid, pk[i], false);
  }
  k->on_update = con->confupdtype;
  k->on_delete = con->confdeltype;
  k->match = con->confmatchtype;
  k->deferrable = con->condeferrable;
  k->deferred = con->condeferred;
  k->validated = con->convalidated;
  k->enforced = compat::constraint_enforced(con);
  return true;
}

// An enforced foreign key has its check triggers on its table, so an
// ordinary table that never had a trigger (pg_class.relhastriggers) has no
// key a new one can duplicate (a NOT ENFORCED one duplicates nothing).
bool never_had_triggers(Oid rel) {
  HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
  if (!HeapTupleIsValid(tup)) return false;
  Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
  bool never = c->relkind == RELKIND_RELATION && !c->relhastriggers;
  ReleaseSysCache(tup);
  return never;
}

RawKeys *existing_keys(Oid rel, List *dropped) {
  RawKeys *out = (RawKeys *)palloc0(sizeof(RawKeys));
  out->dropped = dropped;
  if (never_had_triggers(rel)) return out;  // no scan of pg_constraint
  for_each_foreign_key(FkScope::OnTable, rel, visit_existing, out);
  return out;
}

RawNames quoted_names(List *names) {
  RawNames out{NULL, list_length(names)};
  out.items = (const char **)palloc(sizeof(char *) * (out.count + 1));
  for (int i = 0; i < out.count; i++) out.items[i] = quote_identifier(strVal(list_nth(names, i)));
  return out;
}

// The constraints the statement adds, one NewKey each (rebuilt ones are not added).
std::vector<NewKey> new_keys(const ProposedPairs *proposed) {
  std::vector<NewKey> keys;
  for (int i = 0; i < proposed->count; i++) {
    const ProposedPair &p = proposed->items[i];
    if (p.rebuilt || p.definition == NULL || p.referenced_attname == NULL || p.referencing_attname == NULL) continue;
    if (keys.empty() || keys.back().constraint_no != p.constraint_no) {
      NewKey k;
      const Constraint *con = p.definition;
      const char *name = p.constraint;
      k.constraint_no = p.constraint_no;
      k.name = name;
      k.quoted_name = pg_guard([name]() { return quote_identifier(name); });
      k.named = con->conname != NULL;
      k.table = p.referencing_table;
      k.rel = p.referencing_rel;
      k.referenced_table = p.referenced_table;
      k.referenced_rel = p.referenced_rel;
      k.facts.on_update = con->fk_upd_action;
      k.facts.on_delete = con->fk_del_action;
      k.facts.match = con->fk_matchtype;
      k.facts.deferrable = con->deferrable;
      k.facts.deferred = con->initdeferred;
      List *set_columns = compat::fk_delete_set_columns(con);
      RawNames cols = pg_guard([set_columns]() { return quoted_names(set_columns); });
      for (int c = 0; c < cols.count; c++) k.on_delete_columns.push_back(cols.items[c]);
      k.enforced = compat::fk_enforced(con);
      k.validates = p.validates;
      keys.push_back(std::move(k));
    }
    NewKey &k = keys.back();
    k.columns.push_back(p.referencing_column);
    k.referenced_columns.push_back(p.referenced_column);
    k.pairs.emplace_back(p.referencing_attname, p.referenced_attname);
    k.new_column = k.new_column || p.declared_here;
  }
  for (NewKey &k : keys) std::sort(k.pairs.begin(), k.pairs.end());
  return keys;
}

// ---- Duplicates ----

const char *action_name(char a) {
  switch (a) {
    case FKCONSTR_ACTION_RESTRICT:
      return "RESTRICT";
    case FKCONSTR_ACTION_CASCADE:
      return "CASCADE";
    case FKCONSTR_ACTION_SETNULL:
      return "SET NULL";
    case FKCONSTR_ACTION_SETDEFAULT:
      return "SET DEFAULT";
    default:
      return "NO ACTION";
  }
}

// As the writer takes it: "" for NO ACTION.
std::string action_sql(char a) { return a == FKCONSTR_ACTION_NOACTION ? "" : action_name(a); }

const char *deferrability(const KeyFacts &f) {
  return !f.deferrable ? "NOT DEFERRABLE" : f.deferred ? "DEFERRABLE INITIALLY DEFERRED" : "DEFERRABLE";
}

const char *match_name(char m) { return m == FKCONSTR_MATCH_FULL ? "MATCH FULL" : "MATCH SIMPLE"; }

// " They differ in ON DELETE (CASCADE in "a", NO ACTION in "b") and ...: both apply."
std::string differences(const KeyFacts &a, const std::string &a_name, const KeyFacts &b, const std::string &b_name) {
  std::vector<std::string> parts;
  auto part = [&](const std::string &what, const std::string &x, const std::string &y) {
    if (x != y) parts.push_back(what + " (" + x + " in \"" + a_name + "\", " + y + " in \"" + b_name + "\")");
  };
  part("MATCH", match_name(a.match), match_name(b.match));
  part("ON UPDATE", action_name(a.on_update), action_name(b.on_update));
  part("ON DELETE", action_name(a.on_delete), action_name(b.on_delete));
  part("deferrability", deferrability(a), deferrability(b));
  if (parts.empty()) return " Their definitions are the same.";
  std::string s = " They differ in ";
  for (size_t i = 0; i < parts.size(); i++) s += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  return s + ": both apply, in the order their triggers fire.";
}

std::string column_list(const std::vector<std::string> &columns) {
  std::string s = "(";
  for (size_t i = 0; i < columns.size(); i++) s += (i ? ", " : "") + columns[i];
  return s + ")";
}

// For a migration that sent the key without a name: what running it again does.
std::string rerun_note(const NewKey &k) {
  if (k.named) return "";
  return " A migration that runs twice (again after a failure or a repair) adds a foreign key without a name once "
         "more under a new name: name the key, so that a second run fails instead, or have the migration check "
         "that the key exists.";
}

std::string duplicate_detail(const NewKey &k) {
  return "Both make " + k.table + " " + column_list(k.columns) + " reference " + k.referenced_table + " " +
         column_list(k.referenced_columns) + ": every insert or key update on " + k.table +
         " and every delete or key update on " + k.referenced_table + " would check the key twice.";
}

Report duplicate_report(const NewKey &k) {
  Report r;
  r.elevel = duplicate_policy == DUPLICATE_ERROR ? ERROR : WARNING;
  r.sqlstate = r.elevel == ERROR ? ERRCODE_DUPLICATE_OBJECT : ERRCODE_WARNING;
  r.detail = duplicate_detail(k);
  return r;
}

// The key duplicates one the table has.
void report_existing(const NewKey &k, const RawKey &old) {
  Report r = duplicate_report(k);
  KeyFacts of;
  of.on_update = old.on_update;
  of.on_delete = old.on_delete;
  of.match = old.match;
  of.deferrable = old.deferrable;
  of.deferred = old.deferred;
  r.message = "foreign key constraint \"" + k.name + "\" on " + k.table + " duplicates \"" + old.name + "\"";
  std::string diff = differences(k.facts, k.name, of, old.name);
  r.detail += diff;
  bool same = diff == " Their definitions are the same.";
  std::string drop_old = drop_constraint_sql(k.table, old.quoted);
  if (r.elevel == ERROR) {
    r.hint = std::string("Leave it out: \"") + old.name + "\" already checks this key. To replace \"" + old.name +
             "\", drop it in the same statement or before: " + drop_old +
             ". Or set pg_fk_guard.duplicate_keys = warn to add it anyway.";
  } else if (same) {
    r.hint = "Once this statement has run, drop one of them: " + drop_constraint_sql(k.table, k.quoted_name) +
             " drops the one it adds.";
  } else {
    r.hint = "Once this statement has run, keep the one whose definition you want: " + drop_old +
             " drops the existing one, " + drop_constraint_sql(k.table, k.quoted_name) + " the one it adds.";
  }
  if (!old.validated)
    r.hint += std::string(" \"") + old.name + "\" is NOT VALID: " + validate_constraint_sql(k.table, old.quoted) +
              " checks its rows without a second key.";
  r.hint += rerun_note(k);
  raise(r);
}

// The key duplicates one the same statement adds before it.
void report_same_statement(const NewKey &k, const NewKey &first) {
  Report r = duplicate_report(k);
  r.message = "foreign key constraint \"" + k.name + "\" on " + k.table + " duplicates \"" + first.name +
              "\", which the same statement adds";
  r.detail += differences(k.facts, k.name, first.facts, first.name);
  if (r.elevel == ERROR)
    r.hint = "Declare the foreign key once. Or set pg_fk_guard.duplicate_keys = warn to add both.";
  else
    r.hint = "Declare the foreign key once; once this statement has run, " +
             drop_constraint_sql(k.table, k.quoted_name) + " drops the second.";
  raise(r);
}

bool same_key(const NewKey &k, const RawKey &old) {
  if (old.referenced_rel != k.referenced_rel) return false;
  ColumnPairs pairs;
  for (int i = 0; i < old.n; i++) pairs.emplace_back(old.columns[i], old.referenced_columns[i]);
  return same_key_work(k.enforced, k.pairs, old.enforced, pairs);
}

// Is the new key's duplicate silenced by fk_guard.ignored (check
// 'duplicate', as check_foreign_keys() reports it: on the later key)?
bool ignored(std::optional<IgnoreList> &ignore, const NewKey &k) {
  if (!ignore) ignore = IgnoreList::load();
  std::vector<std::string> columns;
  for (const auto &pair : k.pairs) columns.push_back(pair.first);
  return ignore->covers("duplicate", k.rel, columns, k.name);
}

// NOT ENFORCED keys (PostgreSQL 18) check nothing: no duplicate work.
// dry: report nothing, return whether there is a duplicate (fk_guard.ignored
// is not read: the full look decides whether it silences it).
bool report_duplicates(const ProposedPairs *proposed, const std::vector<NewKey> &keys, bool dry) {
  if (duplicate_policy == DUPLICATE_IGNORE) return false;
  RawKeys *existing = nullptr;
  std::optional<IgnoreList> ignore;  // read only when there is a duplicate to report
  for (size_t i = 0; i < keys.size(); i++) {
    const NewKey &k = keys[i];
    if (!k.enforced) continue;
    bool reported = false;
    for (size_t j = 0; j < i && !reported; j++) {
      const NewKey &first = keys[j];
      if (first.referenced_table == k.referenced_table && first.referenced_rel == k.referenced_rel &&
          same_key_work(first.enforced, first.pairs, k.enforced, k.pairs)) {
        if (dry) return true;
        if (!ignored(ignore, k)) report_same_statement(k, first);
        reported = true;
      }
    }
    if (reported || !OidIsValid(k.rel) || !OidIsValid(k.referenced_rel)) continue;
    if (existing == nullptr) {
      Oid rel = k.rel;
      List *dropped = proposed->dropped;
      existing = pg_guard([rel, dropped]() { return existing_keys(rel, dropped); });
    }
    for (int e = 0; e < existing->count; e++) {
      const RawKey &old = existing->items[e];
      if (same_key(k, old)) {
        if (dry) return true;
        if (!ignored(ignore, k)) report_existing(k, old);
        break;
      }
    }
  }
  return false;
}

// ---- The validating scan ----

struct RawSize {
  double rows;         // estimated
  const char *pretty;  // pg_size_pretty(pg_total_relation_size()), summed over partitions
  bool partitioned;
};

// Estimated rows: pg_class.reltuples; for a table never vacuumed or analyzed
// (-1), from its pages, 100 rows a page as the guard's other estimates.
double rows_of(Oid rel) {
  HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
  if (!HeapTupleIsValid(tup)) return 0;
  Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
  double rows = 0;
  if (RELKIND_HAS_STORAGE(c->relkind)) rows = c->reltuples >= 0 ? c->reltuples : (double)c->relpages * 100;
  ReleaseSysCache(tup);
  return rows;
}

// The table, or every partition of a partitioned one (locked when `lock` is
// given, as ATAddForeignKeyConstraint will lock them).
List *tables_scanned(Oid rel, bool partitioned, LOCKMODE lock) {
  return partitioned ? find_all_inheritors(rel, lock, NULL) : list_make1_oid(rel);
}

double estimated_rows(Oid rel, bool partitioned) {
  double rows = 0;
  ListCell *lc;
  foreach (lc, tables_scanned(rel, partitioned, NoLock)) rows += rows_of(lfirst_oid(lc));
  return rows;
}

// The size, read only when the NOTICE is given.
const char *total_size(Oid rel, bool partitioned) {
  int64 bytes = 0;
  ListCell *lc;
  // The altered table is locked already; partitions get the lock PostgreSQL takes next.
  foreach (lc, tables_scanned(rel, partitioned, ShareRowExclusiveLock)) {
    Oid part = lfirst_oid(lc);
    if (!RELKIND_HAS_STORAGE(get_rel_relkind(part))) continue;
    bytes += DatumGetInt64(DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(part)));
  }
  return TextDatumGetCString(DirectFunctionCall1(pg_size_pretty, Int64GetDatum(bytes)));
}

RawSize size_of(Oid rel, double threshold) {
  RawSize s{0, NULL, get_rel_relkind(rel) == RELKIND_PARTITIONED_TABLE};
  s.rows = estimated_rows(rel, s.partitioned);
  if (s.rows > threshold) s.pretty = total_size(rel, s.partitioned);
  return s;
}

const char *lock_name(LOCKMODE mode) {
  switch (mode) {
    case AccessShareLock:
      return "ACCESS SHARE";
    case RowShareLock:
      return "ROW SHARE";
    case RowExclusiveLock:
      return "ROW EXCLUSIVE";
    case ShareUpdateExclusiveLock:
      return "SHARE UPDATE EXCLUSIVE";
    case ShareLock:
      return "SHARE";
    case ShareRowExclusiveLock:
      return "SHARE ROW EXCLUSIVE";
    case ExclusiveLock:
      return "EXCLUSIVE";
    default:
      return "ACCESS EXCLUSIVE";
  }
}

void report_validation(const ProposedPairs *proposed, const NewKey &k, const RawSize &size) {
  LOCKMODE own = std::max<LOCKMODE>(proposed->target_lockmode, ShareRowExclusiveLock);
  bool self = k.referenced_rel == k.rel;
  std::string locks =
      self ? std::string(lock_name(own)) + " on " + k.table
      : own == ShareRowExclusiveLock
          ? "SHARE ROW EXCLUSIVE on " + k.table + " and " + k.referenced_table
          : std::string(lock_name(own)) + " on " + k.table + " and SHARE ROW EXCLUSIVE on " + k.referenced_table;
  std::string rows = "about " + std::to_string((long long)size.rows) + " rows" +
                     (size.partitioned ? " in its partitions" : "") + ", " + size.pretty;
  Report r;
  r.elevel = NOTICE;
  r.sqlstate = ERRCODE_SUCCESSFUL_COMPLETION;
  r.message = "adding foreign key constraint \"" + k.name + "\" scans " + k.table + " (" + rows + ") holding " + locks +
              " until the transaction ends";
  r.detail = "Without NOT VALID, PostgreSQL checks every row of " + k.table + " against " + k.referenced_table +
             " within this statement; until the transaction ends, " +
             (own == AccessExclusiveLock ? "every read and write of " + k.table +
                                               (self ? std::string() : " and every write to " + k.referenced_table)
                                         : std::string("every write to ") + (self ? k.table : "both tables")) +
             " waits.";
  if (size.partitioned && compat::no_not_valid_foreign_keys_on_partitioned_tables) {
    r.hint = "PostgreSQL 17 and older refuse NOT VALID foreign keys on partitioned tables, so " + k.table +
             " cannot take the two-step form (ADD ... NOT VALID, then VALIDATE CONSTRAINT): run the statement when "
             "writes can wait for the scan.";
  } else {
    ForeignKeySql fk;
    fk.table = k.table;
    fk.constraint = k.quoted_name;
    fk.columns = k.columns;
    fk.referenced_table = k.referenced_table;
    fk.referenced_columns = k.referenced_columns;
    fk.match_full = k.facts.match == FKCONSTR_MATCH_FULL;
    fk.on_update = action_sql(k.facts.on_update);
    fk.on_delete = action_sql(k.facts.on_delete);
    fk.on_delete_columns = k.on_delete_columns;
    fk.deferrable = k.facts.deferrable;
    fk.initially_deferred = k.facts.deferred;
    r.hint = std::string(k.new_column ? "Add the column without REFERENCES, then the foreign key in two steps: "
                                      : "Add it in two steps: ") +
             add_foreign_key_sql(fk, true) + "; then, in a transaction of its own, " +
             validate_constraint_sql(k.table, k.quoted_name) + "; which checks the rows holding only SHARE UPDATE " +
             "EXCLUSIVE on " + k.table + (self ? "" : " and ROW SHARE on " + k.referenced_table) + ", so writes go on.";
  }
  r.hint += " pg_fk_guard.validation_notice_rows (now " + std::to_string(validation_notice_rows) +
            ") sets the estimated rows above which this notice is given.";
  raise(r);
}

// dry: report nothing, return whether there is a notice to give.
bool report_validations(const ProposedPairs *proposed, const std::vector<NewKey> &keys, bool dry) {
  if (validation_notice_rows <= 0) return false;
  double threshold = validation_notice_rows;
  for (const NewKey &k : keys) {
    if (!k.validates || !OidIsValid(k.rel) || !OidIsValid(k.referenced_rel)) continue;
    Oid rel = k.rel;
    if (dry) {
      bool partitioned = pg_guard([rel]() { return get_rel_relkind(rel) == RELKIND_PARTITIONED_TABLE; });
      if (pg_guard([rel, partitioned]() { return estimated_rows(rel, partitioned); }) > threshold) return true;
      continue;
    }
    RawSize size = pg_guard([rel, threshold]() { return size_of(rel, threshold); });
    if (size.rows > threshold) report_validation(proposed, k, size);
  }
  return false;
}

}  // namespace

void report_hygiene(const ProposedPairs *proposed) {
  std::vector<NewKey> keys = new_keys(proposed);
  if (keys.empty()) return;
  report_duplicates(proposed, keys, false);
  report_validations(proposed, keys, false);
}

bool hygiene_has_findings(const ProposedPairs *proposed) {
  std::vector<NewKey> keys = new_keys(proposed);
  if (keys.empty()) return false;
  return report_duplicates(proposed, keys, true) || report_validations(proposed, keys, true);
}

}  // namespace fkg
