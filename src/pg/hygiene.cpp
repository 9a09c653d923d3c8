// fk_guard.check_foreign_key_hygiene(schemas, checks): the catalog facts of
// every declared foreign key and of the indexes on referencing tables, handed
// to the pure checks (src/core/hygiene.*), one row per finding. The public
// fk_guard.check_foreign_keys() adds type mismatches and the ignore list.
#include "boundary.hpp"
#include "catalog_cache.hpp"
#include "catalog_pairs.hpp"
#include "catalog_scan.hpp"
#include "compat.hpp"
#include "ignore_list.hpp"
#include "result_row.hpp"
#include "../core/hygiene.hpp"

#include <algorithm>
#include <unordered_map>

namespace fkg {

namespace {

struct RawKey {
  Oid oid, rel, refrel;
  int n;
  int16 cols[INDEX_MAX_KEYS], refcols[INDEX_MAX_KEYS];
  bool nullable[INDEX_MAX_KEYS];
  const char *colnames[INDEX_MAX_KEYS], *refcolnames[INDEX_MAX_KEYS];
  const char *table, *reftable, *name, *raw_name;
  char match;
  bool validated, enforced, partitioned;
  double rows;
  const char *size;
};

struct RawKeys {
  RawKey *items;
  int count, cap;
  Oid *schemas;  // filter, or NULL
  int nschemas;
};

bool schema_visible(Oid nsp, const RawKeys *k) {
  if (isOtherTempNamespace(nsp)) return false;
  if (!catcache::schema_usage(nsp)) return false;
  if (k->schemas == NULL) return true;
  for (int i = 0; i < k->nschemas; i++)
    if (k->schemas[i] == nsp) return true;
  return false;
}

bool visit_key(HeapTuple tup, TupleDesc desc, void *arg) {
  RawKeys *out = (RawKeys *)arg;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;  // a partition's clone: reported on the parent
  if (!schema_visible(catcache::rel_namespace(con->conrelid), out)) return true;
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  if (n == 0) return true;
  if (out->count == out->cap) {
    out->cap = out->cap ? out->cap * 2 : 256;
    out->items = out->items ? (RawKey *)repalloc(out->items, sizeof(RawKey) * out->cap)
                            : (RawKey *)palloc(sizeof(RawKey) * out->cap);
  }
  RawKey &k = out->items[out->count++];
  k.oid = con->oid;
  k.rel = con->conrelid;
  k.refrel = con->confrelid;
  k.n = n;
  k.match = con->confmatchtype;
  k.validated = con->convalidated;
  k.enforced = compat::constraint_enforced(con);
  k.raw_name = pstrdup(NameStr(con->conname));
  k.name = quote_identifier(k.raw_name);
  for (int i = 0; i < n; i++) {
    k.cols[i] = fk[i];
    k.refcols[i] = pk[i];
    k.colnames[i] = catcache::column_name(con->conrelid, fk[i]);
    k.refcolnames[i] = catcache::column_name(con->confrelid, pk[i]);
    char *unused;
    int state = catcache::column_state(con->conrelid, fk[i], &unused);  // -1: none; -2: ask the syscache
    if (state == -2) {
      HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(con->conrelid), Int16GetDatum(fk[i]));
      state = HeapTupleIsValid(at) ? 1 : -1;
      if (HeapTupleIsValid(at)) ReleaseSysCache(at);
    }
    k.nullable[i] = state >= 0 && !catcache::column_not_null(con->conrelid, fk[i]);
  }
  return true;
}

const char *qualified(Oid rel) { return catcache::qualified_name(rel); }

// Names, sizes and relkinds, once per table.
void complete(RawKeys *keys) {
  // Consecutive keys are mostly on the same table: the last names are reused.
  Oid last_rel = InvalidOid, last_refrel = InvalidOid;
  const char *last_table = NULL, *last_reftable = NULL;
  for (int i = 0; i < keys->count; i++) {
    RawKey &k = keys->items[i];
    if (k.rel != last_rel) last_table = qualified(last_rel = k.rel);
    if (k.refrel != last_refrel) last_reftable = qualified(last_refrel = k.refrel);
    k.table = last_table;
    k.reftable = last_reftable;
    double tuples = catcache::rel_tuples(k.rel);
    k.rows = tuples >= 0 ? tuples : -1;
    k.partitioned = catcache::rel_kind(k.rel) == RELKIND_PARTITIONED_TABLE;
    k.size = NULL;
  }
}

const char *table_size(Oid rel) {
  int64 listed = catcache::total_relation_size(rel);
  Datum bytes =
      listed >= 0 ? Int64GetDatum(listed) : DirectFunctionCall1(pg_total_relation_size, ObjectIdGetDatum(rel));
  return TextDatumGetCString(DirectFunctionCall1(pg_size_pretty, bytes));
}

struct RawIndex {
  Oid rel;
  int n;
  int16 cols[INDEX_MAX_KEYS];
  bool usable;
};

struct RawIndexes {
  RawIndex *items;
  int count, cap;
  Oid rel;
};

bool visit_index(HeapTuple tup, Form_pg_index index, oidvector *, void *arg) {
  RawIndexes *out = (RawIndexes *)arg;
  if (out->count == out->cap) {
    out->cap = out->cap ? out->cap * 2 : 64;
    out->items = out->items ? (RawIndex *)repalloc(out->items, sizeof(RawIndex) * out->cap)
                            : (RawIndex *)palloc(sizeof(RawIndex) * out->cap);
  }
  RawIndex &ix = out->items[out->count++];
  ix.rel = out->rel;
  ix.n = index->indnkeyatts;
  for (int i = 0; i < ix.n && i < INDEX_MAX_KEYS; i++) ix.cols[i] = index->indkey.values[i];
  // A partial index serves only some rows; an invalid one (a failed
  // CONCURRENTLY build) none. On a partitioned table the parent's index
  // stays "invalid" until every partition has one attached.
  ix.usable = index->indisvalid && heap_attisnull(tup, Anum_pg_index_indpred, NULL);
  return true;
}

RawIndexes *indexes_of(const Oid *rels, int n) {
  RawIndexes *out = (RawIndexes *)palloc0(sizeof(RawIndexes));
  for (int i = 0; i < n; i++) {
    out->rel = rels[i];
    const std::vector<const catcache::IndexFacts *> *listed = catcache::indexes_of_table(rels[i]);
    if (!listed) {
      for_each_index(rels[i], visit_index, out);
      continue;
    }
    for (const catcache::IndexFacts *f : *listed) {
      if (out->count == out->cap) {
        out->cap = out->cap ? out->cap * 2 : 64;
        out->items = out->items ? (RawIndex *)repalloc(out->items, sizeof(RawIndex) * out->cap)
                                : (RawIndex *)palloc(sizeof(RawIndex) * out->cap);
      }
      RawIndex &ix = out->items[out->count++];
      ix.rel = rels[i];
      ix.n = f->nkeyatts;
      for (int j = 0; j < ix.n; j++) ix.cols[j] = f->keys[j];
      ix.usable = f->valid && !f->partial;
    }
  }
  return out;
}

Datum name_array(const std::vector<std::string> &names) {
  int n = (int)names.size();
  Datum *elems = (Datum *)palloc(sizeof(Datum) * (n > 0 ? n : 1));
  for (int i = 0; i < n; i++) {
    NameData *d = (NameData *)palloc0(sizeof(NameData));
    namestrcpy(d, names[i].c_str());
    elems[i] = NameGetDatum(d);
  }
  return PointerGetDatum(construct_array(elems, n, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR));
}

std::vector<std::string> text_items(ArrayType *arr) {
  Datum *elems;
  bool *nulls;
  int n;
  pg_guard(
      [arr, &elems, &nulls, &n]() { deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n); });
  std::vector<std::string> out;
  for (int i = 0; i < n; i++)
    if (!nulls[i]) {
      Datum d = elems[i];
      out.push_back(pg_guard([d]() { return TextDatumGetCString(d); }));
    }
  return out;
}

}  // namespace

}  // namespace fkg

