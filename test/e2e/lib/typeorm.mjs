// A TypeORM DataSource as an application configures it for migrations. A
// logger keeps every query TypeORM sends and what it logs; with
// logNotifications the server's notices reach the logger too (TypeORM logs
// only their primary message, at 'info', and only on the pool's first
// connection). To collect every notice in full, the pg module handed to
// TypeORM (its documented `driver` option) is pg itself with a Pool that
// listens on each new client.
import 'reflect-metadata';
import pg from 'pg';
import { DataSource, AbstractLogger } from 'typeorm';

function pgCollectingNotices(notices) {
  class Pool extends pg.Pool {
    constructor(options) {
      super(options);
      this.on('connect', (client) => notices.attach(client));
    }
  }
  const driver = Object.create(pg);
  driver.Pool = Pool;
  return driver;
}

class KeepingLogger extends AbstractLogger {
  constructor() {
    super('all');
    this.queries = [];
    this.lines = [];
  }
  writeLog(level, messages) {
    for (const m of [].concat(messages)) {
      if (m.type === 'query' || m.type === 'query-error') {
        if (m.type === 'query') this.queries.push(String(m.message));
      } else {
        this.lines.push(`${level}: ${typeof m.message === 'string' ? m.message : JSON.stringify(m.message)}`);
      }
    }
  }
}

export async function makeDataSource(db, { migrations = [], logNotifications = true, notices } = {}) {
  const logger = new KeepingLogger();
  const dataSource = new DataSource({
    type: 'postgres',
    host: db.connection.host,
    port: db.connection.port,
    username: db.connection.user,
    database: db.connection.database,
    migrations,
    logging: 'all',
    logger,
    logNotifications,
    ...(notices ? { driver: pgCollectingNotices(notices) } : {}),
  });
  await dataSource.initialize();
  return { dataSource, logger };
}

export async function recordedTypeormMigrations(dataSource) {
  return (await dataSource.query('SELECT name FROM migrations ORDER BY id')).map((r) => r.name);
}
