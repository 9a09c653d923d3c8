'use strict';
// The same change, in a transaction that refuses soft mismatches for its
// own statements: SET LOCAL must run on the connection of the ALTER, so
// both go through the same transaction (the pool may hand out another
// connection otherwise).
const { DataTypes } = require('sequelize');

module.exports = {
  async up({ context: queryInterface }) {
    await queryInterface.sequelize.transaction(async (transaction) => {
      await queryInterface.sequelize.query('SET LOCAL pg_fk_guard.soft_mismatches = error', { transaction });
      await queryInterface.changeColumn('orders', 'accountId', {
        type: DataTypes.BIGINT,
        references: { model: 'accounts', key: 'id' },
      }, { transaction });
    });
  },
  async down({ context: queryInterface }) {
    await queryInterface.removeConstraint('orders', 'orders_accountId_fkey');
  },
};
