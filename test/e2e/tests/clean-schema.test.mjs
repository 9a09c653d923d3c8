// Scenario 6: a clean migration set (migrations/clean-schema.json: 20
// tables, 33 foreign keys over integer, bigint, uuid and text keys, all
// matching) built by each tool's own API: not one notice or warning from the
// guard, and nothing for diagnose_fk_mismatches() to report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { freshDatabase, noticeCollector, mentionsGuard } from '../lib/db.mjs';
import { makeSequelize, makeUmzug } from '../lib/sequelize.mjs';
import { makeKnex } from '../lib/knex.mjs';
import { makeDataSource } from '../lib/typeorm.mjs';
import { runPgMigrate } from '../lib/node-pg-migrate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MIGRATIONS = join(HERE, '..', 'migrations');
const SPEC = JSON.parse(readFileSync(join(MIGRATIONS, 'clean-schema.json'), 'utf8'));
const TABLES = SPEC.tables.map((t) => t.name);
const FOREIGN_KEYS = SPEC.tables.flatMap((t) => [...t.key, ...t.columns]).filter((c) => c.references).length
  + SPEC.addColumns.length + SPEC.addForeignKeys.length;

async function checkClean(t, db, notices, extraLines = [], control = null) {
  // The schema is all there.
  const [{ tables }] = await db.rows(
    `SELECT count(*)::int AS tables FROM pg_class WHERE relkind = 'r' AND relname = ANY($1)`, [TABLES]);
  assert.equal(tables, 20);
  const [{ fks }] = await db.rows(
    `SELECT count(*)::int AS fks FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY($1)`, [TABLES]);
  assert.equal(fks, FOREIGN_KEYS);
  // Key types are mixed, as intended.
  const keyTypes = await db.rows(
    `SELECT DISTINCT format_type(a.atttypid, a.atttypmod) AS type FROM pg_constraint c
       JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = ANY (c.confkey)
      WHERE c.contype = 'f' ORDER BY 1`);
  assert.deepEqual(keyTypes.map((r) => r.type), ['bigint', 'integer', 'text', 'uuid']);

  t.diagnostic(`${notices.notices.length} notices in all: ${[...new Set(notices.notices.map((n) => n.message))].join('; ') || 'none'}`);
  assert.deepEqual(notices.notices.filter(mentionsGuard), [], 'no notice or warning from the guard');
  assert.deepEqual(extraLines.filter((l) => /pg_fk_guard|foreign key constraint/i.test(l)), []);
  assert.deepEqual(await db.rows('SELECT * FROM fk_guard.diagnose_fk_mismatches()'), []);
  await db.query("SELECT fk_guard.assert_no_mismatches('notice')");
  // A control: a NOTICE sent through the tool's own connection does reach
  // the collector, so "none" above means none.
  if (control) {
    await control('DROP TABLE IF EXISTS fkg_control_no_such_table');
    assert.ok(notices.notices.some((n) => n.severity === 'NOTICE' && n.message === 'table "fkg_control_no_such_table" does not exist, skipping'));
  }
}

test('scenario 6 (clean set, Sequelize + umzug): 20 tables, 33 matching foreign keys, no notice from the guard', async (t) => {
  const db = await freshDatabase('clean_sequelize');
  t.after(() => db.drop());
  const notices = noticeCollector();
  // Sequelize sets client_min_messages = warning on its connections; ask for
  // notices too, so that NOTICE-level verdicts would show.
  const { sequelize, sent } = makeSequelize(db, { notices, dialectOptions: { clientMinMessages: 'notice' } });
  t.after(() => sequelize.close());
  const { umzug } = makeUmzug(sequelize, join(MIGRATIONS, 'sequelize', 'clean'));
  assert.equal((await umzug.up()).length, 5);
  t.diagnostic(`Sequelize sent ${sent.filter((s) => /REFERENCES|FOREIGN KEY/.test(s)).length} statements with foreign keys, e.g. ${sent.find((s) => /CREATE TABLE IF NOT EXISTS "tasks"/.test(s))}`);
  await checkClean(t, db, notices, [], (sql) => sequelize.query(sql));
});

test('scenario 6 (clean set, knex): 20 tables, 33 matching foreign keys, no notice from the guard', async (t) => {
  const db = await freshDatabase('clean_knex');
  t.after(() => db.drop());
  const notices = noticeCollector();
  const { knex, sent, logged } = makeKnex(db, { notices, directory: join(MIGRATIONS, 'knex', 'clean') });
  t.after(() => knex.destroy());
  const [, done] = await knex.migrate.latest();
  assert.equal(done.length, 5);
  t.diagnostic(`knex sent ${sent.filter((s) => /foreign key/i.test(s)).length} foreign key statements, e.g. ${sent.find((s) => /foreign key \("parent_task_id"\)/.test(s))}`);
  await checkClean(t, db, notices, logged, (sql) => knex.raw(sql));
});

test('scenario 6 (clean set, TypeORM): 20 tables, 33 matching foreign keys, no notice from the guard', async (t) => {
  const db = await freshDatabase('clean_typeorm');
  t.after(() => db.drop());
  const notices = noticeCollector();
  const { dataSource, logger } = await makeDataSource(db, { migrations: [join(MIGRATIONS, 'typeorm', 'clean', '*.js')], notices });
  t.after(() => dataSource.destroy());
  assert.equal((await dataSource.runMigrations()).length, 5);
  t.diagnostic(`TypeORM sent ${logger.queries.filter((q) => /FOREIGN KEY/.test(q)).length} statements with foreign keys, e.g. ${logger.queries.find((q) => /^CREATE TABLE "tasks"/.test(q))}`);
  await checkClean(t, db, notices, logger.lines, (sql) => dataSource.query(sql));
  // TypeORM's logNotifications logs the same notice, primary message only.
  assert.ok(logger.lines.includes('info: table "fkg_control_no_such_table" does not exist, skipping'));
});

test('scenario 6 (clean set, node-pg-migrate): 20 tables, 33 matching foreign keys, no notice from the guard', async (t) => {
  const db = await freshDatabase('clean_pgmigrate');
  t.after(() => db.drop());
  const notices = noticeCollector();
  const { error, ran, logged } = await runPgMigrate(db, { dir: join(MIGRATIONS, 'node-pg-migrate', 'clean'), notices });
  assert.equal(error, null);
  assert.equal(ran.length, 5);
  await checkClean(t, db, notices, logged.filter((l) => !/^### MIGRATION|^> |^BEGIN;/.test(l)));
});
