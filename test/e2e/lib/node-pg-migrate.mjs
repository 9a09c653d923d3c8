// node-pg-migrate's programmatic runner, given a pg client we own so that
// its notices can be collected (the runner itself does not listen for them).
// Its logger gets what the CLI would print.
import pg from 'pg';
import { runner } from 'node-pg-migrate';

export async function runPgMigrate(db, { dir, notices, count, verbose = true }) {
  const client = new pg.Client({ ...db.connection });
  if (notices) notices.attach(client);
  await client.connect();
  const logged = [];
  const logger = {
    debug: (m) => logged.push(m), info: (m) => logged.push(m),
    warn: (m) => logged.push(m), error: (m) => logged.push(m),
  };
  try {
    const ran = await runner({
      dbClient: client,
      dir,
      direction: 'up',
      count,
      migrationsTable: 'pgmigrations',
      logger,
      verbose,
    });
    return { ran, logged, error: null };
  } catch (error) {
    return { ran: null, logged, error };
  } finally {
    await client.end();
  }
}

export async function recordedPgMigrations(db) {
  return (await db.rows('SELECT name FROM pgmigrations ORDER BY id')).map((r) => r.name);
}
