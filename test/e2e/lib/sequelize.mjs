// Sequelize v6 + umzug as an application sets them up: one Sequelize
// instance, umzug reading migration files, SequelizeStorage (SequelizeMeta).
// Every SQL string Sequelize sends is kept (logging), and the server's
// notices are collected from every pooled connection (afterConnect hook).
import { Sequelize } from 'sequelize';
import { Umzug, SequelizeStorage } from 'umzug';
import { mkdirSync, cpSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const E2E = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SEQUELIZE_MIGRATIONS = join(E2E, 'migrations', 'sequelize');

export function makeSequelize(db, { notices, dialectOptions } = {}) {
  const sent = [];
  const sequelize = new Sequelize(db.connection.database, db.connection.user, null, {
    dialect: 'postgres',
    host: db.connection.host,
    port: db.connection.port,
    logging: (sql) => sent.push(sql.replace(/^Executing \([^)]*\): /, '')),
    dialectOptions,
  });
  if (notices) sequelize.addHook('afterConnect', (connection) => { notices.attach(connection); });
  return { sequelize, sent };
}

export function makeUmzug(sequelize, dir) {
  const events = [];
  const umzug = new Umzug({
    migrations: { glob: ['*.cjs', { cwd: dir }] },
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize }),
    logger: { info: (e) => events.push(e), warn: (e) => events.push(e), error: (e) => events.push(e), debug: () => {} },
  });
  return { umzug, events };
}

export async function recordedMigrations(sequelize) {
  const [rows] = await sequelize.query('SELECT name FROM "SequelizeMeta" ORDER BY name');
  return rows.map((r) => r.name);
}

// The repair as a user commits it: the fix_plan() script, verbatim, in a
// migration that runs it as one query string in one transaction, named to
// run before the migration that failed. Written next to copies of that
// directory's migrations (under test/e2e/.work, so that require('sequelize')
// resolves); remove() deletes the copy.
export function repairDirectory(fromDir, plan, { table, column, referenced, onUnconvertible }) {
  const dir = join(E2E, '.work', `repair-${onUnconvertible}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  cpSync(fromDir, dir, { recursive: true });
  const name = `20240131000000-repair-${table}-${column}-${onUnconvertible}.cjs`;
  writeFileSync(join(dir, name), `'use strict';
// Written from: SELECT fk_guard.fix_plan('${table}', '${column}', '${referenced}', on_unconvertible => '${onUnconvertible}');
// One query string, in one transaction: a step that fails changes nothing.
const PLAN = ${JSON.stringify(plan)};

module.exports = {
  async up({ context: queryInterface }) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query(PLAN, { transaction });
    });
  },
  async down() {
    throw new Error('the repair of ${table}.${column} cannot be undone');
  },
};
`);
  return { dir, name, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
