#include "key_plan.hpp"

#include <algorithm>

extern "C" {
#include "catalog/dependency.h"
}

#include "catalog_pairs.hpp"
#include "catalog_scan.hpp"
#include "citus.hpp"
#include "../core/citus_plans.hpp"
#include "compat.hpp"
#include "fix_plan.hpp"
#include "profile.hpp"
#include "../core/key_plan.hpp"
#include "../core/key_plan_rules.hpp"

namespace fkg {

using sql::Ident;

namespace {

const char *qualified_name(Oid rel) {
  return quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel));
}

struct RawSize {
  double rows;
  const char *size;
};

RawSize table_size(Oid rel) {
  RawSize s{-1, ""};
  // A Citus table's rows are in its shards, mostly on other nodes: what the
  // coordinator holds says nothing about them.
  if (citus::installed() && citus::distribution_of(rel).kind != citus::TableKind::None) {
    s.size = citus_plans::kSizeNotRead;
    return s;
  }
  HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
  if (HeapTupleIsValid(tup)) {
    Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
    s.rows = c->reltuples >= 0 ? c->reltuples : -1;
    ReleaseSysCache(tup);
  }
  Datum bytes = DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(rel));
  s.size = TextDatumGetCString(DirectFunctionCall1(pg_size_pretty, bytes));
  return s;
}

Conversion conversion_of(Oid from, Oid to) {
  if (from == to) return Conversion::Assignment;
  if (can_coerce_type(1, &from, &to, COERCION_ASSIGNMENT)) return Conversion::Assignment;
  if (can_coerce_type(1, &from, &to, COERCION_EXPLICIT)) return Conversion::Explicit;
  return Conversion::None;
}

// The key column as it is.
struct RawKey {
  const char *table;   // qualified
  const char *column;  // quoted
  const char *old_type;
  const char *new_type;
  Oid type;
  bool identity;
  const char *sequence;  // the sequence a serial column owns (qualified), or NULL
  const char *current_default;
  RawSize size;
};

// The sequence that depends automatically on the column (serial), or NULL.
bool visit_owned_sequence(Form_pg_depend d, void *arg) {
  if (d->classid == RelationRelationId && d->deptype == DEPENDENCY_AUTO &&
      get_rel_relkind(d->objid) == RELKIND_SEQUENCE)
    *(const char **)arg = qualified_name(d->objid);
  return true;
}

const char *owned_sequence(Oid rel, AttrNumber att) {
  const char *seq = NULL;
  for_each_column_dependent(rel, att, visit_owned_sequence, &seq);
  return seq;
}

const char *column_default(Oid rel, AttrNumber att) {
  const char *expr = NULL;
  Relation r = table_open(rel, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  if (desc->constr && TupleDescAttr(desc, att - 1)->atthasdef)
    for (int i = 0; i < desc->constr->num_defval; i++) {
      AttrDefault *d = &desc->constr->defval[i];
      if (d->adnum == att)
        expr =
            TextDatumGetCString(DirectFunctionCall2(pg_get_expr, CStringGetTextDatum(d->adbin), ObjectIdGetDatum(rel)));
    }
  table_close(r, AccessShareLock);
  return expr;
}

RawKey *read_key(Oid rel, AttrNumber att, Oid new_type) {
  RawKey *k = (RawKey *)palloc0(sizeof(RawKey));
  k->table = qualified_name(rel);
  k->column = quote_identifier(get_attname(rel, att, false));
  HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rel), Int16GetDatum(att));
  if (!HeapTupleIsValid(tup)) elog(ERROR, "cache lookup failed for attribute %d of relation %u", att, rel);
  Form_pg_attribute a = (Form_pg_attribute)GETSTRUCT(tup);
  k->type = a->atttypid;
  k->old_type = format_type_with_typemod(a->atttypid, a->atttypmod);
  k->identity = a->attidentity != '\0';
  ReleaseSysCache(tup);
  k->new_type = format_type_be(new_type);
  k->sequence = k->identity ? NULL : owned_sequence(rel, att);
  k->current_default = column_default(rel, att);
  k->size = table_size(rel);
  return k;
}

