#include "guard_dropped.hpp"

#include "catalog_pairs.hpp"
#include "catalog_scan.hpp"
#include "compat.hpp"

namespace fkg {

namespace {

// One column pair of a dropped key. Allocated in TopTransactionContext,
// forgotten when the transaction ends.
struct Dropped {
  Oid conrelid;
  char *attname;  // the referencing column's name when the key was dropped
  Oid confrelid;
  AttrNumber confkey;
  char *conname;
};

List *dropped_keys = NIL;

void forget(XactEvent event, void *) {
  switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    case XACT_EVENT_PREPARE:
      dropped_keys = NIL;  // its memory goes with TopTransactionContext
      break;
    default:
      break;
  }
}

void remember(HeapTuple tup, Oid rel) {
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  bool null_conkey, null_confkey;
  Datum conkey = SysCacheGetAttr(CONSTROID, tup, Anum_pg_constraint_conkey, &null_conkey);
  Datum confkey = SysCacheGetAttr(CONSTROID, tup, Anum_pg_constraint_confkey, &null_confkey);
  if (null_conkey || null_confkey) return;
  ArrayType *fk = DatumGetArrayTypeP(conkey), *pk = DatumGetArrayTypeP(confkey);
  int n = ArrayGetNItems(ARR_NDIM(fk), ARR_DIMS(fk));
  if (n != ArrayGetNItems(ARR_NDIM(pk), ARR_DIMS(pk))) return;
  const int16 *fkatts = (const int16 *)ARR_DATA_PTR(fk), *pkatts = (const int16 *)ARR_DATA_PTR(pk);
  for (int i = 0; i < n; i++) {
    char *attname = get_attname(rel, fkatts[i], true);
    if (attname == NULL) continue;
    // Only what is kept goes into the transaction's context.
    MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
    Dropped *d = (Dropped *)palloc0(sizeof(Dropped));
    d->conrelid = rel;
    d->attname = pstrdup(attname);
    d->confrelid = con->confrelid;
    d->confkey = pkatts[i];
    d->conname = pstrdup(NameStr(con->conname));
    dropped_keys = lappend(dropped_keys, d);
    MemoryContextSwitchTo(old);
  }
}

struct LiveSearch {
  AttrNumber att;
  bool found;
};

bool find_live(HeapTuple tup, TupleDesc desc, void *arg) {
  LiveSearch *s = (LiveSearch *)arg;
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  for (int i = 0; i < n && !s->found; i++) s->found = pk[i] == s->att;
  return !s->found;
}

// By table, then column, as messages list them: not in the order a tool
// happened to drop them.
int by_name(const void *a, const void *b) {
  const DroppedReferrer *x = (const DroppedReferrer *)a, *y = (const DroppedReferrer *)b;
  int c = strcmp(x->table, y->table);
  return c != 0 ? c : strcmp(x->column, y->column);
}

}  // namespace

void note_dropped_keys(AlterTableStmt *stmt) {
  if (compat::alter_table_object_type(stmt) != OBJECT_TABLE) return;
  ListCell *lc;
  Oid rel = InvalidOid;
  foreach (lc, stmt->cmds) {
    AlterTableCmd *cmd = (AlterTableCmd *)lfirst(lc);
    if (cmd->subtype != AT_DropConstraint || cmd->name == NULL) continue;
    if (!OidIsValid(rel)) rel = RangeVarGetRelid(stmt->relation, NoLock, true);
    if (!OidIsValid(rel)) return;  // PostgreSQL reports the missing table
    Oid conoid = get_relation_constraint_oid(rel, cmd->name, true);
    if (!OidIsValid(conoid)) continue;
    HeapTuple tup = SearchSysCache1(CONSTROID, ObjectIdGetDatum(conoid));
    if (!HeapTupleIsValid(tup)) continue;
    if (((Form_pg_constraint)GETSTRUCT(tup))->contype == CONSTRAINT_FOREIGN) remember(tup, rel);
    ReleaseSysCache(tup);
  }
}

DroppedReferrers *dropped_referrers_of(Oid rel, AttrNumber att) {
  DroppedReferrers *out = (DroppedReferrers *)palloc0(sizeof(DroppedReferrers));
  if (dropped_keys == NIL) return out;
  // Keys that still reference the column: PostgreSQL would rebuild them, and
  // the guard's check of rebuilt keys names them (and the plan).
  LiveSearch live = {att, false};
  for_each_foreign_key(FkScope::ReferencingTable, rel, find_live, &live);
  if (live.found) return out;
  out->items = (DroppedReferrer *)palloc0(sizeof(DroppedReferrer) * list_length(dropped_keys));
  ListCell *lc;
  foreach (lc, dropped_keys) {
    const Dropped *d = (const Dropped *)lfirst(lc);
    if (d->confrelid != rel || d->confkey != att) continue;
    AttrNumber fkatt = get_attnum(d->conrelid, d->attname);
    if (fkatt <= 0) continue;  // the table or the column is gone since
    bool seen = false;
    for (int i = 0; i < out->count && !seen; i++)
      seen = out->items[i].rel == d->conrelid && strcmp(out->items[i].conname, quote_identifier(d->conname)) == 0;
    if (seen) continue;
    DroppedReferrer *r = &out->items[out->count++];
    r->rel = d->conrelid;
    r->table = DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(d->conrelid)));
    r->column = quote_identifier(d->attname);
    r->conname = quote_identifier(d->conname);
    Oid type, collation;
    int32 typmod;
    get_atttypetypmodcoll(d->conrelid, fkatt, &type, &typmod, &collation);
    r->type = format_type_with_typemod(type, typmod);
  }
  if (out->count > 1) qsort(out->items, out->count, sizeof(DroppedReferrer), by_name);
  return out;
}

void register_dropped_keys_callback() { RegisterXactCallback(forget, NULL); }

}  // namespace fkg
