'use strict';
// The founding story through guard(sequelize), as an ordinary role in a
// database without the extension: the same error Sequelize and the driver
// raise through the extension (SQLSTATE, message, DETAIL, HINT, where; the
// HINT names the package's functions, or with hintFunctions: 'extension' the
// extension's, byte for byte), and
// the same soft warning, sent to the logger instead of the server's notices.
const test = require('node:test');
const assert = require('node:assert/strict');
const { Sequelize, DataTypes } = require('sequelize');
const { guard } = require('../lib/index.js');
const { databases, connect, fields, packageFields, ROLE } = require('./helpers.js');

// The story's data (test/e2e/migrations/sequelize/story).
const USERS = [
  ['ada@example.com', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['bob@example.com', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'],
  ['cy@example.com', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33'],
];
const SESSIONS = [['s1', USERS[0][1]], ['s2', null], ['s3', USERS[1][1]], ['s4', USERS[1][1]], ['s5', null], ['s6', USERS[2][1]]];

function makeSequelize(config, sent) {
  return new Sequelize(config.database, ROLE, null, {
    dialect: 'postgres',
    host: process.env.PGHOST,
    port: Number(process.env.PGPORT),
    logging: (sql) => sent && sent.push(sql.replace(/^Executing \([^)]*\): /, '')),
  });
}

async function storySchema(sequelize) {
  const qi = sequelize.getQueryInterface();
  await qi.createTable('SequelizeMeta', { name: { type: DataTypes.STRING, primaryKey: true } });
  await qi.createTable('users', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    email: { type: DataTypes.TEXT, allowNull: false },
    legacy_uuid: { type: DataTypes.UUID, unique: true },
  });
  await qi.createTable('sessions', {
    sid: { type: DataTypes.STRING, primaryKey: true },
    userId: { type: DataTypes.UUID },
    expires: { type: DataTypes.DATE },
  });
  await qi.bulkInsert('users', USERS.map(([email, legacy_uuid]) => ({ email, legacy_uuid })));
  const expires = new Date('2030-01-01T00:00:00Z');
  await qi.bulkInsert('sessions', SESSIONS.map(([sid, userId]) => ({ sid, userId, expires })));
}

const STORY_SQL = 'ALTER TABLE "sessions"  ADD FOREIGN KEY ("userId") REFERENCES "users" ("id");';

test('the story: changeColumn(INTEGER, references) through guard(sequelize) fails with the extension\'s error fields', async (t) => {
  const dbs = await databases('seq_story');
  t.after(() => dbs.drop());
  const results = {};
  for (const side of ['ext', 'plain']) {
    const sent = [];
    const sequelize = makeSequelize(dbs[side], sent);
    try {
      await storySchema(sequelize);
      if (side === 'plain') guard(sequelize, { logger: null });
      const error = await sequelize.getQueryInterface().changeColumn('sessions', 'userId', {
        type: DataTypes.INTEGER,
        references: { model: 'users', key: 'id' },
      }).then(() => null, (e) => e);
      results[side] = { error, sent: sent.filter((s) => /^ALTER TABLE "sessions"/.test(s)) };
      const [[{ type }]] = await sequelize.query(
        "SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'sessions'::regclass AND attname = 'userId'");
      results[side].type = type;
      const [keys] = await sequelize.query("SELECT conname FROM pg_constraint WHERE conrelid = 'sessions'::regclass AND contype = 'f'");
      results[side].keys = keys;
    } finally {
      await sequelize.close();
    }
  }
  const { ext, plain } = results;
  assert.deepEqual(ext.sent, [STORY_SQL]);
  assert.deepEqual(plain.sent, [STORY_SQL], 'Sequelize logs the statement; the guard refused it before it reached the server');
  for (const side of [ext, plain]) {
    assert.equal(side.error.name, 'SequelizeDatabaseError');
    assert.equal(side.error.sql, STORY_SQL);
    assert.equal(side.error.original, side.error.parent);
    assert.equal(side.type, 'uuid');
    assert.deepEqual(side.keys, []);
  }
  t.diagnostic(`extension: ${JSON.stringify(fields(ext.error.original))}`);
  t.diagnostic(`package:   ${JSON.stringify(fields(plain.error.original))}`);
  assert.deepEqual(fields(plain.error.original), packageFields(ext.error.original));
  assert.equal(plain.error.original.constructor.name, ext.error.original.constructor.name);
  assert.equal(plain.error.message, ext.error.message);
  // The story's own sentences (test/e2e/tests/sequelize.test.mjs).
  const o = plain.error.original;
  assert.equal(o.code, '42804');
  assert.equal(o.message, 'foreign key constraint "sessions_userId_fkey" cannot be implemented');
  assert.match(o.detail, /sessions holds 6 rows: 2 with "userId" NULL, 4 uuid values that cannot become integer \(for example 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' and 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'\)\.$/);
  assert.match(o.hint, /There is no cast from uuid to integer/);
  assert.match(o.hint, /Sequelize v6 queryInterface\.changeColumn\(\) drops the type change/);
  assert.match(o.hint, /fixPlan\(db, \{referencingTable: 'sessions', referencingColumn: 'userId', referencedTable: 'users', referencedColumn: 'id', onUnconvertible: 'map', constraintName: 'sessions_userId_fkey'\}\) writes that script/);
  assert.doesNotMatch(o.hint, /fk_guard\./);
  assert.match(o.hint, / What the DETAIL leaves out \(which migrations ran\): explain\(db, \{table: 'public\.sessions', column: 'userId'\}\);$/);
  assert.match(ext.error.original.hint, / What the DETAIL leaves out \(which migrations ran\): SELECT fk_guard\.explain\('public\.sessions', 'userId'\);$/);
  assert.equal(o.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');
  // hintFunctions: 'extension': the extension's HINT, byte for byte.
  const c = guard(await connect(dbs.plain), { logger: null, hintFunctions: 'extension' });
  try {
    const e = await c.query(STORY_SQL).then(() => null, (x) => x);
    assert.deepEqual(fields(e), fields(ext.error.original));
  } finally {
    await c.end();
  }
});

test('the silent widening: the narrower warning goes to the logger, with the extension\'s words, and the migration passes', async (t) => {
  const setup = 'CREATE TABLE accounts (id bigserial PRIMARY KEY); CREATE TABLE orders (id serial PRIMARY KEY, "accountId" integer);';
  const dbs = await databases('seq_widen', setup);
  t.after(() => dbs.drop());
  // The extension's WARNING, as the server sends it.
  const extSeq = makeSequelize(dbs.ext);
  const extNotices = [];
  extSeq.addHook('afterConnect', (c) => c.on('notice', (n) => extNotices.push(n)));
  await extSeq.getQueryInterface().changeColumn('orders', 'accountId', { type: DataTypes.BIGINT, references: { model: 'accounts', key: 'id' } });
  await extSeq.close();
  const logged = [];
  const seq = guard(makeSequelize(dbs.plain), { logger: (n) => logged.push(n) });
  await seq.getQueryInterface().changeColumn('orders', 'accountId', { type: DataTypes.BIGINT, references: { model: 'accounts', key: 'id' } });
  const [keys] = await seq.query("SELECT conname FROM pg_constraint WHERE conrelid = 'orders'::regclass AND contype = 'f'");
  await seq.close();
  assert.deepEqual(keys.map((k) => k.conname), ['orders_accountId_fkey']);
  const ours = extNotices.filter((n) => /^foreign key constraint/.test(n.message));
  assert.equal(ours.length, 1);
  assert.equal(logged.length, 1);
  for (const f of ['severity', 'code', 'message', 'detail', 'hint', 'where']) assert.equal(logged[0][f], ours[0][f], f);
  assert.doesNotMatch(logged[0].hint, /fk_guard\./);
  assert.equal(logged[0].message, 'foreign key constraint "orders_accountId_fkey" pairs integer with bigint (narrower)');
});
