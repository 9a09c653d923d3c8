#include "fix_plan.hpp"

#include <stdexcept>

#include "../core/pair_text.hpp"
#include "catalog_pairs.hpp"
#include "catalog_scan.hpp"
#include "citus.hpp"
#include "../core/citus_plans.hpp"
#include "compat.hpp"

namespace fkg {

using sql::Ident;

namespace {

struct RawNames {
  const char *table_q;   // qualified, quoted
  const char *column_q;  // quoted
  bool not_null;
};

RawNames *read_names(Oid rel, AttrNumber att) {
  RawNames *n = (RawNames *)palloc0(sizeof(RawNames));
  n->table_q = quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel));
  n->column_q = quote_identifier(get_attname(rel, att, false));
  HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rel), Int16GetDatum(att));
  n->not_null = HeapTupleIsValid(tup) && ((Form_pg_attribute)GETSTRUCT(tup))->attnotnull;
  if (HeapTupleIsValid(tup)) ReleaseSysCache(tup);
  return n;
}

// ---- Mapping discovery ----

struct RawMapping {
  const char *column;  // quoted
  int64 covered, total, ambiguous;
  const char *samples[3];  // values with several candidate keys
  int nsamples;
};

// Is equality on this type PostgreSQL's own code (not an operator someone
// created)? Mapping only compares through such operators.
bool system_equality(Oid type) {
  TypeCacheEntry *tc = lookup_type_cache(type, TYPECACHE_EQ_OPR);
  return OidIsValid(tc->eq_opr) && tc->eq_opr < FirstNormalObjectId && get_opcode(tc->eq_opr) < FirstNormalObjectId;
}

// Columns of the referenced table with the referencing column's type whose
// values cover the referencing values (e.g. users.legacy_uuid for uuids in
// sessions."userId"); the best one, through the executor as the caller, with
// the values that match several rows counted.
RawMapping *best_mapping(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt) {
  RawMapping *best = NULL;
  MemoryContext caller = CurrentMemoryContext;  // SPI_finish frees what SPI's context holds
  Oid type = getBaseType(get_atttype(rel, att));
  if (!system_equality(type)) return NULL;
  const char *table = quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel));
  const char *reftable =
      quote_qualified_identifier(get_namespace_name(get_rel_namespace(refrel)), get_rel_name(refrel));
  const char *col = quote_identifier(get_attname(rel, att, false));
  HeapTuple reltup = SearchSysCache1(RELOID, ObjectIdGetDatum(refrel));
  if (!HeapTupleIsValid(reltup)) return NULL;
  int natts = ((Form_pg_class)GETSTRUCT(reltup))->relnatts;
  ReleaseSysCache(reltup);
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
  for (AttrNumber a = 1; a <= natts; a++) {
    if (a == refatt) continue;
    HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(refrel), Int16GetDatum(a));
    if (!HeapTupleIsValid(tup)) continue;
    Form_pg_attribute attr = (Form_pg_attribute)GETSTRUCT(tup);
    bool usable = !attr->attisdropped && getBaseType(attr->atttypid) == type;
    const char *cand = quote_identifier(pstrdup(NameStr(attr->attname)));
    ReleaseSysCache(tup);
    if (!usable) continue;
    const char *matches =
        psprintf("(SELECT pg_catalog.count(*) FROM %s r WHERE r.%s OPERATOR(pg_catalog.=) t.%s)", reftable, cand, col);
    char *q = psprintf(
        "SELECT pg_catalog.count(*) FILTER (WHERE m >= 1), pg_catalog.count(*), "
        "pg_catalog.count(*) FILTER (WHERE m > 1) FROM (SELECT %s AS m FROM %s t WHERE t.%s IS NOT NULL) s",
        matches, table, col);
    if (SPI_execute(q, false, 1) != SPI_OK_SELECT || SPI_processed != 1) continue;
    bool isnull;
    int64 covered = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    int64 total = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
    int64 ambiguous = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
    if (covered > 0 && (best == NULL || covered > best->covered)) {
      if (best == NULL) best = (RawMapping *)MemoryContextAllocZero(caller, sizeof(RawMapping));
      best->column = MemoryContextStrdup(caller, cand);
      best->covered = covered;
      best->total = total;
      best->ambiguous = ambiguous;
      best->nsamples = 0;
      if (ambiguous > 0 &&
          SPI_execute(psprintf("SELECT DISTINCT t.%s FROM %s t WHERE %s > 1 LIMIT 3", col, table, matches), false, 3) ==
              SPI_OK_SELECT) {
        for (uint64 i = 0; i < SPI_processed && i < 3; i++) {
          char *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
          if (v) best->samples[best->nsamples++] = MemoryContextStrdup(caller, v);
        }
      }
    }
  }
  SPI_finish();
  return best;
}

