#include "catalog_pairs.hpp"
#include "citus.hpp"

#include "catalog_cache.hpp"
#include "catalog_scan.hpp"
#include "compat.hpp"

#include <unordered_set>

#include "../core/naming.hpp"

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
  catcache::column_type(rel, att, &c.type, &c.typmod, &c.collation);
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
void add_constraint_pairs(HeapTuple tup, TupleDesc desc, RawPairs *out) {
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (compat::constraint_uses_period(con)) return;  // temporal: no btree equality to judge
  bool isnull;
  int16 *fkatts, *pkatts;
  int nfk = constraint_key_columns(tup, desc, &fkatts, &pkatts);
  if (nfk == 0) return;

  // The referenced key's index: its columns and operator classes.
  int nkeys;
  const int16 *keys;
  const Oid *opclasses;
  HeapTuple idx = NULL;
  const catcache::IndexFacts *facts = catcache::index_facts(con->conindid);
  if (facts) {
    nkeys = facts->nkeyatts;
    keys = facts->keys;
    opclasses = facts->opclasses;
  } else {
    idx = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(con->conindid));
    if (!HeapTupleIsValid(idx)) return;
    Form_pg_index index = (Form_pg_index)GETSTRUCT(idx);
    Datum classd = SysCacheGetAttr(INDEXRELID, idx, Anum_pg_index_indclass, &isnull);
    nkeys = index->indnkeyatts;
    keys = index->indkey.values;
    opclasses = ((oidvector *)DatumGetPointer(classd))->values;
  }
  for (int i = 0; i < nfk; i++) {
    KeyPair p;
    p.constraint = con->oid;
    p.referencing_rel = con->conrelid;
    p.referencing_att = fkatts[i];
    p.referenced_rel = con->confrelid;
    p.referenced_att = pkatts[i];
    for (int j = 0; j < nkeys; j++)
      if (keys[j] == pkatts[i]) p.opclass = opclasses[j];
    if (!OidIsValid(p.opclass)) continue;
    p.referencing = column_of(p.referencing_rel, p.referencing_att);
    p.referenced = column_of(p.referenced_rel, p.referenced_att);
    push(out, p);
  }
  if (idx) ReleaseSysCache(idx);
}

bool visit_declared(HeapTuple tup, TupleDesc desc, void *arg) {
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;  // a partition's clone: reported on the parent
  Oid nsp = catcache::rel_namespace(con->conrelid);
  if (!OidIsValid(nsp) || isOtherTempNamespace(nsp) || !catcache::schema_usage(nsp)) return true;
  add_constraint_pairs(tup, desc, (RawPairs *)arg);
  return true;
}

RawPairs *scan_declared() {
  RawPairs *out = (RawPairs *)palloc0(sizeof(RawPairs));
  for_each_foreign_key(FkScope::All, InvalidOid, visit_declared, out);
  return out;
}

bool visit_on_table(HeapTuple tup, TupleDesc desc, void *arg) {
  if (OidIsValid(((Form_pg_constraint)GETSTRUCT(tup))->conparentid)) return true;
  add_constraint_pairs(tup, desc, (RawPairs *)arg);
  return true;
}

RawPairs *scan_on_table(Oid rel) {
  RawPairs *out = (RawPairs *)palloc0(sizeof(RawPairs));
  for_each_foreign_key(FkScope::OnTable, rel, visit_on_table, out);
  return out;
}

struct CreatedSince {
  CommandId since;
  RawPairs *out;
};

// Constraints written by this transaction at or after command `since`.
bool visit_created_since(HeapTuple tup, TupleDesc desc, void *arg) {
  CreatedSince *c = (CreatedSince *)arg;
  if (OidIsValid(((Form_pg_constraint)GETSTRUCT(tup))->conparentid)) return true;
  if (!TransactionIdIsCurrentTransactionId(HeapTupleHeaderGetXmin(tup->t_data))) return true;
  if (HeapTupleHeaderGetCmin(tup->t_data) < c->since) return true;
  add_constraint_pairs(tup, desc, c->out);
  return true;
}