// A declared foreign key that references the key column.
struct RawReferrer {
  const char *table;  // qualified
  const char *column;
  const char *constraint;
  const char *definition;
  const char *source_type;
  Oid rel;
  AttrNumber att;
  Oid type;
  bool not_valid, partitioned, same_table, not_null;
  RawSize size;
  // Online mode.
  const char *schema_name, *table_name, *column_name, *constraint_name;
  int key_columns;  // columns of the foreign key
  bool is_partition, set_null_columns;
  char match_type, update_action, delete_action;
  bool deferrable, deferred;
};

struct RawReferrers {
  Oid key_rel;
  AttrNumber key_att;
  RawReferrer *items;
  int count, cap;
};

bool visit_referrer(HeapTuple tup, TupleDesc desc, void *arg) {
  RawReferrers *out = (RawReferrers *)arg;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;  // a partition's clone: the parent's key covers it
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  for (int i = 0; i < n; i++) {
    if (pk[i] != out->key_att) continue;
    if (out->count == out->cap) {
      out->cap = out->cap ? out->cap * 2 : 8;
      out->items = out->items ? (RawReferrer *)repalloc(out->items, sizeof(RawReferrer) * out->cap)
                              : (RawReferrer *)palloc(sizeof(RawReferrer) * out->cap);
    }
    RawReferrer &r = out->items[out->count++];
    r.rel = con->conrelid;
    r.att = fk[i];
    r.table = qualified_name(con->conrelid);
    r.column = quote_identifier(get_attname(con->conrelid, fk[i], false));
    r.constraint = quote_identifier(pstrdup(NameStr(con->conname)));
    // Printed under the function's search_path (pg_catalog, pg_temp): every
    // referenced table comes out schema-qualified.
    r.definition = TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(con->oid)));
    r.type = get_atttype(con->conrelid, fk[i]);
    r.source_type = format_type_be(r.type);
    r.not_valid = !con->convalidated;
    r.partitioned = get_rel_relkind(con->conrelid) == RELKIND_PARTITIONED_TABLE;
    r.same_table = con->conrelid == out->key_rel;
    HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(con->conrelid), Int16GetDatum(fk[i]));
    r.not_null = HeapTupleIsValid(at) && ((Form_pg_attribute)GETSTRUCT(at))->attnotnull;
    if (HeapTupleIsValid(at)) ReleaseSysCache(at);
    r.size = table_size(con->conrelid);
    r.schema_name = get_namespace_name(get_rel_namespace(con->conrelid));
    r.table_name = get_rel_name(con->conrelid);
    r.column_name = get_attname(con->conrelid, fk[i], false);
    r.constraint_name = pstrdup(NameStr(con->conname));
    r.key_columns = n;
    r.is_partition = get_rel_relispartition(con->conrelid);
    bool isnull = true;
#if PG_VERSION_NUM >= 150000
    heap_getattr(tup, Anum_pg_constraint_confdelsetcols, desc, &isnull);
#endif
    r.set_null_columns = !isnull;
    r.match_type = con->confmatchtype;
    r.update_action = con->confupdtype;
    r.delete_action = con->confdeltype;
    r.deferrable = con->condeferrable;
    r.deferred = con->condeferred;
  }
  return true;
}

// Referrers by schema, table, constraint and column, byte-wise: a plan does
// not depend on the order of pg_constraint's heap.
int compare_referrers(const void *a, const void *b) {
  const RawReferrer *x = (const RawReferrer *)a, *y = (const RawReferrer *)b;
  int c = strcmp(x->schema_name, y->schema_name);
  if (c == 0) c = strcmp(x->table_name, y->table_name);
  if (c == 0) c = strcmp(x->constraint_name, y->constraint_name);
  if (c == 0) c = (int)x->att - (int)y->att;
  return c;
}

RawReferrers *read_referrers(Oid rel, AttrNumber att) {
  RawReferrers *out = (RawReferrers *)palloc0(sizeof(RawReferrers));
  out->key_rel = rel;
  out->key_att = att;
  for_each_foreign_key(FkScope::ReferencingTable, rel, visit_referrer, out);
  if (out->count > 1) qsort(out->items, out->count, sizeof(RawReferrer), compare_referrers);
  return out;
}

