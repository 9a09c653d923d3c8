'use strict';
// The guard on a Citus cluster (test/run_citus.sh runs this file against the
// coordinator of its cluster, FKG_NPM_CITUS set; skipped elsewhere): the same
// distributed, reference, Citus local and PostgreSQL tables in two databases,
// the extension in one; every statement sent through guard(client) to the
// database without the extension and as it stands to the one with it, and
// compared: the refusal's fields (Citus's own rules, judged before
// PostgreSQL and Citus run the statement: keys between distributed tables
// that are not colocated, without the distribution column at the same
// position, from reference or local tables to distributed ones, from
// distributed tables to PostgreSQL or Citus local tables, SET NULL on the
// distribution column; and type refusals), the soft notices, the keys.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Client } = require('pg');
const { guard } = require('../lib/index.js');
const { fields, packageFields, packageHint } = require('./helpers.js');

const SETUP = `
CREATE TABLE plans (id bigint PRIMARY KEY);
SELECT create_reference_table('plans');
CREATE TABLE tenants (id int PRIMARY KEY);
SELECT create_distributed_table('tenants', 'id', shard_count => 4);
CREATE TABLE projects (tenant_id int, id bigint, PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('projects', 'tenant_id', colocate_with => 'tenants');
CREATE TABLE tasks (tenant_id int, id int, project_id bigint, owner_id int, plan_id int, plan_code text, local_id int, ref_id int);
SELECT create_distributed_table('tasks', 'tenant_id', colocate_with => 'tenants');
CREATE TABLE others (id int PRIMARY KEY);
SELECT create_distributed_table('others', 'id', colocate_with => 'none', shard_count => 4);
CREATE TABLE big_tenants (id bigint PRIMARY KEY);
SELECT create_distributed_table('big_tenants', 'id', colocate_with => 'none', shard_count => 4);
CREATE TABLE text_tenants (id text PRIMARY KEY);
SELECT create_distributed_table('text_tenants', 'id', colocate_with => 'none', shard_count => 4);
CREATE TABLE c_tenants (id text COLLATE "C" PRIMARY KEY);
SELECT create_distributed_table('c_tenants', 'id', colocate_with => 'none', shard_count => 4);
CREATE TABLE ref_items (id int PRIMARY KEY, tenant_id int, plan_id int);
SELECT create_reference_table('ref_items');
CREATE TABLE locals (id int PRIMARY KEY);
CREATE TABLE citus_locals (id int PRIMARY KEY, tenant_id int);
SELECT citus_add_local_table_to_metadata('citus_locals');
CREATE TABLE named (tenant_id text, tenant_c text);
SELECT create_distributed_table('named', 'tenant_id', colocate_with => 'none', shard_count => 4);
INSERT INTO tasks (tenant_id, id, plan_code) VALUES (1, 1, 'gold');`;

