'use strict';
// The guard's first half, without a server: reads the statements of a query
// string with PostgreSQL's own parser (libpg-query, WebAssembly) and lists
// the foreign keys they add, unresolved: the referencing table and columns
// (declared in the statement, or existing), the referenced table and
// columns, the constraint's name if given. lib/guard-judge.js resolves
// them against the catalog. The keys of LIKE and of a column WITH OPTIONS
// are marked to be judged after the statement (endCheck), as the extension
// judges them; what it cannot model (typed tables, a statement after one it
// cannot replay ...) is left out: the guard then says nothing and
// PostgreSQL speaks for itself.

const pgQuery = require('libpg-query');

let loaded = null;
function loadParser() {
  if (!loaded) loaded = pgQuery.loadModule();
  return loaded;
}

// A quick look at the text: can it add a foreign key at all, or make
// PostgreSQL rebuild one (ALTER TABLE ... ALTER COLUMN ... TYPE)? Anything
// else is sent at once, without parsing.
const MAY_ADD_FK = /\b(?:references|foreign)\b|\balter\b[\s\S]*\btype\b/i;

const str = (n) => (n && n.String ? n.String.sval : undefined);
const quoteAlways = (s) => `"${String(s).replace(/"/g, '""')}"`;

// A TypeName node as SQL text that PostgreSQL resolves exactly as it
// resolves the statement's own (every name quoted as stored); null when it
// cannot be written back faithfully.
function typeNameSql(tn) {
  if (!tn || tn.pct_type || tn.setof) return null;
  const names = (tn.names || []).map(str);
  if (names.length === 0 || names.some((n) => n === undefined)) return null;
  let sql = names.map(quoteAlways).join('.');
  if (tn.typmods && tn.typmods.length) {
    // The modifiers as the parser left them, each as the text the type's
    // modifier input function receives (parse_type.c, typenameTypeMod):
    // interval's fields are already its range mask ("interval day to
    // second(3)" is interval(7176, 3)), an identifier is its name.
    const literal = (v) => `'${String(v).replace(/'/g, "''")}'`;
    const mods = [];
    for (const m of tn.typmods) {
      const c = m.A_Const;
      const ref = m.ColumnRef && m.ColumnRef.fields;
      if (ref && ref.length === 1 && str(ref[0]) !== undefined) mods.push(literal(str(ref[0])));
      else if (!c) return null;
      else if (c.ival !== undefined) mods.push(String(c.ival.ival || 0));
      else if (c.sval !== undefined) mods.push(literal(c.sval.sval || ''));
      else if (c.fval !== undefined) mods.push(String(c.fval.fval));
      else return null;
    }
    sql += `(${mods.join(', ')})`;
  }
  if (tn.arrayBounds && tn.arrayBounds.length) sql += '[]'.repeat(tn.arrayBounds.length);
  return sql;
}

function collateSql(collClause) {
  if (!collClause) return '';
  const names = (collClause.collname || []).map(str);
  if (names.length === 0 || names.some((n) => n === undefined)) return null;
  return ` COLLATE ${names.map(quoteAlways).join('.')}`;
}

function rangeVar(rv) {
  if (!rv || !rv.relname) return null;
  // A name as PostgreSQL resolves it: to_regclass() of its quoted form.
  const parts = [];
  if (rv.catalogname) parts.push(rv.catalogname);
  if (rv.schemaname) parts.push(rv.schemaname);
  parts.push(rv.relname);
  return { schema: rv.schemaname || null, name: rv.relname, text: parts.map(quoteAlways).join('.'), temp: rv.relpersistence === 't' };
}

// The constraint attributes that follow a column's REFERENCES in the raw
// tree (DEFERRABLE, NOT VALID ...) do not change its types: ignored.
function declaredColumn(def) {
  const type = typeNameSql(def.typeName);
  const coll = collateSql(def.collClause);
  return { name: def.colname, typeSql: type === null || coll === null ? null : type + coll, hasDefault: !!def.raw_default };
}

// A PRIMARY KEY or UNIQUE constraint built as a plain index (no USING INDEX,
// no deferrable one, which a foreign key cannot reference).
function plainKey(con) {
  return !con.indexname && !con.deferrable && !(con.exclusions || []).length;
}

