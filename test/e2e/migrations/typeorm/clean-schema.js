// Builds ../clean-schema.json with TypeORM's QueryRunner (createTable with
// foreignKeys, addColumn + createForeignKey).
import { readFileSync } from 'node:fs';
import { Table, TableColumn, TableForeignKey } from 'typeorm';

const spec = JSON.parse(readFileSync(new URL('../clean-schema.json', import.meta.url), 'utf8'));
const TYPES = { serial: 'int', bigserial: 'bigint', integer: 'int', bigint: 'bigint', uuid: 'uuid', text: 'text', timestamptz: 'timestamptz' };

function column(col, { key = false } = {}) {
  const c = { name: col.name, type: TYPES[col.type], isNullable: !key, isPrimary: key };
  if (col.type === 'serial' || col.type === 'bigserial') Object.assign(c, { isGenerated: true, generationStrategy: 'increment' });
  if (key && col.type === 'uuid') c.default = 'gen_random_uuid()';
  if (col.unique) c.isUnique = true;
  return c;
}

function foreignKey(name, references) {
  return new TableForeignKey({ columnNames: [name], referencedTableName: references[0], referencedColumnNames: [references[1]] });
}

export async function createTables(queryRunner, from, to) {
  for (const table of spec.tables.slice(from, to)) {
    const all = [...table.key.map((k) => column(k, { key: true })), ...table.columns.map((c) => column(c))];
    const refs = [...table.key, ...table.columns].filter((c) => c.references);
    await queryRunner.createTable(new Table({
      name: table.name,
      columns: all,
      foreignKeys: refs.map((c) => foreignKey(c.name, c.references)),
    }), false, true);
  }
}

export async function dropTables(queryRunner, from, to) {
  for (const table of spec.tables.slice(from, to).reverse()) await queryRunner.dropTable(table.name);
}

export async function addReferences(queryRunner) {
  for (const c of spec.addColumns) {
    await queryRunner.addColumn(c.table, new TableColumn(column(c)));
    await queryRunner.createForeignKey(c.table, foreignKey(c.name, c.references));
  }
  for (const f of spec.addForeignKeys) await queryRunner.createForeignKey(f.table, foreignKey(f.column, f.references));
}
