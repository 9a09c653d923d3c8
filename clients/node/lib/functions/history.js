'use strict';
// migrationHistory(): fk_guard.migration_history() without the extension.
// The migrations each tool recorded, read from the tools' own tables,
// recognised by exact name and column shape in the schemas of the caller's
// search path; the same queries, rows and order as the extension's
// migration_history_in (extension/pg_fk_guard.sql).
const { withSession } = require('./session');

// Each tool's table: its exact name, the columns it must have with their kind
// (S string, I integer, T timestamp, B boolean), and a table that must stand
// beside it. First match wins for a table.
const SHAPES = [
  { tool: 'Sequelize', table: 'SequelizeMeta', columns: { name: 'S' } },
  { tool: 'knex', table: 'knex_migrations', columns: { id: 'I', name: 'S', batch: 'I', migration_time: 'T' } },
  { tool: 'TypeORM', table: 'migrations', columns: { id: 'I', timestamp: 'I', name: 'S' } },
  { tool: 'Laravel', table: 'migrations', columns: { id: 'I', migration: 'S', batch: 'I' } },
  { tool: 'node-pg-migrate', table: 'pgmigrations', columns: { id: 'I', name: 'S', run_on: 'T' } },
  {
    tool: 'Prisma',
    table: '_prisma_migrations',
    columns: {
      id: 'S', checksum: 'S', migration_name: 'S', started_at: 'T', finished_at: 'T', rolled_back_at: 'T',
      logs: 'S', applied_steps_count: 'I',
    },
  },
  {
    tool: 'Rails', table: 'schema_migrations', columns: { version: 'S' },
    beside: 'ar_internal_metadata', besideColumns: { key: 'S', value: 'S' },
  },
  { tool: 'Ecto', table: 'schema_migrations', columns: { version: 'I', inserted_at: 'T' } },
  { tool: 'golang-migrate', table: 'schema_migrations', columns: { version: 'I', dirty: 'B' } },
  { tool: 'Django', table: 'django_migrations', columns: { id: 'I', app: 'S', name: 'S', applied: 'T' } },
  { tool: 'Alembic', table: 'alembic_version', columns: { version_num: 'S' } },
  {
    tool: 'Flyway', table: 'flyway_schema_history',
    columns: { installed_rank: 'I', version: 'S', description: 'S', type: 'S', script: 'S', installed_on: 'T', success: 'B' },
  },
  {
    tool: 'Liquibase', table: 'databasechangelog',
    columns: { id: 'S', author: 'S', filename: 'S', dateexecuted: 'T', orderexecuted: 'I', exectype: 'S' },
  },
  { tool: 'goose', table: 'goose_db_version', columns: { id: 'I', version_id: 'I', is_applied: 'B', tstamp: 'T' } },
];

