'use strict';
const { addReferences } = require('../clean-schema.cjs');

module.exports = {
  up: ({ context: queryInterface }) => addReferences(queryInterface),
  down: async () => { throw new Error('irreversible'); },
};
