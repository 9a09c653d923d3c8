#include "catalog_cache.hpp"

#include "compat.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <unordered_map>

#include "common/relpath.h"
#include "storage/fd.h"
#include <unordered_set>

namespace fkg {
namespace catcache {

namespace {

struct Rel {
  Oid nsp;
  char kind;
  char persistence;
  double tuples;
  Oid filenode, tablespace, toast;
  std::string name;
};

// The files of one database directory (a tablespace's or the default one),
// as (relfilenode, fork, segment) keys: <relfilenode>[_<fork>][.<segment>].
struct Directory {
  bool listed = false;
  std::string path;
  std::unordered_set<uint64> files;
};

uint64 file_key(Oid filenode, int fork, uint64 segment) {
  return ((uint64)filenode << 32) | ((uint64)fork << 28) | segment;
}

// The key of a file name of that form; false for any other name.
bool parse_file_name(const char *name, uint64 *key) {
  const char *p = name;
  uint64 filenode = 0;
  if (*p < '0' || *p > '9') return false;
  while (*p >= '0' && *p <= '9') {
    filenode = filenode * 10 + (uint64)(*p++ - '0');
    if (filenode > PG_UINT32_MAX) return false;
  }
  int fork = MAIN_FORKNUM;
  if (*p == '_') {
    p++;
    fork = -1;
    for (int f = MAIN_FORKNUM + 1; f <= MAX_FORKNUM; f++) {
      size_t len = strlen(forkNames[f]);
      if (strncmp(p, forkNames[f], len) == 0 && (p[len] == '\0' || p[len] == '.')) {
        fork = f;
        p += len;
        break;
      }
    }
    if (fork < 0) return false;
  }
  uint64 segment = 0;
  if (*p == '.') {
    p++;
    if (*p < '0' || *p > '9') return false;
    while (*p >= '0' && *p <= '9') {
      segment = segment * 10 + (uint64)(*p++ - '0');
      if (segment >= (1u << 28)) return false;
    }
  }
  if (*p != '\0') return false;
  *key = file_key((Oid)filenode, fork, segment);
  return true;
}

struct Att {
  bool present;  // false: a hole in a table's vector (no such attnum read)
  Oid type;
  int32 typmod;
  Oid collation;
  bool not_null;
  bool dropped;
  std::string name;
};

struct NameKey {
  Oid nsp;
  std::string name;
  bool operator==(const NameKey &o) const { return nsp == o.nsp && name == o.name; }
};
struct NameKeyHash {
  size_t operator()(const NameKey &k) const { return std::hash<std::string>()(k.name) * 31 + k.nsp; }
};

// Everything read in this scope. Plain members, cleared when the outermost
// scope ends (or when a scope is found stale: another transaction or command).
struct State {
  int depth = 0;
  TimestampTz xact_start = 0;
  CommandId command = InvalidCommandId;
  bool class_loaded = false, namespace_loaded = false, attribute_loaded = false, index_loaded = false,
       constraint_loaded = false, path_loaded = false, names_loaded = false, table_indexes_loaded = false;
  std::unordered_map<Oid, Rel> rels;
  std::unordered_set<NameKey, NameKeyHash> rel_names;
  std::unordered_map<Oid, std::string> namespaces;
  std::unordered_map<Oid, std::vector<Att>> atts;  // by table, [attnum - 1]
  std::unordered_map<Oid, IndexFacts> indexes;
  std::unordered_map<Oid, std::vector<const IndexFacts *>> table_indexes;
  std::unordered_map<Oid, std::string> constraints;
  std::unordered_map<Oid, bool> usage;
  std::unordered_map<Oid, Directory> directories;
  std::vector<Oid> path;

