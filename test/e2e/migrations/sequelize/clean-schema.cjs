'use strict';
// Builds ../clean-schema.json with Sequelize's QueryInterface (createTable
// with inline references, addColumn with references, addConstraint).
const { DataTypes, literal } = require('sequelize');
const spec = require('../clean-schema.json');

const TYPES = {
  integer: DataTypes.INTEGER, bigint: DataTypes.BIGINT, uuid: DataTypes.UUID,
  text: DataTypes.TEXT, timestamptz: DataTypes.DATE,
};

function attribute(col, { primaryKey = false } = {}) {
  const a = {};
  if (col.type === 'serial') Object.assign(a, { type: DataTypes.INTEGER, autoIncrement: true });
  else if (col.type === 'bigserial') Object.assign(a, { type: DataTypes.BIGINT, autoIncrement: true });
  else a.type = TYPES[col.type];
  if (primaryKey) {
    Object.assign(a, { primaryKey: true, allowNull: false });
    if (col.type === 'uuid') a.defaultValue = literal('gen_random_uuid()');
  }
  if (col.unique) a.unique = true;
  if (col.references) a.references = { model: col.references[0], key: col.references[1] };
  return a;
}

exports.createTables = async (queryInterface, from, to) => {
  for (const table of spec.tables.slice(from, to)) {
    const attributes = {};
    for (const k of table.key) attributes[k.name] = attribute(k, { primaryKey: true });
    for (const c of table.columns) attributes[c.name] = attribute(c);
    await queryInterface.createTable(table.name, attributes);
  }
};

exports.dropTables = async (queryInterface, from, to) => {
  for (const table of spec.tables.slice(from, to).reverse()) await queryInterface.dropTable(table.name);
};

exports.addReferences = async (queryInterface) => {
  for (const c of spec.addColumns) await queryInterface.addColumn(c.table, c.name, attribute(c));
  for (const f of spec.addForeignKeys) {
    await queryInterface.addConstraint(f.table, {
      fields: [f.column], type: 'foreign key',
      references: { table: f.references[0], field: f.references[1] },
    });
  }
};
