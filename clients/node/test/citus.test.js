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
