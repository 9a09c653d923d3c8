// The migration guard: an event trigger on ddl_command_start that judges the
// foreign keys an ALTER TABLE / CREATE TABLE is about to create, with the same
// engine and the same voice as diagnose_fk_mismatches(), and refuses an
// incompatible one before PostgreSQL locks, rewrites or scans anything.
#include "guard_collect.hpp"
#include "guard_dropped.hpp"
#include "catalog_scan.hpp"
#include "citus.hpp"
#include "compat.hpp"
#include "guard_cast.hpp"
#include "guard_data.hpp"
#include "fix_plan.hpp"
#include "guard_hygiene.hpp"
#include "ignore_list.hpp"
#include "render.hpp"
#include "../core/citus_rules.hpp"
#include "settings.hpp"

#include <algorithm>
#include <optional>
#include <climits>

namespace {

using namespace fkg;

struct Judged {
  ProposedPair pair;
  JudgedPair judged;
};

// The profile for a refused pair: the referencing column's data, converted to
// the referenced type and compared with the referenced keys.
Profile profile_for(const Judged &j) {
  const ProposedPair &p = j.pair;
  if (p.declared_here || !OidIsValid(p.referencing_rel) || p.type_changed) return Profile{};
  ProfileRequest r;
  r.rel = p.referencing_rel;
  r.attname = p.referencing_attname ? p.referencing_attname : "";
  r.target = p.referenced.type;
  r.typmod = p.referenced.typmod;
  // Keys are compared only as they stand: not when this statement retypes them.
  if (OidIsValid(p.referenced_rel) && !p.referenced_retyped) {
    r.keys_rel = p.referenced_rel;
    r.keys_attname = unquoted(p.referenced_column);
    r.keys_display = std::string(p.referenced_table) + "." + p.referenced_column;
  }
  return profile_of(r);
}

std::string profile_sentence(const Judged &j, const Profile &prof) {
  return data_sentence(j.pair.referencing_table, j.pair.referencing_column, j.judged.facts.referencing.display,
                       j.judged.facts.referenced.display, prof);
}

// ---- The rest of the query string ----

// Does a later statement of the same query string change this column's type?
bool later_statement_retypes(Node *current, Oid rel, const char *column) {
  if (current == NULL || debug_query_string == NULL || !OidIsValid(rel)) return false;
  return pg_guard([current, rel, column]() {
    List *stmts = raw_parser(debug_query_string, RAW_PARSE_DEFAULT);
    bool after = false;
    ListCell *lc;
    foreach (lc, stmts) {
      Node *stmt = ((RawStmt *)lfirst(lc))->stmt;
      if (!after) {
        after = equal(stmt, current);
        continue;
      }
      if (!IsA(stmt, AlterTableStmt)) continue;
      AlterTableStmt *alter = (AlterTableStmt *)stmt;
      if (RangeVarGetRelid(alter->relation, NoLock, true) != rel) continue;
      ListCell *cc;
      foreach (cc, alter->cmds) {
        AlterTableCmd *cmd = (AlterTableCmd *)lfirst(cc);
        if (cmd->subtype == AT_AlterColumnType && cmd->name && strcmp(quote_identifier(cmd->name), column) == 0)
          return true;
      }
    }
    return false;
  });
}

// ---- A refused rebuild: the statements for every table involved ----

// The refused statement's own text, from the query string; NULL if not found.
const char *statement_text(Node *current) {
  if (current == NULL || debug_query_string == NULL) return NULL;
  List *stmts = raw_parser(debug_query_string, RAW_PARSE_DEFAULT);
  ListCell *lc;
  foreach (lc, stmts) {
    RawStmt *raw = (RawStmt *)lfirst(lc);
    if (!equal(raw->stmt, current)) continue;
    const char *start = debug_query_string + raw->stmt_location;
    return raw->stmt_len > 0 ? pnstrdup(start, raw->stmt_len) : pstrdup(start);
  }
  return NULL;
}

Conversion conversion_between(Oid from, Oid to) {
  if (can_coerce_type(1, &from, &to, COERCION_ASSIGNMENT)) return Conversion::Assignment;
  if (can_coerce_type(1, &from, &to, COERCION_EXPLICIT))
    return cast_applies_typmod(from, to) ? Conversion::ExplicitTypmod : Conversion::Explicit;
  return Conversion::None;
}

// A single-column foreign key that references a key column, as the rebuild
// script needs it.
struct RawReferrer {
  Oid constraint;
  const char *name;        // quoted
  const char *table;       // as regclass prints it
  const char *column;      // quoted
  const char *definition;  // pg_get_constraintdef()
  double rows;             // estimated rows of its table
  Oid type;                // its column's type
  bool multi;              // more than one column: no script
};

struct RawReferrers {
  RawReferrer *items;
  int count, cap;
  AttrNumber key_att;
};

RawReferrer read_referrer(HeapTuple tup, int16 fk_att, bool multi) {
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  RawReferrer r = {};
  r.constraint = con->oid;
  r.name = quote_identifier(pstrdup(NameStr(con->conname)));
  r.table = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(con->conrelid)));
  r.column = quote_identifier(get_attname(con->conrelid, fk_att, false));
  r.definition = TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(con->oid)));
  HeapTuple rel = SearchSysCache1(RELOID, ObjectIdGetDatum(con->conrelid));
  if (HeapTupleIsValid(rel)) {
    Form_pg_class c = (Form_pg_class)GETSTRUCT(rel);
    r.rows = c->reltuples >= 0 ? c->reltuples : (double)c->relpages * 100;
    ReleaseSysCache(rel);
  }
  r.type = get_atttype(con->conrelid, fk_att);
  r.multi = multi;
  return r;
}