const STATEMENTS = [
  // Accepted by Citus: to a reference table, between colocated tables with
  // the distribution column at the same position (soft notices as anywhere).
  'ALTER TABLE tasks ADD FOREIGN KEY (plan_id) REFERENCES plans (id)',
  'ALTER TABLE tasks ADD FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id)',
  'ALTER TABLE ref_items ADD FOREIGN KEY (plan_id) REFERENCES plans (id)',
  // Refused by Citus's rules.
  'ALTER TABLE tasks ADD FOREIGN KEY (owner_id, tenant_id) REFERENCES projects (tenant_id, id)',
  'ALTER TABLE tasks ADD FOREIGN KEY (owner_id) REFERENCES tenants (id)',
  'ALTER TABLE tasks ADD FOREIGN KEY (tenant_id) REFERENCES others (id)',
  'ALTER TABLE tasks ADD FOREIGN KEY (tenant_id) REFERENCES big_tenants (id)',
  'ALTER TABLE named ADD FOREIGN KEY (tenant_id) REFERENCES c_tenants (id)',
  'ALTER TABLE named ADD FOREIGN KEY (tenant_id) REFERENCES text_tenants (id)',
  'ALTER TABLE ref_items ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id)',
  'ALTER TABLE citus_locals ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id)',
  'ALTER TABLE tasks ADD FOREIGN KEY (local_id) REFERENCES locals (id)',
  'ALTER TABLE tasks ADD FOREIGN KEY (local_id) REFERENCES citus_locals (id)',
  'ALTER TABLE tasks ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE SET NULL',
  'ALTER TABLE tasks ADD FOREIGN KEY (tenant_id, project_id) REFERENCES projects (tenant_id, id) ON UPDATE CASCADE',
  'ALTER TABLE tasks ADD COLUMN tenant2 int REFERENCES tenants (id)',
  'ALTER TABLE tenants ADD COLUMN parent_id int REFERENCES tenants (id)',
  // A type refusal on a distributed table.
  'ALTER TABLE tasks ADD FOREIGN KEY (plan_code) REFERENCES plans (id)',
  // PostgreSQL tables: Citus makes them Citus local tables (accepted).
  'ALTER TABLE locals ADD FOREIGN KEY (id) REFERENCES plans (id)',
  'CREATE TABLE notes (tenant_id int, plan_id int REFERENCES plans (id))',
  // Accepted after all: colocated, same position.
  'ALTER TABLE tasks ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id)',
  // ADD COLUMN ... REFERENCES on Citus tables: Citus names the key
  // "<table>__fkey" itself (then "<table>__fkey1"); with a second command it
  // refuses the statement itself.
  'ALTER TABLE tasks ADD COLUMN plan2 int REFERENCES plans (id)',
  'ALTER TABLE tasks ADD COLUMN plan3 bigint REFERENCES plans (id)',
  'ALTER TABLE ref_items ADD COLUMN plan2 int REFERENCES plans (id)',
  'ALTER TABLE tasks ADD COLUMN plan4 int REFERENCES plans (id), ADD COLUMN note text',
  'ALTER TABLE tasks ADD COLUMN plan5 int CONSTRAINT tasks_plan5_named REFERENCES plans (id)',
  'ALTER TABLE tasks ADD COLUMN tenant3 uuid REFERENCES tenants (id)',
];

const noticeFields = (n) => ({ severity: n.severity, code: n.code, message: n.message, detail: n.detail, hint: n.hint });
const keysOf = async (c) => (await c.query(`SELECT conrelid::regclass::text || '.' || conname AS k FROM pg_constraint
  WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY 1`)).rows.map((r) => r.k);

