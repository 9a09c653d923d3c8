// Builds ../clean-schema.json with knex's schema builder (createTable with
// foreign().references().inTable(), alterTable to add columns and keys).
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(new URL('../clean-schema.json', import.meta.url), 'utf8'));

function column(knex, t, col, { key = false, compositeKey = false } = {}) {
  if (col.type === 'serial') return t.increments(col.name);
  if (col.type === 'bigserial') return t.bigIncrements(col.name);
  const c = {
    uuid: () => t.uuid(col.name), text: () => t.text(col.name), integer: () => t.integer(col.name),
    bigint: () => t.bigInteger(col.name), timestamptz: () => t.timestamp(col.name, { useTz: true }),
  }[col.type]();
  if (key) {
    c.notNullable();
    if (col.type === 'uuid') c.defaultTo(knex.fn.uuid());
    if (!compositeKey) c.primary();
  }
  if (col.unique) c.unique();
  if (col.references) t.foreign(col.name).references(col.references[1]).inTable(col.references[0]);
  return c;
}

export async function createTables(knex, from, to) {
  for (const table of spec.tables.slice(from, to)) {
    await knex.schema.createTable(table.name, (t) => {
      const composite = table.key.length > 1;
      for (const k of table.key) column(knex, t, k, { key: true, compositeKey: composite });
      if (composite) t.primary(table.key.map((k) => k.name));
      for (const c of table.columns) column(knex, t, c);
    });
  }
}

export async function dropTables(knex, from, to) {
  for (const table of spec.tables.slice(from, to).reverse()) await knex.schema.dropTable(table.name);
}

export async function addReferences(knex) {
  for (const c of spec.addColumns) await knex.schema.alterTable(c.table, (t) => { column(knex, t, c); });
  for (const f of spec.addForeignKeys) {
    await knex.schema.alterTable(f.table, (t) => { t.foreign(f.column).references(f.references[1]).inTable(f.references[0]); });
  }
}