bool visit_referrer(HeapTuple tup, TupleDesc desc, void *arg) {
  RawReferrers *out = (RawReferrers *)arg;
  if (OidIsValid(((Form_pg_constraint)GETSTRUCT(tup))->conparentid)) return true;  // a partition's clone
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  for (int i = 0; i < n; i++) {
    if (pk[i] != out->key_att) continue;
    if (out->count == out->cap) {
      out->cap = out->cap ? out->cap * 2 : 8;
      out->items = out->items ? (RawReferrer *)repalloc(out->items, sizeof(RawReferrer) * out->cap)
                              : (RawReferrer *)palloc(sizeof(RawReferrer) * out->cap);
    }
    out->items[out->count++] = read_referrer(tup, fk[i], n > 1);
  }
  return true;
}

// Every foreign key that references rel.att.
RawReferrers *referrers_of(Oid rel, AttrNumber att) {
  RawReferrers *out = (RawReferrers *)palloc0(sizeof(RawReferrers));
  out->key_att = att;
  for_each_foreign_key(FkScope::ReferencingTable, rel, visit_referrer, out);
  return out;
}

bool key_may_follow(Oid rel, const char *attname, Oid referencing_type);
KeyNames key_names(const ProposedPair &p);

// The HINT of a refused rebuilt key (src/core/guard_text.cpp, rebuilt_hint)
// with the facts read here: every key that references the key column, the
// statement's text, the conversions to the new type.
std::string rebuilt_hint(const std::vector<const Judged *> &bad, Node *tree) {
  const Judged &first = *bad.front();
  const ProposedPair &p = first.pair;
  RebuiltFacts f;
  f.names = key_names(p);
  f.key_side = p.referenced_retyped && !p.type_changed;  // the statement converts the referenced key
  // Collations (PostgreSQL 18+) and both sides at once are not a matter of other tables' types.
  f.fallback = first.judged.collation_refusal || (!f.key_side && !(p.type_changed && !p.referenced_retyped));
  if (f.fallback) return fkg::rebuilt_hint(f);

  // The key column and its new type.
  Oid key_rel = p.referenced_rel;
  std::string key_attname = unquoted(p.referenced_column);
  const char *kan = key_attname.c_str();
  AttrNumber key_att = pg_guard([key_rel, kan]() { return get_attnum(key_rel, kan); });
  const PgColumn &now = f.key_side ? p.referenced : p.referencing;  // the type the statement gives
  Oid new_type = now.type;
  f.new_type = f.key_side ? first.judged.facts.referenced.display : first.judged.facts.referencing.display;
  f.key_type = first.judged.facts.referenced.display;

  RawReferrers *refs = pg_guard([key_rel, key_att]() { return referrers_of(key_rel, key_att); });
  Node *t = tree;
  const char *stmt = pg_guard([t]() { return statement_text(t); });
  if (stmt != NULL) {
    f.statement = stmt;  // as sent, with its own USING
  } else {
    // Sent from inside a function: the statement's conversion, written anew.
    Oid rel = f.key_side ? key_rel : p.referencing_rel;
    std::string attname = f.key_side ? key_attname : std::string(p.referencing_attname);
    const char *an = attname.c_str();
    Conversion c =
        pg_guard([rel, an, new_type]() { return conversion_between(get_atttype(rel, get_attnum(rel, an)), new_type); });
    if (c == Conversion::None) {
      f.fallback = true;
      return fkg::rebuilt_hint(f);
    }
    f.statement = f.key_side ? alter_column_type_sql(p.referenced_table, p.referenced_column, f.new_type, "", c)
                             : alter_column_type_sql(p.referencing_table, p.referencing_column, f.new_type, "", c);
  }
  for (int i = 0; i < refs->count; i++) {
    const RawReferrer &r = refs->items[i];
    RebuiltReferrer out;
    out.table = r.table;
    out.constraint = r.name;
    out.column = r.column;
    out.definition = r.definition;
    out.large = r.rows > profile_row_limit;
    out.multi = r.multi;
    out.of_new_type = r.type == new_type;
    out.altered_here = !f.key_side && r.constraint == p.constraint_oid;
    if (!r.multi && !out.altered_here && !out.of_new_type) {
      Oid from = r.type;
      out.conversion = pg_guard([from, new_type]() { return conversion_between(from, new_type); });
    }
    f.referrers.push_back(out);
    if (r.multi) break;  // the HINT falls back to the general advice
  }
  if (!f.key_side) {
    // The key itself follows the referencing column.
    Oid from = p.referenced.type;
    f.key_conversion = pg_guard([from, new_type]() { return conversion_between(from, new_type); });
  } else {
    f.later_statement_retypes = later_statement_retypes(tree, p.referencing_rel, p.referencing_column);
    f.key_may_follow = pg_guard([key_rel, kan, new_type]() { return key_may_follow(key_rel, kan, new_type); });
  }
  return fkg::rebuilt_hint(f);
}

