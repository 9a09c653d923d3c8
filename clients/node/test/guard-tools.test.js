'use strict';
// The Node tools' migrations through guard(), each against a database
// without the extension as an ordinary role, compared with the same
// migration against the extension: knex (its migrator, in a transaction),
// TypeORM (a DataSource's migrations, in a transaction), node-pg-migrate (its
// runner with a guarded pg Client) and a plain pg Pool. A refusal carries the
// extension's fields; a soft mismatch reaches the logger in the extension's
// words; where the extension is installed the guard leaves the judging to it.
const test = require('node:test');
const assert = require('node:assert/strict');
const { mkdtempSync, writeFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Pool } = require('pg');
const { guard } = require('../lib/index.js');
const { databases, connect, fields, packageFields, packageHint, collectNotices, ROLE } = require('./helpers.js');

const STORY = `
CREATE TABLE users (id serial PRIMARY KEY, legacy_uuid uuid UNIQUE);
CREATE TABLE sessions (sid text PRIMARY KEY, "userId" uuid);
INSERT INTO users (legacy_uuid) VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');
INSERT INTO sessions VALUES ('s1', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), ('s2', NULL), ('s3', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22');`;
const WIDENING = `
CREATE TABLE accounts (id bigserial PRIMARY KEY);
CREATE TABLE orders (id serial PRIMARY KEY, account_id integer);`;

const connection = (config) => ({ host: process.env.PGHOST, port: Number(process.env.PGPORT), user: ROLE, database: config.database });

function sameRefusal(guarded, extension) {
  assert.ok(extension, 'the extension refuses');
  assert.ok(guarded, 'the guard refuses');
  assert.deepEqual(fields(guarded), packageFields(extension));
  assert.equal(guarded.code, '42804');
}

async function foreignKeys(config, table) {
  const c = await connect(config);
  try {
    return (await c.query("SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f' ORDER BY 1", [table])).rows.map((r) => r.conname);
  } finally {
    await c.end();
  }
}

// ---- knex: its migrator runs each migration in a transaction ----

function knexSource(up) {
  const migrations = [{ name: '20240201000000_sessions_userId_references_users', up, down: async () => {} }];
  return {
    getMigrations: async () => migrations,
    getMigrationName: (m) => m.name,
    getMigration: async (m) => m,
  };
}

async function knexMigrate(config, guarded, logger) {
  const knex = require('knex')({
    client: 'pg',
    connection: connection(config),
    pool: { min: 0, max: 2 },
    migrations: { migrationSource: knexSource((k) => k.schema.alterTable('sessions', (t) => t.foreign('userId').references('users.id'))) },
    log: { warn() {}, error() {}, deprecate() {}, debug() {} },
  });
  if (guarded) guard(knex, { logger });
  try {
    return await knex.migrate.latest().then(() => null, (e) => e);
  } finally {
    await knex.destroy();
  }
}

test('knex: alterTable(t.foreign(...)) through guard(knex) is refused with the extension\'s fields; the migrator rolls back', async (t) => {
  const dbs = await databases('knex_story', STORY);
  t.after(() => dbs.drop());
  const extError = await knexMigrate(dbs.ext, false);
  const error = await knexMigrate(dbs.plain, true, null);
  t.diagnostic(`knex: ${error && error.message}`);
  sameRefusal(error, extError);
  assert.equal(error.message, extError.message); // knex prefixes the SQL it sent
  assert.match(error.hint, /knex: declare the column as integer \(table\.integer\('userId'\)\)/);
  assert.deepEqual(await foreignKeys(dbs.plain, 'sessions'), []);
  // The migration is not recorded: the transaction was rolled back.
  const c = await connect(dbs.plain);
  assert.equal((await c.query('SELECT count(*)::int AS n FROM knex_migrations')).rows[0].n, 0);
  await c.end();
});

// ---- TypeORM: a DataSource's migrations, all in one transaction ----

class SessionsUserIdUuidReferencesUsers1706745600000 {
  async up(queryRunner) {
    const { TableColumn, TableForeignKey } = require('typeorm');
    await queryRunner.dropColumn('sessions', 'userId');
    await queryRunner.addColumn('sessions', new TableColumn({ name: 'userId', type: 'uuid', isNullable: true }));
    await queryRunner.createForeignKey('sessions', new TableForeignKey({
      columnNames: ['userId'], referencedTableName: 'users', referencedColumnNames: ['id'],
    }));
  }

