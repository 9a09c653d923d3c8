'use strict';
// accounts.id is BIGINT (BIGSERIAL); orders."accountId" an INTEGER.
const { DataTypes } = require('sequelize');

module.exports = {
  async up({ context: queryInterface }) {
    await queryInterface.createTable('accounts', {
      id: { type: DataTypes.BIGINT, autoIncrement: true, primaryKey: true },
      name: { type: DataTypes.TEXT },
    });
    await queryInterface.createTable('orders', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      accountId: { type: DataTypes.INTEGER },
    });
    await queryInterface.bulkInsert('accounts', [{ name: 'first' }, { name: 'second' }]);
    await queryInterface.bulkInsert('orders', [{ accountId: 1 }, { accountId: 2 }, { accountId: null }]);
  },
  async down({ context: queryInterface }) {
    await queryInterface.dropTable('orders');
    await queryInterface.dropTable('accounts');
  },
};