  void clear() { *this = State(); }
};

State &state() {
  static State s;
  return s;
}

bool active() {
  State &s = state();
  return s.depth > 0 && s.xact_start == GetCurrentTransactionStartTimestamp() &&
         s.command == GetCurrentCommandId(false);
}

// One sequential scan of a catalog: visit(tuple, catalog) for each row.
template <typename Visit>
void scan_catalog(Oid catalog, Visit &&visit) {
  Relation rel = table_open(catalog, AccessShareLock);
  SysScanDesc scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
  HeapTuple tup;
  while ((tup = systable_getnext(scan)) != NULL) visit(tup, rel);
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
}

void load_class() {
  State &s = state();
  scan_catalog(RelationRelationId, [&s](HeapTuple tup, Relation) {
    Form_pg_class c = (Form_pg_class)GETSTRUCT(tup);
    s.rels.emplace(c->oid, Rel{c->relnamespace, c->relkind, c->relpersistence, c->reltuples, c->relfilenode,
                               c->reltablespace, c->reltoastrelid, NameStr(c->relname)});
  });
  s.class_loaded = true;
}

void load_namespace() {
  State &s = state();
  scan_catalog(NamespaceRelationId, [&s](HeapTuple tup, Relation) {
    Form_pg_namespace n = (Form_pg_namespace)GETSTRUCT(tup);
    s.namespaces[n->oid] = NameStr(n->nspname);
  });
  s.namespace_loaded = true;
}

// The columns of tables (ordinary, partitioned, foreign): the only relations
// whose columns these functions ask about.
void load_attribute() {
  State &s = state();
  if (!s.class_loaded) load_class();
  s.atts.reserve(s.rels.size());
  // A table's columns lie together in pg_attribute: its kind is looked up once per run of rows.
  Oid last = InvalidOid;
  std::vector<Att> *columns = nullptr;
  scan_catalog(AttributeRelationId, [&s, &last, &columns](HeapTuple tup, Relation) {
    Form_pg_attribute a = (Form_pg_attribute)GETSTRUCT(tup);
    if (a->attnum <= 0) return;
    if (a->attrelid != last) {
      last = a->attrelid;
      auto it = s.rels.find(a->attrelid);
      char k = it == s.rels.end() ? '\0' : it->second.kind;
      columns = k == RELKIND_RELATION || k == RELKIND_PARTITIONED_TABLE || k == RELKIND_FOREIGN_TABLE
                    ? &s.atts[a->attrelid]
                    : nullptr;
    }
    if (!columns) return;
    if (columns->size() < (size_t)a->attnum) columns->resize(a->attnum);
    (*columns)[a->attnum - 1] =
        Att{true, a->atttypid, a->atttypmod, a->attcollation, a->attnotnull, a->attisdropped, NameStr(a->attname)};
  });
  s.attribute_loaded = true;
}

void load_index() {
  State &s = state();
  scan_catalog(IndexRelationId, [&s](HeapTuple tup, Relation rel) {
    Form_pg_index index = (Form_pg_index)GETSTRUCT(tup);
    bool isnull;
    Datum d = heap_getattr(tup, Anum_pg_index_indclass, RelationGetDescr(rel), &isnull);
    if (isnull) return;
    oidvector *indclass = (oidvector *)DatumGetPointer(d);
    IndexFacts f{};
    f.index = index->indexrelid;
    f.table = index->indrelid;
    f.nkeyatts = index->indnkeyatts < INDEX_MAX_KEYS ? index->indnkeyatts : INDEX_MAX_KEYS;
    for (int i = 0; i < f.nkeyatts; i++) {
      f.keys[i] = index->indkey.values[i];
      f.opclasses[i] = indclass->values[i];
    }
    f.valid = index->indisvalid;
    f.partial = !heap_attisnull(tup, Anum_pg_index_indpred, NULL);
    f.primary = index->indisprimary;
    f.live = index->indislive;
    s.indexes[f.index] = f;
  });
  s.index_loaded = true;
}

void load_constraint() {
  State &s = state();
  scan_catalog(ConstraintRelationId, [&s](HeapTuple tup, Relation) {
    Form_pg_constraint c = (Form_pg_constraint)GETSTRUCT(tup);
    s.constraints[c->oid] = NameStr(c->conname);
  });
  s.constraint_loaded = true;
}

const Rel *find_rel(Oid rel) {
  if (!active()) return nullptr;
  State &s = state();
  if (!s.class_loaded) load_class();
  auto it = s.rels.find(rel);
  return it == s.rels.end() ? nullptr : &it->second;
}

const Att *find_att(Oid rel, AttrNumber att) {
  if (!active()) return nullptr;
  State &s = state();
  if (!s.attribute_loaded) load_attribute();
  auto it = s.atts.find(rel);
  if (it == s.atts.end() || att <= 0 || (size_t)att > it->second.size()) return nullptr;
  const Att *a = &it->second[att - 1];
  return a->present ? a : nullptr;
}

const std::string *find_namespace(Oid nsp) {
  if (!active()) return nullptr;
  State &s = state();
  if (!s.namespace_loaded) load_namespace();
  auto it = s.namespaces.find(nsp);
  return it == s.namespaces.end() ? nullptr : &it->second;
}

// RelationIsVisible(), over the relations read above.
bool visible(const Rel &r) {
  State &s = state();
  if (!s.path_loaded) {
    List *path = fetch_search_path(true);
    ListCell *lc;
    foreach (lc, path) s.path.push_back(lfirst_oid(lc));
    list_free(path);
    s.path_loaded = true;
  }
  bool in_path = false;
  for (Oid nsp : s.path) in_path = in_path || nsp == r.nsp;
  if (r.nsp != PG_CATALOG_NAMESPACE && !in_path) return false;
  if (!s.names_loaded) {
    for (const auto &entry : s.rels) s.rel_names.insert(NameKey{entry.second.nsp, entry.second.name});
    s.names_loaded = true;
  }
  for (Oid nsp : s.path) {
    if (nsp == r.nsp) return true;
    if (s.rel_names.count(NameKey{nsp, r.name})) return false;
  }
  return false;
}

}  // namespace

Scope::Scope() {
  State &s = state();
  if (s.depth > 0 && !active()) s.clear();  // left over from a scope an error skipped
  if (s.depth == 0) {
    s.clear();
    s.xact_start = GetCurrentTransactionStartTimestamp();
    s.command = GetCurrentCommandId(false);
  }
  s.depth++;
}

Scope::~Scope() {
  State &s = state();
  if (s.depth > 0 && --s.depth == 0) s.clear();
}

Oid rel_namespace(Oid rel) {
  const Rel *r = find_rel(rel);
  return r ? r->nsp : get_rel_namespace(rel);
}

char *rel_name(Oid rel) {
  const Rel *r = find_rel(rel);
  return r ? pstrdup(r->name.c_str()) : get_rel_name(rel);
}

char rel_kind(Oid rel) {
  const Rel *r = find_rel(rel);
  return r ? r->kind : get_rel_relkind(rel);
}

double rel_tuples(Oid rel) {
  const Rel *r = find_rel(rel);
  if (r) return r->tuples;
  HeapTuple tup = SearchSysCache1(RELOID, ObjectIdGetDatum(rel));
  if (!HeapTupleIsValid(tup)) return -1;
  double t = ((Form_pg_class)GETSTRUCT(tup))->reltuples;
  ReleaseSysCache(tup);
  return t;
}

char *namespace_name(Oid nsp) {
  const std::string *n = find_namespace(nsp);
  return n ? pstrdup(n->c_str()) : get_namespace_name(nsp);
}

char *regclass_text(Oid rel) {
  const Rel *r = find_rel(rel);
  const std::string *nsp = r ? find_namespace(r->nsp) : nullptr;
  if (!r || !nsp) return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(rel)));
  if (visible(*r)) return pstrdup(quote_identifier(r->name.c_str()));
  return quote_qualified_identifier(nsp->c_str(), r->name.c_str());
}