RawPairs *scan_created_since(Oid rel, CommandId since) {
  CreatedSince c{since, (RawPairs *)palloc0(sizeof(RawPairs))};
  for_each_foreign_key(FkScope::OnTable, rel, visit_created_since, &c);
  return c.out;
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

namespace fkg {

namespace {

struct RawColumn {
  Oid rel;
  Oid nsp;
  AttrNumber att;
  const char *name;
  const char *relname;  // the table's name: Django's app label prefixes it
};

struct RawColumns {
  RawColumn *items;
  int count;
};

// Schemas that hold user tables: not the system's, not other sessions' temp schemas.
bool user_namespace(Oid nsp) {
  if (nsp == PG_CATALOG_NAMESPACE || nsp == PG_TOAST_NAMESPACE) return false;
  if (isAnyTempNamespace(nsp)) return isTempNamespace(nsp);
  const char *name = get_namespace_name(nsp);
  return name != NULL && strcmp(name, "information_schema") != 0 && strncmp(name, "pg_toast", 8) != 0;
}

// Columns of user tables the caller can use, in one pass over pg_class and
// syscache lookups of their attributes.
RawColumns *scan_columns() {
  RawColumns *out = (RawColumns *)palloc0(sizeof(RawColumns));
  int cap = 0;
  citus::ShardSet *shards = citus::load_shards();  // a Citus table's columns are its shards' columns
  Relation classrel = table_open(RelationRelationId, AccessShareLock);
  SysScanDesc scan = systable_beginscan(classrel, InvalidOid, false, NULL, 0, NULL);
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL) {
    Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
    if ((c->relkind != RELKIND_RELATION && c->relkind != RELKIND_PARTITIONED_TABLE) || c->relispartition) continue;
    if (shards != NULL && citus::is_shard(shards, c->relnamespace, NameStr(c->relname))) continue;
    if (!user_namespace(c->relnamespace) || !catcache::schema_usage(c->relnamespace)) continue;
    CHECK_FOR_INTERRUPTS();
    const char *relname = pstrdup(NameStr(c->relname));
    for (AttrNumber a = 1; a <= c->relnatts; a++) {
      char *cached;
      int state = catcache::column_state(c->oid, a, &cached);
      if (state != -2) {
        if (state == 1) {
          if (out->count == cap) {
            cap = cap ? cap * 2 : 256;
            out->items = out->items ? (RawColumn *)repalloc(out->items, sizeof(RawColumn) * cap)
                                    : (RawColumn *)palloc(sizeof(RawColumn) * cap);
          }
          out->items[out->count++] = RawColumn{c->oid, c->relnamespace, a, cached, relname};
        }
        continue;
      }
      HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(c->oid), Int16GetDatum(a));
      if (!HeapTupleIsValid(at)) continue;
      Form_pg_attribute attr = (Form_pg_attribute)GETSTRUCT(at);
      if (!attr->attisdropped) {
        if (out->count == cap) {
          cap = cap ? cap * 2 : 256;
          out->items = out->items ? (RawColumn *)repalloc(out->items, sizeof(RawColumn) * cap)
                                  : (RawColumn *)palloc(sizeof(RawColumn) * cap);
        }
        out->items[out->count++] = RawColumn{c->oid, c->relnamespace, a, pstrdup(NameStr(attr->attname)), relname};
      }
      ReleaseSysCache(at);
    }
  }
  systable_endscan(scan);
  table_close(classrel, AccessShareLock);
  return out;
}

// (rel, attnum) of every column that is the referencing side of a declared foreign key.
struct RawKeys {
  uint64 *items;
  int count;
};

struct KeysBuilder {
  RawKeys *out;
  int cap;
};

bool visit_declared_columns(HeapTuple tup, TupleDesc desc, void *arg) {
  KeysBuilder *b = (KeysBuilder *)arg;
  Oid rel = ((Form_pg_constraint)GETSTRUCT(tup))->conrelid;
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  for (int i = 0; i < n; i++) {
    if (b->out->count == b->cap) {
      b->cap = b->cap ? b->cap * 2 : 256;
      b->out->items = b->out->items ? (uint64 *)repalloc(b->out->items, sizeof(uint64) * b->cap)
                                    : (uint64 *)palloc(sizeof(uint64) * b->cap);
    }
    b->out->items[b->out->count++] = ((uint64)rel << 16) | (uint16)fk[i];
  }
  return true;
}

RawKeys *scan_declared_columns() {
  KeysBuilder b{(RawKeys *)palloc0(sizeof(RawKeys)), 0};
  for_each_foreign_key(FkScope::All, InvalidOid, visit_declared_columns, &b);
  return b.out;
}

struct PrimaryKey {
  AttrNumber att;
  Oid opclass;
  bool found;
};

bool visit_single_column_primary_key(HeapTuple, Form_pg_index index, oidvector *indclass, void *arg) {
  if (!index->indisprimary) return true;
  PrimaryKey *pk = (PrimaryKey *)arg;
  if (index->indnkeyatts == 1 && index->indkey.values[0] != 0) {
    pk->att = index->indkey.values[0];
    pk->opclass = indclass->values[0];
    pk->found = true;
  }
  return false;
}

// The single-column primary key of a table: its column and operator class.
bool single_column_primary_key(Oid rel, AttrNumber *att, Oid *opclass) {
  PrimaryKey pk{InvalidAttrNumber, InvalidOid, false};
  for_each_index(rel, visit_single_column_primary_key, &pk);
  *att = pk.att;
  *opclass = pk.opclass;
  return pk.found;
}

struct RawTarget {
  Oid rel;
  AttrNumber att;
  Oid opclass;
};

// Resolves candidate table names, own schema first, then the search path:
// the tables (with a single-column primary key) of the first tier that has any.
int resolve_candidates(Oid own_nsp, const Oid *path, int npath, const char *const *names, int nnames, RawTarget *out,
                       int max) {
  int found = 0;
  for (int tier = -1; tier < npath && found == 0; tier++) {
    Oid nsp = tier < 0 ? own_nsp : path[tier];
    if (tier >= 0 && nsp == own_nsp) continue;
    for (int i = 0; i < nnames && found < max; i++) {
      Oid rel = get_relname_relid(names[i], nsp);
      if (!OidIsValid(rel)) continue;
      char kind = get_rel_relkind(rel);
      if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE) continue;
      bool dup = false;
      for (int k = 0; k < found; k++) dup = dup || out[k].rel == rel;
      if (dup) continue;
      RawTarget t{rel, 0, InvalidOid};
      if (single_column_primary_key(rel, &t.att, &t.opclass)) out[found++] = t;
    }
  }
  return found;
}

}  // namespace