// ---- Messages ----

// The pair's names, as the core's sentences take them (src/core/guard_text.hpp).
KeyNames key_names(const ProposedPair &p) {
  KeyNames n;
  n.referencing_table = p.referencing_table;
  n.referencing_column = p.referencing_column;
  n.referencing_attname = p.referencing_attname ? p.referencing_attname : "";
  n.referenced_table = p.referenced_table;
  n.referenced_column = p.referenced_column;
  n.referenced_attname = unquoted(p.referenced_column);
  n.constraint = p.constraint ? p.constraint : "";
  return n;
}

// "sessions."userId" is uuid; users.id is integer. <why>"
std::string pair_detail(const Judged &j) {
  return fkg::pair_detail(key_names(j.pair), j.judged.facts.referencing, j.pair.type_changed, j.judged.facts.referenced,
                          j.pair.referenced_retyped, j.judged.verdict);
}

// The referencing column's conversion to the referenced type; on Citus, for
// a distribution column (whose type Citus cannot change in place), wrapped
// in the statements that distribute the table again (*distribution set).
std::string alter_type_sql(const Judged &j, bool *distribution = nullptr) {
  std::string alter = alter_column_type_sql(j.pair.referencing_table, j.pair.referencing_column,
                                            j.judged.facts.referenced.display, "", j.judged.conversion);
  Oid rel = j.pair.referencing_rel, pk_rel = j.pair.referenced_rel;
  const char *attname = j.pair.referencing_attname;
  if (!OidIsValid(rel) || attname == NULL) return alter;
  struct RawDist {
    bool is_dist;
    bool colocate;  // the referenced table is distributed: colocate with it
  };
  RawDist d = pg_guard([rel, pk_rel, attname]() {
    RawDist out = {false, false};
    if (!citus::installed()) return out;
    citus::Distribution dist = citus::distribution_of(rel);
    out.is_dist = dist.kind == citus::TableKind::Distributed && dist.dist_att != InvalidAttrNumber &&
                  get_attnum(rel, attname) == dist.dist_att;
    out.colocate =
        out.is_dist && OidIsValid(pk_rel) && citus::distribution_of(pk_rel).kind == citus::TableKind::Distributed;
    return out;
  });
  if (!d.is_dist) return alter;
  std::string wrapped = citus_rules::change_distribution_column(j.pair.referencing_table, attname, alter,
                                                                d.colocate ? j.pair.referenced_table : "default");
  if (wrapped.empty()) return alter;
  if (distribution) *distribution = true;
  return wrapped;
}

// Is the referenced column a surrogate key the key's type may follow? (see
// fix_plan.hpp)
bool key_may_follow(Oid rel, const char *attname, Oid referencing_type) {
  AttrNumber att = get_attnum(rel, attname);
  return att > 0 && surrogate_key_may_follow(rel, att, referencing_type);
}

