// knex migrations (scenario 3): alter() of a uuid column to integer followed
// by a foreign key, and the foreign key alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { freshDatabase, noticeCollector, describeServerMessage, columnType, foreignKeysOn, migrationHistory } from '../lib/db.mjs';
import { makeKnex, recordedKnexMigrations } from '../lib/knex.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MIGRATIONS = join(HERE, '..', 'migrations', 'knex');

async function migrate(t, label, dir) {
  const db = await freshDatabase(label);
  t.after(() => db.drop());
  const notices = noticeCollector();
  const { knex, sent, logged } = makeKnex(db, { notices, directory: join(MIGRATIONS, dir) });
  t.after(() => knex.destroy());
  // The tables went out in an earlier deploy; the change is the next one.
  // (knex.migrate.latest() runs a batch in one transaction: had both been
  // pending, the failure would roll back the first one too.)
  await knex.migrate.up();
  sent.length = 0;
  const error = await knex.migrate.latest().then(() => null, (e) => e);
  for (const line of logged) t.diagnostic(`knex logged: ${line}`);
  return { db, knex, sent, notices, error };
}

test('scenario 3 (knex): alter() of a uuid column to integer, then foreign(): the guard answers the impossible cast first, with 42846, the data and the way', async (t) => {
  const { db, knex, sent, notices, error } = await migrate(t, 'knex_alter', 'alter-then-foreign');
  // What knex sends: the type change (with its own USING cast) first, as a
  // separate statement; the foreign key would come after it.
  const alter = sent.filter((s) => /^alter table "sessions"/.test(s));
  t.diagnostic(`knex sent: ${alter.join(' | ')}`);
  assert.deepEqual(alter, [
    'alter table "sessions" alter column "userId" drop default',
    'alter table "sessions" alter column "userId" drop not null',
    'alter table "sessions" alter column "userId" type integer using ("userId"::integer)',
  ]);
  assert.ok(error, 'the migration must fail');
  t.diagnostic(`knex: ${error.message}`);
  t.diagnostic(describeServerMessage(error));
  // uuid -> integer has no cast at all, and "userId" holds keys of users.id
  // by its name: the guard raises PostgreSQL's own 42846 and message first,
  // with what the column holds and how its values can be looked up instead.
  assert.equal(error.code, '42846');
  assert.equal(error.message, 'alter table "sessions" alter column "userId" type integer using ("userId"::integer) - cannot cast type uuid to integer');
  assert.equal(error.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');
  assert.ok(error.detail.startsWith('sessions."userId" is uuid and holds keys of users.id (by its name; no foreign key is declared). No cast turns uuid into integer'), error.detail);
  assert.match(error.hint, /SELECT fk_guard\.fix_plan\('sessions', 'userId', 'users', 'id', on_unconvertible => 'map'\)/);
  assert.match(error.hint, /knex's \.alter\(\) converts with USING/);
  assert.deepEqual(notices.ours(), []);
  // knex ran the migration in a transaction: nothing changed, nothing recorded.
  assert.deepEqual(await recordedKnexMigrations(knex), ['20240101000000_create_users_and_sessions.js']);
  assert.equal(await columnType(db, 'sessions', 'userId'), 'uuid');
  assert.deepEqual(await foreignKeysOn(db, 'sessions'), []);
});

test('scenario 3 (knex): foreign() alone on the uuid column: the guard refuses with 42804, DETAIL and HINT on the knex error', async (t) => {
  const { db, knex, sent, notices, error } = await migrate(t, 'knex_fk', 'foreign-only');
  const alter = sent.filter((s) => /^alter table "sessions"/.test(s));
  t.diagnostic(`knex sent: ${alter.join(' | ')}`);
  assert.deepEqual(alter, [
    'alter table "sessions" add constraint "sessions_userid_foreign" foreign key ("userId") references "users" ("id")',
  ]);
  assert.ok(error, 'the migration must fail');
  t.diagnostic(`knex: ${error.message}`);
  t.diagnostic(describeServerMessage(error));
  // knex rethrows the pg error itself, its message prefixed with the SQL.
  assert.equal(error.code, '42804');
  assert.equal(error.message, `${alter[0]} - foreign key constraint "sessions_userid_foreign" cannot be implemented`);
  assert.match(error.detail, /^sessions\."userId" is uuid; users\.id is integer\. /);
  assert.match(error.detail, /sessions holds 3 rows: 1 with "userId" NULL, 2 uuid values that cannot become integer/);
  assert.match(error.hint, /There is no cast from uuid to integer/);
  assert.match(error.hint, /sessions\."userId" is still uuid: nothing so far has changed its type\./);
  // knex_migrations is on the search path: the HINT names explain() for the rest.
  assert.match(error.hint, / What the DETAIL leaves out \(which migrations ran\): SELECT fk_guard\.explain\('public\.sessions', 'userId'\);$/);
  assert.equal(error.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');
  assert.deepEqual(notices.ours(), []);
  assert.deepEqual(await recordedKnexMigrations(knex), ['20240101000000_create_users_and_sessions.js']);
  // fk_guard.migration_history() reads the table knex made (knex_migrations,
  // not knex_migrations_lock): the applied migration with its time, not the
  // refused one.
  const history = await migrationHistory(db);
  t.diagnostic(`migration_history(): ${JSON.stringify(history)}`);
  assert.deepEqual(history, [
    { tool: 'knex', migration: '20240101000000_create_users_and_sessions.js', status: 'applied', recorded_in: 'knex_migrations', has_time: true },
  ]);
  assert.deepEqual(await foreignKeysOn(db, 'sessions'), []);
});

test('scenario 3 (knex): with both migrations pending, knex.migrate.latest() runs them in one transaction: the refusal rolls back the whole batch', async (t) => {
  const db = await freshDatabase('knex_batch');
  t.after(() => db.drop());
  const { knex } = makeKnex(db, { directory: join(MIGRATIONS, 'foreign-only') });
  t.after(() => knex.destroy());
  const error = await knex.migrate.latest().then(() => null, (e) => e);
  assert.equal(error?.code, '42804');
  assert.deepEqual(await recordedKnexMigrations(knex), []);
  assert.deepEqual(await db.rows("SELECT to_regclass('sessions') AS sessions, to_regclass('users') AS users"),
    [{ sessions: null, users: null }]);
});