char *qualified_name(Oid rel) { return quote_qualified_identifier(namespace_name(rel_namespace(rel)), rel_name(rel)); }

void column_type(Oid rel, AttrNumber att, Oid *type, int32 *typmod, Oid *collation) {
  const Att *a = find_att(rel, att);
  if (!a) {
    get_atttypetypmodcoll(rel, att, type, typmod, collation);
    return;
  }
  *type = a->type;
  *typmod = a->typmod;
  *collation = a->collation;
}

char *column_name(Oid rel, AttrNumber att) {
  const Att *a = find_att(rel, att);
  return a ? pstrdup(a->name.c_str()) : get_attname(rel, att, false);
}

int column_state(Oid rel, AttrNumber att, char **name) {
  if (!active()) return -2;
  const Att *a = find_att(rel, att);
  if (!a) return -1;
  if (a->dropped) return 0;
  *name = pstrdup(a->name.c_str());
  return 1;
}

bool column_not_null(Oid rel, AttrNumber att) {
  const Att *a = find_att(rel, att);
  if (a) return a->not_null;
  HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rel), Int16GetDatum(att));
  if (!HeapTupleIsValid(tup)) return false;
  bool not_null = ((Form_pg_attribute)GETSTRUCT(tup))->attnotnull;
  ReleaseSysCache(tup);
  return not_null;
}

char *constraint_name(Oid con) {
  if (active()) {
    State &s = state();
    if (!s.constraint_loaded) load_constraint();
    auto it = s.constraints.find(con);
    if (it != s.constraints.end()) return pstrdup(it->second.c_str());
  }
  return get_constraint_name(con);
}

bool schema_usage(Oid nsp) {
  if (!active()) return compat::has_schema_usage(nsp);
  State &s = state();
  auto it = s.usage.find(nsp);
  if (it != s.usage.end()) return it->second;
  bool ok = compat::has_schema_usage(nsp);
  s.usage[nsp] = ok;
  return ok;
}