std::vector<ImpliedPair> implied_key_pairs(const std::vector<Oid> &search_path) {
  RawColumns *cols = pg_guard([]() { return scan_columns(); });
  RawKeys *keys = pg_guard([]() { return scan_declared_columns(); });
  std::unordered_set<uint64_t> declared(keys->items, keys->items + keys->count);

  std::vector<ImpliedPair> out;
  const Oid *path = search_path.data();
  int npath = (int)search_path.size();
  for (int i = 0; i < cols->count; i++) {
    const RawColumn &c = cols->items[i];
    if (declared.count(((uint64_t)c.rel << 16) | (uint16_t)c.att)) continue;
    std::optional<std::string> stem = reference_stem(c.name);
    if (!stem) continue;
    std::vector<std::string> names = candidate_tables(*stem, c.relname);
    std::vector<const char *> cnames;
    for (const std::string &n : names) cnames.push_back(n.c_str());
    RawTarget targets[8];
    const char *const *np = cnames.data();
    int nn = (int)cnames.size();
    Oid own = c.nsp;
    int found = pg_guard(
        [own, path, npath, np, nn, &targets]() { return resolve_candidates(own, path, npath, np, nn, targets, 8); });
    if (found == 0) continue;
    const RawTarget &t = targets[0];
    if (t.rel == c.rel && t.att == c.att) continue;  // the table's own key
    ImpliedPair ip;
    ip.pair.referencing_rel = c.rel;
    ip.pair.referencing_att = c.att;
    ip.pair.referenced_rel = t.rel;
    ip.pair.referenced_att = t.att;
    ip.pair.opclass = t.opclass;
    KeyPair *kp = &ip.pair;
    pg_guard([kp]() {
      catcache::column_type(kp->referencing_rel, kp->referencing_att, &kp->referencing.type, &kp->referencing.typmod,
                            &kp->referencing.collation);
      catcache::column_type(kp->referenced_rel, kp->referenced_att, &kp->referenced.type, &kp->referenced.typmod,
                            &kp->referenced.collation);
    });
    for (int k = 1; k < found; k++) {
      Oid rel = targets[k].rel;
      ip.other_candidates.push_back(
          pg_guard([rel]() { return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(rel))); }));
    }
    out.push_back(std::move(ip));
  }
  return out;
}