  async down() {}
}

async function typeormMigrate(config, guarded) {
  require('reflect-metadata');
  const { DataSource } = require('typeorm');
  const ds = new DataSource({
    type: 'postgres', ...connection(config), username: ROLE, migrations: [SessionsUserIdUuidReferencesUsers1706745600000],
    migrationsTransactionMode: 'all', logging: false,
  });
  if (guarded) guard(ds, { logger: null });
  await ds.initialize();
  try {
    return await ds.runMigrations().then(() => null, (e) => e);
  } finally {
    await ds.destroy();
  }
}

test('TypeORM: createForeignKey() through guard(dataSource) is refused with the extension\'s fields; the transaction rolls back', async (t) => {
  const dbs = await databases('typeorm_story', STORY);
  t.after(() => dbs.drop());
  const extError = await typeormMigrate(dbs.ext, false);
  const error = await typeormMigrate(dbs.plain, true);
  t.diagnostic(`TypeORM: ${error && error.name}: ${error && error.message}`);
  assert.equal(error.name, 'QueryFailedError');
  assert.equal(error.name, extError.name);
  sameRefusal(error.driverError, extError.driverError);
  assert.equal(error.query, extError.query);
  // Rolled back: the column is still the uuid it was, with its values.
  const c = await connect(dbs.plain);
  assert.equal((await c.query('SELECT count("userId")::int AS n FROM sessions')).rows[0].n, 2);
  await c.end();
});

// ---- node-pg-migrate: its runner with a guarded pg Client ----