const IndexFacts *index_facts(Oid index) {
  if (!active()) return nullptr;
  State &s = state();
  if (!s.index_loaded) load_index();
  auto it = s.indexes.find(index);
  return it == s.indexes.end() ? nullptr : &it->second;
}

// Each table's indexes (the order does not matter to the callers: they look
// for any match, or add sizes up).
static void group_indexes() {
  State &s = state();
  if (!s.index_loaded) load_index();
  for (auto &entry : s.indexes) s.table_indexes[entry.second.table].push_back(&entry.second);
  s.table_indexes_loaded = true;
}

const std::vector<const IndexFacts *> *indexes_of_table(Oid table) {
  if (!active()) return nullptr;
  State &s = state();
  if (!s.table_indexes_loaded) group_indexes();
  static const std::vector<const IndexFacts *> none;
  auto it = s.table_indexes.find(table);
  return it == s.table_indexes.end() ? &none : &it->second;
}

namespace {

// Lists a database directory once per scope: the names of the files in it.
const Directory *directory(Oid tablespace) {
  State &s = state();
  Directory &d = s.directories[tablespace];
  if (!d.listed) {
    d.listed = true;
    char *path = GetDatabasePath(MyDatabaseId, tablespace);
    d.path = path;
    pfree(path);
    DIR *dir = AllocateDir(d.path.c_str());
    if (dir == NULL) {
      d.path.clear();
      return nullptr;
    }
    struct dirent *de;
    uint64 key;
    while ((de = ReadDirExtended(dir, d.path.c_str(), DEBUG1)) != NULL)
      if (parse_file_name(de->d_name, &key)) d.files.insert(key);
    FreeDir(dir);
  }
  return d.path.empty() ? nullptr : &d;
}

// calculate_relation_size() for each fork, over the listing: a segment that
// the listing does not have ends the fork, as stat()'s ENOENT does.
bool relation_files_size(const Rel &r, int64 *total) {
  if (r.filenode == InvalidOid) return !RELKIND_HAS_STORAGE(r.kind);  // partitioned: none; mapped: not here
  if (r.persistence == RELPERSISTENCE_TEMP) return false;
  Oid tablespace = OidIsValid(r.tablespace) ? r.tablespace : MyDatabaseTableSpace;
  const Directory *d = directory(tablespace);
  if (!d) return false;
  for (int fork = 0; fork <= MAX_FORKNUM; fork++) {
    for (uint64 seg = 0;; seg++) {
      if (!d->files.count(file_key(r.filenode, fork, seg))) break;
      char path[MAXPGPATH];
      int n = snprintf(path, sizeof(path), "%s/%u", d->path.c_str(), r.filenode);
      if (fork != MAIN_FORKNUM) n += snprintf(path + n, sizeof(path) - n, "_%s", forkNames[fork]);
      if (seg > 0) snprintf(path + n, sizeof(path) - n, ".%u", (unsigned)seg);
      struct stat st;
      if (stat(path, &st) < 0) {
        if (errno == ENOENT) break;
        ereport(ERROR, (errcode_for_file_access(), errmsg("could not stat file \"%s\": %m", path)));
      }
      *total += st.st_size;
    }
  }
  return true;
}

// The relation and its indexes (those RelationGetIndexList() lists: live ones).
bool with_indexes_size(Oid rel, int64 *total) {
  State &s = state();
  auto it = s.rels.find(rel);
  if (it == s.rels.end() || !relation_files_size(it->second, total)) return false;
  auto ix = s.table_indexes.find(rel);
  if (ix == s.table_indexes.end()) return true;
  for (const IndexFacts *f : ix->second) {
    if (!f->live) continue;
    auto r = s.rels.find(f->index);
    if (r == s.rels.end() || !relation_files_size(r->second, total)) return false;
  }
  return true;
}

}  // namespace

int64 total_relation_size(Oid rel) {
  if (!active()) return -1;
  State &s = state();
  if (!s.class_loaded) load_class();
  if (!s.table_indexes_loaded) group_indexes();
  auto it = s.rels.find(rel);
  if (it == s.rels.end()) return -1;
  int64 total = 0;
  if (!with_indexes_size(rel, &total)) return -1;
  if (OidIsValid(it->second.toast) && !with_indexes_size(it->second.toast, &total)) return -1;
  return total;
}

}  // namespace catcache
}  // namespace fkg