// The names in the queries are constants of the tools' schemas; createdAt is
// the only one that needs quoting (quote_ident).
const q = (name) => (/^[a-z_][a-z0-9_]*$/.test(name) ? name : '"' + name.replace(/"/g, '""') + '"');

// Each query yields (migration, applied_at, status, detail, ordinal); the
// same text as the extension's, from the quoted table name.
function toolQuery(tool, tbl, cols, ectoInsertedType) {
  switch (tool) {
    case 'Sequelize':
      return `SELECT name::text, ${cols.createdAt === 'T' ? q('createdAt') + '::timestamptz' : 'NULL::timestamptz'}, 'applied', NULL::text, row_number() OVER (ORDER BY name COLLATE "C") FROM ${tbl}`;
    case 'knex':
      return `SELECT name::text, migration_time::timestamptz, 'applied', 'batch ' || batch, row_number() OVER (ORDER BY id) FROM ${tbl}`;
    case 'TypeORM':
      return `SELECT name::text, NULL::timestamptz, 'applied', 'timestamp ' || "timestamp" || ' (from the migration''s name: when it was written; TypeORM records no time of running)', row_number() OVER (ORDER BY id) FROM ${tbl}`;
    case 'Laravel':
      return `SELECT migration::text, NULL::timestamptz, 'applied', 'batch ' || batch || ' (Laravel records no time of running)', row_number() OVER (ORDER BY id) FROM ${tbl}`;
    case 'node-pg-migrate':
      return `SELECT name::text, run_on::timestamptz, 'applied', NULL::text, row_number() OVER (ORDER BY id) FROM ${tbl}`;
    case 'Prisma':
      return `SELECT migration_name::text, CASE WHEN rolled_back_at IS NULL THEN finished_at END::timestamptz, ` +
        `CASE WHEN rolled_back_at IS NOT NULL THEN 'rolled_back' WHEN finished_at IS NULL THEN 'failed' ELSE 'applied' END, ` +
        `CASE WHEN rolled_back_at IS NOT NULL THEN 'rolled back at ' || rolled_back_at::timestamptz ` +
        `     WHEN finished_at IS NULL THEN 'started at ' || started_at::timestamptz || ' and never finished (failed, or still running)' ` +
        `        || coalesce('; logs: ' || regexp_replace(left(logs, 500), '\\s+', ' ', 'g'), '') END, ` +
        `row_number() OVER (ORDER BY started_at, id) FROM ${tbl}`;
    case 'Rails':
      return `SELECT version::text, NULL::timestamptz, 'applied', NULL::text, row_number() OVER (ORDER BY version COLLATE "C") FROM ${tbl}`;
    case 'Ecto':
      return `SELECT version::text, ${ectoInsertedType === 'timestamp' ? "inserted_at AT TIME ZONE 'UTC'" : 'inserted_at::timestamptz'}, 'applied', NULL::text, row_number() OVER (ORDER BY version) FROM ${tbl}`;
    case 'golang-migrate':
      return `SELECT version::text, NULL::timestamptz, CASE WHEN dirty THEN 'dirty' ELSE 'applied' END, ` +
        `'the version the database is at: golang-migrate records no history' || CASE WHEN dirty THEN ` +
        `', and this migration failed part-way (dirty): repair by hand, then migrate force' ELSE '' END, ` +
        `row_number() OVER (ORDER BY version) FROM ${tbl}`;
    case 'Django':
      return `SELECT app || '.' || name, applied::timestamptz, 'applied', NULL::text, row_number() OVER (ORDER BY id) FROM ${tbl}`;
    case 'Alembic':
      return `SELECT version_num::text, NULL::timestamptz, 'applied', ` +
        `'the current head: Alembic records only the revision the database is at, not the migrations before it', ` +
        `row_number() OVER (ORDER BY version_num COLLATE "C") FROM ${tbl}`;
    case 'Flyway':
      return `SELECT script::text, CASE WHEN success THEN installed_on::timestamptz END, CASE WHEN success THEN 'applied' ELSE 'failed' END, ` +
        `concat_ws(', ', 'version ' || version, description, type, CASE WHEN NOT success THEN 'attempted at ' || installed_on::timestamptz END), ` +
        `row_number() OVER (ORDER BY installed_rank) FROM ${tbl}`;
    case 'Liquibase':
      return `SELECT filename || '::' || id || '::' || author, CASE WHEN exectype <> 'FAILED' THEN dateexecuted::timestamptz END, ` +
        `CASE WHEN exectype = 'FAILED' THEN 'failed' ELSE 'applied' END, ` +
        `CASE exectype WHEN 'FAILED' THEN 'FAILED at ' || dateexecuted::timestamptz ` +
        `  WHEN 'MARK_RAN' THEN 'MARK_RAN: recorded as run without running it' ELSE exectype::text END, ` +
        `row_number() OVER (ORDER BY orderexecuted, dateexecuted) FROM ${tbl}`;
    case 'goose':
      return `SELECT g.version_id::text, CASE WHEN g.is_applied THEN g.tstamp::timestamptz END, ` +
        `CASE WHEN g.is_applied THEN 'applied' ELSE 'rolled_back' END, ` +
        `CASE WHEN NOT g.is_applied THEN 'rolled back at ' || g.tstamp::timestamptz END, row_number() OVER (ORDER BY g.id) ` +
        `FROM (SELECT DISTINCT ON (version_id) * FROM ${tbl} WHERE version_id <> 0 ORDER BY version_id, id DESC) g`;
  }
  throw new Error(`unknown tool ${tool}`);
}

const KIND_SQL = `CASE WHEN t.typname IN ('int2', 'int4', 'int8') THEN 'I'
                       WHEN t.typname IN ('timestamp', 'timestamptz') THEN 'T'
                       WHEN t.typname = 'bool' THEN 'B'
                       WHEN t.typname IN ('text', 'varchar', 'bpchar', 'name') THEN 'S'
                       ELSE '?' END`;

// Every candidate table of every shape in the caller's schemas, with its
// columns' kinds, in one query.
async function candidates(s) {
  const names = [...new Set(SHAPES.flatMap((sh) => [sh.table, sh.beside].filter(Boolean)))];
  const r = await s.query(
    `SELECT s.ord, n.nspname, pg_catalog.quote_ident(n.nspname) AS nsp_q, c.oid::text AS oid, c.relname,
            (SELECT pg_catalog.jsonb_object_agg(a.attname, ${KIND_SQL})
               FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS cols,
            (SELECT t.typname FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
              WHERE a.attrelid = c.oid AND a.attname = 'inserted_at') AS inserted_at_type,
            pg_catalog.has_table_privilege(c.oid, 'SELECT') AS readable,
            c.oid::pg_catalog.regclass::text AS regclass_q
       FROM pg_catalog.unnest($1::name[]) WITH ORDINALITY AS s(name, ord)
       JOIN pg_catalog.pg_namespace n ON n.nspname = s.name
       JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = ANY ($2::name[]) AND c.relkind IN ('r', 'p')
      WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      ORDER BY s.ord`,
    [s.callerPath, names]);
  return r.rows;
}

const hasShape = (cols, want) => cols != null && Object.entries(want).every(([k, v]) => cols[k] === v);

// The rows of fk_guard.migration_history(), with the pg driver's types:
// { tool, migration, applied_at (Date), status, recorded_in (regclass text
// as the caller's search path prints it), detail, ordinal (bigint text) }.
async function historyRows(s) {
  const found = await candidates(s);
  const out = [];
  const done = new Set();
  const seenNsp = [];
  for (const row of found) if (!seenNsp.some((x) => x.ord === row.ord)) seenNsp.push(row);
  for (const nsp of seenNsp) {
    const inNsp = found.filter((r) => r.ord === nsp.ord);
    for (const shape of SHAPES) {
      const rel = inNsp.find((r) => r.relname === shape.table);
      if (!rel || done.has(rel.oid)) continue;
      if (!hasShape(rel.cols, shape.columns)) continue;
      if (shape.beside) {
        const b = inNsp.find((r) => r.relname === shape.beside);
        if (!b) continue;
        // the beside table's columns: only strings count
        const sOnly = Object.fromEntries(Object.entries(b.cols || {}).map(([k, v]) => [k, v === 'S' ? 'S' : '?']));
        if (!hasShape(sOnly, shape.besideColumns)) continue;
      }
      done.add(rel.oid);
      const tbl = `${rel.nsp_q}.${q(shape.table)}`;
      if (!rel.readable) {
        out.push({ tool: shape.tool, oid: rel.oid, unreadable: `permission denied for table ${rel.regclass_q}: its migrations were not read` });
        continue;
      }
      const text = toolQuery(shape.tool, tbl, rel.cols, rel.inserted_at_type);
      const rows = await s.guarded(
        async () => (await s.query(`SELECT h.m::text AS migration, h.a AS applied_at, h.s::text AS status, h.d AS detail, h.o AS ordinal FROM (${text}) h (m, a, s, d, o)`)).rows,
        (e) => {
          if (e.code !== '42501') throw e;
          return { error: `${e.message}: its migrations were not read` };
        });
      if (rows.error) out.push({ tool: shape.tool, oid: rel.oid, unreadable: rows.error });
      else for (const r of rows) out.push({ tool: shape.tool, oid: rel.oid, row: r });
    }
  }
  // recorded_in as the caller's search path prints a regclass
  const oids = [...new Set(out.map((o) => o.oid))];
  const names = new Map();
  if (oids.length) {
    await s.asCaller(async () => {
      const r = await s.query('SELECT o::text AS oid, o::pg_catalog.oid::pg_catalog.regclass::text AS name FROM pg_catalog.unnest($1::oid[]) o', [oids]);
      for (const x of r.rows) names.set(x.oid, x.name);
    });
  }
  return out.map((o) =>
    o.unreadable !== undefined
      ? { tool: o.tool, migration: null, applied_at: null, status: 'unreadable', recorded_in: names.get(o.oid), detail: o.unreadable, ordinal: null }
      : { tool: o.tool, migration: o.row.migration, applied_at: o.row.applied_at, status: o.row.status, recorded_in: names.get(o.oid), detail: o.row.detail, ordinal: o.row.ordinal });
}

// migrationHistory(db): the rows of fk_guard.migration_history().
async function migrationHistory(db) {
  return withSession(db, historyRows);
}

module.exports = { migrationHistory, historyRows, SHAPES };