test('Citus: the guard refuses what Citus refuses, in the extension\'s words, and judges types as the extension does', { skip: process.env.FKG_NPM_CITUS ? false : 'needs a Citus cluster (test/run_citus.sh)' }, async (t) => {
  const [extDb, plainDb] = process.env.FKG_NPM_CITUS.split(',');
  const ext = new Client({ database: extDb });
  const plainRaw = new Client({ database: plainDb });
  await ext.connect();
  await plainRaw.connect();
  t.after(() => Promise.all([ext.end(), plainRaw.end()]));
  assert.equal((await ext.query("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'pg_fk_guard'")).rows[0].n, 1);
  assert.equal((await plainRaw.query("SELECT count(*)::int AS n FROM pg_extension WHERE extname IN ('pg_fk_guard', 'citus')")).rows[0].n, 1,
    'citus without pg_fk_guard in the package\'s database');
  await ext.query(SETUP);
  await plainRaw.query(SETUP);
  const extNotices = [];
  ext.on('notice', (n) => {
    if (/^foreign key constraint /.test(n.message)) extNotices.push(n);
  });
  const logged = [];
  const plain = guard(plainRaw, { logger: (n) => logged.push(n) });
  let disagreements = 0;
  let refusedByCitusRules = 0;
  let refusedForTypes = 0;
  const first = [];
  const kinds = new Set();
  for (const sql of STATEMENTS) {
    extNotices.length = 0;
    logged.length = 0;
    const theirs = await ext.query(sql).then(() => null, (e) => e);
    const ours = await plain.query(sql).then(() => null, (e) => e);
    const a = JSON.stringify({ error: fields(ours), notices: logged.map(noticeFields) });
    const b = JSON.stringify({ error: packageFields(theirs),
      notices: extNotices.map(noticeFields).map((n) => ({ ...n, hint: packageHint(n.hint) })) });
    if (ours && ours.fkGuard && ours.citusKind) {
      refusedByCitusRules++;
      kinds.add(ours.citusKind);
    } else if (ours && ours.fkGuard) {
      refusedForTypes++;
    }
    if (a !== b) {
      disagreements++;
      if (first.length < 4) first.push(`${sql}\n  ours:   ${a}\n  theirs: ${b}`);
    }
  }
  const keys = [await keysOf(plainRaw), await keysOf(ext)];
  if (JSON.stringify(keys[0]) !== JSON.stringify(keys[1])) {
    disagreements++;
    first.push(`keys: ours ${keys[0]}, theirs ${keys[1]}`);
  }
  t.diagnostic(`differential citus: ${STATEMENTS.length} statements, ${refusedByCitusRules} refused by Citus's rules ` +
    `(${[...kinds].sort().join(', ')}), ${refusedForTypes} for their types, ${keys[0].length} keys, ${disagreements} disagreements`);
  assert.equal(disagreements, 0, first.join('\n'));
  assert.ok(kinds.size >= 6, `the Citus kinds refused: ${[...kinds]}`);
});

// The diagnostic functions on the same cluster, after the statements above:
// diagnose(), checkForeignKeys(), fixPlan() and changeKeyTypePlan() of the
// package in the database without the extension against the extension's
// own functions in the other, every row and column (a fix plan written
// without the extension compared as the extension would write it:
// helpers.js withoutConvertsHelper(), and without its one line that says the
// stand-in for fk_guard.converts() cannot run on Citus's other nodes).
const FUNCTION_SETUP = `
INSERT INTO plans VALUES (1), (2);
INSERT INTO tenants VALUES (1), (2);
INSERT INTO named (tenant_id, tenant_c) VALUES ('1', 'x'), ('acme', NULL);
CREATE TABLE accounts (id int PRIMARY KEY, plan_ref text);
SELECT create_reference_table('accounts');
CREATE TABLE account_notes (account_id int REFERENCES accounts (id) ON DELETE CASCADE);
SELECT create_reference_table('account_notes');
INSERT INTO accounts VALUES (1, '1'), (2, 'gold'), (3, '7');
INSERT INTO account_notes VALUES (1), (2), (3);
CREATE TABLE shard_keys (tenant_id int, id int, PRIMARY KEY (tenant_id, id));
SELECT create_distributed_table('shard_keys', 'tenant_id', colocate_with => 'tenants');
CREATE TABLE shard_refs (tenant_id int, key_id int, FOREIGN KEY (tenant_id, key_id) REFERENCES shard_keys (tenant_id, id));
SELECT create_distributed_table('shard_refs', 'tenant_id', colocate_with => 'tenants');
-- keys Citus refuses, declared on the coordinator's tables with DDL
-- propagation off (Citus then checks nothing): the distribution column at
-- another position, tables not colocated (two columns), SET NULL on it
CREATE TABLE pair_keys (x int, y int, PRIMARY KEY (x, y));
SELECT create_distributed_table('pair_keys', 'x', colocate_with => 'none', shard_count => 4);
CREATE TABLE pair_refs (id int, tenant_id int, bx int, by int);
SELECT create_distributed_table('pair_refs', 'id', colocate_with => 'tenants');
SET pg_fk_guard.mode = 'off';
SET citus.enable_ddl_propagation = off;
ALTER TABLE pair_refs ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id);
ALTER TABLE pair_refs ADD FOREIGN KEY (by, bx) REFERENCES pair_keys (y, x);
ALTER TABLE pair_refs ADD FOREIGN KEY (id) REFERENCES tenants (id) ON DELETE SET NULL;
RESET citus.enable_ddl_propagation;
RESET pg_fk_guard.mode;`;

