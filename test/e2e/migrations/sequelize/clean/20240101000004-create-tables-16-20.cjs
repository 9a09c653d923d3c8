'use strict';
const { createTables, dropTables } = require('../clean-schema.cjs');

module.exports = {
  up: ({ context: queryInterface }) => createTables(queryInterface, 15, 20),
  down: ({ context: queryInterface }) => dropTables(queryInterface, 15, 20),
};
