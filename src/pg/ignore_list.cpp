#include "ignore_list.hpp"

#include "catalog_scan.hpp"

namespace fkg {

namespace {

struct RawEntry {
  Oid table;
  const char *column, *constraint, *check;  // NULL: any
};

struct RawEntries {
  RawEntry *items;
  int count;
};

const char *text_or_null(HeapTuple tup, TupleDesc desc, int col) {
  bool isnull;
  heap_getattr(tup, col, desc, &isnull);
  return isnull ? NULL : SPI_getvalue(tup, desc, col);
}

// Runs under pg_guard.
RawEntries *read_entries() {
  RawEntries *out = (RawEntries *)palloc0(sizeof(RawEntries));
  Oid table = get_relname_relid("ignored", get_namespace_oid("fk_guard", true));
  if (!OidIsValid(table) || pg_class_aclcheck(table, GetUserId(), ACL_SELECT) != ACLCHECK_OK) return out;
  MemoryContext caller = CurrentMemoryContext;
  if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
  int rc = SPI_execute(
      "SELECT table_name::pg_catalog.oid, column_name::pg_catalog.text, constraint_name::pg_catalog.text, check_name "
      "FROM fk_guard.ignored",
      true, 0);
  if (rc != SPI_OK_SELECT) elog(ERROR, "reading fk_guard.ignored failed: %s", SPI_result_code_string(rc));
  MemoryContext spi = MemoryContextSwitchTo(caller);
  out->items = (RawEntry *)palloc0(sizeof(RawEntry) * (SPI_processed > 0 ? SPI_processed : 1));
  MemoryContextSwitchTo(spi);
  for (uint64 i = 0; i < SPI_processed; i++) {
    HeapTuple tup = SPI_tuptable->vals[i];
    TupleDesc desc = SPI_tuptable->tupdesc;
    bool isnull;
    Datum rel = heap_getattr(tup, 1, desc, &isnull);
    RawEntry e;
    e.table = isnull ? InvalidOid : DatumGetObjectId(rel);
    const char *c = text_or_null(tup, desc, 2), *k = text_or_null(tup, desc, 3), *n = text_or_null(tup, desc, 4);
    MemoryContextSwitchTo(caller);
    e.column = c ? pstrdup(c) : NULL;
    e.constraint = k ? pstrdup(k) : NULL;
    e.check = n ? pstrdup(n) : NULL;
    out->items[out->count++] = e;
    MemoryContextSwitchTo(spi);
  }
  SPI_finish();
  MemoryContextSwitchTo(caller);
  return out;
}

}  // namespace

IgnoreList IgnoreList::load() {
  IgnoreList list;
  RawEntries *raw = pg_guard([]() { return read_entries(); });
  for (int i = 0; i < raw->count; i++) {
    const RawEntry &r = raw->items[i];
    Entry e;
    e.table = r.table;
    if (r.column) e.column = r.column;
    if (r.constraint) e.constraint = r.constraint;
    if (r.check) e.check = r.check;
    list.entries_.push_back(std::move(e));
  }
  return list;
}

bool IgnoreList::covers(const char *check, Oid table, const std::vector<std::string> &columns,
                        const std::string &constraint) const {
  for (const Entry &e : entries_) {
    if (!e.check.empty() && e.check != check) continue;
    if (OidIsValid(e.table) && e.table != table) continue;
    if (!e.constraint.empty() && e.constraint != constraint) continue;
    if (!e.column.empty()) {
      bool found = false;
      for (const std::string &c : columns) found = found || c == e.column;
      if (!found) continue;
    }
    return true;
  }
  return false;
}

}  // namespace fkg