// ---- Catalog facts ----

struct RawPlanFacts {
  const char *source_type;
  const char *target_type;
  Oid source, target;
  int32 source_typmod, target_typmod;
  bool rewrites;
  const char *kept;          // quoted: a foreign key on exactly this pair, kept and rebuilt by PostgreSQL
  const char *add;           // quoted: the name for a new one
  const char *lost_default;  // the DEFAULT that cannot become the target type
  char source_category, target_category;
  const char *source_base, *target_base;  // typnames of the base types
  const char **notes;                     // other constraints that involve the column
  int nnotes;
  const char *collation;   // quoted: the referenced column's collation, when the column's differs
  bool partitioned;        // the referencing table is partitioned
  const char *blockers;    // views, rules, policies and generated columns that use the column
  const char *owner_code;  // triggers and CHECK functions owned by ordinary roles
};

struct PlanScan {
  RawPlanFacts *facts;
  AttrNumber att;
  Oid refrel;
  AttrNumber refatt;
};

bool visit_plan_constraint(HeapTuple tup, TupleDesc desc, void *arg) {
  PlanScan *p = (PlanScan *)arg;
  RawPlanFacts *f = p->facts;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  bool uses = false;
  for (int i = 0; i < n; i++) uses = uses || fk[i] == p->att;
  if (!uses) return true;
  const char *name = quote_identifier(pstrdup(NameStr(con->conname)));
  if (n == 1 && con->confrelid == p->refrel && pk[0] == p->refatt && f->kept == NULL) {
    f->kept = name;
  } else if (f->nnotes < 63) {
    f->notes[f->nnotes++] =
        psprintf("Kept: %s also uses this column; PostgreSQL rebuilds it when the type changes.", name);
  }
  return true;
}

