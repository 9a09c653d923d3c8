#include "guard_collect.hpp"

#include "catalog_scan.hpp"
#include "compat.hpp"

#include "../core/statement_rules.hpp"

namespace fkg {

namespace {

// A column as this statement will leave it.
struct StmtColumn {
  const char *name;
  Oid type;
  int32 typmod;
  Oid collation;
  bool type_changed;
  bool defined_here;  // a column this statement creates
};

// What the statement says about the table it creates or alters.
struct Target {
  bool creating;
  Oid relid;  // existing table (ALTER), else InvalidOid
  const char *relname;
  Oid namespace_oid;
  const char *display;  // as the user names it
  List *columns;        // StmtColumn*: columns defined or retyped by the statement
  List *parents;        // Oid: tables whose columns a new table inherits
  List *primary_key;    // String: primary key columns declared in the statement
  List *fk_names;       // char *: names of the foreign keys the statement adds so far
  bool quick;           // CollectMode::Quick: no names for messages, no lock on referenced tables
};

bool is_serial(TypeName *tn, Oid *type) {
  if (list_length(tn->names) != 1 || tn->arrayBounds != NIL) return false;
  const char *n = strVal(linitial(tn->names));
  if (strcmp(n, "serial") == 0 || strcmp(n, "serial4") == 0)
    *type = INT4OID;
  else if (strcmp(n, "bigserial") == 0 || strcmp(n, "serial8") == 0)
    *type = INT8OID;
  else if (strcmp(n, "smallserial") == 0 || strcmp(n, "serial2") == 0)
    *type = INT2OID;
  else
    return false;
  return true;
}

// Resolves a column definition's type; false when it cannot be resolved.
bool resolve_type(TypeName *tn, CollateClause *coll, StmtColumn *out) {
  if (tn == NULL) return false;
  out->typmod = -1;
  if (!is_serial(tn, &out->type)) {
    Type t = LookupTypeName(NULL, tn, &out->typmod, true);
    if (t == NULL) return false;
    out->type = typeTypeId(t);
    ReleaseSysCache(t);
  }
  out->collation = get_typcollation(out->type);
  if (coll != NULL && OidIsValid(out->collation)) {
    out->collation = get_collation_oid(coll->collname, true);
    if (!OidIsValid(out->collation)) return false;
  }
  return true;
}

StmtColumn *find_stmt_column(Target *t, const char *name) {
  ListCell *lc;
  foreach (lc, t->columns) {
    StmtColumn *c = (StmtColumn *)lfirst(lc);
    if (strcmp(c->name, name) == 0) return c;
  }
  return NULL;
}

// One lookup, and no error when the column (or the table, read without a
// lock by the quick look) is gone.
bool catalog_column(Oid rel, const char *name, StmtColumn *out) {
  HeapTuple tup = SearchSysCacheAttName(rel, name);
  if (!HeapTupleIsValid(tup)) return false;
  Form_pg_attribute a = (Form_pg_attribute)GETSTRUCT(tup);
  bool user_column = a->attnum > 0;
  out->type = a->atttypid;
  out->typmod = a->atttypmod;
  out->collation = a->attcollation;
  ReleaseSysCache(tup);
  if (!user_column) return false;
  out->name = name;
  out->type_changed = false;
  out->defined_here = false;
  return true;
}

// The column as it will be once the statement's ALTER COLUMN TYPE / ADD COLUMN
// have run (PostgreSQL runs them before ADD CONSTRAINT).
bool target_column(Target *t, const char *name, StmtColumn *out) {
  StmtColumn *c = find_stmt_column(t, name);
  if (c) {
    *out = *c;
    return true;
  }
  if (OidIsValid(t->relid)) return catalog_column(t->relid, name, out);
  ListCell *lc;
  foreach (lc, t->parents) {
    if (catalog_column(lfirst_oid(lc), name, out)) return true;
  }
  return false;
}

void add_stmt_column(Target *t, ColumnDef *def) {
  StmtColumn *c = (StmtColumn *)palloc0(sizeof(StmtColumn));
  c->name = def->colname;
  c->defined_here = true;
  if (!resolve_type(def->typeName, def->collClause, c)) {
    c->type = InvalidOid;  // known to be defined here, type unknown: stay silent on it
  }
  t->columns = lappend(t->columns, c);
}

struct PrimaryKeyNames {
  Oid rel;
  List *names;
};

bool visit_primary_key(HeapTuple, Form_pg_index index, oidvector *, void *arg) {
  if (!index->indisprimary) return true;
  PrimaryKeyNames *pk = (PrimaryKeyNames *)arg;
  for (int i = 0; i < index->indnkeyatts; i++) {
    char *name = get_attname(pk->rel, index->indkey.values[i], true);
    if (name == NULL) {  // dropped concurrently (the quick look holds no lock on it)
      pk->names = NIL;
      return false;
    }
    pk->names = lappend(pk->names, makeString(name));
  }
  return false;
}

// Primary key columns of an existing table, from pg_index (no lock taken).
List *primary_key_of(Oid rel) {
  PrimaryKeyNames pk{rel, NIL};
  for_each_index(rel, visit_primary_key, &pk);
  return pk.names;
}

struct KeyColumns {
  AttrNumber *atts;
  int n;
  Oid *opclasses;
  bool found;
};

// A unique index usable for a foreign key on exactly these columns, in any
// order, as transformFkeyCheckAttrs finds it; one opclass per column.
bool visit_unique_index(HeapTuple tup, Form_pg_index index, oidvector *indclass, void *arg) {
  KeyColumns *k = (KeyColumns *)arg;
  if (index->indnkeyatts != k->n || !index->indisunique || !index->indimmediate ||
      compat::index_without_overlaps(index) || !heap_attisnull(tup, Anum_pg_index_indpred, NULL) ||
      !heap_attisnull(tup, Anum_pg_index_indexprs, NULL))
    return true;
  int matched = 0;
  for (int i = 0; i < k->n; i++)
    for (int j = 0; j < k->n; j++)
      if (index->indkey.values[j] == k->atts[i]) {
        k->opclasses[i] = indclass->values[j];
        matched++;
      }
  k->found = matched == k->n;
  return !k->found;
}

bool unique_index_opclasses(Oid rel, AttrNumber *atts, int n, Oid *opclasses) {
  KeyColumns k{atts, n, opclasses, false};
  for_each_index(rel, visit_unique_index, &k);
  return k.found;
}

const char *relation_display(Oid rel) {
  return DatumGetCString(DirectFunctionCall1(regclassout, ObjectIdGetDatum(rel)));
}

// PostgreSQL's default name for an unnamed foreign key (see tablecmds.c).
const char *default_fk_name(Target *t, List *fk_attrs) {
  StringInfoData buf;
  initStringInfo(&buf);
  ListCell *lc;
  foreach (lc, fk_attrs) {
    if (buf.len > 0) appendStringInfoChar(&buf, '_');
    appendStringInfoString(&buf, strVal(lfirst(lc)));
    if (buf.len >= NAMEDATALEN) break;
  }
  // PostgreSQL adds the statement's foreign keys one after another, each
  // seeing the names of those before it (t_a_fkey, then t_a_fkey1).
  return ChooseConstraintName(t->relname, buf.data, "fkey", t->namespace_oid, t->fk_names);
}

ProposedPair *append_pair(ProposedPairs *out, int *capacity) {
  if (out->count == *capacity) {
    *capacity = *capacity ? *capacity * 2 : 8;
    out->items = out->items ? (ProposedPair *)repalloc(out->items, sizeof(ProposedPair) * *capacity)
                            : (ProposedPair *)palloc(sizeof(ProposedPair) * *capacity);
  }
  ProposedPair *p = &out->items[out->count++];
  *p = ProposedPair{};
  return p;
}

// One column pair of a constraint, as the statement will leave the columns.
ProposedPair *append_column_pair(ProposedPairs *out, int *capacity, const StmtColumn *fk, const StmtColumn *pk,
                                 Oid opclass, const char *constraint, const char *fk_table, const char *pk_table,
                                 int constraint_no) {
  ProposedPair *p = append_pair(out, capacity);
  p->referencing = PgColumn{fk->type, fk->typmod, fk->collation};
  p->referenced = PgColumn{pk->type, pk->typmod, pk->collation};
  p->opclass = opclass;
  p->constraint = constraint;
  p->referencing_table = fk_table;
  p->referencing_column = quote_identifier(fk->name);
  p->referencing_attname = fk->name;
  p->referenced_table = pk_table;
  p->referenced_column = quote_identifier(pk->name);
  p->type_changed = fk->type_changed;
  p->constraint_no = constraint_no;
  return p;
}

// Collects the pairs of one new foreign key; false when it could not be
// modelled (the guard then says nothing about it at the start).
// validates: PostgreSQL checks existing rows for this constraint unless it is
// NOT ENFORCED (the caller knows NOT VALID and DEFAULTs).
bool collect_constraint(Target *t, Constraint *con, List *fk_attrs, int constraint_no, bool validates,
                        ProposedPairs *out, int *capacity) {
  if (con->contype != CONSTR_FOREIGN || con->pktable == NULL) return true;
  if (fk_attrs == NIL) fk_attrs = con->fk_attrs;
  // The quick look needs no name: it only decides that nothing is to be said.
  const char *conname = con->conname ? con->conname : t->quick ? "" : default_fk_name(t, fk_attrs);
  if (!t->quick) t->fk_names = lappend(t->fk_names, pstrdup(conname));
  if (compat::fk_uses_period(con)) return true;  // temporal (PERIOD): not judged, PostgreSQL decides

  // The referenced table: this very table (self reference) or an existing one.
  bool self = false;
  Oid pkrel = InvalidOid;
  if (t->creating) {
    self = strcmp(con->pktable->relname, t->relname) == 0 &&
           (con->pktable->schemaname == NULL || get_namespace_oid(con->pktable->schemaname, true) == t->namespace_oid);
  }
  if (!self) {
    // The full look takes the lock PostgreSQL takes on the referenced table
    // for a new foreign key (ATAddForeignKeyConstraint) now: the guard then
    // waits for concurrent DDL exactly as PostgreSQL would, and judges what it
    // will see. The quick look takes none and reads the committed catalog:
    // any lock held from here until PostgreSQL asks for SHARE ROW EXCLUSIVE
    // would deadlock with a transaction that holds that lock and asks for
    // ACCESS EXCLUSIVE (DROP TABLE of a referencing table). See docs/guard.md,
    // "Locks".
    pkrel = RangeVarGetRelid(con->pktable, t->quick ? NoLock : ShareRowExclusiveLock, true);
    if (!OidIsValid(pkrel)) return false;
    if (OidIsValid(t->relid) && pkrel == t->relid) self = true;
  }
  List *pk_attrs = con->pk_attrs;
  if (pk_attrs == NIL) pk_attrs = self && t->creating ? t->primary_key : primary_key_of(pkrel);
  int n = list_length(fk_attrs);
  if (n == 0 || n != list_length(pk_attrs) || n > INDEX_MAX_KEYS) return false;

  StmtColumn fk[INDEX_MAX_KEYS], pk[INDEX_MAX_KEYS];
  AttrNumber pkatts[INDEX_MAX_KEYS];
  Oid opclasses[INDEX_MAX_KEYS];
  bool pk_retyped = false;
  for (int i = 0; i < n; i++) {
    if (!target_column(t, strVal(list_nth(fk_attrs, i)), &fk[i]) || !OidIsValid(fk[i].type)) return false;
    const char *pkname = strVal(list_nth(pk_attrs, i));
    if (self) {
      if (!target_column(t, pkname, &pk[i]) || !OidIsValid(pk[i].type)) return false;
      pk_retyped = pk_retyped || pk[i].type_changed || t->creating;
      pkatts[i] = OidIsValid(t->relid) ? get_attnum(t->relid, pkname) : InvalidAttrNumber;
    } else {
      if (!catalog_column(pkrel, pkname, &pk[i])) return false;
      pkatts[i] = get_attnum(pkrel, pkname);
    }
  }
  if (pk_retyped) {
    // The referenced index is created or rebuilt by this statement: default classes.
    for (int i = 0; i < n; i++) {
      opclasses[i] = GetDefaultOpClass(pk[i].type, BTREE_AM_OID);
      if (!OidIsValid(opclasses[i])) return false;
    }
  } else if (!unique_index_opclasses(self ? t->relid : pkrel, pkatts, n, opclasses)) {
    return false;  // PostgreSQL will report the missing unique constraint itself
  }

  const char *pkdisplay = self ? t->display : t->quick ? "" : relation_display(pkrel);
  for (int i = 0; i < n; i++) {
    ProposedPair *p =
        append_column_pair(out, capacity, &fk[i], &pk[i], opclasses[i], conname, t->display, pkdisplay, constraint_no);
    p->referenced_rel = self && t->creating ? InvalidOid : pkrel;
    p->referencing_rel = t->relid;
    p->declared_here = fk[i].defined_here;
    p->referenced_retyped = self && pk[i].type_changed;
    p->referenced_attname = pk[i].name;
    p->definition = con;
    p->validates = validates && compat::fk_enforced(con);
  }
  return true;
}

// A column's REFERENCES with the attribute nodes that follow it in the raw
// tree (DEFERRABLE, INITIALLY DEFERRED, NOT ENFORCED ...) applied, as
// transformConstraintAttrs will apply them; the parse tree is not changed.
Constraint *with_attributes(List *constraints, int at) {
  Constraint *con = (Constraint *)copyObjectImpl(list_nth(constraints, at));
  compat::set_fk_enforced(con, true);
  for (int i = at + 1; i < list_length(constraints); i++) {
    Constraint *attr = (Constraint *)list_nth(constraints, i);
    if (!compat::apply_constraint_attribute(con, attr)) break;
  }
  return con;
}

// Does the column get a value in existing rows (a DEFAULT or a generated
// expression)? Then PostgreSQL validates its foreign keys on ADD COLUMN.
bool column_gets_values(ColumnDef *def) {
  if (def->raw_default != NULL) return true;
  ListCell *lc;
  foreach (lc, def->constraints) {
    Constraint *con = (Constraint *)lfirst(lc);
    if (con->contype == CONSTR_DEFAULT || con->contype == CONSTR_GENERATED) return true;
  }
  return false;
}

// Column-level constraints of a column definition.
void collect_column_constraints(Target *t, ColumnDef *def, int *constraint_no, ProposedPairs *out, int *cap) {
  // ADD COLUMN ... REFERENCES checks existing rows only when the column gets
  // values in them (transformAlterTableStmt); CREATE TABLE never does.
  bool validates = !t->creating && column_gets_values(def);
  for (int i = 0; i < list_length(def->constraints); i++) {
    Constraint *con = (Constraint *)list_nth(def->constraints, i);
    if (con->contype == CONSTR_FOREIGN &&
        !collect_constraint(t, with_attributes(def->constraints, i), list_make1(makeString(def->colname)),
                            (*constraint_no)++, validates, out, cap))
      out->unsure = true;
  }
}

const char *new_table_display(RangeVar *rv) {
  return rv->schemaname ? quote_qualified_identifier(rv->schemaname, rv->relname) : quote_identifier(rv->relname);
}

ProposedPairs *collect_create(CreateStmt *stmt, CollectMode mode, ProposedPairs *out) {
  if (stmt->if_not_exists && OidIsValid(RangeVarGetRelid(stmt->relation, NoLock, true))) return out;
  if (stmt->ofTypename != NULL) return out;  // typed tables: columns come from the type; not modelled
  Target t = {};
  t.quick = mode == CollectMode::Quick;
  t.creating = true;
  t.relname = stmt->relation->relname;
  t.namespace_oid = RangeVarGetCreationNamespace(stmt->relation);
  t.display = new_table_display(stmt->relation);
  out->target_namespace = t.namespace_oid;
  out->target_name = t.relname;
  ListCell *lc;
  foreach (lc, stmt->inhRelations) {
    Oid parent = RangeVarGetRelid((RangeVar *)lfirst(lc), NoLock, true);
    if (!OidIsValid(parent)) return out;
    t.parents = lappend_oid(t.parents, parent);
  }
  foreach (lc, stmt->tableElts) {
    Node *elt = (Node *)lfirst(lc);
    if (IsA(elt, ColumnDef)) {
      ColumnDef *def = (ColumnDef *)elt;
      add_stmt_column(&t, def);
      ListCell *cc;
      foreach (cc, def->constraints) {
        Constraint *con = (Constraint *)lfirst(cc);
        if (con->contype == CONSTR_PRIMARY) t.primary_key = list_make1(makeString(def->colname));
      }
    } else if (IsA(elt, Constraint) && ((Constraint *)elt)->contype == CONSTR_PRIMARY) {
      t.primary_key = ((Constraint *)elt)->keys;
    } else if (IsA(elt, TableLikeClause)) {
      return out;  // LIKE copies columns we do not model here; the end-of-command check covers it
    }
  }
  out->unsure = false;  // modelled from here on, constraint by constraint
  int cap = 0, constraint_no = 0;
  foreach (lc, stmt->tableElts) {
    Node *elt = (Node *)lfirst(lc);
    if (IsA(elt, ColumnDef))
      collect_column_constraints(&t, (ColumnDef *)elt, &constraint_no, out, &cap);
    else if (IsA(elt, Constraint))
      out->unsure |= !collect_constraint(&t, (Constraint *)elt, NIL, constraint_no++, false, out, &cap);
  }
  return out;
}

// One side of an existing constraint as the statement will leave it.
bool side_column(Target *t, Oid rel, AttrNumber att, StmtColumn *out) {
  const char *name = get_attname(rel, att, true);
  if (name == NULL) return false;
  bool ok = rel == t->relid ? target_column(t, name, out) : catalog_column(rel, name, out);
  return ok && OidIsValid(out->type);
}

// An existing foreign key that touches a retyped column: PostgreSQL will
// rebuild it after the rewrite. Its pairs, with the new types.
void add_rebuilt_constraint(Target *t, HeapTuple tup, TupleDesc desc, int constraint_no, ProposedPairs *out, int *cap) {
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (compat::constraint_uses_period(con)) return;  // temporal: not judged
  int16 *fkatts, *pkatts;
  int n = constraint_key_columns(tup, desc, &fkatts, &pkatts);
  if (n == 0) {
    out->unsure = true;
    return;
  }
  StmtColumn fk[INDEX_MAX_KEYS], pk[INDEX_MAX_KEYS];
  bool touched = false;
  for (int i = 0; i < n; i++) {
    if (!side_column(t, con->conrelid, fkatts[i], &fk[i]) || !side_column(t, con->confrelid, pkatts[i], &pk[i])) {
      out->unsure = true;
      return;
    }
    touched = touched || fk[i].type_changed || pk[i].type_changed;
  }
  if (!touched) return;

  Oid opclasses[INDEX_MAX_KEYS];
  HeapTuple idx = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(con->conindid));
  if (!HeapTupleIsValid(idx)) {
    out->unsure = true;
    return;
  }
  Form_pg_index index = (Form_pg_index)GETSTRUCT(idx);
  bool isnull;
  oidvector *indclass = (oidvector *)DatumGetPointer(SysCacheGetAttr(INDEXRELID, idx, Anum_pg_index_indclass, &isnull));
  for (int i = 0; i < n; i++) {
    opclasses[i] = InvalidOid;
    if (pk[i].type_changed) {
      // The referenced index is rebuilt for the new type with its default class.
      opclasses[i] = GetDefaultOpClass(pk[i].type, BTREE_AM_OID);
    } else {
      for (int j = 0; j < index->indnkeyatts; j++)
        if (index->indkey.values[j] == pkatts[i]) opclasses[i] = indclass->values[j];
    }
  }
  ReleaseSysCache(idx);
  for (int i = 0; i < n; i++)
    if (!OidIsValid(opclasses[i])) {
      out->unsure = true;
      return;
    }

