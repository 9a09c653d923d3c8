'use strict';
const { createTables, dropTables } = require('../clean-schema.cjs');

module.exports = {
  up: ({ context: queryInterface }) => createTables(queryInterface, 10, 15),
  down: ({ context: queryInterface }) => dropTables(queryInterface, 10, 15),
};
