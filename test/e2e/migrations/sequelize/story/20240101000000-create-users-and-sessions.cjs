'use strict';
// users.id is an integer (SERIAL); sessions."userId" was created as a UUID
// back when users had uuid keys (users.legacy_uuid still holds them).
const { DataTypes } = require('sequelize');

module.exports = {
  async up({ context: queryInterface }) {
    await queryInterface.createTable('users', {
      id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
      email: { type: DataTypes.TEXT, allowNull: false },
      legacy_uuid: { type: DataTypes.UUID, unique: true },
    });
    await queryInterface.createTable('sessions', {
      sid: { type: DataTypes.STRING, primaryKey: true },
      userId: { type: DataTypes.UUID },
      expires: { type: DataTypes.DATE },
    });
  },
  async down({ context: queryInterface }) {
    await queryInterface.dropTable('sessions');
    await queryInterface.dropTable('users');
  },
};