// " Or, if users.id should become uuid: SELECT fk_guard.change_key_type_plan(...) ..."
std::string key_change_note(const Judged &j) {
  const ProposedPair &p = j.pair;
  if (!OidIsValid(p.referenced_rel) || p.referenced_retyped || p.rebuilt) return "";
  if (!whole_value_problem(j.judged.facts.referencing, j.judged.facts.referenced).empty()) return "";
  Oid rel = p.referenced_rel, type = p.referencing.type;
  std::string attname = unquoted(p.referenced_column);
  const char *an = attname.c_str();
  if (!pg_guard([rel, an, type]() { return key_may_follow(rel, an, type); })) return "";
  return fkg::key_change_note(key_names(p), j.judged.facts.referencing.base_display);
}

// ---- When the HINT names fk_guard.explain() ----

// The history tables of the migration tools migration_history() reads, by
// the names the tools give them.
const char *const kMigrationTables[] = {"SequelizeMeta",     "knex_migrations",    "migrations",
                                        "pgmigrations",      "_prisma_migrations", "schema_migrations",
                                        "django_migrations", "alembic_version",    "flyway_schema_history",
                                        "databasechangelog", "goose_db_version"};

// Is a migration tool's history table in a schema of the session's search path?
bool migration_table_on_path() {
  List *path = fetch_search_path(false);
  ListCell *lc;
  foreach (lc, path) {
    Oid nsp = lfirst_oid(lc);
    for (const char *name : kMigrationTables)
      if (OidIsValid(get_relname_relid(name, nsp))) return true;
  }
  return false;
}

bool count_dependent(Form_pg_depend, void *arg) {
  (*(int *)arg)++;
  return false;  // one is enough
}

// Does anything depend on the column (an index, a constraint, its DEFAULT, a
// view, a trigger on it, a policy, statistics)?
bool column_has_dependents(Oid rel, AttrNumber att) {
  int n = 0;
  for_each_column_dependent(rel, att, count_dependent, &n);
  return n > 0;
}

// " What the DETAIL leaves out (...): SELECT fk_guard.explain(
// 'public.sessions', 'userId');" when the DETAIL cannot hold the whole picture: the data was not read (or not
// compared with the keys), objects on the column would be touched by a
// conversion, or a migration tool's history table is on the search path
// (which migrations ran is never in the DETAIL). Only for a column that
// exists and keeps its type in this statement, referencing a key that exists.
std::string explain_note(const Judged &j, const Profile &prof) {
  const ProposedPair &p = j.pair;
  if (p.declared_here || p.rebuilt || p.type_changed || p.referenced_retyped || !OidIsValid(p.referencing_rel) ||
      !OidIsValid(p.referenced_rel) || p.referencing_attname == nullptr)
    return "";
  Oid rel = p.referencing_rel;
  const char *attname = p.referencing_attname;
  struct Why {
    bool objects, history;
  };
  Why w = pg_guard([rel, attname]() {
    AttrNumber att = get_attnum(rel, attname);
    return Why{att > 0 && column_has_dependents(rel, att), migration_table_on_path()};
  });
  LeftOut left;
  left.data_not_read = !prof.read;
  left.keys_not_read = !prof.keys_not_read.empty();
  left.objects = w.objects;
  left.history = w.history;
  if (!left.data_not_read && !left.keys_not_read && !left.objects && !left.history) return "";
  return fkg::explain_note(left, explain_call(rel, attname));
}

// The fix for an incompatible pair, for these types and this data.
// fk_columns: every referencing column of its constraint, as stored.
std::string incompatible_hint(const Judged &j, const Profile &prof, Node *tree,
                              const std::vector<std::string> &fk_columns) {
  const ProposedPair &p = j.pair;
  RefusalFacts f;
  f.names = key_names(p);
  f.fk = j.judged.facts.referencing;
  f.pk = j.judged.facts.referenced;
  f.declared_here = p.declared_here;
  f.type_changed = p.type_changed;
  f.collation_refusal = j.judged.collation_refusal;
  f.conversion = j.judged.conversion;
  f.data = data_facts(prof);
  // Only what the sentences for these facts use is gathered.
  bool collation_case = f.collation_refusal && f.fk.base_display == f.pk.base_display && !f.pk.collation.empty();
  if (collation_case || p.declared_here || !whole_value_problem(f.fk, f.pk).empty()) return fkg::incompatible_hint(f);
  bool all_null = prof.read && prof.data.rows_total == prof.data.rows_null;
  if (!all_null && f.conversion != Conversion::None) f.alter = alter_type_sql(j, &f.distribution);
  f.key_change_note = key_change_note(j);
  if (!p.type_changed) {
    f.later_statement_retypes = later_statement_retypes(tree, p.referencing_rel, p.referencing_column);
    if (!f.later_statement_retypes)
      f.tool_note = tool_note(p.constraint, p.referencing_table, fk_columns, p.referencing_attname, p.referenced_table,
                              p.referenced_attname, f.pk.base_display);
  }
  f.explain_note = explain_note(j, prof);
  return fkg::incompatible_hint(f);
}

