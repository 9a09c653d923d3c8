// The same change without the alter(): only the foreign key.
export async function up(knex) {
  await knex.schema.alterTable('sessions', (t) => {
    t.foreign('userId').references('users.id');
  });
}

export async function down(knex) {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropForeign('userId');
  });
}