using namespace fkg;

// fk_guard.check_foreign_key_hygiene(schemas name[], checks text[]): NULL
// schemas means every schema the caller may use; NULL checks means all.
FKG_SQL_FUNCTION(check_foreign_key_hygiene) {
  catcache::Scope catalog;
  std::vector<std::string> checks;
  if (!PG_ARGISNULL(1)) {
    checks = text_items(PG_GETARG_ARRAYTYPE_P(1));
    for (const std::string &c : checks)
      if (std::find(hygiene_checks().begin(), hygiene_checks().end(), c) == hygiene_checks().end() &&
          c != "type_mismatch")
        throw UserError(ERRCODE_INVALID_PARAMETER_VALUE, "unknown check \"" + c + "\"", "",
                        "Use type_mismatch, duplicate, overlapping, unindexed, nullable_match_simple or "
                        "not_validated.");
  }
  RawKeys *raw = pg_guard([fcinfo]() {
    RawKeys *k = (RawKeys *)palloc0(sizeof(RawKeys));
    if (!PG_ARGISNULL(0)) {
      ArrayType *arr = PG_GETARG_ARRAYTYPE_P(0);
      Datum *elems;
      bool *nulls;
      int n;
      deconstruct_array(arr, NAMEOID, NAMEDATALEN, false, TYPALIGN_CHAR, &elems, &nulls, &n);
      k->schemas = (Oid *)palloc(sizeof(Oid) * (n > 0 ? n : 1));
      for (int i = 0; i < n; i++)
        if (!nulls[i]) {
          Oid nsp = get_namespace_oid(NameStr(*DatumGetName(elems[i])), true);
          if (OidIsValid(nsp)) k->schemas[k->nschemas++] = nsp;
        }
    }
    for_each_foreign_key(FkScope::All, InvalidOid, visit_key, k);
    complete(k);
    return k;
  });

  std::vector<HygieneKey> keys;
  keys.reserve(raw->count);
  std::vector<Oid> rels;
  for (int i = 0; i < raw->count; i++) {
    const RawKey &r = raw->items[i];
    HygieneKey k;
    k.id = r.oid;
    k.table = r.rel;
    k.referenced = r.refrel;
    k.table_name = r.table;
    k.referenced_name = r.reftable;
    k.name = r.name;
    k.raw_name = r.raw_name;
    k.match = r.match;
    k.validated = r.validated;
    k.enforced = r.enforced;
    k.partitioned = r.partitioned;
    k.rows = (long long)r.rows;
    for (int j = 0; j < r.n; j++) {
      k.columns.push_back(r.cols[j]);
      k.referenced_columns.push_back(r.refcols[j]);
      k.raw_columns.push_back(r.colnames[j]);
      k.raw_referenced_columns.push_back(r.refcolnames[j]);
      k.column_names.push_back(sql::always_quoted(r.colnames[j]));
      k.nullable.push_back(r.nullable[j]);
    }
    keys.push_back(std::move(k));
    rels.push_back(r.rel);
  }
  std::sort(rels.begin(), rels.end());
  rels.erase(std::unique(rels.begin(), rels.end()), rels.end());
  const Oid *rp = rels.data();
  int nrels = (int)rels.size();
  RawIndexes *rix = pg_guard([rp, nrels]() { return indexes_of(rp, nrels); });
  std::vector<HygieneIndex> indexes;
  for (int i = 0; i < rix->count; i++) {
    HygieneIndex ix;
    ix.table = rix->items[i].rel;
    ix.usable = rix->items[i].usable;
    for (int j = 0; j < rix->items[i].n; j++) ix.key_columns.push_back(rix->items[i].cols[j]);
    indexes.push_back(std::move(ix));
  }
  // Sizes only for the tables a finding needs them for (unindexed, not_validated).
  std::unordered_map<Oid, std::string> sizes;
  std::vector<HygieneFinding> findings = check_hygiene(keys, indexes, checks);
  bool need_sizes = false;
  for (const HygieneFinding &f : findings)
    need_sizes = need_sizes || f.check == "unindexed" || f.check == "not_validated";
  if (need_sizes) {
    for (HygieneKey &k : keys) {
      Oid rel = k.table;
      auto it = sizes.find(rel);
      if (it == sizes.end()) it = sizes.emplace(rel, pg_guard([rel]() { return table_size(rel); })).first;
      k.size = it->second;
    }
    findings = check_hygiene(keys, indexes, checks);
  }

  IgnoreList ignore = IgnoreList::load();
  if (!ignore.empty())
    findings.erase(std::remove_if(findings.begin(), findings.end(),
                                  [&ignore](const HygieneFinding &f) {
                                    return ignore.covers(f.check.c_str(), f.key->table, f.key->raw_columns,
                                                         f.key->raw_name);
                                  }),
                   findings.end());
  pg_guard([fcinfo]() { compat::init_materialized_srf(fcinfo); });
  ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;
  for (const HygieneFinding &f : findings) {
    const HygieneFinding *fp = &f;
    pg_guard([rsinfo, fp]() {
      const HygieneKey &k = *fp->key;
      RowBuilder row(rsinfo->setDesc);
      row.add_text(fp->check.c_str())
          .add_text(fp->severity.c_str())
          .add(ObjectIdGetDatum(k.table))
          .add(name_array(k.raw_columns))
          .add(ObjectIdGetDatum(k.referenced))
          .add(name_array(k.raw_referenced_columns))
          .add_name(catcache::constraint_name(k.id))
          .add_text(fp->detail.c_str())
          .add_text(fp->suggested_fix.empty() ? NULL : fp->suggested_fix.c_str());
      row.put_into(rsinfo->setResult);
    });
  }
  return (Datum)0;
}