std::string soft_hint(const Judged &j) {
  const ProposedPair &p = j.pair;
  SoftFacts f;
  f.names = key_names(p);
  f.pk = j.judged.facts.referenced;
  f.kind = j.judged.verdict.kind;
  f.declared_here = p.declared_here;
  f.referenced_retyped = p.referenced_retyped;
  if (!p.declared_here) {
    f.alter = alter_type_sql(j, &f.distribution);
    if (!p.referenced_retyped && f.kind == Kind::Width) f.key_change_note = key_change_note(j);
  }
  return fkg::soft_hint(f);
}

// ---- Citus's own rules ----

// A foreign key between Citus tables that Citus would refuse once
// PostgreSQL has built it: refused (or warned about) first, in Citus's words.
void report_citus_rules(ProposedPairs *proposed) {
  if (!pg_guard([]() { return citus::installed(); })) return;
  std::vector<int> seen;
  for (int i = 0; i < proposed->count; i++) {
    const ProposedPair &p = proposed->items[i];
    if (p.rebuilt || p.definition == NULL || !OidIsValid(p.referencing_rel) || !OidIsValid(p.referenced_rel)) continue;
    if (std::find(seen.begin(), seen.end(), p.constraint_no) != seen.end()) continue;
    seen.push_back(p.constraint_no);
    Oid fk_rel = p.referencing_rel, pk_rel = p.referenced_rel;
    citus::RuleSide fk = pg_guard([fk_rel]() { return citus::rule_side(fk_rel); });
    citus::RuleSide pk = pg_guard([pk_rel]() { return citus::rule_side(pk_rel); });
    citus_rules::Key key;
    key.self = fk_rel == pk_rel;
    key.on_delete = p.definition->fk_del_action;
    key.on_update = p.definition->fk_upd_action;
    key.referencing = citus::to_rule_side(fk, p.referencing_table);
    key.referenced = citus::to_rule_side(pk, p.referenced_table);
    int position = 0;
    for (int j = 0; j < proposed->count; j++) {
      const ProposedPair &q = proposed->items[j];
      if (q.constraint_no != p.constraint_no) continue;
      if (q.referencing_attname && *fk.dist_column && strcmp(q.referencing_attname, fk.dist_column) == 0)
        key.referencing.dist_position = position;
      if (q.referenced_attname && *pk.dist_column && strcmp(q.referenced_attname, pk.dist_column) == 0)
        key.referenced.dist_position = position;
      position++;
    }
    std::optional<citus_rules::Refusal> refusal = citus_rules::check(key);
    if (!refusal) continue;
    Report r;
    r.elevel = guard_mode == MODE_ENFORCE ? ERROR : WARNING;
    r.sqlstate = refusal->sqlstate_class == 1 ? ERRCODE_INVALID_TABLE_DEFINITION : ERRCODE_FEATURE_NOT_SUPPORTED;
    r.message = refusal->message;
    r.detail = refusal->detail + " Citus would refuse foreign key constraint \"" + p.constraint +
               "\" once PostgreSQL had built it.";
    r.hint = refusal->hint;
    raise(r);
  }
}

// Constraints the start trigger judged in the current statement, so that the
// end-of-statement check does not report them twice ("table\x1fconstraint").
std::vector<std::string> judged_at_start;

// What the end-of-statement check must look at: set by the start trigger only
// when it could not model everything the statement does to foreign keys.
// A referenced column as the quick look judged it, without a lock.
struct ReadUnlocked {
  Oid rel;
  std::string attname;
  PgColumn column;
  // The name the statement gave the table (schema empty when unqualified):
  // PostgreSQL resolves it again when it takes its lock, and finds another
  // table if this one was renamed or moved and another took its name.
  std::string schema, name;
};