const char *default_that_cannot_stay(Oid rel, AttrNumber att, Oid source, Oid target) {
  Relation r = table_open(rel, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  const char *lost = NULL;
  if (desc->constr && TupleDescAttr(desc, att - 1)->atthasdef) {
    for (int i = 0; i < desc->constr->num_defval; i++) {
      AttrDefault *d = &desc->constr->defval[i];
      if (d->adnum != att) continue;
      Oid from = source;
      Oid to = target;
      if (!can_coerce_type(1, &from, &to, COERCION_ASSIGNMENT))
        lost =
            TextDatumGetCString(DirectFunctionCall2(pg_get_expr, CStringGetTextDatum(d->adbin), ObjectIdGetDatum(rel)));
    }
  }
  table_close(r, AccessShareLock);
  return lost;
}

// Appends "<item>" to a "; "-separated list, once.
void append_once(StringInfo buf, const char *item) {
  if (item == NULL || strstr(buf->data, item) != NULL) return;
  if (buf->len > 0) appendStringInfoString(buf, "; ");
  appendStringInfoString(buf, item);
}

// The column a pg_attrdef row belongs to.
AttrNumber default_column(Oid attrdef) {
  Relation rel = table_open(AttrDefaultRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_attrdef_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(attrdef));
  SysScanDesc scan = systable_beginscan(rel, AttrDefaultOidIndexId, true, NULL, 1, &key);
  HeapTuple tup = systable_getnext(scan);
  AttrNumber att = HeapTupleIsValid(tup) ? ((Form_pg_attrdef)GETSTRUCT(tup))->adnum : InvalidAttrNumber;
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return att;
}

// What makes ALTER COLUMN ... TYPE refuse the column: views and rules,
// policies and generated columns that use it (their pg_depend rows on the
// column). NULL if nothing does. Catalog only.
struct RawBlockers {
  StringInfoData buf;
  AttrNumber att;
};

bool visit_blocker(Form_pg_depend d, void *arg) {
  RawBlockers *b = (RawBlockers *)arg;
  // A default that depends on another column is a generated column's.
  if (d->classid != RewriteRelationId && d->classid != PolicyRelationId && d->classid != AttrDefaultRelationId)
    return true;
  if (d->classid == AttrDefaultRelationId && default_column(d->objid) == b->att) return true;  // its own default
  ObjectAddress obj;
  obj.classId = d->classid;
  obj.objectId = d->objid;
  obj.objectSubId = d->objsubid;
  append_once(&b->buf, getObjectDescription(&obj, true));
  return true;
}

const char *column_blockers(Oid rel, AttrNumber att) {
  RawBlockers b;
  initStringInfo(&b.buf);
  b.att = att;
  for_each_column_dependent(rel, att, visit_blocker, &b);
  return b.buf.len > 0 ? b.buf.data : NULL;
}

// Is this function code of an ordinary role (not built in, not a superuser's)?
const char *ordinary_role_code(Oid fn) {
  if (fn < FirstNormalObjectId) return NULL;
  HeapTuple tup = SearchSysCache1(PROCOID, ObjectIdGetDatum(fn));
  if (!HeapTupleIsValid(tup)) return NULL;
  Oid owner = ((Form_pg_proc)GETSTRUCT(tup))->proowner;
  ReleaseSysCache(tup);
  if (superuser_arg(owner)) return NULL;
  const char *role = GetUserNameFromId(owner, true);
  return psprintf("%s, owned by %s", format_procedure(fn), quote_identifier(role ? role : "?"));
}

// Code of ordinary roles that the script's statements run with the privileges
// of whoever runs it: the table's triggers, and functions its CHECK
// constraints call. NULL if there is none. Catalog only.
const char *owner_code_on(Oid rel) {
  StringInfoData buf;
  initStringInfo(&buf);
  Relation trg = table_open(TriggerRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
  SysScanDesc scan = systable_beginscan(trg, TriggerRelidNameIndexId, true, NULL, 1, &key);
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL) {
    Form_pg_trigger t = (Form_pg_trigger)GETSTRUCT(tup);
    const char *code = t->tgisinternal ? NULL : ordinary_role_code(t->tgfoid);
    if (code) append_once(&buf, psprintf("trigger %s calls %s", quote_identifier(NameStr(t->tgname)), code));
  }
  systable_endscan(scan);
  table_close(trg, AccessShareLock);

  Relation con = table_open(ConstraintRelationId, AccessShareLock);
  Relation dep = table_open(DependRelationId, AccessShareLock);
  ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
  scan = systable_beginscan(con, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
  while ((tup = systable_getnext(scan)) != NULL) {
    Form_pg_constraint c = (Form_pg_constraint)GETSTRUCT(tup);
    if (c->contype != CONSTRAINT_CHECK) continue;
    ScanKeyData dkey[2];
    ScanKeyInit(&dkey[0], Anum_pg_depend_classid, BTEqualStrategyNumber, F_OIDEQ,
                ObjectIdGetDatum(ConstraintRelationId));
    ScanKeyInit(&dkey[1], Anum_pg_depend_objid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(c->oid));
    SysScanDesc dscan = systable_beginscan(dep, DependDependerIndexId, true, NULL, 2, dkey);
    HeapTuple dtup;
    while ((dtup = systable_getnext(dscan)) != NULL) {
      Form_pg_depend d = (Form_pg_depend)GETSTRUCT(dtup);
      const char *code = d->refclassid == ProcedureRelationId ? ordinary_role_code(d->refobjid) : NULL;
      if (code)
        append_once(&buf, psprintf("CHECK constraint %s calls %s", quote_identifier(NameStr(c->conname)), code));
    }
    systable_endscan(dscan);
  }
  systable_endscan(scan);
  table_close(dep, AccessShareLock);
  table_close(con, AccessShareLock);
  return buf.len > 0 ? buf.data : NULL;
}

RawPlanFacts *plan_facts(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt) {
  RawPlanFacts *f = (RawPlanFacts *)palloc0(sizeof(RawPlanFacts));
  Oid coll, refcoll;
  get_atttypetypmodcoll(rel, att, &f->source, &f->source_typmod, &coll);
  f->source_type = format_type_with_typemod(f->source, f->source_typmod);
  get_atttypetypmodcoll(refrel, refatt, &f->target, &f->target_typmod, &refcoll);
  if (OidIsValid(refcoll) && refcoll != coll && refcoll != DEFAULT_COLLATION_OID)
    f->collation = generate_collation_name(refcoll);
  else if (OidIsValid(refcoll) && OidIsValid(coll) && refcoll != coll)
    f->collation = "\"default\"";
  f->partitioned = get_rel_relkind(rel) == RELKIND_PARTITIONED_TABLE;
  f->blockers = column_blockers(rel, att);
  f->owner_code = owner_code_on(rel);
  f->target = getBaseType(f->target);
  f->target_type = format_type_with_typemod(f->target, f->target_typmod);
  Oid source_base = getBaseType(f->source);
  f->source_category = TypeCategory(source_base);
  f->target_category = TypeCategory(f->target);
  f->source_base = format_type_be(source_base);
  f->target_base = format_type_be(f->target);
  f->rewrites =
      !(IsBinaryCoercible(f->source, f->target) && (f->target_typmod < 0 || f->target_typmod == f->source_typmod));
  f->notes = (const char **)palloc0(sizeof(char *) * 64);
  PlanScan scan{f, att, refrel, refatt};
  for_each_foreign_key(FkScope::OnTable, rel, visit_plan_constraint, &scan);
  if (f->kept == NULL)
    f->add = quote_identifier(
        ChooseConstraintName(get_rel_name(rel), get_attname(rel, att, false), "fkey", get_rel_namespace(rel), NIL));
  if (getBaseType(f->source) != f->target) f->lost_default = default_that_cannot_stay(rel, att, f->source, f->target);
  return f;
}

// ---- What ON DELETE does to other tables ----

struct RawReferrer {
  Oid rel;
  const char *constraint;  // quoted
  char action;             // confdeltype
  int n;
  int16 fk[INDEX_MAX_KEYS], pk[INDEX_MAX_KEYS];
};

struct RawReferrers {
  RawReferrer items[64];
  int n;
};

bool visit_referrer(HeapTuple tup, TupleDesc desc, void *arg) {
  RawReferrers *out = (RawReferrers *)arg;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;  // a partition's clone: its parent speaks for it
  char a = con->confdeltype;
  if (a != FKCONSTR_ACTION_CASCADE && a != FKCONSTR_ACTION_SETNULL && a != FKCONSTR_ACTION_SETDEFAULT) return true;
  if (out->n >= 64) return false;
  RawReferrer *r = &out->items[out->n++];
  r->rel = con->conrelid;
  r->constraint = quote_identifier(pstrdup(NameStr(con->conname)));
  r->action = a;
  int16 *fk, *pk;
  r->n = constraint_key_columns(tup, desc, &fk, &pk);
  for (int i = 0; i < r->n; i++) {
    r->fk[i] = fk[i];
    r->pk[i] = pk[i];
  }
  return true;
}

RawReferrers *referrers_of(Oid rel) {
  RawReferrers *out = (RawReferrers *)palloc0(sizeof(RawReferrers));
  for_each_foreign_key(FkScope::ReferencingTable, rel, visit_referrer, out);
  return out;
}

std::string qualified(Oid rel) {
  return pg_guard([rel]() {
    return (const char *)quote_qualified_identifier(get_namespace_name(get_rel_namespace(rel)), get_rel_name(rel));
  });
}

std::string column_list(Oid rel, const int16 *atts, int n, const std::string &alias) {
  std::string out;
  for (int i = 0; i < n; i++) {
    AttrNumber a = atts[i];
    const char *name = pg_guard([rel, a]() { return (const char *)quote_identifier(get_attname(rel, a, false)); });
    out += (i ? ", " : "") + alias + "." + name;
  }
  return out;
}

int64 count_rows(const std::string &query) {
  const char *q = query.c_str();
  return pg_guard([q]() {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    int64 n = 0;
    bool isnull = true;
    if (SPI_execute(q, true, 1) == SPI_OK_SELECT && SPI_processed == 1)
      n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
    SPI_finish();
    return isnull ? (int64)0 : n;
  });
}

// Rows of other tables that deleting `rows_sql` (a FROM ... WHERE ... over
// `parent` under alias `alias`) changes, following ON DELETE CASCADE down.
void collect_cascades(Oid parent, const std::string &from_where, const std::string &alias, int depth,
                      std::vector<Oid> &path, std::vector<CascadeEffect> &out) {
  RawReferrers *refs = pg_guard([parent]() { return referrers_of(parent); });
  for (int i = 0; i < refs->n; i++) {
    const RawReferrer &r = refs->items[i];
    std::string child_alias = "c" + std::to_string(depth);
    std::string child_from_where = "FROM " + qualified(r.rel) + " " + child_alias + " WHERE (" +
                                   column_list(r.rel, r.fk, r.n, child_alias) + ") IN (SELECT " +
                                   column_list(parent, r.pk, r.n, alias) + " " + from_where + ")";
    CascadeEffect e;
    e.table = qualified(r.rel);
    e.constraint = r.constraint;
    e.action = r.action == FKCONSTR_ACTION_CASCADE   ? "CASCADE"
               : r.action == FKCONSTR_ACTION_SETNULL ? "SET NULL"
                                                     : "SET DEFAULT";
    e.rows = count_rows("SELECT pg_catalog.count(*) " + child_from_where);
    if (e.rows == 0) continue;
    out.push_back(e);
    bool cycle = false;
    for (Oid seen : path) cycle = cycle || seen == r.rel;
    if (r.action == FKCONSTR_ACTION_CASCADE && !cycle && depth < 8) {
      path.push_back(r.rel);
      collect_cascades(r.rel, child_from_where, child_alias, depth + 1, path, out);
      path.pop_back();
    }
  }
}

// ---- Citus ----

struct RawCitusKey {
  Oid oid;
  const char *table;       // qualified, quoted
  const char *constraint;  // quoted
  const char *definition;  // pg_get_constraintdef(), under the function's search_path
  bool on_pair;            // rel.att -> refrel.refatt exactly
  bool references_column;  // another table's key referencing rel.att
};

struct RawCitusPlan {
  int kind;                   // citus_rules::Table
  bool distribution_column;   // att is the table's distribution column
  const char *dist_column;    // raw
  const char *colocate_with;  // qualified, quoted: a table to colocate with, or NULL for "default"
  bool referenced_distributed;
  int shard_count;
  RawCitusKey keys[64];
  int nkeys;
  bool too_many;
};

struct CitusKeyScan {
  RawCitusPlan *plan;
  Oid rel, refrel;
  AttrNumber att, refatt;
};

bool visit_citus_key(HeapTuple tup, TupleDesc desc, void *arg) {
  CitusKeyScan *scan = (CitusKeyScan *)arg;
  RawCitusPlan *p = scan->plan;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;  // a partition's clone goes with its parent
  for (int i = 0; i < p->nkeys; i++)
    if (p->keys[i].oid == con->oid) return true;  // a self-reference, seen from both sides
  if (p->nkeys >= 64) {
    p->too_many = true;
    return false;
  }
  RawCitusKey *k = &p->keys[p->nkeys++];
  k->oid = con->oid;
  k->table =
      quote_qualified_identifier(get_namespace_name(get_rel_namespace(con->conrelid)), get_rel_name(con->conrelid));
  k->constraint = quote_identifier(pstrdup(NameStr(con->conname)));
  k->definition = TextDatumGetCString(DirectFunctionCall1(pg_get_constraintdef, ObjectIdGetDatum(con->oid)));
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  k->on_pair = con->conrelid == scan->rel && con->confrelid == scan->refrel && n == 1 && fk[0] == scan->att &&
               pk[0] == scan->refatt;
  k->references_column = false;
  if (con->confrelid == scan->rel)
    for (int i = 0; i < n; i++) k->references_column = k->references_column || pk[i] == scan->att;
  return true;
}

// The referencing table on Citus: NULL when it is no Citus table.
RawCitusPlan *citus_plan_facts(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt) {
  if (!citus::installed()) return NULL;
  citus::Distribution d = citus::distribution_of(rel);
  if (d.kind == citus::TableKind::None) return NULL;
  RawCitusPlan *p = (RawCitusPlan *)palloc0(sizeof(RawCitusPlan));
  switch (d.kind) {
    case citus::TableKind::Reference:
      p->kind = (int)citus_rules::Table::Reference;
      break;
    case citus::TableKind::Local:
      p->kind = (int)citus_rules::Table::Local;
      break;
    default:
      p->kind = (int)(d.single_shard ? citus_rules::Table::SingleShard : citus_rules::Table::Distributed);
  }
  p->distribution_column = d.dist_att != InvalidAttrNumber && d.dist_att == att;
  if (d.dist_att != InvalidAttrNumber) p->dist_column = get_attname(rel, d.dist_att, false);
  // A distribution column that changes type can only be colocated with the
  // referenced table (if distributed) or with none of its old group.
  Oid with = InvalidOid;
  p->referenced_distributed = citus::distribution_of(refrel).kind == citus::TableKind::Distributed;
  if (p->distribution_column) {
    if (citus::distribution_of(refrel).kind == citus::TableKind::Distributed && refrel != rel) with = refrel;
  } else {
    with = citus::colocated_table(rel);
  }
  if (OidIsValid(with))
    p->colocate_with = quote_qualified_identifier(get_namespace_name(get_rel_namespace(with)), get_rel_name(with));
  p->shard_count = citus::shard_count(rel);
  CitusKeyScan scan{p, rel, refrel, att, refatt};
  for_each_foreign_key(FkScope::OnTable, rel, visit_citus_key, &scan);
  for_each_foreign_key(FkScope::ReferencingTable, rel, visit_citus_key, &scan);
  return p;
}

// What the plan does on Citus (in->citus): the facts of the referencing
// table, the decisions of src/core/citus_plans.
void plan_for_citus(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt, bool mapping, PlanInput *in) {
  RawCitusPlan *c = pg_guard([rel, att, refrel, refatt]() { return citus_plan_facts(rel, att, refrel, refatt); });
  if (c == nullptr) return;
  citus_plans::FixFacts f;
  f.kind = (citus_rules::Table)c->kind;
  f.distribution_column = c->distribution_column;
  if (c->dist_column) f.dist_column = c->dist_column;
  if (c->colocate_with) f.colocate_with = c->colocate_with;
  f.referenced_distributed = c->referenced_distributed;
  f.shard_count = c->shard_count;
  f.too_many = c->too_many;
  for (int i = 0; i < c->nkeys; i++) {
    const RawCitusKey &k = c->keys[i];
    f.keys.push_back({k.table, k.constraint, k.definition, k.on_pair, k.references_column});
  }
  citus_plans::plan_fix(f, mapping, in);
}

}  // namespace

bool surrogate_key_may_follow(Oid rel, AttrNumber att, Oid referencing_type) {
  if (att <= 0) return false;
  HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rel), Int16GetDatum(att));
  if (!HeapTupleIsValid(tup)) return false;
  Form_pg_attribute a = (Form_pg_attribute)GETSTRUCT(tup);
  bool filled = a->attidentity != '\0' || a->atthasdef;
  ReleaseSysCache(tup);
  // Surrogate keys are integers or uuids; a key is not turned into text or a date.
  Oid t = getBaseType(referencing_type);
  if (!filled || (t != INT2OID && t != INT4OID && t != INT8OID && t != UUIDOID)) return false;
  Relation r = table_open(rel, AccessShareLock);
  Oid pk = compat::primary_key_index(r);
  table_close(r, AccessShareLock);
  if (!OidIsValid(pk)) return false;
  HeapTuple idx = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pk));
  if (!HeapTupleIsValid(idx)) return false;
  Form_pg_index index = (Form_pg_index)GETSTRUCT(idx);
  bool single = index->indnkeyatts == 1 && index->indkey.values[0] == att;
  ReleaseSysCache(idx);
  return single;
}

