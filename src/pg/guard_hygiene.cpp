#include "guard_hygiene.hpp"

#include "catalog_scan.hpp"
#include "compat.hpp"
#include "guard_data.hpp"
#include "ignore_list.hpp"
#include "settings.hpp"
#include "../core/fix_writer.hpp"
#include "../core/guard_text.hpp"
#include "../core/hygiene.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace fkg {

namespace {

// What a foreign key does besides pairing columns: the parts that may differ
// between two keys on the same columns (src/core/guard_text.hpp, with
// PostgreSQL's own action and match codes).
using KeyFacts = KeyDefinition;
static_assert(FKCONSTR_ACTION_NOACTION == 'a' && FKCONSTR_ACTION_RESTRICT == 'r' && FKCONSTR_ACTION_CASCADE == 'c' &&
                  FKCONSTR_ACTION_SETNULL == 'n' && FKCONSTR_ACTION_SETDEFAULT == 'd' && FKCONSTR_MATCH_FULL == 'f' &&
                  FKCONSTR_MATCH_SIMPLE == 's',
              "the codes KeyDefinition takes");

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

// The key as the core's sentences take it (src/core/guard_text.hpp).
NewKeyText key_text(const NewKey &k) {
  NewKeyText t;
  t.name = k.name;
  t.quoted_name = k.quoted_name;
  t.named = k.named;
  t.table = k.table;
  t.referenced_table = k.referenced_table;
  t.columns = k.columns;
  t.referenced_columns = k.referenced_columns;
  t.definition = k.facts;
  t.on_delete_columns = k.on_delete_columns;
  t.new_column = k.new_column;
  return t;
}

Report duplicate_report(const NoticeText &text) {
  Report r;
  r.elevel = duplicate_policy == DUPLICATE_ERROR ? ERROR : WARNING;
  r.sqlstate = r.elevel == ERROR ? ERRCODE_DUPLICATE_OBJECT : ERRCODE_WARNING;
  r.message = text.message;
  r.detail = text.detail;
  r.hint = text.hint;
  return r;
}

// The key duplicates one the table has.
void report_existing(const NewKey &k, const RawKey &old) {
  ExistingKeyText o;
  o.name = old.name;
  o.quoted = old.quoted;
  o.definition.on_update = old.on_update;
  o.definition.on_delete = old.on_delete;
  o.definition.match = old.match;
  o.definition.deferrable = old.deferrable;
  o.definition.deferred = old.deferred;
  o.validated = old.validated;
  raise(duplicate_report(duplicate_existing(key_text(k), o, duplicate_policy == DUPLICATE_ERROR)));
}

// The key duplicates one the same statement adds before it.
void report_same_statement(const NewKey &k, const NewKey &first) {
  raise(duplicate_report(duplicate_in_statement(key_text(k), key_text(first), duplicate_policy == DUPLICATE_ERROR)));
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
  ValidationScan s;
  s.own_lock = lock_name(own);
  s.self = k.referenced_rel == k.rel;
  s.rows = (long long)size.rows;
  s.partitioned = size.partitioned;
  s.size = size.pretty;
  s.two_steps_refused = compat::no_not_valid_foreign_keys_on_partitioned_tables;
  s.notice_rows = validation_notice_rows;
  NoticeText text = validation_scan(key_text(k), s);
  Report r;
  r.elevel = NOTICE;
  r.sqlstate = ERRCODE_SUCCESSFUL_COMPLETION;
  r.message = text.message;
  r.detail = text.detail;
  r.hint = text.hint;
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