struct EndCheck {
  bool active = false;
  // Set by the quick look: the referenced columns it read without a lock.
  // At the end PostgreSQL holds its lock on each referenced table; if one of
  // them changed meanwhile (a concurrent ALTER COLUMN TYPE, the table dropped
  // and created again, or renamed or moved to another schema while another
  // table took its name), the check becomes active.
  std::vector<ReadUnlocked> unlocked;
  CommandId since = InvalidCommandId;  // catalog rows written from here on are the statement's
  Oid rel = InvalidOid;                // the altered table, or
  Oid nsp = InvalidOid;                // the namespace and name of the created one
  std::string name;
};
EndCheck end_check;

std::string judged_key(const char *table, const char *constraint) { return std::string(table) + "\x1f" + constraint; }

// Judges every pair and reports: incompatible constraints in one refusal
// (enforce) or warning (warn), then the soft ones by policy.
void judge_and_report(ProposedPairs *proposed, Node *tree, bool at_end) {
  std::vector<Judged> judged;
  for (int i = 0; i < proposed->count; i++) {
    const ProposedPair &p = proposed->items[i];
    judged.push_back(Judged{p, judge_pair(p.referencing, p.referenced, p.opclass)});
    if (!at_end) judged_at_start.push_back(judged_key(p.referencing_table, p.constraint));
  }

  // Incompatible pairs, grouped in one message that names every constraint.
  std::vector<const Judged *> bad;
  for (const Judged &j : judged)
    if (j.judged.verdict.kind == Kind::Incompatible) bad.push_back(&j);
  if (!bad.empty() && !at_end) {
    const Judged &first = *bad.front();
    bool several = std::any_of(bad.begin(), bad.end(),
                               [&](const Judged *j) { return j->pair.constraint_no != first.pair.constraint_no; });
    Report r;
    r.elevel = guard_mode == MODE_ENFORCE ? ERROR : WARNING;
    r.sqlstate = first.judged.sqlstate;  // PostgreSQL's own code for what it refuses first
    r.message = refusal_message(first.pair.constraint);
    if (first.pair.rebuilt) r.detail = rebuilt_detail_opening(several);
    for (const Judged *j : bad)
      r.detail += (several ? std::string(j->pair.constraint) + ": " : std::string()) + pair_detail(*j) + " ";
    // No profile when no conversion could help: a rebuilt key, or an array,
    // composite, range or document whose text form is no key value.
    bool whole_values = !whole_value_problem(first.judged.facts.referencing, first.judged.facts.referenced).empty();
    Profile prof = first.pair.rebuilt || whole_values ? Profile{} : profile_for(first);
    r.detail += profile_sentence(first, prof);
    while (!r.detail.empty() && r.detail.back() == ' ') r.detail.pop_back();
    std::vector<std::string> fk_columns;
    for (const Judged &j : judged)
      if (j.pair.constraint_no == first.pair.constraint_no) fk_columns.push_back(j.pair.referencing_attname);
    r.hint = first.pair.rebuilt ? rebuilt_hint(bad, tree) : incompatible_hint(first, prof, tree, fk_columns);
    raise(r);
  }

  // Citus checks its own rules once PostgreSQL has built the keys.
  if (!at_end && bad.empty()) report_citus_rules(proposed);

  if (soft_policy != SOFT_IGNORE) {
    std::optional<IgnoreList> ignore;  // read only when there is a soft verdict to report
    for (const Judged &j : judged) {
      const Verdict &v = j.judged.verdict;
      if (v.kind == Kind::None || v.kind == Kind::Incompatible) continue;
      if (!ignore) ignore = IgnoreList::load();
      if (ignore->covers("type_mismatch", j.pair.referencing_rel,
                         {j.pair.referencing_attname ? j.pair.referencing_attname : ""},
                         j.pair.constraint ? j.pair.constraint : ""))
        continue;
      bool serious = v.severity() == Severity::Warning;
      Report r;
      r.elevel = serious ? (soft_policy == SOFT_ERROR ? ERROR : WARNING) : NOTICE;
      r.sqlstate = r.elevel == ERROR ? ERRCODE_DATATYPE_MISMATCH : ERRCODE_WARNING;
      r.message = soft_message(j.pair.constraint, j.pair.rebuilt, j.judged.facts.referencing, j.judged.facts.referenced,
                               v.kind);
      r.detail = pair_detail(j);
      r.hint = soft_hint(j);
      if (r.elevel == ERROR) r.hint += " Or set pg_fk_guard.soft_mismatches = warn to accept it.";
      raise(r);
    }
  }

  // Beyond types: duplicates and the validating scan, judged at the start
  // only, and only when PostgreSQL is going to add the keys at all.
  if (!at_end && bad.empty()) report_hygiene(proposed);
}

