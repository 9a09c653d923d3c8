'use strict';
const { createTables, dropTables } = require('../clean-schema.cjs');

module.exports = {
  up: ({ context: queryInterface }) => createTables(queryInterface, 0, 5),
  down: ({ context: queryInterface }) => dropTables(queryInterface, 0, 5),
};
