// node-pg-migrate's programmatic runner: addConstraint with a foreign key
// across integer/bigint (scenario 3), and a parent key changing type under
// several integer references (scenario 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { freshDatabase, noticeCollector, describeServerMessage, columnType, foreignKeysOn, migrationHistory } from '../lib/db.mjs';
import { runPgMigrate, recordedPgMigrations } from '../lib/node-pg-migrate.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const MIGRATIONS = join(HERE, '..', 'migrations', 'node-pg-migrate');

// The first migration is an earlier deploy; the second is the change.
async function deployThenChange(t, label, dir) {
  const db = await freshDatabase(label);
  t.after(() => db.drop());
  const first = await runPgMigrate(db, { dir: join(MIGRATIONS, dir), count: 1 });
  assert.equal(first.error, null);
  const notices = noticeCollector();
  const change = await runPgMigrate(db, { dir: join(MIGRATIONS, dir), notices });
  const sql = change.logged.filter((l) => /^ALTER TABLE/m.test(l) || /### MIGRATION/.test(l));
  for (const line of sql) t.diagnostic(`node-pg-migrate: ${line.trim()}`);
  return { db, notices, ...change };
}

const REFERENCING = [
  ['posts_author_id_fkey', 'posts.author_id', 'ALTER TABLE posts ALTER COLUMN author_id TYPE bigint'],
  ['comments_user_id_fkey', 'comments.user_id', 'ALTER TABLE comments ALTER COLUMN user_id TYPE bigint'],
  ['sessions_userId_fkey', 'sessions."userId"', 'ALTER TABLE sessions ALTER COLUMN "userId" TYPE bigint'],
  ['follows_follower_id_fkey', 'follows.follower_id', 'ALTER TABLE follows ALTER COLUMN follower_id TYPE bigint'],
  ['follows_followed_id_fkey', 'follows.followed_id', 'ALTER TABLE follows ALTER COLUMN followed_id TYPE bigint'],
];

test('scenario 3 (node-pg-migrate): addConstraint with a foreign key from integer to bigint passes with a WARNING (soft mismatch, default settings)', async (t) => {
  const { db, notices, error, logged } = await deployThenChange(t, 'npm_fk', 'widening');
  assert.equal(error, null);
  assert.ok(logged.some((l) => l.includes('ALTER TABLE "orders"\n  ADD CONSTRAINT "orders_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES accounts(id);')));
  assert.deepEqual(await recordedPgMigrations(db), ['1704067200000_create-accounts-and-orders', '1706745600000_orders-account-foreign-key']);
  // fk_guard.migration_history() reads pgmigrations as node-pg-migrate made it.
  assert.deepEqual(await migrationHistory(db), [
    { tool: 'node-pg-migrate', migration: '1704067200000_create-accounts-and-orders', status: 'applied', recorded_in: 'pgmigrations', has_time: true },
    { tool: 'node-pg-migrate', migration: '1706745600000_orders-account-foreign-key', status: 'applied', recorded_in: 'pgmigrations', has_time: true },
  ]);
  assert.deepEqual((await foreignKeysOn(db, 'orders')).map((f) => f.conname), ['orders_account_id_fkey']);

  const ours = notices.ours();
  for (const n of ours) t.diagnostic(describeServerMessage(n));
  assert.equal(ours.length, 1);
  assert.deepEqual(ours[0], {
    severity: 'WARNING',
    code: '01000',
    message: 'foreign key constraint "orders_account_id_fkey" pairs integer with bigint (narrower)',
    detail: 'orders.account_id is integer; accounts.id is bigint. The referencing type integer cannot hold every bigint key: references to keys above 2147483647 cannot be stored.',
    hint: 'To match, convert orders.account_id: ALTER TABLE orders ALTER COLUMN account_id TYPE bigint.',
    where: 'pg_fk_guard: checked before PostgreSQL ran the statement',
  });
  // node-pg-migrate itself never shows it: nothing it logged mentions it.
  assert.ok(!logged.some((l) => /narrower|pairs integer/.test(l)));
});

test('scenario 4 (parent change, node-pg-migrate): users.id to bigint under five integer references passes with one WARNING per foreign key, naming every referencing column', async (t) => {
  const { db, notices, error, logged } = await deployThenChange(t, 'npm_parent_bigint', 'parent-bigint');
  assert.equal(error, null);
  assert.ok(logged.some((l) => l.includes('ALTER TABLE "users"\n  ALTER "id" SET DATA TYPE bigint;')));
  assert.equal(await columnType(db, 'users', 'id'), 'bigint');
  assert.equal(await columnType(db, 'posts', 'author_id'), 'integer');

  const ours = notices.ours();
  for (const n of ours) t.diagnostic(describeServerMessage(n));
  assert.equal(ours.length, REFERENCING.length);
  assert.ok(ours.every((n) => n.severity === 'WARNING' && n.code === '01000'));
  // Every referencing column is named, each with the statement that converts it.
  for (const [conname, column, fix] of REFERENCING) {
    const n = ours.find((w) => w.message === `foreign key constraint "${conname}" will pair integer with bigint (narrower)`);
    assert.ok(n, `a WARNING for ${conname}`);
    assert.ok(n.detail.startsWith(`${column} is integer; users.id becomes bigint.`), n.detail);
    assert.equal(n.hint, `Convert ${column} too: ${fix}.`);
  }
});

test('scenario 4 (parent change, node-pg-migrate): users.id to uuid is refused with 42804 naming every affected constraint; nothing changes', async (t) => {
  const { db, notices, error, logged } = await deployThenChange(t, 'npm_parent_uuid', 'parent-uuid');
  assert.ok(error, 'the migration must fail');
  t.diagnostic(describeServerMessage(error));
  assert.equal(error.code, '42804');
  assert.equal(error.message, 'foreign key constraint "posts_author_id_fkey" cannot be implemented');
  assert.ok(error.detail.startsWith('ALTER COLUMN TYPE makes PostgreSQL rebuild these foreign keys, which it could not implement. '));
  for (const [conname, column] of REFERENCING) {
    assert.ok(error.detail.includes(`${conname}: ${column} is integer; users.id becomes uuid.`), `DETAIL names ${conname}`);
  }
  // No cast turns integer into uuid: the HINT drops every key first and names fix_plan() for the columns.
  assert.ok(error.hint.startsWith('One ALTER TABLE cannot convert columns of two tables'), error.hint);
  for (const [conname] of REFERENCING) {
    assert.ok(error.hint.includes(`DROP CONSTRAINT ${/[A-Z]/.test(conname) ? `"${conname}"` : conname};`), `HINT drops ${conname}`);
  }
  assert.match(error.hint, /fk_guard\.fix_plan\(\) writes, for each referencing column/);
  assert.equal(error.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');
  assert.deepEqual(notices.ours(), []);
  // What the CLI prints: its log has only the primary message; its final
  // console.error(error) (util.inspect) shows the DETAIL and HINT fields.
  const log = logged.find((l) => l.startsWith('Error executing:\nALTER TABLE "users"'));
  t.diagnostic(`node-pg-migrate logged: ${log}`);
  assert.ok(log.endsWith('error: foreign key constraint "posts_author_id_fkey" cannot be implemented\n'));
  assert.ok(!log.includes('DETAIL') && !log.includes('becomes uuid'));
  assert.match(inspect(error), /detail: 'ALTER COLUMN TYPE makes PostgreSQL rebuild/);
  // util.inspect quotes with backticks when the text holds single quotes.
  assert.match(inspect(error), /hint: ['`]One ALTER TABLE cannot convert columns of two tables/);
  assert.match(error.hint, /Or SELECT fk_guard\.change_key_type_plan\('users', 'id', 'uuid'\) writes one script that changes users\.id together with every column that references it, keeping their foreign keys\.$/);

  assert.deepEqual(await recordedPgMigrations(db), ['1704067200000_create-users-and-referencing-tables']);
  // The refused migration is not in pgmigrations, so not in migration_history().
  const history = await migrationHistory(db);
  t.diagnostic(`migration_history(): ${JSON.stringify(history)}`);
  assert.deepEqual(history, [
    { tool: 'node-pg-migrate', migration: '1704067200000_create-users-and-referencing-tables', status: 'applied', recorded_in: 'pgmigrations', has_time: true },
  ]);
  assert.equal(await columnType(db, 'users', 'id'), 'integer');
  assert.equal((await foreignKeysOn(db, 'follows')).length, 2);
});