// A statement Citus sends on its own behalf: its copy of a statement on a
// shard (on any node, the coordinator's local shards included), on a shell
// table from another node, or its re-creation of a table's existing keys in
// alter_distributed_table / undistribute_table. The statement the user sent
// was judged where it was sent, with that session's settings.
bool citus_copy(Node *tree) {
  RangeVar *rv = IsA(tree, CreateStmt)       ? ((CreateStmt *)tree)->relation
                 : IsA(tree, AlterTableStmt) ? ((AlterTableStmt *)tree)->relation
                                             : NULL;
  if (rv == NULL || !citus::installed()) return false;
  // Statements Citus runs itself are not in the query string the client sent.
  if (citus::converting_table() && !citus::client_sent(tree)) return true;
  if ((citus::conversion_setting_off() || citus::recreates_valid_keys(tree)) && !citus::client_sent(tree) &&
      !citus::client_runs_user_code())
    return true;
  if (IsA(tree, CreateStmt)) {
    Oid nsp = rv->schemaname ? get_namespace_oid(rv->schemaname, true) : InvalidOid;
    return citus::is_shard_name(nsp, rv->relname) || citus::internal_session();
  }
  citus::TableKind kind = citus::kind_of(RangeVarGetRelid(rv, NoLock, true));
  return kind == citus::TableKind::Shard || (kind != citus::TableKind::None && citus::internal_session());
}

// Is there nothing to say about this quick collection: modelled in full,
// every pair identical and accepted, no duplicate and no validation notice?
bool all_clean(const ProposedPairs *quick) {
  if (quick->unsure) return false;
  for (int i = 0; i < quick->count; i++) {
    const ProposedPair &p = quick->items[i];
    if (!pair_is_clean(p.referencing, p.referenced, p.opclass)) return false;
  }
  return !hygiene_has_findings(quick);
}

// Does a pair involve a Citus table? Citus's own rules (report_citus_rules)
// then need the full look, even for pairs whose types match.
bool involves_citus_tables(const ProposedPairs *quick) {
  if (quick->count == 0 || !citus::installed()) return false;
  for (int i = 0; i < quick->count; i++) {
    const ProposedPair &p = quick->items[i];
    if (citus::kind_of(p.referencing_rel) != citus::TableKind::None ||
        citus::kind_of(p.referenced_rel) != citus::TableKind::None)
      return true;
  }
  return false;
}

// Has a referenced column the quick look read without a lock changed since,
// or does its name now lead to another table?
bool changed_since_read(const std::vector<ReadUnlocked> &read) {
  for (const ReadUnlocked &r : read) {
    Oid rel = r.rel;
    const char *attname = r.attname.c_str();
    const char *schema = r.schema.empty() ? nullptr : r.schema.c_str();
    const char *name = r.name.c_str();
    PgColumn now;
    bool found = pg_guard([rel, attname, schema, name, &now]() {
      // PostgreSQL holds its lock on the table the name leads to now.
      if (*name && RangeVarGetRelid(makeRangeVar((char *)schema, (char *)name, -1), NoLock, true) != rel) return false;
      HeapTuple tup = SearchSysCacheAttName(rel, attname);
      if (!HeapTupleIsValid(tup)) return false;
      Form_pg_attribute a = (Form_pg_attribute)GETSTRUCT(tup);
      now = PgColumn{a->atttypid, a->atttypmod, a->attcollation};
      ReleaseSysCache(tup);
      return true;
    });
    if (!found || now.type != r.column.type || now.typmod != r.column.typmod || now.collation != r.column.collation)
      return true;
  }
  return false;
}

// Whether the guard has anything to do in this context.
bool guard_active() { return guard_mode != MODE_OFF && !creating_extension; }

}  // namespace