// Tables whose rows change when rows of `rel` are deleted (ON DELETE CASCADE,
// SET NULL, SET DEFAULT), as "table (constraint)"; NULL if none.
struct RawCascades {
  StringInfoData names;
};

bool visit_cascade(HeapTuple tup, TupleDesc, void *arg) {
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;
  if (con->confdeltype == FKCONSTR_ACTION_NOACTION || con->confdeltype == FKCONSTR_ACTION_RESTRICT) return true;
  RawCascades *c = (RawCascades *)arg;
  appendStringInfo(&c->names, "%s%s (%s)", c->names.len ? ", " : "", qualified_name(con->conrelid),
                   quote_identifier(NameStr(con->conname)));
  return true;
}

const char *cascades_from(Oid rel) {
  RawCascades c;
  initStringInfo(&c.names);
  for_each_foreign_key(FkScope::ReferencingTable, rel, visit_cascade, &c);
  return c.names.len ? c.names.data : NULL;
}

// Is the text exactly one SQL expression? Parsed as the select list of a
// query, it must give one statement with one target, and hold no comment or
// statement separator that could end the script's own text.
bool one_expression(const char *expr) {
  if (strchr(expr, ';') || strstr(expr, "--") || strstr(expr, "/*")) return false;
  List *stmts = raw_parser(psprintf("SELECT (%s)", expr), RAW_PARSE_DEFAULT);
  if (list_length(stmts) != 1) return false;
  Node *stmt = ((RawStmt *)linitial(stmts))->stmt;
  return IsA(stmt, SelectStmt) && list_length(((SelectStmt *)stmt)->targetList) == 1 &&
         ((SelectStmt *)stmt)->fromClause == NIL;
}

bool parses_as_one_expression(const char *expr) {
  MemoryContext caller = CurrentMemoryContext;
  bool ok = false;
  PG_TRY();
  { ok = one_expression(expr); }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller);
    FlushErrorState();
    ok = false;
  }
  PG_END_TRY();
  return ok;
}

// Online mode: what the swap would lose or break by dropping rel.att, as
// "index x, constraint y on t" (empty: nothing). Allowed: the key's primary
// key (index and constraint) and its sequence, every foreign key that
// references the key, and for a referencing column one plain one-column index
// (given back in *index_oid, created again). A default is allowed on the key.
struct RawOnlineColumn {
  const char *blockers;  // NULL: none
  Oid index_oid;
  const char *index_name, *index_qualified, *index_method;
  bool has_default;
};

bool plain_one_column_index(Oid index, AttrNumber att, Oid type) {
  HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(index));
  if (!HeapTupleIsValid(tup)) return false;
  Form_pg_index ix = (Form_pg_index)GETSTRUCT(tup);
  bool ok = ix->indnatts == 1 && ix->indkey.values[0] == att && !ix->indisunique && ix->indisvalid &&
            heap_attisnull(tup, Anum_pg_index_indexprs, NULL) && heap_attisnull(tup, Anum_pg_index_indpred, NULL);
  if (ok) {
    bool isnull;
    Datum d = SysCacheGetAttr(INDEXRELID, tup, Anum_pg_index_indclass, &isnull);
    oidvector *classes = (oidvector *)DatumGetPointer(d);
    HeapTuple rel = SearchSysCache1(RELOID, ObjectIdGetDatum(index));
    Oid am = HeapTupleIsValid(rel) ? ((Form_pg_class)GETSTRUCT(rel))->relam : InvalidOid;
    if (HeapTupleIsValid(rel)) ReleaseSysCache(rel);
    ok = OidIsValid(am) && classes->values[0] == GetDefaultOpClass(type, am);
  }
  ReleaseSysCache(tup);
  return ok;
}

struct RawOnlineScan {
  RawOnlineColumn *out;
  StringInfoData blockers;
  AttrNumber att;
  Oid type, key_rel, pk_index;
  bool is_key;
};

