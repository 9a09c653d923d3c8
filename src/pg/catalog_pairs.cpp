#include "catalog_pairs.hpp"

#include "compat.hpp"

namespace fkg {

namespace {

struct RawPairs {
  KeyPair *items;
  int count;
  int capacity;
};

void push(RawPairs *out, const KeyPair &p) {
  if (out->count == out->capacity) {
    out->capacity = out->capacity ? out->capacity * 2 : 64;
    out->items = out->items ? (KeyPair *)repalloc(out->items, sizeof(KeyPair) * out->capacity)
                            : (KeyPair *)palloc(sizeof(KeyPair) * out->capacity);
  }
  out->items[out->count++] = p;
}

int int2_array(Datum d, int16 **out) {
  ArrayType *arr = DatumGetArrayTypeP(d);
  if (ARR_NDIM(arr) != 1 || ARR_HASNULL(arr) || ARR_ELEMTYPE(arr) != INT2OID)
    elog(ERROR, "foreign key column array is not a one-dimensional int2 array");
  *out = (int16 *)ARR_DATA_PTR(arr);
  return ARR_DIMS(arr)[0];
}

PgColumn column_of(Oid rel, AttrNumber att) {
  PgColumn c;
  get_atttypetypmodcoll(rel, att, &c.type, &c.typmod, &c.collation);
  return c;
}

}  // namespace

int constraint_key_columns(HeapTuple tup, TupleDesc desc, int16 **fk, int16 **pk) {
  bool isnull;
  Datum d = heap_getattr(tup, Anum_pg_constraint_conkey, desc, &isnull);
  if (isnull) return 0;
  int nfk = int2_array(d, fk);
  d = heap_getattr(tup, Anum_pg_constraint_confkey, desc, &isnull);
  if (isnull) return 0;
  int npk = int2_array(d, pk);
  return nfk == npk ? nfk : 0;
}

namespace {

// Finds, for each referenced column, the operator class its unique index uses
// for it, the way transformFkeyCheckAttrs pairs them.
void add_constraint_pairs(HeapTuple tup, Relation conrel, RawPairs *out) {
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  bool isnull;
  int16 *fkatts, *pkatts;
  int nfk = constraint_key_columns(tup, RelationGetDescr(conrel), &fkatts, &pkatts);
  if (nfk == 0) return;

  HeapTuple idx = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(con->conindid));
  if (!HeapTupleIsValid(idx)) return;
  Form_pg_index index = (Form_pg_index)GETSTRUCT(idx);
  Datum classd = SysCacheGetAttr(INDEXRELID, idx, Anum_pg_index_indclass, &isnull);
  oidvector *indclass = (oidvector *)DatumGetPointer(classd);
  for (int i = 0; i < nfk; i++) {
    KeyPair p;
    p.constraint = con->oid;
    p.referencing_rel = con->conrelid;
    p.referencing_att = fkatts[i];
    p.referenced_rel = con->confrelid;
    p.referenced_att = pkatts[i];
    for (int j = 0; j < index->indnkeyatts; j++)
      if (index->indkey.values[j] == pkatts[i]) p.opclass = indclass->values[j];
    if (!OidIsValid(p.opclass)) continue;
    p.referencing = column_of(p.referencing_rel, p.referencing_att);
    p.referenced = column_of(p.referenced_rel, p.referenced_att);
    push(out, p);
  }
  ReleaseSysCache(idx);
}

RawPairs *scan_declared() {
  RawPairs *out = (RawPairs *)palloc0(sizeof(RawPairs));
  Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_constraint_contype, BTEqualStrategyNumber, F_CHAREQ, CharGetDatum(CONSTRAINT_FOREIGN));
  SysScanDesc scan = systable_beginscan(conrel, InvalidOid, false, NULL, 1, &key);
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL) {
    Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
    CHECK_FOR_INTERRUPTS();
    if (OidIsValid(con->conparentid)) continue;
    Oid nsp = get_rel_namespace(con->conrelid);
    if (!OidIsValid(nsp) || isOtherTempNamespace(nsp) || !compat::has_schema_usage(nsp)) continue;
    add_constraint_pairs(tup, conrel, out);
  }
  systable_endscan(scan);
  table_close(conrel, AccessShareLock);
  return out;
}

// Constraints on rel written by this transaction at or after command `since`.
RawPairs *scan_created_since(Oid rel, CommandId since) {
  RawPairs *out = (RawPairs *)palloc0(sizeof(RawPairs));
  Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
  SysScanDesc scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL) {
    Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
    if (con->contype != CONSTRAINT_FOREIGN || OidIsValid(con->conparentid)) continue;
    if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tup->t_data))) continue;
    if (HeapTupleHeaderGetCmin(tup->t_data) < since) continue;
    add_constraint_pairs(tup, conrel, out);
  }
  systable_endscan(scan);
  table_close(conrel, AccessShareLock);
  return out;
}

}  // namespace

std::vector<KeyPair> key_pairs_created_since(Oid rel, CommandId since) {
  RawPairs *raw = pg_guard([rel, since]() { return scan_created_since(rel, since); });
  return std::vector<KeyPair>(raw->items, raw->items + raw->count);
}

std::vector<KeyPair> declared_key_pairs() {
  RawPairs *raw = pg_guard([]() { return scan_declared(); });
  return std::vector<KeyPair>(raw->items, raw->items + raw->count);
}

}  // namespace fkg