  const char *conname = pstrdup(NameStr(con->conname));
  const char *fkdisplay = relation_display(con->conrelid);
  const char *pkdisplay = relation_display(con->confrelid);
  for (int i = 0; i < n; i++) {
    ProposedPair *p =
        append_column_pair(out, cap, &fk[i], &pk[i], opclasses[i], conname, fkdisplay, pkdisplay, constraint_no);
    p->referenced_rel = con->confrelid;
    p->referencing_rel = con->conrelid;
    p->referenced_retyped = pk[i].type_changed;
    p->rebuilt = true;
    p->constraint_oid = con->oid;
  }
}

bool dropped_here(List *dropped, const char *conname) {
  ListCell *lc;
  foreach (lc, dropped) {
    if (strcmp(strVal(lfirst(lc)), conname) == 0) return true;
  }
  return false;
}

struct RebuiltScan {
  Target *t;
  List *dropped;
  int *constraint_no;
  ProposedPairs *out;
  int *cap;
  bool referencing_side;
};

bool visit_rebuilt(HeapTuple tup, TupleDesc desc, void *arg) {
  RebuiltScan *r = (RebuiltScan *)arg;
  Form_pg_constraint con = (Form_pg_constraint)GETSTRUCT(tup);
  if (OidIsValid(con->conparentid)) return true;
  if (!r->referencing_side && con->conrelid == r->t->relid) return true;  // self reference: seen already
  if (r->referencing_side && dropped_here(r->dropped, NameStr(con->conname))) return true;
  add_rebuilt_constraint(r->t, tup, desc, (*r->constraint_no)++, r->out, r->cap);
  return true;
}

// Every existing foreign key, on either side, that the statement's ALTER
// COLUMN TYPE makes PostgreSQL rebuild.
void collect_rebuilt(Target *t, List *dropped, int *constraint_no, ProposedPairs *out, int *cap) {
  RebuiltScan r{t, dropped, constraint_no, out, cap, true};
  for_each_foreign_key(FkScope::OnTable, t->relid, visit_rebuilt, &r);
  r.referencing_side = false;
  for_each_foreign_key(FkScope::ReferencingTable, t->relid, visit_rebuilt, &r);
}

// The shape of one part of a statement, for the rules in src/core/statement_rules.
bool has_foreign_key(List *constraints) {
  ListCell *lc;
  foreach (lc, constraints) {
    Node *n = (Node *)lfirst(lc);
    if (IsA(n, Constraint) && ((Constraint *)n)->contype == CONSTR_FOREIGN) return true;
  }
  return false;
}

StatementPart part_of(Node *create_element) {
  StatementPart p;
  if (IsA(create_element, ColumnDef)) {
    p.what = StatementPart::What::Column;
    p.foreign_key = has_foreign_key(((ColumnDef *)create_element)->constraints);
  } else if (IsA(create_element, Constraint)) {
    p.what = StatementPart::What::TableConstraint;
    p.foreign_key = ((Constraint *)create_element)->contype == CONSTR_FOREIGN;
  }
  return p;
}

StatementPart part_of(AlterTableCmd *cmd) {
  StatementPart p;
  switch (cmd->subtype) {
    case AT_AddColumn:
      p.what = StatementPart::What::AddColumn;
      p.foreign_key = cmd->def && IsA(cmd->def, ColumnDef) && has_foreign_key(((ColumnDef *)cmd->def)->constraints);
      break;
    case AT_AddConstraint:
      p.what = StatementPart::What::AddConstraint;
      p.foreign_key = cmd->def && IsA(cmd->def, Constraint) && ((Constraint *)cmd->def)->contype == CONSTR_FOREIGN;
      break;
    case AT_AlterColumnType:
      p.what = StatementPart::What::AlterColumnType;
      break;
    default:
      break;
  }
  return p;
}

bool statement_recurses_early(AlterTableStmt *stmt) {
  ListCell *lc;
  foreach (lc, stmt->cmds) {
    StatementPart part = part_of((AlterTableCmd *)lfirst(lc));
    if (recurses_before_referenced_tables(&part, 1)) return true;
  }
  return false;
}

ProposedPairs *collect_alter(AlterTableStmt *stmt, CollectMode mode, ProposedPairs *out) {
  if (compat::alter_table_object_type(stmt) != OBJECT_TABLE) return out;
  Target t = {};
  t.quick = mode == CollectMode::Quick;
  // Missing table, or one the user may not alter: PostgreSQL reports it.
  Oid existing = RangeVarGetRelid(stmt->relation, NoLock, true);
  if (!OidIsValid(existing) || !compat::owns_relation(existing)) return out;
  // The lookup and lock PostgreSQL makes next (ProcessUtilitySlow), made now,
  // so that the catalog the guard reads is the one PostgreSQL will act on.
  LOCKMODE lockmode = AlterTableGetLockLevel(stmt->cmds);
  t.relid = AlterTableLookupRelation(stmt, lockmode);
  if (!OidIsValid(t.relid)) return out;
  out->target_rel = t.relid;
  out->target_lockmode = lockmode;
  // ADD COLUMN and ALTER COLUMN TYPE recurse to inheritors and partitions in
  // ALTER TABLE's preparation phase, which locks them all before any
  // referenced table; lock them the same way now, to keep PostgreSQL's order.
  if (stmt->relation->inh && statement_recurses_early(stmt)) (void)find_all_inheritors(t.relid, lockmode, NULL);
  t.relname = get_rel_name(t.relid);
  t.namespace_oid = get_rel_namespace(t.relid);
  t.display = t.quick ? "" : relation_display(t.relid);
  ListCell *lc;
  List *dropped = NIL;
  bool any_retype = false;
  // First pass: what the statement does to columns, applied before any ADD CONSTRAINT.
  foreach (lc, stmt->cmds) {
    AlterTableCmd *cmd = (AlterTableCmd *)lfirst(lc);
    if (cmd->subtype == AT_AlterColumnType) {
      ColumnDef *def = (ColumnDef *)cmd->def;
      StmtColumn *c = (StmtColumn *)palloc0(sizeof(StmtColumn));
      c->name = cmd->name;
      c->type_changed = true;
      if (!resolve_type(def->typeName, def->collClause, c)) c->type = InvalidOid;
      t.columns = lappend(t.columns, c);
    } else if (cmd->subtype == AT_AddColumn) {
      add_stmt_column(&t, (ColumnDef *)cmd->def);
    } else if (cmd->subtype == AT_DropConstraint && cmd->name) {
      dropped = lappend(dropped, makeString(cmd->name));
    }
    if (cmd->subtype == AT_AlterColumnType) any_retype = true;
  }
  // Rebuilt keys are judged by the full look only (which locks as before).
  if (any_retype && t.quick) return out;
  out->unsure = false;  // modelled from here on, constraint by constraint
  out->dropped = dropped;
  int cap = 0, constraint_no = 0;
  if (any_retype) collect_rebuilt(&t, dropped, &constraint_no, out, &cap);
  foreach (lc, stmt->cmds) {
    AlterTableCmd *cmd = (AlterTableCmd *)lfirst(lc);
    if (cmd->subtype == AT_AddConstraint && IsA(cmd->def, Constraint)) {
      Constraint *con = (Constraint *)cmd->def;
      out->unsure |= !collect_constraint(&t, con, NIL, constraint_no++, !con->skip_validation, out, &cap);
    } else if (cmd->subtype == AT_AddColumn)
      collect_column_constraints(&t, (ColumnDef *)cmd->def, &constraint_no, out, &cap);
  }
  return out;
}

}  // namespace