async function pgMigrate(config, guarded, logger, source) {
  const { runner } = await import('node-pg-migrate');
  const dir = mkdtempSync(join(tmpdir(), 'fkg-npm-'));
  writeFileSync(join(dir, '1706745600000_foreign-key.js'), source);
  const client = await connect(config);
  const notices = collectNotices(client);
  if (guarded) guard(client, { logger });
  try {
    const error = await runner({
      dbClient: client, dir, direction: 'up', migrationsTable: 'pgmigrations', count: Infinity, log: () => {},
      checkOrder: false, singleTransaction: true,
    }).then(() => null, (e) => e);
    return { error, notices };
  } finally {
    await client.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('node-pg-migrate: addConstraint() through a guarded client is refused with the extension\'s fields', async (t) => {
  const dbs = await databases('npm_story', STORY);
  t.after(() => dbs.drop());
  const source = `exports.up = (pgm) => {
  pgm.addConstraint('sessions', 'sessions_user_fkey', { foreignKeys: { columns: 'userId', references: 'users(id)' } });
};\n`;
  const ext = await pgMigrate(dbs.ext, false, null, source);
  const plain = await pgMigrate(dbs.plain, true, null, source);
  t.diagnostic(`node-pg-migrate: ${plain.error && plain.error.message}`);
  sameRefusal(plain.error, ext.error);
  assert.equal(plain.error.message, 'foreign key constraint "sessions_user_fkey" cannot be implemented');
  assert.deepEqual(await foreignKeys(dbs.plain, 'sessions'), []);
});

test('node-pg-migrate: the widening warning goes to the logger in the extension\'s words, and the key is added', async (t) => {
  const dbs = await databases('npm_widen', WIDENING);
  t.after(() => dbs.drop());
  const source = `exports.up = (pgm) => {
  pgm.addConstraint('orders', 'orders_account_id_fkey', { foreignKeys: { columns: 'account_id', references: 'accounts(id)' } });
};\n`;
  const ext = await pgMigrate(dbs.ext, false, null, source);
  const logged = [];
  const plain = await pgMigrate(dbs.plain, true, (n) => logged.push(n), source);
  assert.equal(ext.error, null);
  assert.equal(plain.error, null);
  assert.equal(ext.notices.length, 1);
  assert.equal(logged.length, 1);
  for (const f of ['severity', 'code', 'message', 'detail']) assert.equal(logged[0][f], ext.notices[0][f], f);
  assert.equal(logged[0].hint, packageHint(ext.notices[0].hint));
  assert.equal(logged[0].message, 'foreign key constraint "orders_account_id_fkey" pairs integer with bigint (narrower)');
  assert.deepEqual(await foreignKeys(dbs.plain, 'orders'), ['orders_account_id_fkey']);
});

// ---- a pg Pool; and a database with the extension ----

test('a pg Pool: pool.query() and pooled clients are guarded; the softMismatches option turns the warning into an error', async (t) => {
  const dbs = await databases('pool', `${STORY}\n${WIDENING}`);
  t.after(() => dbs.drop());
  const pool = guard(new Pool({ ...connection(dbs.plain), max: 2 }), { softMismatches: 'error' });
  const ext = await connect(dbs.ext);
  const sql = 'ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users (id)';
  const extError = await ext.query(sql).then(() => null, (e) => e);
  await ext.end();
  sameRefusal(await pool.query(sql).then(() => null, (e) => e), extError);
  const client = await pool.connect();
  sameRefusal(await client.query(sql).then(() => null, (e) => e), extError);
  // Callback style, as Sequelize and knex call it.
  const viaCallback = await new Promise((resolve) => client.query(sql, (e) => resolve(e)));
  sameRefusal(viaCallback, extError);
  client.release();
  const soft = await pool.query('ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts').then(() => null, (e) => e);
  assert.equal(soft.code, '42804');
  assert.equal(soft.message, 'foreign key constraint "orders_account_id_fkey" pairs integer with bigint (narrower)');
  assert.match(soft.hint, / Or pass softMismatches: 'warn' to guard\(\) to accept it\.$/);
  assert.deepEqual(await foreignKeys(dbs.plain, 'orders'), []);
  await pool.end();
});

test('where the extension is installed, the guard sends the statement and the extension judges it', async (t) => {
  const dbs = await databases('with_ext', STORY);
  t.after(() => dbs.drop());
  const skipped = [];
  const c = guard(await connect(dbs.ext), { onSkip: (why) => skipped.push(why) });
  const error = await c.query('ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users (id)').then(() => null, (e) => e);
  await c.end();
  assert.deepEqual(skipped, ['the extension judges here']);
  assert.equal(error.code, '42804');
  assert.equal(error.fkGuard, undefined, 'the server\'s own error, from the extension');
  assert.equal(error.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');
});

test('statements without foreign keys are not held; an unparsable one reaches the server', async (t) => {
  const dbs = await databases('passthrough', STORY);
  t.after(() => dbs.drop());
  const c = guard(await connect(dbs.plain));
  assert.equal((await c.query('SELECT 1 AS one')).rows[0].one, 1);
  const syntax = await c.query('ALTER TABLE sessions ADD FOREIGN KEY REFERENCES').then(() => null, (e) => e);
  assert.equal(syntax.code, '42601');
  assert.equal(syntax.fkGuard, undefined);
  // A key PostgreSQL accepts goes through.
  await c.query('CREATE TABLE notes (id int PRIMARY KEY, user_id integer REFERENCES users)');
  assert.deepEqual(await foreignKeys(dbs.plain, 'notes'), ['notes_user_id_fkey']);
  await c.end();
});

test('a probe that fails for another reason (a temporary table of the same name) leaves the statement to PostgreSQL', async (t) => {
  const dbs = await databases('probe_clash', 'CREATE TABLE parent (id bigint PRIMARY KEY); CREATE TABLE child (p smallint);');
  t.after(() => dbs.drop());
  const errors = [];
  const c = guard(await connect(dbs.plain), { logger: null, onError: (e) => errors.push(e) });
  await c.query('CREATE TEMP TABLE fkg_probe_pk (x int)');
  await c.query('ALTER TABLE child ADD FOREIGN KEY (p) REFERENCES parent (id)');
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /^pg-fk-guard: the probe for smallint -> bigint failed: 42P07 /);
  assert.deepEqual(await foreignKeys(dbs.plain, 'child'), ['child_p_fkey']);
  await c.end();
});

test('a later statement of the same query string that converts the column: the HINT says so, as the extension\'s does', async (t) => {
  const dbs = await databases('later_retype', STORY);
  t.after(() => dbs.drop());
  const sql = 'ALTER TABLE sessions ADD FOREIGN KEY ("userId") REFERENCES users (id); ALTER TABLE sessions ALTER COLUMN "userId" TYPE integer USING NULL';
  const ext = await connect(dbs.ext);
  const extError = await ext.query(sql).then(() => null, (e) => e);
  await ext.end();
  const c = guard(await connect(dbs.plain));
  const error = await c.query(sql).then(() => null, (e) => e);
  await c.end();
  sameRefusal(error, extError);
  assert.match(error.hint, /A later statement in the same query string changes the type of sessions\."userId": run it before adding the foreign key\./);
});