// fk_guard.guard_ddl_start(): the ddl_command_start event trigger.
FKG_SQL_FUNCTION(guard_ddl_start) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw UserError(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED,
                    "guard_ddl_start() must be called as an event trigger");
  judged_at_start.clear();
  end_check = EndCheck{};
  if (!guard_active()) return (Datum)0;
  Node *tree = ((EventTriggerData *)fcinfo->context)->parsetree;
  if (tree != NULL && IsA(tree, AlterTableStmt)) {
    AlterTableStmt *alter = (AlterTableStmt *)tree;
    pg_guard([alter]() { note_dropped_keys(alter); });
  }
  if (tree == NULL || !statement_may_add_foreign_keys(tree)) return (Datum)0;
  if (pg_guard([tree]() { return citus_copy(tree); })) return (Datum)0;
  // Catalog rows this statement writes get command ids from here on.
  CommandId since = pg_guard([]() { return GetCurrentCommandId(false); });
  // The quick look, on the committed catalog without locking the referenced
  // tables: when every pair is identical and accepted and nothing else is to
  // be said, the statement goes on, and PostgreSQL takes its SHARE ROW
  // EXCLUSIVE when it would. Not when a soft mismatch is refused
  // (soft_mismatches = error): a concurrent change to a referenced column
  // must not let one through.
  if (soft_policy != SOFT_ERROR) {
    ProposedPairs *quick = pg_guard([tree]() { return collect_proposed_pairs(tree, CollectMode::Quick); });
    if (all_clean(quick) && !pg_guard([quick]() { return involves_citus_tables(quick); })) {
      check_key_conversions(tree);
      for (int i = 0; i < quick->count; i++) {
        const ProposedPair &p = quick->items[i];
        if (OidIsValid(p.referenced_rel) && p.referenced_rel != p.referencing_rel) {
          const RangeVar *named = p.definition ? p.definition->pktable : nullptr;
          end_check.unlocked.push_back(ReadUnlocked{p.referenced_rel, p.referenced_attname, p.referenced,
                                                    named && named->schemaname ? named->schemaname : "",
                                                    named ? named->relname : ""});
        }
      }
      if (!end_check.unlocked.empty()) {
        end_check.since = since;
        end_check.rel = quick->target_rel;
        end_check.nsp = quick->target_namespace;
        if (quick->target_name) end_check.name = quick->target_name;
      }
      return (Datum)0;
    }
  }
  // The full look: PostgreSQL's locks, every name, the verdicts and the reports.
  ProposedPairs *proposed = pg_guard([tree]() { return collect_proposed_pairs(tree, CollectMode::Full); });
  // PostgreSQL converts columns before it builds any key: a conversion no
  // cast can do fails first.
  check_key_conversions(tree);
  if (proposed->unsure) {
    end_check.active = true;
    end_check.since = since;
    end_check.rel = proposed->target_rel;
    end_check.nsp = proposed->target_namespace;
    if (proposed->target_name) end_check.name = proposed->target_name;
  }
  if (proposed->count > 0) judge_and_report(proposed, tree, false);
  return (Datum)0;
}

// fk_guard.guard_ddl_end(): the ddl_command_end safety net. When the start
// trigger could not model the whole statement, checks the foreign keys the
// statement actually created on its table (catalog rows written since the
// statement began) that the start trigger did not judge, so paths it does not
// model still meet the soft policy. Never refuses an incompatible pair:
// PostgreSQL has built it. Costs nothing when the start trigger was sure.
FKG_SQL_FUNCTION(guard_ddl_end) {
  if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
    throw UserError(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED,
                    "guard_ddl_end() must be called as an event trigger");
  EndCheck check = end_check;
  end_check = EndCheck{};
  if (!guard_active() || soft_policy == SOFT_IGNORE) return (Datum)0;
  if (!check.active && !check.unlocked.empty()) check.active = changed_since_read(check.unlocked);
  if (!check.active) return (Datum)0;
  const char *name = check.name.c_str();
  Oid nsp = check.nsp;
  Oid rel = OidIsValid(check.rel) ? check.rel : pg_guard([name, nsp]() { return get_relname_relid(name, nsp); });
  if (!OidIsValid(rel)) return (Datum)0;

  std::vector<KeyPair> created = key_pairs_created_since(rel, check.since);
  if (created.empty()) return (Datum)0;
  const KeyPair *data = created.data();
  int n = (int)created.size();
  ProposedPairs *proposed = pg_guard([data, n]() { return proposed_from_key_pairs(data, n); });
  // Leave out what the start trigger already judged in this statement.
  int kept = 0;
  for (int i = 0; i < proposed->count; i++) {
    const ProposedPair &p = proposed->items[i];
    std::string key = judged_key(p.referencing_table, p.constraint);
    if (std::find(judged_at_start.begin(), judged_at_start.end(), key) == judged_at_start.end())
      proposed->items[kept++] = p;
  }
  proposed->count = kept;
  if (kept > 0) judge_and_report(proposed, nullptr, true);
  return (Datum)0;
}
