// Sequelize v6 + umzug (SequelizeStorage): the story (scenario 1), the
// silent widening (scenario 2) and the repair with fix_plan (scenario 5).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { freshDatabase, noticeCollector, describeServerMessage, columnType, foreignKeysOn } from '../lib/db.mjs';
import { makeSequelize, makeUmzug, recordedMigrations, repairDirectory, SEQUELIZE_MIGRATIONS as MIGRATIONS } from '../lib/sequelize.mjs';

const STORY = join(MIGRATIONS, 'story');
const STORY_MIGRATION = '20240201000000-sessions-userId-references-users.cjs';
// What Sequelize 6.37 sends for the story's changeColumn (two spaces: it
// cuts "ALTER COLUMN" out of "ALTER TABLE ... ALTER COLUMN ADD FOREIGN KEY").
const STORY_SQL = 'ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");';

// Scenario 1 up to the failure; shared by the repair tests.
async function runStory(t, label) {
  const db = await freshDatabase(label);
  t.after(() => db.drop());
  const notices = noticeCollector();
  const { sequelize, sent } = makeSequelize(db, { notices });
  t.after(() => sequelize.close());
  const { umzug, events } = makeUmzug(sequelize, STORY);
  const error = await umzug.up().then(() => null, (e) => e);
  return { db, sequelize, sent, notices, umzug, events, error };
}

