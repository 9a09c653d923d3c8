'use strict';
const { createTables, dropTables } = require('../clean-schema.cjs');

module.exports = {
  up: ({ context: queryInterface }) => createTables(queryInterface, 5, 10),
  down: ({ context: queryInterface }) => dropTables(queryInterface, 5, 10),
};