std::string mapping_column_of(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt) {
  RawMapping *m = pg_guard([rel, att, refrel, refatt]() { return best_mapping(rel, att, refrel, refatt); });
  if (m == nullptr || m->ambiguous > 0 || m->covered < m->total) return "";
  return m->column;
}

std::string column_blockers_of(Oid rel, AttrNumber att) {
  const char *b = pg_guard([rel, att]() { return column_blockers(rel, att); });
  return b ? b : "";
}

// A refusal of the core's plan writer as the error PostgreSQL raises.
UserError plan_refused_error(const PlanRefused &e) {
  const std::string &c = e.sqlstate;
  int code = c.size() == 5 ? MAKE_SQLSTATE(c[0], c[1], c[2], c[3], c[4]) : ERRCODE_INTERNAL_ERROR;
  return UserError(code, e.what(), e.detail, e.hint);
}

std::string build_fix_plan(Oid rel, AttrNumber att, Oid refrel, AttrNumber refatt, OnUnconvertible mode,
                           const ColumnProfile *prof, bool allow_cascade, const char *constraint_name) {
  RawNames *fk = pg_guard([rel, att]() { return read_names(rel, att); });
  RawNames *pk = pg_guard([refrel, refatt]() { return read_names(refrel, refatt); });
  RawPlanFacts *f = pg_guard([rel, att, refrel, refatt]() { return plan_facts(rel, att, refrel, refatt); });
  FixPlanFacts facts;
  facts.table_q = fk->table_q;
  facts.column_q = fk->column_q;
  facts.referenced_table_q = pk->table_q;
  facts.referenced_column_q = pk->column_q;
  facts.not_null = fk->not_null;
  facts.source_type = f->source_type;
  facts.target_type = f->target_type;
  facts.target_typmod = f->target_typmod;
  facts.source_base = f->source_base;
  facts.target_base = f->target_base;
  facts.source_category = f->source_category;
  facts.target_category = f->target_category;
  if (f->blockers) facts.blockers = f->blockers;
  if (f->owner_code) facts.owner_code = f->owner_code;
  if (f->kept) facts.kept = f->kept;
  if (f->add) facts.add = f->add;
  for (int i = 0; i < f->nnotes; i++) facts.notes.push_back(f->notes[i]);
  if (constraint_name)
    facts.wanted_constraint = pg_guard([constraint_name]() { return quote_identifier(constraint_name); });
  if (f->lost_default) facts.lost_default = f->lost_default;
  if (f->collation) facts.collation = f->collation;
  facts.partitioned = f->partitioned && compat::no_not_valid_foreign_keys_on_partitioned_tables;
  facts.rewrites = f->rewrites;
  facts.mode = mode;
  if (prof)
    facts.counts = PlanCounts{prof->rows_total, prof->rows_null, prof->rows_convertible, prof->rows_unconvertible,
                              prof->orphans_checked ? prof->rows_orphaned : -1};
  try {
    fix_plan_precheck(facts);
    if (fix_plan_wants_mapping(facts)) {
      RawMapping *mapping = pg_guard([rel, att, refrel, refatt]() { return best_mapping(rel, att, refrel, refatt); });
      if (mapping) {
        PlanMapping map;
        map.column = Ident::checked(mapping->column);
        map.covered = mapping->covered;
        map.total = mapping->total;
        map.ambiguous = mapping->ambiguous;
        for (int i = 0; i < mapping->nsamples; i++) map.ambiguous_samples.push_back(mapping->samples[i]);
        facts.mapping = map;
      }
    }
    facts.conversion = conversion_expression(f->source, f->target, f->target_typmod, fk->column_q);
    facts.guarded_conversion = guarded_conversion_expression(f->source, f->target, f->target_typmod, fk->column_q);
    PlanInput in = fix_plan_input(facts);
    plan_for_citus(rel, att, refrel, refatt, mode == OnUnconvertible::Map && in.mapping != nullptr, &in);
    if (mode == OnUnconvertible::Delete) {
      std::vector<Oid> path{rel};
      collect_cascades(rel, "FROM " + in.table.str() + " t WHERE " + lost_rows_predicate(in), "t", 1, path,
                       in.cascades);
    }
    return finish_fix_plan(in, allow_cascade);
  } catch (const PlanRefused &e) {
    throw plan_refused_error(e);
  }
}

}  // namespace fkg
