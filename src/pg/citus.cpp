#include "citus.hpp"

#include "compat.hpp"

#include <cstdlib>

namespace fkg {
namespace citus {

namespace {

// A Citus catalog table in pg_catalog, or InvalidOid.
Oid catalog_table(const char *name) { return get_relname_relid(name, PG_CATALOG_NAMESPACE); }

AttrNumber column_number(TupleDesc desc, const char *name) {
  for (int i = 0; i < desc->natts; i++) {
    Form_pg_attribute a = TupleDescAttr(desc, i);
    if (!a->attisdropped && strcmp(NameStr(a->attname), name) == 0) return a->attnum;
  }
  return InvalidAttrNumber;
}

// The shard id in "<table>_<digits>", or 0.
int64 shard_id_of(const char *name) {
  const char *underscore = strrchr(name, '_');
  if (underscore == NULL || underscore[1] == '\0') return 0;
  for (const char *c = underscore + 1; *c; c++)
    if (*c < '0' || *c > '9') return 0;
  if (strlen(underscore + 1) > 18) return 0;
  return (int64)strtoll(underscore + 1, NULL, 10);
}

// pg_dist_shard's row for this shard id: its table, or InvalidOid.
Oid shard_table(int64 shard_id) {
  Oid dist_shard = catalog_table("pg_dist_shard");
  if (!OidIsValid(dist_shard)) return InvalidOid;
  Relation r = table_open(dist_shard, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  AttrNumber a_rel = column_number(desc, "logicalrelid"), a_id = column_number(desc, "shardid");
  Oid table = InvalidOid;
  if (a_rel != InvalidAttrNumber && a_id != InvalidAttrNumber) {
    ScanKeyData key;
    ScanKeyInit(&key, a_id, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(shard_id));
    SysScanDesc scan = systable_beginscan(r, InvalidOid, false, NULL, 1, &key);
    HeapTuple tup = systable_getnext(scan);
    if (HeapTupleIsValid(tup)) {
      bool isnull;
      Datum d = heap_getattr(tup, a_rel, desc, &isnull);
      if (!isnull) table = DatumGetObjectId(d);
    }
    systable_endscan(scan);
  }
  table_close(r, AccessShareLock);
  return table;
}

bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

}  // namespace

// Citus's library defines citus.version when it loads, and CREATE EXTENSION
// citus requires it in shared_preload_libraries: without that setting, no
// scan of pg_extension (the guard asks on every CREATE / ALTER TABLE).
bool installed() {
  if (GetConfigOption("citus.version", true, false) == NULL) return false;
  return OidIsValid(get_extension_oid("citus", true));
}

Distribution distribution_of(Oid rel) {
  Distribution d;
  if (!OidIsValid(rel) || !installed()) return d;
  Oid partition = catalog_table("pg_dist_partition");
  if (!OidIsValid(partition)) return d;
  Relation r = table_open(partition, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  AttrNumber a_rel = column_number(desc, "logicalrelid"), a_method = column_number(desc, "partmethod"),
             a_model = column_number(desc, "repmodel"), a_coloc = column_number(desc, "colocationid"),
             a_key = column_number(desc, "partkey");
  if (a_rel != InvalidAttrNumber && a_method != InvalidAttrNumber) {
    ScanKeyData key;
    ScanKeyInit(&key, a_rel, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
    SysScanDesc scan = systable_beginscan(r, InvalidOid, false, NULL, 1, &key);
    HeapTuple tup = systable_getnext(scan);
    if (HeapTupleIsValid(tup)) {
      bool isnull;
      char method = DatumGetChar(heap_getattr(tup, a_method, desc, &isnull));
      char model = a_model != InvalidAttrNumber ? DatumGetChar(heap_getattr(tup, a_model, desc, &isnull)) : 's';
      Datum coloc = a_coloc != InvalidAttrNumber ? heap_getattr(tup, a_coloc, desc, &isnull) : Int32GetDatum(0);
      d.colocation = isnull ? 0 : (uint32)DatumGetInt32(coloc);
      if (method != 'n') {
        d.kind = TableKind::Distributed;
        // partkey: the distribution column as a Var's node string.
        Datum k = a_key != InvalidAttrNumber ? heap_getattr(tup, a_key, desc, &isnull) : (Datum)0;
        if (a_key != InvalidAttrNumber && !isnull) {
          char *node_string = TextDatumGetCString(k);
          const char *at = strstr(node_string, ":varattno ");
          if (at != NULL) d.dist_att = (AttrNumber)atoi(at + strlen(":varattno "));
        }
      } else if (model == 't') {
        d.kind = TableKind::Reference;
      } else if (d.colocation == 0) {
        d.kind = TableKind::Local;
      } else {
        d.kind = TableKind::Distributed;  // distributed without a shard key
        d.single_shard = true;
      }
    }
    systable_endscan(scan);
  }
  table_close(r, AccessShareLock);
  return d;
}

Oid colocated_table(Oid rel) {
  Distribution d = distribution_of(rel);
  if (d.colocation == 0) return InvalidOid;
  Oid partition = catalog_table("pg_dist_partition");
  if (!OidIsValid(partition)) return InvalidOid;
  Relation r = table_open(partition, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  AttrNumber a_rel = column_number(desc, "logicalrelid"), a_coloc = column_number(desc, "colocationid");
  Oid found = InvalidOid;
  if (a_rel != InvalidAttrNumber && a_coloc != InvalidAttrNumber) {
    SysScanDesc scan = systable_beginscan(r, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tup;
    while ((tup = systable_getnext(scan)) != NULL) {
      bool null_rel, null_coloc;
      Datum other = heap_getattr(tup, a_rel, desc, &null_rel);
      Datum coloc = heap_getattr(tup, a_coloc, desc, &null_coloc);
      if (null_rel || null_coloc || DatumGetObjectId(other) == rel || (uint32)DatumGetInt32(coloc) != d.colocation)
        continue;
      // The oldest one, so that the choice does not depend on the scan's order.
      if (!OidIsValid(found) || DatumGetObjectId(other) < found) found = DatumGetObjectId(other);
    }
    systable_endscan(scan);
  }
  table_close(r, AccessShareLock);
  return found;
}

int shard_count(Oid rel) {
  Oid dist_shard = catalog_table("pg_dist_shard");
  if (!OidIsValid(dist_shard) || !OidIsValid(rel)) return 0;
  Relation r = table_open(dist_shard, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  AttrNumber a_rel = column_number(desc, "logicalrelid");
  int count = 0;
  if (a_rel != InvalidAttrNumber) {
    ScanKeyData key;
    ScanKeyInit(&key, a_rel, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(rel));
    SysScanDesc scan = systable_beginscan(r, InvalidOid, false, NULL, 1, &key);
    while (systable_getnext(scan) != NULL) count++;
    systable_endscan(scan);
  }
  table_close(r, AccessShareLock);
  return count;
}

RuleSide rule_side(Oid rel) {
  RuleSide out = {(int)citus_rules::Table::Plain, "", "", InvalidOid, InvalidOid, 0};
  Distribution d = distribution_of(rel);
  switch (d.kind) {
    case TableKind::Distributed:
      out.kind = (int)(d.single_shard ? citus_rules::Table::SingleShard : citus_rules::Table::Distributed);
      break;
    case TableKind::Reference:
      out.kind = (int)citus_rules::Table::Reference;
      break;
    case TableKind::Local:
      out.kind = (int)citus_rules::Table::Local;
      break;
    default:
      return out;
  }
  out.colocation = d.colocation;
  if (d.dist_att != InvalidAttrNumber) {
    HeapTuple tup = SearchSysCache2(ATTNUM, ObjectIdGetDatum(rel), Int16GetDatum(d.dist_att));
    if (HeapTupleIsValid(tup)) {
      Form_pg_attribute a = (Form_pg_attribute)GETSTRUCT(tup);
      out.dist_column = pstrdup(NameStr(a->attname));
      out.dist_type_oid = a->atttypid;
      out.dist_collation_oid = a->attcollation;
      const char *type = format_type_be(a->atttypid);
      if (OidIsValid(a->attcollation) && a->attcollation != DEFAULT_COLLATION_OID)
        type = psprintf("%s COLLATE %s", type, generate_collation_name(a->attcollation));
      out.dist_type = type;
      ReleaseSysCache(tup);
    }
  }
  return out;
}

citus_rules::Side to_rule_side(const RuleSide &s, const std::string &table) {
  citus_rules::Side side;
  side.kind = (citus_rules::Table)s.kind;
  side.table = table;
  side.dist_column = s.dist_column;
  side.dist_type = s.dist_type;
  side.dist_type_oid = s.dist_type_oid;
  side.dist_collation_oid = s.dist_collation_oid;
  side.colocation = s.colocation;
  return side;
}

TableKind kind_of(Oid rel) {
  Distribution d = distribution_of(rel);
  if (d.kind == TableKind::None && OidIsValid(rel) && installed()) {
    char *name = get_rel_name(rel);
    if (name != NULL && is_shard_name(get_rel_namespace(rel), name)) return TableKind::Shard;
  }
  return d.kind;
}

const char *kind_name(TableKind kind) {
  switch (kind) {
    case TableKind::Distributed:
      return "distributed table";
    case TableKind::Reference:
      return "reference table";
    case TableKind::Local:
      return "local table";
    case TableKind::Shard:
      return "shard";
    case TableKind::None:
      break;
  }
  return "table";
}

bool is_shard_name(Oid nsp, const char *name) {
  int64 id = shard_id_of(name);
  if (id <= 0 || !installed()) return false;
  Oid table = shard_table(id);
  if (!OidIsValid(table)) return false;
  // A shard lives in its table's schema.
  return !OidIsValid(nsp) || get_rel_namespace(table) == nsp;
}

bool on_coordinator() {
  // pg_dist_local_group: one row, the group of this node (0: the coordinator).
  Oid local_group = catalog_table("pg_dist_local_group");
  if (!OidIsValid(local_group)) return false;
  Relation r = table_open(local_group, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  AttrNumber a_group = column_number(desc, "groupid");
  bool coordinator = false;
  if (a_group != InvalidAttrNumber) {
    SysScanDesc scan = systable_beginscan(r, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tup = systable_getnext(scan);
    if (HeapTupleIsValid(tup)) {
      bool isnull;
      Datum g = heap_getattr(tup, a_group, desc, &isnull);
      coordinator = !isnull && DatumGetInt32(g) == 0;
    }
    systable_endscan(scan);
  }
  table_close(r, AccessShareLock);
  return coordinator;
}

bool internal_session() {
  const char *app = GetConfigOption("application_name", true, false);
  if (app == NULL) return false;
  // Citus's prefixes: its own connections between nodes, the rebalancer's,
  // and those of shard moves and splits.
  if (!starts_with(app, "citus_internal gpid=") && !starts_with(app, "citus_rebalancer gpid=") &&
      !starts_with(app, "citus_shard_"))
    return false;
  // Any session can set its application_name, and Citus itself tells its
  // connections by that name alone. Users' statements on Citus tables arrive
  // at the coordinator (Citus refuses them elsewhere while it propagates
  // DDL), and Citus sends the coordinator no statement on a Citus table but
  // on its shards (recognised by their names): there the name proves nothing.
  if (installed() && on_coordinator()) return false;
  // On a worker, Citus sends its commands for the node's shell tables with
  // DDL propagation off (so they change this node only); a session with the
  // name but propagation on is not Citus's.
  const char *propagation = GetConfigOption("citus.enable_ddl_propagation", true, false);
  return propagation == NULL || strcmp(propagation, "off") == 0;
}

bool converting_table() {
  if (!installed()) return false;
  static bool looked_up = false;
  static const bool *flag = NULL;
  if (!looked_up) {
    looked_up = true;
    // The library is loaded already (Citus must be in shared_preload_libraries).
    flag = (const bool *)load_external_function("$libdir/citus", "InTableTypeConversionFunctionCall", false, NULL);
  }
  return flag != NULL && *flag;
}

bool conversion_setting_off() {
  const char *now = GetConfigOption("citus.enable_local_reference_table_foreign_keys", true, false);
  return now != NULL && strcmp(now, "off") == 0 &&
         strcmp(GetConfigOptionResetString("citus.enable_local_reference_table_foreign_keys"), "on") == 0;
}

bool recreates_valid_keys(Node *tree) {
  if (!IsA(tree, AlterTableStmt)) return false;
  // A user's statement with these marks is one Citus only passes on, with
  // propagation turned off: the user's, to be judged.
  const char *propagation = GetConfigOption("citus.enable_ddl_propagation", true, false);
  const char *skip = GetConfigOption("citus.skip_constraint_validation", true, false);
  if (propagation == NULL || strcmp(propagation, "on") != 0 || (skip != NULL && strcmp(skip, "off") != 0)) return false;
  bool any = false;
  ListCell *lc;
  foreach (lc, ((AlterTableStmt *)tree)->cmds) {
    AlterTableCmd *cmd = (AlterTableCmd *)lfirst(lc);
    if (cmd->subtype != AT_AddConstraint || cmd->def == NULL || !IsA(cmd->def, Constraint)) return false;
    Constraint *c = (Constraint *)cmd->def;
    if (c->contype != CONSTR_FOREIGN || !c->skip_validation || !c->initially_valid) return false;
    any = true;
  }
  return any;
}

struct ShardEntry {
  int64 id;
  Oid nsp;  // the schema of the shard's table
};

struct ShardSet {
  ShardEntry *items;  // sorted by id
  int count;
};

namespace {

int compare_shards(const void *a, const void *b) {
  int64 x = ((const ShardEntry *)a)->id, y = ((const ShardEntry *)b)->id;
  return x < y ? -1 : (x > y ? 1 : 0);
}

}  // namespace

ShardSet *load_shards() {
  if (!installed()) return NULL;
  Oid dist_shard = catalog_table("pg_dist_shard");
  if (!OidIsValid(dist_shard)) return NULL;
  ShardSet *set = (ShardSet *)palloc0(sizeof(ShardSet));
  int cap = 0;
  Relation r = table_open(dist_shard, AccessShareLock);
  TupleDesc desc = RelationGetDescr(r);
  AttrNumber a_rel = column_number(desc, "logicalrelid"), a_id = column_number(desc, "shardid");
  if (a_rel != InvalidAttrNumber && a_id != InvalidAttrNumber) {
    SysScanDesc scan = systable_beginscan(r, InvalidOid, false, NULL, 0, NULL);
    HeapTuple tup;
    while ((tup = systable_getnext(scan)) != NULL) {
      bool null_rel, null_id;
      Datum rel = heap_getattr(tup, a_rel, desc, &null_rel);
      Datum id = heap_getattr(tup, a_id, desc, &null_id);
      if (null_rel || null_id) continue;
      if (set->count == cap) {
        cap = cap ? cap * 2 : 64;
        set->items = set->items ? (ShardEntry *)repalloc(set->items, sizeof(ShardEntry) * cap)
                                : (ShardEntry *)palloc(sizeof(ShardEntry) * cap);
      }
      set->items[set->count++] = ShardEntry{DatumGetInt64(id), get_rel_namespace(DatumGetObjectId(rel))};
    }
    systable_endscan(scan);
  }
  table_close(r, AccessShareLock);
  if (set->count > 1) qsort(set->items, set->count, sizeof(ShardEntry), compare_shards);
  return set;
}

bool is_shard(const ShardSet *set, Oid nsp, const char *relname) {
  if (set == NULL || set->count == 0 || relname == NULL) return false;
  int64 id = shard_id_of(relname);
  if (id <= 0) return false;
  int lo = 0, hi = set->count - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    if (set->items[mid].id == id) return set->items[mid].nsp == nsp;
    if (set->items[mid].id < id)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return false;
}

namespace {

struct CallScan {
  Oid citus;
  bool user_code;
};

// Is every function this call may mean built in or Citus's?
bool system_or_citus_function(FuncCall *call, Oid citus) {
  FuncCandidateList c = FuncnameGetCandidates(call->funcname, -1, NIL, false, false, false, true);
  if (c == NULL) return false;
  for (; c != NULL; c = c->next)
    if (c->oid >= FirstNormalObjectId && getExtensionOfObject(ProcedureRelationId, c->oid) != citus) return false;
  return true;
}

bool call_walker(Node *node, CallScan *scan) {
  if (node == NULL) return false;
  if (IsA(node, FuncCall) && !system_or_citus_function((FuncCall *)node, scan->citus)) {
    scan->user_code = true;
    return true;
  }
  return raw_expression_tree_walker(node, FKG_WALKER(call_walker), scan);
}

}  // namespace

bool client_runs_user_code() {
  if (debug_query_string == NULL) return true;
  CallScan scan{get_extension_oid("citus", true), false};
  List *stmts = raw_parser(debug_query_string, RAW_PARSE_DEFAULT);
  ListCell *lc;
  foreach (lc, stmts) {
    Node *stmt = ((RawStmt *)lfirst(lc))->stmt;
    switch (nodeTag(stmt)) {
      case T_DoStmt:
      case T_CallStmt:
      case T_ExecuteStmt:
      case T_InsertStmt:
      case T_UpdateStmt:
      case T_DeleteStmt:
      case T_MergeStmt:
        return true;  // may run any code (a DO block, a procedure, triggers)
      case T_SelectStmt:
        if (call_walker(stmt, &scan)) return true;
        break;
      default:
        break;  // DDL: what it runs besides itself is Citus's (or an event trigger's)
    }
  }
  return false;
}

namespace {

RangeVar *target_of(Node *stmt) {
  if (IsA(stmt, AlterTableStmt)) return ((AlterTableStmt *)stmt)->relation;
  if (IsA(stmt, CreateStmt)) return ((CreateStmt *)stmt)->relation;
  return NULL;
}

bool same_relation(RangeVar *a, RangeVar *b, bool create) {
  if (strcmp(a->relname, b->relname) != 0) return false;
  if (create) {
    // Not created yet: the same name in the same schema, when both say one.
    return a->schemaname == NULL || b->schemaname == NULL || strcmp(a->schemaname, b->schemaname) == 0;
  }
  return RangeVarGetRelid(a, NoLock, true) == RangeVarGetRelid(b, NoLock, true);
}

}  // namespace

bool client_sent(Node *tree) {
  RangeVar *target = target_of(tree);
  if (debug_query_string == NULL || target == NULL) return true;
  List *stmts = raw_parser(debug_query_string, RAW_PARSE_DEFAULT);
  ListCell *lc;
  foreach (lc, stmts) {
    Node *stmt = ((RawStmt *)lfirst(lc))->stmt;
    RangeVar *rv = nodeTag(stmt) == nodeTag(tree) ? target_of(stmt) : NULL;
    if (rv != NULL && same_relation(rv, target, IsA(tree, CreateStmt))) return true;
  }
  return false;
}

}  // namespace citus
}  // namespace fkg
