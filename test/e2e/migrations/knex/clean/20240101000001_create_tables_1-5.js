import { createTables, dropTables } from '../clean-schema.js';

export const up = (knex) => createTables(knex, 0, 5);
export const down = (knex) => dropTables(knex, 0, 5);
