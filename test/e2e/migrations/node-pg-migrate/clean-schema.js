// Builds ../clean-schema.json with node-pg-migrate's builder (createTable
// with column references, addColumns with references, addConstraint).
import { readFileSync } from 'node:fs';

const spec = JSON.parse(readFileSync(new URL('../clean-schema.json', import.meta.url), 'utf8'));

function column(pgm, col, { key = false } = {}) {
  const c = { type: col.type };
  if (key) {
    c.primaryKey = true;
    if (col.type === 'uuid') c.default = pgm.func('gen_random_uuid()');
  }
  if (col.unique) c.unique = true;
  if (col.references) c.references = `"${col.references[0]}"("${col.references[1]}")`;
  return c;
}

export function createTables(pgm, from, to) {
  for (const table of spec.tables.slice(from, to)) {
    const columns = {};
    for (const k of table.key) columns[k.name] = column(pgm, k, { key: true });
    for (const c of table.columns) columns[c.name] = column(pgm, c);
    pgm.createTable(table.name, columns);
  }
}

export function dropTables(pgm, from, to) {
  for (const table of spec.tables.slice(from, to).reverse()) pgm.dropTable(table.name);
}

export function addReferences(pgm) {
  for (const c of spec.addColumns) pgm.addColumns(c.table, { [c.name]: column(pgm, c) });
  for (const f of spec.addForeignKeys) {
    pgm.addConstraint(f.table, `${f.table}_${f.column}_fkey`, {
      foreignKeys: { columns: f.column, references: `"${f.references[0]}"("${f.references[1]}")` },
    });
  }
}
