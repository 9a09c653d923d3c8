'use strict';
// A key column converted with no cast after the foreign keys that referenced
// it were dropped in the same transaction (what Django sends for AutoField ->
// UUIDField on a primary key): the package remembers the keys the
// connection's DROP CONSTRAINT statements drop, as the extension's guard
// does (src/pg/guard_dropped.cpp), and refuses with the same fields. Each
// sequence runs statement by statement through guard(client) on the database
// without the extension and as it stands on the one with it; every
// statement's error (or none) is compared.
const test = require('node:test');
const assert = require('node:assert/strict');
const { guard } = require('../lib/index.js');
const { databases, connect, fields, packageFields } = require('./helpers.js');

const SETUP = `
CREATE TABLE shop_user (id serial PRIMARY KEY, email text);
CREATE TABLE shop_session (id serial PRIMARY KEY, user_id integer REFERENCES shop_user);
CREATE TABLE shop_order (id serial PRIMARY KEY,
  buyer_id integer CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id REFERENCES shop_user);
CREATE TABLE "Audit" (id serial, "actorId" integer, CONSTRAINT "Audit actor" FOREIGN KEY ("actorId") REFERENCES shop_user);
INSERT INTO shop_user (email) VALUES ('ada@example.com'), ('bob@example.com');
INSERT INTO shop_session (user_id) VALUES (1), (2), (2);
CREATE TABLE accounts (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
CREATE TABLE account_notes (account_id uuid CONSTRAINT account_notes_account REFERENCES accounts);`;

const SEQUENCES = [
  // Django 3.2, with USING (42846); a multi-statement string drops one key.
  ['BEGIN',
    'SET CONSTRAINTS "shop_order_buyer_id_cffd21d9_fk_shop_user_id" IMMEDIATE; ALTER TABLE "shop_order" DROP CONSTRAINT "shop_order_buyer_id_cffd21d9_fk_shop_user_id"',
    'ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey',
    'ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor"',
    'ALTER TABLE "shop_user" ALTER COLUMN "id" TYPE uuid USING "id"::uuid',
    'SELECT 1',
    'ROLLBACK'],
  // Without USING (42804); a DROP CONSTRAINT among other subcommands.
  ['BEGIN', 'ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey',
    'ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id, DROP COLUMN id',
    'ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor"', 'ALTER TABLE shop_user ALTER COLUMN id TYPE uuid', 'ROLLBACK'],
  // Dropped in a savepoint rolled back, then again; a referencing column dropped since.
  ['BEGIN', 'SAVEPOINT a', 'ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id', 'ROLLBACK TO a',
    'ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id', 'ALTER TABLE shop_order DROP COLUMN buyer_id',
    'ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey', 'ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor"',
    'ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid', 'ROLLBACK'],
  // A key still references the column: the rebuilt keys are refused instead.
  ['BEGIN', 'ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor"', 'ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid',
    'ROLLBACK'],
  // A castable change after the drops: nothing to say.
  ['BEGIN', 'ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey', 'ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id',
    'ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor"', 'ALTER TABLE shop_user ALTER COLUMN id TYPE bigint', 'ROLLBACK'],
  // A new type other than uuid: the plan needs newKeyExpression; without
  // USING, PostgreSQL's message names the type without its modifier.
  ['BEGIN', 'ALTER TABLE account_notes DROP CONSTRAINT account_notes_account',
    'ALTER TABLE accounts ALTER COLUMN id TYPE numeric(20,0)', 'ROLLBACK'],
  ['BEGIN', 'ALTER TABLE account_notes DROP CONSTRAINT account_notes_account',
    'ALTER TABLE accounts ALTER COLUMN id TYPE bigint USING id::bigint', 'ROLLBACK'],
  // One string in autocommit: its statements share one transaction.
  ['ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey; ' +
    'ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id; ' +
    'ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor"; ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid'],
  // The drops committed (each its own transaction): forgotten, PostgreSQL alone.
  ['ALTER TABLE shop_session DROP CONSTRAINT shop_session_user_id_fkey',
    'ALTER TABLE shop_order DROP CONSTRAINT shop_order_buyer_id_cffd21d9_fk_shop_user_id',
    'ALTER TABLE "Audit" DROP CONSTRAINT "Audit actor"',
    'ALTER TABLE shop_user ALTER COLUMN id TYPE uuid USING id::uuid'],
];

async function run(hintFunctions) {
  const dbs = await databases('npm_dropped', SETUP);
  try {
    const ext = await connect(dbs.ext);
    const plain = guard(await connect(dbs.plain), { hintFunctions, logger: null });
    const theirsFields = hintFunctions === 'extension' ? fields : packageFields;
    let statements = 0;
    let refused = 0;
    let disagreements = 0;
    const first = [];
    for (const seq of SEQUENCES) {
      for (const sql of seq) {
        statements++;
        const theirs = await ext.query(sql).then(() => null, (e) => e);
        const ours = await plain.query(sql).then(() => null, (e) => e);
        if (ours && ours.fkGuard) refused++;
        const a = JSON.stringify(fields(ours));
        const b = JSON.stringify(theirsFields(theirs));
        if (a !== b) {
          disagreements++;
          if (first.length < 3) first.push(`${sql}\n  ours:   ${a}\n  theirs: ${b}`);
        }
      }
    }
    await plain.end();
    await ext.end();
    return { statements, refused, disagreements, first };
  } finally {
    await dbs.drop();
  }
}

for (const hintFunctions of ['package', 'extension']) {
  test(`keys dropped earlier in the transaction, then the key converted with no cast (hints: ${hintFunctions}): the same refusal as the extension's`, async (t) => {
    const r = await run(hintFunctions);
    t.diagnostic(`differential dropped keys (${hintFunctions} hints): ${r.statements} statements, ${r.refused} refused by the guard, ${r.disagreements} disagreements`);
    assert.equal(r.disagreements, 0, r.first.join('\n'));
    assert.equal(r.refused, 7, 'the Django shape with and without USING, after a savepoint, the live key, two non-uuid types, one string');
  });
}