// attrs: the attribute nodes that follow a column's REFERENCES (DEFERRABLE,
// INITIALLY DEFERRED, NOT ENFORCED ...), applied as transformConstraintAttrs
// applies them (src/pg/compat.hpp, apply_constraint_attribute).
function foreignKey(con, fkAttrs, attrs = []) {
  const definition = {
    on_update: con.fk_upd_action || 'a',
    on_delete: con.fk_del_action || 'a',
    match: con.fk_matchtype || 's',
    deferrable: !!con.deferrable,
    deferred: !!con.initdeferred,
  };
  let enforced = con.is_enforced !== false;
  for (const a of attrs) {
    const t = a.Constraint && a.Constraint.contype;
    if (t === 'CONSTR_ATTR_DEFERRABLE') definition.deferrable = true;
    else if (t === 'CONSTR_ATTR_NOT_DEFERRABLE') definition.deferrable = false;
    else if (t === 'CONSTR_ATTR_DEFERRED') {
      definition.deferred = true;
      definition.deferrable = true; // INITIALLY DEFERRED implies DEFERRABLE
    } else if (t === 'CONSTR_ATTR_IMMEDIATE') definition.deferred = false;
    else if (t === 'CONSTR_ATTR_ENFORCED') enforced = true;
    else if (t === 'CONSTR_ATTR_NOT_ENFORCED') enforced = false;
    else break;
  }
  return {
    conname: con.conname || null,
    fkAttrs: fkAttrs || (con.fk_attrs || []).map(str),
    pk: rangeVar(con.pktable),
    pkAttrs: (con.pk_attrs || []).map(str),
    notValid: !!con.skip_validation,
    period: !!(con.fk_with_period || con.pk_with_period),
    // pg_constraint's action codes (a r c n d), for Citus's rules
    onDelete: con.fk_del_action || 'a',
    onUpdate: con.fk_upd_action || 'a',
    definition,
    onDeleteColumns: (con.fk_del_set_cols || []).map(str),
    enforced,
    validates: false,
  };
}

// Does a column get a value in existing rows (a DEFAULT or a generated
// expression)? Then PostgreSQL validates its foreign keys on ADD COLUMN.
function columnGetsValues(d) {
  if (d.raw_default) return true;
  return (d.constraints || []).some((k) => k.Constraint && ['CONSTR_DEFAULT', 'CONSTR_GENERATED'].includes(k.Constraint.contype));
}

// The foreign keys of a column definition's constraints.
function columnKeys(d, validates) {
  const out = [];
  const cons = d.constraints || [];
  cons.forEach((k, i) => {
    if (!k.Constraint || k.Constraint.contype !== 'CONSTR_FOREIGN') return;
    const key = foreignKey(k.Constraint, [d.colname], cons.slice(i + 1));
    key.validates = validates && key.enforced;
    out.push(key);
  });
  return out;
}

// The lock ALTER TABLE takes on its table (AlterTableGetLockLevel: the
// strongest of its subcommands'), as the extension's notices name it, at
// least SHARE ROW EXCLUSIVE (the foreign key's own); null when a subcommand
// is not in this table (ATTACH and DETACH PARTITION, which stand alone; a
// storage parameter not in RELOPTION_LOCKS): the validation notice is then
// not given. 4 SHARE UPDATE EXCLUSIVE, 6 SHARE ROW EXCLUSIVE, 8 ACCESS
// EXCLUSIVE, as AlterTableGetLockLevel takes them (guard-statements.test.js
// compares the notice with the extension's, which asks PostgreSQL itself).
const LOCKS = {
  AT_AddColumn: 8, AT_AlterColumnType: 8, AT_DropConstraint: 8, AT_DropColumn: 8, AT_SetNotNull: 8, AT_DropNotNull: 8,
  AT_ColumnDefault: 8, AT_SetStorage: 8, AT_SetCompression: 8, AT_AddIdentity: 8, AT_SetIdentity: 8, AT_DropIdentity: 8,
  AT_DropExpression: 8, AT_ChangeOwner: 8, AT_SetTableSpace: 8, AT_SetLogged: 8, AT_SetUnLogged: 8, AT_ReplicaIdentity: 8,
  AT_EnableRowSecurity: 8, AT_DisableRowSecurity: 8, AT_ForceRowSecurity: 8, AT_NoForceRowSecurity: 8,
  AT_EnableRule: 8, AT_EnableAlwaysRule: 8, AT_EnableReplicaRule: 8, AT_DisableRule: 8,
  AT_SetStatistics: 4, AT_SetOptions: 4, AT_ResetOptions: 4, AT_ClusterOn: 4, AT_DropCluster: 4, AT_ValidateConstraint: 4,
  AT_AddInherit: 8, AT_DropInherit: 8,
  AT_EnableTrig: 6, AT_EnableAlwaysTrig: 6, AT_EnableReplicaTrig: 6, AT_EnableTrigAll: 6, AT_EnableTrigUser: 6,
  AT_DisableTrig: 6, AT_DisableTrigAll: 6, AT_DisableTrigUser: 6,
};
const LOCK_NAMES = { 6: 'SHARE ROW EXCLUSIVE', 8: 'ACCESS EXCLUSIVE' };
// SET (...) and RESET (...): the lock of each storage parameter
// (reloptions.c, AlterTableGetRelOptionsLockLevel), the strongest of them.
const RELOPTION_LOCKS = { fillfactor: 4, toast_tuple_target: 4, parallel_workers: 4, vacuum_index_cleanup: 4,
  vacuum_truncate: 4, log_autovacuum_min_duration: 4, user_catalog_table: 8 };
