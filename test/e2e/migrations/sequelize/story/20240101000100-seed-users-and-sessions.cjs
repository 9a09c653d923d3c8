'use strict';
// Three users; six sessions: four hold a user's legacy uuid, two are NULL.
const USERS = [
  ['ada@example.com', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
  ['bob@example.com', 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22'],
  ['cy@example.com', 'c2eebc99-9c0b-4ef8-bb6d-6bb9bd380a33'],
];
const SESSIONS = [
  ['s1', USERS[0][1]], ['s2', null], ['s3', USERS[1][1]],
  ['s4', USERS[1][1]], ['s5', null], ['s6', USERS[2][1]],
];

module.exports = {
  USERS,
  SESSIONS,
  async up({ context: queryInterface }) {
    await queryInterface.bulkInsert('users', USERS.map(([email, legacy_uuid]) => ({ email, legacy_uuid })));
    const expires = new Date('2030-01-01T00:00:00Z');
    await queryInterface.bulkInsert('sessions', SESSIONS.map(([sid, userId]) => ({ sid, userId, expires })));
  },
  async down({ context: queryInterface }) {
    await queryInterface.bulkDelete('sessions', null, {});
    await queryInterface.bulkDelete('users', null, {});
  },
};