bool statement_may_add_foreign_keys(Node *parsetree) {
  ListCell *lc;
  List *parts = NIL;
  bool create = IsA(parsetree, CreateStmt);
  if (create)
    parts = ((CreateStmt *)parsetree)->tableElts;
  else if (IsA(parsetree, AlterTableStmt))
    parts = ((AlterTableStmt *)parsetree)->cmds;
  foreach (lc, parts) {
    StatementPart part = create ? part_of((Node *)lfirst(lc)) : part_of((AlterTableCmd *)lfirst(lc));
    if (may_add_foreign_keys(&part, 1)) return true;
  }
  return false;
}

ProposedPairs *proposed_from_key_pairs(const KeyPair *pairs, int n) {
  ProposedPairs *out = (ProposedPairs *)palloc0(sizeof(ProposedPairs));
  int cap = 0;
  for (int i = 0; i < n; i++) {
    const KeyPair &k = pairs[i];
    ProposedPair *p = append_pair(out, &cap);
    p->referencing = k.referencing;
    p->referenced = k.referenced;
    p->opclass = k.opclass;
    p->constraint = get_constraint_name(k.constraint);
    p->referencing_table = relation_display(k.referencing_rel);
    p->referencing_attname = get_attname(k.referencing_rel, k.referencing_att, false);
    p->referencing_column = quote_identifier(p->referencing_attname);
    p->referenced_table = relation_display(k.referenced_rel);
    p->referenced_column = quote_identifier(get_attname(k.referenced_rel, k.referenced_att, false));
    p->referenced_rel = k.referenced_rel;
    p->referencing_rel = k.referencing_rel;
    p->constraint_no = (int)k.constraint;
  }
  return out;
}

ProposedPairs *collect_proposed_pairs(Node *parsetree, CollectMode mode) {
  ProposedPairs *out = (ProposedPairs *)palloc0(sizeof(ProposedPairs));
  out->unsure = true;  // until a statement shape is recognised and modelled
  if (parsetree == NULL) return out;
  if (IsA(parsetree, CreateStmt)) return collect_create((CreateStmt *)parsetree, mode, out);
  if (IsA(parsetree, AlterTableStmt)) return collect_alter((AlterTableStmt *)parsetree, mode, out);
  return out;
}

}  // namespace fkg