function relOptionsLock(defs) {
  let mode = 0;
  for (const d of defs || []) {
    const e = d.DefElem;
    if (!e || !e.defname) return undefined;
    const m = e.defname.startsWith('autovacuum_') ? 4 : RELOPTION_LOCKS[e.defname];
    if (m === undefined) return undefined;
    mode = Math.max(mode, m);
  }
  return mode || undefined;
}

function lockOf(cmds) {
  let mode = 0;
  for (const cmd of cmds) {
    const c = cmd.AlterTableCmd;
    if (!c) return null;
    let m = LOCKS[c.subtype];
    if (c.subtype === 'AT_AddConstraint') m = c.def && c.def.Constraint && c.def.Constraint.contype === 'CONSTR_FOREIGN' ? 6 : 8;
    if (c.subtype === 'AT_SetRelOptions' || c.subtype === 'AT_ResetRelOptions') m = relOptionsLock(c.def && c.def.List && c.def.List.items);
    if (m === undefined) return null;
    mode = Math.max(mode, m);
  }
  return LOCK_NAMES[Math.max(mode, 6)];
}

// One statement: {kind: 'create'|'alter', table, declared: Map(name -> column), keys: [...], unsure, stmt_location, stmt_len}
function collectStatement(raw) {
  const s = raw.stmt || {};
  if (s.CreateStmt) {
    const c = s.CreateStmt;
    const out = { kind: 'create', table: rangeVar(c.relation), ifNotExists: !!c.if_not_exists, declared: new Map(), keys: [],
      uniques: [], unsure: false };
    // A typed table (OF type): not modelled, and nothing said after it either
    // (the extension's end-of-statement check does not look for its name).
    if (c.ofTypename || !out.table) return { ...out, unsure: true };
    // INHERITS (...) and PARTITION OF: the columns the statement does not
    // declare come from the parents, in order.
    out.parents = (c.inhRelations || []).map((n) => rangeVar(n.RangeVar));
    if (out.parents.some((rv) => rv === null)) return { ...out, unsure: true };
    // What the extension does not model before the statement (src/pg/
    // guard_collect.cpp, collect_create): LIKE, whose keys it judges only at
    // the statement's end, and a column WITH OPTIONS (of PARTITION OF), whose
    // keys likewise, the others at the start. lib/guard-judge.js judges those
    // keys after running the statement where it is rolled back (endCheck).
    const withOptions = new Set();
    for (const e of c.tableElts || []) {
      if (e.TableLikeClause) {
        out.like = true;
        out.unsure = true;
        continue;
      }
      if (e.ColumnDef) {
        const d = e.ColumnDef;
        if (!d.typeName) withOptions.add(d.colname);
        out.declared.set(d.colname, declaredColumn(d));
        out.keys.push(...columnKeys(d, false)); // CREATE TABLE checks no rows
        for (const k of d.constraints || []) {
          if (k.Constraint && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE'].includes(k.Constraint.contype))
            out.uniques.push({ primary: k.Constraint.contype === 'CONSTR_PRIMARY', columns: [d.colname], plain: plainKey(k.Constraint) });
        }
      } else if (e.Constraint && e.Constraint.contype === 'CONSTR_FOREIGN') {
        out.keys.push(foreignKey(e.Constraint));
      } else if (e.Constraint && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE'].includes(e.Constraint.contype)) {
        // The table's own keys, for a foreign key that references the table it creates.
        out.uniques.push({ primary: e.Constraint.contype === 'CONSTR_PRIMARY', columns: (e.Constraint.keys || []).map(str),
          plain: plainKey(e.Constraint) });
      }
    }
    for (const k of out.keys) if (k.fkAttrs.some((a) => withOptions.has(a))) k.deferred = true;
    out.endCheck = out.keys.length > 0 && (out.unsure || out.keys.some((k) => k.deferred));
    return out;
  }
  if (s.AlterTableStmt) {
    const a = s.AlterTableStmt;
    const out = { kind: 'alter', table: rangeVar(a.relation), missingOk: !!a.missing_ok, declared: new Map(), keys: [], unsure: false, retypes: [],
      retyped: new Map(), dropped: [] };
    if (a.objtype && a.objtype !== 'OBJECT_TABLE') return { ...out, unsure: true, keys: [] };
    out.lock = lockOf(a.cmds || []);
    for (const cmd of a.cmds || []) {
      const c = cmd.AlterTableCmd;
      if (!c) continue;
      if (c.subtype === 'AT_AlterColumnType') {
        // PostgreSQL converts the column before it builds any key of the
        // statement, and rebuilds every existing key on it, on either side.
        out.retypes.push(c.name);
        const d = c.def && c.def.ColumnDef;
        const type = d ? typeNameSql(d.typeName) : null;
        const coll = d ? collateSql(d.collClause) : null;
        // USING: none, the column cast to a type (castSql), or anything else.
        let using = 'none';
        let castSql = null;
        if (d && d.raw_default) {
          const tc = d.raw_default.TypeCast;
          const ref = tc && tc.arg && tc.arg.ColumnRef;
          const fields = ref ? ref.fields || [] : [];
          if (fields.length && str(fields[fields.length - 1]) === c.name) {
            using = 'cast';
            castSql = typeNameSql(tc.typeName);
          } else {
            using = 'other';
          }
        }
        out.retyped.set(c.name, { typeSql: type === null || coll === null ? null : type + coll, using, castSql });
      } else if (c.subtype === 'AT_AddColumn' && c.def && c.def.ColumnDef) {
        const d = c.def.ColumnDef;
        out.declared.set(d.colname, declaredColumn(d));
        // Citus names such keys itself when ADD COLUMN is the only command
        // and the column has no CHECK constraint (guard-judge.js).
        out.citusNamesAddColumnKeys = (a.cmds || []).length === 1 &&
          !(d.constraints || []).some((k) => k.Constraint && k.Constraint.contype === 'CONSTR_CHECK');
        // ADD COLUMN ... REFERENCES checks existing rows only when the column
        // gets values in them.
        out.keys.push(...columnKeys(d, columnGetsValues(d)).map((k) => ({ ...k, addColumn: true })));
        for (const k of d.constraints || []) {
          if (k.Constraint && ['CONSTR_PRIMARY', 'CONSTR_UNIQUE'].includes(k.Constraint.contype)) out.addsIndex = true;
        }
      } else if (c.subtype === 'AT_AddConstraint' && c.def && c.def.Constraint && c.def.Constraint.contype === 'CONSTR_FOREIGN') {
        const key = foreignKey(c.def.Constraint);
        key.validates = !key.notValid && key.enforced;
        out.keys.push(key);
      } else if (c.subtype === 'AT_AddConstraint' || c.subtype === 'AT_AddIndex' || c.subtype === 'AT_AddIndexConstraint') {
        out.addsIndex = true; // a key the table's own foreign keys may reference
      } else if (c.subtype === 'AT_DropConstraint' && c.name) {
        // A foreign key dropped here is not rebuilt. DROP COLUMN, like every
        // other subcommand, changes nothing the guard judges: the extension
        // (src/pg/guard_collect.cpp, collect_alter) judges the rest of the
        // statement with the columns as they stand before it.
        out.dropped.push(c.name);
      }
    }
    return out;
  }
  return null;
}

// Statements whose effect on the catalog the guard reproduces by running
// them, in a transaction or savepoint that is rolled back, before it judges a
// later statement of the same query string: DDL that touches no data beyond
// its own objects, and SET (search_path). CREATE INDEX CONCURRENTLY and
// anything else (DO, CREATE TABLE AS, transaction control, functions) are
// not replayed: a later statement is then left to PostgreSQL.
const REPLAYED = new Set(['CreateStmt', 'AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt', 'CreateDomainStmt',
  'AlterDomainStmt', 'CompositeTypeStmt', 'CreateEnumStmt', 'CommentStmt', 'CreateSchemaStmt', 'VariableSetStmt',
  'CreateSeqStmt', 'AlterSeqStmt', 'ViewStmt']);
// Statements that change no catalog: not replayed, and no obstacle.
const NO_CATALOG = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'VariableShowStmt']);

