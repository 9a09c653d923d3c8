// Make sessions.userId an integer that references users.id: alter() the
// column, then add the foreign key.
export async function up(knex) {
  await knex.schema.alterTable('sessions', (t) => {
    t.integer('userId').alter();
    t.foreign('userId').references('users.id');
  });
}

export async function down(knex) {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropForeign('userId');
  });
}