namespace {

struct DeclaredOn {
  AttrNumber att;
  KeyPair *out;
  bool found;
};

bool visit_declared_on(HeapTuple tup, TupleDesc desc, void *arg) {
  DeclaredOn *d = (DeclaredOn *)arg;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  // A temporal key (18) has no pair to judge (scan_on_table() skips it):
  // the column is taken as having no declared key, as the diagnostics take it.
  if (compat::constraint_uses_period(con)) return true;
  int16 *fk, *pk;
  int n = constraint_key_columns(tup, desc, &fk, &pk);
  for (int i = 0; i < n; i++)
    if (fk[i] == d->att) {
      d->out->constraint = con->oid;
      d->out->referenced_rel = con->confrelid;
      d->out->referenced_att = pk[i];
      d->found = true;
      return false;
    }
  return true;
}

struct RawColumnName {
  Oid nsp;
  const char *name;
  const char *relname;
};

}  // namespace

bool key_referenced_by(Oid rel, AttrNumber att, KeyPair *out) {
  struct RawPath {
    Oid *oids;
    int n;
  };
  RawPath path = pg_guard([]() {
    List *l = fetch_search_path(false);
    RawPath p{(Oid *)palloc(sizeof(Oid) * (list_length(l) + 1)), 0};
    ListCell *lc;
    foreach (lc, l) p.oids[p.n++] = lfirst_oid(lc);
    return p;
  });
  return key_referenced_by(rel, att, std::vector<Oid>(path.oids, path.oids + path.n), out, nullptr);
}

bool key_referenced_by(Oid rel, AttrNumber att, const std::vector<Oid> &search_path, KeyPair *out,
                       std::vector<std::string> *other_candidates) {
  *out = KeyPair{};
  out->referencing_rel = rel;
  out->referencing_att = att;
  DeclaredOn d{att, out, false};
  DeclaredOn *dp = &d;
  pg_guard([rel, dp]() { for_each_foreign_key(FkScope::OnTable, rel, visit_declared_on, dp); });
  if (d.found) {
    // The operator class of the referenced key's index, as the pair's
    // judge needs it: from the constraint's own pairs.
    Oid con = out->constraint;
    RawPairs *pairs = pg_guard([rel]() { return scan_on_table(rel); });
    for (int i = 0; i < pairs->count; i++)
      if (pairs->items[i].constraint == con && pairs->items[i].referencing_att == att) {
        *out = pairs->items[i];
        return true;
      }
  } else {
    RawColumnName c = pg_guard([rel, att]() {
      return RawColumnName{get_rel_namespace(rel), get_attname(rel, att, false), get_rel_name(rel)};
    });
    std::optional<std::string> stem = reference_stem(c.name);
    if (!stem) return false;
    std::vector<std::string> names = candidate_tables(*stem, c.relname ? c.relname : "");
    std::vector<const char *> cnames;
    for (const std::string &n : names) cnames.push_back(n.c_str());
    const char *const *np = cnames.data();
    int nn = (int)cnames.size();
    RawTarget targets[8];
    Oid own = c.nsp;
    const Oid *path = search_path.data();
    int npath = (int)search_path.size();
    int found = pg_guard(
        [own, path, npath, np, nn, &targets]() { return resolve_candidates(own, path, npath, np, nn, targets, 8); });
    if (found == 0 || (targets[0].rel == rel && targets[0].att == att)) return false;
    out->referenced_rel = targets[0].rel;
    out->referenced_att = targets[0].att;
    out->opclass = targets[0].opclass;
    for (int k = 1; k < found && other_candidates; k++) {
      Oid other = targets[k].rel;
      other_candidates->push_back(
          pg_guard([other]() { return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(other))); }));
    }
  }
  KeyPair *kp = out;
  pg_guard([kp]() {
    kp->referencing = column_of(kp->referencing_rel, kp->referencing_att);
    kp->referenced = column_of(kp->referenced_rel, kp->referenced_att);
  });
  return true;
}

}  // namespace fkg