// [referencing table, column, referenced table]: distributed, reference,
// Citus local and PostgreSQL tables, distribution columns among them.
const FIX_PLANS = [
  ['tasks', 'plan_id', 'plans'], ['tasks', 'plan_code', 'plans'], ['tasks', 'tenant_id', 'big_tenants'],
  ['tasks', 'owner_id', 'text_tenants'], ['tasks', 'project_id', 'plans'], ['named', 'tenant_id', 'tenants'],
  ['named', 'tenant_c', 'c_tenants'], ['ref_items', 'plan_id', 'plans'], ['locals', 'id', 'plans'],
  ['notes', 'plan_id', 'plans'], ['citus_locals', 'tenant_id', 'tenants'], ['accounts', 'plan_ref', 'plans'],
  ['pair_refs', 'tenant_id', 'tenants'], ['pair_refs', 'by', 'pair_keys'],
];
// [key table, column, new type]
const KEY_PLANS = [
  ['plans', 'id', 'integer'], ['tenants', 'id', 'bigint'], ['tenants', 'id', 'uuid'], ['big_tenants', 'id', 'integer'],
  ['locals', 'id', 'bigint'], ['projects', 'id', 'integer'], ['text_tenants', 'id', 'integer'],
  ['citus_locals', 'id', 'bigint'], ['accounts', 'id', 'bigint'], ['shard_keys', 'id', 'bigint'],
  ['shard_keys', 'tenant_id', 'bigint'],
];
const CITUS_NOTE = /^-- On Citus without pg_fk_guard this script cannot run as written: .*\n/m;