bool visit_online_dependent(Form_pg_depend d, void *arg) {
  RawOnlineScan *c = (RawOnlineScan *)arg;
  RawOnlineColumn *out = c->out;
  bool allowed = false;
  if (d->classid == RelationRelationId) {
    char kind = get_rel_relkind(d->objid);
    if (kind == RELKIND_SEQUENCE) allowed = c->is_key;
    if (kind == RELKIND_INDEX) {
      if (c->is_key)
        allowed = d->objid == c->pk_index;
      else if (!OidIsValid(out->index_oid) && plain_one_column_index(d->objid, c->att, c->type)) {
        allowed = true;
        out->index_oid = d->objid;
        out->index_name = get_rel_name(d->objid);
        out->index_qualified = qualified_name(d->objid);
        HeapTuple ir = SearchSysCache1(RELOID, ObjectIdGetDatum(d->objid));
        if (HeapTupleIsValid(ir)) {
          out->index_method = get_am_name(((Form_pg_class)GETSTRUCT(ir))->relam);
          ReleaseSysCache(ir);
        }
      }
    }
  } else if (d->classid == ConstraintRelationId) {
    HeapTuple ct = SearchSysCache1(CONSTROID, ObjectIdGetDatum(d->objid));
    if (HeapTupleIsValid(ct)) {
      Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(ct);
      allowed = (con->contype == CONSTRAINT_FOREIGN && con->confrelid == c->key_rel) ||
                (c->is_key && con->contype == CONSTRAINT_PRIMARY && con->conindid == c->pk_index);
#if PG_VERSION_NUM >= 180000
      allowed = allowed || con->contype == CONSTRAINT_NOTNULL;
#endif
      ReleaseSysCache(ct);
    }
  } else if (d->classid == AttrDefaultRelationId) {
    out->has_default = true;
    allowed = c->is_key;
  }
  if (allowed) return true;
  ObjectAddress a;
  a.classId = d->classid;
  a.objectId = d->objid;
  a.objectSubId = d->objsubid;
  char *what = getObjectDescription(&a, true);
  if (what) appendStringInfo(&c->blockers, "%s%s", c->blockers.len ? ", " : "", what);
  return true;
}

RawOnlineColumn *online_column(Oid rel, AttrNumber att, Oid key_rel, bool is_key) {
  RawOnlineScan c;
  c.out = (RawOnlineColumn *)palloc0(sizeof(RawOnlineColumn));
  initStringInfo(&c.blockers);
  c.att = att;
  c.type = get_atttype(rel, att);
  c.key_rel = key_rel;
  c.is_key = is_key;
  c.pk_index = InvalidOid;
  if (is_key) {
    Relation r = table_open(rel, AccessShareLock);
    c.pk_index = compat::primary_key_index(r);
    table_close(r, AccessShareLock);
  }
  for_each_column_dependent(rel, att, visit_online_dependent, &c);
  c.out->blockers = c.blockers.len ? c.blockers.data : NULL;
  return c.out;
}

struct RawOnlineKey {
  const char *schema_name, *table_name, *column_name;
  const char *primary_key;  // NULL: the column is not the table's one-column primary key
  char identity;
  bool partitioned, is_partition;
};

RawOnlineKey *online_key(Oid rel, AttrNumber att) {
  RawOnlineKey *k = (RawOnlineKey *)palloc0(sizeof(RawOnlineKey));
  k->schema_name = get_namespace_name(get_rel_namespace(rel));
  k->table_name = get_rel_name(rel);
  k->column_name = get_attname(rel, att, false);
  HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rel), Int16GetDatum(att));
  if (HeapTupleIsValid(at)) {
    k->identity = ((Form_pg_attribute)GETSTRUCT(at))->attidentity;
    ReleaseSysCache(at);
  }
  k->partitioned = get_rel_relkind(rel) == RELKIND_PARTITIONED_TABLE;
  k->is_partition = get_rel_relispartition(rel);
  Relation r = table_open(rel, AccessShareLock);
  Oid pk = compat::primary_key_index(r);
  table_close(r, AccessShareLock);
  if (OidIsValid(pk)) {
    HeapTuple tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pk));
    if (HeapTupleIsValid(tup)) {
      Form_pg_index ix = (Form_pg_index)GETSTRUCT(tup);
      if (ix->indnatts == 1 && ix->indkey.values[0] == att && ix->indimmediate) {
        Oid con = get_index_constraint(pk);
        if (OidIsValid(con)) k->primary_key = get_constraint_name(con);
      }
      ReleaseSysCache(tup);
    }
  }
  return k;
}

}  // namespace

// ---- Citus ----