// The text of each statement of a query string (locations are in bytes).
function statementTexts(text, stmts) {
  const buf = Buffer.from(text, 'utf8');
  return stmts.map((raw) => {
    const start = raw.stmt_location || 0;
    const end = raw.stmt_len ? start + raw.stmt_len : buf.length;
    return buf.subarray(start, end).toString('utf8');
  });
}

// Every statement of the query string that adds foreign keys, in order, each
// with the earlier statements to replay before judging it (prefix), as the
// extension judges each statement at its own ddl_command_start, after the
// earlier ones ran. A statement after one that cannot be replayed is not
// judged.
async function collect(text) {
  if (!MAY_ADD_FK.test(text)) return { statements: [], all: [] };
  await loadParser();
  let tree;
  try {
    tree = pgQuery.parseSync(text);
  } catch (e) {
    return { statements: [], all: [], parseError: e }; // PostgreSQL reports the syntax error itself
  }
  const stmts = tree.stmts || [];
  const texts = statementTexts(text, stmts);
  const statements = [];
  const all = [];
  const prefix = [];
  let replayable = true;
  stmts.forEach((raw, i) => {
    const st = collectStatement(raw);
    all.push(st);
    const s = raw.stmt || {};
    const node = Object.keys(s)[0];
    if (st && (st.keys.length || (st.retyped && st.retyped.size)) && (!st.unsure || st.endCheck) && replayable)
      statements.push({ ...st, index: i, prefix: [...prefix], text: texts[i] });
    if (NO_CATALOG.has(node)) return;
    if (REPLAYED.has(node) && !(node === 'IndexStmt' && s.IndexStmt.concurrent) &&
        !(node === 'VariableSetStmt' && s.VariableSetStmt.kind !== 'VAR_SET_VALUE' && s.VariableSetStmt.kind !== 'VAR_RESET' &&
          s.VariableSetStmt.kind !== 'VAR_SET_DEFAULT')) {
      prefix.push(texts[i]);
    } else {
      replayable = false;
    }
  });
  return { statements, all };
}

// ALTER TABLE ... DROP CONSTRAINT in a text: [{table, names}] (table as
// rangeVar() gives it), for the keys the transaction drops (guard-dropped.js).
const DROPS_CONSTRAINT = /\bdrop\s+constraint\b/i;
async function droppedConstraints(text) {
  if (!DROPS_CONSTRAINT.test(text)) return [];
  await loadParser();
  let tree;
  try {
    tree = pgQuery.parseSync(text);
  } catch (e) {
    return []; // PostgreSQL reports the syntax error itself
  }
  const out = [];
  for (const raw of tree.stmts || []) {
    const a = (raw.stmt || {}).AlterTableStmt;
    if (!a || a.objtype !== 'OBJECT_TABLE' || !a.relation) continue;
    const names = (a.cmds || []).map((c) => c.AlterTableCmd)
      .filter((c) => c && c.subtype === 'AT_DropConstraint' && c.name).map((c) => c.name);
    if (names.length) out.push({ table: rangeVar(a.relation), names });
  }
  return out;
}

module.exports = { collect, typeNameSql, loadParser, droppedConstraints, MAY_ADD_FK, DROPS_CONSTRAINT, quoteAlways };
