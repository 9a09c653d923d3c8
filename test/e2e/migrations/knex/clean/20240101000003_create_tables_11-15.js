import { createTables, dropTables } from '../clean-schema.js';

export const up = (knex) => createTables(knex, 10, 15);
export const down = (knex) => dropTables(knex, 10, 15);