test('scenario 1 (story): changeColumn(INTEGER, references) on a uuid column fails with 42804 and says the column is still uuid', async (t) => {
  const { db, sequelize, sent, notices, events, error } = await runStory(t, 'seq_story');

  // What Sequelize actually sent: only ADD FOREIGN KEY, no type change.
  const alter = sent.filter((s) => /^ALTER TABLE "sessions"/.test(s));
  t.diagnostic(`Sequelize sent: ${alter.join(' | ')}`);
  assert.deepEqual(alter, [STORY_SQL]);

  // umzug wraps the error: MigrationError -> SequelizeDatabaseError -> pg error.
  assert.ok(error, 'the migration must fail');
  t.diagnostic(`umzug: ${error.message}`);
  assert.equal(error.name, 'MigrationError');
  assert.match(error.message, /^Migration 20240201000000-sessions-userId-references-users\.cjs \(up\) failed: Original error: foreign key constraint "sessions_userId_fkey" cannot be implemented$/);
  const seqError = error.cause;
  assert.equal(seqError.name, 'SequelizeDatabaseError');
  assert.equal(seqError.sql, STORY_SQL);
  const original = seqError.original;
  assert.equal(original, seqError.parent);
  t.diagnostic(describeServerMessage(original));

  assert.equal(original.code, '42804');
  assert.equal(original.severity, 'ERROR');
  assert.equal(original.message, 'foreign key constraint "sessions_userId_fkey" cannot be implemented');
  // DETAIL: the types, and what the data holds.
  assert.match(original.detail, /^sessions\."userId" is uuid; users\.id is integer\. /);
  assert.match(original.detail, /sessions holds 6 rows: 2 with "userId" NULL, 4 uuid values that cannot become integer \(for example '[0-9a-f-]{36}'/);
  // HINT: no cast exists, what to do, and that nothing changed the type.
  assert.match(original.hint, /There is no cast from uuid to integer/);
  assert.match(original.hint, /SELECT fk_guard\.fix_plan\('sessions', 'userId', 'users', 'id', on_unconvertible => 'map', constraint_name => 'sessions_userId_fkey'\) writes that script/);
  assert.match(original.hint, /sessions\."userId" is still uuid: nothing so far has changed its type\./);
  assert.match(original.hint, /Sequelize v6 queryInterface\.changeColumn\(\) drops the type change when `references` is given/);
  // SequelizeMeta is on the search path, and which migrations ran is never
  // in the DETAIL: the HINT ends with the call that gives the whole picture.
  assert.match(original.hint, / What the DETAIL leaves out \(which migrations ran\): SELECT fk_guard\.explain\('public\.sessions', 'userId'\);$/);
  // CONTEXT (pg: error.where): the refusal is the guard's, not PostgreSQL's.
  assert.equal(original.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');

  // The migration is not recorded; the two before it are.
  assert.deepEqual(await recordedMigrations(sequelize), [
    '20240101000000-create-users-and-sessions.cjs',
    '20240101000100-seed-users-and-sessions.cjs',
  ]);
  assert.ok(!events.some((e) => e.event === 'migrated' && e.name === STORY_MIGRATION));
  // fk_guard.migration_history() reads the same from the table umzug's
  // SequelizeStorage made: the two applied migrations, not the failed one.
  const history = await db.rows(
    'SELECT tool, migration, status, recorded_in::text AS recorded_in FROM fk_guard.migration_history() ORDER BY ordinal');
  t.diagnostic(`migration_history(): ${JSON.stringify(history)}`);
  assert.deepEqual(history, [
    { tool: 'Sequelize', migration: '20240101000000-create-users-and-sessions.cjs', status: 'applied', recorded_in: '"SequelizeMeta"' },
    { tool: 'Sequelize', migration: '20240101000100-seed-users-and-sessions.cjs', status: 'applied', recorded_in: '"SequelizeMeta"' },
  ]);
  // fk_guard.explain(), as the HINT gives it: one call, the whole picture.
  const call = original.hint.match(/(SELECT fk_guard\.explain\(.*\);)$/)[1];
  const [{ explain: report }] = await db.rows(call);
  t.diagnostic(`explain():\n${report}`);
  for (const line of [
    'fk_guard.explain: public.sessions."userId"',
    '  column     public.sessions."userId": uuid, nullable',
    "  references public.users.id: integer, NOT NULL, DEFAULT nextval('public.users_id_seq'::regclass)",
    "  Implied by the column's name: no foreign key is declared.",
    '  public.sessions holds 6 row(s), 2 with "userId" NULL; 0 value(s) convert to integer, 4 cannot',
    '  Sequelize (public."SequelizeMeta"): 2 applied; the last: 20240101000100-seed-users-and-sessions.cjs, 20240101000000-create-users-and-sessions.cjs.',
    '  No failed, dirty, rolled-back or unreadable migration recorded.',
    "  SELECT fk_guard.fix_plan('public.sessions', 'userId', 'public.users', 'id', on_unconvertible => 'map');",
    "  Or change the key instead: SELECT fk_guard.change_key_type_plan('public.users', 'id', 'uuid', new_key_expression => 'r.legacy_uuid');",
  ]) assert.ok(report.split('\n').some((l) => l.startsWith(line)), `explain() has: ${line}`);
  assert.match(report, /Verdict: incompatible \(error\)\./);
  assert.doesNotMatch(report, /20240201000000-sessions-userId-references-users/);
  // The json document says the same.
  const [{ doc }] = await db.rows("SELECT fk_guard.explain('public.sessions', 'userId', 'json')::jsonb AS doc");
  assert.equal(doc.types.references.source, 'implied');
  assert.equal(doc.types.verdict.kind, 'incompatible');
  assert.deepEqual([doc.data.rows_total, doc.data.rows_null, doc.data.rows_unconvertible], [6, 2, 4]);
  assert.deepEqual(doc.migrations.tables.map((m) => [m.tool, m.recorded_in, m.applied]), [['Sequelize', 'public."SequelizeMeta"', 2]]);
  assert.deepEqual(doc.migrations.not_applied, []);
  assert.match(doc.plans.fix_plan.effect, /^On this data: maps each of the 4 values of public\.sessions\."userId" to the key of the row of public\.users whose legacy_uuid holds it/);
  // Nothing changed: still uuid, no foreign key.
  assert.equal(await columnType(db, 'sessions', 'userId'), 'uuid');
  assert.deepEqual(await foreignKeysOn(db, 'sessions'), []);
  // The refusal is an ERROR, not a notice: nothing of ours arrived as a notice.
  assert.deepEqual(notices.ours(), []);
});

const WIDEN_MIGRATION = '20240301000000-orders-accountId-bigint-references-accounts.cjs';
const WIDEN_SQL = 'ALTER TABLE "orders"  ADD FOREIGN KEY ("accountId") REFERENCES "accounts" ("id");';
const expectWarningText = (n) => {
  assert.equal(n.message, 'foreign key constraint "orders_accountId_fkey" pairs integer with bigint (narrower)');
  assert.equal(n.detail, 'orders."accountId" is integer; accounts.id is bigint. The referencing type integer cannot hold every bigint key: references to keys above 2147483647 cannot be stored.');
};

test('scenario 2 (silent widening): changeColumn(BIGINT, references) on an INTEGER column keeps it INTEGER; with default settings the migration passes and the WARNING arrives as a notice', async (t) => {
  const db = await freshDatabase('seq_widen');
  t.after(() => db.drop());
  const notices = noticeCollector();
  const { sequelize, sent } = makeSequelize(db, { notices });
  t.after(() => sequelize.close());
  const { umzug } = makeUmzug(sequelize, join(MIGRATIONS, 'widening'));
  await umzug.up();

  const alter = sent.filter((s) => /^ALTER TABLE "orders"/.test(s));
  t.diagnostic(`Sequelize sent: ${alter.join(' | ')}`);
  assert.deepEqual(alter, [WIDEN_SQL], 'Sequelize drops the type change and sends only ADD FOREIGN KEY');
  assert.ok((await recordedMigrations(sequelize)).includes(WIDEN_MIGRATION));
  // The type change the migration asked for did not happen.
  assert.equal(await columnType(db, 'orders', 'accountId'), 'integer');
  assert.deepEqual((await foreignKeysOn(db, 'orders')).map((f) => f.conname), ['orders_accountId_fkey']);

  const ours = notices.ours();
  for (const n of ours) t.diagnostic(describeServerMessage(n));
  assert.equal(ours.length, 1);
  assert.equal(ours[0].severity, 'WARNING');
  expectWarningText(ours[0]);
  assert.equal(ours[0].hint, 'To match, convert orders."accountId": ALTER TABLE orders ALTER COLUMN "accountId" TYPE bigint.');
  // Sequelize neither logs nor rethrows notices: without a 'notice'
  // listener the WARNING is only in the server log. It also sets
  // client_min_messages = warning on its connections, so NOTICE-level
  // verdicts would not even arrive.
  const shown = await sequelize.query('SHOW client_min_messages', { plain: true });
  assert.equal(shown.client_min_messages, 'warning');
});

const expectRefusal = (t, error) => {
  assert.ok(error, 'the migration must fail');
  assert.equal(error.name, 'MigrationError');
  const original = error.cause.original;
  t.diagnostic(describeServerMessage(original));
  assert.equal(original.code, '42804');
  expectWarningText(original);
  assert.equal(original.hint, 'To match, convert orders."accountId": ALTER TABLE orders ALTER COLUMN "accountId" TYPE bigint. Or set pg_fk_guard.soft_mismatches = warn to accept it.');
  assert.equal(original.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');
};

test('scenario 2 (silent widening): with pg_fk_guard.soft_mismatches = error in the connection options the migration fails with 42804', async (t) => {
  const db = await freshDatabase('seq_widen_opt');
  t.after(() => db.drop());
  const notices = noticeCollector();
  const { sequelize } = makeSequelize(db, {
    notices,
    dialectOptions: { options: '-c pg_fk_guard.soft_mismatches=error' },
  });
  t.after(() => sequelize.close());
  const { umzug } = makeUmzug(sequelize, join(MIGRATIONS, 'widening'));
  const error = await umzug.up().then(() => null, (e) => e);
  expectRefusal(t, error);
  assert.ok(!(await recordedMigrations(sequelize)).includes(WIDEN_MIGRATION));
  assert.deepEqual(await foreignKeysOn(db, 'orders'), []);
  assert.deepEqual(notices.ours(), []);
});

test('scenario 2 (silent widening): with SET LOCAL pg_fk_guard.soft_mismatches = error in the migration\'s transaction it fails with 42804', async (t) => {
  const db = await freshDatabase('seq_widen_set');
  t.after(() => db.drop());
  const { sequelize, sent } = makeSequelize(db);
  t.after(() => sequelize.close());
  const { umzug } = makeUmzug(sequelize, join(MIGRATIONS, 'widening-set-local'));
  const error = await umzug.up().then(() => null, (e) => e);
  t.diagnostic(`Sequelize sent: ${sent.filter((s) => /SET LOCAL|ALTER TABLE "orders"|ROLLBACK|START TRANSACTION/.test(s)).join(' | ')}`);
  expectRefusal(t, error);
  assert.ok(!(await recordedMigrations(sequelize)).includes(WIDEN_MIGRATION));
  assert.deepEqual(await foreignKeysOn(db, 'orders'), []);
});

function repair(t, plan, onUnconvertible) {
  const r = repairDirectory(STORY, plan, { table: 'sessions', column: 'userId', referenced: 'users', onUnconvertible });
  t.after(r.remove);
  return r.dir;
}

async function planFor(db, onUnconvertible) {
  const [{ plan }] = await db.rows(
    "SELECT fk_guard.fix_plan('sessions', 'userId', 'users', on_unconvertible => $1) AS plan", [onUnconvertible]);
  return plan;
}

test('scenario 5 (repair): the fix_plan(null) script as a migration, then the story\'s migration succeeds; the data is what the plan promised', async (t) => {
  const { db, sequelize, notices, error } = await runStory(t, 'seq_repair_null');
  assert.equal(error?.cause?.original?.code, '42804');
  const before = await db.rows('SELECT sid, "userId" FROM sessions ORDER BY sid');

  const plan = await planFor(db, 'null');
  t.diagnostic(plan);
  assert.match(plan, /^-- Data when planned: 6 rows, 2 NULL, 0 convert to integer \(0 of them reference no key\), 4 cannot\.$/m);
  const step = plan.match(/^-- Step \d+: set public\.sessions\."userId" to NULL where it cannot become integer or references no key \((\d+) rows?\)\.$/m);
  assert.ok(step, 'the plan says how many rows become NULL');
  const promisedNulls = Number(step[1]);
  assert.equal(promisedNulls, before.filter((r) => r.userId !== null).length);

  const dir = repair(t, plan, 'null');
  const { umzug } = makeUmzug(sequelize, dir);
  const done = await umzug.up();
  assert.deepEqual(done.map((m) => m.name), ['20240131000000-repair-sessions-userId-null.cjs', STORY_MIGRATION]);

  // What the plan promised: the column is integer, every row kept, the
  // unconvertible values NULL, the key validated.
  assert.equal(await columnType(db, 'sessions', 'userId'), 'integer');
  const after = await db.rows('SELECT sid, "userId" FROM sessions ORDER BY sid');
  assert.deepEqual(after.map((r) => r.sid), before.map((r) => r.sid));
  assert.equal(after.filter((r) => r.userId === null).length, before.filter((r) => r.userId === null).length + promisedNulls);
  const fks = await foreignKeysOn(db, 'sessions');
  t.diagnostic(`foreign keys on sessions afterwards: ${fks.map((f) => `${f.conname}: ${f.def}`).join('; ')}`);
  // The plan adds sessions_userId_fkey; the story's migration, run again
  // afterwards, adds an identical second one: PostgreSQL does not refuse
  // duplicates, and the guard (pg_fk_guard.duplicate_keys = warn) lets it
  // through with a WARNING that names the existing key.
  assert.deepEqual(fks.map((f) => [f.conname, f.def, f.convalidated]), [
    ['sessions_userId_fkey', 'FOREIGN KEY ("userId") REFERENCES users(id)', true],
    ['sessions_userId_fkey1', 'FOREIGN KEY ("userId") REFERENCES users(id)', true],
  ]);
  const duplicates = notices.ours().filter((n) => /duplicates/.test(n.message));
  for (const n of duplicates) t.diagnostic(describeServerMessage(n));
  assert.equal(duplicates.length, 1);
  assert.equal(duplicates[0].severity, 'WARNING');
  assert.equal(duplicates[0].message, 'foreign key constraint "sessions_userId_fkey1" on sessions duplicates "sessions_userId_fkey"');
  assert.match(duplicates[0].hint, /ALTER TABLE sessions DROP CONSTRAINT "sessions_userId_fkey1" drops the one it adds\./);
  assert.deepEqual(await db.rows('SELECT * FROM fk_guard.diagnose_fk_mismatches() WHERE referencing_table = \'sessions\'::regclass'), []);
});

test('scenario 5 (repair): the fix_plan(map) script maps the uuids through users.legacy_uuid, then the story\'s migration succeeds', async (t) => {
  const { db, sequelize, error } = await runStory(t, 'seq_repair_map');
  assert.equal(error?.cause?.original?.code, '42804');
  // What mapping through legacy_uuid should give, computed independently.
  const expected = await db.rows(
    'SELECT s.sid, u.id AS "userId" FROM sessions s LEFT JOIN users u ON u.legacy_uuid = s."userId" ORDER BY s.sid');

  const plan = await planFor(db, 'map');
  t.diagnostic(plan);
  assert.match(plan, /^-- public\.users\.legacy_uuid holds 4 of the 4 non-NULL values of public\.sessions\."userId"\.$/m);
  assert.match(plan, /^-- Step \d+: convert public\.sessions\."userId" to integer through the mapping \(6 rows in all; indexes on it are rebuilt\)\.$/m);
  assert.doesNotMatch(plan, /DROP COLUMN|RENAME COLUMN/, 'the column is converted in place');

  const dir = repair(t, plan, 'map');
  const { umzug } = makeUmzug(sequelize, dir);
  await umzug.up();
  assert.deepEqual(await recordedMigrations(sequelize), [
    '20240101000000-create-users-and-sessions.cjs',
    '20240101000100-seed-users-and-sessions.cjs',
    '20240131000000-repair-sessions-userId-map.cjs',
    STORY_MIGRATION,
  ]);
  assert.equal(await columnType(db, 'sessions', 'userId'), 'integer');
  const after = await db.rows('SELECT sid, "userId" FROM sessions ORDER BY sid');
  assert.deepEqual(after, expected);
  assert.equal(after.filter((r) => r.userId !== null).length, 4);
  // Every session still points at the user whose legacy uuid it held.
  const joined = await db.rows(
    'SELECT s.sid, u.email FROM sessions s JOIN users u ON u.id = s."userId" ORDER BY s.sid');
  assert.deepEqual(joined.map((r) => `${r.sid}:${r.email}`),
    ['s1:ada@example.com', 's3:bob@example.com', 's4:bob@example.com', 's6:cy@example.com']);
});
