#include "catalog_scan.hpp"

#include "catalog_cache.hpp"
#include "citus.hpp"

namespace fkg {

void for_each_foreign_key(FkScope scope, Oid rel, FkVisitor visit, void *arg) {
  Relation conrel = table_open(ConstraintRelationId, AccessShareLock);
  ScanKeyData key;
  SysScanDesc scan;
  switch (scope) {
    case FkScope::All:
      ScanKeyInit(&key, Anum_pg_constraint_contype, BTEqualStrategyNumber, F_CHAREQ, CharGetDatum(CONSTRAINT_FOREIGN));
      scan = systable_beginscan(conrel, InvalidOid, false, NULL, 1, &key);
      break;
    case FkScope::OnTable:
      ScanKeyInit(&key, Anum_pg_constraint_conrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
      scan = systable_beginscan(conrel, ConstraintRelidTypidNameIndexId, true, NULL, 1, &key);
      break;
    case FkScope::ReferencingTable:
    default:
      ScanKeyInit(&key, Anum_pg_constraint_confrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
      scan = systable_beginscan(conrel, InvalidOid, false, NULL, 1, &key);
      break;
  }
  // On a Citus node every shard carries its own copy of its table's foreign
  // keys: a whole-catalog scan reports the key once, on the table.
  citus::ShardSet *shards = scope == FkScope::All ? citus::load_shards() : NULL;
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL) {
    CHECK_FOR_INTERRUPTS();
    Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
    if (con->contype != CONSTRAINT_FOREIGN) continue;
    if (shards != NULL &&
        citus::is_shard(shards, catcache::rel_namespace(con->conrelid), catcache::rel_name(con->conrelid)))
      continue;
    if (!visit(tup, RelationGetDescr(conrel), arg)) break;
  }
  systable_endscan(scan);
  table_close(conrel, AccessShareLock);
}

void for_each_column_dependent(Oid rel, AttrNumber att, DependVisitor visit, void *arg) {
  Relation dep = table_open(DependRelationId, AccessShareLock);
  ScanKeyData key[3];
  ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(RelationRelationId));
  ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
  ScanKeyInit(&key[2], Anum_pg_depend_refobjsubid, BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum((int32)att));
  SysScanDesc scan = systable_beginscan(dep, DependReferenceIndexId, true, NULL, 3, key);
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL)
    if (!visit((Form_pg_depend)GETSTRUCT(tup), arg)) break;
  systable_endscan(scan);
  table_close(dep, AccessShareLock);
}

void for_each_index(Oid rel, IndexVisitor visit, void *arg) {
  Relation indrel = table_open(IndexRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
  SysScanDesc scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1, &key);
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL) {
    bool isnull;
    Datum d = heap_getattr(tup, Anum_pg_index_indclass, RelationGetDescr(indrel), &isnull);
    if (isnull) continue;
    if (!visit(tup, (Form_pg_index)GETSTRUCT(tup), (oidvector *)DatumGetPointer(d), arg)) break;
  }
  systable_endscan(scan);
  table_close(indrel, AccessShareLock);
}

bool must_propagate(int sqlerrcode) {
  switch (sqlerrcode) {
    case ERRCODE_QUERY_CANCELED:
    case ERRCODE_LOCK_NOT_AVAILABLE:
    case ERRCODE_T_R_DEADLOCK_DETECTED:
    case ERRCODE_T_R_SERIALIZATION_FAILURE:
    case ERRCODE_ADMIN_SHUTDOWN:
    case ERRCODE_CRASH_SHUTDOWN:
    case ERRCODE_OUT_OF_MEMORY:
      return true;
    default:
      return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_INSUFFICIENT_RESOURCES;
  }
}

bool try_in_subtransaction(void (*fn)(void *), void *arg) {
  MemoryContext caller = CurrentMemoryContext;
  ResourceOwner owner = CurrentResourceOwner;
  ErrorData *volatile failure = NULL;
  BeginInternalSubTransaction(NULL);
  MemoryContextSwitchTo(caller);
  PG_TRY();
  {
    fn(arg);
    ReleaseCurrentSubTransaction();
  }
  PG_CATCH();
  {
    MemoryContextSwitchTo(caller);
    failure = CopyErrorData();
    FlushErrorState();
    RollbackAndReleaseCurrentSubTransaction();
  }
  PG_END_TRY();
  MemoryContextSwitchTo(caller);
  CurrentResourceOwner = owner;
  if (failure != NULL && must_propagate(failure->sqlerrcode)) ReThrowError(failure);
  return failure == NULL;
}

}  // namespace fkg