test('Citus: diagnose(), checkForeignKeys(), fixPlan() and changeKeyTypePlan() agree with the extension\'s functions', { skip: process.env.FKG_NPM_CITUS ? false : 'needs a Citus cluster (test/run_citus.sh)' }, async (t) => {
  const { diagnose, checkForeignKeys, fixPlan, changeKeyTypePlan } = require('../lib/index.js');
  const { withoutConvertsHelper } = require('./helpers.js');
  const [extDb, plainDb] = process.env.FKG_NPM_CITUS.split(',');
  const ext = new Client({ database: extDb });
  const plain = new Client({ database: plainDb });
  await ext.connect();
  await plain.connect();
  t.after(() => Promise.all([ext.end(), plain.end()]));
  await ext.query(FUNCTION_SETUP);
  await plain.query(FUNCTION_SETUP);
  const outcome = (p) => p.then((v) => ({ ok: v }), (e) => ({ error: fields(e) }));
  let compared = 0, disagreements = 0, notes = 0, stubs = 0;
  const first = [];
  // Plans: the package's as the extension would write it; the note about the
  // stand-in on Citus only where the script defines the stand-in.
  const asExtension = (x) => {
    if (typeof x !== 'string') return x;
    if (x.includes('pg_temp.fk_guard_converts(value anyelement')) stubs++;
    if (!CITUS_NOTE.test(x)) return withoutConvertsHelper(x);
    notes++;
    if (!x.includes('pg_temp.fk_guard_converts(value anyelement')) first.push(`the Citus note without the stand-in:\n${x}`);
    return withoutConvertsHelper(x.replace(CITUS_NOTE, ''));
  };
  const compareRows = (name, ours, theirs) => {
    if (ours.error || theirs.error || ours.ok.length !== theirs.ok.length) {
      compared++;
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        disagreements++;
        first.push(`${name}:\n  ours:   ${JSON.stringify(ours).slice(0, 2000)}\n  theirs: ${JSON.stringify(theirs).slice(0, 2000)}`);
      }
      return;
    }
    theirs.ok.forEach((row, i) => {
      for (const k of new Set([...Object.keys(row), ...Object.keys(ours.ok[i])])) {
        compared++;
        const a = JSON.stringify(asExtension(ours.ok[i][k])), b = JSON.stringify(row[k]);
        if (a !== b) {
          disagreements++;
          if (first.length < 6) first.push(`${name} row ${i} ${k}:\n  ours:   ${a}\n  theirs: ${b}`);
        }
      }
    });
  };
  const counts = {};
  for (const [name, sql, ours] of [
    ['diagnose', 'SELECT * FROM fk_guard.diagnose_fk_mismatches()', () => diagnose(plain)],
    ['diagnose declared', 'SELECT * FROM fk_guard.diagnose_fk_mismatches(include_implied => false)', () => diagnose(plain, { includeImplied: false })],
    ['diagnose check_data', 'SELECT * FROM fk_guard.diagnose_fk_mismatches(true, true)', () => diagnose(plain, { checkData: true })],
    ['checkForeignKeys', 'SELECT * FROM fk_guard.check_foreign_keys()', () => checkForeignKeys(plain)],
  ]) {
    const theirs = await outcome(ext.query(sql).then((r) => r.rows));
    counts[name] = theirs.ok ? theirs.ok.length : 'error';
    if (name === 'diagnose') counts.citusKinds = [...new Set((theirs.ok || []).map((r) => r.kind).filter((k) => /^citus_/.test(k)))].sort();
    compareRows(name, await outcome(ours()), theirs);
  }
  let plans = 0, refusals = 0;
  const one = async (name, sql, args, ours) => {
    const theirs = await outcome(ext.query(sql, args).then((r) => r.rows[0].p));
    const mine = await outcome(ours());
    plans++;
    if (theirs.error) refusals++;
    compareRows(name, { ok: [{ v: mine.ok, error: mine.error }] }, { ok: [{ v: theirs.ok, error: theirs.error }] });
  };
  for (const [tbl, col, ref] of FIX_PLANS)
    for (const mode of ['fail', 'null', 'delete', 'map'])
      for (const allowCascade of mode === 'delete' ? [false, true] : [false])
        await one(`fixPlan ${tbl}.${col} -> ${ref} ${mode}${allowCascade ? ' allow_cascade' : ''}`,
          'SELECT fk_guard.fix_plan($1, $2, $3, NULL, $4, $5) AS p', [tbl, col, ref, mode, allowCascade],
          () => fixPlan(plain, { referencingTable: tbl, referencingColumn: col, referencedTable: ref, onUnconvertible: mode, allowCascade }));
  for (const [tbl, col, type] of KEY_PLANS)
    for (const [mode, implied, online] of [['fail', false, false], ['null', true, false], ['delete', false, false], ['fail', false, true]])
      await one(`changeKeyTypePlan ${tbl}.${col} ${type} ${mode}${implied ? ' implied' : ''}${online ? ' online' : ''}`,
        'SELECT fk_guard.change_key_type_plan($1, $2, $3::pg_catalog.regtype, $4, NULL, $5, $6) AS p', [tbl, col, type, mode, implied, online],
        () => changeKeyTypePlan(plain, { referencedTable: tbl, referencedColumn: col, newType: type, onUnconvertible: mode, includeImplied: implied, online }));
  t.diagnostic(`differential citus functions: diagnose ${counts.diagnose} rows (${counts.citusKinds.join(', ')}), declared only ${counts['diagnose declared']}, ` +
    `check_data ${counts['diagnose check_data']}, checkForeignKeys ${counts.checkForeignKeys} rows; ${plans} plans (${refusals} refused); ` +
    `${compared} values compared, ${disagreements} disagreements; ${stubs} plans define the stand-in for fk_guard.converts(), ${notes} say it cannot run on Citus`);
  assert.equal(disagreements, 0, first.join('\n'));
  assert.ok(first.length === 0, first.join('\n'));
  assert.ok(counts.citusKinds.length >= 6, `Citus kinds in diagnose: ${counts.citusKinds}`);
  assert.ok(notes > 0 && notes <= stubs, `${notes} notes, ${stubs} stand-ins`);
});