struct RawCitusTable {
  int kind;                 // citus_rules::Table; Plain: not a Citus table
  AttrNumber dist_att;      // InvalidAttrNumber: none
  const char *dist_column;  // raw
  uint32 colocation;
  int shard_count;
  const char *table;  // qualified, quoted
};

RawCitusTable *citus_table(Oid rel) {
  RawCitusTable *t = (RawCitusTable *)palloc0(sizeof(RawCitusTable));
  citus::Distribution d = citus::distribution_of(rel);
  switch (d.kind) {
    case citus::TableKind::Reference:
      t->kind = (int)citus_rules::Table::Reference;
      break;
    case citus::TableKind::Local:
      t->kind = (int)citus_rules::Table::Local;
      break;
    case citus::TableKind::Distributed:
      t->kind = (int)(d.single_shard ? citus_rules::Table::SingleShard : citus_rules::Table::Distributed);
      break;
    default:
      t->kind = (int)citus_rules::Table::Plain;
      return t;
  }
  t->dist_att = d.dist_att;
  if (d.dist_att != InvalidAttrNumber) t->dist_column = get_attname(rel, d.dist_att, false);
  t->colocation = d.colocation;
  t->shard_count = citus::shard_count(rel);
  t->table = qualified_name(rel);
  return t;
}

struct RawOtherKeys {
  Oid skip[64];  // the referrers' constraints
  int nskip;
  Oid seen[128];
  int nseen;
  const char *table[128], *constraint[128], *definition[128];
  bool too_many;
};

bool visit_other_key(HeapTuple tup, TupleDesc, void *arg) {
  RawOtherKeys *o = (RawOtherKeys *)arg;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;
  for (int i = 0; i < o->nskip; i++)
    if (o->skip[i] == con->oid) return true;
  for (int i = 0; i < o->nseen; i++)
    if (o->seen[i] == con->oid) return true;
  if (o->nseen >= 128) {
    o->too_many = true;
    return false;
  }
  int i = o->nseen++;
  o->seen[i] = con->oid;
  o->table[i] = qualified_name(con->conrelid);
  o->constraint[i] = quote_identifier(pstrdup(NameStr(con->conname)));
  o->definition[i] = TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(con->oid)));
  return true;
}

