// TypeORM migrations through QueryRunner (scenario 3): a migration that
// recreates a column as uuid and adds a foreign key to an integer key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { freshDatabase, describeServerMessage, columnType, foreignKeysOn, migrationHistory } from '../lib/db.mjs';
import { makeDataSource, recordedTypeormMigrations } from '../lib/typeorm.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIR = join(HERE, '..', 'migrations', 'typeorm', 'recreate-uuid');

test('scenario 3 (TypeORM): dropColumn + addColumn(uuid) + createForeignKey to an integer key is refused with 42804; the transaction puts the old column back', async (t) => {
  const db = await freshDatabase('typeorm_recreate');
  t.after(() => db.drop());

  // The earlier deploy: the tables.
  {
    const { dataSource } = await makeDataSource(db, { migrations: [join(DIR, '1704067200000-*.js')] });
    await dataSource.runMigrations();
    await dataSource.destroy();
  }

  const { dataSource, logger } = await makeDataSource(db, { migrations: [join(DIR, '*.js')] });
  t.after(() => dataSource.destroy());
  const error = await dataSource.runMigrations({ transaction: 'all' }).then(() => null, (e) => e);

  const sent = logger.queries.filter((q) => /^ALTER TABLE "sessions"/.test(q));
  t.diagnostic(`TypeORM sent: ${sent.join(' | ')}`);
  assert.equal(sent.length, 3);
  assert.equal(sent[0], 'ALTER TABLE "sessions" DROP COLUMN "userId"');
  assert.equal(sent[1], 'ALTER TABLE "sessions" ADD "userId" uuid');
  assert.match(sent[2], /^ALTER TABLE "sessions" ADD CONSTRAINT "(FK_[0-9a-f]+)" FOREIGN KEY \("userId"\) REFERENCES "users"\("id"\)$/);
  const fkName = sent[2].match(/"(FK_[0-9a-f]+)"/)[1];
  for (const line of logger.lines.filter((l) => /fail|constraint/i.test(l))) t.diagnostic(`TypeORM logged: ${line}`);

  assert.ok(error, 'the migration must fail');
  t.diagnostic(describeServerMessage(error));
  // QueryFailedError copies the pg error's fields (and keeps it as driverError).
  assert.equal(error.name, 'QueryFailedError');
  assert.equal(error.driverError.code, '42804');
  assert.equal(error.code, '42804');
  assert.equal(error.message, `foreign key constraint "${fkName}" cannot be implemented`);
  assert.equal(error.query, sent[2]);
  // The guard reads the table as it is inside the migration's transaction:
  // the recreated column, every value NULL.
  assert.match(error.detail, /^sessions\."userId" is uuid; users\.id is integer\. /);
  assert.match(error.detail, /sessions holds 3 rows, all with "userId" NULL\.$/);
  assert.match(error.hint, /^Every sessions\."userId" is NULL, so the type can change without losing anything: ALTER TABLE sessions ALTER COLUMN "userId" TYPE integer USING NULL; then add the foreign key\./);
  assert.equal(error.where, 'pg_fk_guard: checked before PostgreSQL ran the statement');
  assert.ok(logger.lines.some((l) => l.includes(`Migration "SessionsUserIdUuidReferencesUsers1706745600000" failed, error: foreign key constraint "${fkName}" cannot be implemented`)));

  // transaction 'all' (the default): the dropped column is back, with its data.
  assert.deepEqual(await recordedTypeormMigrations(dataSource), ['CreateUsersAndSessions1704067200000']);
  // The HINT names explain() (TypeORM's migrations table is on the search
  // path), and migration_history() reads that table as TypeORM made it: the
  // first migration, not the refused one (TypeORM records no time).
  assert.match(error.hint, / What the DETAIL leaves out \(which migrations ran\): SELECT fk_guard\.explain\('public\.sessions', 'userId'\);$/);
  const history = await migrationHistory(db);
  t.diagnostic(`migration_history(): ${JSON.stringify(history)}`);
  assert.deepEqual(history, [
    { tool: 'TypeORM', migration: 'CreateUsersAndSessions1704067200000', status: 'applied', recorded_in: 'migrations', has_time: false },
  ]);
  assert.equal(await columnType(db, 'sessions', 'userId'), 'character varying');
  assert.deepEqual(await db.rows('SELECT sid, "userId" FROM sessions ORDER BY sid'),
    [{ sid: 's1', userId: '1' }, { sid: 's2', userId: '2' }, { sid: 's3', userId: null }]);
  assert.deepEqual(await foreignKeysOn(db, 'sessions'), []);
});
