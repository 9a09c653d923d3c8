// users.id is an integer (increments); sessions.userId a uuid, some NULL.
export async function up(knex) {
  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('email').notNullable();
    t.uuid('legacy_uuid').unique();
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('sid').primary();
    t.uuid('userId');
  });
  await knex('users').insert([
    { email: 'ada@example.com', legacy_uuid: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
    { email: 'bob@example.com', legacy_uuid: 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22' },
  ]);
  await knex('sessions').insert([
    { sid: 's1', userId: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
    { sid: 's2', userId: null },
    { sid: 's3', userId: 'b1eebc99-9c0b-4ef8-bb6d-6bb9bd380a22' },
  ]);
}

export async function down(knex) {
  await knex.schema.dropTable('sessions');
  await knex.schema.dropTable('users');
}