// The referrers' constraints, by name on their tables.
Oid constraint_oid(Oid rel, const char *quoted_name) {
  Relation r = table_open(ConstraintRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
  SysScanDesc scan = systable_beginscan(r, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
  HeapTuple tup;
  Oid found = InvalidOid;
  while ((tup = systable_getnext(scan)) != NULL) {
    Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
    if (strcmp(quote_identifier(NameStr(con->conname)), quoted_name) == 0) found = con->oid;
  }
  systable_endscan(scan);
  table_close(r, AccessShareLock);
  return found;
}

// What the plan does on Citus (in->citus): a table is distributed again when
// its distribution column changes type (the key's, or a referrer's), or when
// the values go through the temporary map function, which only the
// coordinator has.
void plan_key_for_citus(Oid rel, AttrNumber att, bool mapped, KeyPlanInput *in) {
  struct Member {
    Oid rel;
    AttrNumber att;
  };
  std::vector<Member> members{{rel, att}};
  for (const KeyReferrer &r : in->referrers) members.push_back({(Oid)r.rel_oid, (AttrNumber)r.att});
  std::vector<citus_plans::KeyTable> tables;
  for (const Member &m : members) {
    Oid mr = m.rel;
    const RawCitusTable *t = pg_guard([mr]() { return citus_table(mr); });
    citus_plans::KeyTable k;
    k.kind = (citus_rules::Table)t->kind;
    k.rel = mr;
    if (k.kind != citus_rules::Table::Plain) {
      k.table = t->table;
      if (t->dist_column) k.dist_column = t->dist_column;
      k.column_is_distribution = t->dist_att != InvalidAttrNumber && t->dist_att == m.att;
      k.colocation = t->colocation;
      k.shard_count = t->shard_count;
    }
    tables.push_back(k);
  }
  std::vector<size_t> redistributed = citus_plans::plan_key(tables, mapped, in);
  if (redistributed.empty()) return;
  // Every other foreign key that involves a table distributed again.
  RawOtherKeys *o = (RawOtherKeys *)palloc0(sizeof(RawOtherKeys));
  for (const KeyReferrer &r : in->referrers) {
    if (!r.constraint || o->nskip >= 64) continue;
    Oid rr = (Oid)r.rel_oid;
    const char *name = r.constraint->str().c_str();
    o->skip[o->nskip++] = pg_guard([rr, name]() { return constraint_oid(rr, name); });
  }
  for (size_t i : redistributed) {
    Oid t = members[i].rel;
    pg_guard([t, o]() {
      for_each_foreign_key(FkScope::OnTable, t, visit_other_key, o);
      for_each_foreign_key(FkScope::ReferencingTable, t, visit_other_key, o);
    });
  }
  std::vector<citus_plans::KeyFacts> keys;
  for (int i = 0; i < o->nseen; i++) keys.push_back({o->table[i], o->constraint[i], o->definition[i]});
  citus_plans::add_other_keys(keys, o->too_many, in);
}

// A refusal of the core's rules as the error PostgreSQL raises.
UserError key_plan_refused(const PlanRefused &e) {
  const std::string &c = e.sqlstate;
  int code = c.size() == 5 ? MAKE_SQLSTATE(c[0], c[1], c[2], c[3], c[4]) : ERRCODE_INTERNAL_ERROR;
  return UserError(code, e.what(), e.detail, e.hint);
}

std::string build_key_type_plan(Oid rel, AttrNumber att, Oid new_type, OnUnconvertible mode,
                                const char *new_key_expression, bool include_implied, const OnlineOptions &online) {
  try {
    RawKey *k = pg_guard([rel, att, new_type]() { return read_key(rel, att, new_type); });
    KeyPlanFacts f;
    f.table = k->table;
    f.column = k->column;
    f.old_type = k->old_type;
    f.new_type = k->new_type;
    f.same_type = k->type == new_type;
    f.identity = k->identity;
    if (k->sequence) f.sequence = k->sequence;
    if (k->current_default) f.current_default = k->current_default;
    f.rows = (long long)k->size.rows;
    f.size = k->size.size;
    f.mode = mode;
    f.online = online;
    f.include_implied = include_implied;
    f.no_not_valid_on_partitioned = compat::no_not_valid_foreign_keys_on_partitioned_tables;
    f.integer_target = new_type == INT2OID || new_type == INT4OID || new_type == INT8OID;
    f.uuid_target = new_type == UUIDOID;
    if (new_key_expression) {
      f.new_key_expression = std::string(new_key_expression);
      const char *e = new_key_expression;
      f.expression_is_one_expression = pg_guard([e]() { return parses_as_one_expression(e); });
    }
    if (f.same_type) key_type_plan_precheck(f);
    f.blockers = column_blockers_of(rel, att);
    Oid old_type = k->type;
    f.conversion = pg_guard([old_type, new_type]() { return conversion_of(old_type, new_type); });
    key_type_plan_precheck(f);
    bool mapped = f.conversion == Conversion::None;
    if (!mapped) {
      ColumnProfile prof = profile_column(rel, att, new_type, -1, InvalidOid, InvalidAttrNumber, 3);
      f.profiled = prof.profiled;
      f.not_profiled_reason = prof.not_profiled_reason;
      f.rows_unconvertible = prof.rows_unconvertible;
      f.sample_unconvertible = prof.sample_unconvertible;
    }

    RawReferrers *refs = pg_guard([rel, att]() { return read_referrers(rel, att); });
    for (int i = 0; i < refs->count; i++) {
      const RawReferrer &r = refs->items[i];
      KeyPlanReferrerFacts kr;
      kr.table = r.table;
      kr.column = r.column;
      kr.constraint = r.constraint;
      kr.definition = r.definition;
      kr.source_type = r.source_type;
      Oid from = r.type;
      kr.conversion = pg_guard([from, new_type]() { return conversion_of(from, new_type); });
      kr.not_valid = r.not_valid;
      kr.partitioned = r.partitioned;
      kr.is_partition = r.is_partition;
      kr.same_table = r.same_table;
      kr.not_null = r.not_null;
      kr.rows = (long long)r.size.rows;
      kr.size = r.size.size;
      kr.schema_name = r.schema_name;
      kr.table_name = r.table_name;
      kr.column_name = r.column_name;
      kr.constraint_name = r.constraint_name;
      kr.key_columns = r.key_columns;
      kr.set_null_columns = r.set_null_columns;
      kr.match_type = r.match_type;
      kr.update_action = r.update_action;
      kr.delete_action = r.delete_action;
      kr.deferrable = r.deferrable;
      kr.deferred = r.deferred;
      kr.blockers = column_blockers_of(r.rel, r.att);
      kr.rel_oid = r.rel;
      kr.att = r.att;
      if (mapped && mode == OnUnconvertible::Delete) {
        Oid rr = r.rel;
        const char *cascades = pg_guard([rr]() { return cascades_from(rr); });
        if (cascades) kr.cascades = cascades;
      }
      if (online.enabled) {
        Oid rr = r.rel;
        AttrNumber ra = r.att;
        RawOnlineColumn *oc = pg_guard([rr, ra, rel]() { return online_column(rr, ra, rel, false); });
        if (oc->blockers) kr.online_blockers = oc->blockers;
        kr.online_has_default = oc->has_default;
        if (OidIsValid(oc->index_oid)) {
          kr.index = oc->index_qualified;
          kr.index_name = oc->index_name;
          kr.index_method = oc->index_method;
        }
      }
      f.referrers.push_back(kr);
    }

    if (online.enabled) {
      RawOnlineKey *ok = pg_guard([rel, att]() { return online_key(rel, att); });
      f.key_partitioned = ok->partitioned;
      f.key_is_partition = ok->is_partition;
      if (ok->primary_key) f.primary_key_name = ok->primary_key;
      f.identity_kind = ok->identity;
      f.schema_name = ok->schema_name;
      f.table_name = ok->table_name;
      f.column_name = ok->column_name;
      RawOnlineColumn *oc = pg_guard([rel, att]() { return online_column(rel, att, rel, true); });
      if (oc->blockers) f.online_blockers = oc->blockers;
    } else if (include_implied) {
      struct RawPath {
        Oid *oids;
        int n;
      };
      RawPath rp = pg_guard([]() {
        List *p = fetch_search_path(false);
        RawPath r{(Oid *)palloc(sizeof(Oid) * (list_length(p) + 1)), 0};
        ListCell *lc;
        foreach (lc, p) r.oids[r.n++] = lfirst_oid(lc);
        return r;
      });
      std::vector<Oid> path(rp.oids, rp.oids + rp.n);
      for (const ImpliedPair &ip : implied_key_pairs(path)) {
        if (ip.pair.referenced_rel != rel || ip.pair.referenced_att != att) continue;
        Oid rr = ip.pair.referencing_rel;
        AttrNumber ra = ip.pair.referencing_att;
        RawReferrer *r = pg_guard([rr, ra]() {
          RawReferrer *x = (RawReferrer *)palloc0(sizeof(RawReferrer));
          x->table = qualified_name(rr);
          x->column = quote_identifier(get_attname(rr, ra, false));
          x->type = get_atttype(rr, ra);
          x->source_type = format_type_be(x->type);
          x->size = table_size(rr);
          return x;
        });
        KeyPlanImpliedFacts ir;
        ir.table = r->table;
        ir.column = r->column;
        ir.source_type = r->source_type;
        Oid from = r->type;
        ir.conversion = pg_guard([from, new_type]() { return conversion_of(from, new_type); });
        ir.same_base_type = pg_guard([from]() { return getBaseType(from); }) ==
                            pg_guard([old_type]() { return getBaseType(old_type); });
        ir.same_table = rr == rel;
        ir.rows = (long long)r->size.rows;
        ir.size = r->size.size;
        ir.blockers = column_blockers_of(rr, ra);
        ir.rel_oid = rr;
        ir.att = ra;
        f.implied.push_back(ir);
      }
    }
    if (!pg_guard([]() { return citus::installed(); })) return key_type_plan_from_facts(f);
    return key_type_plan_from_facts(
        f, [rel, att, mapped](KeyPlanInput &in) { plan_key_for_citus(rel, att, mapped, &in); });
  } catch (const PlanRefused &e) {
    throw key_plan_refused(e);
  }
}

}  // namespace fkg
