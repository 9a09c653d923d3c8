// knex with its migrator, as an application configures it. Every SQL string
// knex sends is kept ('query' event) and the server's notices are collected
// from every pooled connection (pool.afterCreate).
import knexFactory from 'knex';

export function makeKnex(db, { notices, directory } = {}) {
  const sent = [];
  const logged = [];
  const knex = knexFactory({
    client: 'pg',
    connection: { ...db.connection },
    pool: {
      min: 0,
      max: 2,
      afterCreate(connection, done) {
        if (notices) notices.attach(connection);
        done(null, connection);
      },
    },
    migrations: directory ? { directory } : undefined,
    // What knex's migrator would print on the console.
    log: {
      warn: (m) => logged.push(m), error: (m) => logged.push(m),
      deprecate: (m) => logged.push(m), debug: () => {},
    },
  });
  knex.on('query', (q) => sent.push(q.sql));
  return { knex, sent, logged };
}

export async function recordedKnexMigrations(knex) {
  return (await knex('knex_migrations').orderBy('id').pluck('name'));
}
